// Signing secrets at rest. A sender's signing secret must stay usable as an HMAC key (or, for a
// Standard Webhooks `whpk_`, a public key), so unlike an API key it cannot be stored as a hash:
// it is sealed with AES-256-GCM under a master key, each with its own random nonce, the key id
// bound in as associated data (a sealed secret copied onto another key does not open). The
// master key is JAC_SERVE_MASTER_KEY (32 bytes, base64 or hex) when set, else one made once and
// kept among the store's secrets (in the data dir, or the database).
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { Store } from '../../runtime/store/store.ts';

const SECRET_NAME = 'WEBHOOK_MASTER_KEY';
const VERSION = 'v1';

export class Sealer {
  private constructor(private readonly key: Buffer) {}

  /** The master key from the environment or the store (made and kept there the first time). */
  static async open(store: Store, env = process.env.JAC_SERVE_MASTER_KEY): Promise<Sealer> {
    if (env !== undefined && env !== '') {
      const key = /^[0-9a-fA-F]{64}$/.test(env) ? Buffer.from(env, 'hex') : Buffer.from(env, 'base64');
      if (key.length !== 32) throw new Error('JAC_SERVE_MASTER_KEY must be 32 bytes, as 64 hex digits or base64');
      return new Sealer(key);
    }
    let text = await store.getSecret(SECRET_NAME);
    if (text === null) {
      const made = randomBytes(32).toString('base64');
      text = store.claimSecret ? await store.claimSecret(SECRET_NAME, made) : (await store.setSecret(SECRET_NAME, made), made);
    }
    return new Sealer(Buffer.from(text, 'base64'));
  }

  /** `secret` sealed for the key `keyId`: `v1.<nonce>.<tag>.<ciphertext>`, base64url. */
  seal(secret: string, keyId: string): string {
    const nonce = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, nonce);
    cipher.setAAD(Buffer.from(keyId));
    const body = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()]);
    return [VERSION, nonce, cipher.getAuthTag(), body].map((p) => (typeof p === 'string' ? p : p.toString('base64url'))).join('.');
  }

  /** The secret, or null when it does not open (another master key, another key id, tampered). */
  open(sealed: string, keyId: string): string | null {
    const [version, nonce, tag, body] = sealed.split('.');
    if (version !== VERSION || body === undefined) return null;
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(nonce, 'base64url'));
      decipher.setAAD(Buffer.from(keyId));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
    } catch {
      return null;
    }
  }
}
