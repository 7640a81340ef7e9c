// The embedded store's background jobs: files of their own (job-journal.ts: a snapshot and a
// journal, so a change writes the jobs it changed, never the whole queue), and never the users and
// keys' file (a busy queue never delays a login). Changes go through a SystemFile: applied in
// memory at once (so two claims in this process never take one job), durable before they
// resolve, undone when their write fails.
// The process owns its data dir (lock.ts), so a job left STARTED by the previous process is one
// whose taker died: opening the file makes its lease end at once, and it is due again.
import { EndedRuns } from './ended-runs.ts';
import { RootTurns } from './root-turns.ts';
import { copyJson } from './json-copy.ts';
import { type JobData, JobJournal, type SnapshotWriter } from './job-journal.ts';
import type { FoldFailed } from './journal-generations.ts';
import { SystemFile } from './system-file.ts';
import { jsonChars, QueuedChars } from './queued-chars.ts';
import { keptAfterRoom, ReplayRoom } from './replay-room.ts';
import { applyTold, type ClaimedJob, type DeliveryOutcome, type DeliveryRecord, type FireResult, type JobQueue, type JobRecord, type JobResult, type Json, type LogWrite, type NewJob, type ScheduleState, StoreError, type ToldDelivery } from './store.ts';

/**
 * The most delivery log entries the data dir keeps. Each is held in memory (about 1 KB, plus the
 * delivery's fields, kept for replay): a sender's steady traffic cannot grow the server's memory
 * without bound within the log's retention.
 */
export const MAX_LOGGED_DELIVERIES = 20_000;

/**
 * The most ended runs (COMPLETED, ERROR, CANCELLED) the data dir keeps, whatever the retention:
 * each is held in memory with its fields and result, so a busy queue (a sender's deliveries
 * answered 202, say) cannot grow the server's memory for the whole retention.
 */
export const MAX_ENDED_JOBS = 20_000;

/**
 * The most characters of JSON the ended runs kept may take (about 64 MB): each keeps its fields
 * and its result, and 20,000 runs of large request bodies (deliveries answered 202) or large
 * reports would hold gigabytes.
 */
export const MAX_ENDED_CHARS = 64 * 1024 * 1024;

/** What a JobFile holds at most, and when it folds its journal. */
export interface JobFileLimits {
  /** The journal size past which it is folded into a new snapshot (tests make it small). */
  foldMinBytes?: number;
  /** The most delivery log entries kept (the oldest go first). */
  maxDeliveries?: number;
  /** The most characters of JSON kept of logged deliveries' fields for replay (the oldest give theirs up first). */
  maxReplayChars?: number;
  /** The most ended jobs kept (the oldest go first). */
  maxEndedJobs?: number;
  /** The most characters of JSON the ended jobs kept may take (the oldest go first). */
  maxEndedChars?: number;
  /** How a fold writes its snapshot (tests hold it, to see the files while a fold is under way). */
  writeSnapshot?: SnapshotWriter;
  /** Hears of a fold that failed (it is tried again later). */
  foldFailed?: FoldFailed;
}

/** What a job that ran out of attempts while its runner was gone ends with. */
export const RUNNER_LOST: JobResult = { httpStatus: 500, reports: null, returns: null, errorId: null, error: 'the run was cut off (its runner stopped) on every attempt' };

const iso = (ms: number) => new Date(ms).toISOString();
const ENDED = new Set<string>(['COMPLETED', 'ERROR', 'CANCELLED']);
const OPEN = new Set<string>(['PENDING', 'STARTED']);

/**
 * A run not to be kept that completed (a scheduled walker's that does not save its runs): gone
 * for every reader at once, it leaves the file with the next ended runs that go: one change for
 * them all, rather than a change (a line and a write) each.
 */
const completedUnkept = (j: JobRecord): boolean => j.status === 'COMPLETED' && !j.keep;

/** A job record of its own (the data is JSON: copied field by field, not cloned as any value). */
const copyJob = (j: JobRecord): JobRecord => copyJson(j as unknown as Json) as unknown as JobRecord;
const copyResult = (r: JobResult): JobResult => copyJson(r as unknown as Json) as unknown as JobResult;

