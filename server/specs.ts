// A walker's endpoint configuration, read from its `class __specs__ { has ... }` or
// `obj __specs__ { static has ... }` with Jac Cloud's option names and defaults
// (jac-cloud-reference.md §3). A key jac-serve does not know, or a value of the wrong type, is a
// load error at the option's line, so a typo never silently changes an endpoint.
import type * as A from '../grammar/ast.ts';
import { PyDict } from '../runtime/values/containers.ts';
import { repr } from '../runtime/values/repr.ts';
import type { Value } from '../runtime/values/value.ts';
import { PyClass } from '../runtime/interpreter/archetypes.ts';

export const HTTP_METHODS = ['get', 'post', 'put', 'patch', 'delete', 'head', 'options'] as const;
export type HttpMethod = (typeof HTTP_METHODS)[number];

export interface WebhookSpec {
  type: 'header' | 'query' | 'path' | 'body';
  name: string;
}

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

  for (const [key, v] of specsClass.attributes) {
    if (key.startsWith('__') || typeof v === 'object' && v !== null && 'pyTypeName' in v && (v as { pyTypeName(): string }).pyTypeName() === 'function') continue;
    switch (key) {
      case 'path': {
        const p = typeof v === 'string' ? v : fail(key, `must be a string, not ${repr(v)}`);
        specs.path = p === '' || p.startsWith('/') ? p : `/${p}`;
        for (const m of specs.path.matchAll(/\{([^}]*)\}/g)) {
          if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(m[1])) fail(key, `has a malformed path variable {${m[1]}}`);
        }
        break;
      }
      case 'methods': {
        if (!isStrings(v) || v.length === 0) fail(key, `must be a non-empty list of HTTP methods, not ${repr(v)}`);
        specs.methods = (v as string[]).map((m) => {
          const lower = m.toLowerCase();
          if (!(HTTP_METHODS as readonly string[]).includes(lower)) fail(key, `has '${m}', which is not an HTTP method jac-serve serves (${HTTP_METHODS.join(', ')})`);
          return lower as HttpMethod;
        });
        break;
      }
      case 'as_query':
        specs.asQuery = fieldList(key, v, false);
        break;
      case 'excluded':
        specs.excluded = fieldList(key, v, true);
        break;
      case 'auth':
        specs.auth = bool(key, v);
        break;
      case 'private':
        specs.private = bool(key, v);
        break;
      case 'deprecated':
        specs.deprecated = bool(key, v);
        break;
      case 'entry_type': {
        const t = typeof v === 'string' ? v.toUpperCase() : '';
        if (t !== 'ROOT' && t !== 'NODE' && t !== 'BOTH') fail(key, `must be "ROOT", "NODE" or "BOTH", not ${repr(v)}`);
        specs.entryType = t as WalkerSpecs['entryType'];
        break;
      }
      case 'tags':
        specs.tags = v === null ? null : isStrings(v) ? v : fail(key, `must be a list of strings, not ${repr(v)}`);
        break;
      case 'summary':
        specs.summary = optionalString(key, v);
        break;
      case 'description':
        specs.description = optionalString(key, v);
        break;
      case 'webhook':
        specs.webhook = v === null ? null : readWebhook(v, (why) => fail(key, why));
        break;
      default:
        fail(key, `is not an option jac-serve knows (${[...Object.keys(OPTION_NAMES)].join(', ')})`);
    }
  }
  // Path variables fill the fields of their names; `{node}` is the entry node's place.
  for (const m of specs.path.matchAll(/\{([^}]*)\}/g)) {
    if (m[1] === 'node') fail('path', 'cannot use {node}: the route for a node entry already has it (/walker/<Name>/{node}/...)');
    if (!names.has(m[1]) && m[1] !== specs.webhook?.name) fail('path', `has {${m[1]}}, which is not a field of ${walker.name}`);
  }
  const excluded = specs.excluded === '*' ? [...names] : specs.excluded;
  for (const name of excluded) {
    if (!fields.find((f) => f.name === name)!.hasDefault) fail('excluded', `hides '${name}', which has no default: an excluded field must have one`);
  }
  if (specs.webhook && !specs.auth) fail('webhook', 'cannot be combined with auth: False (the route would be public)');
  if (specs.webhook?.type === 'path' && !specs.path.includes(`{${specs.webhook.name}}`)) {
    fail('webhook', `reads the key from the path, so path must contain {${specs.webhook.name}} (e.g. path: "/{${specs.webhook.name}}")`);
  }
  return specs;
}

const OPTION_NAMES = { path: 1, methods: 1, as_query: 1, excluded: 1, auth: 1, private: 1, entry_type: 1, webhook: 1, tags: 1, summary: 1, description: 1, deprecated: 1 };

function readWebhook(v: Value, fail: (why: string) => never): WebhookSpec {
  if (!(v instanceof PyDict)) return fail(`must be a dict like {"type": "header", "name": "X-API-KEY"}, not ${repr(v)}`);
  const spec: WebhookSpec = { type: 'header', name: 'X-API-KEY' };
  for (const [k, x] of v.items()) {
    if (k === 'type') {
      const t = typeof x === 'string' ? x.toLowerCase() : '';
      if (t !== 'header' && t !== 'query' && t !== 'path' && t !== 'body') fail(`type must be "header", "query", "path" or "body", not ${repr(x)}`);
      spec.type = t as WebhookSpec['type'];
    } else if (k === 'name') {
      if (typeof x !== 'string' || x === '') fail(`name must be a non-empty string, not ${repr(x)}`);
      spec.name = x as string;
    } else {
      fail(`has the key ${repr(k)}; only "type" and "name" are known`);
    }
  }
  return spec;
}
