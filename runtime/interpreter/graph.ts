// The graph as jaclang 0.8.0 builds and queries it: connect, edge references with their
// order and identity de-duplication, filters, disconnect, and destroying nodes and edges.
import type { EdgeDir, EdgeOp, FilterCond } from '../../grammar/ast.ts';
import { compare, compareOperator, equals, sameOrEqual, truthy } from '../values/compare.ts';
import { PyError } from '../values/errors.ts';
import type { Value } from '../values/value.ts';
import { PyClass, PyInstance, someClassDefinesEq } from './archetypes.ts';
import { contains, getAttribute, iterate } from './protocols.ts';
import { CONNECT, levelIn, NO_ACCESS, WRITE } from './access.ts';
import { activeRun } from './run-context.ts';
import { noteEdgeMade, standInGraph, standInRoot } from './tracking.ts';

/** The classes every program has: the root node's and the generic edge's. */
export const RootClass = new PyClass('Root', 'Root', 'node', [], []);
export const GenericEdge = new PyClass('GenericEdge', 'GenericEdge', 'edge', [], []);

export const isNode = (v: Value): v is PyInstance => v instanceof PyInstance && v.cls.kind === 'node';
export const isEdge = (v: Value): v is PyInstance => v instanceof PyInstance && v.cls.kind === 'edge';

/** A node, or every node of a list (the operands of connect and edge references). */
export function nodesOf(v: Value, what: string): PyInstance[] {
  if (isNode(v)) {
    loadPending(v);
    return [v];
  }
  if (Array.isArray(v)) {
    return v.map((x) => {
      if (!isNode(x)) throw new PyError('TypeError', `${what} takes nodes, not ${x instanceof PyInstance ? x.cls.name : typeof x}`);
      return x;
    });
  }
  throw new PyError('TypeError', `${what} takes a node or a list of nodes`);
}

/**
 * Adds an edge to a node's list. A first edge gets an array of exactly one slot: most nodes
 * are leaves with one edge, and `push` on an empty array would reserve seventeen.
 */
export function addEdge(node: PyInstance, edge: PyInstance): void {
  if (node.edges!.length === 0) node.edges = [edge];
  else node.edges!.push(edge);
}

/** Reads in a stored root's graph, the first time the program (or the server) reaches it. */
export function loadPending(root: PyInstance): void {
  const load = root.pendingLoad;
  if (load === null) return;
  root.pendingLoad = null;
  load();
}

/** `L ++> R` and the other connect forms. Returns what 0.8.0 returns: R as a list, or L for `<++`. */
export function connect(left: Value, right: Value, dir: EdgeDir, makeEdge: () => PyInstance): Value[] {
  const ls = nodesOf(left, 'connect');
  const rs = nodesOf(right, 'connect');
  for (const l of ls) {
    for (const r of rs) {
      // An end in another root's graph needs CONNECT; without it there is no edge and no error.
      if (levelIn(l) < CONNECT || levelIn(r) < CONNECT) continue;
      // The edge goes to the run's own root's graph when an end is in it: an edge to another
      // root's node is this root's (a remote edge), and that node's own edges do not change.
      const own = (g: PyInstance['graph']) => g !== null && g.guard === null && g !== standInGraph;
      const graph = own(l.graph) ? l.graph : own(r.graph) ? r.graph : (l.graph ?? r.graph);
      if (l.graph !== null && r.graph !== null && l.graph !== r.graph && !own(l.graph) && !own(r.graph)) throw new PyError('ValueError', "cannot connect nodes of two other roots' graphs");
      const edge = makeEdge();
      noteEdgeMade(edge);
      edge.source = dir === 'in' ? r : l;
      edge.target = dir === 'in' ? l : r;
      edge.undirected = dir === 'any';
      for (const end of [edge.source, edge.target]) if (end.graph === null || end.graph === graph) addEdge(end, edge);
      // Connected to a stored node: the edge, and whatever the other end brings, are stored too.
      // The ends' records do not change: a node's edges are its edge records, in creation order.
      if (graph !== null) graph.adopt(edge);
    }
  }
  return dir === 'in' ? ls : rs;
}

