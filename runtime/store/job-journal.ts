// Where the embedded store's jobs live on disk, so that a change costs what it changes rather
// than what the queue holds: a snapshot (<dir>/jobs.json, holding generation g) and journals of
// the changes since (<dir>/jobs.<g>.journal, then <g+1>, … in order; journal-generations.ts),
// one line per write: the jobs, schedules and logged deliveries it changed, whole, and the ids of
// those it removed. A run's fields and a logged delivery's fields kept for replay never change,
// and may be as large as a request: they are written in the first line that holds the record, and
// later lines (a claim, an end, a repeat's count) hold the rest of it, read over the part an
// earlier line or the snapshot gave; a delivery answered 202, logged in the line that queues its
// job, replays with the job's fields (when every line held them, a 20 KB delivery answered 202
// wrote 100 KB). Once what the files hold that later lines replaced or removed outweighs what
// is still live, the files are folded into a snapshot of the next generation, in the background,
// made in parts from the state the earlier journals hold (the SystemFile's durable copy, which
// only changes as writes succeed), so a fold of a large queue never holds the event loop for the
// whole of it. A queue churns (each job is written as queued, started and ended) and is folded
// often; a delivery log mostly grows, and is folded only once its pruned entries add up.
//
// It is the SystemDb of a SystemFile (which applies changes in memory at once and undoes the ones
// whose write failed); a change tells it what it touched with `touchJob` / `touchSchedule`.
import { join } from 'node:path';
import { Low } from 'lowdb';
import { DurableFile, readJsonFile } from './durable-file.ts';
import { EntrySizes, JournalLine } from './entry-sizes.ts';
import { jsonChars } from './queued-chars.ts';
import { type FoldFailed, JournalGenerations, readJournals, SnapshotText, type SnapshotWriter } from './journal-generations.ts';
import type { SystemDb } from './system-file.ts';
import { type DeliveryRecord, type JobRecord, type ScheduleState, StoreError } from './store.ts';

export interface JobData {
  /**
   * The jobs by id, in the order they were queued. Ended ones leave by id (a Map's delete), so
   * removing some costs what leaves rather than a pass over the whole queue.
   */
  jobs: Map<string, JobRecord>;
  /** Scheduled walkers' schedules, by key. */
  schedules: Record<string, ScheduleState>;
  /** Signed webhooks' delivery log by id, oldest first. A record is never changed in place (job-file.ts). */
  deliveries: Map<string, DeliveryRecord>;
}

interface Snapshot extends JobData {
  generation: number;
}

/** The snapshot as it is on disk (its jobs and deliveries lists). */
type SnapshotFile = Omit<Snapshot, 'jobs' | 'deliveries'> & { jobs: JobRecord[]; deliveries: DeliveryRecord[] };

/** A job without its fields, a logged delivery without its replay: what a line holds of one whose part an earlier line holds. */
type KeptJob = Omit<JobRecord, 'fields'>;
type KeptDelivery = Omit<DeliveryRecord, 'replay'>;

/**
 * A journal line's entries: a job, a schedule's state, a logged delivery, or a delivery removed;
 * or a job or a delivery changed, its large part as an earlier line (or the snapshot) gave it; or
 * a delivery whose replay runs with the fields of its job (answered 202, logged under the job's id).
 */
type Entry =
  | JobRecord
  | { schedule: string; state: ScheduleState }
  | { delivery: DeliveryRecord }
  | { deliveryGone: string }
  | { jobKept: KeptJob }
  | { deliveryKept: KeptDelivery }
  | { delivery: Omit<DeliveryRecord, 'replay'> & { replay: Omit<NonNullable<DeliveryRecord['replay']>, 'fields'> }; jobFields: true };

/** `record` without `part` (a property set to undefined is left out of JSON): Object.assign keeps it a fast object. */
const without = <T extends object, K extends keyof T>(record: T, part: K): Omit<T, K> => Object.assign({}, record, { [part]: undefined });

