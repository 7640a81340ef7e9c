// One root's graph between the store and the interpreter: reads its records into nodes and
// edges of the program's types, and turns what a run changed into one GraphChange.
import type { Value } from '../values/value.ts';
import { PyClass, PyInstance } from '../interpreter/archetypes.ts';
import { addEdge, destroyEdge, GenericEdge, loadPending, RootClass } from '../interpreter/graph.ts';
import { PyError } from '../values/errors.ts';
import { commitOrder, GraphTracker, makeStandIn, standInRoot } from '../interpreter/tracking.ts';
import { AccessGuard, accessChanged, CONNECT, decodeAccess, encodeAccess, granteesOf, levelIn, NO_ACCESS, WRITE } from '../interpreter/access.ts';
import { type GraphHost, ReachElsewhere } from '../interpreter/run-context.ts';
import { type DecodeContext, decodeValue, encodeValue } from './codec.ts';
import { parseId } from './ids.ts';
import { type GraphChange, type GraphRecord, type GraphStore, type Json, type ShareHint, StoreError } from './store.ts';

/** Jac Cloud's super root: the root `jac-serve run --data` runs against. */
export const SUPER_ROOT_ID = 'n::000000000000000000000000';

export type TypeResolver = (name: string) => Value | undefined;

/** The type part of the ids of webhook delivery records, which live among a root's records. */
export const DELIVERY_TYPE = '__webhook_delivery__';

/** A webhook delivery this root ran (each delivery once): the answer it got, and until when it is remembered. */
export interface DeliveryMemory {
  body: string;
  at: string;
  until: string;
}

/**
 * Jac Cloud deletes, when a run commits, a node that lost its last edge in the run (auto-cleanup,
 * jac-cloud-runtime.md §1.7); DISABLE_AUTO_CLEANUP=true keeps such nodes, as there.
 */
const autoCleanup = () => process.env.DISABLE_AUTO_CLEANUP !== 'true';

export class PersistentGraph implements GraphHost {
  readonly tracker = new GraphTracker();
  readonly root: PyInstance;
  private resolveType: TypeResolver | null = null;
  /**
   * The webhook deliveries this root remembers, by record id. They are records of the root, so
   * that remembering one is committed with the changes its run made, or not at all.
   */
  readonly deliveries = new Map<string, DeliveryMemory>();
  private deliveryChanges = new Map<string, DeliveryMemory | null>();

  private constructor(
    readonly store: GraphStore,
    readonly rootId: string,
    private records: GraphRecord[] | null,
  ) {
    for (const r of records ?? []) if (parseId(r.id)?.type === DELIVERY_TYPE) this.deliveries.set(r.id, r.fields as unknown as DeliveryMemory);
    this.tracker.rootId = rootId;
    this.root = new PyInstance(RootClass);
    this.root.id = rootId;
    this.tracker.include(this.root);
    if (records === null) this.tracker.touch(this.root); // a new root: its record is written first
    else this.root.pendingLoad = () => this.materialize();
  }

  /** Fetches a root's records; nodes are made from them when the program first reaches the root. */
  static async open(store: GraphStore, rootId: string): Promise<PersistentGraph> {
    return new PersistentGraph(store, rootId, await store.loadGraph(rootId));
  }

  /** Where the program's types come from (its module globals), once they exist. */
  bindTypes(resolve: TypeResolver): void {
    this.resolveType = resolve;
  }

  /** Makes the nodes and edges now, rather than on first use. */
  loadNow(): void {
    loadPending(this.root);
  }

