// The main thread's side of walker runs: a pool of worker threads that load the program and run
// walkers, and the scheduling that keeps the promises of scale.md §1:
// - Runs on one root never interleave. A root is leased to one worker while it has jobs under
//   way; every job on it goes to that worker, which runs them in order (and commits them in
//   batches). Different roots run in parallel on different workers.
// - A lease is given only to an idle worker. Jobs on roots without a lease wait in one queue, in
//   arrival order, for the next worker to become idle: a job never waits behind another root's
//   run that may last until its budget ends, while an idle worker could take it.
// - Any worker may hold a copy of any root's graph. Each state of a root's graph has a tag; a
//   lease starts by telling the worker the tag of the last committed state, and a copy with
//   another tag is read again from disk. (Across processes, a version in the shared store
//   plays the same part: the worker compares it when it holds the root, see runner.ts.)
// - Budgets are enforced from outside: a run past its time budget is stopped by terminating its
//   worker, even inside one long operation; a run that exhausts the worker's heap ends that
//   worker only. Either way the worker is replaced, the run's changes die with it, and the jobs
//   it had not started go to another worker.
// - A run that reaches another root's shared node (sharing between users) is run again holding
//   that root too, found through the store's share hints: every root such a job holds is leased
//   to one worker at once, when none of them is leased; meanwhile the roots it waits for take no
//   new jobs, so it is not starved.
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { AppManifest } from '../manifest.ts';
import type { ShareIndex } from '../../runtime/store/store.ts';
import type { Answer, HasNodeJob, Job, ToWorker, WalkJob, WorkerConfig, WorkerMessage } from './messages.ts';

/** How a run ends, as its caller sees it (a run that reached another root is run again first). */
export type RunAnswer = Exclude<Answer, { status: 'reach' }>;

export interface PoolOptions {
  files: string[];
  dataDir: string;
  /** A PostgreSQL store's URL (then dataDir is not used): every worker connects to it. */
  storeUrl?: string | null;
  /** Worker threads (default: the number of cores). */
  workers?: number;
  /** Each worker's heap limit, MB (default 1024). */
  maxMemoryMb?: number;
  /** Per run: loop iterations and ability runs (default 50 million), and wall-clock time (default 30 s). */
  maxSteps?: number;
  maxMillis?: number;
  /** Each worker's graphs held between jobs: MB (estimated, default 256) and idle seconds (default 600). */
  cacheMb?: number;
  cacheIdleSeconds?: number;
  showReturns?: boolean;
  /** Send walkers' `print` output to stdout (default false: dropped). */
  print?: boolean;
  /**
   * Roots whose lease state the pool keeps between runs (default 100,000): past it, the root seen
   * first among those no run holds is forgotten, and its next run reads it again.
   */
  rootsKept?: number;
}

