// What the rest of jac-serve needs from persistent storage, independent of how it is stored:
// each root's graph as records, changed one walker run at a time, plus users, webhook keys and
// server secrets. `LowStore` (lowdb-store.ts) keeps it in JSON files in a data dir; `PgStore`
// (postgres/pg-store.ts) keeps it in PostgreSQL, shared by any number of processes. What only a
// shared store needs is optional here (lockRoot, claimSecret, touchKeys, counters).

/** A value as stored: JSON, with tagged objects for what JSON cannot say (see codec.ts). */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/**
 * A node or edge of a root's graph. The id says what it is (http-api.md §4): `n:<Type>:<hex>`,
 * `n::<hex>` for the root, `e:<Type>:<hex>`, `e::<hex>` for a generic edge.
 */
export interface GraphRecord {
  id: string;
  /** The `has` fields (and attributes set later), encoded. */
  fields: Record<string, Json>;
  /**
   * Format 1 only: a node's edges (ids). A node's edges are the edge records naming it, in
   * creation order, so adding an edge writes the edge alone.
   */
  edges?: string[];
  /** For an edge: its ends (ids) and whether it was made undirected (`<++>`). */
  source?: string;
  target?: string;
  undirected?: boolean;
  /** An edge to another root's node (sharing between users): that root's id. */
  remote?: string;
  /** What the anchor grants other roots (sharing between users): levels by name. */
  access?: { all: 'NO_ACCESS' | 'READ' | 'CONNECT' | 'WRITE'; roots: Record<string, 'NO_ACCESS' | 'READ' | 'CONNECT' | 'WRITE'> };
}

/** What one walker run changed in a root's graph, committed as one unit. */
export interface GraphChange {
  /** Created or updated records. A new edge comes after the nodes it joins. */
  upserts: GraphRecord[];
  /** Ids of deleted nodes and edges. */
  deletes: string[];
}

export interface UserRecord {
  id: string;
  email: string;
  /** `scrypt$N$r$p$<salt>$<hash>` (never the password). */
  passwordHash: string;
  /** The id of the user's root node. */
  root: string;
  createdAt: string;
  /** The app's own user fields (`class User(BaseUser) { has … }`), as registered; absent: none. */
  fields?: Record<string, Json>;
}

export interface KeyRecord {
  /** The non-secret key id (also in the key text). */
  id: string;
  owner: string;
  name: string;
  /** SHA-256 of the secret part, hex. */
  secretHash: string;
  walkers: string[];
  nodes: string[];
  createdAt: string;
  expiresAt: string;
  lastUsedAt: string | null;
  /** A key that verifies a sender's signatures instead of being sent (webhook-signatures.md §2). */
  signing?: SigningKey;
}

/** A signing key's scheme and its secrets: the newest first, older ones until they retire. */
export interface SigningKey {
  scheme: string;
  secrets: {
    /** The secret sealed with the master key (it must stay usable, so it cannot be hashed). */
    sealed: string;
    /** Its first 4 characters, for recognising it in a listing. */
    preview: string;
    createdAt: string;
    /** When a rotated-out secret stops verifying (null: live). */
    retiresAt: string | null;
  }[];
}

/** The graphs half of a store: what a run worker reads and commits. */
export interface GraphStore {
  /** Where the data lives, for messages. */
  readonly location: string;
  /** A root's records in creation order, or null for a root never committed. */
  loadGraph(rootId: string): Promise<GraphRecord[] | null>;
  /**
   * Applies one run's changes; resolves once they are durable. When it fails, nothing of the
   * change stays in memory: the next load reads what is durable.
   */
  commitGraph(rootId: string, change: GraphChange): Promise<void>;
  /**
   * A store shared by several processes: holds the root against every other process until the
   * lease is committed or released, and tells the root's version (the count of its commits), so a
   * graph held in memory since an older version is read again.
   */
  lockRoot?(rootId: string): Promise<RootLease>;
}

/** A root held by one run (or batch of runs) across processes; see GraphStore.lockRoot. */
export interface RootLease {
  /** The root's version when the lease began (0: never committed). */
  readonly version: number;
  /** The root's records as of that version, in creation order, or null. */
  load(): Promise<GraphRecord[] | null>;
  /** Writes the change, ends the lease; resolves with the new version once it is durable. */
  commit(change: GraphChange): Promise<number>;
  /** Ends the lease; what was not committed is dropped. Safe to call after commit. */
  release(): Promise<void>;
}

