// The walker scheduler: jaclang 0.8.0's `spawn` (a FIFO queue, so siblings before
// grandchildren), kept in one place so a depth-first mode could be added beside it.
import { PyError } from '../values/errors.ts';
import type { Value } from '../values/value.ts';
import { type Ability, PyInstance } from './archetypes.ts';
import { isEdge, isInstanceOf, isNode } from './graph.ts';

/** Runs one ability; the scheduler checks `disengaged` after each. */
export type RunAbility = (ability: Ability, self: PyInstance, other: PyInstance) => void;

function matches(a: Ability, other: PyInstance): boolean {
  return a.types !== null && a.types().some((t) => isInstanceOf(other, t));
}

/** `walker spawn location` (either order). Returns the walker after its walk. */
export function spawn(a: Value, b: Value, run: RunAbility): PyInstance {
  const [walker, location] = a instanceof PyInstance && a.cls.kind === 'walker' ? [a, b] : [b, a];
  if (!(walker instanceof PyInstance) || walker.cls.kind !== 'walker') throw new PyError('TypeError', 'spawn needs a walker');
  let node: Value = location;
  if (isEdge(location)) node = location.target;
  if (!isNode(node)) throw new PyError('TypeError', 'a walker is spawned on a node or an edge');
  const state = { next: [node], ignores: new Set<PyInstance>(), disengaged: false };
  const outer = walker.walk;
  walker.walk = state;
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
    while (state.next.length > 0) {
      current = state.next.shift()!;
      const here = current;
      const nodeEntries = here.cls.abilities.filter((x) => x.event === 'entry');
      const nodeExits = here.cls.abilities.filter((x) => x.event === 'exit');
      const steps: [Ability, PyInstance, PyInstance][] = [
        ...entries.filter((x) => matches(x, here)).map((x): [Ability, PyInstance, PyInstance] => [x, walker, here]),
        ...nodeEntries.filter((x) => x.types === null).map((x): [Ability, PyInstance, PyInstance] => [x, here, walker]),
        ...nodeEntries.filter((x) => matches(x, walker)).map((x): [Ability, PyInstance, PyInstance] => [x, here, walker]),
        ...nodeExits.filter((x) => matches(x, walker)).map((x): [Ability, PyInstance, PyInstance] => [x, here, walker]),
        ...nodeExits.filter((x) => x.types === null).map((x): [Ability, PyInstance, PyInstance] => [x, here, walker]),
        ...exits.filter((x) => matches(x, here)).map((x): [Ability, PyInstance, PyInstance] => [x, walker, here]),
      ];
      for (const [ab, self, other] of steps) {
        run(ab, self, other);
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