/** The part of a logger the pool uses (pino's shape). */
export interface PoolLog {
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

/** The program did not load in a worker: the diagnostics, formatted. */
export class PoolLoadError extends Error {}

/** How long past its budget the interpreter's own check may take before the worker is stopped. */
const GRACE_MS = 500;
/** The longest a commit may take before its worker is taken for stuck. */
const COMMIT_TIMEOUT_MS = 120_000;
/** How often a job is offered to a new worker after the ones it was sent to stopped. */
const MAX_ATTEMPTS = 3;
/** The most other roots one run may hold, and the most times it is run again to find them. */
const MAX_REACHED_ROOTS = 8;
const MAX_REACH_ROUNDS = 8;
const ENTRY_ROOTS_KEPT = 10_000;
const ROOTS_KEPT = 100_000;

const WORKER_URL = import.meta.url.endsWith('.ts') ? null : new URL('./jac-worker.js', import.meta.url);

type Dispatchable = Omit<WalkJob, 'id' | 'expect'> | Omit<HasNodeJob, 'id' | 'expect'>;

interface Pending {
  job: Job;
  resolve(answer: Answer): void;
  /** sent: the worker has not begun it; started: its run is under way; ran: waiting for its commit. */
  state: 'sent' | 'started' | 'ran';
  attempts: number;
}

interface RootState {
  /** The tag of the last committed state (null: unknown, every copy is read again). */
  tag: string | null;
  /** The worker that holds the lease, while jobs are under way. */
  holder: Slot | null;
  outstanding: number;
  /** The worker that held it last (it likely still has the graph). */
  last: Slot | null;
  /** Waiting jobs that hold other roots too and wait for this one: it takes no new jobs meanwhile. */
  wanted: number;
  /** Waiting jobs on this root alone: with none, a job given out on it takes no others along. */
  alone: number;
}

/** Every root a job holds: its own first. */
const rootsOf = (job: Job): string[] => (job.kind === 'walk' && job.reach ? [job.root, ...job.reach.map((r) => r.root)] : [job.root]);

interface Slot {
  worker: Worker;
  name: string;
  ready: boolean;
  /** Gets no new leases; closed once it has no jobs (a reload replaced it). */
  retiring: boolean;
  jobs: Map<number, Pending>;
  phase: 'idle' | 'run' | 'commit';
  timer: NodeJS.Timeout | null;
  /** Why it was stopped, when the pool stopped it or it ran out of memory. */
  stopReason: 'time' | 'memory' | 'commit' | 'crash' | null;
  /** The job whose run is under way. */
  current: Pending | null;
  /** Called when its last job is answered (set while it is being closed). */
  onIdle: (() => void) | null;
  /** Jobs given to it in this turn of the event loop, posted together at its end. */
  outbox: Job[];
}

export class WorkerPool {
  private slots: Slot[] = [];
  /** Each root's lease and last committed state, first seen first (no more than `rootsKept`, beyond those runs hold). */
  private readonly roots = new Map<string, RootState>();
  private rootsKept = ROOTS_KEPT;
  /** Jobs on roots without a lease, waiting for an idle worker, oldest first. */
  private waiting: Pending[] = [];
  /** Called once `waiting` is empty (close waits for it). */
  private onDrained: (() => void)[] = [];
  /** Replacements that failed to load in a row (each waits longer before the next try). */
  private failedLoads = 0;
  private respawnTimer: NodeJS.Timeout | null = null;
  private nextId = 0;
  private closing = false;
  private config: WorkerConfig;
  private readonly size: number;
  private readonly maxMemoryMb: number;
  /** Where the pool reports workers it stopped or lost. */
  log: PoolLog | null = null;
  /** Where runs find other roots' shared nodes (none: a run sees its own root only). */
  shares: ShareIndex | null = null;
  /** Workers started so far, the first ones included (a test and the log read it). */
  started = 0;
  /** Commits the workers began (one per batch of runs on a root that changed it). */
  commits = 0;

  private constructor(
    config: WorkerConfig,
    size: number,
    maxMemoryMb: number,
    public manifest: AppManifest,
  ) {
    this.config = config;
    this.size = size;
    this.maxMemoryMb = maxMemoryMb;
  }

  /** Starts the workers; resolves once every one has loaded the program. */
  static async start(options: PoolOptions): Promise<WorkerPool> {
    const config: WorkerConfig = {
      files: options.files,
      dataDir: options.dataDir,
      storeUrl: options.storeUrl ?? null,
      showReturns: options.showReturns ?? false,
      maxSteps: options.maxSteps ?? 50_000_000,
      maxMillis: options.maxMillis ?? 30_000,
      cacheMb: options.cacheMb ?? 256,
      cacheIdleSeconds: options.cacheIdleSeconds ?? 600,
      print: options.print ?? false,
    };
    const size = Math.max(1, Math.floor(options.workers ?? availableParallelism()));
    const pool = new WorkerPool(config, size, options.maxMemoryMb ?? 1024, { files: options.files, walkers: [], nodeTypes: [] });
    pool.rootsKept = Math.max(1, options.rootsKept ?? ROOTS_KEPT);
    pool.manifest = await pool.startGeneration(config);
    return pool;
  }

  /** Roots the pool keeps a state of (a test reads it). */
  get rootsKnown(): number {
    return this.roots.size;
  }

  /**
   * Forgets the first-seen root that nothing holds, waits for or runs on (not `except`, just
   * added): every user's root gets a state, so without a bound they would grow with the users
   * served. Its tag goes with it, so its next run is told to read it again (never a stale copy).
   */
  private forgetOneRoot(except: string): boolean {
    for (const [root, s] of this.roots) {
      if (root !== except && s.holder === null && s.outstanding === 0 && s.wanted === 0 && s.alone === 0) {
        this.roots.delete(root);
        return true;
      }
    }
    return false;
  }

  /** The number of live workers. */
  get workers(): number {
    return this.slots.filter((s) => !s.retiring).length;
  }

