// Which nodes and edges of a persistent graph a run changed, so a commit writes only those.
// An instance belongs to a graph once it is connected to a node that does (the root always
// does), as Jac Cloud persists a node once it is connected to a persisted one. Field writes,
// reads of container fields (which the program may then change in place), connects and deletes
// mark instances dirty; the store re-encodes only the dirty ones.
import { newId } from '../store/ids.ts';
import type { AccessGuard } from './access.ts';
import type { PyInstance } from './archetypes.ts';
import { GenericEdge, RootClass } from './graph.ts';

/**
 * The id an instance is known by (http-api.md §4), given on first need: `n:`/`e:`/`w:`/`o:`
 * by kind, with an empty type for the root and generic edges.
 */
export function idOf(i: PyInstance): string {
  if (i.id === null) {
    const kind = i.cls.kind === 'node' ? 'n' : i.cls.kind === 'edge' ? 'e' : i.cls.kind === 'walker' ? 'w' : 'o';
    i.id = newId(kind, i.cls === RootClass || i.cls === GenericEdge ? '' : i.cls.name);
  }
  return i.id;
}

/** The order edges were made in this process (a node's edges, reloaded, follow it). */
const edgeOrder = new WeakMap<PyInstance, number>();
let edgesMade = 0;

export function noteEdgeMade(edge: PyInstance): void {
  edgeOrder.set(edge, ++edgesMade);
}

/**
 * `dirty` as a commit lists it: nodes and objects first, then edges in the order they were made
 * (a subgraph adopted whole is walked in no such order), so a store that appends new records
 * keeps every node's edges in creation order.
 */
export function commitOrder(dirty: Iterable<PyInstance>): PyInstance[] {
  const others: PyInstance[] = [];
  const edges: PyInstance[] = [];
  for (const i of dirty) (i.cls.kind === 'edge' ? edges : others).push(i);
  edges.sort((a, b) => (edgeOrder.get(a) ?? 0) - (edgeOrder.get(b) ?? 0));
  return others.concat(edges);
}

/**
 * Stand-ins for the far ends of edges to other roots' nodes (sharing between users), with the
 * root each belongs to. An edge a run of this root made to another root's node (with CONNECT on
 * it) lives in this root's graph; while a run holds the other root, the edge points at the node
 * itself, otherwise at a stand-in that names it, and a run that follows the edge is run again
 * holding that root (persistent-graph.ts).
 */
const standIns = new WeakMap<PyInstance, string>();

export function makeStandIn(node: PyInstance, root: string): PyInstance {
  standIns.set(node, root);
  node.graph = standInGraph; // what traversal checks: one compare for every other node
  return node;
}

/** The root a stand-in's node belongs to, or undefined for anything else. */
export const standInRoot = (x: PyInstance): string | undefined => standIns.get(x);

export class GraphTracker {
  /** The root whose graph this is (null: a graph of no root, in tests). */
  rootId: string | null = null;
  /** Edges whose other end is another root's node. */
  readonly remoteEdges = new Set<PyInstance>();

  /** Instances created or changed since the last commit, in the order they were marked. */
  readonly dirty = new Set<PyInstance>();
  /** Ids of instances deleted since the last commit. */
  readonly deleted = new Set<string>();
  /** Every node and edge of the graph by id (a request names its entry node by id). */
  readonly byId = new Map<string, PyInstance>();
  /** Set while a run of another root reaches this graph: what that root may do here. */
  guard: AccessGuard | null = null;

  /** Records an instance read from the store as part of this graph. */
  include(i: PyInstance): void {
    i.graph = this;
    this.byId.set(i.id!, i);
  }

  touch(i: PyInstance): void {
    this.dirty.add(i);
  }

  /**
   * Makes `start` and everything connected to it part of this graph (a subgraph built apart and
   * then connected joins as a whole).
   */
  adopt(start: PyInstance): void {
    const stack = [start];
    while (stack.length > 0) {
      const i = stack.pop()!;
      if (i.graph === this) continue;
      if (i.graph !== null) throw new Error(`${i.cls.name} already belongs to another root's graph`);
      i.graph = this;
      this.byId.set(idOf(i), i);
      this.dirty.add(i);
      this.adoptedNow.add(i);
      if (i.edges) for (const e of i.edges) stack.push(e);
      for (const end of [i.source, i.target]) {
        if (end === null) continue;
        // Another root's node stays in its own graph: the edge to it is a remote edge of this one.
        if (end.graph !== null && end.graph !== this && (end.graph.guard !== null || end.graph === standInGraph)) this.remoteEdges.add(i);
        else stack.push(end);
      }
    }
  }

  /** Nodes that lost an edge since the last commit (auto-cleanup looks at them). */
  readonly lostEdges = new Set<PyInstance>();
  /** Instances that joined the graph since the last commit (not yet stored). */
  readonly adoptedNow = new Set<PyInstance>();
  /** Instances removed since the last commit. */
  readonly removedNow: PyInstance[] = [];

  /** Forgets what the last commit wrote. */
  committed(): void {
    this.dirty.clear();
    this.deleted.clear();
    this.lostEdges.clear();
    this.adoptedNow.clear();
    this.removedNow.length = 0;
  }

  /** `del` of a node, edge or saved obj of this graph. */
  remove(i: PyInstance): void {
    if (i.cls === RootClass) return; // `del root` removes its edges; the root stays
    if (i.cls.kind === 'edge') {
      if (i.source) this.lostEdges.add(i.source);
      if (i.target) this.lostEdges.add(i.target);
    }
    this.dirty.delete(i);
    this.remoteEdges.delete(i);
    this.removedNow.push(i);
    if (i.id !== null) {
      this.deleted.add(i.id);
      this.byId.delete(i.id);
    }
    i.graph = null;
  }
}

/** The graph every stand-in belongs to: no root's, so nothing of it is kept or committed. */
class StandInGraph extends GraphTracker {
  override touch(): void {}
}
export const standInGraph: GraphTracker = new StandInGraph();
