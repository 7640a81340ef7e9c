// The data-spatial part of the language compiled to closures: connect and disconnect, edge
// references, filter and assign comprehensions, spawn, visit, ignore, report, disengage.
import type * as A from '../../grammar/ast.ts';
import { PyError } from '../values/errors.ts';
import type { Value } from '../values/value.ts';
import { type Ability, PyClass, PyInstance, PySuper } from './archetypes.ts';
import { NO_KWARGS, Return, type Exec } from './callables.ts';
import { type Eval, NotSupported, type Runtime, compileExpr, compileLoad } from './compile-expr.ts';
import { type HopPlan, GenericEdge, RootClass, connect, destroy, disconnect, edgeRef, filterItems, isEdge, isNode } from './graph.ts';
import { call, setAttribute } from './protocols.ts';
import type { Scope } from './scope.ts';
import { ignore, spawn, visit } from './walker.ts';

/** `here`, `visitor`: a local where the language binds it, otherwise a NameError when read. */
export function compileSpecial(rt: Runtime, scope: Scope, name: 'here' | 'visitor' | 'root' | 'super'): Eval {
  if (name === 'root') return () => rt.root;
  if (name === 'super') {
    let owner: { cls: unknown } | null = null;
    for (let s: Scope | null = scope; s && !owner; s = s.parent) owner = s.owner;
    if (!owner || scope.resolve('self').kind !== 'local') throw new NotSupported("'super' outside a method");
    const self = compileLoad(rt, scope, 'self');
    const cls = owner;
    return (f) => new PySuper(self(f), cls.cls as PyClass);
  }
  if (scope.resolve(name).kind === 'local') return compileLoad(rt, scope, name);
  return () => {
    throw new PyError('NameError', `name '${name}' is not defined`);
  };
}

/** The walker that `visit`, `ignore` and `disengage` act on: `visitor` in a node ability, else `self`. */
function compileWalker(rt: Runtime, scope: Scope): Eval {
  if (scope.resolve('visitor').kind === 'local') return compileLoad(rt, scope, 'visitor');
  if (scope.resolve('self').kind === 'local') return compileLoad(rt, scope, 'self');
  return () => {
    throw new PyError('NameError', "name 'self' is not defined");
  };
}

function asWalker(v: Value): PyInstance {
  if (v instanceof PyInstance && v.cls.kind === 'walker' && v.walk) return v;
  throw new PyError('RuntimeError', 'visit, ignore and disengage need a walker that is walking');
}

/** A type expression like `A | B | \`root`, as the list of its alternatives. */
export function compileTypes(rt: Runtime, scope: Scope, e: A.Expr): () => Value[] {
  const leaves: A.Expr[] = [];
  const collect = (x: A.Expr): void => {
    if (x.kind === 'Binary' && x.op === '|') {
      collect(x.left);
      collect(x.right);
    } else leaves.push(x);
  };
  collect(e);
  const evals = leaves.map((leaf) => compileTypeExpr(rt, scope, leaf));
  return () => evals.map((ev) => ev({ slots: [], parent: null }));
}

function compileTypeExpr(rt: Runtime, scope: Scope, e: A.Expr): Eval {
  if (e.kind === 'TypeRef') {
    if (e.name === 'root') return () => RootClass;
    const name = e.name;
    return () => {
      throw new PyError('AttributeError', `module 'typing' has no attribute '${name}'`);
    };
  }
  return compileExpr(rt, scope, e);
}

export function compileConnect(rt: Runtime, scope: Scope, e: A.Connect): Eval {
  const left = compileExpr(rt, scope, e.left);
  const right = compileExpr(rt, scope, e.right);
  const edge = e.edge ? compileExpr(rt, scope, e.edge) : null;
  const assigns = e.assigns.map((a) => ({ name: a.name!, value: compileExpr(rt, scope, a.value) }));
  return (f) => {
    const l = left(f);
    const r = right(f);
    const edgeValue = edge ? edge(f) : null;
    const values = assigns.map((a) => a.value(f));
    const makeEdge = (): PyInstance => {
      let inst: Value;
      if (edgeValue === null) inst = new PyInstance(GenericEdge);
      else if (edgeValue instanceof PyClass) inst = call(edgeValue, [], new Map());
      else inst = edgeValue;
      if (!isEdge(inst)) throw new PyError('TypeError', 'a connect needs an edge type or instance');
      assigns.forEach((a, i) => setAttribute(inst, a.name, values[i]));
      return inst;
    };
    return connect(l, r, e.dir, makeEdge);
  };
}

/** The parts of a hop that are evaluated each time the reference runs. */
function compileHop(rt: Runtime, scope: Scope, op: A.EdgeOp, filter: A.EdgeHop['filter']): (f: Parameters<Eval>[0]) => HopPlan {
  const edgeType = op.type ? compileExpr(rt, scope, op.type) : null;
  const edgeValues = op.conds.map((c) => compileExpr(rt, scope, c.value));
  const nodeType = filter?.kind === 'Filter' && filter.type ? compileExpr(rt, scope, filter.type) : null;
  const nodeConds = filter?.kind === 'Filter' ? filter.conds.map((c) => ({ cond: c, value: compileExpr(rt, scope, c.value) })) : [];
  const target = filter?.kind === 'Target' ? compileExpr(rt, scope, filter.expr) : null;
  return (f) => ({
    op,
    edgeType: edgeType ? edgeType(f) : null,
    edgeValues: edgeValues.map((v) => v(f)),
    nodeType: nodeType ? nodeType(f) : undefined,
    nodeConds: nodeConds.map(({ cond, value }) => ({ cond, value: value(f) })),
    target: target ? targetNodes(target(f)) : null,
  });
}