/** The files are folded into a new snapshot once their garbage is larger than this and than what is live. */
const FOLD_MIN_BYTES = 256 * 1024;

export type { SnapshotWriter } from './journal-generations.ts';

function decode(json: unknown, file: string): SnapshotFile {
  const o = json as Partial<SnapshotFile> | null;
  if (typeof o !== 'object' || o === null || !Array.isArray(o.jobs)) throw new StoreError(`${file}: missing jobs`, 'JAC_STORE_CORRUPT');
  return { jobs: o.jobs, schedules: o.schedules ?? {}, deliveries: o.deliveries ?? [], generation: typeof o.generation === 'number' ? o.generation : 0 };
}

const encode = (s: Snapshot): string => [...snapshotParts(s.jobs, s.schedules, s.deliveries, s.generation)].join('');

/**
 * A snapshot's text in parts (SnapshotText), each made when it is asked for: what the records
 * hold then (a fold reads records that later writes may still change).
 */
function* snapshotParts(jobs: Map<string, JobRecord>, schedules: Record<string, ScheduleState>, deliveries: Map<string, DeliveryRecord>, generation: number): Generator<string> {
  const text = new SnapshotText('{"jobs":[');
  yield* text.items(jobs.values());
  text.add(`],"schedules":${JSON.stringify(schedules)},"deliveries":[`);
  yield* text.items(deliveries.values());
  yield text.end(`],"generation":${generation}}`);
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
  /**
   * By job id, and by logged delivery id: the large part (a run's fields, a delivery's replay)
   * that the latest copy the files hold of it holds, once its line is written (not only made). A
   * later line leaves the part out while the record holds that same object (parts never change in
   * place). Forgotten when memory is rebuilt after a failed write: the next lines write whole records.
   */
  private readonly fieldsOnDisk = new Map<string, object>();
  private readonly replaysOnDisk = new Map<string, object>();

  private constructor(
    private readonly low: Low<Snapshot>,
    private readonly sizes: EntrySizes,
    /** The snapshot and journals on disk. */
    private readonly files: JournalGenerations,
    private readonly foldMinBytes: number,
  ) {}

  /** `writeSnapshot`: how a fold writes its snapshot (tests hold one, to look at the files mid-fold); `foldFailed` hears of one that failed. */
  static async open(dir: string, foldMinBytes = FOLD_MIN_BYTES, writeSnapshot?: SnapshotWriter, foldFailed?: FoldFailed): Promise<JobJournal> {
    const file = join(dir, 'jobs.json');
    const read = await readJsonFile(file);
    const onDisk: SnapshotFile = read === null ? { jobs: [], schedules: {}, deliveries: [], generation: 0 } : decode(read.json, file);
    const lines = await readJournals(dir, 'jobs', onDisk.generation);
    const generation = lines.generation;
    // What each entry takes in the files is reckoned from the average (exact from here on).
    const sizes = new EntrySizes((read?.bytes ?? 0) + lines.bytes);
    const scheduleKeys = Object.keys(onDisk.schedules);
    const perRecord = (read?.bytes ?? 0) / Math.max(1, onDisk.jobs.length + scheduleKeys.length + onDisk.deliveries.length);
    const entries = lines.lines.reduce((n, l) => n + l.change.upserts.length + l.change.deletes.length, 0);
    const perEntry = lines.bytes / Math.max(1, entries);
    // Replayed in order: each line holds the whole of what it changed (but for a part an earlier
    // line holds), so the last one wins.
    const { jobs, deliveries } = fromFile(onDisk);
    // Changes of records that nothing before them holds, by key, and the journal they were read
    // from. A fold makes its snapshot in parts, and a record that left meanwhile is not in it,
    // though the next journal may change it before the line that removes it: every one must be
    // removed by the end, or the files are not ours as written.
    const orphans = new Map<string, string>();
    for (const id of jobs.keys()) sizes.set('j', id, perRecord);
    for (const key of scheduleKeys) sizes.set('s', key, perRecord);
    for (const id of deliveries.keys()) sizes.set('d', id, perRecord);
    for (const { file: journal, change: line } of lines.lines) {
      for (const e of line.upserts as unknown as Entry[]) {
        if ('schedule' in e && typeof e.schedule === 'string' && 'state' in e) {
          onDisk.schedules[e.schedule] = e.state;
          sizes.set('s', e.schedule, perEntry);
        } else if ('jobFields' in e) {
          const fields = jobs.get(e.delivery.id)?.fields;
          if (fields) {
            deliveries.set(e.delivery.id, { ...e.delivery, replay: { ...e.delivery.replay, fields } });
            orphans.delete(`d:${e.delivery.id}`);
          } else orphans.set(`d:${e.delivery.id}`, journal);
          sizes.set('d', e.delivery.id, perEntry);
        } else if ('delivery' in e) {
          deliveries.set(e.delivery.id, e.delivery);
          orphans.delete(`d:${e.delivery.id}`);
          sizes.set('d', e.delivery.id, perEntry);
        } else if ('deliveryKept' in e) {
          const id = e.deliveryKept.id;
          const was = deliveries.get(id);
          if (was) deliveries.set(id, { ...e.deliveryKept, replay: was.replay });
          else orphans.set(`d:${id}`, journal);
          sizes.set('d', id, perEntry);
        } else if ('deliveryGone' in e) {
          deliveries.delete(e.deliveryGone);
          orphans.delete(`d:${e.deliveryGone}`);
          sizes.set('d', e.deliveryGone, null);
          sizes.garbage += perEntry;
        } else if ('jobKept' in e) {
          const id = e.jobKept.id;
          const was = jobs.get(id);
          if (was) jobs.set(id, upgrade({ ...e.jobKept, fields: was.fields }));
          else orphans.set(`j:${id}`, journal);
          sizes.set('j', id, perEntry);
        } else {
          const j = upgrade(e as JobRecord);
          jobs.set(j.id, j); // a job keeps its place (the order jobs were queued in)
          orphans.delete(`j:${j.id}`);
          sizes.set('j', j.id, perEntry);
        }
      }
      for (const id of line.deletes) {
        jobs.delete(id);
        orphans.delete(`j:${id}`);
        sizes.set('j', id, null);
        sizes.garbage += perEntry;
      }
    }
    const [orphan] = orphans;
    if (orphan) {
      const [key, journal] = orphan;
      throw new StoreError(`${journal}: a line changes ${key.startsWith('j:') ? 'the run' : 'the logged delivery'} ${key.slice(2)}, which no earlier line or snapshot holds (the files were changed or lost in part)`, 'JAC_STORE_CORRUPT');
    }
    const snapshot: Snapshot = { jobs, schedules: onDisk.schedules, deliveries, generation };
    const low = new Low<Snapshot>(new DurableFile<Snapshot>(file, encode, (json, f) => fromFile(decode(json, f))), snapshot);
    const journal = new JobJournal(low, sizes, new JournalGenerations(dir, 'jobs', onDisk.generation, lines, sizes, writeSnapshot, foldFailed), foldMinBytes);
    // What was read is what the files hold: a change after the restart leaves its part out too.
    for (const j of jobs.values()) journal.fieldsOnDisk.set(j.id, j.fields);
    for (const d of deliveries.values()) if (d.replay !== null) journal.replaysOnDisk.set(d.id, d.replay);
    return journal;
  }

  get data(): JobData {
    return this.low.data;
  }

  set data(d: JobData) {
    this.low.data = { ...d, generation: this.low.data.generation };
    this.fieldsOnDisk.clear();
    this.replaysOnDisk.clear();
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

  write(durable: JobData): Promise<void> {
    // Encoded now, before anything is awaited: changes made meanwhile belong to the next write.
    const jobIds = this.touchedJobs;
    const keys = this.touchedSchedules;
    const deliveryIds = this.touchedDeliveries;
    this.touchedJobs = new Set();
    this.touchedSchedules = new Set();
    this.touchedDeliveries = new Set();
    if (jobIds.size === 0 && keys.size === 0 && deliveryIds.size === 0) return Promise.resolve();
    const data = this.low.data;
    const line = new JournalLine<Entry>(this.sizes);
    // The parts this line's whole records hold (null: none, or removed), for the maps of what is
    // on disk once it is written.
    const parts: [onDisk: Map<string, object>, id: string, part: object | null][] = [];
    // Jobs' fields this line writes whole (a delivery answered 202 is logged in the line that queues its job).
    const fieldsInLine = new Set<object>();
    for (const id of jobIds) {
      const j = data.jobs.get(id);
      if (!j) {
        line.remove('j', id, 'listed');
        this.sizes.set('f', id, null);
        parts.push([this.fieldsOnDisk, id, null]);
      } else if (this.fieldsOnDisk.get(id) === j.fields) line.set('j', id, { jobKept: without(j, 'fields') });
      else {
        line.set('j', id, j);
        this.sizes.part('j', id, 'f', jsonChars(j.fields));
        parts.push([this.fieldsOnDisk, id, j.fields]);
        fieldsInLine.add(j.fields);
      }
    }
    for (const key of keys) line.set('s', key, { schedule: key, state: data.schedules[key] });
    for (const id of deliveryIds) {
      const d = data.deliveries.get(id);
      if (!d) {
        line.remove('d', id, { mark: { deliveryGone: id } });
        this.sizes.set('r', id, null);
        parts.push([this.replaysOnDisk, id, null]);
      } else if (d.replay !== null && this.replaysOnDisk.get(id) === d.replay) line.set('d', id, { deliveryKept: without(d, 'replay') });
      else if (d.replay !== null && this.jobFieldsOnDisk(data, id, d.replay.fields, fieldsInLine)) {
        // Replayed with its job's fields, which this line or an earlier one holds: not written twice.
        line.set('d', id, { delivery: Object.assign({}, d, { replay: without(d.replay, 'fields') }), jobFields: true });
        this.sizes.set('r', id, null);
        parts.push([this.replaysOnDisk, id, d.replay]);
      } else {
        line.set('d', id, { delivery: d });
        if (d.replay === null) this.sizes.set('r', id, null);
        else this.sizes.part('d', id, 'r', jsonChars(d.replay));
        parts.push([this.replaysOnDisk, id, d.replay]);
      }
    }
    const text = line.end();
    // No write is under way (the SystemFile starts one at a time): the journals hold exactly
    // `durable`, the snapshot of a fold that starts now.
    const written = this.files.write(text, this.foldMinBytes, (g) => snapshotParts(durable.jobs, durable.schedules, durable.deliveries, g));
    this.low.data.generation = this.files.generation;
    if (parts.length === 0) return written;
    return written.then(() => {
      for (const [onDisk, id, part] of parts) {
        if (part === null) onDisk.delete(id);
        else onDisk.set(id, part);
      }
    });
  }

  /** Whether `fields` are those of the job `id`, as this line (`inLine`) or an earlier one wrote them. */
  private jobFieldsOnDisk(data: JobData, id: string, fields: object, inLine: Set<object>): boolean {
    const j = data.jobs.get(id);
    return j !== undefined && j.fields === fields && (inLine.has(fields) || this.fieldsOnDisk.get(id) === fields);
  }

  /** Resolves once no fold is under way. */
  settled(): Promise<void> {
    return this.files.settled();
  }

  /** Closes the journal file once no fold is under way (the data stays readable; a later write opens it again). */
  close(): Promise<void> {
    return this.files.close();
  }
}

/** The snapshot as memory holds it. */
function fromFile(f: SnapshotFile): Snapshot {
  return { ...f, jobs: new Map(f.jobs.map((j) => [j.id, upgrade(j)])), deliveries: new Map(f.deliveries.map((d) => [d.id, d])) };
}

