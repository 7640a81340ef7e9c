// One route per walker endpoint and method (http-api.md §2): the walker's `has` fields are the
// request (JSON body at top level, `as_query` fields from the query string, `{vars}` from the
// path), validated by Fastify from schemas built from their annotations. A request runs the
// walker on the caller's root (or the public one), on the root or on `{node}`, within its budget,
// and answers once the graph's changes are on disk.
import { randomUUID } from 'node:crypto';
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import type { AppOptions } from './app.ts';
import { newId } from '../runtime/store/ids.ts';
import { type Json, type KeyRecord, type SharedCounters, type Store, StoreError } from '../runtime/store/store.ts';
import { JOB_ATTEMPTS, type JobDispatcher } from './job-dispatcher.ts';
import { queueTasks } from './schedule/queue-tasks.ts';
import { storedFields } from './stored-fields.ts';
import { jsonChars } from '../runtime/store/queued-chars.ts';
import { HttpError } from './errors.ts';
import { sharedCounterStore } from './login-limits.ts';
import type { FieldManifest, ServedApp, WalkerManifest } from './manifest.ts';
import { pathVariables } from './specs.ts';
import type { OperationExtras } from './openapi-extras.ts';
import { DELIVERY_FIELDS, type KeyPlacement, keyPlacement } from './webhooks/webhook-spec.ts';
import { DELIVERY_RETRY_MS, deliveryFields, deliveryJobId, deliveryRecord, deliveryRecordId, keepRawBodies, rawDelivery, refusedDelivery, toldDelivery, unverifiedDelivery } from './webhooks/deliveries.ts';
import type { DeliveryLogBatch } from './webhooks/log-batch.ts';
import { verifyDelivery } from './webhooks/signatures.ts';
import { type QueueLimit, type Refusal, TOO_MANY_RUNS } from './queue-limit.ts';
import { requireUser } from './user-routes.ts';
import type { Users } from './users.ts';
import type { WebhookKeys } from './webhook-keys.ts';
import type { WorkerPool } from './workers/pool.ts';
import { acceptMultipart } from './uploads/multipart-body.ts';
import { multipartSchema, takeUploads, uploadPlan } from './uploads/upload-request.ts';
import type { UploadedFile } from '../runtime/interpreter/fastapi-module.ts';

/** Jac Cloud's public root: where walkers with `auth: False` run. */
export const PUBLIC_ROOT_ID = 'n::000000000000000000000001';

type JsonSchema = Record<string, unknown>;

/** Where each request field of an endpoint comes from. */
interface FieldPlan {
  body: FieldManifest[];
  query: FieldManifest[];
  path: FieldManifest[];
}

/** Where each field comes from; a GET or HEAD request has no body, so its fields come from the query string. */
function planFields(e: WalkerManifest, bodiless: boolean, serverFilled: Set<string> = new Set()): FieldPlan {
  const inPath = new Set(pathVariables(e.specs.path));
  const asQuery = e.specs.asQuery;
  const plan: FieldPlan = { body: [], query: [], path: [] };
  for (const f of e.fields) {
    if (serverFilled.has(f.name)) continue;
    if (inPath.has(f.name)) plan.path.push(f);
    else if (bodiless || asQuery === '*' || asQuery.includes(f.name)) plan.query.push(f);
    else plan.body.push(f);
  }
  return plan;
}

/** Methods whose requests carry no body: their fields come from the query string. */
const BODILESS = new Set(['get', 'head', 'trace']);

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Body properties the route checks itself, listed as required in OpenAPI only. */
    documentedRequired?: string[];
    /** The multipart body of a route that takes files, as OpenAPI shows it (its JSON `body` part is what the route's schema validates). */
    multipartBody?: JsonSchema;
  }
}

/** Why a route answers 429 (a webhook: failed key attempts; a route that queues runs: the queue limit). */
const tooMany = (webhook: boolean, queued: boolean, weighed: boolean) =>
  `${[webhook ? 'too many failed key attempts from this client' : '', queued ? TOO_MANY_RUNS : '', queued && weighed ? 'they hold too much data' : ''].filter(Boolean).join(', or ')}; see Retry-After`;

