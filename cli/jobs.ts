// `jac-serve jobs list|retry|cancel`: the async walker runs of a store, one line each, oldest
// first, for an operator, and the two changes an operator makes to them. A data dir is read with the server stopped (a running server holds its lock); a
// PostgreSQL store may be read while servers run.
import { existsSync } from 'node:fs';
import type { JobRecord, Store } from '../runtime/store/store.ts';
import { UsageError } from './files.ts';
import { openStore, type StoreTarget } from './store-target.ts';

/** One job as a line: id, status, attempts, root, entry node, the schedule that fired it, times, and how it ended. */
export function jobLine(j: JobRecord): string {
  const ended = j.result === null ? '' : j.result.error === null ? ` http ${j.result.httpStatus}` : ` http ${j.result.httpStatus} ${j.result.error}${j.result.errorId ? ` error_id ${j.result.errorId}` : ''}`;
  const due = j.status === 'PENDING' && j.runAfter > j.enqueuedAt ? `  due ${j.runAfter}` : '';
  const by = j.schedule ? `  schedule ${j.schedule}` : '';
  return `${j.id}  ${j.status}  attempts ${j.attempts}/${j.maxAttempts}  root ${j.root}${j.node ? `  node ${j.node}` : ''}${by}  queued ${j.enqueuedAt}${due}  finished ${j.finishedAt ?? '-'}${ended}`;
}

/** Runs `use` on the target's store, opened for it alone and closed after. */
async function withStore<T>(target: StoreTarget, use: (store: Store) => Promise<T>): Promise<T> {
  // LowStore.open would create a missing dir: a mistyped --data must not become a new empty one.
  if ('data' in target && !existsSync(target.data)) throw new UsageError(`no data dir at ${target.data} (pass the --data dir the server uses)`);
  let store;
  try {
    store = await openStore(target);
  } catch (e) {
    if ((e as { code?: string }).code === 'JAC_STORE_LOCKED') throw new UsageError(`${(e as Error).message} (jobs commands read the data dir of a stopped server)`);
    throw e;
  }
  try {
    return await use(store);
  } finally {
    await store.close();
  }
}

export function jobsList(target: StoreTarget): Promise<string> {
  return withStore(target, async (store) => {
    const jobs = await store.listJobs();
    return jobs.length === 0 ? `no jobs in ${store.location}` : jobs.map(jobLine).join('\n');
  });
}

/**
 * `jobs retry ID` (a job that ended in ERROR or CANCELLED runs again, its attempts counted
 * afresh) and `jobs cancel ID` (a PENDING job is taken off the queue): the job's new line, or a
 * usage error saying why it cannot be.
 */
export function jobsChange(target: StoreTarget, id: string, action: 'retry' | 'cancel'): Promise<string> {
  return withStore(target, async (store) => {
    const changed = action === 'retry' ? await store.requeueJob(id) : await store.cancelJob(id);
    const job = await store.findJob(id);
    if (job === null) throw new UsageError(`no job ${id} in ${store.location}`);
    if (!changed) throw new UsageError(`job ${id} is ${job.status}: only a job in ${action === 'retry' ? 'ERROR or CANCELLED can be retried' : 'PENDING can be cancelled'}`);
    return jobLine(job);
  });
}