/** The test of a filter condition `field op value` on an object's field. */
export function fieldTest(object: Value, cond: FilterCond, value: Value): boolean {
  const actual = getAttribute(object, cond.field);
  switch (cond.op) {
    case '==':
    case '!=':
      // The operator itself, as 0.8.0's filter lambda runs it: a class's __eq__ or __ne__ decides.
      return truthy(compareOperator(cond.op, actual, value));
    case 'is':
      return actual === value;
    case 'is not':
      return actual !== value;
    case 'in':
      return contains(value, actual, equals);
    case 'not in':
      return !contains(value, actual, equals);
    default:
      return compare(cond.op, actual, value);
  }
}

export function isInstanceOf(v: Value, type: Value): boolean {
  if (Array.isArray(type)) return type.some((t) => isInstanceOf(v, t));
  if (type instanceof PyClass) return v instanceof PyInstance && v.cls.isSubclassOf(type);
  throw new PyError('TypeError', 'a type filter needs an archetype');
}

export interface HopPlan {
  op: EdgeOp;
  /** The edge type, evaluated when the reference runs; null for any edge. */
  edgeType: Value;
  edgeValues: Value[];
  /** A node filter: type and field tests, or the target node(s). */
  nodeType: Value | undefined;
  nodeConds: { cond: FilterCond; value: Value }[];
  target: PyInstance[] | null;
}

/**
 * Identity de-duplication without allocating a set per hop: a hop takes a fresh number and marks
 * each instance it has taken with it. No program code runs during a hop, so hops never overlap.
 */
let hopEpoch = 0;

/**
 * One hop as jaclang 0.8.0's `refs` makes it: from each node, its edges in order that match,
 * the nodes (or, for the last hop of `[edge ...]`, the edges) reached kept once, then the node
 * filter, which in `[edge ...]` tests the edges themselves.
 */
function hop(from: PyInstance[], plan: HopPlan, wantEdges: boolean): PyInstance[] {
  if (someClassDefinesEq() && mayMeetEq(from, plan)) return hopByEquality(from, plan, wantEdges);
  const out: PyInstance[] = [];
  const epoch = ++hopEpoch;
  const { dir, conds } = plan.op;
  const outward = dir === 'out' || dir === 'any';
  const inward = dir === 'in' || dir === 'any';
  const filtered = plan.nodeType !== undefined || plan.nodeConds.length > 0;
  for (const n of from) {
    if (!n.edges) continue;
    for (const e of n.edges) {
      let other: PyInstance | null = null;
      if (outward && e.source === n) other = e.target;
      else if (inward && e.target === n) other = e.source;
      if (!other) continue;
      if (plan.edgeType !== null && !isInstanceOf(e, plan.edgeType)) continue;
      if (conds.length > 0 && !conds.every((c, i) => fieldTest(e, c, plan.edgeValues[i]))) continue;
      if (other.graph === standInGraph && (other = followStandIn(other)) === null) continue;
      if (plan.target && !plan.target.includes(other)) continue;
      // An edge is marked too: a self-loop is in its node's list twice.
      const reached = wantEdges ? e : other;
      if (reached.mark === epoch) continue;
      // Another root's node this root may not read is not there for it.
      if (other.graph !== null && other.graph.guard !== null && levelIn(other) === NO_ACCESS) continue;
      reached.mark = epoch;
      if (!filtered || passesNodeFilter(reached, plan)) out.push(reached);
    }
  }
  return out;
}

/** Whether a hop may reach (or target) an instance whose class defines `__eq__`: then `==` decides what is kept. */
function mayMeetEq(from: PyInstance[], plan: HopPlan): boolean {
  const eq = (v: PyInstance | null) => v !== null && v.cls.special('__eq__') !== null;
  if (plan.target?.some(eq)) return true;
  for (const n of from) {
    if (n.edges) for (const e of n.edges) if (eq(e) || eq(e.source) || eq(e.target)) return true;
  }
  return false;
}

function passesNodeFilter(v: PyInstance, plan: HopPlan): boolean {
  if (plan.nodeType !== undefined && !isInstanceOf(v, plan.nodeType)) return false;
  return plan.nodeConds.every(({ cond, value }) => fieldTest(v, cond, value));
}

/**
 * The node at the far end of a remote edge (tracking.ts): a stand-in asks the run's host for the
 * node it names, which it holds (or which is gone: null), or which it runs the run again to hold.
 * Anything else is itself.
 */
function followStandIn(x: PyInstance): PyInstance | null {
  const root = standInRoot(x);
  if (root === undefined) return x;
  return activeRun().graph?.elsewhere?.(x.id!, root) ?? null;
}