  /**
   * Runs a walker job; resolves with its answer (never rejects). A run that meets an id in no
   * root it holds is run again, holding the root the share hints name for it, or knowing that the
   * id is in none the caller may reach.
   */
  async walk(job: Omit<WalkJob, 'id' | 'expect' | 'kind' | 'reach' | 'unreachable'>): Promise<RunAnswer> {
    // A shared entry node found before is held from the first run (the worker still checks access).
    const reach: string[] = job.node !== null ? [...(this.entryRoots.get(job.node) ?? [])].filter((r) => r !== job.root) : [];
    const unreachable: string[] = [];
    for (let round = 0; ; round++) {
      // Object.assign rather than spreads: a spread followed by more properties costs V8 microseconds per run.
      const answer = await this.submit(
        Object.assign(
          { kind: 'walk' as const },
          job,
          reach.length > 0 ? { reach: reach.map((root) => ({ root, expect: 'held' as const })) } : null,
          unreachable.length > 0 ? { unreachable } : null,
        ),
      );
      if (answer.status !== 'reach') return answer;
      let found: string[] = [];
      try {
        // A remote edge names the root of its far end; the worker checks what it grants.
        found = round >= MAX_REACH_ROUNDS ? [] : answer.root ? [answer.root] : await this.rootsHolding(answer.id, job.root);
      } catch (e) {
        return { status: 503, name: 'StoreUnavailable', message: `the share hints could not be read: ${(e as Error).message}` };
      }
      const fresh = found.filter((r) => r !== job.root && !reach.includes(r)).slice(0, MAX_REACHED_ROOTS - reach.length);
      if (fresh.length > 0) reach.push(...fresh);
      else unreachable.push(answer.id);
      if (answer.id === job.node && fresh.length > 0) this.rememberEntry(job.node, fresh);
    }
  }

  /** Shared entry nodes met lately, with the roots that may hold them (oldest first, at most ENTRY_ROOTS_KEPT). */
  private readonly entryRoots = new Map<string, string[]>();

  private rememberEntry(node: string, roots: string[]): void {
    this.entryRoots.delete(node);
    this.entryRoots.set(node, roots);
    if (this.entryRoots.size > ENTRY_ROOTS_KEPT) this.entryRoots.delete(this.entryRoots.keys().next().value!);
  }

  /** The roots that may hold `id` for `caller`: the one its share hint names, and roots shared with the caller whole. */
  private async rootsHolding(id: string, caller: string): Promise<string[]> {
    if (!this.shares) return [];
    const hint = await this.shares.findShare(id);
    const named = hint && (hint.grantees === 'all' || hint.grantees.includes(caller)) ? [hint.owner] : [];
    const whole = await this.shares.sharedRoots(caller, MAX_REACHED_ROOTS);
    return [...new Set([...named, ...whole])];
  }

  /** Whether `node` is a node of `root`'s graph. */
  async hasNode(root: string, node: string): Promise<boolean> {
    const answer = await this.submit({ kind: 'has-node', root, node });
    if ('exists' in answer) return answer.exists;
    if (answer.status === 500 || answer.status === 503) throw Object.assign(new Error(answer.message), { name: answer.name, statusCode: answer.status });
    return false;
  }

  /**
   * Loads `files` in a new set of workers. When they load, new leases go to them and the old
   * workers close once their jobs are done; when they do not, the old ones keep serving and the
   * diagnostics are thrown as a PoolLoadError.
   */
  async reload(files: string[]): Promise<AppManifest> {
    const config = { ...this.config, files };
    const previous = [...this.slots]; // startGeneration adds the new workers to this.slots
    this.manifest = await this.startGeneration(config);
    this.config = config;
    for (const slot of previous) {
      slot.retiring = true;
      if (slot.jobs.size === 0) this.closeSlot(slot);
    }
    return this.manifest;
  }

  /** Waits for every job under way, then ends the workers. */
  async close(): Promise<void> {
    this.closing = true;
    if (this.respawnTimer) clearTimeout(this.respawnTimer);
    if (this.waiting.length > 0) await new Promise<void>((resolve) => this.onDrained.push(resolve));
    await Promise.all(this.slots.map((slot) => this.closeSlot(slot)));
  }

  // ---- workers ----

  private async startGeneration(config: WorkerConfig): Promise<AppManifest> {
    const fresh = Array.from({ length: this.size }, () => this.spawn(config));
    const loaded = await Promise.all(fresh.map((f) => f.loaded));
    const failed = loaded.find((l): l is { failure: string } => 'failure' in l);
    if (failed) {
      for (const f of fresh) void f.slot.worker.terminate();
      throw new PoolLoadError(failed.failure);
    }
    this.slots.push(...fresh.map((f) => f.slot));
    return (loaded[0] as { manifest: AppManifest }).manifest;
  }

