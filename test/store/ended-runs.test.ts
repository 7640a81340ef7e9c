// The ended runs the data dir keeps, known as they end: which leave the file is what a look over
// the whole queue in the order the runs ended would choose (every run not kept that completed; past
// the count, the earliest ended down to nine tenths of it; then, past the room, down to nine
// tenths of the room), through runs ending, opening again, completing unkept and leaving.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { EndedRuns } from '../../runtime/store/ended-runs.ts';

const tenthLess = (n: number) => n - Math.floor(n / 10);

/** What a walk over the runs, in the order they ended, leaves out. */
function walked(order: { id: string; size: number }[], unkept: string[], maxRuns: number, maxChars: number): string[] {
  let leaving = order.length > maxRuns ? order.length - tenthLess(maxRuns) : 0;
  let chars = order.slice(leaving).reduce((n, r) => n + r.size, 0);
  if (chars > maxChars) for (; leaving < order.length && chars > tenthLess(maxChars); leaving++) chars -= order[leaving].size;
  return [...unkept, ...order.slice(0, leaving).map((r) => r.id)];
}

test('past the count, the earliest ended leave until nine tenths of it stay; runs not kept always leave', () => {
  const runs = new EndedRuns();
  for (let i = 0; i < 25; i++) runs.ended(`r${i}`, () => 10);
  runs.completedUnkept('u1');
  assert.equal(runs.leaving(30, 1e9), ['u1'], 'within the count: only the run not kept');
  assert.equal(runs.leaving(20, 1e9), ['u1', 'r0', 'r1', 'r2', 'r3', 'r4', 'r5', 'r6'], '25 past 20: 18 stay');
});

test('past the room, the earliest of what stays leave until it takes nine tenths of the room', () => {
  const runs = new EndedRuns();
  for (let i = 0; i < 10; i++) runs.ended(`r${i}`, () => 100);
  assert.equal(runs.leaving(100, 1000), [], 'exactly at the room');
  runs.ended('big', () => 500);
  assert.equal(runs.leaving(100, 1000), ['r0', 'r1', 'r2', 'r3', 'r4', 'r5'], '1500 past 1000: down to 900');
  assert.equal(runs.leaving(100, 100), ['r0', 'r1', 'r2', 'r3', 'r4', 'r5', 'r6', 'r7', 'r8', 'r9', 'big'], 'every run, when none fits');
});

test('a run counts once, by the size it ended with; open again it leaves the count, and ending again puts it last', () => {
  const runs = new EndedRuns();
  let measured = 0;
  runs.ended('a', () => (measured++, 10));
  runs.ended('a', () => (measured++, 99));
  runs.ended('b', () => 10);
  assert.is(measured, 1, 'measured once');
  assert.is(runs.sizeOf('a'), 10);
  runs.forget('a'); // queued again
  assert.is(runs.sizeOf('a'), undefined);
  runs.ended('a', () => 10);
  runs.ended('c', () => 10);
  assert.equal(runs.leaving(2, 1e9), ['b'], 'b ended first now');
});

test('through random ends, reopenings, unkept completions and removals, what leaves is what a walk in order of ending would choose', () => {
  let seed = 5;
  const random = (n: number) => Math.floor(((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) * n);
  const runs = new EndedRuns();
  let order: { id: string; size: number }[] = [];
  let unkept: string[] = [];
  const forget = (id: string) => {
    order = order.filter((r) => r.id !== id);
    unkept = unkept.filter((u) => u !== id);
  };
  for (let step = 0; step < 3000; step++) {
    const id = `r${random(60)}`;
    const kind = random(10);
    if (kind < 5) {
      const size = 1 + random(50);
      runs.ended(id, () => size);
      if (!order.some((r) => r.id === id)) {
        unkept = unkept.filter((u) => u !== id);
        order.push({ id, size });
      }
    } else if (kind < 6) {
      runs.completedUnkept(id);
      forget(id);
      unkept.push(id);
    } else {
      runs.forget(id);
      forget(id);
    }
    const [maxRuns, maxChars] = [1 + random(40), 10 + random(1000)];
    assert.equal(runs.leaving(maxRuns, maxChars), walked(order, unkept, maxRuns, maxChars), `step ${step}`);
  }
});

test.run();
