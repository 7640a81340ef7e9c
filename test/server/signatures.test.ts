// Each sender's signature, made by the sender's own code (GitHub's @octokit/webhooks-methods,
// Stripe's generateTestHeaderString, Standard Webhooks' reference library, node:crypto ed25519)
// or, for Slack and Shopify, by their documented recipes, verified by verifyDelivery; and every
// way a delivery can be wrong: tampered body, wrong secret, stale or future timestamp, missing
// header, a rotated secret.
import { createHmac, generateKeyPairSync, sign as edSign } from 'node:crypto';
import { sign as githubSign } from '@octokit/webhooks-methods';
import { Webhook } from 'standardwebhooks';
import Stripe from 'stripe';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { type SignatureRule, verifyDelivery } from '../../server/webhooks/signatures.ts';

const NOW = Date.UTC(2026, 11, 6, 12, 0, 0);
const secs = (ms: number) => Math.floor(ms / 1000);
const rule = (scheme: SignatureRule['scheme'], hmac: SignatureRule['hmac'] = null): SignatureRule => ({ scheme, toleranceSeconds: 300, hmac });
const body = Buffer.from('{"id":"evt_1","type":"thing.happened","event_id":"Ev1","event":{"type":"message"}}');
const tampered = Buffer.from(body.toString().replace('thing', 'thong'));

const ok = (v: ReturnType<typeof verifyDelivery>) => {
  assert.ok(v.ok, JSON.stringify(v));
  return (v as { delivery: { id: string | null; event: string | null } }).delivery;
};
const refused = (v: ReturnType<typeof verifyDelivery>, detail: string) => assert.equal(v, { ok: false, detail });

test("github: GitHub's known answer, its own library's signature, and every refusal", async () => {
  const vector = { 'x-hub-signature-256': 'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17' };
  ok(verifyDelivery(rule('github'), ["It's a Secret to Everybody"], Buffer.from('Hello, World!'), vector, NOW));
  const secret = 'gh-secret-1';
  const headers = { 'x-hub-signature-256': await githubSign(secret, body.toString()), 'x-github-delivery': '72d3162e-cc78-11e3-81ab-4c9367dc0958', 'x-github-event': 'push' };
  assert.equal(ok(verifyDelivery(rule('github'), [secret], body, headers, NOW)), { id: '72d3162e-cc78-11e3-81ab-4c9367dc0958', event: 'push' });
  refused(verifyDelivery(rule('github'), [secret], tampered, headers, NOW), 'Unauthorized');
  refused(verifyDelivery(rule('github'), ['another'], body, headers, NOW), 'Unauthorized');
  refused(verifyDelivery(rule('github'), [secret], body, { ...headers, 'x-hub-signature-256': undefined }, NOW), 'Not authenticated');
  refused(verifyDelivery(rule('github'), [secret], body, { ...headers, 'x-hub-signature-256': 'sha1=abc' }, NOW), 'Unauthorized');
  ok(verifyDelivery(rule('github'), ['old-one', secret], body, headers, NOW)); // a rotation: either live secret
});

