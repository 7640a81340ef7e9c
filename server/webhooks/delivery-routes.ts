// The delivery log of signed webhooks (webhook-signatures.md §7), for the keys' owner: what came
// in, whether it verified, how its run ended, how often it was repeated; and a replay of a stored
// delivery. Nothing here shows a secret, a signature, or a rejected delivery's body.
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { DeliveryRecord, Store } from '../../runtime/store/store.ts';
import { detailBody, HttpError } from '../errors.ts';
import type { ServedApp } from '../manifest.ts';
import type { QueueLimit } from '../queue-limit.ts';
import { queueTasks } from '../schedule/queue-tasks.ts';
import { requireUser } from '../user-routes.ts';
import type { Users } from '../users.ts';
import type { WorkerPool } from '../workers/pool.ts';
import { toldDelivery } from './deliveries.ts';
import type { DeliveryLogBatch } from './log-batch.ts';
import { loadedFields } from '../stored-fields.ts';

const STATUSES = ['ok', 'failed', 'pending', 'rejected'] as const;

/** A delivery as listed: everything but what a replay would run. */
function listed(d: DeliveryRecord) {
  return {
    id: d.id,
    key_id: d.keyId,
    walker: d.walker,
    received_at: d.receivedAt,
    verified: d.verified,
    delivery_id: d.deliveryId,
    event: d.event,
    status: d.status,
    code: d.code,
    duration_ms: d.ms,
    error_id: d.errorId,
    reason: d.reason,
    duplicates: d.duplicates,
    replayable: d.replay !== null && Date.parse(d.replayUntil) > Date.now(),
  };
}

const item = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    key_id: { type: 'string' },
    walker: { type: 'string' },
    received_at: { type: 'string', format: 'date-time' },
    verified: { type: 'boolean' },
    delivery_id: { type: ['string', 'null'] },
    event: { type: ['string', 'null'] },
    status: { type: 'string', enum: [...STATUSES] },
    code: { type: ['integer', 'null'] },
    duration_ms: { type: ['number', 'null'] },
    error_id: { type: ['string', 'null'] },
    reason: { type: ['string', 'null'] },
    duplicates: { type: 'integer' },
    replayable: { type: 'boolean' },
  },
} as const;

export interface DeliveryRouteOptions {
  users: Users;
  store: Store;
  runs: WorkerPool;
  program: ServedApp;
  /** Entries the signed routes told and may not have written yet: flushed before the log is read. */
  told: DeliveryLogBatch;
  wake: () => void;
  /** The root's room for the runs a replay's walker queues (create_task). */
  limit: QueueLimit;
}

export async function deliveryRoutes(app: FastifyInstance, { users, store, runs, program, told, wake, limit }: DeliveryRouteOptions): Promise<void> {
  app.get<{ Querystring: { key_id?: string; status?: DeliveryRecord['status']; limit?: number } }>(
    '/webhook/deliveries',
    {
      schema: {
        tags: ['Webhook APIs'],
        summary: 'Recent deliveries to your signed webhooks, newest first',
        security: [{ bearerAuth: [] }],
        querystring: {
          type: 'object',
          properties: { key_id: { type: 'string' }, status: { type: 'string', enum: [...STATUSES] }, limit: { type: 'integer', minimum: 1, maximum: 500, default: 50 } },
        },
        response: { 200: { type: 'object', properties: { deliveries: { type: 'array', items: item } } }, 401: detailBody },
      },
    },
    async (request) => {
      const user = await requireUser(users, request);
      const { key_id: keyId, status, limit = 50 } = request.query;
      await told.flush();
      return { deliveries: (await store.listDeliveries(user.id, { keyId, status, limit })).map(listed) };
    },
  );

  app.post<{ Params: { id: string } }>(
    '/webhook/deliveries/:id/replay',
    {
      schema: {
        tags: ['Webhook APIs'],
        summary: 'Run a stored delivery again (within its dedupe window)',
        security: [{ bearerAuth: [] }],
        params: { type: 'object', properties: { id: { type: 'string' } }, required: ['id'] },
      },
    },
    async (request, reply: FastifyReply) => {
      const user = await requireUser(users, request);
      await told.flush();
      const d = await store.findDelivery(request.params.id);
      if (!d || d.owner !== user.id) throw new HttpError(404, 'Delivery not found');
      if (d.status === 'rejected') throw new HttpError(409, 'A rejected delivery was not run and its body was not kept: there is nothing to replay');
      if (Date.parse(d.replayUntil) <= Date.now()) throw new HttpError(410, 'The delivery is past its dedupe window: its body is no longer kept');
      if (!d.replay) throw new HttpError(410, "The delivery's body is no longer kept: newer deliveries' bodies took its room in the log");
      const spec = program.walkers.get(d.walker)?.specs.webhook;
      if (!spec || spec.type !== 'signature') throw new HttpError(404, `Walker ${d.walker} is no longer a signed webhook walker`);
      const started = Date.now();
      const taskRoom = await limit.room(user.root);
      const answer = await runs.walk({ root: user.root, walker: d.walker, node: d.replay.node, fields: loadedFields(d.replay.fields), allowedNodes: d.replay.allowedNodes, ...taskRoom });
      if (await queueTasks(store, answer, user.root, user.id, limit)) wake();
      // The replay is a delivery of its own in the log, naming the event it repeats.
      const replayed = { walker: d.walker, owner: user.id, delivery: { id: null, event: d.event, keyId: d.keyId }, dedupeHours: spec.dedupeHours, node: d.replay.node, fields: loadedFields(d.replay.fields), allowedNodes: d.replay.allowedNodes };
      await store.tellDeliveries([toldDelivery(replayed, answer.status === 200 ? 'ok' : 'failed', answer.status, Date.now() - started, null)]);
      if (answer.status === 403 || answer.status === 404) throw new HttpError(answer.status, answer.detail);
      if (answer.status === 500 || answer.status === 503) throw Object.assign(new Error(answer.message), { name: answer.name, statusCode: answer.status });
      if ('body' in answer) return reply.code(200).type('application/json; charset=utf-8').send(answer.body);
      throw new Error('a walk job was answered as another kind of job');
    },
  );
}