  private spawn(config: WorkerConfig): { slot: Slot; loaded: Promise<{ manifest: AppManifest } | { failure: string }> } {
    const resourceLimits = { maxOldGenerationSizeMb: this.maxMemoryMb };
    const worker = WORKER_URL
      ? new Worker(WORKER_URL, { workerData: config, resourceLimits })
      : // Run from the TypeScript sources (tests): the worker registers tsx before loading the entry.
        new Worker(
          `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}).then((m) => { m.register(); return import(${JSON.stringify(new URL('./run-worker.ts', import.meta.url).href)}); })`,
          { eval: true, workerData: config, resourceLimits },
        );
    this.started++;
    const slot: Slot = { worker, name: `w${worker.threadId}`, ready: false, retiring: false, jobs: new Map(), phase: 'idle', timer: null, stopReason: null, current: null, onIdle: null, outbox: [] };
    const loaded = new Promise<{ manifest: AppManifest } | { failure: string }>((resolve) => {
      worker.once('exit', (code) => resolve({ failure: `a run worker stopped while loading the program (exit code ${code})` }));
      worker.on('message', (m: WorkerMessage) => {
        if (m.kind === 'ready') {
          slot.ready = true;
          // An idle worker does not keep the process alive; one with jobs (dispatch) or being closed (closeSlot) does.
          if (slot.jobs.size === 0 && !slot.retiring) worker.unref();
          if (this.slots.includes(slot)) this.failedLoads = 0;
          resolve({ manifest: m.manifest });
          this.pump();
        } else if (m.kind === 'load-failed') resolve({ failure: m.message });
        else this.onMessage(slot, m);
      });
    });
    worker.on('error', (e: Error & { code?: string }) => {
      if (e.code === 'ERR_WORKER_OUT_OF_MEMORY') slot.stopReason ??= 'memory';
      else {
        slot.stopReason ??= 'crash';
        this.log?.error({ worker: slot.name, err: e }, 'run worker failed');
      }
    });
    worker.on('exit', () => this.onExit(slot));
    return { slot, loaded };
  }

  /** Ends a worker once its jobs are done. */
  private closeSlot(slot: Slot): Promise<void> {
    const exited = new Promise<void>((resolve) => (slot.worker.threadId === -1 ? resolve() : slot.worker.once('exit', () => resolve())));
    const finish = () => {
      // Closing its port lets the worker's event loop end by itself (so it writes coverage, flushes output).
      slot.worker.ref();
      slot.worker.postMessage({ kind: 'close' } satisfies ToWorker);
      setTimeout(() => void slot.worker.terminate(), 5_000).unref();
    };
    slot.retiring = true;
    if (slot.jobs.size === 0) finish();
    else slot.onIdle = finish;
    return exited;
  }

  private arm(slot: Slot, phase: Slot['phase'], ms: number, reason: Slot['stopReason']): void {
    if (slot.timer) clearTimeout(slot.timer);
    slot.phase = phase;
    slot.timer =
      phase === 'idle'
        ? null
        : setTimeout(() => {
            slot.stopReason = reason;
            void slot.worker.terminate();
          }, ms);
  }

  private onMessage(slot: Slot, m: WorkerMessage): void {
    switch (m.kind) {
      case 'started': {
        const p = slot.jobs.get(m.id);
        if (!p) return;
        p.state = 'started';
        slot.current = p;
        this.arm(slot, 'run', this.config.maxMillis + GRACE_MS, 'time');
        return;
      }
      case 'ran': {
        const p = slot.jobs.get(m.id);
        if (p) p.state = 'ran';
        slot.current = null;
        this.arm(slot, 'idle', 0, null);
        return;
      }
      case 'committing':
        this.commits++;
        this.arm(slot, 'commit', COMMIT_TIMEOUT_MS, 'commit');
        return;
      case 'done': {
        if (slot.phase === 'commit') this.arm(slot, 'idle', 0, null);
        const p = slot.jobs.get(m.id);
        if (!p) return;
        slot.jobs.delete(m.id);
        for (const [root, tag] of [[p.job.root, m.tag] as const, ...(m.reached ?? [])]) {
          const state = this.roots.get(root)!;
          state.tag = tag;
          if (--state.outstanding === 0) {
            state.holder = null;
            state.last = slot;
          }
        }
        if (m.hints && this.shares) {
          // Written before the answer, so the caller's next request finds what it shared.
          const hints = m.hints;
          void this.shares.putShares(hints).then(
            () => p.resolve(m.answer),
            (e: Error) => {
              this.log?.error({ err: e }, 'share hints were not written');
              p.resolve(m.answer);
            },
          );
        } else p.resolve(m.answer);
        if (slot.jobs.size === 0) {
          slot.worker.unref();
          slot.onIdle?.();
          this.pump();
        }
        return;
      }
      default:
        return;
    }
  }

