// Webhook API keys (http-api.md §6.6): `jacwh_<key id>_<secret><checksum>`. The key id is not
// secret and finds the record; the secret is 256 bits from a CSPRNG, of which only a SHA-256 hash
// is stored and compared in constant time; the CRC-32 checksum rejects a mistyped key without a
// lookup; the fixed prefix lets secret scanners find leaked keys.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { crc32 } from 'node:zlib';
import type { KeyRecord, SigningKey, Store, UserRecord } from '../runtime/store/store.ts';
import { Sealer } from './webhooks/sealing.ts';
import type { Scheme } from './webhooks/signatures.ts';

/**
 * The most keys one user may hold unless the operator says otherwise (--max-keys-per-user): the
 * data dir holds every key in memory, and a user's listing reads all of theirs, so one user
 * creating keys without end would grow both without bound.
 */
export const MAX_KEYS_PER_USER = 1000;

export const KEY_PREFIX = 'jacwh';
const KEY = /^jacwh_([0-9a-f]{16})_([A-Za-z0-9_-]{43})([0-9a-f]{8})$/;

export type Interval = 'seconds' | 'minutes' | 'hours' | 'days';
export const INTERVAL_MS: Record<Interval, number> = { seconds: 1_000, minutes: 60_000, hours: 3_600_000, days: 86_400_000 };

const VERIFIED_KEYS = 10_000;
const OPENED_SECRETS = 10_000;
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
export const keyPreview = (record: Pick<KeyRecord, 'id' | 'signing'>) => (record.signing ? `${record.signing.secrets[0].preview}…` : `${KEY_PREFIX}_${record.id}_…`);

/** The first 4 characters of a secret, after a fixed prefix (`whsec_`, `whpk_`) that every secret of its kind shares. */
export function secretPreview(secret: string): string {
  const prefix = /^(whsec_|whpk_)/.exec(secret)?.[1] ?? '';
  return secret.slice(0, prefix.length + 4);
}

/** A new signing secret in the scheme's own format: Standard Webhooks' `whsec_<base64>`, else URL-safe text. */
export function newSigningSecret(scheme: Scheme): string {
  const bytes = randomBytes(32);
  return scheme === 'standard' ? `whsec_${bytes.toString('base64')}` : bytes.toString('base64url');
}

