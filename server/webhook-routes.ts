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
import { importedSecretProblem, INTERVAL_MS, type Interval, keyPreview, type WebhookKeys } from './webhook-keys.ts';
import { SCHEMES, type Scheme } from './webhooks/signatures.ts';
import type { WorkerPool } from './workers/pool.ts';
import { rootIdOf } from '../runtime/store/ids.ts';

export interface WebhookRouteOptions {
  program: ServedApp;
  users: Users;
  runs: WorkerPool;
  keys: WebhookKeys;
  /** The longest a key may live, days (default 365). */
  maxLifetimeDays: number;
  /** The most keys one user may hold (0: no limit). */
  maxKeysPerUser: number;
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

/**
 * 422 items for `walkers` entries that are not webhook walkers of the program a key can call: a
 * signing key (`scheme`) calls the signed walkers of its scheme, an API key the others.
 */
export function walkerProblems(program: ProgramTypes, walkers: string[], scheme: string | null = null): DetailItem[] {
  return walkers.flatMap((name, i) => {
    if (!isWebhookWalker(program, name)) {
      const why = program.walkers.has(name) ? `walker '${name}' is not a webhook walker` : `no webhook walker named '${name}' is loaded`;
      return [valueError(['body', 'walkers', i], why, name)];
    }
    const spec = program.walkers.get(name)!.specs.webhook!;
    const signed = spec.type === 'signature' ? spec.scheme : null;
    if (signed === scheme) return [];
    const why = signed === null ? `walker '${name}' takes an API key, not a ${scheme} signature` : scheme === null ? `walker '${name}' is signed by ${signed}: its key is a signing key ("signing": {"scheme": "${signed}"})` : `walker '${name}' is signed by ${signed}, not ${scheme}`;
    return [valueError(['body', 'walkers', i], why, name)];
  });
}

/** The path a signing key's deliveries go to: its walker's route when it names one, with the key id. */
function signedUrl(program: ProgramTypes, walkers: string[], scheme: string, keyId: string): string {
  const named = walkers.length > 0 ? walkers : [...program.walkers.values()].filter((w) => w.specs.webhook?.type === 'signature' && w.specs.webhook.scheme === scheme && !w.specs.private).map((w) => w.name);
  return `/webhook/walker/${named.length === 1 ? named[0] : '<walker>'}?key_id=${keyId}`;
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

/**
 * Why `name` cannot name a key, or null: a control character (a NUL among them, which PostgreSQL
 * cannot store) has no place in a name that lists and logs show.
 */
export function nameProblem(name: string): string | null {
  return /[\u0000-\u001f\u007f]/.test(name) ? 'a key name may not hold control characters (such as NUL, tab or newline)' : null;
}

/**
 * Why `owner` may not have another key called `name`, or null: names are unique per owner (§6.1,
 * 'taken'), and an owner holds at most `maxKeys` keys (0: no limit; past it, how many it holds).
 */
export async function newKeyProblem(keys: WebhookKeys, owner: UserRecord, name: string, maxKeys: number): Promise<'taken' | { held: number } | null> {
  const held = await keys.list(owner);
  if (held.some((k) => k.name === name)) return 'taken';
  if (maxKeys > 0 && held.length >= maxKeys) return { held: held.length };
  return null;
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

const signingSchema = {
  type: 'object',
  description: 'a key that verifies a sender\'s signatures: the sender\'s scheme, and its secret (imported) or none (made here, shown once)',
  properties: {
    scheme: { type: 'string', enum: [...SCHEMES] },
    secret: { type: 'string', minLength: 1, maxLength: 512 },
  },
  required: ['scheme'],
  additionalProperties: false,
} as const;

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
      signing: signingSchema,
    },
    required: ['name'],
  },
  response: {
    201: {
      description: 'Created; keep the key (or, for a signing key, the secret): it is not shown again',
      type: 'object',
      properties: {
        id: { type: 'string' },
        name: { type: 'string' },
        key: { type: 'string', description: 'the API key (not for a signing key)' },
        scheme: { type: 'string' },
        secret: { type: 'string', description: 'a signing key\'s secret, to give the sender' },
        url: { type: 'string', description: 'the path to give the sender, with the key id' },
      },
      required: ['id', 'name'],
    },
    401: unauthorized,
    409: { description: 'You already have a key with this name', ...detail },
    422: { ...validationError, description: 'A rule of the key is broken, or you hold the most keys one user may (--max-keys-per-user)' },
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
              scheme: { type: 'string' },
              secrets: {
                type: 'array',
                items: { type: 'object', properties: { preview: { type: 'string' }, created_at: { type: 'string' }, retires_at: { type: ['string', 'null'] } } },
              },
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

const rotateSchema = {
  tags: TAGS,
  security,
  summary: "Rotate a signing key's secret: a new one (made here, or imported), the old ones valid for grace_hours more",
  params: { type: 'object', properties: { id: { type: 'string' } }, required: ['id'] },
  body: {
    type: ['object', 'null'],
    properties: { secret: { type: 'string', minLength: 1, maxLength: 512 }, grace_hours: { type: 'number', minimum: 0, maximum: 720 } },
    additionalProperties: false,
  },
  response: {
    200: {
      description: 'Rotated; a made secret is shown only in this answer',
      type: 'object',
      properties: { id: { type: 'string' }, scheme: { type: 'string' }, secret: { type: 'string' }, previous_retire_at: { type: ['string', 'null'] } },
    },
    401: unauthorized,
    404: notFound,
    422: validationError,
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
  signing?: { scheme: Scheme; secret?: string };
}

/** A key as listed: everything but the secret (and its hash). */
function listed(keys: WebhookKeys, owner: UserRecord, k: KeyRecord) {
  const signing = k.signing ? { scheme: k.signing.scheme, secrets: k.signing.secrets.map((s) => ({ preview: `${s.preview}…`, created_at: s.createdAt, retires_at: s.retiresAt })) } : {};
  return { id: k.id, name: k.name, root_id: rootIdOf(owner.root), walkers: k.walkers, nodes: k.nodes, expiration: k.expiresAt, created_at: k.createdAt, last_used_at: keys.lastUsedAt(k), key_preview: keyPreview(k), ...signing };
}

// ---- Routes ----

export async function webhookRoutes(app: FastifyInstance, options: WebhookRouteOptions): Promise<void> {
  const { program, users, runs, keys, maxLifetimeDays, maxKeysPerUser } = options;
  // Creations run one at a time, so two requests with one name cannot both pass the name check.
  let creating: Promise<unknown> = Promise.resolve();
  // The caller is checked before the body (as FastAPI does): no token is a 401, never a 422.
  const owners = new WeakMap<FastifyRequest, UserRecord>();
  const preValidation = async (request: FastifyRequest) => void owners.set(request, await requireUser(users, request));
  const ownerOf = (request: FastifyRequest) => owners.get(request)!;

  app.post<{ Body: GenerateBody }>('/webhook/generate-key', { schema: generateSchema, preValidation }, async (request, reply) => {
    const owner = ownerOf(request);
    // The validator does not apply schema defaults: they are applied here.
    const { name, walkers = [], nodes = [], signing } = request.body;
    const expiration = { count: request.body.expiration?.count ?? DEFAULT_EXPIRATION.count, interval: request.body.expiration?.interval ?? DEFAULT_EXPIRATION.interval };
    const isOwnNode = (id: string) => runs.hasNode(owner.root, id);
    const now = Date.now();
    const expiresAt = now + durationMs(expiration.count, expiration.interval);
    const lifetime = lifetimeProblem(expiresAt, now, maxLifetimeDays, ['body', 'expiration'], expiration);
    const secretProblem = signing?.secret === undefined ? null : importedSecretProblem(signing.scheme, signing.secret);
    const badName = nameProblem(name);
    const problems = [
      ...(badName ? [valueError(['body', 'name'], badName, name)] : []),
      ...walkerProblems(program, walkers, signing?.scheme ?? null),
      ...(await nodeProblems(program, nodes, isOwnNode)),
      ...(lifetime ? [lifetime] : []),
      ...(secretProblem ? [valueError(['body', 'signing', 'secret'], secretProblem, '…')] : []),
    ];
    if (problems.length > 0) throw new HttpError(422, problems);

    const created = creating.then(async () => {
      const problem = await newKeyProblem(keys, owner, name, maxKeysPerUser);
      if (problem === 'taken') throw new HttpError(409, `You already have a key named ${JSON.stringify(name)}`);
      if (problem) throw new HttpError(422, [valueError(['body'], `you hold ${problem.held} keys, the most one user may (${maxKeysPerUser}): delete one before creating another`, { name })]);
      const fields = { name, walkers, nodes, expiresAt: new Date(expiresAt) };
      if (!signing) return { ...(await keys.create(owner, fields, now)), secret: undefined };
      return { ...(await keys.createSigning(owner, fields, signing.scheme, signing.secret, now)), key: undefined };
    });
    creating = created.catch(() => undefined);
    const { record, key, secret } = await created;
    if (!signing) return reply.code(201).send({ id: record.id, name: record.name, key });
    // An imported secret is the sender's own: it is not echoed back.
    return reply.code(201).send({ id: record.id, name: record.name, scheme: signing.scheme, ...(signing.secret === undefined ? { secret } : {}), url: signedUrl(program, walkers, signing.scheme, record.id) });
  });

  app.post<{ Params: { id: string }; Body: { secret?: string; grace_hours?: number } }>('/webhook/rotate/:id', { schema: rotateSchema, preValidation }, async (request) => {
    const owner = ownerOf(request);
    const record = await keys.owned(owner, request.params.id);
    if (!record) throw new HttpError(404, 'Key not found');
    if (!record.signing) throw new HttpError(422, [valueError(['path', 'id'], 'only a signing key has a secret to rotate; an API key is replaced by a new key', request.params.id)]);
    const imported = request.body?.secret;
    const problem = imported === undefined ? null : importedSecretProblem(record.signing.scheme as Scheme, imported);
    if (problem) throw new HttpError(422, [valueError(['body', 'secret'], problem, '…')]);
    const graceHours = request.body?.grace_hours ?? 24;
    const { record: rotated, secret } = await keys.rotate(record, imported, graceHours * 3_600_000);
    const retiring = rotated.signing!.secrets.slice(1).map((s) => s.retiresAt);
    return { id: rotated.id, scheme: rotated.signing!.scheme, ...(imported === undefined ? { secret } : {}), previous_retire_at: retiring[0] ?? null };
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