/** A job as it is first stored: PENDING, due at once or at its `runAfter`. */
function newRecord(job: NewJob): JobRecord {
  const now = iso(Date.now());
  // Object.assign, not a spread followed by a dozen properties: V8 makes that a slow dictionary
  // object, at tens of microseconds for each job queued. The fields are copied now because the
  // durable copy is made from this record after the write, when the caller may have changed them;
  // from here on nothing changes them (memory's record and the durable copy's share them).
  return Object.assign({}, job, { fields: copyJson(job.fields), allowedNodes: job.allowedNodes && [...job.allowedNodes], schedule: job.schedule ?? null, internal: job.internal ?? false, keep: job.keep ?? true, runAfter: job.runAfter ?? now, status: 'PENDING' as const, attempts: 0, enqueuedAt: now, startedAt: null, finishedAt: null, leaseUntil: null, result: null });
}

export class JobFile implements JobQueue {
  /** Which due job a claim takes: roots take turns. */
  private readonly turns = new RootTurns();

  private job(d: JobData, id: string): JobRecord | undefined {
    return d.jobs.get(id);
  }

  /** Jobs ended since the ended ones were last looked at. */
  private endedSinceCount = 0;

  /**
   * Memory's queue as counted once asked for: its open runs' characters (`queuedChars`) and its
   * ended runs, kept as changes touch runs, for `countedFor`: memory rebuilt after a failed write is
   * another object, counted again whole when next asked (what was measured before is reused).
   */
  private queued = new QueuedChars();
  private endedRuns = new EndedRuns();
  private countedFor: JobData | null = null;

  /** Part of a change: the job `id` was written or removed; memory's counts follow it. */
  private touch(d: JobData, id: string): void {
    this.db.touchJob(d, id);
    if (d !== this.countedFor) return; // the durable copy, or memory not counted since it was rebuilt
    this.count(id, this.job(d, id));
  }

  /** Counts the job `id` as `j` now is (undefined: gone); `before` measured it earlier, if at all. */
  private count(id: string, j: JobRecord | undefined, before?: { queued: QueuedChars; ended: EndedRuns }): void {
    if (j && OPEN.has(j.status)) {
      this.queued.open(id, j.root, () => before?.queued.charsOf(id) ?? jsonChars(j.fields));
      this.endedRuns.forget(id);
      return;
    }
    this.queued.close(id);
    if (!j) this.endedRuns.forget(id);
    else if (completedUnkept(j)) this.endedRuns.completedUnkept(id);
    else this.endedRuns.ended(id, () => before?.ended.sizeOf(id) ?? JSON.stringify(j).length);
  }

  /** The characters of the fields of `root`'s open runs (PENDING, STARTED), and of all open runs. */
  queuedChars(root: string): { root: number; all: number } {
    this.counted();
    return this.queued.of(root);
  }

  /** Memory's queue is counted (again, whole, when memory is not the one counted). */
  private counted(): void {
    const data = this.file.data;
    if (data === this.countedFor) return;
    const before = { queued: this.queued, ended: this.endedRuns };
    this.queued = new QueuedChars();
    this.endedRuns = new EndedRuns();
    for (const j of data.jobs.values()) this.count(j.id, j, before);
    this.countedFor = data;
  }

  private constructor(
    private readonly file: SystemFile<JobData>,
    private readonly db: JobJournal,
    private readonly maxDeliveries: number,
    private readonly maxEndedJobs: number,
    private readonly replays: ReplayRoom,
    private readonly maxEndedChars: number,
  ) {}

  static async open(dir: string, limits: JobFileLimits = {}): Promise<JobFile> {
    const db = await JobJournal.open(dir, limits.foldMinBytes, limits.writeSnapshot, limits.foldFailed);
    // The previous owner of the dir is gone: what it had taken is due again (in memory only:
    // every open does this again, and claiming the job writes it).
    for (const j of db.data.jobs.values()) {
      if (j.status === 'STARTED') j.leaseUntil = iso(0);
      // Runs not kept that completed before the last close are left out (a fold then drops them from the files).
      else if (completedUnkept(j)) db.data.jobs.delete(j.id);
    }
    const replays = new ReplayRoom(limits.maxReplayChars);
    replays.count(db.data.deliveries);
    const copy = (data: JobData): JobData => {
      const copied = structuredClone(data);
      replays.copied(data.deliveries, copied.deliveries);
      return copied;
    };
    return new JobFile(new SystemFile(db, undefined, copy), db, limits.maxDeliveries ?? MAX_LOGGED_DELIVERIES, limits.maxEndedJobs ?? MAX_ENDED_JOBS, replays, limits.maxEndedChars ?? MAX_ENDED_CHARS);
  }

