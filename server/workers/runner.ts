// Inside a run worker: the loaded program, the root graphs this worker holds, and the execution
// of jobs in batches. Jobs on one root that are waiting together run one after another and share
// one commit (a group commit), which is then answered; the worker starts nothing else while a
// commit is under way, so an answer is never held up by a later run that spins.
//
// A batch's answers follow what became durable: when its commit fails, every job from the first
// one that changed the graph on is answered 500, and the graph is dropped (the next job reads
// what is on disk). A run stopped by its budget discards its own changes the same way, as does a
// webhook delivery's run that fails; what the runs before it changed was already encoded, and is
// committed.
//
// With a store shared by several processes (one that can lockRoot), a batch holds its root in
// every process from before its first run until its commit, and runs on the graph it holds only
// when that graph's version is the store's current one; otherwise it reads the root again. A
// batch whose lock or commit fails leaves nothing written (its transaction is rolled back).
import { PyClass, type PyInstance } from '../../runtime/interpreter/archetypes.ts';
import { call } from '../../runtime/interpreter/protocols.ts';
import { errorText, type RunError } from '../../runtime/interpreter/run.ts';
import { levelIn, NO_ACCESS } from '../../runtime/interpreter/access.ts';
import { PersistentGraph } from '../../runtime/store/persistent-graph.ts';
import { type GraphChange, type GraphStore, type RootLease, type ShareHint, StoreError } from '../../runtime/store/store.ts';
import type { Value } from '../../runtime/values/value.ts';
import type { LoadedApp } from '../loader.ts';
import { type Construct, jacValue, NodeNotFound } from '../schema.ts';
import { serialize, stringify, type Wire } from '../serialize.ts';
import type { Answer, HasNodeJob, Job, WalkJob, WorkerMessage } from './messages.ts';
import { GraphCache } from './graph-cache.ts';
import { type QueuedTask, TaskSink } from '../schedule/create-task.ts';
import { PyError } from '../../runtime/values/errors.ts';

/** The longest a batch keeps taking more jobs of its root before it commits. */
const BATCH_MAX_JOBS = 64;
const BATCH_MAX_MS = 50;

export interface RunnerOptions {
  showReturns: boolean;
  maxSteps: number;
  maxMillis: number;
  /** The graphs held between jobs: at most this many MB (estimated), none idle longer than the seconds. */
  cacheMb: number;
  cacheIdleSeconds: number;
}

/** What a job left for its batch: its answer, and what it changed (null: nothing). */
interface Executed {
  job: Job;
  answer: Answer;
  change: GraphChange | null;
  /** The run was stopped midway: the graph holds changes of no consistent state. */
  discard?: boolean;
  /** The share hints its change needs written once committed. */
  hints?: ShareHint[];
}

/** The log line for a walker that failed: its Jac position and message, never a JS stack. */
function describe(error: RunError): string {
  const where = error.span ? `${error.span.file}:${error.span.line}:${error.span.col}: ` : '';
  const trace = error.trace.length > 0 ? ` (in ${error.trace.join(' < ')})` : '';
  return `${where}${errorText(error)}${trace}`;
}

/** Whether a key restricted to `nodes` (type names, "root", node ids) may start at `node`. */
function nodeAllowed(nodes: string[], node: PyInstance, isRoot: boolean): boolean {
  return nodes.length === 0 || nodes.some((n) => (n === 'root' ? isRoot : n === node.id || (!isRoot && (n === node.cls.qualname || n === node.cls.name))));
}

const failure = (name: string, message: string): Answer => ({ status: 500, name, message });

/** A walker's fields as sent (JSON, ints beyond 2^53 exact), by name; a field that cannot be sent is left out. */
function walkerContext(walker: PyInstance): Record<string, Wire> {
  const context: Record<string, Wire> = {};
  for (const f of walker.cls.fields) {
    const v = walker.get(f.name);
    if (v === undefined) continue;
    try {
      context[f.name] = serialize(v);
    } catch {
      // not serializable: the record shows the rest
    }
  }
  return context;
}
/** The store cannot be reached now: the client may try again (503). */
const unavailable = (message: string): Answer => ({ status: 503, name: 'StoreUnavailable', message });
const isUnavailable = (e: unknown) => e instanceof StoreError && e.code === 'JAC_STORE_UNAVAILABLE';

