// A walker's endpoint configuration, read from its `class __specs__ { has ... }` or
// `obj __specs__ { static has ... }` with Jac Cloud's option names and defaults
// (jac-cloud-reference.md §3). A key jac-serve does not know, or a value of the wrong type, is a
// load error at the option's line, so a typo never silently changes an endpoint.
import type * as A from '../grammar/ast.ts';
import { repr } from '../runtime/values/repr.ts';
import type { Value } from '../runtime/values/value.ts';
import { PyClass } from '../runtime/interpreter/archetypes.ts';
import { PyFunction } from '../runtime/interpreter/callables.ts';
import { readSchedule, type ScheduleSpec } from './schedule/schedule-spec.ts';
import { DELIVERY_FIELDS, keyPlacement, readWebhook, type WebhookSpec } from './webhooks/webhook-spec.ts';
import { PyDict } from '../runtime/values/containers.ts';
import type { Json } from '../runtime/store/store.ts';
import { literalJson } from './literal-json.ts';

/** FastAPI's `responses`: {status: {"description": ..., ...}}, keys ints or strings. */
function readResponses(v: Value, fail: (why: string) => never): Record<string, Json> {
  if (!(v instanceof PyDict)) return fail(`must be a dict like {404: {"description": "not found"}}, not ${repr(v)}`);
  const out: Record<string, Json> = {};
  for (const [k, x] of v.items()) {
    const code = typeof k === 'number' ? String(k) : typeof k === 'string' && /^(\d{3}|default|[1-5]XX)$/.test(k) ? k : fail(`has the key ${repr(k)}: keys are HTTP statuses`);
    const answer = literalJson(x, fail);
    out[code] = typeof answer === 'object' && answer !== null && !Array.isArray(answer) ? answer : fail(`${code} must be a dict like {"description": "..."}`);
  }
  return out;
}

export const HTTP_METHODS = ['get', 'post', 'put', 'patch', 'delete', 'head', 'options', 'trace'] as const;
export type HttpMethod = (typeof HTTP_METHODS)[number];

export type { WebhookSpec } from './webhooks/webhook-spec.ts';

export interface WalkerSpecs {
  path: string;
  methods: HttpMethod[];
  /** Fields read from the query string (all of them for `"*"`). */
  asQuery: string[] | '*';
  /** Fields not taken from the request (all of them for `"*"`). */
  excluded: string[] | '*';
  auth: boolean;
  private: boolean;
  entryType: 'ROOT' | 'NODE' | 'BOTH';
  webhook: WebhookSpec | null;
  tags: string[] | null;
  summary: string | null;
  description: string | null;
  deprecated: boolean;
  /** Runs on a cron, interval or date trigger (schedule/). */
  schedule: ScheduleSpec | null;
  /** `methods` names "websocket": Jac Cloud serves the walker as a WebSocket event, which jac-serve does not; it gets no HTTP route for that method. */
  websocket: boolean;
  /** OpenAPI only, as in FastAPI: the success answer's code and description, more answers, the operation id, and fields merged into the operation. */
  statusCode: number | null;
  responseDescription: string | null;
  responses: Record<string, Json> | null;
  name: string | null;
  openapiExtra: Record<string, Json> | null;
}

export const DEFAULT_SPECS: WalkerSpecs = {
  path: '',
  methods: ['post'],
  asQuery: [],
  excluded: [],
  auth: true,
  private: false,
  entryType: 'BOTH',
  webhook: null,
  tags: null,
  summary: null,
  description: null,
  deprecated: false,
  schedule: null,
  websocket: false,
  statusCode: null,
  responseDescription: null,
  responses: null,
  name: null,
  openapiExtra: null,
};

/** A problem with a walker's specs, at the option (or walker) it concerns. */
export class SpecsError extends Error {
  constructor(
    message: string,
    readonly span: A.Span,
  ) {
    super(message);
  }
}

/** Whether a field is kept out of requests by `excluded`. */
export const isExcluded = (specs: WalkerSpecs, field: string): boolean => specs.excluded === '*' || specs.excluded.includes(field);

/** The names of the `{var}`s of a path. */
export const pathVariables = (path: string): string[] => [...path.matchAll(/\{([^}]*)\}/g)].map((m) => m[1]);

const isStrings = (v: Value): v is string[] => Array.isArray(v) && v.every((x) => typeof x === 'string');

/**
 * The specs of `walker` (its class, as the program built it), checked against its declaration:
 * `fields` are the walker's `has` fields with whether each has a default.
 */