test("stripe: generateTestHeaderString's header, several v1 values, the age limit", () => {
  const stripe = new Stripe('sk_test_unused');
  const secret = 'whsec_test_secret_0123456789';
  const header = (timestamp: number, s = secret, payload = body.toString()) => stripe.webhooks.generateTestHeaderString({ payload, secret: s, timestamp });
  const headers = { 'stripe-signature': header(secs(NOW) - 10) };
  assert.equal(ok(verifyDelivery(rule('stripe'), [secret], body, headers, NOW)), { id: 'evt_1', event: 'thing.happened' });
  refused(verifyDelivery(rule('stripe'), [secret], tampered, headers, NOW), 'Unauthorized');
  refused(verifyDelivery(rule('stripe'), ['whsec_other'], body, headers, NOW), 'Unauthorized');
  refused(verifyDelivery(rule('stripe'), [secret], body, { 'stripe-signature': header(secs(NOW) - 301) }, NOW), 'Timestamp outside the tolerance');
  ok(verifyDelivery(rule('stripe'), [secret], body, { 'stripe-signature': header(secs(NOW) + 30) }, NOW)); // age <= tolerance, as Stripe's own check
  refused(verifyDelivery(rule('stripe'), [secret], body, {}, NOW), 'Not authenticated');
  // During Stripe's own rotation it sends a v1 per secret; any one may match.
  const other = header(secs(NOW), 'whsec_rolled').split(',')[1];
  ok(verifyDelivery(rule('stripe'), [secret], body, { 'stripe-signature': `${header(secs(NOW))},${other}` }, NOW));
  ok(verifyDelivery(rule('stripe'), ['whsec_rolled'], body, { 'stripe-signature': `${header(secs(NOW))},${other}` }, NOW));
});

test("slack: the documented v0 recipe, both tolerance directions, url_verification's event", () => {
  const secret = '8f742231b10e8888abcd99yyyzzz85a5';
  const sign = (ts: number, b = body, s = secret) => `v0=${createHmac('sha256', s).update(`v0:${ts}:`).update(b).digest('hex')}`;
  const headers = (ts: number, b = body) => ({ 'x-slack-signature': sign(ts, b), 'x-slack-request-timestamp': String(ts) });
  assert.equal(ok(verifyDelivery(rule('slack'), [secret], body, headers(secs(NOW)), NOW)), { id: 'Ev1', event: 'message' });
  refused(verifyDelivery(rule('slack'), [secret], tampered, headers(secs(NOW)), NOW), 'Unauthorized');
  refused(verifyDelivery(rule('slack'), [secret], body, headers(secs(NOW) - 301), NOW), 'Timestamp outside the tolerance');
  refused(verifyDelivery(rule('slack'), [secret], body, headers(secs(NOW) + 301), NOW), 'Timestamp outside the tolerance');
  refused(verifyDelivery(rule('slack'), [secret], body, { 'x-slack-signature': sign(secs(NOW)) }, NOW), 'Not authenticated');
  const form = Buffer.from('command=%2Fweather&text=94070&user_id=U2147483697');
  assert.equal(ok(verifyDelivery(rule('slack'), [secret], form, headers(secs(NOW), form), NOW)), { id: null, event: null });
  const challenge = Buffer.from('{"token":"x","challenge":"3eZbrw1a","type":"url_verification"}');
  assert.equal(ok(verifyDelivery(rule('slack'), [secret], challenge, headers(secs(NOW), challenge), NOW)).event, 'url_verification');
});

test('shopify: the documented base64 HMAC over the raw body', () => {
  const secret = 'shpss_client_secret';
  const headers = { 'x-shopify-hmac-sha256': createHmac('sha256', secret).update(body).digest('base64'), 'x-shopify-webhook-id': 'b54557e4-bdd9-4b37-8a5f-bf7d70bcd043', 'x-shopify-topic': 'orders/create' };
  assert.equal(ok(verifyDelivery(rule('shopify'), [secret], body, headers, NOW)), { id: 'b54557e4-bdd9-4b37-8a5f-bf7d70bcd043', event: 'orders/create' });
  refused(verifyDelivery(rule('shopify'), [secret], tampered, headers, NOW), 'Unauthorized');
  refused(verifyDelivery(rule('shopify'), ['wrong'], body, headers, NOW), 'Unauthorized');
  refused(verifyDelivery(rule('shopify'), [secret], body, {}, NOW), 'Not authenticated');
});