/**
 * The error answers a route documents in OpenAPI. Each schema keeps every property it is given
 * (`additionalProperties`), so documenting an answer never changes what is sent.
 */
function errorAnswers(codes: number[], why429: string, queueFills = false): Record<number, JsonSchema> {
  const detail = (description: string, shape: JsonSchema = { type: 'string' }): JsonSchema => ({ description, type: 'object', additionalProperties: true, properties: { detail: shape } });
  const all: Record<number, JsonSchema> = {
    401: detail('no token or key, or one that is not valid'),
    403: detail('the key does not open this walker or node'),
    404: detail('the node is not one of your graph'),
    413: detail('a file, or the number of parts, passed a limit: which one'),
    415: detail('the walker takes files: the body must be multipart/form-data'),
    422: detail('a field is missing or of the wrong type: where and why', { type: 'array', items: { type: 'object', additionalProperties: true } }),
    429: detail(why429),
    500: { ...detail('the walker raised or ran past its budget; the log has the error id'), properties: { detail: { type: 'string' }, error_id: { type: 'string' } } },
    503: { ...detail(`the store cannot be reached; nothing of the run was saved${queueFills ? ", or the server's background queue is full" : ''}: retry later`), properties: { detail: { type: 'string' }, error_id: { type: 'string' } } },
  };
  return Object.fromEntries(codes.map((c) => [c, all[c]]));
}

function objectSchema(fields: FieldManifest[]): JsonSchema {
  return {
    type: 'object',
    properties: Object.fromEntries(fields.map((f) => [f.name, structuredClone(f.schema)])),
    required: fields.filter((f) => !f.hasDefault).map((f) => f.name),
  };
}

export interface WalkerRouteOptions {
  program: ServedApp;
  users: Users;
  runs: WorkerPool;
  keys: WebhookKeys;
  options: AppOptions;
  /** A shared store's counters: failed key attempts then count across every process on it. */
  counters?: SharedCounters;
  /** Where async walkers' jobs go, what runs them, where signed deliveries' log entries are told, and how many each user may queue. */
  jobs: { store: Store; dispatcher: JobDispatcher; told: DeliveryLogBatch; limit: QueueLimit };
  /** The OpenAPI-only options of each walker's operations. */
  extras?: OperationExtras;
}

/** Who a request runs for: the root it runs on, and what it may start at. */
interface Caller {
  rootId: string;
  /** The user it runs for (null: the public root). */
  owner: string | null;
  /** A webhook key's `nodes` restriction (null: none). */
  allowedNodes: string[] | null;
  /** Called once the walker ran for it. */
  used?(): void;
}

/** What a webhook key check left on the request for the handler. */
interface WebhookCheck {
  caller?: Caller;
  /** A signed delivery: what it says of itself, and the fields the server fills from it. */
  delivery?: { event: string | null; id: string | null; keyId: string; fields: Record<string, Json> };
  failure?: HttpError;
  /** The client is over its limit of failed attempts: seconds until it may try again. */
  retryAfter?: number;
}
type CheckedRequest = FastifyRequest & {
  webhook?: WebhookCheck;
  jac?: { walker: string; root: string };
  /** A route that takes files: who calls (known before any file is read), and the file fields' values. */
  caller?: Caller;
  uploads?: Record<string, UploadedFile | UploadedFile[] | null>;
};

function keyIn(request: FastifyRequest, spec: KeyPlacement | { type: 'bearer' }): string | undefined {
  const pick = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined);
  switch (spec.type) {
    case 'bearer': {
      const m = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? '');
      return m ? m[1] : undefined;
    }
    case 'header':
      return pick(request.headers[spec.name.toLowerCase()]);
    case 'query':
      return pick((request.query as Record<string, unknown> | undefined)?.[spec.name]);
    case 'path':
      return pick((request.params as Record<string, unknown> | undefined)?.[spec.name]);
    case 'body':
      return pick((request.body as Record<string, unknown> | undefined)?.[spec.name]);
  }
}