  private materialize(): void {
    const records = this.records ?? [];
    this.records = null;
    const resolve = this.resolveType ?? (() => undefined);
    const byId = new Map<string, PyInstance>([[this.rootId, this.root]]);
    const file = `${this.store.location} (root ${this.rootId})`;
    const classes = new Map<string, PyClass | null>();
    // First every instance, so that references between them resolve; then their contents.
    for (const r of records) {
      if (r.id === this.rootId) {
        if (r.access) this.root.access = decodeAccess(r.access);
        continue;
      }
      const cls = this.classOf(r.id, resolve, classes);
      if (!cls) continue; // its type is gone from the program: the record stays in the store as it is
      const inst = new PyInstance(cls);
      inst.id = r.id;
      byId.set(r.id, inst);
    }
    const cx: DecodeContext = { resolveType: (name) => resolveQualified(resolve, name), resolveRef: (id) => byId.get(id), file };
    for (const r of records) {
      const inst = byId.get(r.id);
      if (!inst) continue;
      if (inst.cls.kind === 'edge') {
        // A remote edge's far end is another root's node: a stand-in names it (tracking.ts).
        const end = (id: string | undefined) => byId.get(id ?? '') ?? (r.remote && id ? this.standIn(id, r.remote, resolve, classes) : undefined);
        const source = end(r.source);
        const target = end(r.target);
        if (!source || !target) {
          byId.delete(r.id); // an end's type is gone: the edge is kept in the store, not shown
          continue;
        }
        inst.source = source;
        inst.target = target;
        inst.undirected = r.undirected === true;
        // A node's edges are its edge records in creation order, as connecting made them.
        if (standInRoot(source) === undefined) addEdge(source, inst);
        if (standInRoot(target) === undefined) addEdge(target, inst);
        if (r.remote) this.tracker.remoteEdges.add(inst);
      }
      for (const name in r.fields) inst.values[inst.cls.slotFor(name)] = decodeValue(r.fields[name], cx);
      if (r.access) inst.access = decodeAccess(r.access);
    }
    for (const inst of byId.values()) if (inst !== this.root) this.tracker.include(inst);
  }

  /** A stand-in for another root's node at the far end of a remote edge (null: its type is gone). */
  private standIn(id: string, root: string, resolve: TypeResolver, classes: Map<string, PyClass | null>): PyInstance | undefined {
    const cls = this.classOf(id, resolve, classes);
    if (!cls || cls.kind !== 'node') return undefined;
    const node = new PyInstance(cls);
    node.id = id;
    return makeStandIn(node, root);
  }

  /** The class of a record by its id's kind and type (looked up once per kind and type). */
  private classOf(id: string, resolve: TypeResolver, seen: Map<string, PyClass | null>): PyClass | null {
    const parts = parseId(id);
    if (!parts) throw new StoreError(`${this.store.location}: root ${this.rootId} has a record with a malformed id ${JSON.stringify(id)}`, 'JAC_STORE_CORRUPT');
    const key = `${parts.kind}:${parts.type}`;
    let cls = seen.get(key);
    if (cls === undefined) {
      const kind = parts.kind === 'n' ? 'node' : parts.kind === 'e' ? 'edge' : parts.kind === 'o' ? 'obj' : null;
      const found = parts.type === '' ? (kind === 'edge' ? GenericEdge : null) : resolveQualified(resolve, parts.type);
      cls = found instanceof PyClass && found.kind === kind ? found : null;
      seen.set(key, cls);
    }
    return cls;
  }

  /** A node of this graph by id (reading the graph in if it was not yet), or null. */
  node(id: string): PyInstance | null {
    this.loadNow();
    const i = this.tracker.byId.get(id);
    return i !== undefined && i.cls.kind === 'node' ? i : null;
  }

  /** Remembers a delivery with the next commit, and forgets the ones whose time is over. */
  rememberDelivery(id: string, memory: DeliveryMemory, now = Date.now()): void {
    for (const [known, m] of this.deliveries) {
      if (Date.parse(m.until) > now) continue;
      this.deliveries.delete(known);
      this.deliveryChanges.set(known, null);
    }
    this.deliveries.set(id, memory);
    this.deliveryChanges.set(id, memory);
  }

  // The runtime API's view of this graph (run-context.ts).

  /**
   * What `x.__jac__.apply()` wrote, encoded when it was called (Jac Cloud writes it then); once
   * the run discards its writes, the only writes kept.
   */
  private readonly applied = { upserts: new Map<string, GraphRecord>(), deletes: new Set<string>() };
  private discarding = false;

  /**
   * Whether the graph in memory is not what is stored: the run discarded its writes
   * (`mem.__mem__.clear()`), or (another root's graph) changes it had no level for were dropped.
   */
  get discarded(): boolean {
    return this.discarding || this.dropped;
  }

  // Sharing between users: a run of one root may hold other roots' graphs (access.ts).

