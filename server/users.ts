// The user model behind http-api.md §1: registration with a slow salted password hash, login
// that hands out a signed token, and the check that turns a token back into its user. Tokens
// are HS256 JWTs signed with a secret that is kept in the data dir when TOKEN_SECRET is not
// set, so tokens survive restarts (Jac Cloud made a new secret per process).
//
// Emails are kept exactly as given: no trimming (the route's `format: email` already refuses
// surrounding whitespace) and no case folding, so `A@x.io` and `a@x.io` are two accounts.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { newId, rootIdOf } from '../runtime/store/ids.ts';
import { type Json, type Store, StoreError, type UserRecord } from '../runtime/store/store.ts';
import { DUMMY_HASH, HashLimiter, type HashingLimits, hashPassword, verifyPassword } from './password-hashing.ts';
import { UserFields } from './user-fields.ts';

export interface UserConfig {
  /** TOKEN_SECRET; when unset (or empty) the data dir's own secret is used. */
  tokenSecret?: string;
  /** TOKEN_TIMEOUT: how long a token lives, in hours (default 12, read by the caller). */
  tokenTimeoutHours: number;
  /** How many password hashes run at once and may wait (see password-hashing.ts). */
  hashing?: HashingLimits;
  /** The app's own user fields (user-fields.ts); none by default. */
  fields?: UserFields;
}

/** What `login` answers with: the shape of Jac Cloud's login response. */
export interface LoginResult {
  token: string;
  /** With the app's own user fields after these (Jac Cloud's order). */
  user: { id: string; email: string; root_id: string; [field: string]: Json };
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

const JWT_HEADER = base64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
const BASE64URL = /^[A-Za-z0-9_-]+$/;
/** Tokens whose signature was checked, remembered (oldest forgotten first) so a client's next request skips the HMAC. */
const VERIFIED_TOKENS = 10_000;

export class Users {
  private constructor(
    private readonly store: Store,
    private readonly secret: string,
    private readonly timeoutSeconds: number,
    /** Every password hash of registrations and logins takes its turn here. */
    readonly hashing: HashLimiter,
    /** The app's own user fields. */
    readonly fields: UserFields,
  ) {}

  /** Token → its subject and expiry, for tokens whose signature and claims were checked. */
  private readonly verified = new Map<string, { sub: string; exp: number }>();

  /** The user model over `store`, with its token secret settled (see UserConfig). */
  static async open(store: Store, config: UserConfig): Promise<Users> {
    let secret = config.tokenSecret || (await store.getSecret(SECRET_NAME));
    if (!secret) {
      secret = randomBytes(32).toString('base64url'); // 256 bits, HMAC-SHA256's output size
      // Processes that start together on a shared store agree on the first secret set.
      if (store.claimSecret) secret = await store.claimSecret(SECRET_NAME, secret);
      else await store.setSecret(SECRET_NAME, secret);
    }
    return new Users(store, secret, Math.round(config.tokenTimeoutHours * 3600), new HashLimiter(config.hashing), config.fields ?? new UserFields());
  }

  /**
   * Adds a user with a new root, with the app's own fields taken from `body` (the validated
   * register body); 'exists' when the email is taken. Throws HashingBusy.
   */
  async register(email: string, password: string, body: Record<string, unknown> = {}): Promise<'created' | 'exists'> {
    if (await this.store.findUser({ email })) return 'exists';
    const user: UserRecord = {
      id: randomBytes(12).toString('hex'),
      email,
      passwordHash: await this.hashing.run(() => hashPassword(password)),
      root: newId('n', ''), // the root's graph file appears on its first commit
      createdAt: new Date().toISOString(),
    };
    const fields = this.fields.fromRegistration(body);
    if (fields) user.fields = fields;
    try {
      await this.store.addUser(user);
    } catch (e) {
      // Another registration of this email got in while we were hashing.
      if (e instanceof StoreError && e.code === 'JAC_STORE_VALUE') return 'exists';
      throw e;
    }
    return 'created';
  }

  /** A token and the user's public fields, or null when the email or password is wrong. Throws HashingBusy. */
  async login(email: string, password: string): Promise<LoginResult | null> {
    const user = await this.store.findUser({ email });
    // Hash even for an unknown email, so the time taken does not tell which emails exist.
    const ok = await this.hashing.run(() => verifyPassword(password, user?.passwordHash ?? DUMMY_HASH));
    if (!user || !ok) return null;
    return { token: this.sign(user), user: { id: user.id, email: user.email, root_id: rootIdOf(user.root), ...this.fields.forLogin(user.fields) } };
  }

  /** A user by id (the owner of a webhook key), or null. */
  byId(id: string): Promise<UserRecord | null> {
    return this.store.findUser({ id });
  }

  /** The user a token names, or null when it is malformed, forged, expired or its user is gone. */
  async authenticate(token: string): Promise<UserRecord | null> {
    const claims = this.verified.get(token) ?? this.verify(token);
    if (!claims || !(claims.exp > Date.now() / 1000)) return null;
    return this.store.findUser({ id: claims.sub });
  }

  /** A token's subject and expiry when we signed it; remembered for the next request. */
  private verify(token: string): { sub: string; exp: number } | null {
    const parts = token.split('.');
    if (parts.length !== 3 || !parts.every((p) => BASE64URL.test(p))) return null;
    const [header, payload, signature] = parts;
    if (!safeEqual(signature, this.signature(`${header}.${payload}`))) return null;
    // Signed by us, so the header is ours too; still, accept nothing but what we issue.
    if (decodeJson(header)?.alg !== 'HS256') return null;
    const claims = decodeJson(payload);
    if (typeof claims?.sub !== 'string' || typeof claims.exp !== 'number') return null;
    if (this.verified.size >= VERIFIED_TOKENS) this.verified.delete(this.verified.keys().next().value!);
    const checked = { sub: claims.sub, exp: claims.exp };
    this.verified.set(token, checked);
    return checked;
  }

  private sign(user: UserRecord): string {
    const iat = Math.floor(Date.now() / 1000);
    const claims: TokenPayload = { sub: user.id, email: user.email, root_id: rootIdOf(user.root), iat, exp: iat + this.timeoutSeconds };
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