/** Counters every process of a shared store sees (login failure limits), each with an expiry. */
export interface SharedCounters {
  /** Adds one to `key` (a new window of `windowMs` when it has none); its count and ms left. */
  hit(key: string, windowMs: number): Promise<{ count: number; ttlMs: number }>;
  /** The count and ms left of `key`, without changing it (0, 0 when it has none). */
  read(key: string): Promise<{ count: number; ttlMs: number }>;
}

/** Where a background job is: waiting (again, after a retry), taken by a runner, or over. */
/** CANCELLED: an operator took a job off the queue before it started (`jac-serve jobs cancel`). */
export type JobStatus = 'PENDING' | 'STARTED' | 'COMPLETED' | 'ERROR' | 'CANCELLED';

/** How a job's run ended (stored with the job; what its owner fetches afterwards). */
export interface JobResult {
  /** The HTTP status the run would have answered with. */
  httpStatus: number;
  reports: Json[] | null;
  returns: Json[] | null;
  /** A failure: the id the log line carries, and its kind (never a stack trace). */
  errorId: string | null;
  error: string | null;
  /** The walker's fields as the run left them (absent: as the request gave them). */
  context?: Record<string, Json>;
}

/** What a job is given when it is enqueued. */
export interface NewJob {
  /** The walker record's id, `w:<Walker>:<hex>` (http-api.md §4). */
  id: string;
  walker: string;
  /** The root it runs on, and the user it runs for (null: the public root). */
  root: string;
  owner: string | null;
  /** The entry node, or null for the root. */
  node: string | null;
  /** The request's fields, as validated JSON. */
  fields: Record<string, Json>;
  /** A webhook key's entry node restriction, checked when the job runs (null: none). */
  allowedNodes: string[] | null;
  /** Runs at most this many times (a run that was cut off by a failure of the runner counts). */
  maxAttempts: number;
  /** Not taken before this time (`create_task`'s date); now when absent. */
  runAfter?: string;
  /** The schedule that fired it (a scheduled walker's key), or null. */
  schedule?: string | null;
  /** Queued by the program (a schedule, `create_task`), so it may run a `private` walker. */
  internal?: boolean;
  /** Keep the record once the run completed (default true; a failed run's is always kept). */
  keep?: boolean;
}

/** A background job, as stored. Times are ISO 8601 UTC. */
export interface JobRecord extends NewJob {
  schedule: string | null;
  internal: boolean;
  keep: boolean;
  status: JobStatus;
  /** Runs begun so far; a claim gives the run its number, which finishing must name. */
  attempts: number;
  enqueuedAt: string;
  /** Not taken before this time (a retry's backoff). */
  runAfter: string;
  startedAt: string | null;
  finishedAt: string | null;
  /** While STARTED: when the taker's lease ends, after which another may take the job. */
  leaseUntil: string | null;
  result: JobResult | null;
}

/** A claimed job: the record as taken, with the attempt that finishing names. */
export interface ClaimedJob {
  job: JobRecord;
  attempt: number;
}

/** What is known of a scheduled walker's schedule: since when, and the last tick that fired. */
export interface ScheduleState {
  registeredAt: string;
  lastTick: string | null;
}

/**
 * How firing a tick went: `fired` (its job is queued), `taken` (this tick, or a later one, was
 * fired already, by this process or another), `busy` (the tick is spent, but as many runs of the
 * schedule as it allows at once are still unfinished, so none was queued).
 */
export type FireResult = 'fired' | 'taken' | 'busy';

/**
 * Durable background jobs (async walkers). A job is durable when `enqueueJob` resolves. `claimJob`
 * gives each due job to exactly one taker at a time, for `leaseMs`; a job whose taker's lease ran
 * out (a crashed process) is due again, as its next attempt, until it has had `maxAttempts`.
 * `finishJob` and `retryJob` apply only for the attempt that holds the job (false otherwise: the
 * lease ran out and someone else took it). A job that runs a signed delivery answered 202 shares
 * its id with the delivery's log entry; `logged` is that entry's outcome, written in the same
 * write (or transaction) as the job's end, so the log never says `pending` of a run that ended.
 */
