// The walker scheduler: jaclang 0.8.0's `spawn` (a FIFO queue, so siblings before
// grandchildren), kept in one place so a depth-first mode could be added beside it.
import { PyError } from '../values/errors.ts';
import type { Value } from '../values/value.ts';
import { type Ability, PyClass, PyInstance } from './archetypes.ts';
import { isEdge, isInstanceOf, isNode } from './graph.ts';

/** An ability to run on a node, and whether the walker (true) or the node (false) runs it. */
type Step = [Ability, boolean];

/** Runs one ability and gives what it returned; the scheduler checks `disengaged` after each. */
export type RunAbility = (ability: Ability, self: PyInstance, other: PyInstance) => Value;

function matches(a: Ability, other: PyInstance): boolean {
  return a.types !== null && a.types().some((t) => isInstanceOf(other, t));
}

/**
 * `walker spawn location` (either order). Returns the walker after its walk; with
 * `collectReturns`, its `returns` hold what each ability run returned (null for none), in order,
 * as Jac Cloud collects them.
 */
export function spawn(a: Value, b: Value, runAbility: RunAbility, collectReturns = false): PyInstance {
  const [walker, location] = a instanceof PyInstance && a.cls.kind === 'walker' ? [a, b] : [b, a];
  if (!(walker instanceof PyInstance) || walker.cls.kind !== 'walker') throw new PyError('TypeError', 'spawn needs a walker');
  let node: Value = location;
  if (isEdge(location)) node = location.target;
  if (!isNode(node)) throw new PyError('TypeError', 'a walker is spawned on a node or an edge');
  const state = { next: [node], head: 0, ignores: new Set<PyInstance>(), disengaged: false };
  const outer = walker.walk;
  walker.walk = state;
  let run: (ab: Ability, self: PyInstance, other: PyInstance) => unknown = runAbility;
  if (collectReturns) {
    const returns: Value[] = (walker.returns = []);
    run = (ab, self, other) => returns.push(runAbility(ab, self, other));
  }
  const entries = walker.cls.abilities.filter((x) => x.event === 'entry');
  const exits = walker.cls.abilities.filter((x) => x.event === 'exit');
  let current: PyInstance = node;
  try {
    // (a) untyped walker entries, once, on the spawn node
    for (const ab of entries) {
      if (ab.types !== null) continue;
      run(ab, walker, current);
      if (state.disengaged) return walker;
    }
    // (b) the queue
    // Which abilities run on a node depends only on the node's class: plan once per class.
    const plans = new Map<PyClass, Step[]>();
    const planFor = (nodeClass: PyClass, sample: PyInstance): Step[] => {
      let plan = plans.get(nodeClass);
      if (plan) return plan;
      const nodeEntries = nodeClass.abilities.filter((x) => x.event === 'entry');
      const nodeExits = nodeClass.abilities.filter((x) => x.event === 'exit');
      plan = [
        ...entries.filter((x) => matches(x, sample)).map((x): Step => [x, true]),
        ...nodeEntries.filter((x) => x.types === null).map((x): Step => [x, false]),
        ...nodeEntries.filter((x) => matches(x, walker)).map((x): Step => [x, false]),
        ...nodeExits.filter((x) => matches(x, walker)).map((x): Step => [x, false]),
        ...nodeExits.filter((x) => x.types === null).map((x): Step => [x, false]),
        ...exits.filter((x) => matches(x, sample)).map((x): Step => [x, true]),
      ];
      plans.set(nodeClass, plan);
      return plan;
    };
    while (state.head < state.next.length) {
      current = state.next[state.head++];
      if (state.head > 1024 && state.head * 2 > state.next.length) {
        state.next.splice(0, state.head); // drop the visited part of the queue now and then
        state.head = 0;
      }
      for (const [ab, walkerRuns] of planFor(current.cls, current)) {
        if (walkerRuns) run(ab, walker, current);
        else run(ab, current, walker);
        if (state.disengaged) return walker;
      }
    }
    // (c) untyped walker exits, once, on the last node processed
    for (const ab of exits) {
      if (ab.types !== null) continue;
      run(ab, walker, current);
      if (state.disengaged) return walker;
    }
    return walker;
  } finally {
    walker.walk = outer;
  }
}

/** `visit X`: queues nodes (an edge queues its target) that are not ignored; true if any. */
export function visit(walker: PyInstance, target: Value): boolean {
  const state = walker.walk;
  if (!state) throw new PyError('RuntimeError', 'visit outside a walk');
  let queued = false;
  for (const item of Array.isArray(target) ? target : [target]) {
    const node = isEdge(item) ? item.target! : item;
    if (!isNode(node)) throw new PyError('TypeError', 'visit takes nodes or edges');
    if (state.ignores.has(node)) continue;
    state.next.push(node);
    queued = true;
  }
  return queued;
}

/** `ignore X`: later visits skip these nodes. */
export function ignore(walker: PyInstance, target: Value): void {
  const state = walker.walk;
  if (!state) throw new PyError('RuntimeError', 'ignore outside a walk');
  for (const item of Array.isArray(target) ? target : [target]) {
    const node = isEdge(item) ? item.target! : item;
    if (isNode(node)) state.ignores.add(node);
  }
}