const readable = (v: PyInstance) => v.graph === null || v.graph.guard === null || levelIn(v) > NO_ACCESS;

/**
 * A hop once a class defines `__eq__`: 0.8.0 keeps a node (or edge) unless one `==` to it was
 * kept already, tested with `not in` after each node's matches, and picks the targets with `in`.
 */
function hopByEquality(from: PyInstance[], plan: HopPlan, wantEdges: boolean): PyInstance[] {
  const kept: PyInstance[] = [];
  const { dir, conds } = plan.op;
  const outward = dir === 'out' || dir === 'any';
  const inward = dir === 'in' || dir === 'any';
  const isTarget = (v: PyInstance) => plan.target === null || plan.target.some((t) => sameOrEqual(t, v));
  for (const n of from) {
    if (!n.edges) continue;
    const found: PyInstance[] = [];
    for (const e of n.edges) {
      if (!e.source || !e.target) continue;
      if ((e.source.graph === standInGraph && followStandIn(e.source) === null) || (e.target.graph === standInGraph && followStandIn(e.target) === null)) continue;
      if (plan.edgeType !== null && !isInstanceOf(e, plan.edgeType)) continue;
      if (conds.length > 0 && !conds.every((c, i) => fieldTest(e, c, plan.edgeValues[i]))) continue;
      if (outward && e.source === n && readable(e.target) && isTarget(e.target)) found.push(wantEdges ? e : e.target);
      if (inward && e.target === n && readable(e.source) && isTarget(e.source)) found.push(wantEdges ? e : e.source);
    }
    for (const v of found) if (!kept.some((k) => sameOrEqual(k, v))) kept.push(v);
  }
  return plan.nodeType !== undefined || plan.nodeConds.length > 0 ? kept.filter((v) => passesNodeFilter(v, plan)) : kept;
}

/** `[origin hop hop ...]`: the nodes (or edges) the last hop reaches. */
export function edgeRef(origin: Value, plans: HopPlan[], returnEdges: boolean): Value[] {
  let current = nodesOf(origin, 'an edge reference');
  for (let i = 0; i < plans.length; i++) current = hop(current, plans[i], returnEdges && i === plans.length - 1);
  return current;
}

/** `L del --> R`: removes L's matching edges to R; true when any was removed. */
export function disconnect(left: Value, right: Value, plan: HopPlan): boolean {
  if (plan.op.dir !== 'out') {
    // 0.8.0 crashes on `del <--` and `del <-->` (its generated call passes a bad keyword).
    throw new PyError('TypeError', "got an unexpected keyword argument 'EdgeDir'");
  }
  const targets = nodesOf(right, 'disconnect');
  const removed = edgeRef(left, [{ ...plan, target: targets }], true);
  for (const e of removed) destroyEdge(e as PyInstance);
  return removed.length > 0;
}

/** Removes an edge; in another root's graph, only with CONNECT on its ends (unless its node goes: `ofDestroyed`). */
export function destroyEdge(e: PyInstance, ofDestroyed = false): void {
  if (!ofDestroyed && e.graph?.guard && ((e.source && levelIn(e.source) < CONNECT) || (e.target && levelIn(e.target) < CONNECT))) return;
  for (const end of [e.source, e.target]) {
    if (!end?.edges) continue;
    const i = end.edges.indexOf(e);
    if (i !== -1) end.edges.splice(i, 1);
  }
  e.graph?.remove(e);
}

/** `del node`: the node goes, with all its edges. */
export function destroy(v: Value): void {
  if (isEdge(v)) destroyEdge(v);
  else if (isNode(v)) {
    if (levelIn(v) < WRITE) return; // another root's node, without WRITE: left as it is
    loadPending(v);
    for (const e of [...v.edges!]) destroyEdge(e, true);
    v.graph?.remove(v);
  }
}

/** `xs(?f == 1)` / ``xs(`?T: f == 1)``: the items passing the type and field tests. */
export function filterItems(items: Value, type: Value | undefined, conds: { cond: FilterCond; value: Value }[]): Value[] {
  const out: Value[] = [];
  for (const item of iterate(items)) {
    if (type !== undefined && !isInstanceOf(item, type)) continue;
    if (conds.every(({ cond, value }) => fieldTest(item, cond, value))) out.push(item);
  }
  return out;
}