  /** The other roots' graphs the run under way holds, and the ids it knows are in none. */
  private reach: { graphs: PersistentGraph[]; unreachable: ReadonlySet<string> } | null = null;
  /** A change to this graph (reached by another root's run) was dropped for want of a level. */
  private dropped = false;
  /** Share hints of what the last takeChanges wrote (anchors whose access changed). */
  private hints: ShareHint[] = [];

  /**
   * The run under way on this root may reach these graphs (null: the run is over). An id in none
   * of them, and not known to be in none, throws ReachElsewhere, so the host runs it again with
   * the root that holds it.
   */
  reachInto(reach: { graphs: PersistentGraph[]; unreachable: ReadonlySet<string> } | null): void {
    this.reach = reach;
    // Remote edges point at the nodes of the roots the run holds, and at stand-ins once it is over.
    for (const e of this.tracker.remoteEdges) {
      for (const side of ['source', 'target'] as const) {
        const end = e[side]!;
        if (end.graph === this.tracker) continue;
        const root = standInRoot(end) ?? end.graph?.rootId ?? null;
        if (root === null) continue;
        if (reach === null) {
          if (standInRoot(end) === undefined) e[side] = makeStandIn(Object.assign(new PyInstance(end.cls), { id: end.id }), root);
        } else {
          const node = reach.graphs.find((g) => g.rootId === root)?.find(end.id!);
          if (node) e[side] = node;
        }
      }
    }
  }

  /** This graph is held by a run of root `caller` (null: by its own root's runs again). */
  guardFor(caller: string | null): void {
    this.tracker.guard = caller === null ? null : new AccessGuard(caller, this.root);
  }

  elsewhere(id: string, root?: string): PyInstance | null {
    if (this.reach === null || parseId(id) === null) return null;
    for (const g of this.reach.graphs) {
      const x = g.find(id);
      if (x) return levelIn(x) > NO_ACCESS ? x : null;
    }
    if (this.reach.unreachable.has(id)) return null;
    throw new ReachElsewhere(id, root);
  }

  /** The share hints the last commit's changes need written (sharing between users). */
  takeHints(): ShareHint[] {
    const hints = this.hints;
    this.hints = [];
    return hints;
  }

  find(id: string): PyInstance | null {
    this.loadNow();
    return this.tracker.byId.get(id) ?? null;
  }

  save(x: PyInstance): void {
    if (x.cls.kind !== 'node' && x.cls.kind !== 'edge' && x.cls.kind !== 'obj') throw new PyError('TypeError', `save() stores nodes, edges and objs, not a ${x.cls.kind}`);
    this.loadNow();
    if (x.graph === this.tracker) this.tracker.touch(x);
    else this.tracker.adopt(x);
  }

  /**
   * Removes the root's nodes (but the root) and edges that were stored before this run, as Jac
   * Cloud's reset_graph deletes what its database holds; counts them (each edge once).
   */
  reset(): number {
    this.loadNow();
    let n = 0;
    for (const i of [...this.tracker.byId.values()]) {
      if (i === this.root || i.cls.kind === 'obj' || this.tracker.adoptedNow.has(i) || i.graph !== this.tracker) continue;
      if (i.cls.kind === 'edge') destroyEdge(i);
      else this.tracker.remove(i);
      n++;
    }
    return n;
  }

  /**
   * Encodes now what `x.__jac__.apply()` writes (jac-cloud-runtime.md §1.5): x as it is, a node
   * with its new or changed edges and their new ends; a destroyed one's deletion (a node's with
   * its edges).
   */
  apply(x: PyInstance): void {
    const t = this.tracker;
    const write = new Set<PyInstance>();
    if (x.graph === t) {
      if (t.dirty.has(x)) write.add(x);
      for (const e of x.edges ?? []) {
        if (!t.dirty.has(e)) continue;
        write.add(e);
        for (const end of [e.source, e.target]) if (end && t.dirty.has(end) && t.adoptedNow.has(end)) write.add(end);
      }
    } else if (x.id !== null && t.deleted.has(x.id)) {
      this.applied.deletes.add(x.id);
      for (const r of t.removedNow) if (r.id !== null && (r.source === x || r.target === x)) this.applied.deletes.add(r.id);
    }
    for (const i of commitOrder(write)) this.applied.upserts.set(i.id!, this.encode(i));
  }

