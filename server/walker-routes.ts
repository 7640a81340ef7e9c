// One route per walker endpoint and method (http-api.md §2): the walker's `has` fields are the
// request (JSON body at top level, `as_query` fields from the query string, `{vars}` from the
// path), validated by Fastify from schemas built from their annotations. A request runs the
// walker on the caller's root (or the public one), on the root or on `{node}`, within its budget,
// and answers once the graph's changes are on disk.
import type { FastifyInstance, FastifyRequest, RouteOptions } from 'fastify';
import { PyClass, PyInstance } from '../runtime/interpreter/archetypes.ts';
import { call } from '../runtime/interpreter/protocols.ts';
import { errorText, type RunError } from '../runtime/interpreter/run.ts';
import type { Value } from '../runtime/values/value.ts';
import type { AppOptions } from './app.ts';
import { HttpError } from './errors.ts';
import { PUBLIC_ROOT_ID, type RootGraphs } from './graphs.ts';
import type { LoadedApp, WalkerEndpoint, WalkerField } from './loader.ts';
import { jacValue, schemaForType } from './schema.ts';
import { serialize, stringify, type Wire } from './serialize.ts';
import { requireUser } from './user-routes.ts';
import type { Users } from './users.ts';
import type { WebhookKeys } from './webhook-keys.ts';
import { isExcluded, pathVariables, type WebhookSpec } from './specs.ts';
import rateLimit from '@fastify/rate-limit';

type JsonSchema = Record<string, unknown>;

/** Where each request field of an endpoint comes from. */
interface FieldPlan {
  body: WalkerField[];
  query: WalkerField[];
  path: WalkerField[];
}

function planFields(e: WalkerEndpoint): FieldPlan {
  const inPath = new Set(pathVariables(e.specs.path));
  const asQuery = e.specs.asQuery;
  const plan: FieldPlan = { body: [], query: [], path: [] };
  for (const f of e.fields) {
    if (isExcluded(e.specs, f.name)) continue;
    if (inPath.has(f.name)) plan.path.push(f);
    else if (asQuery === '*' || asQuery.includes(f.name)) plan.query.push(f);
    else plan.body.push(f);
  }
  return plan;
}

function objectSchema(fields: WalkerField[], program: LoadedApp): JsonSchema {
  return {
    type: 'object',
    properties: Object.fromEntries(fields.map((f) => [f.name, schemaForType(f.type, program.resolveType, program.declarationOf)])),
    required: fields.filter((f) => !f.hasDefault).map((f) => f.name),
  };
}

export interface WalkerRouteOptions {
  program: LoadedApp;
  users: Users;
  graphs: RootGraphs;
  keys: WebhookKeys;
  options: AppOptions;
}

/** The log line for a walker that failed: its Jac position and message, never a JS stack. */
function describe(error: RunError): string {
  const where = error.span ? `${error.span.file}:${error.span.line}:${error.span.col}: ` : '';
  const trace = error.trace.length > 0 ? ` (in ${error.trace.join(' < ')})` : '';
  return `${where}${errorText(error)}${trace}`;
}

/** Who a request runs for: the root it runs on, and what it may start at. */
interface Caller {
  rootId: string;
  /** Throws 403 when the caller may not start the walker at this node. */
  mayStartAt(node: PyInstance): void;
  /** Called once the walker ran for it. */
  used?(): void;
}

/** What a webhook key check left on the request, for the rate limit and the handler. */
interface WebhookCheck {
  ok: boolean;
  caller?: Caller;
  failure?: HttpError;
}
type CheckedRequest = FastifyRequest & { webhook?: WebhookCheck; jac?: { walker: string; root: string } };

/** The request field that carries a webhook key, and its name in the route. */
const KEY_PARAM = 'webhook_key';

function keyIn(request: FastifyRequest, spec: WebhookSpec): string | undefined {
  const pick = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined);
  switch (spec.type) {
    case 'header':
      return pick(request.headers[spec.name.toLowerCase()]);
    case 'query':
      return pick((request.query as Record<string, unknown> | undefined)?.[spec.name]);
    case 'path':
      return pick((request.params as Record<string, unknown> | undefined)?.[KEY_PARAM]);
    case 'body':
      return pick((request.body as Record<string, unknown> | undefined)?.[spec.name]);
  }
}

