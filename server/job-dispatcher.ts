// Runs queued async walker jobs (jac-cloud-runtime.md §5) in the worker pool, on the main thread's
// side: claims due jobs from the store while the pool has room, runs each as a request would
// (`runs.walk`: the same budgets, root ordering and isolation), and records how it ended. A run
// that failed (the walker raised or ran past its budget, or the store could not take it) is
// retried with backoff until its attempts are spent, then ends as an error with an error id the
// log also carries; a refusal (403, 404) ends it at once. Claims are leased, so a job this
// process took and never finished (it died) is taken again by the next one.
import { randomUUID } from 'node:crypto';
import type { DeliveryOutcome, Json, JobRecord, JobResult, Store } from '../runtime/store/store.ts';
import type { PoolLog, WorkerPool } from './workers/pool.ts';
import type { Answer, WalkJob } from './workers/messages.ts';
import { queueTasks } from './schedule/queue-tasks.ts';
import type { QueueLimit } from './queue-limit.ts';
import { loadedFields, parseExact, storedFields, storedValue } from './stored-fields.ts';

export interface DispatcherOptions {
  /** Jobs run at once (default: the pool's workers). */
  concurrency?: number;
  /** The queue limit: how many runs a background run may queue with create_task (none: no limit). */
  limit?: QueueLimit;
  /** How often an idle dispatcher looks for due jobs, ms (default 250). */
  pollMs?: number;
  /**
   * How long a claim holds a job, ms, renewed every third of it while the run goes on (default
   * 30 s): how soon another process takes the job of a process that died.
   */
  leaseMs?: number;
  /** The first retry's delay, ms, doubled each attempt (default 1 s). */
  retryBaseMs?: number;
  /** Runs that ended longer ago than this, ms, are removed, hourly (default 7 days; 0: kept). */
  retentionMs?: number;
  /**
   * The retry delays of a job whose run has its own (a signed webhook delivery answered 202:
   * about 10 s, 1 min, 5 min, 30 min, 2 h), or null for the doubling backoff.
   */
  backoffFor?: (job: JobRecord) => number[] | null;
  /**
   * What the log entry of a job that runs a signed delivery says once the job has ended for good
   * (written together with the job's end); none for other jobs.
   */
  loggedOutcome?: (job: JobRecord, status: 'COMPLETED' | 'ERROR', result: JobResult, ms: number) => DeliveryOutcome | undefined;
  /**
   * The root's record of a job whose run must apply once (a signed delivery answered 202), or
   * null: a run taken again after it committed is answered as the first, without running again.
   */
  runOnce?: (job: JobRecord) => WalkJob['delivery'] | null;
}

/** How often ended runs past their retention are looked for. */
const PRUNE_EVERY_MS = 3_600_000;

/** Attempts a job gets (a store that cannot be reached, or a process that died, costs one). */
export const JOB_ATTEMPTS = 3;

export class JobDispatcher {
  private running = 0;
  private stopped = false;
  /** The next look for due jobs, if one is set. */
  private timer: { cancel(): void } | null = null;
  /** When `timer` fires (Date.now() terms). */
  private timerAt = 0;
  private renewer: NodeJS.Timeout | null = null;
  private pruner: NodeJS.Timeout | null = null;
  private readonly retentionMs: number;
  private readonly backoffFor: (job: JobRecord) => number[] | null;
  private readonly loggedOutcome: NonNullable<DispatcherOptions['loggedOutcome']>;
  private readonly runOnce: NonNullable<DispatcherOptions['runOnce']>;
  private readonly limit: QueueLimit | undefined;
  /** The jobs this dispatcher runs now, with the attempt that holds each. */
  private readonly held = new Map<string, number>();
  /** The pump under way, if any: a claim it awaits may yet hand it a job to run. */
  private pumping: Promise<void> | null = null;
  /** A wake came while the pump was under way: look again as soon as it ends. */
  private again = false;
  private readonly underway = new Set<Promise<void>>();
  private readonly concurrency: number;
  private readonly pollMs: number;
  private readonly leaseMs: number;
  private readonly retryBaseMs: number;