  /**
   * `n` jobs may have ended. Once a hundredth of the limit has since the last look, the ended runs
   * (counted as they end) are looked at; past the limit the earliest ended leave in one change
   * until nine tenths of it are kept, and then, while the rest take more than their room, the
   * earliest of them until they take nine tenths of that. A removal costs what leaves (in memory,
   * then on the durable copy), and a tenth at once makes one change and one line of it rather
   * than one per look past the limit. The change removes the jobs this look found, so it does the
   * same to the durable copy when its write lands; a write that fails leaves them for the next
   * look. Runs not kept that completed leave at every look, and count toward none of the limits.
   */
  private ended(n = 1): void {
    this.endedSinceCount += n;
    if (this.endedSinceCount < Math.max(1, Math.floor(this.maxEndedJobs / 100))) return;
    this.endedSinceCount = 0;
    this.counted();
    const gone = this.endedRuns.leaving(this.maxEndedJobs, this.maxEndedChars);
    if (gone.length === 0) return;
    this.file
      .change((d) => {
        // Ended ones only: applied again after a failed write, an end this look saw may be undone.
        for (const id of gone) if (ENDED.has(this.job(d, id)?.status ?? '')) this.remove(d, id);
      })
      .catch(() => undefined);
  }

  enqueueJob(job: NewJob, logged?: DeliveryRecord): Promise<void> {
    const record = newRecord(job);
    // A log entry that keeps for replay the very fields the job runs with (a delivery answered
    // 202) holds the job's copy of them: one in memory for both.
    const entry = logged?.replay && logged.replay.fields === job.fields ? Object.assign({}, logged, { replay: Object.assign({}, logged.replay, { fields: record.fields }) }) : logged;
    return this.file.change((d) => {
      const there = this.job(d, record.id);
      if (there && !completedUnkept(there)) throw new StoreError(`a job ${record.id} exists`, 'JAC_STORE_VALUE');
      // A run not kept that completed under this id is gone already: it makes way at once.
      if (there) this.remove(d, there.id);
      // Applied to memory and, once written, to the durable copy: a record each (a claim or an
      // end changes it in place), sharing the fields, which never change.
      this.push(d, Object.assign({}, record));
      if (entry && !d.deliveries.has(entry.id)) this.addLogged(d, entry);
    });
  }

  /**
   * Part of a change: the ended job `id` leaves the queue. The roots' turns hold open jobs only,
   * so they stand as they are.
   */
  private remove(d: JobData, id: string): void {
    d.jobs.delete(id);
    this.touch(d, id);
  }

  /** Part of a change: `job` joins the queue (and, in memory, its root's turn). */
  private push(d: JobData, job: JobRecord): void {
    d.jobs.set(job.id, job);
    this.touch(d, job.id);
    if (d === this.file.data) this.turns.queued(d.jobs, job);
  }

  async countOpenJobs(root: string, atMost: number): Promise<number> {
    // The open runs are counted as they change (for their characters): no walk of the queue.
    this.counted();
    return Math.min(this.queued.runsOf(root), atMost);
  }

  async claimJob(leaseMs: number): Promise<ClaimedJob | null> {
    const now = Date.now();
    const picked = this.turns.pick(this.file.data.jobs, now, (j) => j.attempts >= j.maxAttempts);
    const taken = picked.job;
    const lost = picked.lost.map((j) => j.id);
    if (!taken && lost.length === 0) return null;
    const id = taken?.id ?? null;
    // Now, not once written: a claim made meanwhile must see this root's turn taken.
    if (taken) this.turns.took(taken.root);
    await this.file.change((d) => {
      const find = (jobId: string) => {
        const j = this.job(d, jobId);
        if (!j) throw new StoreError(`the job ${jobId} was not written`, 'JAC_STORE_IO'); // its enqueue's write failed
        return j;
      };
      // Every record is found before any is changed (a change throws before it modifies anything).
      const ended = lost.map(find);
      const started = id === null ? null : find(id);
      for (const j of ended) {
        Object.assign(j, { status: 'ERROR', finishedAt: iso(now), leaseUntil: null, result: copyResult(RUNNER_LOST) });
        this.touch(d, j.id);
      }
      if (started) {
        Object.assign(started, { status: 'STARTED', attempts: started.attempts + 1, startedAt: iso(now), leaseUntil: iso(now + leaseMs) });
        this.touch(d, started.id);
      }
    });
    if (lost.length > 0) this.ended(lost.length);
    if (id === null) return this.claimJob(leaseMs);
    const job = copyJob(this.job(this.file.data, id)!);
    return { job, attempt: job.attempts };
  }