  /** A worker ended: answer what it ran, send what it had not begun elsewhere, replace it. */
  private onExit(slot: Slot): void {
    if (slot.timer) clearTimeout(slot.timer);
    const wasServing = this.slots.includes(slot);
    this.slots = this.slots.filter((s) => s !== slot);
    if (!wasServing) return; // a generation that did not load, or a closed worker
    const reason = slot.stopReason ?? 'crash';
    const resend: Pending[] = [];
    for (const p of slot.jobs.values()) {
      if (p.state === 'sent') resend.push(p);
      else p.resolve(this.stoppedAnswer(p, p === slot.current ? reason : null));
    }
    // The leases it held end; what it had committed or not is unknown, so every copy is read again.
    for (const state of this.roots.values()) {
      if (state.holder === slot) {
        state.holder = null;
        state.outstanding = 0;
        state.tag = null;
      }
      if (state.last === slot) state.last = null;
    }
    if (slot.current || reason !== 'crash') {
      this.log?.warn({ worker: slot.name, reason, root: slot.current?.job.root }, `run worker stopped (${describeReason(reason, this.config.maxMillis, this.maxMemoryMb)}); a new one replaces it`);
    }
    if (!slot.retiring && !this.closing) {
      if (slot.ready) this.replace();
      else {
        // A replacement that did not load (its files changed on disk?) is tried again later, not in a loop.
        this.failedLoads++;
        this.respawnTimer = setTimeout(() => this.replace(), Math.min(30_000, 500 * 2 ** this.failedLoads));
        this.respawnTimer.unref();
      }
    }
    // Jobs it had not begun go first to the next idle worker, in the order they came.
    const again = resend.filter((p) => ++p.attempts < MAX_ATTEMPTS);
    for (const p of resend) if (!again.includes(p)) p.resolve(unavailable('no run worker could take the job'));
    for (const p of again) this.wait(p, 1);
    this.waiting.unshift(...again);
    this.pump();
  }

  private replace(): void {
    this.respawnTimer = null;
    if (this.closing) return;
    const { slot, loaded } = this.spawn(this.config);
    this.slots.push(slot);
    void loaded.then((l) => {
      if ('failure' in l) this.log?.error({ worker: slot.name }, `a replacement run worker did not load: ${l.failure}`);
    });
  }

  private stoppedAnswer(p: Pending, reason: Slot['stopReason']): Answer {
    switch (reason) {
      case 'time':
        return { status: 500, name: 'WalkerBudgetExhausted', message: `time budget exhausted after ${this.config.maxMillis} ms (the run was stopped from outside; its changes are discarded)` };
      case 'memory':
        return { status: 500, name: 'WalkerMemoryExhausted', message: `memory budget exhausted: the run needed more than the worker's ${this.maxMemoryMb} MB heap (its changes are discarded)` };
      case 'commit':
        return { status: 500, name: 'CommitFailed', message: `the commit did not finish within ${COMMIT_TIMEOUT_MS} ms; its worker was stopped` };
      default:
        return {
          status: 500,
          name: 'RunDiscarded',
          message: p.state === 'ran' ? 'the run ended, but its worker stopped before its changes were saved (another run on the worker was stopped)' : 'the worker running it stopped',
        };
    }
  }

  // ---- scheduling ----

  private submit(job: Dispatchable): Promise<Answer> {
    if (this.closing) return Promise.resolve(unavailable('the server is stopping'));
    return new Promise<Answer>((resolve) => this.dispatch({ job: Object.assign({}, job, { id: ++this.nextId, expect: 'held' as const }) as Job, resolve, state: 'sent', attempts: 0 }));
  }

