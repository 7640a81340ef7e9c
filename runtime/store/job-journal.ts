// Where the embedded store's jobs live on disk, so that a change costs what it changes rather
// than what the queue holds: a snapshot (<dir>/jobs.json, written through lowdb, with its
// generation g) and a journal of the changes since (<dir>/jobs.<g>.journal, journal.ts), one line
// per write: the jobs and schedules it changed, whole, and the ids of jobs it removed. Once the
// journal outgrows the snapshot, a snapshot of generation g+1 is written and journal g removed,
// as root-files.ts does for graphs; a crash at any point leaves either the old snapshot with its
// whole journal or the new one.
//
// It is the SystemDb of a SystemFile (which applies changes in memory at once and undoes the ones
// whose write failed); a change tells it what it touched with `touchJob` / `touchSchedule`.
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Low } from 'lowdb';
import { DurableFile, readJsonFile, writeDurably } from './durable-file.ts';
import { IdIndex } from './id-index.ts';
import { appendJournal, readJournal } from './journal.ts';
import type { SystemDb } from './system-file.ts';
import { type DeliveryRecord, type JobRecord, type ScheduleState, StoreError } from './store.ts';

export interface JobData {
  jobs: JobRecord[];
  /** Scheduled walkers' schedules, by key. */
  schedules: Record<string, ScheduleState>;
  /** Signed webhooks' delivery log, oldest first. */
  deliveries: DeliveryRecord[];
}

interface Snapshot extends JobData {
  generation: number;
}

/** A journal line's entries: a job, a schedule's state, a logged delivery, or a delivery removed. */
type Entry = JobRecord | { schedule: string; state: ScheduleState } | { delivery: DeliveryRecord } | { deliveryGone: string };

/** The journal is folded into a new snapshot once it is larger than this and than the snapshot. */
const FOLD_MIN_BYTES = 256 * 1024;

function decode(json: unknown, file: string): Snapshot {
  const o = json as Partial<Snapshot> | null;
  if (typeof o !== 'object' || o === null || !Array.isArray(o.jobs)) throw new StoreError(`${file}: missing jobs`, 'JAC_STORE_CORRUPT');
  return { jobs: o.jobs, schedules: o.schedules ?? {}, deliveries: o.deliveries ?? [], generation: typeof o.generation === 'number' ? o.generation : 0 };
}

/** Fills in what records written before these fields existed lack. */
function upgrade(j: JobRecord): JobRecord {
  j.schedule ??= null;
  j.internal ??= false;
  j.keep ??= true;
  return j;
}

export class JobJournal implements SystemDb<JobData> {
  private touchedJobs = new Set<string>();
  private touchedSchedules = new Set<string>();
  private touchedDeliveries = new Set<string>();
  private readonly jobIndex = new IdIndex<JobRecord>();
  private readonly deliveryIndex = new IdIndex<DeliveryRecord>();

  private constructor(
    private readonly dir: string,
    private readonly low: Low<Snapshot>,
    private journalBytes: number,
    private snapshotBytes: number,
    private readonly foldMinBytes: number,
  ) {}