  async finishJob(id: string, attempt: number, status: 'COMPLETED' | 'ERROR', result: JobResult, logged?: DeliveryOutcome): Promise<boolean> {
    const held = await this.update(id, attempt, (j, d) => {
      Object.assign(j, { status, finishedAt: iso(Date.now()), leaseUntil: null, result: copyResult(result) });
      this.logOutcome(d, id, logged);
    });
    if (held) this.ended();
    return held;
  }

  async retryJob(id: string, attempt: number, delayMs: number, result: JobResult, logged?: DeliveryOutcome): Promise<boolean> {
    const held = await this.update(id, attempt, (j, d) => {
      const now = Date.now();
      if (j.attempts >= j.maxAttempts) {
        Object.assign(j, { status: 'ERROR', finishedAt: iso(now), leaseUntil: null, result: copyResult(result) });
        this.logOutcome(d, id, logged);
      } else Object.assign(j, { status: 'PENDING', runAfter: iso(now + delayMs), leaseUntil: null, result: copyResult(result) });
    });
    if (held) this.ended(); // (or was put back in the queue: counted alike)
    return held;
  }

  /** Part of a job's change: its delivery's log entry (the same id), if any, takes the run's outcome. */
  private logOutcome(d: JobData, id: string, logged: DeliveryOutcome | undefined): void {
    if (logged) this.changeLogged(d, id, (x) => ({ ...x, ...logged }));
  }

  async findJob(id: string): Promise<JobRecord | null> {
    const j = this.job(this.file.data, id);
    return j && !completedUnkept(j) ? copyJob(j) : null;
  }

  async listJobs(): Promise<JobRecord[]> {
    const out: JobRecord[] = [];
    for (const j of this.file.data.jobs.values()) if (!completedUnkept(j)) out.push(copyJob(j));
    return out;
  }

  requeueJob(id: string): Promise<boolean> {
    // An ended job is open again: it waits in its root's turn (and it will end with another result).
    this.turns.forget();
    return this.set(id, (j) => j.status === 'ERROR' || j.status === 'CANCELLED', (j) => {
      Object.assign(j, { status: 'PENDING', attempts: 0, runAfter: iso(Date.now()), startedAt: null, finishedAt: null, leaseUntil: null, result: null });
    });
  }

  async cancelJob(id: string): Promise<boolean> {
    const cancelled = await this.set(id, (j) => j.status === 'PENDING', (j) => Object.assign(j, { status: 'CANCELLED', finishedAt: iso(Date.now()) }));
    if (cancelled) this.ended();
    return cancelled;
  }

  /** Applies `change` to the job when `allowed` says it may; false when it may not, or there is no such job. */
  private async set(id: string, allowed: (j: JobRecord) => boolean, change: (j: JobRecord) => void): Promise<boolean> {
    const found = this.job(this.file.data, id);
    if (found === undefined || !allowed(found)) return false;
    await this.file.change((d) => {
      const j = this.job(d, id);
      if (j && allowed(j)) {
        change(j);
        this.touch(d, id);
      }
    });
    return true;
  }

  async pruneJobs(before: string): Promise<number> {
    const cutoff = Date.parse(before);
    const old = (j: JobRecord) => j.finishedAt !== null && j.status !== 'PENDING' && j.status !== 'STARTED' && Date.parse(j.finishedAt) < cutoff;
    let n = 0;
    for (const j of this.file.data.jobs.values()) if (old(j) && !completedUnkept(j)) n++; // those gone already are not counted
    if (n === 0) return 0;
    await this.file.change((d) => {
      for (const j of d.jobs.values()) if (old(j)) this.remove(d, j.id); // (a Map's iteration goes on past a delete)
    });
    return n;
  }