  private dispatch(p: Pending): void {
    p.state = 'sent';
    const state = this.rootState(p.job.root);
    if (rootsOf(p.job).length === 1 && state.holder && state.wanted === 0) this.send(state.holder, p, 'held');
    else {
      this.wait(p, 1);
      this.waiting.push(p);
      this.pump();
    }
  }

  /** A job joins (+1) or leaves (-1) `waiting`: counted on its roots (`wanted`), or on its one root (`alone`). */
  private wait(p: Pending, by: 1 | -1): void {
    const roots = rootsOf(p.job);
    if (roots.length > 1) for (const root of roots) this.rootState(root).wanted += by;
    else this.rootState(p.job.root).alone += by;
  }

  /**
   * Gives waiting jobs to idle workers, oldest first: the first whose roots no worker holds and no
   * older waiting job waits for, with every later waiting job on those roots alone.
   */
  private pump(): void {
    while (this.waiting.length > 0) {
      const open = this.slots.filter((s) => !s.retiring);
      if (open.length === 0 || (this.failedLoads > 0 && !open.some((s) => s.ready))) {
        // Nothing can take them: the pool is closing, or its replacement workers do not load.
        for (const p of this.waiting.splice(0)) {
          this.wait(p, -1);
          p.resolve(unavailable(this.closing ? 'the server is stopping' : 'no run worker could load the program'));
        }
        break;
      }
      const idle = open.filter((s) => s.ready && s.jobs.size === 0);
      if (idle.length === 0) return;
      const reserved = new Set<string>();
      const at = this.waiting.findIndex((p) => {
        const roots = rootsOf(p.job);
        if (roots.every((r) => !reserved.has(r) && this.rootState(r).holder === null)) return true;
        for (const r of roots) reserved.add(r);
        return false;
      });
      if (at === -1) return;
      const first = this.waiting[at];
      const roots = rootsOf(first.job);
      const state = this.rootState(first.job.root);
      // The worker that held the root last likely has its graph.
      const slot = state.last && idle.includes(state.last) ? state.last : idle[0];
      for (const r of roots) this.rootState(r).holder = slot;
      this.wait(first, -1);
      if (first.job.kind === 'walk' && first.job.reach) for (const r of first.job.reach) r.expect = { tag: this.rootState(r.root).tag };
      // Only when other jobs wait on these roots alone is the queue walked for them: with thousands
      // of requests waiting on as many roots, walking it for each one given out cost quadratic time.
      let same: Pending[] = [];
      if (roots.some((r) => this.rootState(r).alone > 0)) {
        same = this.waiting.filter((p, i) => i > at && rootsOf(p.job).length === 1 && roots.includes(p.job.root) && !reserved.has(p.job.root));
        for (const p of same) this.wait(p, -1);
      }
      if (same.length === 0) this.waiting.splice(at, 1);
      else {
        const taken = new Set(same).add(first);
        this.waiting = this.waiting.filter((p) => !taken.has(p));
      }
      this.send(slot, first, { tag: state.tag });
      for (const p of same) this.send(slot, p, 'held');
    }
    for (const resolve of this.onDrained.splice(0)) resolve();
  }

  private send(slot: Slot, p: Pending, expect: Job['expect']): void {
    p.job.expect = expect;
    for (const root of rootsOf(p.job)) this.rootState(root).outstanding++;
    slot.jobs.set(p.job.id, p);
    slot.worker.ref();
    if (slot.outbox.push(p.job) === 1) {
      setImmediate(() => {
        const jobs = slot.outbox.splice(0);
        if (this.slots.includes(slot)) slot.worker.postMessage({ kind: 'jobs', jobs } satisfies ToWorker);
      });
    }
  }

  private rootState(root: string): RootState {
    let state = this.roots.get(root);
    if (!state) {
      this.roots.set(root, (state = { tag: null, holder: null, outstanding: 0, last: null, wanted: 0, alone: 0 }));
      while (this.roots.size > this.rootsKept && this.forgetOneRoot(root));
    }
    return state;
  }
}

function unavailable(message: string): Answer {
  return { status: 500, name: 'WorkerUnavailable', message };
}

function describeReason(reason: NonNullable<Slot['stopReason']>, maxMillis: number, maxMemoryMb: number): string {
  switch (reason) {
    case 'time':
      return `a run passed its time budget of ${maxMillis} ms`;
    case 'memory':
      return `a run passed the worker's heap limit of ${maxMemoryMb} MB`;
    case 'commit':
      return 'a commit did not finish';
    default:
      return 'it failed';
  }
}