  static async open(dir: string, foldMinBytes = FOLD_MIN_BYTES): Promise<JobJournal> {
    const file = join(dir, 'jobs.json');
    const read = await readJsonFile(file);
    const snapshot: Snapshot = read === null ? { jobs: [], schedules: {}, deliveries: [], generation: 0 } : decode(read.json, file);
    const low = new Low<Snapshot>(new DurableFile<Snapshot>(file, (d) => JSON.stringify(d), decode), snapshot);
    const journal = journalFile(dir, snapshot.generation);
    if (snapshot.generation > 0) await rm(journalFile(dir, snapshot.generation - 1), { force: true }); // folded in, left by a crash
    const lines = await readJournal(journal);
    // Replayed in order: each line holds the whole of what it changed, so the last one wins.
    const jobs = new Map(snapshot.jobs.map((j) => [j.id, upgrade(j)]));
    const deliveries = new Map(snapshot.deliveries.map((d) => [d.id, d]));
    for (const line of lines.changes) {
      for (const e of line.upserts as unknown as Entry[]) {
        if ('schedule' in e && typeof e.schedule === 'string' && 'state' in e) snapshot.schedules[e.schedule] = e.state;
        else if ('delivery' in e) deliveries.set(e.delivery.id, e.delivery);
        else if ('deliveryGone' in e) deliveries.delete(e.deliveryGone);
        else {
          const j = upgrade(e as JobRecord);
          jobs.set(j.id, j); // a job keeps its place (the order jobs were queued in)
        }
      }
      for (const id of line.deletes) jobs.delete(id);
    }
    snapshot.jobs = [...jobs.values()];
    snapshot.deliveries = [...deliveries.values()];
    return new JobJournal(dir, low, lines.bytes, read?.bytes ?? 0, foldMinBytes);
  }

  get data(): JobData {
    return this.low.data;
  }

  set data(d: JobData) {
    this.low.data = { ...d, generation: this.low.data.generation };
  }

  /** A change wrote this job (or removed it); `d` is the data it changed (memory's is the one written). */
  touchJob(d: JobData, id: string): void {
    if (d === this.low.data) this.touchedJobs.add(id);
  }

  touchSchedule(d: JobData, key: string): void {
    if (d === this.low.data) this.touchedSchedules.add(key);
  }

  touchDelivery(d: JobData, id: string): void {
    if (d === this.low.data) this.touchedDeliveries.add(id);
  }

  write(): Promise<void> {
    // Encoded now, before anything is awaited: changes made meanwhile belong to the next write.
    const jobIds = this.touchedJobs;
    const keys = this.touchedSchedules;
    const deliveryIds = this.touchedDeliveries;
    this.touchedJobs = new Set();
    this.touchedSchedules = new Set();
    this.touchedDeliveries = new Set();
    if (jobIds.size === 0 && keys.size === 0 && deliveryIds.size === 0) return Promise.resolve();
    const byId = new Map<string, JobRecord>();
    for (const id of jobIds) {
      const j = this.jobIndex.get(this.low.data.jobs, id);
      if (j) byId.set(id, j);
    }
    const upserts: Entry[] = [...byId.values()];
    for (const key of keys) upserts.push({ schedule: key, state: this.low.data.schedules[key] });
    for (const id of deliveryIds) {
      const d = this.deliveryIndex.get(this.low.data.deliveries, id);
      upserts.push(d ? { delivery: d } : { deliveryGone: id });
    }
    const deletes = [...jobIds].filter((id) => !byId.has(id));
    if (this.journalBytes > this.foldMinBytes && this.journalBytes > this.snapshotBytes) {
      // Memory holds exactly what this write makes durable (later changes wait for the next):
      // that is the next generation's snapshot.
      const generation = this.low.data.generation + 1;
      return this.fold(JSON.stringify({ jobs: this.low.data.jobs, schedules: this.low.data.schedules, deliveries: this.low.data.deliveries, generation }), generation);
    }
    return this.append(`{"u":${JSON.stringify(upserts)},"d":${JSON.stringify(deletes)}}\n`);
  }

  private async append(line: string): Promise<void> {
    this.journalBytes = await appendJournal(journalFile(this.dir, this.low.data.generation), this.journalBytes, line);
  }

  /** Writes the next generation's snapshot, then drops the journal it replaces. */
  private async fold(text: string, generation: number): Promise<void> {
    await writeDurably(join(this.dir, 'jobs.json'), text);
    const folded = journalFile(this.dir, this.low.data.generation);
    this.low.data.generation = generation;
    this.snapshotBytes = Buffer.byteLength(text);
    this.journalBytes = 0;
    await rm(folded, { force: true });
  }
}

const journalFile = (dir: string, generation: number) => join(dir, `jobs.${generation}.journal`);