function targetNodes(v: Value): PyInstance[] {
  const items = Array.isArray(v) ? v : [v];
  return items.filter((x): x is PyInstance => isNode(x));
}

export function compileEdgeRef(rt: Runtime, scope: Scope, e: A.EdgeRef): Eval {
  const origin = e.origin ? compileExpr(rt, scope, e.origin) : compileDefaultOrigin(rt, scope);
  const hops = e.hops.map((h) => compileHop(rt, scope, h.op, h.filter));
  const returnEdges = e.returns === 'edge';
  return (f) => edgeRef(origin(f), hops.map((h) => h(f)), returnEdges);
}

/** `[-->]` starts from `here` in a walker ability and from `self` in a node ability. */
function compileDefaultOrigin(rt: Runtime, scope: Scope): Eval {
  if (scope.resolve('here').kind === 'local') return compileLoad(rt, scope, 'here');
  if (scope.resolve('visitor').kind === 'local' || scope.resolve('self').kind === 'local') return compileLoad(rt, scope, 'self');
  return compileSpecial(rt, scope, 'here');
}

export function compileDisconnect(rt: Runtime, scope: Scope, e: A.Disconnect): Eval {
  const left = compileExpr(rt, scope, e.left);
  const right = compileExpr(rt, scope, e.right);
  const hop = compileHop(rt, scope, e.op, null);
  return (f) => disconnect(left(f), right(f), hop(f));
}

export function compileFilter(rt: Runtime, scope: Scope, e: A.FilterCompr): Eval {
  const object = compileExpr(rt, scope, e.object);
  const type = e.type ? compileExpr(rt, scope, e.type) : null;
  const conds = e.conds.map((c) => ({ cond: c, value: compileExpr(rt, scope, c.value) }));
  return (f) => {
    const items = object(f);
    if (items === null && e.nullSafe) return null;
    return filterItems(items, type ? type(f) : undefined, conds.map(({ cond, value }) => ({ cond, value: value(f) })));
  };
}

export function compileAssignCompr(rt: Runtime, scope: Scope, e: A.AssignCompr): Eval {
  const object = compileExpr(rt, scope, e.object);
  const assigns = e.assigns.map((a) => ({ name: a.name!, value: compileExpr(rt, scope, a.value) }));
  return (f) => {
    const items = object(f);
    if (items === null && e.nullSafe) return null;
    const list = Array.isArray(items) ? items : [items];
    for (const a of assigns) {
      const v = a.value(f);
      for (const item of list) setAttribute(item, a.name, v);
    }
    return items;
  };
}

export function compileSpawn(rt: Runtime, scope: Scope, e: A.Spawn): Eval {
  const left = compileExpr(rt, scope, e.left);
  const right = compileExpr(rt, scope, e.right);
  const run = (ability: Ability, self: PyInstance, other: PyInstance): Value => {
    rt.tick();
    return ability.fn.call([self, other], NO_KWARGS as Map<string, Value>);
  };
  return (f) => spawn(left(f), right(f), run, rt.collectReturns);
}

// ---- statements -------------------------------------------------------------------------

export function compileVisit(rt: Runtime, scope: Scope, s: A.Visit, orelse: Exec | null): Exec {
  const walker = compileWalker(rt, scope);
  const target = compileExpr(rt, scope, s.target);
  return (f) => {
    const queued = visit(asWalker(walker(f)), target(f));
    return !queued && orelse ? orelse(f) : undefined;
  };
}

export function compileIgnore(rt: Runtime, scope: Scope, s: A.Ignore): Exec {
  const walker = compileWalker(rt, scope);
  const target = compileExpr(rt, scope, s.target);
  return (f) => void ignore(asWalker(walker(f)), target(f));
}

/** `disengage` stops the walk and returns from the current ability or method. */
export function compileDisengage(rt: Runtime, scope: Scope): Exec {
  const walker = compileWalker(rt, scope);
  return (f) => {
    asWalker(walker(f)).walk!.disengaged = true;
    return new Return(null);
  };
}

export function compileReport(rt: Runtime, scope: Scope, s: A.Report): Exec {
  const value = compileExpr(rt, scope, s.value);
  return (f) => void rt.reports.push(value(f));
}

/** `del` of a node or edge destroys it (with a node's edges); a name is then unbound. */
export function destroyIfGraph(v: Value): boolean {
  if (isNode(v) || isEdge(v)) {
    destroy(v);
    return true;
  }
  if (Array.isArray(v) && v.length > 0 && v.every((x) => isNode(x) || isEdge(x))) {
    for (const x of v) destroy(x);
    return true;
  }
  return false;
}