export function readSpecs(walker: PyClass, declaration: A.Archetype, fields: { name: string; hasDefault: boolean }[]): WalkerSpecs {
  const specsClass = walker.lookup('__specs__');
  const specsDecl = declaration.body?.find((s): s is A.Archetype => s.kind === 'Archetype' && s.name === '__specs__');
  const specs: WalkerSpecs = { ...DEFAULT_SPECS };
  if (!(specsClass instanceof PyClass)) return specs;
  const spanOf = (key: string): A.Span => {
    for (const s of specsDecl?.body ?? []) if (s.kind === 'Has') for (const v of s.vars) if (v.name === key) return v.span;
    return specsDecl?.span ?? declaration.span;
  };
  const fail = (key: string, why: string): never => {
    throw new SpecsError(`walker ${walker.name}: __specs__ ${key} ${why}`, spanOf(key));
  };
  const names = new Set(fields.map((f) => f.name));
  const fieldList = (key: string, v: Value, allowString: boolean): string[] | '*' => {
    if (v === '*') return '*';
    const list = typeof v === 'string' && allowString ? [v] : isStrings(v) ? v : fail(key, `must be "*"${allowString ? ', a field name' : ''} or a list of field names, not ${repr(v)}`);
    for (const name of list) if (!names.has(name)) fail(key, `names '${name}', which is not a field of ${walker.name}`);
    return list;
  };
  const optionalString = (key: string, v: Value): string | null => (v === null || typeof v === 'string' ? v : fail(key, `must be a string, not ${repr(v)}`));
  const bool = (key: string, v: Value): boolean => (typeof v === 'boolean' ? v : fail(key, `must be True or False, not ${repr(v)}`));

  // One reader per option; an option without one is unknown.
  const readers: Record<string, (key: string, v: Value) => void> = {
    path: (key, v) => {
      const p = typeof v === 'string' ? v : fail(key, `must be a string, not ${repr(v)}`);
      specs.path = p === '' || p.startsWith('/') ? p : `/${p}`;
      for (const name of pathVariables(specs.path)) {
        if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) fail(key, `has a malformed path variable {${name}}`);
      }
    },
    methods: (key, v) => {
      if (!isStrings(v) || v.length === 0) fail(key, `must be a non-empty list of HTTP methods, not ${repr(v)}`);
      const listed = (v as string[]).map((m) => m.toLowerCase());
      specs.websocket = listed.includes('websocket');
      specs.methods = (v as string[]).filter((m) => m.toLowerCase() !== 'websocket').map((m) => {
        const lower = m.toLowerCase();
        if (!(HTTP_METHODS as readonly string[]).includes(lower)) fail(key, `has '${m}', which is not an HTTP method jac-serve serves (${HTTP_METHODS.join(', ')}, or websocket)`);
        return lower as HttpMethod;
      });
    },
    as_query: (key, v) => void (specs.asQuery = fieldList(key, v, false)),
    excluded: (key, v) => void (specs.excluded = fieldList(key, v, true)),
    auth: (key, v) => void (specs.auth = bool(key, v)),
    private: (key, v) => void (specs.private = bool(key, v)),
    entry_type: (key, v) => {
      const t = typeof v === 'string' ? v.toUpperCase() : '';
      if (t !== 'ROOT' && t !== 'NODE' && t !== 'BOTH') fail(key, `must be "ROOT", "NODE" or "BOTH", not ${repr(v)}`);
      specs.entryType = t as WalkerSpecs['entryType'];
    },
    webhook: (key, v) => void (specs.webhook = v === null ? null : readWebhook(v, (why) => fail(key, why))),
    tags: (key, v) => void (specs.tags = v === null ? null : isStrings(v) ? v : fail(key, `must be a list of strings, not ${repr(v)}`)),
    summary: (key, v) => void (specs.summary = optionalString(key, v)),
    description: (key, v) => void (specs.description = optionalString(key, v)),
    deprecated: (key, v) => void (specs.deprecated = bool(key, v)),
    schedule: (key, v) => void (specs.schedule = v === null ? null : readSchedule(v, walker.name, fields, (why) => fail(key, why))),
    // OpenAPI-only options (FastAPI's); a status may be written as a numeric string, as pydantic takes it.
    status_code: (key, v) => {
      const code = typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : v;
      specs.statusCode = code === null ? null : typeof code === 'number' && Number.isInteger(code) && code >= 100 && code <= 599 ? code : fail(key, `must be an HTTP status (100-599) or None, not ${repr(v)}`);
    },
    response_description: (key, v) => void (specs.responseDescription = optionalString(key, v)),
    responses: (key, v) => void (specs.responses = v === null ? null : readResponses(v, (why) => fail(key, why))),
    name: (key, v) => void (specs.name = optionalString(key, v)),
    openapi_extra: (key, v) => {
      const extra = v === null ? null : literalJson(v, (why) => fail(key, why));
      specs.openapiExtra = extra === null ? null : typeof extra === 'object' && !Array.isArray(extra) ? extra : fail(key, `must be a dict, not ${repr(v)}`);
    },
  };
  for (const [key, v] of specsClass.attributes) {
    if (key.startsWith('__') || v instanceof PyFunction) continue; // methods of __specs__ are not options
    if (!Object.hasOwn(readers, key)) fail(key, `is not an option jac-serve knows (${Object.keys(readers).join(', ')})`);
    readers[key](key, v);
  }
  // Path variables fill the fields of their names; `{node}` is the entry node's place.
  for (const name of pathVariables(specs.path)) {
    if (name === 'node') fail('path', 'cannot use {node}: the route for a node entry already has it (/walker/<Name>/{node}/...)');
    if (!names.has(name) && name !== keyPlacement(specs.webhook)?.name) fail('path', `has {${name}}, which is not a field of ${walker.name}`);
  }
  for (const f of fields) {
    if (isExcluded(specs, f.name) && !f.hasDefault) fail('excluded', `hides '${f.name}', which has no default: an excluded field must have one`);
  }
  if (specs.methods.length === 0 && !specs.websocket) fail('methods', 'must name at least one HTTP method');
  if (specs.webhook && !specs.auth) fail('webhook', 'cannot be combined with auth: False (the route would be public)');
  const placement = keyPlacement(specs.webhook);
  if (placement?.type === 'path' && !specs.path.includes(`{${placement.name}}`)) {
    fail('webhook', `reads the key from the path, so path must contain {${placement.name}} (e.g. path: "/{${placement.name}}")`);
  }
  if (specs.webhook?.type === 'signature') {
    if (specs.methods.some((m) => m === 'get' || m === 'head')) fail('methods', 'of a signed webhook must carry a body (the signature covers it): not GET or HEAD');
    for (const f of DELIVERY_FIELDS) if (names.has(f) && (specs.asQuery === '*' || specs.asQuery.includes(f))) fail('as_query', `cannot take '${f}': the server fills it from the delivery`);
  }
  return specs;
}