  discardPending(): void {
    this.discarding = true;
  }

  all(): Iterable<PyInstance> {
    this.loadNow();
    return this.tracker.byId.values();
  }

  wasDeleted(id: string): boolean {
    return this.tracker.deleted.has(id);
  }

  /** What changed since the last call, encoded now (later changes go in the next one). */
  takeChanges(): GraphChange {
    if (this.discarding) return this.takeApplied();
    const guarded = this.tracker.guard !== null;
    if (autoCleanup()) {
      for (const n of this.tracker.lostEdges) {
        if (n !== this.root && n.graph === this.tracker && !this.tracker.adoptedNow.has(n) && (n.edges?.length ?? 0) === 0 && levelIn(n) >= CONNECT) this.tracker.remove(n);
      }
    }
    let dirty = commitOrder(this.tracker.dirty);
    if (guarded) {
      // Another root's run: what it changed without WRITE shows in its answer and is not stored.
      const kept = dirty.filter((i) => levelIn(i) >= WRITE);
      if (kept.length !== dirty.length) this.dropped = true;
      dirty = kept;
    }
    for (const i of dirty) {
      if (!accessChanged.has(i)) continue;
      accessChanged.delete(i);
      this.hints.push({ id: i.id!, owner: this.rootId, grantees: granteesOf(i.access) });
    }
    for (const i of this.tracker.removedNow) if (i.access !== null && i.id !== null) this.hints.push({ id: i.id, owner: this.rootId, grantees: [] });
    const upserts = dirty.map((i) => this.encode(i));
    const deletes = [...this.tracker.deleted];
    for (const [id, memory] of this.deliveryChanges) {
      if (memory) upserts.push({ id, fields: { ...memory } });
      else deletes.push(id);
    }
    this.deliveryChanges.clear();
    this.clearApplied(); // applied then flushed: the flush writes it all
    this.tracker.committed();
    return { upserts, deletes };
  }

  /** A run that discarded its writes keeps only what `apply()` wrote; no auto-cleanup: there is no flush. */
  private takeApplied(): GraphChange {
    const upserts = [...this.applied.upserts.values()];
    const deletes = [...this.applied.deletes];
    for (const [id, memory] of this.deliveryChanges) {
      if (memory) upserts.push({ id, fields: { ...memory } });
      else deletes.push(id);
    }
    this.deliveryChanges.clear();
    this.clearApplied();
    this.discarding = false;
    this.tracker.committed();
    return { upserts, deletes };
  }

  private clearApplied(): void {
    this.applied.upserts.clear();
    this.applied.deletes.clear();
  }

  /** Commits what changed; resolves once it is on disk. */
  commit(): Promise<void> {
    if (this.root.pendingLoad !== null) return Promise.resolve(); // never read: nothing changed
    const change = this.takeChanges();
    if (change.upserts.length === 0 && change.deletes.length === 0) return Promise.resolve();
    return this.store.commitGraph(this.rootId, change);
  }

  private encode(i: PyInstance): GraphRecord {
    const fields: Record<string, Json> = {};
    for (const [name, slot] of i.cls.slots) {
      const v = i.values[slot];
      if (v !== undefined) fields[name] = encodeValue(v, `${i.cls.name}.${name}`);
    }
    const record: GraphRecord = { id: i.id!, fields };
    if (i.access) record.access = encodeAccess(i.access);
    if (i.cls.kind === 'edge') {
      record.source = i.source!.id!;
      record.target = i.target!.id!;
      if (i.undirected) record.undirected = true;
      if (this.tracker.remoteEdges.has(i)) {
        const far = i.source!.graph === this.tracker ? i.target! : i.source!;
        const root = standInRoot(far) ?? far.graph?.rootId;
        if (root) record.remote = root;
      }
    }
    return record;
  }
}

/** `Outer.Inner` → the program's `Outer`, then its attribute `Inner`. */
function resolveQualified(resolve: TypeResolver, name: string): Value | undefined {
  const [first, ...rest] = name.split('.');
  let v = resolve(first);
  for (const part of rest) v = v instanceof PyClass ? v.lookup(part) : undefined;
  return v;
}