  constructor(
    private readonly store: Store,
    private readonly runs: WorkerPool,
    private readonly log: PoolLog & { info(obj: object, msg: string): void },
    options: DispatcherOptions = {},
  ) {
    this.concurrency = Math.max(1, options.concurrency ?? runs.workers);
    this.pollMs = options.pollMs ?? 250;
    this.leaseMs = options.leaseMs ?? 30_000;
    this.retryBaseMs = options.retryBaseMs ?? 1000;
    this.retentionMs = options.retentionMs ?? 7 * 86_400_000;
    this.backoffFor = options.backoffFor ?? (() => null);
    this.loggedOutcome = options.loggedOutcome ?? (() => undefined);
    this.runOnce = options.runOnce ?? (() => null);
    this.limit = options.limit;
  }

  start(): void {
    this.schedule(0);
    this.renewer = setInterval(() => void this.renew(), Math.max(10, this.leaseMs / 3));
    this.renewer.unref();
    if (this.retentionMs > 0) {
      void this.prune();
      this.pruner = setInterval(() => void this.prune(), PRUNE_EVERY_MS);
      this.pruner.unref();
    }
  }

  /** Removes the records of runs that ended longer ago than the retention. */
  private async prune(): Promise<void> {
    try {
      const cut = new Date(Date.now() - this.retentionMs).toISOString();
      const removed = (await this.store.pruneJobs(cut)) + (await this.store.pruneDeliveries(cut));
      if (removed > 0) this.log.info({ removed, retention_days: this.retentionMs / 86_400_000 }, 'background runs and webhook deliveries past their retention removed');
    } catch (e) {
      this.log.warn({ err: e }, 'cannot remove old background runs; trying again later');
    }
  }

  /** Keeps the leases of the runs under way, so that a long run is not taken by another process. */
  private async renew(): Promise<void> {
    if (this.held.size === 0) return;
    try {
      await this.store.renewJobs([...this.held].map(([id, attempt]) => ({ id, attempt })), this.leaseMs);
    } catch (e) {
      this.log.warn({ err: e }, 'cannot renew the leases of background jobs under way; trying again');
    }
  }

  /**
   * A job was enqueued: look now rather than at the next poll. While every slot is taken there is
   * nothing to look for (a run that ends looks), so a busy route's wakes cost nothing.
   */
  wake(): void {
    if (!this.stopped && this.running < this.concurrency) this.schedule(0);
  }