function mergeChanges(changes: GraphChange[]): GraphChange {
  if (changes.length === 1) return changes[0];
  const upserts = new Map<string, GraphChange['upserts'][number]>();
  const deletes = new Set<string>();
  for (const c of changes) {
    for (const r of c.upserts) upserts.set(r.id, r); // a later version of a record replaces it in place
    for (const id of c.deletes) {
      upserts.delete(id);
      deletes.add(id);
    }
  }
  return { upserts: [...upserts.values()], deletes: [...deletes] };
}

export class Runner {
  /** The graphs this worker holds, each with the tag of its state and (shared store) its version. */
  readonly graphs: GraphCache;
  private tags = 0;

  constructor(
    private readonly app: LoadedApp,
    private readonly store: GraphStore & { forget(rootId: string): void },
    private readonly options: RunnerOptions,
    private readonly post: (message: WorkerMessage) => void,
    /** A unique prefix for this worker's tags. */
    private readonly name: string,
    /** What runs ask for with create_task (the program was loaded with its module). */
    private readonly tasks: TaskSink = new TaskSink(),
  ) {
    this.graphs = new GraphCache(options.cacheMb * 1024 * 1024, options.cacheIdleSeconds * 1000, (root) => store.forget(root));
  }

  private newTag(): string {
    return `${this.name}:${++this.tags}`;
  }

  /**
   * Runs `first` and the jobs on its root that `more` hands over (in order) while the batch
   * lasts, commits once, and posts every answer.
   */
  async runBatch(first: Job, more: () => Job | undefined): Promise<void> {
    if (first.kind === 'walk' && first.reach && first.reach.length > 0) return this.runReaching(first, first.reach);
    const root = first.root;
    const done: Executed[] = [];
    const began = Date.now();
    let job: Job | undefined = first;
    let graph: PersistentGraph | null = null;
    let lease: RootLease | null = null;
    if (this.store.lockRoot) {
      try {
        lease = await this.store.lockRoot(root);
      } catch (e) {
        this.post({ kind: 'started', id: first.id });
        this.post({ kind: 'ran', id: first.id });
        this.graphs.delete(root);
        const message = `the root could not be held for the run: ${(e as Error).message}`;
        return this.commit(root, [{ job: first, answer: isUnavailable(e) ? unavailable(message) : failure('GraphLoadFailed', message), change: null }], null);
      }
    }
    while (job) {
      this.post({ kind: 'started', id: job.id });
      try {
        graph ??= await this.graphFor(job, lease);
      } catch (e) {
        done.push({ job, answer: isUnavailable(e) ? unavailable((e as Error).message) : failure('GraphLoadFailed', (e as Error).message), change: null });
        this.post({ kind: 'ran', id: job.id });
        break;
      }
      const executed = this.execute(job, graph, []);
      done.push(executed);
      this.post({ kind: 'ran', id: job.id });
      if (executed.discard) {
        // Its changes go with the graph that holds them. The batch ends here, so that what the
        // runs before it changed is committed before the next run reads the root again.
        this.graphs.delete(root);
        break;
      }
      if (done.length >= BATCH_MAX_JOBS || Date.now() - began >= BATCH_MAX_MS) break;
      job = more();
    }
    await this.commit(root, done, lease);
  }

  /** The graph of `root` a job runs on: the one held, if it is the state the job expects; else read anew. */
  private async graphFor({ root, expect }: { root: string; expect: Job['expect'] }, lease: RootLease | null): Promise<PersistentGraph> {
    let held = this.graphs.get(root);
    // Another worker of this process (tag), or another process (version), has committed since.
    if (held && ((expect !== 'held' && held.tag !== expect.tag) || (lease && held.version !== lease.version))) {
      this.graphs.delete(root);
      held = undefined;
    }
    if (held) return held.graph;
    if (expect !== 'held') this.store.forget(root); // another worker may have written it
    // Under a lease, the records are read in its transaction: the version it holds.
    const source: GraphStore = lease ? { location: this.store.location, loadGraph: () => lease.load(), commitGraph: (r, c) => this.store.commitGraph(r, c) } : this.store;
    const graph = await PersistentGraph.open(source, root);
    graph.bindTypes(this.app.resolveType);
    graph.loadNow();
    this.graphs.set(root, { graph, tag: this.newTag(), version: lease?.version ?? null });
    return graph;
  }