test("standard webhooks: v1 by the reference library, v1a by node:crypto ed25519, the tolerance both ways", () => {
  const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
  const sign = (ts: number, b = body.toString()) => new Webhook(secret).sign('msg_2KWPBgLlAfxdpx2AI54pPJ85f4W', new Date(ts * 1000), b);
  const headers = (ts: number, signature = sign(ts)) => ({ 'webhook-id': 'msg_2KWPBgLlAfxdpx2AI54pPJ85f4W', 'webhook-timestamp': String(ts), 'webhook-signature': signature });
  assert.equal(ok(verifyDelivery(rule('standard'), [secret], body, headers(secs(NOW)), NOW)), { id: 'msg_2KWPBgLlAfxdpx2AI54pPJ85f4W', event: 'thing.happened' });
  refused(verifyDelivery(rule('standard'), [secret], tampered, headers(secs(NOW)), NOW), 'Unauthorized');
  refused(verifyDelivery(rule('standard'), ['whsec_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'], body, headers(secs(NOW)), NOW), 'Unauthorized');
  refused(verifyDelivery(rule('standard'), [secret], body, headers(secs(NOW) - 301), NOW), 'Timestamp outside the tolerance');
  refused(verifyDelivery(rule('standard'), [secret], body, headers(secs(NOW) + 301), NOW), 'Timestamp outside the tolerance');
  refused(verifyDelivery(rule('standard'), [secret], body, { 'webhook-signature': sign(secs(NOW)) }, NOW), 'Not authenticated');
  // The library's own check agrees on what it signed.
  assert.ok(new Webhook(secret).verify(body.toString(), headers(Math.floor(Date.now() / 1000), sign(Math.floor(Date.now() / 1000)))));

  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const whpk = `whpk_${Buffer.from(publicKey.export({ format: 'jwk' }).x!, 'base64url').toString('base64')}`;
  const ts = secs(NOW);
  const v1a = edSign(null, Buffer.from(`msg_1.${ts}.${body.toString()}`), privateKey).toString('base64');
  const edHeaders = { 'webhook-id': 'msg_1', 'webhook-timestamp': String(ts), 'webhook-signature': `v1,bm90LXRoaXMtb25l v1a,${v1a}` };
  ok(verifyDelivery(rule('standard'), [whpk], body, edHeaders, NOW));
  refused(verifyDelivery(rule('standard'), [whpk], tampered, edHeaders, NOW), 'Unauthorized');
  refused(verifyDelivery(rule('standard'), [whpk], body, { ...edHeaders, 'webhook-signature': `v1,${Buffer.from(v1a, 'base64').toString('base64')}` }, NOW), 'Unauthorized');
});

test('generic hmac: declared header, prefix, algorithm, encoding, timestamp and id headers', () => {
  const declared = { header: 'x-signature', prefix: 'sha512=', algorithm: 'sha512' as const, encoding: 'base64' as const, timestampHeader: 'x-timestamp', idHeader: 'x-delivery' };
  const ts = String(secs(NOW));
  const sig = createHmac('sha512', 'k').update(`${ts}.`).update(body).digest('base64');
  const headers = { 'x-signature': `sha512=${sig}`, 'x-timestamp': ts, 'x-delivery': 'd-1' };
  assert.equal(ok(verifyDelivery(rule('hmac', declared), ['k'], body, headers, NOW)), { id: 'd-1', event: null });
  refused(verifyDelivery(rule('hmac', declared), ['k'], tampered, headers, NOW), 'Unauthorized');
  refused(verifyDelivery(rule('hmac', declared), ['k'], body, { ...headers, 'x-signature': sig }, NOW), 'Unauthorized');
  refused(verifyDelivery(rule('hmac', declared), ['k'], body, { ...headers, 'x-timestamp': undefined }, NOW), 'Not authenticated');
  const plain = { ...declared, prefix: '', algorithm: 'sha256' as const, encoding: 'hex' as const, timestampHeader: null, idHeader: null };
  ok(verifyDelivery(rule('hmac', plain), ['k'], body, { 'x-signature': createHmac('sha256', 'k').update(body).digest('hex') }, NOW));
  refused(verifyDelivery(rule('hmac', plain), ['k'], body, { 'x-signature': 'zz' }, NOW), 'Unauthorized');
});

test.run();
