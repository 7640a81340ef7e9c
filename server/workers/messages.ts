// What the main thread and a run worker say to each other. Everything here crosses a structured
// clone: plain data only (bigints allowed), never a Jac value.
import type { AppManifest } from '../manifest.ts';
import type { QueuedTask } from '../schedule/create-task.ts';
import type { ShareHint } from '../../runtime/store/store.ts';

/** What a worker is started with (its `workerData`). */
export interface WorkerConfig {
  files: string[];
  /** The data dir whose `roots/` the worker reads and writes (when storeUrl is null). */
  dataDir: string;
  /** A PostgreSQL store's URL: the worker opens its own connections to it. */
  storeUrl: string | null;
  showReturns: boolean;
  maxSteps: number;
  maxMillis: number;
  /** Each worker's graph cache: MB (estimated) and seconds a graph may sit idle. */
  cacheMb: number;
  cacheIdleSeconds: number;
  /** Where walkers' `print` goes: the process's stdout, or nowhere. */
  print: boolean;
}

/** Which state of a root's graph a job expects (see RootScheduler): a tag, or "whatever you hold". */
export type Expect = { tag: string | null } | 'held';

interface JobBase {
  id: number;
  root: string;
  expect: Expect;
}

/** Run a walker on a root (or on one of its nodes) and commit what it changed. */
export interface WalkJob extends JobBase {
  kind: 'walk';
  walker: string;
  /** The entry node's id, or null for the root. */
  node: string | null;
  /** The request's fields by name, as validated JSON. */
  fields: Record<string, unknown>;
  /** A webhook key's `nodes` restriction (type names, "root", node ids), or null for none. */
  allowedNodes: string[] | null;
  /** Queued by the program itself (a schedule, `create_task`): a `private` walker may run. */
  internal?: boolean;
  /** Answer the walker's fields as the run left them too (a background run's record). */
  context?: boolean;
  /** The most runs the walker may queue with `create_task` (its root's room under the queue limit); none: no limit. */
  taskRoom?: number;
  /** The most characters of fields those runs may hold in all (its root's data room under the queue limit); none: no limit. */
  taskChars?: number;
  /**
   * A signed webhook delivery with an id: run once. `record` is its memory's record id on the
   * root; a delivery the root remembers is answered as it was the first time, without a run.
   * `ifChanged`: remembered only when the run changed the graph or queued runs (a queued
   * delivery's run, whose answer is kept in its job).
   */
  delivery?: { record: string; hours: number; ifChanged?: boolean };
  /**
   * Other roots the run holds besides its own (sharing between users: a node shared with the
   * caller), each with the state of its graph expected; and ids known to be in no root the
   * caller may reach (such a lookup is then a missing id, not a reason to run again).
   */
  reach?: { root: string; expect: Expect }[];
  unreachable?: string[];
}

/** Whether a node id is a node of the root's graph (a webhook key naming it). */
export interface HasNodeJob extends JobBase {
  kind: 'has-node';
  node: string;
}

export type Job = WalkJob | HasNodeJob;

/**
 * What the main thread sends a worker: jobs, in order (the ones sent within one turn of the
 * event loop travel together: a message wakes the thread, and that costs more than cloning a job),
 * and (once it has none) the word to end.
 */
export type ToWorker = { kind: 'jobs'; jobs: Job[] } | { kind: 'close' };

/** How a job ended, as the HTTP answer it becomes. */
export type Answer =
  /** `tasks`: the runs it queued with create_task, queued once its changes are saved. */
  /** `code`: the HTTP status the walker set (`_.get_context().status`); 200 when absent. */
  | { status: 200; body: string; code?: number; tasks?: QueuedTask[]; context?: Record<string, unknown>; duplicate?: boolean }
  | { status: 403 | 404; detail: string }
  | { status: 200; exists: boolean }
  /** A failure the log explains (`name`: WalkerError, WalkerBudgetExhausted, CommitFailed, …). */
  | { status: 500; name: string; message: string; tasks?: QueuedTask[] }
  /** The store cannot be reached (StoreUnavailable): nothing of the run was written; try again. */
  | { status: 503; name: string; message: string }
  /** The run met an id in no graph it held: nothing of it was written; the pool runs it again with the root that holds it. */
  | { status: 'reach'; id: string; root?: string };

/** What a worker tells the main thread. */
export type WorkerMessage =
  | { kind: 'ready'; manifest: AppManifest }
  | { kind: 'load-failed'; message: string }
  /** The job's run begins now: its time budget starts. */
  | { kind: 'started'; id: number }
  /** The job's run ended; its commit may still be to come. */
  | { kind: 'ran'; id: number }
  /** The worker writes a root now (and is not to be stopped for a run's budget meanwhile). */
  | { kind: 'committing'; root: string }
  /**
   * A job is answered; `tag` names the state of the root's graph the worker now holds (null:
   * none); `reached`, the same for the other roots the job held; `hints`, the share hints its
   * commit needs written.
   */
  | { kind: 'done'; id: number; answer: Answer; tag: string | null; reached?: [root: string, tag: string | null][]; hints?: ShareHint[] };
