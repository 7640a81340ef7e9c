// The user model behind http-api.md §1: registration with a slow salted password hash, login
// that hands out a signed token, and the check that turns a token back into its user. Tokens
// are HS256 JWTs signed with a secret that is kept in the data dir when TOKEN_SECRET is not
// set, so tokens survive restarts (Jac Cloud made a new secret per process).
//
// Emails are kept exactly as given: no trimming (the route's `format: email` already refuses
// surrounding whitespace) and no case folding, so `A@x.io` and `a@x.io` are two accounts.
import { createHmac, randomBytes, scrypt, type ScryptOptions, timingSafeEqual } from 'node:crypto';
import { newId } from '../runtime/store/ids.ts';
import { type Store, StoreError, type UserRecord } from '../runtime/store/store.ts';

export interface UserConfig {
  /** TOKEN_SECRET; when unset (or empty) the data dir's own secret is used. */
  tokenSecret?: string;
  /** TOKEN_TIMEOUT: how long a token lives, in hours (default 12, read by the caller). */
  tokenTimeoutHours: number;
}

/** What `login` answers with: the shape of Jac Cloud's login response. */
export interface LoginResult {
  token: string;
  user: { id: string; email: string; root_id: string };
}

/** The claims a token carries. */
interface TokenPayload {
  sub: string;
  email: string;
  root_id: string;
  iat: number;
  exp: number;
}

const SECRET_NAME = 'TOKEN_SECRET';

// scrypt cost: N=2^15, r=8 needs 32 MiB and about 0.1–0.2 s per hash, slow enough to make
// guessing expensive without letting a burst of logins exhaust memory. The parameters are
// stored with each hash, so raising them later leaves old hashes verifiable.
const SCRYPT = { N: 2 ** 15, r: 8, p: 1 };
const SCRYPT_MAXMEM = 64 * 1024 * 1024;
const SALT_BYTES = 16;
const HASH_BYTES = 32;

// Bounds for parameters read back from a stored hash, so a damaged record cannot make one
// login allocate gigabytes.
const MAX_N = 2 ** 20;
const MAX_R = 32;
const MAX_P = 16;

/** Checked against when the email is unknown, so the answer takes as long as for a real user. */
const DUMMY_HASH = formatHash(SCRYPT, Buffer.alloc(SALT_BYTES), Buffer.alloc(HASH_BYTES));

const JWT_HEADER = base64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
const BASE64URL = /^[A-Za-z0-9_-]+$/;

export class Users {
  private constructor(
    private readonly store: Store,
    private readonly secret: string,
    private readonly timeoutSeconds: number,
  ) {}

  /** The user model over `store`, with its token secret settled (see UserConfig). */
  static async open(store: Store, config: UserConfig): Promise<Users> {
    let secret = config.tokenSecret || (await store.getSecret(SECRET_NAME));
    if (!secret) {
      secret = randomBytes(32).toString('base64url'); // 256 bits, HMAC-SHA256's output size
      await store.setSecret(SECRET_NAME, secret);
    }
    return new Users(store, secret, Math.round(config.tokenTimeoutHours * 3600));
  }

  /** Adds a user with a new root; 'exists' when the email is taken. */
  async register(email: string, password: string): Promise<'created' | 'exists'> {
    if (await this.store.findUser({ email })) return 'exists';
    const user: UserRecord = {
      id: randomBytes(12).toString('hex'),
      email,
      passwordHash: await hashPassword(password),
      root: newId('n', ''), // the root's graph file appears on its first commit
      createdAt: new Date().toISOString(),
    };
    try {
      await this.store.addUser(user);
    } catch (e) {
      // Another registration of this email got in while we were hashing.
      if (e instanceof StoreError && e.code === 'JAC_STORE_VALUE') return 'exists';
      throw e;
    }
    return 'created';
  }

  /** A token and the user's public fields, or null when the email or password is wrong. */
  async login(email: string, password: string): Promise<LoginResult | null> {
    const user = await this.store.findUser({ email });
    // Hash even for an unknown email, so the time taken does not tell which emails exist.
    const ok = await verifyPassword(password, user?.passwordHash ?? DUMMY_HASH);
    if (!user || !ok) return null;
    return { token: this.sign(user), user: { id: user.id, email: user.email, root_id: user.root } };
  }

  /** A user by id (the owner of a webhook key), or null. */
  byId(id: string): Promise<UserRecord | null> {
    return this.store.findUser({ id });
  }

  /** The user a token names, or null when it is malformed, forged, expired or its user is gone. */
  async authenticate(token: string): Promise<UserRecord | null> {
    const parts = token.split('.');
    if (parts.length !== 3 || !parts.every((p) => BASE64URL.test(p))) return null;
    const [header, payload, signature] = parts;
    if (!safeEqual(signature, this.signature(`${header}.${payload}`))) return null;
    // Signed by us, so the header is ours too; still, accept nothing but what we issue.
    if (decodeJson(header)?.alg !== 'HS256') return null;
    const claims = decodeJson(payload);
    if (typeof claims?.sub !== 'string' || typeof claims.exp !== 'number') return null;
    if (!(claims.exp > Date.now() / 1000)) return null;
    return this.store.findUser({ id: claims.sub });
  }

  private sign(user: UserRecord): string {
    const iat = Math.floor(Date.now() / 1000);
    const claims: TokenPayload = { sub: user.id, email: user.email, root_id: user.root, iat, exp: iat + this.timeoutSeconds };
    const unsigned = `${JWT_HEADER}.${base64url(JSON.stringify(claims))}`;
    return `${unsigned}.${this.signature(unsigned)}`;
  }

  private signature(unsigned: string): string {
    return createHmac('sha256', this.secret).update(unsigned).digest('base64url');
  }
}

function base64url(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64url');
}

/** A base64url JSON object, or null. */
function decodeJson(part: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** Constant-time comparison of two strings (of the canonical base64url text, not decoded bytes, so no second spelling of a signature passes). */
function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function scryptAsync(password: string, salt: Buffer, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(password, salt, HASH_BYTES, { ...options, maxmem: SCRYPT_MAXMEM }, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

function formatHash(params: { N: number; r: number; p: number }, salt: Buffer, hash: Buffer): string {
  return `scrypt$${params.N}$${params.r}$${params.p}$${salt.toString('base64')}$${hash.toString('base64')}`;
}

/** `scrypt$<N>$<r>$<p>$<salt b64>$<hash b64>` for a password. */
async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  return formatHash(SCRYPT, salt, await scryptAsync(password, salt, SCRYPT));
}

/** Whether `password` matches a stored hash; false for a hash that does not parse. */
async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const m = /^scrypt\$(\d+)\$(\d+)\$(\d+)\$([A-Za-z0-9+/=]+)\$([A-Za-z0-9+/=]+)$/.exec(stored);
  if (!m) return false;
  const [N, r, p] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (N > MAX_N || r > MAX_R || p > MAX_P) return false;
  const expected = Buffer.from(m[5], 'base64');
  if (expected.length !== HASH_BYTES) return false;
  let actual: Buffer;
  try {
    actual = await scryptAsync(password, Buffer.from(m[4], 'base64'), { N, r, p });
  } catch {
    return false; // parameters scrypt refuses (N not a power of two, too much memory)
  }
  return timingSafeEqual(actual, expected);
}