  async renewJobs(held: { id: string; attempt: number }[], leaseMs: number): Promise<void> {
    const until = iso(Date.now() + leaseMs);
    const holding = (d: JobData) => held.flatMap((h) => {
      const j = this.job(d, h.id);
      return j && j.status === 'STARTED' && j.attempts === h.attempt ? [j] : [];
    });
    if (holding(this.file.data).length === 0) return;
    await this.file.change((d) => {
      for (const j of holding(d)) {
        j.leaseUntil = until;
        this.touch(d, j.id);
      }
    });
  }

  async registerSchedule(key: string): Promise<ScheduleState> {
    const known = this.file.data.schedules[key];
    if (known) return { ...known };
    const state: ScheduleState = { registeredAt: iso(Date.now()), lastTick: null };
    await this.file.change((d) => {
      d.schedules[key] ??= { ...state };
      this.db.touchSchedule(d, key);
    });
    return { ...this.file.data.schedules[key] };
  }

  async fireSchedule(key: string, tick: string, job: NewJob, maxInstances: number): Promise<FireResult> {
    // One process owns the file, and the in-memory copy changes at once: the check and the
    // change below cannot interleave with another fire.
    const state = this.file.data.schedules[key];
    if (state?.lastTick && Date.parse(state.lastTick) >= Date.parse(tick)) return 'taken';
    let unfinished = 0;
    for (const j of this.file.data.jobs.values()) if (j.schedule === key && OPEN.has(j.status)) unfinished++;
    const busy = unfinished >= maxInstances;
    const record = newRecord({ ...job, schedule: key });
    await this.file.change((d) => {
      d.schedules[key] = { registeredAt: d.schedules[key]?.registeredAt ?? iso(Date.now()), lastTick: tick };
      this.db.touchSchedule(d, key);
      if (!busy) this.push(d, copyJob(record));
    });
    return busy ? 'busy' : 'fired';
  }

  // Logged deliveries are never changed in place: a change sets a new record, so memory and the
  // durable copy share each record instead of holding one copy each.

  /** `record` is the log's from now on (the caller makes it for the log, and keeps no hold on it). */
  logDelivery(record: DeliveryRecord, how: LogWrite = {}): Promise<void> {
    return this.file.change((d) => {
      if (d.deliveries.has(record.id)) throw new StoreError(`a delivery ${record.id} is logged`, 'JAC_STORE_VALUE');
      this.addLogged(d, record);
    }, how);
  }

  /** Each `record` told is the log's from now on, as `logDelivery`'s. */
  tellDeliveries(told: ToldDelivery[], how: LogWrite = {}): Promise<void> {
    return this.file.change((d) => {
      for (const t of told) {
        if (!d.deliveries.has(t.record.id)) this.addLogged(d, t.record);
        else this.changeLogged(d, t.record.id, (x) => applyTold(x, t));
      }
    }, how);
  }

  /** Part of a change: `record` joins the log (it has no entry of its id). */
  private addLogged(d: JobData, record: DeliveryRecord): void {
    d.deliveries.set(record.id, record);
    this.db.touchDelivery(d, record.id);
    this.replays.changed(d.deliveries, undefined, record);
    // The log is held in memory: past its size, a tenth of it makes room at once. Making room
    // walks the whole log (to count each owner's entries, then from its oldest), and every change
    // runs twice (in memory, then on the durable copy): at a hundredth, a full log's walks cost a
    // busy signed route about as much as its HMAC.
    if (d.deliveries.size > this.maxDeliveries) this.makeRoom(d);
    this.replays.makeRoom(d.deliveries, (id) => this.db.touchDelivery(d, id));
  }