  private execute(job: Job, graph: PersistentGraph, reached: PersistentGraph[]): Executed {
    if (job.kind === 'has-node') return this.hasNode(job, graph);
    graph.reachInto({ graphs: reached, unreachable: new Set(job.unreachable) });
    try {
      return this.walk(job, graph, reached);
    } finally {
      graph.reachInto(null);
    }
  }

  /**
   * A run that holds other roots besides its own (a node shared with the caller): every root is
   * held (across processes, in one order, so two such runs cannot wait on each other), the others'
   * graphs are guarded by what they grant the caller, and each root's changes are committed.
   */
  private async runReaching(job: WalkJob, reach: { root: string; expect: Job['expect'] }[]): Promise<void> {
    const wanted = [{ root: job.root, expect: job.expect }, ...reach];
    const leases = new Map<string, RootLease>();
    const release = async () => {
      for (const lease of leases.values()) await lease.release().catch(() => undefined);
    };
    this.post({ kind: 'started', id: job.id });
    let graphs: PersistentGraph[];
    try {
      if (this.store.lockRoot) for (const { root } of [...wanted].sort((a, b) => (a.root < b.root ? -1 : 1))) leases.set(root, await this.store.lockRoot(root));
      graphs = [];
      for (const w of wanted) graphs.push(await this.graphFor(w, leases.get(w.root) ?? null));
    } catch (e) {
      this.post({ kind: 'ran', id: job.id });
      await release();
      for (const w of wanted) this.graphs.delete(w.root);
      const message = `the roots could not be held for the run: ${(e as Error).message}`;
      this.post({ kind: 'done', id: job.id, answer: isUnavailable(e) ? unavailable(message) : failure('GraphLoadFailed', message), tag: null, reached: reach.map((r) => [r.root, null]) });
      return;
    }
    const [own, ...others] = graphs;
    for (const g of others) g.guardFor(job.root);
    let executed: Executed;
    const changes = new Map<string, GraphChange>();
    try {
      executed = this.execute(job, own, others);
      if (executed.change) changes.set(job.root, executed.change);
      if (!executed.discard) {
        for (const g of others) {
          const change = g.takeChanges();
          if (change.upserts.length > 0 || change.deletes.length > 0) changes.set(g.rootId, change);
        }
      }
    } finally {
      for (const g of others) g.guardFor(null);
    }
    this.post({ kind: 'ran', id: job.id });
    if (executed.discard) {
      changes.clear();
      for (const w of wanted) this.graphs.delete(w.root);
    }
    let answer = executed.answer;
    if (changes.size > 0) {
      this.post({ kind: 'committing', root: job.root });
      // Each root commits on its own: a failure part-way leaves the roots before it committed.
      for (const g of graphs) {
        const change = changes.get(g.rootId);
        if (!change) continue;
        try {
          const lease = leases.get(g.rootId);
          const version = lease ? await lease.commit(change) : (await this.store.commitGraph(g.rootId, change), null);
          const held = this.graphs.get(g.rootId);
          if (held) Object.assign(held, { tag: this.newTag(), version });
        } catch (e) {
          const message = `the changes were not saved: ${(e as Error).message}`;
          answer = isUnavailable(e) ? unavailable(message) : failure('CommitFailed', message);
          for (const w of wanted) this.graphs.delete(w.root);
          break;
        }
      }
    }
    await release();
    // Another root's graph from which a change was dropped (the caller had no level for it) is not what is stored.
    for (const g of others) if (g.discarded) this.graphs.delete(g.rootId);
    const hints = answer === executed.answer ? [...(executed.hints ?? []), ...others.flatMap((g) => g.takeHints())] : [];
    const tagOf = (root: string) => this.graphs.get(root)?.tag ?? null;
    for (const w of wanted) this.graphs.trim(w.root);
    this.post({ kind: 'done', id: job.id, answer, tag: tagOf(job.root), reached: reach.map((r) => [r.root, tagOf(r.root)]), ...(hints.length > 0 ? { hints } : {}) });
  }

