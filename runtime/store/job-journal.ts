// Where the embedded store's jobs live on disk, so that a change costs what it changes rather
// than what the queue holds: a snapshot (<dir>/jobs.json, holding generation g) and journals of
// the changes since (<dir>/jobs.<g>.journal, then <g+1>, … in order; journal.ts), one line per
// write: the jobs, schedules and logged deliveries it changed, whole, and the ids of those it
// removed. Once what the files hold that later lines replaced or removed outweighs what is still
// live, the files are folded into a snapshot of the next generation, in the background: appends
// go on at once in the next generation's journal while the snapshot is made, in parts, from the
// state the earlier journals hold (the SystemFile's durable copy, which only changes as writes
// succeed), so a fold of a large queue never holds the event loop for the whole of it. The
// snapshot may catch some later changes too; replaying the next journal over it gives the same
// state, since each line holds whole records. A crash at any point leaves the last snapshot with
// every journal after it; journals older than the snapshot are removed. A queue churns (each job
// is written as queued, started and ended) and is folded often; a delivery log mostly grows, and
// is folded only once its pruned entries add up.
//
// It is the SystemDb of a SystemFile (which applies changes in memory at once and undoes the ones
// whose write failed); a change tells it what it touched with `touchJob` / `touchSchedule`.
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Low } from 'lowdb';
import { DurableFile, readJsonFile, writeDurablyInParts } from './durable-file.ts';
import { EntrySizes, JournalLine } from './entry-sizes.ts';
import { IdIndex } from './id-index.ts';
import { OpenJournal, readJournal } from './journal.ts';
import type { SystemDb } from './system-file.ts';
import { type DeliveryRecord, type JobRecord, type ScheduleState, StoreError } from './store.ts';

export interface JobData {
  jobs: JobRecord[];
  /** Scheduled walkers' schedules, by key. */
  schedules: Record<string, ScheduleState>;
  /** Signed webhooks' delivery log by id, oldest first. A record is never changed in place (job-file.ts). */
  deliveries: Map<string, DeliveryRecord>;
}

interface Snapshot extends JobData {
  generation: number;
}

/** The snapshot as it is on disk (its deliveries a list). */
type SnapshotFile = Omit<Snapshot, 'deliveries'> & { deliveries: DeliveryRecord[] };

/** A journal line's entries: a job, a schedule's state, a logged delivery, or a delivery removed. */
type Entry = JobRecord | { schedule: string; state: ScheduleState } | { delivery: DeliveryRecord } | { deliveryGone: string };

/** The files are folded into a new snapshot once their garbage is larger than this and than what is live. */
const FOLD_MIN_BYTES = 256 * 1024;

/** About how many characters of the snapshot are made between two turns of the event loop (a few ms of work). */
const PART_CHARS = 1 << 20;

/** How long after a fold failed (a disk full, say) the next one may start: each would write the whole snapshot again. */
const FOLD_RETRY_MS = 10_000;

/** Writes a snapshot's text, made part by part, to its file atomically and durably; resolves with its bytes. */
export type SnapshotWriter = (file: string, parts: Iterable<string>) => Promise<number>;

function decode(json: unknown, file: string): SnapshotFile {
  const o = json as Partial<SnapshotFile> | null;
  if (typeof o !== 'object' || o === null || !Array.isArray(o.jobs)) throw new StoreError(`${file}: missing jobs`, 'JAC_STORE_CORRUPT');
  return { jobs: o.jobs, schedules: o.schedules ?? {}, deliveries: o.deliveries ?? [], generation: typeof o.generation === 'number' ? o.generation : 0 };
}

const encode = (s: Snapshot): string => [...snapshotParts(s.jobs, s.schedules, s.deliveries, s.generation)].join('');

/**
 * A snapshot's text in parts of about PART_CHARS, each made when it is asked for: what the
 * records hold then (a fold reads records that later writes may still change).
 */
