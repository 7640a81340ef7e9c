// Webhook API keys (http-api.md §6.6): `jacwh_<key id>_<secret><checksum>`. The key id is not
// secret and finds the record; the secret is 256 bits from a CSPRNG, of which only a SHA-256 hash
// is stored and compared in constant time; the CRC-32 checksum rejects a mistyped key without a
// lookup; the fixed prefix lets secret scanners find leaked keys.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { crc32 } from 'node:zlib';
import type { KeyRecord, Store, UserRecord } from '../runtime/store/store.ts';

export const KEY_PREFIX = 'jacwh';
const KEY = /^jacwh_([0-9a-f]{16})_([A-Za-z0-9_-]{43})([0-9a-f]{8})$/;

export type Interval = 'seconds' | 'minutes' | 'hours' | 'days';
export const INTERVAL_MS: Record<Interval, number> = { seconds: 1_000, minutes: 60_000, hours: 3_600_000, days: 86_400_000 };

const VERIFIED_KEYS = 10_000;
const sha256 = (text: string) => createHash('sha256').update(text).digest();
const checksum = (text: string) => crc32(text).toString(16).padStart(8, '0');

/** A new key's text and the record to store for it (which holds no secret). */
export function mintKey(): { id: string; key: string; secretHash: string } {
  const id = randomBytes(8).toString('hex');
  const secret = randomBytes(32).toString('base64url');
  const body = `${KEY_PREFIX}_${id}_${secret}`;
  return { id, key: body + checksum(body), secretHash: sha256(secret).toString('hex') };
}

/** What a listing shows of a key: enough to recognise it, nothing that opens it. */
export const keyPreview = (id: string) => `${KEY_PREFIX}_${id}_…`;

/** The key id and secret of a well-formed key with a good checksum, else null. */
export function parseKey(text: string): { id: string; secret: string } | null {
  const m = KEY.exec(text);
  if (!m) return null;
  const body = `${KEY_PREFIX}_${m[1]}_${m[2]}`;
  if (checksum(body) !== m[3]) return null;
  return { id: m[1], secret: m[2] };
}

/** The webhook keys of a data dir, with `last_used_at` kept in memory and written in batches. */
export class WebhookKeys {
  /** Key id → last use, not yet written (a use does not cost a disk write). */
  private readonly lastUsed = new Map<string, string>();
  private flushTimer: NodeJS.Timeout | null = null;
  /** Key texts whose secret was checked → their key id (oldest forgotten first), so a sender's next request skips the hash. */
  private readonly verified = new Map<string, string>();

  constructor(
    private readonly store: Store,
    /** How long a write of `last_used_at` may wait, ms. */
    private readonly flushDelay = 5_000,
  ) {}

  /** The live record of a key text, or null: malformed, unknown, wrong secret, or expired. */
  async verify(text: string, now = Date.now()): Promise<KeyRecord | null> {
    const known = this.verified.get(text);
    if (known !== undefined) {
      // Deleted or expired since: the record says so.
      const record = await this.store.findKey(known);
      return record && Date.parse(record.expiresAt) > now ? record : null;
    }
    const parsed = parseKey(text);
    if (!parsed) return null;
    const record = await this.store.findKey(parsed.id);
    if (!record) return null;
    const given = sha256(parsed.secret);
    const stored = Buffer.from(record.secretHash, 'hex');
    if (stored.length !== given.length || !timingSafeEqual(stored, given)) return null;
    if (Date.parse(record.expiresAt) <= now) return null;
    if (this.verified.size >= VERIFIED_KEYS) this.verified.delete(this.verified.keys().next().value!);
    this.verified.set(text, record.id);
    return record;
  }

  /** Notes a use of a key; the time is written with the next batch. */
  touch(record: KeyRecord, now = Date.now()): void {
    this.lastUsed.set(record.id, new Date(now).toISOString());
    this.flushTimer ??= setTimeout(() => void this.flush(), this.flushDelay).unref();
  }

  /** A key as listed, with its last use even when that is not written yet. */
  lastUsedAt(record: KeyRecord): string | null {
    return this.lastUsed.get(record.id) ?? record.lastUsedAt;
  }

  /** Writes the pending `last_used_at` times (one commit for all of them). */
  async flush(): Promise<void> {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = null;
    const pending = [...this.lastUsed];
    this.lastUsed.clear();
    // A shared store sets the times alone, so a key another process revoked stays revoked.
    if (this.store.touchKeys) return this.store.touchKeys(pending);
    const writes: Promise<void>[] = [];
    for (const [id, at] of pending) {
      const record = await this.store.findKey(id);
      if (record) writes.push(this.store.putKey({ ...record, lastUsedAt: at }));
    }
    await Promise.all(writes);
  }

  async create(owner: UserRecord, fields: { name: string; walkers: string[]; nodes: string[]; expiresAt: Date }, now = Date.now()): Promise<{ record: KeyRecord; key: string }> {
    const { id, key, secretHash } = mintKey();
    const record: KeyRecord = { id, owner: owner.id, name: fields.name, secretHash, walkers: fields.walkers, nodes: fields.nodes, createdAt: new Date(now).toISOString(), expiresAt: fields.expiresAt.toISOString(), lastUsedAt: null };
    await this.store.putKey(record);
    return { record, key };
  }

  list(owner: UserRecord): Promise<KeyRecord[]> {
    return this.store.listKeys(owner.id);
  }

  /** A key of `owner` by id, or null (another user's key is as unknown as a missing one). */
  async owned(owner: UserRecord, id: string): Promise<KeyRecord | null> {
    const record = await this.store.findKey(id);
    return record && record.owner === owner.id ? record : null;
  }

  /** New expiration: from now, or from the current one if that is later. */
  async extend(record: KeyRecord, by: number, now = Date.now()): Promise<KeyRecord> {
    const from = Math.max(now, Date.parse(record.expiresAt));
    const updated = { ...record, expiresAt: new Date(from + by).toISOString() };
    await this.store.putKey(updated);
    return updated;
  }

  async delete(ids: string[]): Promise<void> {
    for (const id of ids) this.lastUsed.delete(id);
    await this.store.deleteKeys(ids);
  }
}
