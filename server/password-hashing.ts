// Password hashes (scrypt), computed a few at a time. scrypt runs on libuv's threadpool (4
// threads by default), which also does every file write: unbounded, 100 concurrent logins held
// all four threads and a commit waited behind them for 28 s. So at most `maxConcurrentHashes`
// hashes run at once (default 2, leaving threads for the file system), the others wait their
// turn in order, and when `maxQueuedHashes` are already waiting a new one is refused with
// HashingBusy (the routes answer 503 with Retry-After) rather than queued without end.
import { randomBytes, scrypt, type ScryptOptions, timingSafeEqual } from 'node:crypto';

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
export const DUMMY_HASH = formatHash(SCRYPT, Buffer.alloc(SALT_BYTES), Buffer.alloc(HASH_BYTES));

function scryptAsync(password: string, salt: Buffer, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(password, salt, HASH_BYTES, { ...options, maxmem: SCRYPT_MAXMEM }, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

function formatHash(params: { N: number; r: number; p: number }, salt: Buffer, hash: Buffer): string {
  return `scrypt$${params.N}$${params.r}$${params.p}$${salt.toString('base64')}$${hash.toString('base64')}`;
}

/** `scrypt$<N>$<r>$<p>$<salt b64>$<hash b64>` for a password. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  return formatHash(SCRYPT, salt, await scryptAsync(password, salt, SCRYPT));
}

/** Whether `password` matches a stored hash; false for a hash that does not parse. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
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

/** Too many hashes are waiting already; retry after `retryAfterSeconds`. */
export class HashingBusy extends Error {
  constructor(readonly retryAfterSeconds: number) {
    super('too many password hashes are waiting');
    this.name = 'HashingBusy';
  }
}

export interface HashingLimits {
  /** Password hashes computed at once (default 2; libuv's threadpool has 4 threads). */
  maxConcurrentHashes?: number;
  /** Hashes that may wait for a turn; beyond, logins and registrations get 503 (default 64). */
  maxQueuedHashes?: number;
}

/** Runs hash computations at most `concurrency` at a time, first come first served. */
export class HashLimiter {
  readonly concurrency: number;
  readonly maxWaiting: number;
  private running = 0;
  private readonly waiting: (() => void)[] = [];
  /** Seconds a hash took, smoothed (for Retry-After); a first guess until one is measured. */
  private seconds = 0.15;
  /** Hashes started so far, and the most ever running at once. */
  started = 0;
  peak = 0;

  constructor({ maxConcurrentHashes: concurrency = 2, maxQueuedHashes: maxWaiting = 64 }: HashingLimits = {}) {
    if (!(concurrency >= 1)) throw new RangeError(`hashing concurrency must be at least 1, not ${concurrency}`);
    this.concurrency = Math.floor(concurrency);
    this.maxWaiting = Math.max(0, Math.floor(maxWaiting));
  }

  /** Hashes running now, and waiting. */
  get load(): { running: number; waiting: number } {
    return { running: this.running, waiting: this.waiting.length };
  }

  /** Runs `task` when a turn is free; throws HashingBusy when the queue is full. */
  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.running < this.concurrency) {
      this.running++;
    } else {
      if (this.waiting.length >= this.maxWaiting) throw new HashingBusy(this.retryAfter());
      await new Promise<void>((resolve) => this.waiting.push(resolve)); // the finishing task hands its turn over
    }
    this.started++;
    this.peak = Math.max(this.peak, this.running);
    const started = performance.now();
    try {
      return await task();
    } finally {
      this.seconds = 0.8 * this.seconds + 0.2 * ((performance.now() - started) / 1000);
      const next = this.waiting.shift();
      if (next) next();
      else this.running--;
    }
  }

  /** About when the queue will have room again, whole seconds. */
  private retryAfter(): number {
    return Math.max(1, Math.ceil((this.waiting.length * this.seconds) / this.concurrency));
  }
}