/** Whether a key restricted to `nodes` (type names, "root", node ids) may start at `node`. */
function nodeAllowed(nodes: string[], node: PyInstance, isRoot: boolean): boolean {
  return nodes.length === 0 || nodes.some((n) => (n === 'root' ? isRoot : n === node.id || (!isRoot && n === node.cls.name)));
}

export async function walkerRoutes(app: FastifyInstance, { program, users, graphs, keys, options }: WalkerRouteOptions): Promise<void> {
  // Failed webhook key attempts are limited per client; a request with a good key is never
  // counted, so someone else's guessing cannot slow a correct caller down.
  await app.register(rateLimit, {
    global: false,
    hook: 'preHandler',
    max: options.maxKeyFailures ?? 10,
    timeWindow: 60_000,
    allowList: (request) => (request as CheckedRequest).webhook?.ok === true,
    errorResponseBuilder: () => new HttpError(429, 'Too many failed webhook key attempts; retry later'),
  });

  for (const endpoint of program.walkers.values()) {
    if (endpoint.specs.private) continue;
    const webhook = endpoint.specs.webhook;
    const plan = planFields(endpoint);
    const bodySchema = objectSchema(plan.body, program);
    if (webhook?.type === 'body') (bodySchema.properties as JsonSchema)[webhook.name] = { type: 'string', description: 'the webhook API key' };
    const needsBody = plan.body.some((f) => !f.hasDefault);
    const routePath = endpoint.specs.path.replace(/\{([^}]*)\}/g, (_m, name: string) => (webhook?.type === 'path' && name === webhook.name ? `:${KEY_PARAM}` : `:${name}`));
    const entries: ('root' | 'node')[] = endpoint.specs.entryType === 'ROOT' ? ['root'] : endpoint.specs.entryType === 'NODE' ? ['node'] : ['root', 'node'];
    const base = webhook ? '/webhook/walker' : '/walker';

    /** The bearer or public caller of a normal walker route. */
    const bearerCaller = async (request: FastifyRequest): Promise<Caller> => {
      const user = endpoint.specs.auth ? await requireUser(users, request) : null;
      return { rootId: user ? user.root : PUBLIC_ROOT_ID, mayStartAt: () => undefined };
    };

    /** Checks a webhook key before validation; the handler answers 401 for a failed check. */
    const checkKey = async (request: FastifyRequest): Promise<WebhookCheck> => {
      const text = keyIn(request, webhook!);
      if (text === undefined) return { ok: false, failure: new HttpError(401, 'Not authenticated') };
      const record = await keys.verify(text);
      const owner = record ? await users.byId(record.owner) : null;
      if (!record || !owner) return { ok: false, failure: new HttpError(401, 'Unauthorized') };
      const forbidden = new HttpError(403, 'Forbidden');
      if (record.walkers.length > 0 && !record.walkers.includes(endpoint.name)) return { ok: true, failure: forbidden };
      return {
        ok: true,
        caller: {
          rootId: owner.root,
          mayStartAt: (node) => {
            if (!nodeAllowed(record.nodes, node, node.id === owner.root)) throw forbidden;
          },
          used: () => keys.touch(record),
        },
      };
    };

    for (const entry of entries) {
      const pathParams = objectSchema(plan.path, program);
      if (entry === 'node') {
        (pathParams.properties as JsonSchema).node = { type: 'string', description: 'the id of a node of your graph' };
        (pathParams.required as string[]).unshift('node');
      }
      if (webhook?.type === 'path') {
        (pathParams.properties as JsonSchema)[KEY_PARAM] = { type: 'string', description: 'the webhook API key' };
        (pathParams.required as string[]).push(KEY_PARAM);
      }
      const url = `${base}/${endpoint.name}${entry === 'node' ? '/:node' : ''}${routePath}`;
      const security = webhook ? (webhook.type === 'header' || webhook.type === 'query' ? [{ [webhookScheme(webhook)]: [] }] : undefined) : endpoint.specs.auth ? [{ bearerAuth: [] }] : undefined;
      const route: RouteOptions = {
        method: endpoint.specs.methods.map((m) => m.toUpperCase()),
        url,
        schema: {
          tags: endpoint.specs.tags ?? [webhook ? 'Webhook Walker APIs' : 'Walker APIs'],
          summary: endpoint.specs.summary ?? `${endpoint.name}${entry === 'node' ? ' on a node' : ''}`,
          ...(endpoint.specs.description ? { description: endpoint.specs.description } : {}),
          ...(endpoint.specs.deprecated ? { deprecated: true } : {}),
          operationId: `${webhook ? 'webhook_' : ''}${endpoint.name}_${entry}`,
          ...(security ? { security } : {}),
          ...(plan.body.length > 0 || webhook?.type === 'body' ? { body: bodySchema } : {}),
          ...(plan.query.length > 0 ? { querystring: objectSchema(plan.query, program) } : {}),
          ...((pathParams.required as string[]).length > 0 ? { params: pathParams } : {}),
        },
        ...(webhook ? { config: { rateLimit: {} } } : {}),
        preValidation: async (request) => {
          // A route whose body fields all have defaults can be called with no body at all.
          if (!needsBody && (request.body === undefined || request.body === null)) request.body = {};
          if (webhook) (request as CheckedRequest).webhook = await checkKey(request);
        },
        handler: async (request, reply) => {
          const params = (request.params ?? {}) as Record<string, unknown>;
          let caller: Caller;
          if (webhook) {
            const check = (request as CheckedRequest).webhook!;
            if (check.failure) throw check.failure;
            caller = check.caller!;
          } else {
            caller = await bearerCaller(request);
          }
          (request as CheckedRequest).jac = { walker: endpoint.name, root: caller.rootId };
          const graph = await graphs.get(caller.rootId);
          let at: PyInstance = graph.root;
          if (entry === 'node') {
            const node = graph.node(String(params.node));
            if (!node) throw new HttpError(404, 'Node not found');
            at = node;
          }
          caller.mayStartAt(at);
          const given = new Map<WalkerField, unknown>();
          const body = (request.body ?? {}) as Record<string, unknown>;
          const query = (request.query ?? {}) as Record<string, unknown>;
          for (const f of plan.body) if (Object.hasOwn(body, f.name)) given.set(f, body[f.name]);
          for (const f of plan.query) if (Object.hasOwn(query, f.name)) given.set(f, query[f.name]);
          for (const f of plan.path) given.set(f, params[f.name]);
          const construct = (cls: PyClass, fields: Map<string, Value>) => call(cls, [], fields);
          const outcome = endpoint.program.run(graph.root, { maxSteps: options.maxSteps, maxMillis: options.maxMillis ?? 30_000 }, () => {
            const kwargs = new Map<string, Value>();
            for (const [f, json] of given) kwargs.set(f.name, jacValue(json, f.type, program.resolveType, construct, program.declarationOf));
            const walker = call(endpoint.cls, [], kwargs) as PyInstance;
            endpoint.program.spawn(walker, at);
            return walker;
          });
          caller.used?.();
          // What the walker changed is kept even when it failed, as Jac Cloud keeps it.
          await graph.commit();
          if (outcome.error) {
            const error = new Error(describe(outcome.error));
            error.name = outcome.error.type === 'BudgetExhausted' ? 'WalkerBudgetExhausted' : 'WalkerError';
            throw error;
          }
          const envelope: { [key: string]: Wire } = { status: 200 };
          if (outcome.reports.length > 0) envelope.reports = outcome.reports.map(serialize);
          if (options.showReturns) envelope.returns = (outcome.value?.returns ?? []).map(serialize);
          return reply.code(200).type('application/json; charset=utf-8').send(stringify(envelope));
        },
      };
      app.route(route);
    }
  }
}

/** The OpenAPI security scheme of a header or query key placement. */
export function webhookScheme(spec: WebhookSpec): string {
  return `webhook_${spec.type}_${spec.name}`;
}