export interface JobQueue {
  /**
   * Queues `job` (JAC_STORE_VALUE when a job of its id exists). `logged`: the log entry of the
   * signed delivery the job runs (its id the job's), written with the job in one write or
   * transaction; an entry of that id already logged is kept.
   */
  enqueueJob(job: NewJob, logged?: DeliveryRecord): Promise<void>;
  /** How many jobs on `root` are PENDING or STARTED, counted up to `atMost`. */
  countOpenJobs(root: string, atMost: number): Promise<number>;
  claimJob(leaseMs: number): Promise<ClaimedJob | null>;
  /** Records how the run ended (a COMPLETED job that is not to be kept is removed instead). */
  finishJob(id: string, attempt: number, status: 'COMPLETED' | 'ERROR', result: JobResult, logged?: DeliveryOutcome): Promise<boolean>;
  /** Back to PENDING, due in `delayMs`; ERROR with `result` instead when no attempt is left (and only then is `logged` written). */
  retryJob(id: string, attempt: number, delayMs: number, result: JobResult, logged?: DeliveryOutcome): Promise<boolean>;
  findJob(id: string): Promise<JobRecord | null>;
  /** Every job, oldest first. */
  listJobs(): Promise<JobRecord[]>;
  /** An operator's retry: a job that ended in ERROR or CANCELLED is due at once with its attempts counted afresh; false for any other job. */
  requeueJob(id: string): Promise<boolean>;
  /** An operator's cancel: a PENDING job ends CANCELLED (a started one runs to its end); false for any other job. */
  cancelJob(id: string): Promise<boolean>;
  /** Removes jobs that ended (COMPLETED, ERROR, CANCELLED) before `before`; resolves with how many. */
  pruneJobs(before: string): Promise<number>;
  /** The taker still runs these: their leases end `leaseMs` from now (those it no longer holds are left alone). */
  renewJobs(held: { id: string; attempt: number }[], leaseMs: number): Promise<void>;
  /** A schedule's state; the first call for a key registers it (`registeredAt`: now). */
  registerSchedule(key: string): Promise<ScheduleState>;
  /**
   * Fires a schedule's tick once across every process: in one step, unless a tick at or after
   * `tick` fired already, records it as the last and queues `job` (when fewer than `maxInstances`
   * of the schedule's runs are unfinished).
   */
  fireSchedule(key: string, tick: string, job: NewJob, maxInstances: number): Promise<FireResult>;
}

/** One webhook delivery as its key's owner sees it in the delivery log (webhook-signatures.md §7). */
export interface DeliveryRecord {
  /** The log's id: the delivery's job id when it was answered 202. */
  id: string;
  keyId: string;
  owner: string;
  walker: string;
  receivedAt: string;
  /** The signature checked. */
  verified: boolean;
  /** The sender's delivery id and event, when it says. */
  deliveryId: string | null;
  event: string | null;
  status: 'ok' | 'failed' | 'pending' | 'rejected';
  /** The answer's HTTP status, how long the run took, and a failure's error id. */
  code: number | null;
  ms: number | null;
  errorId: string | null;
  /** Why a rejected delivery was refused (`Unauthorized`, `Timestamp outside the tolerance`). */
  reason: string | null;
  /** Repeats of this delivery answered without a run. */
  duplicates: number;
  /** What a replay runs again: the walker's fields and entry node (null: a rejected delivery, or past its window). */
  replay: { fields: Record<string, Json>; node: string | null; allowedNodes: string[] | null } | null;
  /** When `replay` is dropped (the dedupe window), and the record itself. */
  replayUntil: string;
}

/** How a delivery's run ended, as its log entry tells it. */
export type DeliveryOutcome = Pick<DeliveryRecord, 'status' | 'code' | 'ms' | 'errorId'>;

/**
 * How a log write is waited for. `lazy`: nobody waits for it (it is told after the answer), so the
 * store may gather it with later writes for a few milliseconds; it is seen at once either way.
 */
export interface LogWrite {
  lazy?: boolean;
}

/**
 * A verified delivery told to the log: `record` becomes its entry when the log has none of its
 * id; else a `repeat` (answered without a run) counts itself on the entry, and an outcome (a run's
 * `ok` or `failed`) replaces the entry's status, code, duration and error id (`pending` changes
 * nothing: the entry's job gives it its outcome).
 */
export interface ToldDelivery {
  record: DeliveryRecord;
  repeat: boolean;
}

