// `jac-serve jobs list`: the async walker runs of a store, one line each, oldest first, for an
// operator. A data dir is read with the server stopped (a running server holds its lock); a
// PostgreSQL store may be read while servers run.
import { existsSync } from 'node:fs';
import type { JobRecord } from '../runtime/store/store.ts';
import { UsageError } from './files.ts';
import { openStore, type StoreTarget } from './store-target.ts';

/** One job as a line: id, status, attempts, root, entry node, times, and how it ended. */
export function jobLine(j: JobRecord): string {
  const ended = j.result === null ? '' : j.result.error === null ? ` http ${j.result.httpStatus}` : ` http ${j.result.httpStatus} ${j.result.error}${j.result.errorId ? ` error_id ${j.result.errorId}` : ''}`;
  return `${j.id}  ${j.status}  attempts ${j.attempts}/${j.maxAttempts}  root ${j.root}${j.node ? `  node ${j.node}` : ''}  queued ${j.enqueuedAt}  finished ${j.finishedAt ?? '-'}${ended}`;
}

export async function jobsList(target: StoreTarget): Promise<string> {
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
    const jobs = await store.listJobs();
    return jobs.length === 0 ? `no jobs in ${store.location}` : jobs.map(jobLine).join('\n');
  } finally {
    await store.close();
  }
}
