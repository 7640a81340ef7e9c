// A webhook walker's `webhook` option (http-api.md §6.5, webhook-signatures.md §1): where its
// API key travels (`header`, `query`, `path`, `body`, or `bearer`: `Authorization: Bearer`), or
// that its deliveries are signed by the sender (`signature`, with the sender's scheme and the
// options of answering, tolerance and dedupe). A key or value jac-serve does not know is a load
// error at the option's line.
import { PyDict } from '../../runtime/values/containers.ts';
import { PyFloat } from '../../runtime/values/numbers.ts';
import { repr } from '../../runtime/values/repr.ts';
import type { Value } from '../../runtime/values/value.ts';
import { type HmacOptions, SCHEMES, type Scheme } from './signatures.ts';

/** An API key carried in the request, under `name`. */
export interface KeyPlacement {
  type: 'header' | 'query' | 'path' | 'body';
  name: string;
}

/** A delivery signed by its sender with a secret only the sender and jac-serve know. */
export interface SignedWebhook {
  type: 'signature';
  scheme: Scheme;
  /** `sync`: answered with the walker's run; `async`: answered 202 once stored, run afterwards. */
  ack: 'sync' | 'async';
  toleranceSeconds: number;
  dedupeHours: number;
  /** The declaration of a generic `hmac` scheme. */
  hmac: HmacOptions | null;
}

export type WebhookSpec = KeyPlacement | { type: 'bearer' } | SignedWebhook;

/** The fields a signed walker's run gets from the delivery, never from its body. */
export const DELIVERY_FIELDS = ['webhook_event', 'webhook_delivery', 'webhook_headers', 'webhook_body'] as const;

const PLACEMENTS = ['header', 'query', 'path', 'body'];

export function readWebhook(v: Value, fail: (why: string) => never): WebhookSpec {
  if (!(v instanceof PyDict)) return fail(`must be a dict like {"type": "header", "name": "X-API-KEY"} or {"type": "signature", "scheme": "github"}, not ${repr(v)}`);
  const given = new Map<string, Value>();
  for (const [k, x] of v.items()) {
    if (typeof k !== 'string') return fail(`has the key ${repr(k)}: keys must be strings`);
    given.set(k, x);
  }
  const type = given.get('type') ?? 'header';
  const t = typeof type === 'string' ? type.toLowerCase() : '';
  const only = (keys: string[]) => {
    for (const k of given.keys()) if (!keys.includes(k)) fail(`has the key '${k}'; a ${t} webhook knows ${keys.map((x) => `"${x}"`).join(', ')}`);
  };
  const text = (key: string, dflt: string): string => {
    const x = given.get(key) ?? dflt;
    return typeof x === 'string' && x !== '' ? x : fail(`${key} must be a non-empty string, not ${repr(x)}`);
  };
  const number = (key: string, dflt: number, min: number): number => {
    const x = given.get(key) ?? dflt;
    const n = typeof x === 'number' ? x : x instanceof PyFloat ? x.value : NaN;
    return Number.isFinite(n) && n >= min ? n : fail(`${key} must be a number of at least ${min}, not ${repr(x)}`);
  };
  const oneOf = <T extends string>(key: string, dflt: T, values: readonly T[]): T => {
    const x = given.get(key) ?? dflt;
    const s = typeof x === 'string' ? x.toLowerCase() : '';
    return (values as readonly string[]).includes(s) ? (s as T) : fail(`${key} must be ${values.map((o) => `"${o}"`).join(', ').replace(/, ([^,]*)$/, ' or $1')}, not ${repr(x)}`);
  };

  if (PLACEMENTS.includes(t)) {
    only(['type', 'name']);
    return { type: t as KeyPlacement['type'], name: text('name', 'X-API-KEY') };
  }
  if (t === 'bearer') {
    only(['type']);
    return { type: 'bearer' };
  }
  if (t !== 'signature') return fail(`type must be "header", "query", "path", "body", "bearer" or "signature", not ${repr(type)}`);
  const scheme = oneOf('scheme', '' as Scheme, SCHEMES);
  const common = ['type', 'scheme', 'ack', 'tolerance', 'dedupe_hours'];
  const hmacKeys = ['header', 'prefix', 'algorithm', 'encoding', 'timestamp_header', 'id_header'];
  only(scheme === 'hmac' ? [...common, ...hmacKeys] : common);
  let hmac: HmacOptions | null = null;
  if (scheme === 'hmac') {
    if (!given.has('header')) fail('header must name the header that carries the signature (the hmac scheme has no default)');
    const optionalHeader = (key: string) => (given.get(key) === undefined || given.get(key) === null ? null : text(key, '').toLowerCase());
    const prefix = given.get('prefix') ?? '';
    if (typeof prefix !== 'string') fail(`prefix must be a string, not ${repr(prefix)}`);
    hmac = {
      header: text('header', '').toLowerCase(),
      prefix: prefix as string,
      algorithm: oneOf('algorithm', 'sha256', ['sha256', 'sha512'] as const),
      encoding: oneOf('encoding', 'hex', ['hex', 'base64'] as const),
      timestampHeader: optionalHeader('timestamp_header'),
      idHeader: optionalHeader('id_header'),
    };
  }
  return {
    type: 'signature',
    scheme,
    ack: oneOf('ack', 'sync', ['sync', 'async'] as const),
    toleranceSeconds: number('tolerance', 300, 1),
    dedupeHours: number('dedupe_hours', 72, 0),
    hmac,
  };
}

/** Where a webhook's API key travels, or null (a signed webhook has none; bearer is a header of its own). */
export const keyPlacement = (spec: WebhookSpec | null): KeyPlacement | null => (spec && spec.type !== 'bearer' && spec.type !== 'signature' ? spec : null);