/** How the run of the delivery `r` logs ended, as an outcome. */
export const outcomeOf = (r: DeliveryRecord): DeliveryOutcome => ({ status: r.status, code: r.code, ms: r.ms, errorId: r.errorId });

/** What a told delivery makes of the entry the log has of its id (the same entry when it changes nothing). */
export function applyTold(x: DeliveryRecord, { record, repeat }: ToldDelivery): DeliveryRecord {
  if (repeat) return { ...x, duplicates: x.duplicates + 1 };
  if (record.status === 'pending') return x;
  return { ...x, ...outcomeOf(record) };
}

/** The delivery log of signed webhooks: newest first, owner by owner. */
export interface DeliveryLog {
  logDelivery(record: DeliveryRecord, how?: LogWrite): Promise<void>;
  /** Tells the log of deliveries (verified, or refused before they verified), in order, in one write. */
  tellDeliveries(told: ToldDelivery[], how?: LogWrite): Promise<void>;
  findDelivery(id: string): Promise<DeliveryRecord | null>;
  listDeliveries(owner: string, filter: { keyId?: string; status?: DeliveryRecord['status']; limit: number }): Promise<DeliveryRecord[]>;
  /** Removes deliveries received before `before`; resolves with how many. */
  pruneDeliveries(before: string): Promise<number>;
}

/**
 * Where an anchor shared with other roots lives (sharing between users): its owner root, and who
 * it is shared with (`all`, or root ids). A hint only says where to look: the anchor's access,
 * stored with it in its owner's graph, decides. No grantee left: the hint goes.
 */
export interface ShareHint {
  id: string;
  owner: string;
  grantees: string[] | 'all';
}

/** The share hints, kept apart from the graphs so that any run can find another root's shared anchor. */
export interface ShareIndex {
  /** Writes hints (one with no grantees removes the id's). */
  putShares(hints: ShareHint[]): Promise<void>;
  findShare(id: string): Promise<ShareHint | null>;
  /** Roots whose own root anchor is shared with `grantee` or with all, at most `limit`. */
  sharedRoots(grantee: string, limit: number): Promise<string[]>;
}

export interface Store extends GraphStore, JobQueue, DeliveryLog, ShareIndex {
  /** A named server secret (`TOKEN_SECRET`), or null. */
  getSecret(name: string): Promise<string | null>;
  setSecret(name: string, value: string): Promise<void>;
  findUser(by: { email: string } | { id: string }): Promise<UserRecord | null>;
  addUser(user: UserRecord): Promise<void>;
  listKeys(owner: string): Promise<KeyRecord[]>;
  findKey(id: string): Promise<KeyRecord | null>;
  putKey(key: KeyRecord): Promise<void>;
  deleteKeys(ids: string[]): Promise<void>;
  /**
   * A shared store: sets keys' `lastUsedAt` (never earlier than it was) without rewriting the
   * rest of their records, so a key another process revoked or extended meanwhile stays so.
   */
  touchKeys?(uses: [id: string, at: string][]): Promise<void>;
  /**
   * A shared store: sets a secret unless one is set already; resolves with the one now held, so
   * processes starting together agree on it.
   */
  claimSecret?(name: string, value: string): Promise<string>;
  /** A shared store: counters every process sees. */
  readonly counters?: SharedCounters;
  /**
   * Tells `listener` of failures in the store's own upkeep, which no request hears of (the data
   * dir: a fold of its files that failed, tried again later); one listener at a time.
   */
  onProblem?(listener: (problem: string) => void): void;
  /**
   * A store that holds its queue in memory (the data dir): the characters of the fields of
   * `root`'s open runs (PENDING, STARTED), and of all open runs, by which runs are admitted.
   */
  queuedChars?(root: string): { root: number; all: number };
  /** Waits for every write under way, then releases the data dir. */
  close(): Promise<void>;
}

/**
 * A store problem a person must act on: a data dir in use, a file that does not load, a database
 * that cannot be reached (JAC_STORE_UNAVAILABLE: a request answers 503, and may be tried again).
 */
export class StoreError extends Error {
  constructor(
    message: string,
    readonly code: 'JAC_STORE_LOCKED' | 'JAC_STORE_CORRUPT' | 'JAC_STORE_VERSION' | 'JAC_STORE_VALUE' | 'JAC_STORE_IO' | 'JAC_STORE_UNAVAILABLE',
  ) {
    super(message);
    this.name = 'StoreError';
  }
}
