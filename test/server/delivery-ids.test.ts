// The ids a signed delivery is remembered, queued and logged under. A data dir or a database holds
// them (each-delivery-once finds a repeat by them), so they never change between versions: these
// are the ids earlier versions made for the same key and sender's delivery id.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { DELIVERY_TYPE } from '../../runtime/store/persistent-graph.ts';
import { deliveryJobId, deliveryLogId, deliveryRecordId, unverifiedDelivery } from '../../server/webhooks/deliveries.ts';

test('a delivery id names the same record, job and log entry as before', () => {
  assert.is(deliveryRecordId('k1', 'gh-1'), `o:${DELIVERY_TYPE}:b200efd7164554ddf7bea8f6`);
  assert.is(deliveryJobId('push', 'k1', 'gh-1'), 'w:push:ad365c03e9caf960b35d0a29');
  assert.is(deliveryLogId('k1', 'gh-1'), 'd-8bf83524e91952d9851bd5f1');
});

test('without a delivery id, each delivery gets ids of its own', () => {
  assert.is.not(deliveryJobId('push', 'k1', null), deliveryJobId('push', 'k1', null));
  assert.is.not(deliveryLogId('k1', null), deliveryLogId('k1', null));
  assert.match(deliveryLogId('k1', null), /^d-[0-9a-f]{24}$/);
});

test("deliveries that do not verify share one entry per key, walker, reason and hour", () => {
  const key = { id: 'k1', owner: 'u1' };
  const at = Date.parse('2026-12-08T10:05:00.000Z');
  const id = (walker: string, reason: string, ms: number) => unverifiedDelivery(key, walker, reason, ms).id;
  assert.is(id('push', 'Unauthorized', at), id('push', 'Unauthorized', at + 54 * 60_000), 'the same hour');
  assert.is.not(id('push', 'Unauthorized', at), id('push', 'Unauthorized', at + 55 * 60_000), 'the next hour');
  assert.is.not(id('push', 'Unauthorized', at), id('push', 'Not authenticated', at));
  assert.is.not(id('push', 'Unauthorized', at), id('other', 'Unauthorized', at));
  assert.is.not(id('push', 'Unauthorized', at), unverifiedDelivery({ id: 'k2', owner: 'u1' }, 'push', 'Unauthorized', at).id);
  const entry = unverifiedDelivery(key, 'push', 'Unauthorized', at);
  assert.equal([entry.status, entry.code, entry.verified, entry.replay, entry.receivedAt], ['rejected', 401, false, null, '2026-12-08T10:05:00.000Z']);
});

test.run();
