// Sets of ints iterate in CPython 3.12's table order, also after members are removed (their
// slots stay as dummies) and after set algebra. The cases in data/set-order.json are random
// operation sequences with the lists CPython 3.12 printed for them (recorded by running them).
import { readFileSync } from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { PySet, setDifference, setIntersection, setOf, setSymmetricDifference, setUnion } from '../../runtime/values/containers.ts';
import { int } from '../../runtime/values/numbers.ts';
import { intRepr } from '../../runtime/values/numbers.ts';
import type { Value } from '../../runtime/values/value.ts';

interface Case {
  ops: string[][];
  expect: string[][];
}
const cases: Case[] = JSON.parse(readFileSync(new URL('./data/set-order.json', import.meta.url), 'utf8'));

function replay(c: Case): string[][] {
  const sets = new Map<string, PySet>();
  const get = (name: string) => sets.get(name)!;
  const out: string[][] = [];
  for (const [op, name, x, y] of c.ops) {
    const v = (): Value => int(BigInt(x));
    if (op === 'new') sets.set(name, new PySet());
    else if (op === 'add') get(name).add(v());
    else if (op === 'discard') get(name).delete(v());
    else if (op === 'or') sets.set(name, setUnion(get(x), get(y)));
    else if (op === 'and') sets.set(name, setIntersection(get(x), get(y)));
    else if (op === 'sub') sets.set(name, setDifference(get(x), get(y)));
    else if (op === 'xor') sets.set(name, setSymmetricDifference(get(x), get(y)));
    else if (op === 'copy') sets.set(name, setOf(get(x)));
    else if (op === 'list') out.push([...get(name).values()].map((m) => intRepr(m as number | bigint)));
    else throw new Error(`unknown op ${op}`);
  }
  return out;
}

test(`${cases.length} recorded sequences of adds, discards and set algebra iterate as CPython 3.12 did`, () => {
  assert.ok(cases.length >= 100);
  cases.forEach((c, i) => assert.equal(replay(c), c.expect, `case ${i}`));
});

test('a set that ever held a non-int keeps insertion order', () => {
  const s = new PySet([3, 'x', 1]);
  s.delete('x');
  s.add(2);
  assert.equal([...s.values()], [3, 1, 2]);
});

test.run();
