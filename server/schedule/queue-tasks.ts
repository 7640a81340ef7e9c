// The main thread's side of create_task: the runs a committed walker run asked for are queued
// before its caller is answered, on the caller's root and for the caller, so they are durable
// when the answer says the run is done.
import type { Store } from '../../runtime/store/store.ts';
import { JOB_ATTEMPTS } from '../job-dispatcher.ts';
import type { Answer } from '../workers/messages.ts';
import { storedFields } from '../stored-fields.ts';
import type { QueueLimit } from '../queue-limit.ts';

/**
 * Queues `answer`'s tasks (if any) on `root` for `owner`, counted on the root's figure under the
 * queue limit (the run had the room for them: `QueueLimit.room`); how many it queued.
 */
export async function queueTasks(store: Store, answer: Answer, root: string, owner: string | null, limit: QueueLimit | undefined): Promise<number> {
  const tasks = 'tasks' in answer ? answer.tasks : undefined;
  if (!tasks || tasks.length === 0) return 0;
  for (const t of tasks) {
    await store.enqueueJob({ id: t.id, walker: t.walker, root, owner, node: t.node, fields: storedFields(t.fields), allowedNodes: null, maxAttempts: JOB_ATTEMPTS, internal: true, ...(t.runAfter ? { runAfter: t.runAfter } : {}) });
  }
  limit?.taken(root, tasks.length);
  return tasks.length;
}
