// Webhook key management (http-api.md §6.1-§6.4): a user creates, lists, extends and deletes the
// API keys that call their webhook walkers. Ajv checks the shapes from the schemas below; what a
// schema cannot know (is this a loaded webhook walker, a node of the caller's graph, a lifetime
// within the maximum) is checked here and answered with 422 in the same FastAPI `detail` shape.
// The rules are exported so the operator CLI (cli/keys.ts) applies exactly the same ones.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { KeyRecord, UserRecord } from '../runtime/store/store.ts';
import { type DetailItem, HttpError, detailBody, messageBody, validationErrorBody } from './errors.ts';
import type { ServedApp } from './manifest.ts';
import { requireUser } from './user-routes.ts';
import type { Users } from './users.ts';
import { INTERVAL_MS, type Interval, keyPreview, type WebhookKeys } from './webhook-keys.ts';
import type { WorkerPool } from './workers/pool.ts';
import { rootIdOf } from '../runtime/store/ids.ts';

export interface WebhookRouteOptions {
  program: ServedApp;
  users: Users;
  runs: WorkerPool;
  keys: WebhookKeys;
  /** The longest a key may live, days (default 365). */
  maxLifetimeDays: number;
}

// ---- The rules (shared with the CLI) ----

/** Jac Cloud's defaults: a key for every webhook walker and node, living 60 days. */
export const DEFAULT_EXPIRATION = { count: 60, interval: 'days' as Interval };
const DAY_MS = INTERVAL_MS.days;

/** What the rules need to know of the program. */
export type ProgramTypes = Pick<ServedApp, 'walkers' | 'isNodeType'>;

/** Whether `name` is a walker a webhook key can call: loaded, served, and a webhook walker. */
export function isWebhookWalker(program: ProgramTypes, name: string): boolean {
  const endpoint = program.walkers.get(name);
  return endpoint !== undefined && endpoint.specs.webhook !== null && !endpoint.specs.private;
}

const valueError = (loc: (string | number)[], msg: string, input: unknown): DetailItem => ({ type: 'value_error', loc, msg: `Value error, ${msg}`, input });

/** 422 items for `walkers` entries that are not webhook walkers of the program. */
export function walkerProblems(program: ProgramTypes, walkers: string[]): DetailItem[] {
  return walkers.flatMap((name, i) => {
    if (isWebhookWalker(program, name)) return [];
    const why = program.walkers.has(name) ? `walker '${name}' is not a webhook walker` : `no webhook walker named '${name}' is loaded`;
    return [valueError(['body', 'walkers', i], why, name)];
  });
}

/**
 * 422 items for `nodes` entries that are neither "root", a node type of the program, nor a node
 * of the caller's graph (`isOwnNode`, asked only when the cheaper checks fail).
 */
export async function nodeProblems(program: ProgramTypes, nodes: string[], isOwnNode: (id: string) => Promise<boolean>): Promise<DetailItem[]> {
  const problems: DetailItem[] = [];
  for (const [i, entry] of nodes.entries()) {
    if (entry === 'root' || program.isNodeType(entry) || (await isOwnNode(entry))) continue;
    problems.push(valueError(['body', 'nodes', i], `'${entry}' is not "root", a node type of this app, or a node of your graph`, entry));
  }
  return problems;
}

/** A 422 item when a key would expire more than `maxLifetimeDays` from now, else null. */
export function lifetimeProblem(expiresAt: number, now: number, maxLifetimeDays: number, loc: (string | number)[], input: unknown): DetailItem | null {
  if (expiresAt - now <= maxLifetimeDays * DAY_MS) return null;
  return valueError(loc, `a key may live at most ${maxLifetimeDays} days from now`, input);
}

/** count·interval in milliseconds. */
export const durationMs = (count: number, interval: Interval) => count * INTERVAL_MS[interval];

/** Whether `owner` already has a key called `name` (names are unique per owner, §6.1). */
export async function nameTaken(keys: WebhookKeys, owner: UserRecord, name: string): Promise<boolean> {
  return (await keys.list(owner)).some((k) => k.name === name);
}