/** Why an imported secret cannot sign for `scheme`, or null. */
export function importedSecretProblem(scheme: Scheme, secret: string): string | null {
  if (secret.length < 8 || secret.length > 512) return 'a signing secret must be 8 to 512 characters';
  if (scheme === 'standard') {
    const m = /^(whsec|whpk)_([A-Za-z0-9+/=]+)$/.exec(secret);
    if (!m) return 'a Standard Webhooks secret is "whsec_<base64>" (HMAC) or "whpk_<base64>" (an ed25519 public key)';
    if (m[1] === 'whpk' && Buffer.from(m[2], 'base64').length !== 32) return 'a "whpk_" key is 32 bytes of base64';
  }
  return null;
}

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
  /** Key id → last use (ms), not yet written (a use does not cost a disk write). */
  private readonly lastUsed = new Map<string, number>();
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
    this.lastUsed.set(record.id, now); // a time, written as text only when flushed or listed
    this.flushTimer ??= setTimeout(() => void this.flush(), this.flushDelay).unref();
  }

  /** A key as listed, with its last use even when that is not written yet. */
  lastUsedAt(record: KeyRecord): string | null {
    const at = this.lastUsed.get(record.id);
    return at === undefined ? record.lastUsedAt : new Date(at).toISOString();
  }

  /** Writes the pending `last_used_at` times (one commit for all of them). */
  async flush(): Promise<void> {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = null;
    const pending = [...this.lastUsed].map(([id, at]): [string, string] => [id, new Date(at).toISOString()]);
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

  /** The master key that seals signing secrets, opened on first need. */
  private sealing: Promise<Sealer> | null = null;
  private sealer(): Promise<Sealer> {
    this.sealing ??= Sealer.open(this.store);
    return this.sealing;
  }

  /**
   * A signing key: its secret imported (what the sender generated) or made here (shown once),
   * sealed before it is stored.
   */
  async createSigning(owner: UserRecord, fields: { name: string; walkers: string[]; nodes: string[]; expiresAt: Date }, scheme: Scheme, imported: string | undefined, now = Date.now()): Promise<{ record: KeyRecord; secret: string }> {
    const id = randomBytes(8).toString('hex');
    const secret = imported ?? newSigningSecret(scheme);
    const at = new Date(now).toISOString();
    const signing: SigningKey = { scheme, secrets: [{ sealed: (await this.sealer()).seal(secret, id), preview: secretPreview(secret), createdAt: at, retiresAt: null }] };
    const record: KeyRecord = { id, owner: owner.id, name: fields.name, secretHash: '', walkers: fields.walkers, nodes: fields.nodes, createdAt: at, expiresAt: fields.expiresAt.toISOString(), lastUsedAt: null, signing };
    await this.store.putKey(record);
    return { record, secret };
  }

  /** A live signing key of `scheme` by id, or null: unknown, of another scheme, not signing, or expired. */
  async signingKey(id: string, scheme: Scheme, now = Date.now()): Promise<KeyRecord | null> {
    const record = await this.store.findKey(id);
    return record?.signing?.scheme === scheme && Date.parse(record.expiresAt) > now ? record : null;
  }

  /**
   * Sealed secrets already opened: key id and sealed text → the secret (null: does not open),
   * oldest forgotten first. Opening one costs an AES-GCM decryption on every delivery otherwise.
   * A sealed text never changes meaning (a rotation seals the new secret afresh), and which
   * secrets are live is still read from the record each time.
   */
  private readonly opened = new Map<string, string | null>();

  /**
   * The secrets a delivery to `record` may be signed with now (a rotated-out one until it
   * retires), and how many live ones did not open (sealed under another master key).
   */
  async liveSecrets(record: KeyRecord, now = Date.now()): Promise<{ secrets: string[]; unopened: number }> {
    const live = (record.signing?.secrets ?? []).filter((s) => s.retiresAt === null || Date.parse(s.retiresAt) > now);
    const secrets: string[] = [];
    for (const s of live) {
      const cacheKey = `${record.id}\0${s.sealed}`;
      let secret = this.opened.get(cacheKey);
      if (secret === undefined) {
        secret = (await this.sealer()).open(s.sealed, record.id);
        if (this.opened.size >= OPENED_SECRETS) this.opened.delete(this.opened.keys().next().value!);
        this.opened.set(cacheKey, secret);
      }
      if (secret !== null) secrets.push(secret);
    }
    return { secrets, unopened: live.length - secrets.length };
  }

  /** A new secret (made, or imported) for a signing key; the ones before it retire after `graceMs`. */
  async rotate(record: KeyRecord, imported: string | undefined, graceMs: number, now = Date.now()): Promise<{ record: KeyRecord; secret: string }> {
    const signing = record.signing!;
    const secret = imported ?? newSigningSecret(signing.scheme as Scheme);
    const at = new Date(now).toISOString();
    const retire = new Date(now + graceMs).toISOString();
    const older = signing.secrets
      .filter((s) => s.retiresAt === null || Date.parse(s.retiresAt) > now)
      .map((s) => ({ ...s, retiresAt: s.retiresAt !== null && s.retiresAt < retire ? s.retiresAt : retire }));
    const fresh = { sealed: (await this.sealer()).seal(secret, record.id), preview: secretPreview(secret), createdAt: at, retiresAt: null };
    const updated: KeyRecord = { ...record, signing: { scheme: signing.scheme, secrets: [fresh, ...older] } };
    await this.store.putKey(updated);
    return { record: updated, secret };
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
    // A deleted key's secrets are not kept in memory (its deliveries are refused by the lookup anyway).
    const gone = new Set(ids);
    for (const cacheKey of this.opened.keys()) if (gone.has(cacheKey.slice(0, cacheKey.indexOf('\0')))) this.opened.delete(cacheKey);
    await this.store.deleteKeys(ids);
  }
}