  /**
   * Part of a change: the log comes back to nine tenths of its size. The owners with the most
   * entries give up their oldest first, down to a common level, so one busy sender pushes out its
   * own history rather than everyone's (with one owner: the oldest entries go).
   */
  private makeRoom(d: JobData): void {
    const excess = d.deliveries.size - keptAfterRoom(this.maxDeliveries);
    const counts = new Map<string, number>();
    for (const x of d.deliveries.values()) counts.set(x.owner, (counts.get(x.owner) ?? 0) + 1);
    // The highest level that owners above it, brought down to it, free at least `excess` entries.
    const freed = (level: number) => [...counts.values()].reduce((n, c) => n + Math.max(0, c - level), 0);
    let low = 0;
    let high = 0;
    for (const c of counts.values()) high = Math.max(high, c);
    while (low < high) {
      const mid = Math.ceil((low + high) / 2);
      if (freed(mid) >= excess) low = mid;
      else high = mid - 1;
    }
    // Owners above the level give up what is above level + 1, and those at level + 1 or more
    // one more each, in order of their oldest entry, until `excess` are freed.
    const quota = new Map<string, number>();
    let left = excess;
    for (const [owner, c] of counts) {
      if (c <= low + 1) continue;
      quota.set(owner, c - low - 1);
      left -= c - low - 1;
    }
    for (const [owner, c] of counts) {
      if (left === 0) break;
      if (c < low + 1) continue;
      quota.set(owner, (quota.get(owner) ?? 0) + 1);
      left--;
    }
    let removing = excess;
    for (const [id, x] of d.deliveries) {
      const q = quota.get(x.owner);
      if (!q) continue;
      quota.set(x.owner, q - 1);
      d.deliveries.delete(id);
      this.replays.changed(d.deliveries, x, undefined);
      this.db.touchDelivery(d, id);
      if (--removing === 0) break;
    }
  }

  /** Part of a change: the log entry `id`, if there is one, becomes `change` of it (a new record, or itself: unchanged). */
  private changeLogged(d: JobData, id: string, change: (x: DeliveryRecord) => DeliveryRecord): void {
    const x = d.deliveries.get(id);
    const changed = x && change(x);
    if (!changed || changed === x) return;
    d.deliveries.set(id, changed);
    this.replays.changed(d.deliveries, x, changed);
    this.db.touchDelivery(d, id);
  }

  async findDelivery(id: string): Promise<DeliveryRecord | null> {
    const x = this.file.data.deliveries.get(id);
    return x ? structuredClone(x) : null;
  }

  async listDeliveries(owner: string, filter: { keyId?: string; status?: DeliveryRecord['status']; limit: number }): Promise<DeliveryRecord[]> {
    const out: DeliveryRecord[] = [];
    const all = [...this.file.data.deliveries.values()]; // oldest first: the newest are listed first
    for (let i = all.length - 1; i >= 0 && out.length < filter.limit; i--) {
      const x = all[i];
      if (x.owner === owner && (filter.keyId === undefined || x.keyId === filter.keyId) && (filter.status === undefined || x.status === filter.status)) out.push(structuredClone(x));
    }
    return out;
  }

  async pruneDeliveries(before: string): Promise<number> {
    const cutoff = Date.parse(before);
    const old = (x: DeliveryRecord) => Date.parse(x.receivedAt) < cutoff;
    // A delivery whose replay window is over keeps its line in the log without its fields.
    const expired = (x: DeliveryRecord) => x.replay !== null && Date.parse(x.replayUntil) < Date.now();
    const all = [...this.file.data.deliveries.values()];
    const n = all.filter(old).length;
    if (n === 0 && !all.some(expired)) return 0;
    await this.file.change((d) => {
      this.replays.forget(d.deliveries);
      for (const x of [...d.deliveries.values()]) {
        if (old(x)) d.deliveries.delete(x.id);
        else if (expired(x)) d.deliveries.set(x.id, { ...x, replay: null });
        else continue;
        this.db.touchDelivery(d, x.id);
      }
    });
    return n;
  }

  /** Closes the journal once every change is written (the data stays readable; a later change opens it again). */
  async close(): Promise<void> {
    await this.file.idle();
    await this.db.close();
  }

  idle(): Promise<void> {
    return this.file.idle();
  }

  /** Resolves once no change is waiting or being written, and no fold of the files is under way. */
  async settled(): Promise<void> {
    await this.file.idle();
    await this.db.settled();
  }

  /** Applies `change` to the job when `attempt` still holds it; false when it does not. */
  private async update(id: string, attempt: number, change: (j: JobRecord, d: JobData) => void): Promise<boolean> {
    const held = (j: JobRecord | undefined) => j !== undefined && j.status === 'STARTED' && j.attempts === attempt;
    if (!held(this.job(this.file.data, id))) return false;
    await this.file.change((d) => {
      const j = this.job(d, id);
      if (held(j)) {
        change(j!, d);
        this.touch(d, id);
      }
    });
    return true;
  }
}