// ---- Schemas ----

const TAGS = ['Webhook APIs'];
const security = [{ bearerAuth: [] }];

const message = messageBody;
const detail = detailBody;
const unauthorized = { description: 'No bearer token, or a bad one', ...detail };
const notFound = { description: 'No key of yours has this id', ...detail };

const validationError = validationErrorBody;

const intervalSchema = { type: 'string', enum: ['seconds', 'minutes', 'hours', 'days'] } as const;
const countSchema = { type: 'integer', minimum: 1 } as const;

const generateSchema = {
  tags: TAGS,
  security,
  summary: 'Create a webhook API key (the key is shown only in this answer)',
  body: {
    type: 'object',
    properties: {
      name: { type: 'string', minLength: 1, maxLength: 100, description: 'unique among your keys' },
      walkers: { type: 'array', items: { type: 'string' }, default: [], description: 'webhook walkers the key may call; empty: all' },
      nodes: { type: 'array', items: { type: 'string' }, default: [], description: '"root", node type names or node ids the key may start at; empty: any' },
      expiration: {
        type: 'object',
        properties: { count: { ...countSchema, default: DEFAULT_EXPIRATION.count }, interval: { ...intervalSchema, default: DEFAULT_EXPIRATION.interval } },
        default: DEFAULT_EXPIRATION,
      },
    },
    required: ['name'],
  },
  response: {
    201: {
      description: 'Created; keep the key, it is not shown again',
      type: 'object',
      properties: { id: { type: 'string' }, name: { type: 'string' }, key: { type: 'string' } },
      required: ['id', 'name', 'key'],
    },
    401: unauthorized,
    409: { description: 'You already have a key with this name', ...detail },
    422: validationError,
  },
} as const;

const listSchema = {
  tags: TAGS,
  security,
  summary: 'Your webhook API keys (never the keys themselves)',
  response: {
    200: {
      description: 'Your keys',
      type: 'object',
      properties: {
        keys: {
          type: 'array',
          items: {
            type: 'object',
            properties: {
              id: { type: 'string' },
              name: { type: 'string' },
              root_id: { type: 'string' },
              walkers: { type: 'array', items: { type: 'string' } },
              nodes: { type: 'array', items: { type: 'string' } },
              expiration: { type: 'string', format: 'date-time' },
              created_at: { type: 'string', format: 'date-time' },
              last_used_at: { type: ['string', 'null'], format: 'date-time' },
              key_preview: { type: 'string' },
            },
            required: ['id', 'name', 'root_id', 'walkers', 'nodes', 'expiration', 'created_at', 'last_used_at', 'key_preview'],
          },
        },
      },
      required: ['keys'],
    },
    401: unauthorized,
  },
} as const;

const extendSchema = {
  tags: TAGS,
  security,
  summary: "Extend a key's expiration (from now, or from its expiration if that is later)",
  params: { type: 'object', properties: { id: { type: 'string' } }, required: ['id'] },
  body: { type: 'object', properties: { count: countSchema, interval: intervalSchema }, required: ['count', 'interval'] },
  response: { 200: { description: 'Extended', ...message }, 401: unauthorized, 404: notFound, 422: validationError },
} as const;

const deleteSchema = {
  tags: TAGS,
  security,
  summary: 'Delete keys: all of them, or none if any id is not one of yours',
  body: { type: 'object', properties: { ids: { type: 'array', items: { type: 'string' }, minItems: 1 } }, required: ['ids'] },
  response: { 200: { description: 'Deleted', ...message }, 401: unauthorized, 404: notFound, 422: validationError },
} as const;

interface GenerateBody {
  name: string;
  walkers?: string[];
  nodes?: string[];
  expiration?: { count?: number; interval?: Interval };
}