  /**
   * An entry node of another root's graph: one the caller may read (else none, as for a node that
   * does not exist), or 'reach' when the job holds no root it could be in yet.
   */
  private sharedEntry(job: WalkJob, id: string, reached: PersistentGraph[]): PyInstance | null | 'reach' {
    for (const g of reached) {
      const node = g.node(id);
      if (node) return levelIn(node) > NO_ACCESS ? node : null;
    }
    return job.unreachable?.includes(id) ? null : 'reach';
  }

  private hasNode(job: HasNodeJob, graph: PersistentGraph): Executed {
    return { job, answer: { status: 200, exists: graph.node(job.node) !== null }, change: null };
  }

  private walk(job: WalkJob, graph: PersistentGraph, reached: PersistentGraph[]): Executed {
    const endpoint = this.app.walkers.get(job.walker);
    if (!endpoint || (endpoint.specs.private && !job.internal)) return { job, answer: { status: 404, detail: 'Not Found' }, change: null };
    let at: PyInstance = graph.root;
    if (job.node !== null) {
      const node = graph.node(job.node) ?? this.sharedEntry(job, job.node, reached);
      if (node === 'reach') return { job, answer: { status: 'reach', id: job.node }, change: null };
      if (!node) return { job, answer: { status: 404, detail: 'Node not found' }, change: null };
      at = node;
    }
    if (job.allowedNodes && !nodeAllowed(job.allowedNodes, at, at === graph.root)) return { job, answer: { status: 403, detail: 'Forbidden' }, change: null };
    if (job.delivery) {
      const seen = graph.deliveries.get(job.delivery.record);
      if (seen && Date.parse(seen.until) > Date.now()) return { job, answer: { status: 200, body: seen.body, duplicate: true }, change: null };
    }

    const { resolveType, declarationOf } = this.app;
    const byName = new Map(endpoint.fields.map((f) => [f.name, f]));
    const construct: Construct = Object.assign((cls: PyClass, fields: Map<string, Value>) => call(cls, [], fields), {
      // A field typed as a node takes the id of a node of that type in the caller's own graph.
      node: (cls: PyClass, id: string) => {
        const node = graph.node(id);
        if (!node || !node.cls.isSubclassOf(cls)) throw new NodeNotFound(id);
        return node;
      },
    });
    let outcome;
    this.tasks.reset(job.taskRoom, job.taskChars);
    try {
      outcome = endpoint.program.run(graph.root, { maxSteps: this.options.maxSteps, maxMillis: this.options.maxMillis }, () => {
      const kwargs = new Map<string, Value>();
      for (const [name, json] of Object.entries(job.fields)) {
        const field = byName.get(name);
        if (field) kwargs.set(name, jacValue(json, field.type, resolveType, construct, declarationOf));
      }
        const walker = call(endpoint.cls, [], kwargs) as PyInstance;
        endpoint.program.spawn(walker, at);
        return walker;
      }, { entry: at, graph });
    } catch (e) {
      if (!(e instanceof NodeNotFound)) throw e;
      // Nothing ran yet; the graph is dropped all the same, in case building the fields touched it.
      return { job, answer: { status: 404, detail: 'Node not found' }, change: null, discard: true };
    }
    if (outcome.error?.type === 'BudgetExhausted') return { job, answer: failure('WalkerBudgetExhausted', describe(outcome.error)), change: null, discard: true };
    // It met an id in a root it does not hold: dropped, to be run again holding that root.
    if (outcome.error?.type === 'ReachElsewhere') {
      const [id, root] = outcome.error.message.split(' ');
      return { job, answer: { status: 'reach', id, ...(root ? { root } : {}) }, change: null, discard: true };
    }

    // The answer is written now, before a later run of the batch changes what it reports.
    let answer: Answer;
    if (outcome.error) answer = failure('WalkerError', describe(outcome.error));
    else {
      try {
        if (outcome.custom !== undefined) {
          // `_.report(x, True)`: x is the whole answer, without the envelope (Jac Cloud's custom
          // response), sent with the walker's `status_code` when its specs name one.
          answer = { status: 200, body: stringify(serialize(outcome.custom)), code: endpoint.specs.statusCode ?? outcome.status };
        } else {
          const envelope: { [key: string]: Wire } = { status: outcome.status };
          if (outcome.reports.length > 0) envelope.reports = outcome.reports.map(serialize);
          if (this.options.showReturns) envelope.returns = (outcome.value?.returns ?? []).map(serialize);
          answer = { status: 200, body: stringify(envelope), code: outcome.status };
        }
        // A background run's record keeps the walker's fields as the run left them (Jac Cloud's
        // `archetype`); the ones no JSON can carry are left out.
        if (job.context && outcome.value) answer.context = walkerContext(outcome.value);
      } catch (e) {
        answer = failure('WalkerError', `${job.walker}: ${(e as Error).message}`);
      }
    }
    let tasks: QueuedTask[] = [];
    try {
      tasks = this.tasks.take(graph.root);
    } catch (e) {
      if (!(e instanceof PyError)) throw e;
      // Its fields grew past the root's room after create_task measured them: the run fails, as
      // though create_task had raised, and queues nothing; what it changed is kept.
      answer = failure('WalkerError', `${e.pyType}: ${e.message}`);
    }
    // A delivery's run is all or nothing: one that failed keeps none of its changes and queues
    // nothing, since it is not remembered and the sender's retry (or the job's next attempt) runs
    // it again: kept, what it did before failing would be applied once per attempt.
    if (job.delivery && answer.status !== 200) return { job, answer, change: null, discard: true };
    // A delivery that ran is remembered in the same commit as what it changed. A queued
    // delivery's run that changed nothing and queued nothing is not remembered: running it again
    // has nothing to apply twice.
    const remember = job.delivery && 'body' in answer ? { ...job.delivery, body: answer.body } : null;
    const rememberRun = (r: NonNullable<typeof remember>) => {
      const now = Date.now();
      graph.rememberDelivery(r.record, { body: r.body, at: new Date(now).toISOString(), until: new Date(now + r.hours * 3_600_000).toISOString() }, now);
    };
    if (remember && !remember.ifChanged) rememberRun(remember);
    // What any other walker changed is kept even when it failed, as Jac Cloud keeps it.
    const discarded = graph.discarded;
    let change: GraphChange;
    let changed: boolean;
    try {
      change = graph.takeChanges();
      changed = change.upserts.length > 0 || change.deletes.length > 0;
      if (remember?.ifChanged && (changed || tasks.length > 0)) {
        rememberRun(remember);
        change = mergeChanges([change, graph.takeChanges()]);
        changed = true;
      }
    } catch (e) {
      if (!(e instanceof StoreError)) throw e;
      return { job, answer: failure('CommitFailed', e.message), change: null, discard: true };
    }
    if (tasks.length > 0 && (answer.status === 200 || answer.status === 500)) answer = { ...answer, tasks };
    // A run that discarded its writes (`mem.__mem__.clear()`) leaves a graph in memory that is not
    // the one stored: it goes, and the next run reads what was committed.
    const hints = graph.takeHints();
    return { job, answer, change: changed ? change : null, ...(discarded ? { discard: true } : {}), ...(hints.length > 0 ? { hints } : {}) };
  }

