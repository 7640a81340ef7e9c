// Failed logins are limited per client (its IP, as @fastify/rate-limit normalizes it) and per
// account (the email as given), with @fastify/rate-limit's counters. Only failures count: a
// login is checked against the counters before its password is hashed (a limited client costs
// no CPU), and counted only once it has failed. Attempts still being hashed are failures that
// may yet happen, so a key has at most as many in flight as it has failures left; more wait for
// one to end. Without that, a burst of concurrent guesses would all pass the check before the
// first failure was counted.
//
// With a shared store (PostgreSQL) the counters are the store's, so every process counts the
// same failures; the attempts being hashed are still counted per process.
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { SharedCounters } from '../runtime/store/store.ts';

type Callback = (error: Error | null, state?: { current: number; ttl: number }) => void;

/**
 * @fastify/rate-limit's store interface over a store's shared counters; `namespace` keeps one
 * use's counters (logins, webhook keys) apart from another's.
 */
export function sharedCounterStore(counters: SharedCounters, namespace: string) {
  return class SharedCounterStore {
    private readonly prefix: string;
    /** The plugin constructs its store with its options; each limit's child gets a prefix of its own. */
    constructor(prefix?: unknown) {
      this.prefix = typeof prefix === 'string' ? prefix : '';
    }

    incr(key: string, cb: Callback, timeWindow: number): void {
      counters.hit(this.prefix + key, timeWindow).then((r) => cb(null, { current: r.count, ttl: r.ttlMs }), cb);
    }

    read(key: string, cb: Callback): void {
      counters.read(this.prefix + key).then((r) => cb(null, { current: r.count, ttl: r.ttlMs }), cb);
    }

    child(options: object): SharedCounterStore {
      const { timeWindow, max } = options as { timeWindow?: unknown; max?: unknown };
      return new SharedCounterStore(`${namespace}:${String(timeWindow)}:${String(max)}:`);
    }
  };
}

export interface LoginLimitOptions {
  /** Failed logins allowed per client per window (default 10 a minute). */
  maxLoginFailuresPerClient?: number;
  loginClientWindowMs?: number;
  /** Failed logins allowed per account per window (default 5 in 15 minutes). */
  maxLoginFailuresPerAccount?: number;
  loginAccountWindowMs?: number;
}

/** Over a limit: no attempt before `retryAfterSeconds`. */
export class LoginLimited extends Error {
  constructor(readonly retryAfterSeconds: number) {
    super('too many failed login attempts');
    this.name = 'LoginLimited';
  }
}

type Counter = ReturnType<FastifyInstance['createRateLimit']>;

export class LoginLimits {
  /** Per counter key: attempts being hashed, and who waits for one of them to end. */
  private readonly inFlight = new Map<string, { count: number; waiting: (() => void)[] }>();

  private constructor(private readonly counters: Counter[]) {}

  /** Limits on `app` (registers @fastify/rate-limit there, without limiting any route itself). */
  static async install(app: FastifyInstance, options: LoginLimitOptions, emailOf: (request: FastifyRequest) => string, counters?: SharedCounters): Promise<LoginLimits> {
    await app.register(rateLimit, { global: false, ...(counters ? { store: sharedCounterStore(counters, 'login') } : {}) });
    const perClient = app.createRateLimit({ max: options.maxLoginFailuresPerClient ?? 10, timeWindow: options.loginClientWindowMs ?? 60_000 });
    const perAccount = app.createRateLimit({ max: options.maxLoginFailuresPerAccount ?? 5, timeWindow: options.loginAccountWindowMs ?? 15 * 60_000, keyGenerator: emailOf });
    return new LoginLimits([perClient, perAccount]);
  }

  /**
   * Runs `login` unless the client or account is over its limit (then throws LoginLimited
   * without running it); a null result is a failure and counts against both.
   */
  async attempt<T>(request: FastifyRequest, login: () => Promise<T | null>): Promise<T | null> {
    const keys = await this.admit(request);
    try {
      const result = await login();
      if (result === null) await Promise.all(this.counters.map((count) => count(request)));
      return result;
    } finally {
      for (const key of keys) this.release(key);
    }
  }

  /** Waits until the request may be hashed, and reserves its place; throws LoginLimited. */
  private async admit(request: FastifyRequest): Promise<string[]> {
    for (;;) {
      const states = await Promise.all(this.counters.map((count) => count(request, { increment: false })));
      let retryAfter = 0;
      let full: string | undefined;
      const keys: string[] = [];
      states.forEach((state, i) => {
        if (state.isAllowed) return;
        if (state.remaining === 0) retryAfter = Math.max(retryAfter, state.ttlInSeconds, 1);
        const key = `${i}:${state.key}`;
        keys.push(key);
        if ((this.inFlight.get(key)?.count ?? 0) >= state.remaining) full ??= key;
      });
      if (retryAfter > 0) throw new LoginLimited(retryAfter);
      if (full === undefined) {
        for (const key of keys) this.entry(key).count++;
        return keys;
      }
      const entry = this.entry(full);
      await new Promise<void>((resolve) => entry.waiting.push(resolve));
    }
  }

  private entry(key: string): { count: number; waiting: (() => void)[] } {
    let entry = this.inFlight.get(key);
    if (!entry) this.inFlight.set(key, (entry = { count: 0, waiting: [] }));
    return entry;
  }

  private release(key: string): void {
    const entry = this.entry(key);
    entry.count--;
    for (const wake of entry.waiting.splice(0)) wake(); // each checks the counters again
    if (entry.count === 0) this.inFlight.delete(key);
  }
}
