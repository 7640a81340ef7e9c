// The room the delivery log keeps bodies in: each entry's fields counted once, as memory holds
// them; past the room, the oldest give theirs up until nine tenths of it are kept.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ReplayRoom } from '../../runtime/store/replay-room.ts';
import type { DeliveryRecord } from '../../runtime/store/store.ts';

const entry = (i: number, body: string): DeliveryRecord => ({
  id: `d-${i}`, keyId: 'k1', owner: 'u1', walker: 'W', receivedAt: '2026-12-01T00:00:00.000Z', verified: true, deliveryId: `g-${i}`, event: 'push',
  status: 'ok', code: 200, ms: 1, errorId: null, reason: null, duplicates: 0,
  replay: { fields: { body }, node: null, allowedNodes: null }, replayUntil: '2999-01-01T00:00:00.000Z',
});

/** Fills a log with `count` entries of `body`, telling the room of each; the ids that keep their fields after it makes room. */
function keptAfter(room: ReplayRoom, count: number, body: string): string[] {
  const log = new Map<string, DeliveryRecord>();
  room.count(log);
  for (let i = 0; i < count; i++) {
    const x = entry(i, body);
    room.changed(log, undefined, x);
    log.set(x.id, x);
  }
  const gave: string[] = [];
  room.makeRoom(log, (id) => gave.push(id));
  for (const id of gave) assert.is(log.get(id)!.replay, null, `${id} gave its fields up`);
  return [...log.values()].filter((x) => x.replay !== null).map((x) => x.id);
}

// `{"fields":{"body":"…"},"node":null,"allowedNodes":null}` around a body of n plain characters.
const plainChars = (n: number) => JSON.stringify(entry(0, 'x'.repeat(n)).replay).length;

test('within the room every entry keeps its fields; past it the oldest give theirs up down to nine tenths', () => {
  const size = plainChars(100);
  assert.equal(keptAfter(new ReplayRoom(size * 10), 10, 'x'.repeat(100)), Array.from({ length: 10 }, (_, i) => `d-${i}`), 'ten fit exactly');
  assert.equal(keptAfter(new ReplayRoom(size * 10), 11, 'x'.repeat(100)), Array.from({ length: 9 }, (_, i) => `d-${i + 2}`), 'eleven: the oldest two give theirs up');
});

test('a body is counted as memory holds it: characters that JSON escapes count once, not as their escapes', () => {
  // 100 quotes are 200 characters of JSON, but memory holds 100: ten such entries fit the room of
  // ten plain ones.
  const quotes = '"'.repeat(100);
  assert.is(JSON.stringify(quotes).length, 202);
  assert.equal(keptAfter(new ReplayRoom(plainChars(100) * 10), 10, quotes).length, 10);
  const controls = '\u0001'.repeat(100); // \u0001 each in JSON: six times as long
  assert.equal(keptAfter(new ReplayRoom(plainChars(100) * 10), 10, controls).length, 10);
});

test.run();