function* snapshotParts(jobs: JobRecord[], schedules: Record<string, ScheduleState>, deliveries: Map<string, DeliveryRecord>, generation: number): Generator<string> {
  let part = '{"jobs":[';
  let comma = '';
  for (const j of jobs) {
    part += comma + JSON.stringify(j);
    comma = ',';
    if (part.length >= PART_CHARS) {
      yield part;
      part = '';
    }
  }
  part += `],"schedules":${JSON.stringify(schedules)},"deliveries":[`;
  comma = '';
  for (const d of deliveries.values()) {
    part += comma + JSON.stringify(d);
    comma = ',';
    if (part.length >= PART_CHARS) {
      yield part;
      part = '';
    }
  }
  yield `${part}],"generation":${generation}}`;
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
  /** The journal of the current generation, open while it is appended to. */
  private journal: OpenJournal;
  /** The fold under way, or null. */
  private folding: Promise<void> | null = null;
  /** When the next fold may start (later than now after one failed). */
  private foldAfter = 0;

  private constructor(
    private readonly dir: string,
    private readonly low: Low<Snapshot>,
    private readonly sizes: EntrySizes,
    /** Bytes of the current journal's whole lines (where the next append goes). */
    private journalBytes: number,
    /** The generation of the snapshot on disk: journals from it to the current one hold what came after. */
    private snapshotGeneration: number,
    private readonly foldMinBytes: number,
    private readonly writeSnapshot: SnapshotWriter,
  ) {
    this.journal = new OpenJournal(journalFile(dir, low.data.generation));
  }

  /** `writeSnapshot`: how a fold writes its snapshot (tests hold one, to look at the files mid-fold). */
  static async open(dir: string, foldMinBytes = FOLD_MIN_BYTES, writeSnapshot: SnapshotWriter = writeDurablyInParts): Promise<JobJournal> {
    const file = join(dir, 'jobs.json');
    const read = await readJsonFile(file);
    const onDisk: SnapshotFile = read === null ? { jobs: [], schedules: {}, deliveries: [], generation: 0 } : decode(read.json, file);
    // Journals older than the snapshot were folded into it (left by a crash after it was written);
    // those from its generation on hold what came after it, in order.
    const journals = await journalGenerations(dir);
    for (const g of journals) if (g < onDisk.generation) await rm(journalFile(dir, g), { force: true });
    const following = journals.filter((g) => g >= onDisk.generation);
    const reads = [];
    for (const g of following) reads.push(await readJournal(journalFile(dir, g)));
    const lines = { changes: reads.flatMap((r) => r.changes), bytes: reads.reduce((n, r) => n + r.bytes, 0) };
    const generation = following.length > 0 ? following[following.length - 1] : onDisk.generation;
    // What each entry takes in the files is reckoned from the average (exact from here on).
    const sizes = new EntrySizes((read?.bytes ?? 0) + lines.bytes);
    const scheduleKeys = Object.keys(onDisk.schedules);
    const perRecord = (read?.bytes ?? 0) / Math.max(1, onDisk.jobs.length + scheduleKeys.length + onDisk.deliveries.length);
    const entries = lines.changes.reduce((n, l) => n + l.upserts.length + l.deletes.length, 0);
    const perEntry = lines.bytes / Math.max(1, entries);
    // Replayed in order: each line holds the whole of what it changed, so the last one wins.
    const jobs = new Map(onDisk.jobs.map((j) => [j.id, upgrade(j)]));
    const deliveries = new Map(onDisk.deliveries.map((d) => [d.id, d]));
    for (const id of jobs.keys()) sizes.set(`j:${id}`, perRecord);
    for (const key of scheduleKeys) sizes.set(`s:${key}`, perRecord);
    for (const id of deliveries.keys()) sizes.set(`d:${id}`, perRecord);
    for (const line of lines.changes) {
      for (const e of line.upserts as unknown as Entry[]) {
        if ('schedule' in e && typeof e.schedule === 'string' && 'state' in e) {
          onDisk.schedules[e.schedule] = e.state;
          sizes.set(`s:${e.schedule}`, perEntry);
        } else if ('delivery' in e) {
          deliveries.set(e.delivery.id, e.delivery);
          sizes.set(`d:${e.delivery.id}`, perEntry);
        } else if ('deliveryGone' in e) {
          deliveries.delete(e.deliveryGone);
          sizes.set(`d:${e.deliveryGone}`, null);
          sizes.garbage += perEntry;
        } else {
          const j = upgrade(e as JobRecord);
          jobs.set(j.id, j); // a job keeps its place (the order jobs were queued in)
          sizes.set(`j:${j.id}`, perEntry);
        }
      }
      for (const id of line.deletes) {
        jobs.delete(id);
        sizes.set(`j:${id}`, null);
        sizes.garbage += perEntry;
      }
    }
    const snapshot: Snapshot = { jobs: [...jobs.values()], schedules: onDisk.schedules, deliveries, generation };
    const low = new Low<Snapshot>(new DurableFile<Snapshot>(file, encode, (json, f) => fromFile(decode(json, f))), snapshot);
    return new JobJournal(dir, low, sizes, reads.at(-1)?.bytes ?? 0, onDisk.generation, foldMinBytes, writeSnapshot);
  }

  get data(): JobData {
    return this.low.data;
  }

  set data(d: JobData) {
    this.low.data = { ...d, generation: this.low.data.generation };
  }

  /** Memory's jobs `from` became `to`, a filter of them (the index by id moves its places). */
  jobsFiltered(from: JobRecord[], to: JobRecord[]): void {
    this.jobIndex.rebase(from, to);
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
    for (const id of jobIds) {
      const j = this.jobIndex.get(data.jobs, id);
      if (j) line.set(`j:${id}`, j);
      else line.remove(`j:${id}`, { id });
    }
    for (const key of keys) line.set(`s:${key}`, { schedule: key, state: data.schedules[key] });
    for (const id of deliveryIds) {
      const d = data.deliveries.get(id);
      if (d) line.set(`d:${id}`, { delivery: d });
      else line.remove(`d:${id}`, { mark: { deliveryGone: id } });
    }
    const text = line.end();
    // No write is under way (the SystemFile starts one at a time): the journal holds exactly `durable`.
    if (!this.folding && this.sizes.outweighLive(this.foldMinBytes) && Date.now() >= this.foldAfter) this.startFold(durable);
    return this.append(text);
  }

  private async append(line: string): Promise<void> {
    this.journalBytes = await this.journal.append(this.journalBytes, line);
  }

  /** Resolves once no fold is under way. */
  async settled(): Promise<void> {
    while (this.folding) await this.folding;
  }

  /** Closes the journal file once no fold is under way (the data stays readable; a later write opens it again). */
  async close(): Promise<void> {
    await this.settled();
    await this.journal.close();
  }

  /**
   * Appends go to the next generation's journal from now on, and its snapshot is made from
   * `durable` (what the journals so far hold) in the background.
   */
  private startFold(durable: JobData): void {
    const previous = this.journal;
    const generation = this.low.data.generation + 1;
    this.low.data.generation = generation;
    this.journal = new OpenJournal(journalFile(this.dir, generation));
    this.journalBytes = 0;
    this.folding = this.fold(durable, generation, previous).finally(() => {
      this.folding = null;
    });
  }

  /** Writes the snapshot of `generation`, then drops the journals it replaces; a failure leaves them all (tried again later). */
  private async fold(durable: JobData, generation: number, previous: OpenJournal): Promise<void> {
    await previous.close();
    let bytes: number;
    try {
      bytes = await this.writeSnapshot(join(this.dir, 'jobs.json'), snapshotParts(durable.jobs, durable.schedules, durable.deliveries, generation));
    } catch {
      this.foldAfter = Date.now() + FOLD_RETRY_MS;
      return;
    }
    const replaced = this.snapshotGeneration;
    this.snapshotGeneration = generation;
    // The lines appended meanwhile count as live (those they replaced in the snapshot are not counted).
    this.sizes.folded(bytes, this.journalBytes);
    for (let g = replaced; g < generation; g++) await rm(journalFile(this.dir, g), { force: true });
  }
}

/** The generations of the journals in `dir`, oldest first. */
async function journalGenerations(dir: string): Promise<number[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new StoreError(`cannot read ${dir}: ${(e as Error).message}`, 'JAC_STORE_IO');
  }
  return names
    .map((n) => /^jobs\.(\d+)\.journal$/.exec(n))
    .filter((m) => m !== null)
    .map((m) => Number(m[1]))
    .sort((a, b) => a - b);
}

/** The snapshot as memory holds it. */
function fromFile(f: SnapshotFile): Snapshot {
  return { ...f, jobs: f.jobs.map(upgrade), deliveries: new Map(f.deliveries.map((d) => [d.id, d])) };
}

const journalFile = (dir: string, generation: number) => join(dir, `jobs.${generation}.journal`);
