// One root's graph between the store and the interpreter: reads its records into nodes and
// edges of the program's types, and turns what a run changed into one GraphChange.
import type { Value } from '../values/value.ts';
import { PyClass, PyInstance } from '../interpreter/archetypes.ts';
import { addEdge, GenericEdge, loadPending, RootClass } from '../interpreter/graph.ts';
import { commitOrder, GraphTracker } from '../interpreter/tracking.ts';
import { type DecodeContext, decodeValue, encodeValue } from './codec.ts';
import { parseId } from './ids.ts';
import { type GraphChange, type GraphRecord, type GraphStore, type Json, StoreError } from './store.ts';

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

export class PersistentGraph {
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
      if (r.id === this.rootId) continue;
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
        const source = byId.get(r.source ?? '');
        const target = byId.get(r.target ?? '');
        if (!source || !target) {
          byId.delete(r.id); // an end's type is gone: the edge is kept in the store, not shown
          continue;
        }
        inst.source = source;
        inst.target = target;
        inst.undirected = r.undirected === true;
        // A node's edges are its edge records in creation order, as connecting made them.
        addEdge(source, inst);
        addEdge(target, inst);
      }
      for (const name in r.fields) inst.values[inst.cls.slotFor(name)] = decodeValue(r.fields[name], cx);
    }
    for (const inst of byId.values()) if (inst !== this.root) this.tracker.include(inst);
  }

  /** The class of a record by its id's kind and type (looked up once per kind and type). */
  private classOf(id: string, resolve: TypeResolver, seen: Map<string, PyClass | null>): PyClass | null {
    const parts = parseId(id);
    if (!parts) throw new StoreError(`${this.store.location}: root ${this.rootId} has a record with a malformed id ${JSON.stringify(id)}`, 'JAC_STORE_CORRUPT');
    const key = `${parts.kind}:${parts.type}`;
    let cls = seen.get(key);
    if (cls === undefined) {
      const kind = parts.kind === 'n' ? 'node' : parts.kind === 'e' ? 'edge' : null;
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

  /** What changed since the last call, encoded now (later changes go in the next one). */
  takeChanges(): GraphChange {
    const upserts = commitOrder(this.tracker.dirty).map((i) => this.encode(i));
    const deletes = [...this.tracker.deleted];
    for (const [id, memory] of this.deliveryChanges) {
      if (memory) upserts.push({ id, fields: { ...memory } });
      else deletes.push(id);
    }
    this.deliveryChanges.clear();
    this.tracker.dirty.clear();
    this.tracker.deleted.clear();
    return { upserts, deletes };
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
    if (i.cls.kind === 'edge') {
      record.source = i.source!.id!;
      record.target = i.target!.id!;
      if (i.undirected) record.undirected = true;
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
