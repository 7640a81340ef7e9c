// The main thread's side of create_task: the runs a committed walker run asked for are queued
// before its caller is answered, on the caller's root and for the caller, so they are durable
// when the answer says the run is done.
import type { Store } from '../../runtime/store/store.ts';
import { JOB_ATTEMPTS } from '../job-dispatcher.ts';
import type { Answer } from '../workers/messages.ts';
import { storedFields } from '../stored-fields.ts';

/** Queues `answer`'s tasks (if any) on `root` for `owner`; true when it queued some. */
export async function queueTasks(store: Store, answer: Answer, root: string, owner: string | null): Promise<boolean> {
  const tasks = 'tasks' in answer ? answer.tasks : undefined;
  if (!tasks || tasks.length === 0) return false;
  for (const t of tasks) {
    await store.enqueueJob({ id: t.id, walker: t.walker, root, owner, node: t.node, fields: storedFields(t.fields), allowedNodes: null, maxAttempts: JOB_ATTEMPTS, internal: true, ...(t.runAfter ? { runAfter: t.runAfter } : {}) });
  }
  return true;
}