  /** Takes no more jobs; waits for the ones under way to be recorded. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.cancelLook();
    // A claim in flight has marked its job STARTED: it is run (the workers are still up) and
    // recorded like the others, rather than cut off by the pool closing after this resolves.
    await this.pumping;
    await Promise.all([...this.underway]);
    if (this.renewer) clearInterval(this.renewer);
    if (this.pruner) clearInterval(this.pruner);
    this.renewer = this.pruner = null;
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    // A look already due as soon is kept: many wakes in a row set one timer, not one each.
    const at = Date.now() + ms;
    if (this.timer && this.timerAt <= at) return;
    this.cancelLook();
    this.timerAt = at;
    // A look due now waits for this turn of the event loop to end, not for a timer (at least 1 ms):
    // a run that ended looks for the next at once, and a long queue drains that much faster.
    const look = () => {
      this.timer = null;
      if (this.stopped) return;
      if (this.pumping) {
        // The pump's last claim may have looked before this job was queued.
        this.again = true;
        return;
      }
      this.pumping = this.pump().finally(() => {
        this.pumping = null;
        this.schedule(this.again ? 0 : this.pollMs);
        this.again = false;
      });
    };
    if (ms <= 0) {
      const immediate = setImmediate(look);
      this.timer = { cancel: () => clearImmediate(immediate) };
    } else {
      const timeout = setTimeout(look, ms);
      this.timer = { cancel: () => clearTimeout(timeout) };
    }
  }

  private cancelLook(): void {
    this.timer?.cancel();
    this.timer = null;
  }

  private async pump(): Promise<void> {
    try {
      while (!this.stopped && this.running < this.concurrency) {
        const claimed = await this.store.claimJob(this.leaseMs);
        if (!claimed) break;
        this.running++;
        this.held.set(claimed.job.id, claimed.attempt);
        const run = this.run(claimed.job.id, claimed.attempt, claimed.job).finally(() => {
          this.held.delete(claimed.job.id);
          this.running--;
          this.underway.delete(run);
          this.wake();
        });
        this.underway.add(run);
      }
    } catch (e) {
      this.log.warn({ err: e }, 'cannot claim background jobs; trying again');
    }
  }

  private async run(id: string, attempt: number, job: JobRecord): Promise<void> {
    const maxAttempts = job.maxAttempts;
    const started = Date.now();
    const once = this.runOnce(job);
    // A root whose runs cannot be counted (the store is failing) gets no room for create_task: a
    // run never fails for it, and nothing it asks for goes past the limit unseen.
    const taskRoom = await this.limit?.room(job.root).catch((e: unknown) => {
      this.log.warn({ walker_id: id, err: e }, 'cannot count the runs waiting on this root: this run may not queue more');
      return { taskRoom: 0 };
    });
    const answer = await this.runs.walk({ root: job.root, walker: job.walker, node: job.node, fields: loadedFields(job.fields), allowedNodes: job.allowedNodes, internal: job.internal, context: true, ...(once ? { delivery: once } : {}), ...taskRoom });
    const ms = Date.now() - started;
    try {
      if (await queueTasks(this.store, answer, job.root, job.owner, this.limit)) this.wake();
      const [status, result] = outcome(answer);
      const where = { walker_id: id, walker: job.walker, root: job.root, attempt };
      if (status === 'RETRY') {
        // A walker that raised, ran past its budget or could not be saved is run again after a
        // backoff, until its attempts are spent; the last failure is what the record keeps.
        const own = this.backoffFor(job);
        const delayMs = own ? own[Math.min(attempt, own.length) - 1] : this.retryBaseMs * 2 ** (attempt - 1);
        const err = 'name' in answer ? { name: answer.name, message: answer.message } : undefined;
        const last = attempt >= maxAttempts;
        if (last) this.log.error({ ...where, error_id: result.errorId, err }, 'background walker failed; no attempts left');
        else this.log.warn({ ...where, error_id: result.errorId, err, retry_in_ms: delayMs }, 'background walker failed; retrying');
        // The store ends the job (and writes its log entry's outcome) only when no attempt is left.
        const held = await this.store.retryJob(id, attempt, delayMs, result, this.loggedOutcome(job, 'ERROR', result, ms));
        if (!held) this.log.warn({ walker_id: id, attempt }, 'background walker finished after its lease ran out; its outcome was not recorded');
        return;
      }
      if (status === 'ERROR') this.log.error({ ...where, status: result.httpStatus, error: result.error }, 'background walker refused');
      else this.log.info({ ...where, status: result.httpStatus, ms }, 'background walker');
      const held = await this.store.finishJob(id, attempt, status, result, this.loggedOutcome(job, status, result, ms));
      if (!held) this.log.warn({ walker_id: id, attempt }, 'background walker finished after its lease ran out; its outcome was not recorded');
    } catch (e) {
      // The outcome could not be written: the lease will run out and the job be taken again.
      this.log.error({ walker_id: id, err: e }, 'cannot record a background walker outcome');
    }
  }
}

function failure(httpStatus: number, answer: { name: string }, errorId: string): JobResult {
  return { httpStatus, reports: null, returns: null, errorId, error: answer.name };
}

/**
 * A run's answer as the job's end: COMPLETED, ERROR for a refusal that another attempt would
 * only repeat (403, 404), or RETRY for a failure (500, 503) that another attempt may get past.
 */
function outcome(answer: Answer): ['COMPLETED' | 'ERROR' | 'RETRY', JobResult] {
  if ('body' in answer) {
    // Kept exact: an int beyond 2^53 in a report is stored as such (stored-fields.ts).
    const envelope = parseExact(answer.body) as { status: number; reports?: unknown[]; returns?: unknown[] };
    const list = (v: unknown[] | undefined) => (v === undefined ? null : (storedValue(v) as Json[]));
    const result: JobResult = { httpStatus: envelope.status, reports: list(envelope.reports), returns: list(envelope.returns), errorId: null, error: null };
    if (answer.context) result.context = storedFields(answer.context);
    return ['COMPLETED', result];
  }
  if (answer.status === 403 || answer.status === 404) return ['ERROR', { httpStatus: answer.status, reports: null, returns: null, errorId: null, error: answer.detail }];
  if (answer.status === 500 || answer.status === 503) return ['RETRY', failure(answer.status, answer, randomUUID())];
  return ['ERROR', { httpStatus: 500, reports: null, returns: null, errorId: randomUUID(), error: 'unexpected answer' }];
}
