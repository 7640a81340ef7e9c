// Verifying a webhook sender's own signature over the raw body (webhook-signatures.md §3):
// GitHub, Stripe, Slack, Shopify, Standard Webhooks (v1 HMAC and v1a ed25519), and a generic
// HMAC a walker declares. Every comparison is in constant time; a request verifies when any live
// secret of its key matches (a rotation's old and new secrets, Stripe's several v1 values).
// A signature is checked before its timestamp, so "outside the tolerance" is only ever said of
// an authentic delivery (a replay), never to someone probing with made-up signatures.
import { createHmac, createPublicKey, timingSafeEqual, verify as verifySig } from 'node:crypto';

export const SCHEMES = ['github', 'stripe', 'slack', 'shopify', 'standard', 'hmac'] as const;
export type Scheme = (typeof SCHEMES)[number];

/** A generic HMAC's declaration (`"scheme": "hmac"`). */
export interface HmacOptions {
  /** The header holding the signature (lower-case). */
  header: string;
  /** Text before the signature in that header (`sha256=`), or ''. */
  prefix: string;
  algorithm: 'sha256' | 'sha512';
  encoding: 'hex' | 'base64';
  /** A header holding a Unix timestamp, signed as `<ts>.<body>` (lower-case), or null. */
  timestampHeader: string | null;
  /** A header holding the delivery id (lower-case), or null. */
  idHeader: string | null;
}

export interface SignatureRule {
  scheme: Scheme;
  /** Seconds a timestamp may be off (schemes that sign one). */
  toleranceSeconds: number;
  hmac: HmacOptions | null;
}

/** What a verified delivery says of itself. */
export interface Delivery {
  /** The sender's delivery id (for each-delivery-once), or null when the scheme has none. */
  id: string | null;
  event: string | null;
}

export type Verdict =
  | { ok: true; delivery: Delivery }
  | { ok: false; detail: 'Not authenticated' | 'Unauthorized' | 'Timestamp outside the tolerance' };

type Headers = Record<string, string | string[] | undefined>;

const header = (headers: Headers, name: string): string | undefined => {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
};

/** Constant-time equality of two byte strings (false when their lengths differ). */
function same(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

const hmac = (algorithm: string, key: string | Buffer, data: Buffer[]): Buffer => {
  const h = createHmac(algorithm, key);
  for (const d of data) h.update(d);
  return h.digest();
};

/** A JSON body's top-level object, or null (form bodies, broken JSON). */
function json(body: Buffer): Record<string, unknown> | null {
  try {
    const v = JSON.parse(body.toString('utf8')) as unknown;
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);

/** Whether the Unix time `ts` (seconds, as sent) is within the tolerance: `past` only, or both ways. */
function inTolerance(ts: string, rule: SignatureRule, nowMs: number, bothWays: boolean): boolean {
  if (!/^\d{1,12}$/.test(ts)) return false;
  const age = nowMs / 1000 - Number(ts);
  return age <= rule.toleranceSeconds && (!bothWays || age >= -rule.toleranceSeconds);
}

/**
 * Verifies a delivery against the key's live `secrets` (as the sender knows them: Stripe's
 * `whsec_…` text, a Standard Webhooks `whsec_`/`whpk_` text, the plain text of the others).
 */
export function verifyDelivery(rule: SignatureRule, secrets: string[], body: Buffer, headers: Headers, nowMs = Date.now()): Verdict {
  switch (rule.scheme) {
    case 'github':
      return github(secrets, body, headers);
    case 'stripe':
      return stripe(rule, secrets, body, headers, nowMs);
    case 'slack':
      return slack(rule, secrets, body, headers, nowMs);
    case 'shopify':
      return shopify(secrets, body, headers);
    case 'standard':
      return standard(rule, secrets, body, headers, nowMs);
    case 'hmac':
      return generic(rule, secrets, body, headers, nowMs);
  }
}

const NOT_AUTHENTICATED = { ok: false, detail: 'Not authenticated' } as const;
const UNAUTHORIZED = { ok: false, detail: 'Unauthorized' } as const;
const STALE = { ok: false, detail: 'Timestamp outside the tolerance' } as const;

function github(secrets: string[], body: Buffer, headers: Headers): Verdict {
  const sent = header(headers, 'x-hub-signature-256');
  if (sent === undefined) return NOT_AUTHENTICATED;
  const m = /^sha256=([0-9a-f]{64})$/.exec(sent);
  if (!m) return UNAUTHORIZED;
  const given = Buffer.from(m[1], 'hex');
  if (!secrets.some((s) => same(hmac('sha256', s, [body]), given))) return UNAUTHORIZED;
  return { ok: true, delivery: { id: header(headers, 'x-github-delivery') ?? null, event: header(headers, 'x-github-event') ?? null } };
}

function stripe(rule: SignatureRule, secrets: string[], body: Buffer, headers: Headers, nowMs: number): Verdict {
  const sent = header(headers, 'stripe-signature');
  if (sent === undefined) return NOT_AUTHENTICATED;
  let t: string | null = null;
  const v1: Buffer[] = [];
  for (const part of sent.split(',')) {
    const eq = part.indexOf('=');
    const [k, v] = [part.slice(0, eq).trim(), part.slice(eq + 1).trim()];
    if (k === 't') t = v;
    else if (k === 'v1' && /^[0-9a-f]{64}$/.test(v)) v1.push(Buffer.from(v, 'hex'));
  }
  if (t === null || v1.length === 0) return UNAUTHORIZED;
  const signed = [Buffer.from(`${t}.`), body];
  if (!secrets.some((s) => v1.some((given) => same(hmac('sha256', s, signed), given)))) return UNAUTHORIZED;
  if (!inTolerance(t, rule, nowMs, false)) return STALE;
  const o = json(body);
  return { ok: true, delivery: { id: str(o?.id), event: str(o?.type) } };
}

function slack(rule: SignatureRule, secrets: string[], body: Buffer, headers: Headers, nowMs: number): Verdict {
  const sent = header(headers, 'x-slack-signature');
  const ts = header(headers, 'x-slack-request-timestamp');
  if (sent === undefined || ts === undefined) return NOT_AUTHENTICATED;
  const m = /^v0=([0-9a-f]{64})$/.exec(sent);
  if (!m) return UNAUTHORIZED;
  const given = Buffer.from(m[1], 'hex');
  const signed = [Buffer.from(`v0:${ts}:`), body];
  if (!secrets.some((s) => same(hmac('sha256', s, signed), given))) return UNAUTHORIZED;
  if (!inTolerance(ts, rule, nowMs, true)) return STALE;
  const o = json(body);
  const event = o?.event as Record<string, unknown> | undefined;
  return { ok: true, delivery: { id: str(o?.event_id), event: str(event?.type) ?? str(o?.type) } };
}

function shopify(secrets: string[], body: Buffer, headers: Headers): Verdict {
  const sent = header(headers, 'x-shopify-hmac-sha256');
  if (sent === undefined) return NOT_AUTHENTICATED;
  const given = Buffer.from(sent, 'base64');
  if (!secrets.some((s) => same(hmac('sha256', s, [body]), given))) return UNAUTHORIZED;
  return { ok: true, delivery: { id: header(headers, 'x-shopify-webhook-id') ?? null, event: header(headers, 'x-shopify-topic') ?? null } };
}

/** A Standard Webhooks secret: `whsec_<base64>` (HMAC key) or `whpk_<base64>` (ed25519 public key). */
function standardKey(secret: string): { kind: 'v1'; key: Buffer } | { kind: 'v1a'; key: ReturnType<typeof createPublicKey> } | null {
  if (secret.startsWith('whsec_')) return { kind: 'v1', key: Buffer.from(secret.slice(6), 'base64') };
  if (secret.startsWith('whpk_')) {
    const raw = Buffer.from(secret.slice(5), 'base64');
    if (raw.length !== 32) return null;
    return { kind: 'v1a', key: createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: raw.toString('base64url') }, format: 'jwk' }) };
  }
  return null;
}

