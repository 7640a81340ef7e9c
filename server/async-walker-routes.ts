// The outcome of an async walker, by its walker id: `GET /async-walker/{walker_id}` [beyond]. Jac
// Cloud stores it on the walker document and has no route for it (jac-cloud-runtime.md §5); this
// answers that document's shape: the walker's id and fields, and `schedule` with the status
// (PENDING, STARTED, COMPLETED, ERROR), the run's HTTP status, reports and returns, and on failure
// an error id the log carries (never a traceback). Only the user it ran for sees it; a job of the
// public root (an `auth: False` walker) is seen by anyone who has its id. Anything else is a 404,
// so a stranger cannot tell another user's job from no job.
import type { FastifyInstance } from 'fastify';
import { parseId } from '../runtime/store/ids.ts';
import type { JobRecord, Json, Store } from '../runtime/store/store.ts';
import { stringify, type Wire } from './serialize.ts';
import { loadedFields, loadedValue } from './stored-fields.ts';
import { HttpError } from './errors.ts';
import { requireUser } from './user-routes.ts';
import { PUBLIC_ROOT_ID } from './walker-routes.ts';
import type { Users } from './users.ts';

export function walkerDocument(job: JobRecord) {
  const r = job.result;
  const values = (v: Json[] | null | undefined) => (v ? (loadedValue(v) as Wire[]) : null);
  return {
    id: job.id,
    name: job.walker,
    root_id: job.root,
    context: loadedFields(r?.context ?? job.fields) as Record<string, Wire>,
    schedule: {
      status: job.status,
      node_id: job.node,
      attempts: job.attempts,
      enqueued_date: job.enqueuedAt,
      execute_date: job.startedAt,
      executed_date: job.finishedAt,
      http_status: r?.httpStatus ?? null,
      returns: values(r?.returns),
      reports: values(r?.reports),
      error: r?.error ?? null,
      error_id: r?.errorId ?? null,
    },
  };
}

export async function asyncWalkerRoutes(app: FastifyInstance, { users, store }: { users: Users; store: Store }): Promise<void> {
  app.get(
    '/async-walker/:walker_id',
    {
      schema: {
        tags: ['Walker APIs'],
        summary: 'The status and outcome of an async walker run',
        params: { type: 'object', properties: { walker_id: { type: 'string', description: 'the walker_id its request answered' } }, required: ['walker_id'] },
        security: [{ bearerAuth: [] }],
      },
    },
    async (request, reply) => {
      const { walker_id: id } = request.params as { walker_id: string };
      const user = request.headers.authorization === undefined ? null : await requireUser(users, request);
      const job = parseId(id)?.kind === 'w' ? await store.findJob(id) : null;
      // A run with no owner is the public root's (anyone with its id) or the system root's (a
      // scheduled walker: operators see it with `jac-serve jobs list`).
      const visible = job !== null && (job.owner === null ? job.root === PUBLIC_ROOT_ID : job.owner === user?.id);
      if (job === null || !visible) throw new HttpError(404, 'Walker not found');
      // Ints beyond 2^53 in the fields or reports are written exactly.
      return reply.type('application/json; charset=utf-8').send(stringify(walkerDocument(job) as unknown as Wire));
    },
  );
}
