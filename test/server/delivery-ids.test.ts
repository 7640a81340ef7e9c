// The ids a signed delivery is remembered, queued and logged under. A data dir or a database holds
// them (each-delivery-once finds a repeat by them), so they never change between versions: these
// are the ids earlier versions made for the same key and sender's delivery id.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { DELIVERY_TYPE } from '../../runtime/store/persistent-graph.ts';
import { deliveryJobId, deliveryLogId, deliveryRecordId } from '../../server/webhooks/deliveries.ts';

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

test.run();
