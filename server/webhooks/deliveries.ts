// A signed delivery as the route receives it: its raw bytes (what the signature covers) kept
// beside the parsed body, the form encodings GitHub and Slack send, and the fields the server
// fills from the delivery (webhook-signatures.md §4).
import { hash, randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { DELIVERY_TYPE } from '../../runtime/store/persistent-graph.ts';
import { acceptParsedBody } from '../validators.ts';
import { storedFields } from '../stored-fields.ts';
import type { DeliveryRecord, Json, ToldDelivery } from '../../runtime/store/store.ts';
import type { Delivery, SignatureRule } from './signatures.ts';

/** What the raw-body parser leaves on a signed walker's request. */
export interface RawDelivery {
  raw: Buffer;
  /** Why the body could not be read as fields (checked after the signature), or null. */
  problem: string | null;
}

const raws = new WeakMap<object, RawDelivery>();

export function rawDelivery(request: FastifyRequest): RawDelivery {
  return raws.get(request.raw) ?? { raw: Buffer.alloc(0), problem: null };
}

/**
 * The body's fields: JSON (an object), a form of one `payload=<json>` field (GitHub's form
 * encoding, Slack's interactions), or a form's fields by name (Slack's slash commands).
 */
export function parseDeliveryBody(contentType: string | undefined, raw: Buffer): { body: Record<string, unknown>; problem: string | null } {
  if (raw.length === 0) return { body: {}, problem: null };
  const type = (contentType ?? '').split(';')[0].trim().toLowerCase();
  if (type === 'application/x-www-form-urlencoded') {
    const form = new URLSearchParams(raw.toString('utf8'));
    const payloads = form.getAll('payload');
    if (payloads.length > 0 && [...form.keys()].every((k) => k === 'payload')) {
      if (payloads.length > 1) return { body: {}, problem: 'the form holds more than one payload field' };
      const parsed = parseObject(payloads[0]);
      if (parsed.body) return { body: parsed.body, problem: parsed.problem };
      return { body: {}, problem: parsed.problem === NOT_JSON ? "the form's payload field is not valid JSON" : "the form's payload field is not a JSON object" };
    }
    return { body: Object.fromEntries(form), problem: null };
  }
  const parsed = parseObject(raw.toString('utf8'));
  return { body: parsed.body ?? {}, problem: parsed.problem };
}

const NOT_JSON = 'the body is not valid JSON';

/** A JSON object's fields (integers beyond 2^53 kept exact, as on every walker route), or why not. */
function parseObject(text: string): { body: Record<string, unknown> | null; problem: string | null } {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return { body: null, problem: NOT_JSON };
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return { body: null, problem: 'the body is not a JSON object' };
  return { body: v as Record<string, unknown>, problem: acceptParsedBody(v, text) };
}

/**
 * Makes `scope` keep every body's raw bytes and parse it leniently: a signed walker's route
 * checks the signature over exactly what was sent before it judges the body.
 */
export function keepRawBodies(scope: FastifyInstance): void {
  scope.removeAllContentTypeParsers();
  const parse = (request: FastifyRequest, raw: string | Buffer, done: (err: Error | null, body?: unknown) => void): void => {
    const bytes = raw as Buffer;
    const { body, problem } = parseDeliveryBody(request.headers['content-type'], bytes);
    raws.set(request.raw, { raw: bytes, problem });
    done(null, body);
  };
  // The types senders use are named as well as caught by '*': Fastify remembers the parser of a
  // named type for each Content-Type it has seen, but looks the catch-all up again every time.
  for (const type of ['application/json', 'application/x-www-form-urlencoded', '*']) scope.addContentTypeParser(type, { parseAs: 'buffer' }, parse);
}

/** Headers the walker never sees: the signature, and anything that authenticates. */
const HIDDEN = new Set(['authorization', 'cookie', 'x-hub-signature', 'x-hub-signature-256', 'stripe-signature', 'x-slack-signature', 'x-shopify-hmac-sha256', 'webhook-signature']);

/** The values of the server-filled fields a walker declares (`webhook_event`, …). */
export function deliveryFields(rule: SignatureRule, delivery: Delivery, request: FastifyRequest, declared: Set<string>): Record<string, Json> {
  const fields: Record<string, Json> = {};
  if (declared.has('webhook_event')) fields.webhook_event = delivery.event ?? '';
  if (declared.has('webhook_delivery')) fields.webhook_delivery = delivery.id ?? '';
  if (declared.has('webhook_headers')) {
    const headers: Record<string, Json> = {};
    for (const [name, v] of Object.entries(request.headers)) {
      if (HIDDEN.has(name) || name === rule.hmac?.header || v === undefined) continue;
      headers[name] = Array.isArray(v) ? v.join(', ') : v;
    }
    fields.webhook_headers = headers;
  }
  if (declared.has('webhook_body')) fields.webhook_body = rawDelivery(request).raw.toString('utf8');
  return fields;
}

/** 24 hex digits naming a key's delivery for one use (`use` keeps the three kinds of id apart). */
function hex24(use: string, keyId: string, deliveryId: string): string {
  const text = use === '' ? `${keyId}\0${deliveryId}` : `${use}\0${keyId}\0${deliveryId}`;
  return hash('sha256', text, 'hex').slice(0, 24);
}

/**
 * The record id under which a root remembers a delivery: a key's sender names its deliveries, so
 * the id is the key's and the delivery's together (hashed: a delivery id is the sender's text).
 */
export function deliveryRecordId(keyId: string, deliveryId: string): string {
  return `o:${DELIVERY_TYPE}:${hex24('', keyId, deliveryId)}`;
}

/**
 * The record id under which a root remembers the run of a delivery answered 202 (its job): a run
 * taken again after it committed (its outcome was not written, then its lease ran out) is then
 * answered as the first without running again. Hashed from the job id, which names the delivery.
 */
export function deliveryRunRecordId(jobId: string): string {
  return `o:${DELIVERY_TYPE}:${hash('sha256', `run\0${jobId}`, 'hex').slice(0, 24)}`;
}

/** How long a root remembers a queued delivery's run: the dedupe window, and at least a day (the retries take about 2.5 h). */
export const deliveryRunHours = (dedupeHours: number) => Math.max(dedupeHours, 24);

/** How long a delivery answered 202 waits before each retry when its run fails: about 10 s, 1 min, 5 min, 30 min, 2 h. */
export const DELIVERY_RETRY_MS = [10_000, 60_000, 300_000, 1_800_000, 7_200_000];

/**
 * The job id of a delivery answered 202: made from the key and the sender's delivery id when there
 * is one, so that queueing a repeat finds the first (each delivery once), else new.
 */
export function deliveryJobId(walker: string, keyId: string, deliveryId: string | null): string {
  if (deliveryId === null) return `w:${walker}:${randomBytes(12).toString('hex')}`;
  return `w:${walker}:${hex24('job', keyId, deliveryId)}`;
}

/** Ids of deliveries without a sender's id: this process's random prefix (64 bits) and a count. */
const PROCESS_PREFIX = randomBytes(8).toString('hex');
let made = 0;

/** The log id of a delivery answered with its run: from the key and the sender's id when there is one, so a repeat finds it. */
export function deliveryLogId(keyId: string, deliveryId: string | null): string {
  if (deliveryId === null) return `d-${PROCESS_PREFIX}${(++made).toString(16).padStart(8, '0')}`;
  return `d-${hex24('log', keyId, deliveryId)}`;
}

/**
 * `new Date(ms).toISOString()`, remembering the last time asked: a busy route logs several
 * deliveries in each millisecond, and formatting a date costs about a microsecond.
 */
function isoTimes(): (ms: number) => string {
  let last = NaN;
  let text = '';
  return (ms) => (ms === last ? text : ((last = ms), (text = new Date(ms).toISOString())));
}
const receivedText = isoTimes();
const untilText = isoTimes();

/** What the log needs of a delivery that verified. */
export interface Logged {
  walker: string;
  owner: string;
  delivery: { id: string | null; event: string | null; keyId: string };
  dedupeHours: number;
  node: string | null;
  fields: Record<string, unknown>;
  allowedNodes: string[] | null;
  /** The log id (a delivery answered 202: its job's id); else made from the key and sender's id. */
  id?: string;
}

/**
 * How a verified delivery went, as the log is told it (ToldDelivery): a run's outcome (`ok`,
 * `failed`, or `pending` when it was queued) makes the entry, or gives the entry a repeat made
 * first its outcome; a repeat answered from memory counts itself on the entry, or makes it
 * (pending, one repeat) when the run that answered first has not been logged yet.
 */
export function toldDelivery(d: Logged, status: 'ok' | 'failed' | 'pending' | 'duplicate', code: number, ms: number, errorId: string | null, stored?: Record<string, Json>): ToldDelivery {
  const id = d.id ?? deliveryLogId(d.delivery.keyId, d.dedupeHours > 0 ? d.delivery.id : null);
  return { record: deliveryRecord(d, id, status, code, ms, errorId, stored), repeat: status === 'duplicate' };
}

/**
 * A verified delivery's log entry under `id`: its outcome, or (`duplicate`: a repeat logged first)
 * pending with one repeat. `stored`: its fields as the store keeps them, when the caller has them
 * made (a delivery answered 202: its job runs with them, and the store then holds one copy for both).
 */
export function deliveryRecord(d: Logged, id: string, status: 'ok' | 'failed' | 'pending' | 'duplicate', code: number, ms: number, errorId: string | null, stored = storedFields(d.fields)): DeliveryRecord {
  const now = Date.now();
  const first = status === 'duplicate';
  return {
    id, keyId: d.delivery.keyId, owner: d.owner, walker: d.walker, receivedAt: receivedText(now), verified: true,
    deliveryId: d.delivery.id, event: d.delivery.event, status: first ? 'pending' : status, code: first ? null : code, ms: first ? null : ms, errorId,
    reason: null, duplicates: first ? 1 : 0,
    replay: { fields: stored, node: d.node, allowedNodes: d.allowedNodes },
    replayUntil: untilText(now + Math.max(d.dedupeHours, 1) * 3_600_000),
  };
}

/**
 * The log entry of a delivery refused for `key` before it verified (a bad signature, a stale
 * timestamp, a key of another scheme or expired), told as a repeat: anyone who reads a key id in
 * a URL can send such deliveries, so they count on one entry per key, walker, reason and hour, and a
 * flood of them cannot push the key's verified deliveries out of the log (nor grow it without bound).
 */
export function unverifiedDelivery(key: { id: string; owner: string }, walker: string, reason: string, now = Date.now()): DeliveryRecord {
  const at = receivedText(now);
  const hour = at.slice(0, 13);
  return {
    id: `d-${hex24('unverified', key.id, `${walker}\0${reason}\0${hour}`)}`, keyId: key.id, owner: key.owner, walker, receivedAt: at, verified: false,
    deliveryId: null, event: null, status: 'rejected', code: 401, ms: 0, errorId: null, reason, duplicates: 0, replay: null, replayUntil: at,
  };
}

/**
 * The log entry of a verified delivery that was refused (`code`, `reason`) rather than run or
 * queued (its key may not call the walker, its body does not fit the walker's fields, its entry
 * node is not there, its user's queue is full): no replay is kept. Its id is made from the
 * sender's delivery id when there is one, so that a sender's retries of it count on one entry
 * (told as repeats).
 */
export function refusedDelivery(d: Pick<Logged, 'walker' | 'owner' | 'delivery'>, code: number, reason: string): DeliveryRecord {
  const at = receivedText(Date.now());
  return {
    id: d.delivery.id === null ? deliveryLogId(d.delivery.keyId, null) : `d-${hex24('refused', d.delivery.keyId, d.delivery.id)}`, keyId: d.delivery.keyId, owner: d.owner, walker: d.walker, receivedAt: at, verified: true,
    deliveryId: d.delivery.id, event: d.delivery.event, status: 'rejected', code, ms: 0, errorId: null, reason, duplicates: 0, replay: null, replayUntil: at,
  };
}