/** A key as listed: everything but the secret (and its hash). */
function listed(keys: WebhookKeys, owner: UserRecord, k: KeyRecord) {
  return { id: k.id, name: k.name, root_id: rootIdOf(owner.root), walkers: k.walkers, nodes: k.nodes, expiration: k.expiresAt, created_at: k.createdAt, last_used_at: keys.lastUsedAt(k), key_preview: keyPreview(k.id) };
}

// ---- Routes ----

export async function webhookRoutes(app: FastifyInstance, options: WebhookRouteOptions): Promise<void> {
  const { program, users, runs, keys, maxLifetimeDays } = options;
  // Creations run one at a time, so two requests with one name cannot both pass the name check.
  let creating: Promise<unknown> = Promise.resolve();
  // The caller is checked before the body (as FastAPI does): no token is a 401, never a 422.
  const owners = new WeakMap<FastifyRequest, UserRecord>();
  const preValidation = async (request: FastifyRequest) => void owners.set(request, await requireUser(users, request));
  const ownerOf = (request: FastifyRequest) => owners.get(request)!;

  app.post<{ Body: GenerateBody }>('/webhook/generate-key', { schema: generateSchema, preValidation }, async (request, reply) => {
    const owner = ownerOf(request);
    // The validator does not apply schema defaults: they are applied here.
    const { name, walkers = [], nodes = [] } = request.body;
    const expiration = { count: request.body.expiration?.count ?? DEFAULT_EXPIRATION.count, interval: request.body.expiration?.interval ?? DEFAULT_EXPIRATION.interval };
    const isOwnNode = (id: string) => runs.hasNode(owner.root, id);
    const now = Date.now();
    const expiresAt = now + durationMs(expiration.count, expiration.interval);
    const lifetime = lifetimeProblem(expiresAt, now, maxLifetimeDays, ['body', 'expiration'], expiration);
    const problems = [...walkerProblems(program, walkers), ...(await nodeProblems(program, nodes, isOwnNode)), ...(lifetime ? [lifetime] : [])];
    if (problems.length > 0) throw new HttpError(422, problems);

    const created = creating.then(async () => {
      if (await nameTaken(keys, owner, name)) throw new HttpError(409, `You already have a key named ${JSON.stringify(name)}`);
      return keys.create(owner, { name, walkers, nodes, expiresAt: new Date(expiresAt) }, now);
    });
    creating = created.catch(() => undefined);
    const { record, key } = await created;
    return reply.code(201).send({ id: record.id, name: record.name, key });
  });

  app.get('/webhook', { schema: listSchema, preValidation }, async (request) => {
    const owner = ownerOf(request);
    return { keys: (await keys.list(owner)).map((k) => listed(keys, owner, k)) };
  });

  app.patch<{ Params: { id: string }; Body: { count: number; interval: Interval } }>('/webhook/extend/:id', { schema: extendSchema, preValidation }, async (request) => {
    const owner = ownerOf(request);
    const record = await keys.owned(owner, request.params.id);
    if (!record) throw new HttpError(404, 'Key not found');
    const by = durationMs(request.body.count, request.body.interval);
    const now = Date.now();
    const expiresAt = Math.max(now, Date.parse(record.expiresAt)) + by;
    const lifetime = lifetimeProblem(expiresAt, now, maxLifetimeDays, ['body', 'count'], request.body.count);
    if (lifetime) throw new HttpError(422, [lifetime]);
    await keys.extend(record, by, now);
    return { message: 'Successfully Extended!' };
  });

  app.delete<{ Body: { ids: string[] } }>('/webhook/delete', { schema: deleteSchema, preValidation }, async (request) => {
    const owner = ownerOf(request);
    const ids = [...new Set(request.body.ids)];
    // All or nothing: every id must be one of the caller's keys before any is deleted.
    const found = await Promise.all(ids.map((id) => keys.owned(owner, id)));
    if (found.some((k) => k === null)) throw new HttpError(404, 'Key not found');
    await keys.delete(ids);
    return { message: 'Successfully Deleted!' };
  });
}