export async function walkerRoutes(app: FastifyInstance, { program, users, runs, keys, options, counters, jobs, extras }: WalkerRouteOptions): Promise<void> {
  // Failed webhook key attempts are counted per client. A client that reached the limit gets 429
  // for every request until its window ends, the right key included, so a guesser cannot learn
  // which guess was right; a request with a good key is never counted, so someone else's guessing
  // cannot slow a correct caller down.
  // With a shared store the counts are shared by every process on it.
  await app.register(rateLimit, { global: false, max: options.maxKeyFailures ?? 10, timeWindow: 60_000, ...(counters ? { store: sharedCounterStore(counters, 'webhook-key') } : {}) });
  const keyFailures = app.createRateLimit();
  const signedRoutes: RouteOptions[] = [];
  const uploadRoutes: RouteOptions[] = [];

  for (const endpoint of program.walkers.values()) {
    if (endpoint.specs.private) continue;
    const webhook = endpoint.specs.webhook;
    const routePath = endpoint.specs.path.replace(/\{([^}]*)\}/g, (_m, name: string) => `:${name}`);
    const entries: ('root' | 'node')[] = endpoint.specs.entryType === 'ROOT' ? ['root'] : endpoint.specs.entryType === 'NODE' ? ['node'] : ['root', 'node'];
    const base = webhook ? '/webhook/walker' : '/walker';

    /** The bearer or public caller of a normal walker route. */
    const bearerCaller = async (request: FastifyRequest): Promise<Caller> => {
      const user = endpoint.specs.auth ? await requireUser(users, request) : null;
      return { rootId: user ? user.root : PUBLIC_ROOT_ID, owner: user ? user.id : null, allowedNodes: null };
    };

    /** A signed delivery refused for its key's owner to see in the log (never its body). */
    const logRejected = (key: KeyRecord, reason: string): void => jobs.told.tell({ record: unverifiedDelivery(key, endpoint.name, reason), repeat: true });

    /** A verified delivery refused before it ran (or was queued), for its key's owner to see in the log. */
    const tellRefused = (owner: string, delivery: NonNullable<WebhookCheck['delivery']>, code: number, reason: string): void =>
      jobs.told.tell({ record: refusedDelivery({ walker: endpoint.name, owner, delivery }, code, reason), repeat: true });

    /** A failed attempt: counted toward the client's limit, then answered `detail` (401). */
    const refuse = async (request: FastifyRequest, detail: string): Promise<WebhookCheck> => {
      const counted = await keyFailures(request);
      if (!counted.isAllowed && counted.isExceeded) return { retryAfter: counted.ttlInSeconds };
      return { failure: new HttpError(401, detail) };
    };

    /** The caller a webhook key names (sent, or signing the delivery), or why there is none. */
    const checkKey = async (request: FastifyRequest): Promise<WebhookCheck> => {
      const over = await keyFailures(request, { increment: false });
      if (!over.isAllowed && over.remaining === 0) return { retryAfter: over.ttlInSeconds };
      let record: KeyRecord | null;
      let delivery: WebhookCheck['delivery'];
      if (webhook!.type === 'signature') {
        // The key is named by id (not a secret); the sender proves itself by the signature.
        const keyId = (request.query as Record<string, unknown> | undefined)?.key_id;
        if (typeof keyId !== 'string' || keyId === '') return refuse(request, 'Not authenticated');
        record = await keys.signingKey(keyId, webhook!.scheme);
        const live = record ? await keys.liveSecrets(record) : null;
        // A sealed secret that does not open was sealed under another master key: only the operator can fix that.
        if (live && live.unopened > 0) request.log.error({ key_id: record!.id, unopened: live.unopened }, 'signing secrets of this key do not open with the master key: was JAC_SERVE_MASTER_KEY set or changed after they were made?');
        const verdict = record ? verifyDelivery(webhook!, live!.secrets, rawDelivery(request).raw, request.headers) : ({ ok: false, detail: 'Unauthorized' } as const);
        if (!verdict.ok) {
          // A key that exists (of this scheme or not, expired or not) has an owner who sees the rejection.
          const known = record ?? (await jobs.store.findKey(keyId));
          if (known) logRejected(known, verdict.detail);
          return refuse(request, verdict.detail);
        }
        if (!record) return refuse(request, 'Unauthorized');
        delivery = { event: verdict.delivery.event, id: verdict.delivery.id, keyId: record.id, fields: deliveryFields(webhook!, verdict.delivery, request, declared) };
      } else {
        const text = keyIn(request, webhook!);
        if (text === undefined) return refuse(request, 'Not authenticated');
        record = await keys.verify(text);
        if (!record) return refuse(request, 'Unauthorized');
      }
      const owner = await users.byId(record.owner);
      if (!owner) return refuse(request, 'Unauthorized');
      if (record.walkers.length > 0 && !record.walkers.includes(endpoint.name)) {
        if (delivery) tellRefused(owner.id, delivery, 403, `the key may not call walker '${endpoint.name}'`);
        return { failure: new HttpError(403, 'Forbidden') };
      }
      const used = record;
      return { caller: { rootId: owner.root, owner: owner.id, allowedNodes: record.nodes.length > 0 ? record.nodes : null, used: () => keys.touch(used) }, delivery };
    };

    // GET and HEAD take every field from the query string; the other methods from the body.
    const bodiless = endpoint.specs.methods.filter((m) => BODILESS.has(m));
    const withBody = endpoint.specs.methods.filter((m) => !BODILESS.has(m));
    const groups = [{ methods: withBody, bodiless: false }, { methods: bodiless, bodiless: true }].filter((g) => g.methods.length > 0);
    const signed = webhook?.type === 'signature' ? webhook : null;
    /** Where an API key travels (header, query, path, body), or null. */
    const placed = keyPlacement(webhook);
    /** Whether a request queues a run (so the queue limit may answer 429). */
    const queuesRuns = (endpoint.isAsync || signed?.ack === 'async') && jobs.limit.refuses;
    /** The server-filled delivery fields this walker declares (signed walkers only). */
    const declared = new Set<string>(signed ? endpoint.fields.map((f) => f.name).filter((n) => (DELIVERY_FIELDS as readonly string[]).includes(n)) : []);
    for (const group of groups) {
      const plan = planFields(endpoint, group.bodiless, declared);
      // With file fields the body is multipart: the schema validates the JSON of its `body` part.
      const uploads = group.bodiless ? null : uploadPlan(plan.body);
      const jsonFields = uploads ? uploads.json : plan.body;
      const bodySchema = objectSchema(jsonFields);
      const inBody = placed?.type === 'body' ? placed : null;
      if (inBody && !group.bodiless) (bodySchema.properties as JsonSchema)[inBody.name] = { type: 'string', description: 'the webhook API key' };
      const needsBody = jsonFields.some((f) => !f.hasDefault);
      const operationSuffix = groups.length > 1 && group.bodiless ? '_get' : '';
      for (const entry of entries) {
        const pathParams = objectSchema(plan.path);
        if (entry === 'node') {
          (pathParams.properties as JsonSchema).node = { type: 'string', description: 'the id of a node of your graph' };
          (pathParams.required as string[]).unshift('node');
        }
        const inPath = placed?.type === 'path' ? placed : null;
        if (inPath) {
          (pathParams.properties as JsonSchema)[inPath.name] = { type: 'string', description: 'the webhook API key' };
          (pathParams.required as string[]).push(inPath.name);
        }
        const url = `${base}/${endpoint.name}${entry === 'node' ? '/:node' : ''}${routePath}`;
        const security = webhook ? (placed?.type === 'header' || placed?.type === 'query' ? [{ [webhookScheme(placed)]: [] }] : webhook.type === 'bearer' ? [{ bearerAuth: [] }] : undefined) : endpoint.specs.auth ? [{ bearerAuth: [] }] : undefined;
        const querystring = objectSchema(plan.query);
        if (signed) (querystring.properties as JsonSchema).key_id = { type: 'string', description: 'the id of the signing key (not a secret)' };
        // `name` in __specs__ names the operation, as in FastAPI (one per route, so suffixed like the default).
        const operationId = endpoint.specs.name !== null ? `${endpoint.specs.name}${entries.length > 1 ? `_${entry}` : ''}${operationSuffix}` : `${webhook ? 'webhook_' : ''}${endpoint.name}_${entry}${operationSuffix}`;
        extras?.add(operationId, endpoint.specs);
        const route: RouteOptions = {
          method: group.methods.map((m) => m.toUpperCase()),
          url,
          schema: {
            tags: endpoint.specs.tags ?? [webhook ? 'Webhook Walker APIs' : 'Walker APIs'],
            summary: endpoint.specs.summary ?? `${endpoint.name}${entry === 'node' ? ' on a node' : ''}`,
            ...(endpoint.specs.description ? { description: endpoint.specs.description } : {}),
            ...(endpoint.specs.deprecated ? { deprecated: true } : {}),
            operationId,
            ...(security ? { security } : {}),
            ...(jsonFields.length > 0 || (inBody && !group.bodiless) ? { body: bodySchema } : {}),
            ...(plan.query.length > 0 || signed ? { querystring } : {}),
            ...((pathParams.required as string[]).length > 0 ? { params: pathParams } : {}),
            response: errorAnswers(
              [
                ...(webhook || endpoint.specs.auth ? [401] : []),
                ...(webhook ? [403] : []),
                ...(entry === 'node' || endpoint.fields.length > 0 ? [404] : []),
                ...(uploads ? [413, 415] : []),
                ...(endpoint.fields.length > 0 || inBody ? [422] : []),
                ...(webhook || queuesRuns ? [429] : []),
                500,
                503,
              ],
              tooMany(Boolean(webhook), queuesRuns, jobs.limit.weighs),
              queuesRuns && jobs.limit.weighs,
            ),
          },
          // A key in the body is required, but its absence must answer 401 rather than 422:
          // it is marked required in the documentation only (see documentedSchema).
          ...(inBody && !group.bodiless ? { config: { documentedRequired: [inBody.name] } } : {}),
          ...(uploads ? { config: { multipartBody: multipartSchema(uploads) } } : {}),
          // A signed delivery's signature is checked before its body is judged: nothing about
          // the walker's fields is told to a caller who cannot sign.
          ...(signed ? { attachValidation: true } : {}),
          preValidation: async (request, reply) => {
            if (webhook) (request as CheckedRequest).webhook = await checkKey(request);
            if (uploads) {
              // The caller is known before any file is read: a request that is refused is not read.
              const checked = request as CheckedRequest;
              if (checked.webhook?.retryAfter !== undefined) return tooManyFailures(reply, checked.webhook.retryAfter);
              if (checked.webhook?.failure) throw checked.webhook.failure;
              if (!webhook) checked.caller = await bearerCaller(request);
              checked.uploads = await takeUploads(request, endpoint.name, uploads, options);
            }
            // A route whose body fields all have defaults can be called with no body at all.
            if (!needsBody && (request.body === undefined || request.body === null)) request.body = {};
          },
          handler: async (request, reply) => {
            let caller: Caller;
            if (webhook) {
              const check = (request as CheckedRequest).webhook!;
              if (check.retryAfter !== undefined) return tooManyFailures(reply, check.retryAfter);
              if (check.failure) throw check.failure;
              caller = check.caller!;
              if (signed) {
                const body = (request.body ?? {}) as Record<string, unknown>;
                // Slack checks the URL once with a signed challenge, answered without a run.
                // One without a challenge string is a bad body, not a delivery for the walker.
                const verifying = signed.scheme === 'slack' && body.type === 'url_verification';
                if (verifying && typeof body.challenge === 'string') return { challenge: body.challenge };
                const problem = rawDelivery(request).problem ?? (verifying ? 'a url_verification without a challenge string' : null);
                const invalid = problem ? new HttpError(422, [{ type: 'json_invalid', loc: ['body'], msg: problem, input: null }]) : request.validationError;
                if (invalid) {
                  tellRefused(caller.owner!, check.delivery!, 422, problem ?? "the body does not fit the walker's fields");
                  throw invalid;
                }
              }
            } else {
              caller = (request as CheckedRequest).caller ?? (await bearerCaller(request));
            }
            (request as CheckedRequest).jac = { walker: endpoint.name, root: caller.rootId };
            const params = (request.params ?? {}) as Record<string, unknown>;
            const body = (request.body ?? {}) as Record<string, unknown>;
            const query = (request.query ?? {}) as Record<string, unknown>;
            const fields: Record<string, unknown> = {};
            for (const f of jsonFields) if (Object.hasOwn(body, f.name)) fields[f.name] = body[f.name];
            Object.assign(fields, (request as CheckedRequest).uploads);
            for (const f of plan.query) if (Object.hasOwn(query, f.name)) fields[f.name] = query[f.name];
            for (const f of plan.path) fields[f.name] = params[f.name];
            Object.assign(fields, (request as CheckedRequest).webhook?.delivery?.fields);
            if (signed?.ack === 'async') {
              // Verified and written durably, then answered at once; the run comes after, in the
              // job queue, retried on the senders' scale. A repeat finds its job and is not queued again.
              const node = entry === 'node' ? String(params.node) : null;
              const delivered = (request as CheckedRequest).webhook!.delivery!;
              if (node !== null && !(await runs.hasNode(caller.rootId, node))) {
                tellRefused(caller.owner!, delivered, 404, 'Node not found');
                throw new HttpError(404, 'Node not found');
              }
              const id = deliveryJobId(endpoint.name, delivered.keyId, signed.dedupeHours > 0 ? delivered.id : null);
              const attempts = (options.deliveryRetryMs ?? DELIVERY_RETRY_MS).length + 1;
              // Logged under the job's id (the dispatcher gives the entry its outcome), in the same
              // write (or transaction) as the job.
              const logged = { walker: endpoint.name, owner: caller.owner!, delivery: delivered, dedupeHours: signed.dedupeHours, node, fields, allowedNodes: caller.allowedNodes, id };
              // A user with too many runs (or too much data) waiting is refused, but a repeat of a
              // delivery queued before is answered as one (a delivery without the sender's id has a
              // new job id: no repeat).
              const stored = storedFields(fields);
              const refused = await jobs.limit.admit(caller.rootId, jsonChars(stored));
              const admitted = refused === null;
              const repeatable = signed.dedupeHours > 0 && delivered.id !== null;
              if (refused && !(repeatable && (await jobs.store.findJob(id)))) {
                // A sender's retries of one refused delivery count on one entry.
                jobs.told.tell({ record: refusedDelivery(logged, refused.status, refused.reason), repeat: true });
                return queueFull(reply, refused, jobs.limit);
              }
              const logEntry = deliveryRecord(logged, id, 'pending', 202, 0, null, stored);
              const queued = await jobs.store.enqueueJob({ id, walker: endpoint.name, root: caller.rootId, owner: caller.owner, node, fields: stored, allowedNodes: caller.allowedNodes, maxAttempts: attempts }, logEntry).then(
                () => true,
                (e: unknown) => {
                  if (admitted) jobs.limit.release(caller.rootId);
                  if (e instanceof StoreError && e.code === 'JAC_STORE_VALUE') return false; // a repeat: its job is there
                  throw e;
                },
              );
              const duplicate = !queued;
              caller.used?.();
              if (duplicate) jobs.told.tell(toldDelivery(logged, 'duplicate', 202, 0, null, stored));
              if (duplicate) reply.header('webhook-duplicate', 'true');
              else jobs.dispatcher.wake();
              return reply.code(202).send({ status: 202, delivery: id });
            }
            if (endpoint.isAsync) {
              // Jac Cloud answers an async walker with its id at once; the run comes after. The
              // entry node is checked now, so a bad one is a 404 to the caller, not a failed job.
              const node = entry === 'node' ? String(params.node) : null;
              if (node !== null && !(await runs.hasNode(caller.rootId, node))) throw new HttpError(404, 'Node not found');
              const stored = storedFields(fields);
              const refused = await jobs.limit.admit(caller.rootId, jsonChars(stored));
              if (refused) return queueFull(reply, refused, jobs.limit);
              const id = newId('w', endpoint.name);
              try {
                await jobs.store.enqueueJob({ id, walker: endpoint.name, root: caller.rootId, owner: caller.owner, node, fields: stored, allowedNodes: caller.allowedNodes, maxAttempts: JOB_ATTEMPTS });
              } catch (e) {
                jobs.limit.release(caller.rootId);
                throw e;
              }
              caller.used?.();
              jobs.dispatcher.wake();
              return reply.code(200).send({ walker_id: id });
            }
            const delivered = (request as CheckedRequest).webhook?.delivery;
            const once = signed && delivered?.id && signed.dedupeHours > 0 ? { record: deliveryRecordId(delivered.keyId, delivered.id), hours: signed.dedupeHours } : undefined;
            const node = entry === 'node' ? String(params.node) : null;
            const started = Date.now();
            const taskRoom = await jobs.limit.room(caller.rootId);
            const answer = await runs.walk({ root: caller.rootId, walker: endpoint.name, node, fields, allowedNodes: caller.allowedNodes, ...(once ? { delivery: once } : {}), ...taskRoom });
            if (await queueTasks(jobs.store, answer, caller.rootId, caller.owner, jobs.limit)) jobs.dispatcher.wake();
            const errorId = answer.status === 500 || answer.status === 503 ? randomUUID() : null;
            if (signed && delivered) {
              const outcome = 'duplicate' in answer && answer.duplicate ? 'duplicate' : answer.status === 200 ? 'ok' : 'failed';
              jobs.told.tell(toldDelivery({ walker: endpoint.name, owner: caller.owner!, delivery: delivered, dedupeHours: signed.dedupeHours, node, fields, allowedNodes: caller.allowedNodes }, outcome, answer.status, Date.now() - started, errorId));
            }
            if (answer.status === 403 || answer.status === 404) throw new HttpError(answer.status, answer.detail);
            caller.used?.();
            if (answer.status === 500 || answer.status === 503) throw Object.assign(new Error(answer.message), { name: answer.name, statusCode: answer.status, errorId });
            if ('body' in answer) {
              if (answer.duplicate) reply.header('webhook-duplicate', 'true');
              return reply.code(answer.code ?? 200).type('application/json; charset=utf-8').send(answer.body);
            }
            throw new Error(`a walk job was answered as another kind of job`);
          },
        };
        if (signed) signedRoutes.push(route);
        else if (uploads) uploadRoutes.push(route);
        else app.route(route);
      }
    }
  }
  // Signed walkers' routes keep each body's raw bytes, in a scope of their own so that every
  // other route keeps Fastify's own parsers.
  if (signedRoutes.length > 0) {
    await app.register(async (scope) => {
      keepRawBodies(scope);
      for (const route of signedRoutes) scope.route(route);
    });
  }
  // Walkers that take files read multipart bodies; the other routes keep answering those 415.
  if (uploadRoutes.length > 0) {
    await app.register(async (scope) => {
      await acceptMultipart(scope, options);
      for (const route of uploadRoutes) scope.route(route);
    });
  }
}