function standard(rule: SignatureRule, secrets: string[], body: Buffer, headers: Headers, nowMs: number): Verdict {
  const sent = header(headers, 'webhook-signature');
  const id = header(headers, 'webhook-id');
  const ts = header(headers, 'webhook-timestamp');
  if (sent === undefined || id === undefined || ts === undefined) return NOT_AUTHENTICATED;
  const signed = Buffer.concat([Buffer.from(`${id}.${ts}.`), body]);
  const given = sent.split(' ').map((p) => {
    const comma = p.indexOf(',');
    return { version: p.slice(0, comma), sig: Buffer.from(p.slice(comma + 1), 'base64') };
  });
  const matches = secrets.some((s) => {
    const key = standardKey(s);
    if (!key) return false;
    if (key.kind === 'v1') {
      const expected = hmac('sha256', key.key, [signed]);
      return given.some((g) => g.version === 'v1' && same(expected, g.sig));
    }
    return given.some((g) => g.version === 'v1a' && g.sig.length === 64 && verifySig(null, signed, key.key, g.sig));
  });
  if (!matches) return UNAUTHORIZED;
  if (!inTolerance(ts, rule, nowMs, true)) return STALE;
  return { ok: true, delivery: { id, event: str(json(body)?.type) } };
}

function generic(rule: SignatureRule, secrets: string[], body: Buffer, headers: Headers, nowMs: number): Verdict {
  const o = rule.hmac!;
  const sent = header(headers, o.header);
  const ts = o.timestampHeader ? header(headers, o.timestampHeader) : undefined;
  if (sent === undefined || (o.timestampHeader && ts === undefined)) return NOT_AUTHENTICATED;
  if (!sent.startsWith(o.prefix)) return UNAUTHORIZED;
  const text = sent.slice(o.prefix.length);
  const given = o.encoding === 'hex' ? (/^[0-9a-fA-F]*$/.test(text) ? Buffer.from(text, 'hex') : Buffer.alloc(0)) : Buffer.from(text, 'base64');
  const signed = ts !== undefined ? [Buffer.from(`${ts}.`), body] : [body];
  if (!secrets.some((s) => same(hmac(o.algorithm, s, signed), given))) return UNAUTHORIZED;
  if (ts !== undefined && !inTolerance(ts, rule, nowMs, true)) return STALE;
  return { ok: true, delivery: { id: o.idHeader ? (header(headers, o.idHeader) ?? null) : null, event: null } };
}