  /** Commits a batch's changes as one, then answers its jobs by what became durable. */
  private async commit(root: string, done: Executed[], lease: RootLease | null): Promise<void> {
    const changes = done.flatMap((d) => (d.change ? [d.change] : []));
    let failed: Answer | null = null;
    if (changes.length > 0) {
      this.post({ kind: 'committing', root });
      try {
        const version = lease ? await lease.commit(mergeChanges(changes)) : (await this.store.commitGraph(root, mergeChanges(changes)), null);
        const held = this.graphs.get(root);
        if (held) {
          held.tag = this.newTag();
          held.version = version;
        }
      } catch (e) {
        const message = `the changes were not saved: ${(e as Error).message}`;
        failed = isUnavailable(e) ? unavailable(message) : failure('CommitFailed', message);
        this.graphs.delete(root);
      }
    }
    if (lease) {
      try {
        await lease.release();
      } catch {
        // Released with its connection: the database rolled back whatever it had.
      }
    }
    const firstChange = done.findIndex((d) => d.change !== null);
    const tag = this.graphs.get(root)?.tag ?? null;
    this.graphs.trim(root);
    done.forEach((d, i) => {
      const lost = failed !== null && i >= firstChange && d.answer.status !== 403 && d.answer.status !== 404 && d.answer.status !== 'reach';
      this.post({ kind: 'done', id: d.job.id, answer: lost ? failed! : d.answer, tag, ...(d.hints && !lost ? { hints: d.hints } : {}) });
    });
  }
}