function tooManyFailures(reply: FastifyReply, retryAfter: number) {
  return reply
    .code(429)
    .header('retry-after', String(Math.max(1, retryAfter)))
    .send({ detail: 'Too many failed webhook key attempts; retry later' });
}

function queueFull(reply: FastifyReply, refused: Refusal, limit: QueueLimit) {
  return reply.code(refused.status).header('retry-after', String(limit.retryAfterSeconds)).send({ detail: refused.detail });
}

/** The OpenAPI security scheme of a header or query key placement. */
export function webhookScheme(spec: KeyPlacement): string {
  return `webhook_${spec.type}_${spec.name}`;
}

/**
 * A route's schema as OpenAPI shows it: body properties that a route validates itself (a
 * webhook key in the body) are listed as required there too.
 */
export function documentedSchema<S extends { body?: unknown }>(schema: S, config: unknown): S {
  const multipartBody = (config as { multipartBody?: JsonSchema } | undefined)?.multipartBody;
  if (multipartBody) return { ...schema, body: multipartBody, consumes: ['multipart/form-data'] };
  const required = (config as { documentedRequired?: string[] } | undefined)?.documentedRequired;
  const body = schema?.body as { required?: string[] } | undefined;
  if (!required || !body) return schema;
  return { ...schema, body: { ...body, required: [...new Set([...(body.required ?? []), ...required])] } };
}
