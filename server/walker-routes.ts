// One route per walker endpoint and method (http-api.md §2): the walker's `has` fields are the
// request (JSON body at top level, `as_query` fields from the query string, `{vars}` from the
// path), validated by Fastify from schemas built from their annotations. A request runs the
// walker on the caller's root (or the public one), on the root or on `{node}`, within its budget,
// and answers once the graph's changes are on disk.
import type { FastifyInstance, FastifyRequest, RouteOptions } from 'fastify';
import { PyClass, PyInstance } from '../runtime/interpreter/archetypes.ts';
import { call } from '../runtime/interpreter/protocols.ts';
import type { RunError } from '../runtime/interpreter/run.ts';
import type { Value } from '../runtime/values/value.ts';
import type { AppOptions } from './app.ts';
import { HttpError } from './errors.ts';
import { PUBLIC_ROOT_ID, type RootGraphs } from './graphs.ts';
import type { LoadedApp, WalkerEndpoint, WalkerField } from './loader.ts';
import { jacValue, schemaForType } from './schema.ts';
import { serialize, stringify, type Wire } from './serialize.ts';
import { requireUser } from './user-routes.ts';
import type { Users } from './users.ts';

type JsonSchema = Record<string, unknown>;

/** Where each request field of an endpoint comes from. */
interface FieldPlan {
  body: WalkerField[];
  query: WalkerField[];
  path: WalkerField[];
}

function planFields(e: WalkerEndpoint): FieldPlan {
  const excluded = e.specs.excluded === '*' ? new Set(e.fields.map((f) => f.name)) : new Set(e.specs.excluded);
  const inPath = new Set([...e.specs.path.matchAll(/\{([^}]*)\}/g)].map((m) => m[1]));
  const asQuery = e.specs.asQuery;
  const plan: FieldPlan = { body: [], query: [], path: [] };
  for (const f of e.fields) {
    if (excluded.has(f.name)) continue;
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
  options: AppOptions;
}

/** The log line for a walker that failed: its Jac position and message, never a JS stack. */
function describe(error: RunError): string {
  const where = error.span ? `${error.span.file}:${error.span.line}:${error.span.col}: ` : '';
  const trace = error.trace.length > 0 ? ` (in ${error.trace.join(' < ')})` : '';
  return `${where}${error.type}${error.message ? `: ${error.message}` : ''}${trace}`;
}

export async function walkerRoutes(app: FastifyInstance, { program, users, graphs, options }: WalkerRouteOptions): Promise<void> {
  for (const endpoint of program.walkers.values()) {
    if (endpoint.specs.private || endpoint.specs.webhook) continue; // webhook walkers live under /webhook/walker
    const plan = planFields(endpoint);
    const bodySchema = objectSchema(plan.body, program);
    const needsBody = plan.body.some((f) => !f.hasDefault);
    const routePath = endpoint.specs.path.replace(/\{([^}]*)\}/g, ':$1');
    const entries: ('root' | 'node')[] = endpoint.specs.entryType === 'ROOT' ? ['root'] : endpoint.specs.entryType === 'NODE' ? ['node'] : ['root', 'node'];
    for (const entry of entries) {
      const pathParams = objectSchema(plan.path, program);
      if (entry === 'node') {
        (pathParams.properties as JsonSchema).node = { type: 'string', description: 'the id of a node of your graph' };
        (pathParams.required as string[]).unshift('node');
      }
      const url = `/walker/${endpoint.name}${entry === 'node' ? '/:node' : ''}${routePath}`;
      const route: RouteOptions = {
        method: endpoint.specs.methods.map((m) => m.toUpperCase()),
        url,
        schema: {
          tags: endpoint.specs.tags ?? ['Walker APIs'],
          summary: endpoint.specs.summary ?? `${endpoint.name}${entry === 'node' ? ' on a node' : ''}`,
          ...(endpoint.specs.description ? { description: endpoint.specs.description } : {}),
          ...(endpoint.specs.deprecated ? { deprecated: true } : {}),
          operationId: `${endpoint.name}_${entry}`,
          ...(endpoint.specs.auth ? { security: [{ bearerAuth: [] }] } : {}),
          ...(plan.body.length > 0 ? { body: bodySchema } : {}),
          ...(plan.query.length > 0 ? { querystring: objectSchema(plan.query, program) } : {}),
          ...((pathParams.required as string[]).length > 0 ? { params: pathParams } : {}),
        },
        // A route whose body fields all have defaults can be called with no body at all.
        preValidation: async (request) => {
          if (!needsBody && (request.body === undefined || request.body === null)) request.body = {};
        },
        handler: async (request, reply) => {
          const params = (request.params ?? {}) as Record<string, unknown>;
          const user = endpoint.specs.auth ? await requireUser(users, request) : null;
          const rootId = user ? user.root : PUBLIC_ROOT_ID;
          (request as FastifyRequest & { jac?: unknown }).jac = { walker: endpoint.name, root: rootId };
          const graph = await graphs.get(rootId);
          let at: PyInstance = graph.root;
          if (entry === 'node') {
            const node = graph.node(String(params.node));
            if (!node) throw new HttpError(404, 'Node not found');
            at = node;
          }
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
