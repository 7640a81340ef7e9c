// Signed webhook walkers through the real app: a user makes a signing key (generated, or the
// sender's own secret imported), the sender signs deliveries as it does (the senders' own code),
// and only deliveries that verify run the walker, on the key owner's root; rotation, bearer keys,
// form bodies and Slack's URL check.
import { createHmac } from 'node:crypto';
import { sign as githubSign } from '@octokit/webhooks-methods';
import Stripe from 'stripe';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LowStore } from '../../runtime/store/lowdb-store.ts';
import { StoreError } from '../../runtime/store/store.ts';
import { buildApp } from '../../server/app.ts';
import { servedApp } from '../../server/manifest.ts';
import { WorkerPool } from '../../server/workers/pool.ts';
import { harness, type Harness } from './harness.ts';
import { freshDatabase } from '../helpers/postgres.ts';

const PROGRAM = `
node Push { has ref: str; }

walker github_push {
  has ref: str = "", webhook_event: str = "", webhook_delivery: str = "", webhook_headers: dict = {}, webhook_body: str = "";
  obj __specs__ { static has webhook: dict = {"type": "signature", "scheme": "github"}; }
  can record with \`root entry {
    root ++> Push(ref=self.ref);
    report [self.ref, self.webhook_event, self.webhook_delivery, "x-hub-signature-256" in self.webhook_headers, "x-github-event" in self.webhook_headers, len(self.webhook_body)];
  }
}

walker needs_ref {
  has ref: str;
  obj __specs__ { static has webhook: dict = {"type": "signature", "scheme": "github"}; }
  can record with \`root entry { report self.ref; }
}

walker stripe_event {
  has type: str = "", webhook_event: str = "";
  obj __specs__ { static has webhook: dict = {"type": "signature", "scheme": "stripe"}; }
  can record with \`root entry { report [self.type, self.webhook_event]; }
}

walker slack_command {
  has command: str = "", text: str = "";
  obj __specs__ { static has webhook: dict = {"type": "signature", "scheme": "slack"}; }
  can record with \`root entry { report [self.command, self.text]; }
}

walker bearer_hook {
  obj __specs__ { static has webhook: dict = {"type": "bearer"}; }
  can record with \`root entry { report "bearer"; }
}

walker flaky_push {
  has ref: str = "";
  obj __specs__ { static has webhook: dict = {"type": "signature", "scheme": "github"}; }
  can record with \`root entry {
    root ++> Push(ref=self.ref);
    if self.ref == "boom" { x = 1 / 0; }
    report len([root-->](\`?Push));
  }
}

walker later_push {
  has ref: str = "", webhook_delivery: str = "";
  obj __specs__ { static has webhook: dict = {"type": "signature", "scheme": "github", "ack": "async"}; }
  can record with \`root entry {
    root ++> Push(ref=self.ref);
    if self.ref == "boom" { x = 1 / 0; }
    report self.webhook_delivery;
  }
}

walker later_ignore {
  has ref: str = "";
  obj __specs__ { static has webhook: dict = {"type": "signature", "scheme": "github", "ack": "async"}; }
  can record with \`root entry { report self.ref; }
}
walker shop_order {
  has id: int = 0, webhook_event: str = "";
  obj __specs__ { static has webhook: dict = {"type": "signature", "scheme": "shopify"}; }
  can record with \`root entry { report [self.id, self.webhook_event]; }
}

walker std_event {
  has type: str = "", webhook_delivery: str = "";
  obj __specs__ { static has webhook: dict = {"type": "signature", "scheme": "standard", "tolerance": 60}; }
  can record with \`root entry { report [self.type, self.webhook_delivery]; }
}

walker custom_hook {
  has n: int = 0, webhook_delivery: str = "";
  obj __specs__ {
    static has webhook: dict = {"type": "signature", "scheme": "hmac", "header": "X-Signature", "prefix": "sha512=", "algorithm": "sha512", "encoding": "base64", "timestamp_header": "X-Timestamp", "id_header": "X-Delivery"};
  }
  can record with \`root entry { report [self.n, self.webhook_delivery]; }
}

walker count_pushes {
  can record with \`root entry { report [p.ref for p in [-->](\`?Push)]; }
}
`;

let h: Harness;
let alice: { authorization: string; root: string };

test.before(async () => {
  h = await harness(PROGRAM, { maxKeyFailures: 1000, deliveryRetryMs: [20, 40] }); // the refusals below would pass the limit
  alice = await h.login();
});
test.after(async () => h.close());

async function signingKey(name: string, signing: Record<string, unknown>, walkers: string[] = []) {
  const r = await h.app.inject({ method: 'POST', url: '/webhook/generate-key', payload: { name, walkers, signing }, headers: { authorization: alice.authorization } });
  assert.is(r.statusCode, 201, r.body);
  return r.json() as { id: string; name: string; scheme: string; secret?: string; url: string; key?: string };
}

const github = async (url: string, secret: string, payload: string, extra: Record<string, string> = {}) =>
  h.app.inject({
    method: 'POST',
    url,
    payload,
    headers: { 'content-type': 'application/json', 'x-hub-signature-256': await githubSign(secret, payload), 'x-github-event': 'push', 'x-github-delivery': 'd-1', ...extra },
  });

test('a GitHub delivery signed with the generated secret runs the walker on the owner\'s root, with the delivery fields filled', async () => {
  const key = await signingKey('gh', { scheme: 'github' }, ['github_push']);
  assert.equal([key.scheme, key.url, key.key], ['github', `/webhook/walker/github_push?key_id=${key.id}`, undefined]);
  assert.match(key.secret!, /^[A-Za-z0-9_-]{43}$/);
  const payload = JSON.stringify({ ref: 'refs/heads/main', webhook_event: 'forged' });
  const r = await github(key.url, key.secret!, payload);
  assert.is(r.statusCode, 200, r.body);
  assert.equal(r.json().reports, [['refs/heads/main', 'push', 'd-1', false, true, payload.length]], 'server-filled fields win over the body; the signature header is hidden');
  const pushes = (await h.app.inject({ method: 'POST', url: '/walker/count_pushes', headers: { authorization: alice.authorization } })).json().reports;
  assert.equal(pushes, [['refs/heads/main']]);
  const log = h.log.join('\n');
  assert.not.ok(log.includes(key.secret!), 'the secret is never logged');
});

test('refusals: tampered body, wrong secret, no signature, no or unknown key id, a key of another scheme, an unsigned field error only after the signature', async () => {
  const key = await signingKey('gh2', { scheme: 'github' });
  const stripeKey = await signingKey('st0', { scheme: 'stripe' });
  const url = `/webhook/walker/github_push?key_id=${key.id}`;
  const payload = '{"ref":"x"}';
  const sig = await githubSign(key.secret!, payload);
  const send = (u: string, body: string, headers: Record<string, string>) => h.app.inject({ method: 'POST', url: u, payload: body, headers: { 'content-type': 'application/json', ...headers } });
  const cases: [string, Awaited<ReturnType<typeof send>>, number, string][] = [
    ['tampered', await send(url, '{"ref":"y"}', { 'x-hub-signature-256': sig }), 401, 'Unauthorized'],
    ['wrong secret', await send(url, payload, { 'x-hub-signature-256': await githubSign('nope', payload) }), 401, 'Unauthorized'],
    ['no signature', await send(url, payload, {}), 401, 'Not authenticated'],
    ['no key id', await send('/webhook/walker/github_push', payload, { 'x-hub-signature-256': sig }), 401, 'Not authenticated'],
    ['unknown key id', await send('/webhook/walker/github_push?key_id=00000000deadbeef', payload, { 'x-hub-signature-256': sig }), 401, 'Unauthorized'],
    ['other scheme', await send(`/webhook/walker/github_push?key_id=${stripeKey.id}`, payload, { 'x-hub-signature-256': sig }), 401, 'Unauthorized'],
  ];
  for (const [what, r, status, detail] of cases) assert.equal([what, r.statusCode, r.json()], [what, status, { detail }]);
  // A required field missing: 422, but only for a delivery that verifies.
  const bad = await send(`/webhook/walker/needs_ref?key_id=${key.id}`, '{}', { 'x-hub-signature-256': await githubSign(key.secret!, '{}') });
  assert.is(bad.statusCode, 422, bad.body);
  const unsigned = await send(`/webhook/walker/needs_ref?key_id=${key.id}`, '{}', {});
  assert.is(unsigned.statusCode, 401);
});

test('a signed body is read raw whatever its Content-Type says: with parameters, another type, the same type again', async () => {
  const key = await signingKey('gh-types', { scheme: 'github' }, ['github_push']);
  const payload = JSON.stringify({ ref: 'refs/heads/types' });
  for (const type of ['application/json; charset=utf-8', 'text/plain', 'application/json', 'application/json; charset=utf-8', 'application/vnd.github+json']) {
    const r = await h.app.inject({ method: 'POST', url: key.url, payload, headers: { 'content-type': type, 'x-hub-signature-256': await githubSign(key.secret!, payload), 'x-github-event': 'push' } });
    assert.is(r.statusCode, 200, `${type}: ${r.body}`);
    assert.is(r.json().reports[0][0], 'refs/heads/types', type);
    const tampered = await h.app.inject({ method: 'POST', url: key.url, payload: payload.replace('types', 'other'), headers: { 'content-type': type, 'x-hub-signature-256': await githubSign(key.secret!, payload) } });
    assert.is(tampered.statusCode, 401, `${type}: the signature covers the bytes sent`);
  }
});

test("GitHub's form encoding (payload=<json>) is read as its JSON; Slack's form fields by name; Slack's URL check is answered", async () => {
  const gh = await signingKey('gh-form', { scheme: 'github' });
  const form = `payload=${encodeURIComponent(JSON.stringify({ ref: 'refs/tags/v1' }))}`;
  const r = await h.app.inject({ method: 'POST', url: `/webhook/walker/github_push?key_id=${gh.id}`, payload: form, headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-hub-signature-256': await githubSign(gh.secret!, form), 'x-github-event': 'create' } });
  assert.is(r.statusCode, 200, r.body);
  assert.equal(r.json().reports[0].slice(0, 2), ['refs/tags/v1', 'create']);
  // A form whose payload is not a JSON object, or that repeats it, is refused as a bad body, not
  // run with the walker's defaults.
  for (const [bad, msg] of [
    ['payload=%7Bbad', 'the form\'s payload field is not valid JSON'],
    ['payload=%5B1%5D', 'the form\'s payload field is not a JSON object'],
    [`${form}&${form}`, 'the form holds more than one payload field'],
  ]) {
    const refused = await h.app.inject({ method: 'POST', url: `/webhook/walker/github_push?key_id=${gh.id}`, payload: bad, headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-hub-signature-256': await githubSign(gh.secret!, bad) } });
    assert.equal([refused.statusCode, refused.json().detail], [422, [{ type: 'json_invalid', loc: ['body'], msg, input: null }]], bad);
  }

  const secret = 'slack-signing-secret-0123';
  const slack = await signingKey('sl', { scheme: 'slack', secret });
  assert.is(slack.secret, undefined, 'an imported secret is not echoed');
  const ts = String(Math.floor(Date.now() / 1000));
  const sign = (b: string) => ({ 'x-slack-request-timestamp': ts, 'x-slack-signature': `v0=${createHmac('sha256', secret).update(`v0:${ts}:${b}`).digest('hex')}` });
  const command = 'command=%2Fweather&text=94070&user_id=U1';
  const c = await h.app.inject({ method: 'POST', url: `/webhook/walker/slack_command?key_id=${slack.id}`, payload: command, headers: { 'content-type': 'application/x-www-form-urlencoded', ...sign(command) } });
  assert.equal([c.statusCode, c.json().reports], [200, [['/weather', '94070']]]);
  const challenge = JSON.stringify({ token: 't', challenge: 'ch-123', type: 'url_verification' });
  const v = await h.app.inject({ method: 'POST', url: `/webhook/walker/slack_command?key_id=${slack.id}`, payload: challenge, headers: { 'content-type': 'application/json', ...sign(challenge) } });
  assert.equal([v.statusCode, v.json()], [200, { challenge: 'ch-123' }]);
  const noChallenge = JSON.stringify({ token: 't', challenge: 123, type: 'url_verification' });
  const nc = await h.app.inject({ method: 'POST', url: `/webhook/walker/slack_command?key_id=${slack.id}`, payload: noChallenge, headers: { 'content-type': 'application/json', ...sign(noChallenge) } });
  assert.equal([nc.statusCode, nc.json().detail[0].msg], [422, 'a url_verification without a challenge string'], 'not run as a delivery');
  const forged = await h.app.inject({ method: 'POST', url: `/webhook/walker/slack_command?key_id=${slack.id}`, payload: challenge, headers: { 'content-type': 'application/json', 'x-slack-request-timestamp': ts, 'x-slack-signature': 'v0=00' } });
  assert.is(forged.statusCode, 401, 'the challenge is answered only once the signature checks');
});

test("Stripe: the imported whsec_ secret verifies Stripe's own test header; a stale one is refused as such", async () => {
  const secret = 'whsec_imported_from_stripe_dashboard';
  const key = await signingKey('st', { scheme: 'stripe', secret });
  const payload = JSON.stringify({ id: 'evt_1', type: 'invoice.paid' });
  const stripe = new Stripe('sk_test_unused');
  const send = (timestamp: number) => h.app.inject({ method: 'POST', url: `/webhook/walker/stripe_event?key_id=${key.id}`, payload, headers: { 'content-type': 'application/json', 'stripe-signature': stripe.webhooks.generateTestHeaderString({ payload, secret, timestamp }) } });
  const ok = await send(Math.floor(Date.now() / 1000));
  assert.equal([ok.statusCode, ok.json().reports], [200, [['invoice.paid', 'invoice.paid']]]);
  const stale = await send(Math.floor(Date.now() / 1000) - 3600);
  assert.equal([stale.statusCode, stale.json()], [401, { detail: 'Timestamp outside the tolerance' }]);
});

test('Shopify, Standard Webhooks (v1 by its reference library, v1a with an imported whpk_ key) and a declared HMAC, through the server', async () => {
  const { Webhook } = await import('standardwebhooks');
  const { generateKeyPairSync, sign: edSign } = await import('node:crypto');
  const now = Math.floor(Date.now() / 1000);
  // Shopify: its documented recipe, base64 HMAC-SHA256 of the raw body with the app's secret.
  const shopSecret = 'shpss_0123456789abcdef';
  const shop = await signingKey('shop', { scheme: 'shopify', secret: shopSecret });
  const order = '{"id": 820982911946154501, "email": "a@b.co"}'; // Shopify's ids pass 2^53
  const sent = (url: string, payload: string, headers: Record<string, string>) => h.app.inject({ method: 'POST', url, payload, headers: { 'content-type': 'application/json', ...headers } });
  const sh = await sent(`/webhook/walker/shop_order?key_id=${shop.id}`, order, { 'x-shopify-hmac-sha256': createHmac('sha256', shopSecret).update(order).digest('base64'), 'x-shopify-topic': 'orders/create', 'x-shopify-webhook-id': 'S-1' });
  assert.is(sh.statusCode, 200, sh.body);
  assert.match(sh.body, /"reports":\[\[820982911946154501,"orders\/create"\]\]/, 'the id exactly as sent');
  // Standard Webhooks v1: a generated whsec_ secret, signed by the reference library.
  const std = await signingKey('std', { scheme: 'standard' });
  assert.match(std.secret!, /^whsec_[A-Za-z0-9+/=]{44}$/);
  const event = JSON.stringify({ type: 'user.created' });
  const signature = new Webhook(std.secret!).sign('msg_1', new Date(now * 1000), event);
  const v1 = await sent(`/webhook/walker/std_event?key_id=${std.id}`, event, { 'webhook-id': 'msg_1', 'webhook-timestamp': String(now), 'webhook-signature': signature });
  assert.equal([v1.statusCode, v1.json().reports], [200, [['user.created', 'msg_1']]]);
  const old = await sent(`/webhook/walker/std_event?key_id=${std.id}`, event, { 'webhook-id': 'msg_2', 'webhook-timestamp': String(now - 120), 'webhook-signature': new Webhook(std.secret!).sign('msg_2', new Date((now - 120) * 1000), event) });
  assert.equal([old.statusCode, old.json()], [401, { detail: 'Timestamp outside the tolerance' }], 'the walker\'s own tolerance (60 s)');
  // v1a: the sender's ed25519 public key imported as whpk_.
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const whpk = `whpk_${Buffer.from(publicKey.export({ format: 'jwk' }).x!, 'base64url').toString('base64')}`;
  const ed = await signingKey('std-ed', { scheme: 'standard', secret: whpk });
  const v1a = edSign(null, Buffer.from(`msg_3.${now}.${event}`), privateKey).toString('base64');
  const asym = await sent(`/webhook/walker/std_event?key_id=${ed.id}`, event, { 'webhook-id': 'msg_3', 'webhook-timestamp': String(now), 'webhook-signature': `v1a,${v1a}` });
  assert.equal([asym.statusCode, asym.json().reports], [200, [['user.created', 'msg_3']]]);
  // A declared HMAC: sha512, base64, prefix, timestamp and id headers.
  const custom = await signingKey('custom', { scheme: 'hmac', secret: 'custom-secret-1' });
  const body = '{"n":7}';
  const mac = createHmac('sha512', 'custom-secret-1').update(`${now}.${body}`).digest('base64');
  const c = await sent(`/webhook/walker/custom_hook?key_id=${custom.id}`, body, { 'x-signature': `sha512=${mac}`, 'x-timestamp': String(now), 'x-delivery': 'C-1' });
  assert.equal([c.statusCode, c.json().reports], [200, [[7, 'C-1']]]);
  const noTs = await sent(`/webhook/walker/custom_hook?key_id=${custom.id}`, body, { 'x-signature': `sha512=${mac}` });
  assert.equal([noTs.statusCode, noTs.json()], [401, { detail: 'Not authenticated' }]);
});

test('a key lists its scheme and a preview, never its secret; rotation keeps the old secret for the grace period, and not after', async () => {
  const key = await signingKey('rot', { scheme: 'github' });
  const listed = (await h.app.inject({ method: 'GET', url: '/webhook', headers: { authorization: alice.authorization } })).json().keys.find((k: { id: string }) => k.id === key.id);
  assert.equal([listed.scheme, listed.key_preview, listed.secrets.length], ['github', `${key.secret!.slice(0, 4)}…`, 1]);
  assert.not.ok(JSON.stringify(listed).includes(key.secret!.slice(4, 20)));
  const url = `/webhook/walker/github_push?key_id=${key.id}`;
  const rotated = await h.app.inject({ method: 'POST', url: `/webhook/rotate/${key.id}`, payload: { grace_hours: 1 }, headers: { authorization: alice.authorization } });
  assert.is(rotated.statusCode, 200, rotated.body);
  const next = rotated.json().secret as string;
  assert.ok(next && next !== key.secret);
  assert.is((await github(url, key.secret!, '{"ref":"old"}')).statusCode, 200, 'the old secret within its grace period');
  assert.is((await github(url, next, '{"ref":"new"}')).statusCode, 200, 'the new one');
  const again = await h.app.inject({ method: 'POST', url: `/webhook/rotate/${key.id}`, payload: { secret: 'imported-secret-123', grace_hours: 0 }, headers: { authorization: alice.authorization } });
  assert.equal([again.statusCode, again.json().secret], [200, undefined]);
  assert.is((await github(url, key.secret!, '{"ref":"old"}')).statusCode, 401, 'retired');
  assert.is((await github(url, next, '{"ref":"new"}')).statusCode, 401, 'retired at once with no grace');
  assert.is((await github(url, 'imported-secret-123', '{"ref":"imp"}')).statusCode, 200);
  const bob = await h.login('bob@example.com');
  assert.is((await h.app.inject({ method: 'POST', url: `/webhook/rotate/${key.id}`, payload: {}, headers: { authorization: bob.authorization } })).statusCode, 404, 'owner only');
});

test('opened secrets are remembered between deliveries, yet rotation, retirement and deletion apply to the next delivery', async () => {
  const key = await signingKey('cached', { scheme: 'github' }, ['github_push']);
  const url = `/webhook/walker/github_push?key_id=${key.id}`;
  for (const ref of ['a', 'b']) assert.is((await github(url, key.secret!, JSON.stringify({ ref }), { 'x-github-delivery': `c-${ref}` })).statusCode, 200);
  const rotate = async (payload: Record<string, unknown>) => {
    const r = await h.app.inject({ method: 'POST', url: `/webhook/rotate/${key.id}`, payload, headers: { authorization: alice.authorization } });
    assert.is(r.statusCode, 200, r.body);
    return r.json().secret as string | undefined;
  };
  const next = (await rotate({ grace_hours: 0 }))!;
  assert.is((await github(url, key.secret!, '{"ref":"old"}', { 'x-github-delivery': 'c-old' })).statusCode, 401, 'the remembered old secret retired at once');
  assert.is((await github(url, next, '{"ref":"new"}', { 'x-github-delivery': 'c-new' })).statusCode, 200);
  // The same secret imported again is sealed afresh: it signs as before.
  await rotate({ secret: next, grace_hours: 0 });
  assert.is((await github(url, next, '{"ref":"same"}', { 'x-github-delivery': 'c-same' })).statusCode, 200);
  const gone = await h.app.inject({ method: 'DELETE', url: '/webhook/delete', payload: { ids: [key.id] }, headers: { authorization: alice.authorization } });
  assert.is(gone.statusCode, 200, gone.body);
  assert.is((await github(url, next, '{"ref":"gone"}', { 'x-github-delivery': 'c-gone' })).statusCode, 401, 'a deleted key refuses at once');
});

test('a sealed secret copied onto another key does not open there, even once opened for its own key', async () => {
  const a = await signingKey('seal-a', { scheme: 'github' }, ['github_push']);
  const b = await signingKey('seal-b', { scheme: 'github' }, ['github_push']);
  const payload = '{"ref":"x"}';
  assert.is((await github(`/webhook/walker/github_push?key_id=${a.id}`, a.secret!, payload, { 'x-github-delivery': 's-a' })).statusCode, 200);
  const recordA = (await h.store.findKey(a.id))!;
  const recordB = (await h.store.findKey(b.id))!;
  await h.store.putKey({ ...recordB, signing: recordA.signing });
  assert.is((await github(`/webhook/walker/github_push?key_id=${b.id}`, a.secret!, payload, { 'x-github-delivery': 's-b' })).statusCode, 401);
});

test('a signing key is for signed walkers of its scheme only, an API key for the others; a bearer walker takes an API key as Authorization: Bearer', async () => {
  const mismatch = await h.app.inject({ method: 'POST', url: '/webhook/generate-key', payload: { name: 'm1', walkers: ['stripe_event'], signing: { scheme: 'github' } }, headers: { authorization: alice.authorization } });
  assert.is(mismatch.statusCode, 422);
  assert.match(mismatch.json().detail[0].msg, /signed by stripe, not github/);
  const apiForSigned = await h.app.inject({ method: 'POST', url: '/webhook/generate-key', payload: { name: 'm2', walkers: ['github_push'] }, headers: { authorization: alice.authorization } });
  assert.match(apiForSigned.json().detail[0].msg, /its key is a signing key/);
  const badStandard = await h.app.inject({ method: 'POST', url: '/webhook/generate-key', payload: { name: 'm3', signing: { scheme: 'standard', secret: 'not-a-whsec-secret' } }, headers: { authorization: alice.authorization } });
  assert.is(badStandard.statusCode, 422);
  const api = await h.app.inject({ method: 'POST', url: '/webhook/generate-key', payload: { name: 'api', walkers: ['bearer_hook'] }, headers: { authorization: alice.authorization } });
  const apiKey = api.json().key as string;
  const r = await h.app.inject({ method: 'POST', url: '/webhook/walker/bearer_hook', headers: { authorization: `Bearer ${apiKey}` } });
  assert.equal([r.statusCode, r.json().reports], [200, ['bearer']]);
  assert.is((await h.app.inject({ method: 'POST', url: '/webhook/walker/bearer_hook' })).statusCode, 401);
  assert.is((await h.app.inject({ method: 'POST', url: '/webhook/walker/bearer_hook', headers: { authorization: alice.authorization } })).statusCode, 401, 'a user token is not a key');
});

test('each delivery once: a repeat (in turn, at once, or after a restart) gets the first answer without a run; a failed run is not remembered, and leaves no change', async () => {
  const dir = (await import('node:fs')).mkdtempSync((await import('node:path')).join((await import('node:os')).tmpdir(), 'jac-dedupe-'));
  let server = await harness(PROGRAM, { maxKeyFailures: 1000 }, dir);
  const user = await server.login();
  const key = (await server.app.inject({ method: 'POST', url: '/webhook/generate-key', payload: { name: 'k', signing: { scheme: 'github' } }, headers: { authorization: user.authorization } })).json();
  const send = async (ref: string, delivery: string | null) => {
    const payload = JSON.stringify({ ref });
    const headers: Record<string, string> = { 'content-type': 'application/json', 'x-hub-signature-256': await githubSign(key.secret, payload), 'x-github-event': 'push' };
    if (delivery) headers['x-github-delivery'] = delivery;
    return server.app.inject({ method: 'POST', url: `/webhook/walker/flaky_push?key_id=${key.id}`, payload, headers });
  };
  const pushes = async () => (await server.app.inject({ method: 'POST', url: '/walker/count_pushes', headers: { authorization: user.authorization } })).json().reports[0].length;
  try {
    const first = await send('a', 'd-1');
    assert.equal([first.statusCode, first.json().reports, first.headers['webhook-duplicate']], [200, [1], undefined]);
    const again = await send('a', 'd-1');
    assert.equal([again.statusCode, again.body, again.headers['webhook-duplicate']], [200, first.body, 'true']);
    const together = await Promise.all([send('b', 'd-2'), send('b', 'd-2'), send('b', 'd-2')]);
    assert.equal(together.map((r) => r.statusCode), [200, 200, 200]);
    assert.equal(together.filter((r) => r.headers['webhook-duplicate'] === 'true').length, 2, 'one of three copies ran');
    assert.equal(new Set(together.map((r) => r.body)).size, 1, 'all three got its answer');
    assert.is(await pushes(), 2);
    assert.is((await send('c', null)).statusCode, 200);
    assert.is((await send('c', null)).statusCode, 200);
    assert.is(await pushes(), 4, 'a delivery without an id runs each time');
    assert.is((await send('boom', 'd-3')).statusCode, 500);
    assert.is((await send('boom', 'd-3')).statusCode, 500, 'a failed run is not remembered: the retry runs again');
    assert.is(await pushes(), 4, "a failed run keeps none of its changes: the retry is not applied on top of them");
    const failedTogether = await Promise.all([send('boom', 'd-4'), send('boom', 'd-4')]);
    assert.equal(failedTogether.map((r) => r.statusCode), [500, 500]);
    assert.is(await pushes(), 4, 'nor do two failing copies at once');
    await server.close();
    server = await harness(PROGRAM, { maxKeyFailures: 1000 }, dir);
    const user2 = await server.login();
    assert.is(user2.root, user.root);
    const replayed = await send('a', 'd-1');
    assert.equal([replayed.statusCode, replayed.body, replayed.headers['webhook-duplicate']], [200, first.body, 'true'], 'remembered across a restart');
    assert.is(await pushes(), 4, 'the repeat added none');
  } finally {
    await server.close();
  }
});

test('"ack": "async": a verified delivery is stored and answered 202 at once, runs in the queue, once per delivery id, retried on failure then failed', async () => {
  const key = await signingKey('later', { scheme: 'github' }, ['later_push']);
  const send = async (ref: string, delivery: string) => {
    const payload = JSON.stringify({ ref });
    return h.app.inject({ method: 'POST', url: `/webhook/walker/later_push?key_id=${key.id}`, payload, headers: { 'content-type': 'application/json', 'x-hub-signature-256': await githubSign(key.secret!, payload), 'x-github-delivery': delivery } });
  };
  const r = await send('refs/heads/later', 'L-1');
  assert.is(r.statusCode, 202, r.body);
  const { status, delivery } = r.json();
  assert.is(status, 202);
  assert.match(delivery, /^w:later_push:[0-9a-f]{24}$/);
  const outcome = async (id: string) => {
    for (let i = 0; i < 200; i++) {
      const doc = (await h.app.inject({ method: 'GET', url: `/async-walker/${id}`, headers: { authorization: alice.authorization } })).json();
      if (doc.schedule.status === 'COMPLETED' || doc.schedule.status === 'ERROR') return doc;
      await new Promise((res) => setTimeout(res, 25));
    }
    throw new Error('not done');
  };
  const doc = await outcome(delivery);
  assert.equal([doc.schedule.status, doc.schedule.reports], ['COMPLETED', ['L-1']]);
  const repeat = await send('refs/heads/later', 'L-1');
  assert.equal([repeat.statusCode, repeat.json().delivery, repeat.headers['webhook-duplicate']], [202, delivery, 'true']);
  assert.is((await h.store.listJobs()).filter((j) => j.walker === 'later_push').length, 1, 'queued once');
  const bad = await send('boom', 'L-2');
  const failed = await outcome(bad.json().delivery);
  assert.equal([failed.schedule.status, failed.schedule.attempts], ['ERROR', 3], 'run, then retried after each of the two delays');
  const refs = (await h.app.inject({ method: 'POST', url: '/walker/count_pushes', headers: { authorization: alice.authorization } })).json().reports[0] as string[];
  assert.equal(refs.filter((r) => r === 'boom'), [], 'each failed attempt kept none of its changes');
  assert.ok(refs.includes('refs/heads/later'), 'the delivery that ran kept its');
  // Each entry says how its run ended once its job has (written with the job's end).
  const logged = (await h.app.inject({ method: 'GET', url: `/webhook/deliveries?key_id=${key.id}`, headers: { authorization: alice.authorization } })).json().deliveries as Record<string, unknown>[];
  assert.equal(logged.map((d) => [d.id, d.status, d.code, d.duplicates, typeof d.error_id]), [
    [bad.json().delivery, 'failed', 500, 0, 'string'],
    [delivery, 'ok', 200, 1, 'object'],
  ]);
  const unsigned = await h.app.inject({ method: 'POST', url: `/webhook/walker/later_push?key_id=${key.id}`, payload: '{}', headers: { 'content-type': 'application/json' } });
  assert.is(unsigned.statusCode, 401, 'nothing is stored before the signature checks');
});

test("a queued delivery's run is remembered on the root only when it changed something: one that changed nothing writes nothing", async () => {
  const key = await signingKey('later-commits', { scheme: 'github' }, ['later_push', 'later_ignore']);
  const deliver = async (walker: string, delivery: string) => {
    const payload = JSON.stringify({ ref: `refs/heads/${delivery}` });
    const r = await h.app.inject({ method: 'POST', url: `/webhook/walker/${walker}?key_id=${key.id}`, payload, headers: { 'content-type': 'application/json', 'x-hub-signature-256': await githubSign(key.secret!, payload), 'x-github-delivery': delivery } });
    assert.is(r.statusCode, 202, r.body);
    const id = r.json().delivery as string;
    for (let i = 0; i < 200 && (await h.store.findJob(id))?.status !== 'COMPLETED'; i++) await new Promise((res) => setTimeout(res, 25));
    assert.is((await h.store.findJob(id))?.status, 'COMPLETED');
  };
  const before = h.runs.commits;
  await deliver('later_ignore', 'C-1');
  assert.is(h.runs.commits, before, 'nothing changed, nothing written');
  await deliver('later_push', 'C-2');
  assert.is(h.runs.commits, before + 1, 'its changes and the memory of its run, in one commit');
});

test("a repeat that comes after its queued delivery's job record has gone is queued afresh and answered from the root without running twice", async () => {
  const key = await signingKey('later-gone', { scheme: 'github' }, ['later_push']);
  const payload = JSON.stringify({ ref: 'refs/heads/gone' });
  const send = async () => h.app.inject({ method: 'POST', url: `/webhook/walker/later_push?key_id=${key.id}`, payload, headers: { 'content-type': 'application/json', 'x-hub-signature-256': await githubSign(key.secret!, payload), 'x-github-delivery': 'G-1' } });
  const completed = async (id: string) => {
    for (let i = 0; i < 200 && (await h.store.findJob(id))?.status !== 'COMPLETED'; i++) await new Promise((res) => setTimeout(res, 25));
    return (await h.store.findJob(id))!;
  };
  const first = await send();
  const id = first.json().delivery as string;
  assert.equal((await completed(id)).result?.reports, ['G-1']);
  // The job's record leaves (as past the retention, or beyond the data dir's limit of ended runs).
  assert.ok((await h.store.pruneJobs(new Date(Date.now() + 60_000).toISOString())) >= 1);
  assert.is(await h.store.findJob(id), null);
  const repeat = await send();
  assert.equal([repeat.statusCode, repeat.json().delivery, repeat.headers['webhook-duplicate']], [202, id, undefined], 'queued afresh, under the same id');
  const again = await completed(id);
  assert.equal([again.attempts, again.result?.reports], [1, ['G-1']], 'answered as the first run was');
  const refs = (await h.app.inject({ method: 'POST', url: '/walker/count_pushes', headers: { authorization: alice.authorization } })).json().reports[0] as string[];
  assert.is(refs.filter((r) => r === 'refs/heads/gone').length, 1, 'the walker ran once');
});

test('a queued delivery whose end could not be written is taken again when its lease ends, and answered from the root without running twice', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'jac-once-'));
  const file = join(mkdtempSync(join(tmpdir(), 'jac-once-app-')), 'app.jac');
  writeFileSync(file, PROGRAM);
  const real = await LowStore.open(dataDir);
  // The first run's end cannot be written (the store fails then): its job stays STARTED.
  let failures = 1;
  const store: LowStore = Object.create(real);
  Object.defineProperty(store, 'finishJob', {
    value: async (...args: Parameters<LowStore['finishJob']>) => {
      if (failures-- > 0) throw new StoreError('the disk is gone', 'JAC_STORE_IO');
      return real.finishJob(...args);
    },
  });
  const runs = await WorkerPool.start({ workers: 1, files: [file], dataDir });
  const app = await buildApp({ program: servedApp(runs.manifest), runs, store, options: { logLevel: false, jobs: { leaseMs: 300, pollMs: 50 } } });
  try {
    await app.ready();
    await app.inject({ method: 'POST', url: '/user/register', payload: { email: 'once@example.com', password: 'pw' } });
    const authorization = `Bearer ${(await app.inject({ method: 'POST', url: '/user/login', payload: { email: 'once@example.com', password: 'pw' } })).json().token}`;
    const key = (await app.inject({ method: 'POST', url: '/webhook/generate-key', payload: { name: 'k', signing: { scheme: 'github' } }, headers: { authorization } })).json();
    const payload = JSON.stringify({ ref: 'refs/heads/once' });
    const r = await app.inject({ method: 'POST', url: `/webhook/walker/later_push?key_id=${key.id}`, payload, headers: { 'content-type': 'application/json', 'x-hub-signature-256': await githubSign(key.secret, payload), 'x-github-delivery': 'O-1' } });
    assert.is(r.statusCode, 202, r.body);
    const id = r.json().delivery as string;
    let job = await real.findJob(id);
    for (let i = 0; i < 200 && job?.status !== 'COMPLETED'; i++) {
      await new Promise((res) => setTimeout(res, 25));
      job = await real.findJob(id);
    }
    assert.equal([job?.status, job?.attempts, job?.result?.reports], ['COMPLETED', 2, ['O-1']], 'taken again, and answered as the first run was');
    assert.ok(failures < 0, 'the first end was refused, the second written');
    const refs = (await app.inject({ method: 'POST', url: '/walker/count_pushes', headers: { authorization } })).json().reports[0];
    assert.equal(refs, ['refs/heads/once'], 'the walker ran once');
    assert.is((await real.findDelivery(id))?.status, 'ok');
  } finally {
    await app.close();
    await runs.close();
    await real.close();
  }
});

test('past its queue limit a user gets 429 with Retry-After for a new delivery answered 202, logged as refused; a repeat of a queued one, and other users, are answered 202', async () => {
  // Every run outlasts its budget and waits a minute to be retried: the queued runs stay open.
  const held = `
walker hold {
  has n: int = 0;
  obj __specs__ { static has webhook: dict = {"type": "signature", "scheme": "github", "ack": "async"}; }
  can spin with \`root entry { i = 0; while True { i += 1; } }
}
`;
  const server = await harness(held, { logLevel: false, maxQueuedRuns: 2, maxMillis: 300, deliveryRetryMs: [60_000] });
  try {
    const signing = async (email: string) => {
      const { authorization } = await server.login(email);
      const key = (await server.app.inject({ method: 'POST', url: '/webhook/generate-key', payload: { name: 'k', signing: { scheme: 'github' } }, headers: { authorization } })).json();
      return { authorization, id: key.id as string, secret: key.secret as string };
    };
    const full = await signing('full@example.com');
    const other = await signing('other@example.com');
    const send = async (key: { id: string; secret: string }, delivery: string) => {
      const payload = JSON.stringify({ n: 1 });
      return server.app.inject({ method: 'POST', url: `/webhook/walker/hold?key_id=${key.id}`, payload, headers: { 'content-type': 'application/json', 'x-hub-signature-256': await githubSign(key.secret, payload), 'x-github-delivery': delivery } });
    };
    const first = await send(full, 'Q-1');
    assert.equal([first.statusCode, (await send(full, 'Q-2')).statusCode], [202, 202]);
    const refused = await send(full, 'Q-3');
    assert.is(refused.statusCode, 429, refused.body);
    assert.is(refused.headers['retry-after'], '5');
    assert.equal(refused.json(), { detail: 'Too many background runs are waiting (at most 2 per user); retry later' });
    assert.is((await send(full, 'Q-3')).statusCode, 429, 'sent again: refused again');
    const repeat = await send(full, 'Q-1');
    assert.equal([repeat.statusCode, repeat.json().delivery, repeat.headers['webhook-duplicate']], [202, first.json().delivery, 'true'], 'a repeat of a queued delivery is answered as one');
    assert.is((await send(other, 'R-1')).statusCode, 202, 'another user queues as before');
    const owner = (await server.store.findUser({ email: 'full@example.com' }))!.id;
    assert.is((await server.store.listJobs()).filter((j) => j.owner === owner).length, 2, 'the refused delivery was not queued');
    const log = (await server.app.inject({ method: 'GET', url: `/webhook/deliveries?key_id=${full.id}&status=rejected`, headers: { authorization: full.authorization } })).json().deliveries;
    assert.equal(log.map((d: Record<string, unknown>) => [d.delivery_id, d.verified, d.code, d.reason, d.duplicates]), [['Q-3', true, 429, 'too many background runs of this user are waiting', 1]], 'one entry, counting the second refusal');
    const replay = await server.app.inject({ method: 'POST', url: `/webhook/deliveries/${log[0].id}/replay`, headers: { authorization: full.authorization } });
    assert.is(replay.statusCode, 409, 'nothing of it was kept to replay');
  } finally {
    await server.close();
  }
});

test("on the data dir a delivery answered 202 whose fields would pass its user's room is refused 429, logged with why; a repeat of a queued one is answered 202", async () => {
  const held = `
walker hold {
  has text: str = "";
  obj __specs__ { static has webhook: dict = {"type": "signature", "scheme": "github", "ack": "async"}; }
  can spin with \`root entry { i = 0; while True { i += 1; } }
}
`;
  const server = await harness(held, { logLevel: false, maxMillis: 300, deliveryRetryMs: [60_000], maxQueuedChars: { root: 3 * 1024 } });
  try {
    const { authorization } = await server.login('heavy@example.com');
    const key = (await server.app.inject({ method: 'POST', url: '/webhook/generate-key', payload: { name: 'k', signing: { scheme: 'github' } }, headers: { authorization } })).json();
    // {"text":"x…x"} takes 1,111 characters: two fit in 3 KB.
    const send = async (delivery: string) => {
      const payload = JSON.stringify({ text: 'x'.repeat(1100) });
      return server.app.inject({ method: 'POST', url: `/webhook/walker/hold?key_id=${key.id}`, payload, headers: { 'content-type': 'application/json', 'x-hub-signature-256': await githubSign(key.secret, payload), 'x-github-delivery': delivery } });
    };
    assert.equal([(await send('H-1')).statusCode, (await send('H-2')).statusCode], [202, 202]);
    const refused = await send('H-3');
    assert.equal([refused.statusCode, refused.headers['retry-after'], refused.json()], [429, '5', { detail: 'The background runs waiting for this user hold too much data (at most 3 KB of fields); retry later' }]);
    const repeat = await send('H-1');
    assert.equal([repeat.statusCode, repeat.headers['webhook-duplicate']], [202, 'true'], 'a repeat of a queued delivery is answered as one');
    assert.is((await server.store.listJobs()).length, 2, 'the refused delivery was not queued');
    const log = (await server.app.inject({ method: 'GET', url: `/webhook/deliveries?key_id=${key.id}&status=rejected`, headers: { authorization } })).json().deliveries;
    assert.equal(log.map((d: Record<string, unknown>) => [d.delivery_id, d.code, d.reason]), [['H-3', 429, 'the background runs of this user hold too much data']]);
  } finally {
    await server.close();
  }
});

test('on PostgreSQL, a body whose strings hold a NUL is queued (202), run, logged and replayed like any other', async () => {
  const server = await harness(PROGRAM, { logLevel: false, jobs: { pollMs: 50 }, storeUrl: await freshDatabase() });
  const { app, store } = server;
  try {
    const { authorization } = await server.login('nul@example.com');
    const key = (await app.inject({ method: 'POST', url: '/webhook/generate-key', payload: { name: 'k', signing: { scheme: 'github' } }, headers: { authorization } })).json();
    const send = async (walker: string, delivery: string) => {
      const payload = JSON.stringify({ ref: 'refs/heads/a\u0000b' });
      return app.inject({ method: 'POST', url: `/webhook/walker/${walker}?key_id=${key.id}`, payload, headers: { 'content-type': 'application/json', 'x-hub-signature-256': await githubSign(key.secret, payload), 'x-github-delivery': delivery } });
    };
    const queued = await send('later_push', 'N-1');
    assert.is(queued.statusCode, 202, queued.body);
    const id = queued.json().delivery as string;
    for (let i = 0; i < 200 && (await store.findJob(id))?.status !== 'COMPLETED'; i++) await new Promise((res) => setTimeout(res, 25));
    assert.is((await store.findJob(id))?.status, 'COMPLETED');
    const answered = await send('flaky_push', 'N-2');
    assert.is(answered.statusCode, 200, answered.body);
    const refs = (await app.inject({ method: 'POST', url: '/walker/count_pushes', headers: { authorization } })).json().reports[0];
    assert.equal(refs, ['refs/heads/a\u0000b', 'refs/heads/a\u0000b']);
    const logged = (await app.inject({ method: 'GET', url: `/webhook/deliveries?key_id=${key.id}`, headers: { authorization } })).json().deliveries as { id: string; status: string; replayable: boolean }[];
    assert.equal(logged.map((d) => [d.status, d.replayable]), [['ok', true], ['ok', true]]);
    const replayed = await app.inject({ method: 'POST', url: `/webhook/deliveries/${id}/replay`, headers: { authorization } });
    assert.is(replayed.statusCode, 200, replayed.body);
    assert.is(((await app.inject({ method: 'POST', url: '/walker/count_pushes', headers: { authorization } })).json().reports[0] as string[]).length, 3);
  } finally {
    await server.close();
  }
});

test('the delivery log: verified, repeated, failed and rejected deliveries, newest first, owner only, no bodies or signatures; a replay runs a stored delivery again', async () => {
  const key = await signingKey('logged', { scheme: 'github' }, ['flaky_push']);
  const send = async (ref: string, delivery: string, secret = key.secret!) => {
    const payload = JSON.stringify({ ref });
    return h.app.inject({ method: 'POST', url: `/webhook/walker/flaky_push?key_id=${key.id}`, payload, headers: { 'content-type': 'application/json', 'x-hub-signature-256': await githubSign(secret, payload), 'x-github-delivery': delivery, 'x-github-event': 'push' } });
  };
  assert.is((await send('one', 'G-1')).statusCode, 200);
  assert.is((await send('one', 'G-1')).statusCode, 200);
  assert.is((await send('boom', 'G-2')).statusCode, 500);
  assert.is((await send('two', 'G-3', 'a-guess')).statusCode, 401);
  const list = async (query = '') => {
    const r = await h.app.inject({ method: 'GET', url: `/webhook/deliveries?key_id=${key.id}${query}`, headers: { authorization: alice.authorization } });
    assert.is(r.statusCode, 200, r.body);
    return r.json().deliveries as Record<string, unknown>[];
  };
  const all = await list();
  assert.equal(all.map((d) => [d.status, d.code, d.verified, d.delivery_id, d.duplicates]), [
    ['rejected', 401, false, null, 0],
    ['failed', 500, true, 'G-2', 0],
    ['ok', 200, true, 'G-1', 1],
  ]);
  assert.equal([all[0].reason, all[0].replayable], ['Unauthorized', false]);
  assert.match(String(all[1].error_id), /^[0-9a-f-]{36}$/);
  assert.equal([all[2].event, all[2].walker, all[2].replayable], ['push', 'flaky_push', true]);
  const text = JSON.stringify(all);
  assert.not.ok(text.includes('sha256=') || text.includes('"ref"') || text.includes(key.secret!), 'no signature, body or secret');
  assert.equal((await list('&status=failed')).map((d) => d.delivery_id), ['G-2']);
  assert.equal((await list('&limit=1')).length, 1);
  const bob = await h.login('bob@example.com');
  const theirs = await h.app.inject({ method: 'GET', url: `/webhook/deliveries?key_id=${key.id}`, headers: { authorization: bob.authorization } });
  assert.equal(theirs.json().deliveries, [], "another user's log is empty of these");
  assert.is((await h.app.inject({ method: 'POST', url: `/webhook/deliveries/${all[2].id}/replay`, headers: { authorization: bob.authorization } })).statusCode, 404);
  assert.is((await h.app.inject({ method: 'POST', url: `/webhook/deliveries/${all[0].id}/replay`, headers: { authorization: alice.authorization } })).statusCode, 409, 'a rejected delivery cannot be replayed');
  const before = (await h.app.inject({ method: 'POST', url: '/walker/count_pushes', headers: { authorization: alice.authorization } })).json().reports[0].length;
  const replay = await h.app.inject({ method: 'POST', url: `/webhook/deliveries/${all[2].id}/replay`, headers: { authorization: alice.authorization } });
  assert.is(replay.statusCode, 200, replay.body);
  const after = (await h.app.inject({ method: 'POST', url: '/walker/count_pushes', headers: { authorization: alice.authorization } })).json().reports[0];
  assert.equal([after.length, after[after.length - 1]], [before + 1, 'one'], 'the stored delivery ran again');
  assert.is((await list()).length, 4, 'the replay is in the log');
});

test('verified deliveries refused before they run are logged as rejected with why (the key may not call the walker, a body that does not fit, an unknown entry node), without their bodies', async () => {
  const key = await signingKey('refusals', { scheme: 'github' }, ['flaky_push', 'needs_ref', 'later_push']);
  const send = async (walker: string, payload: string, delivery: string) =>
    h.app.inject({ method: 'POST', url: `/webhook/walker/${walker}?key_id=${key.id}`, payload, headers: { 'content-type': 'application/json', 'x-hub-signature-256': await githubSign(key.secret!, payload), 'x-github-delivery': delivery, 'x-github-event': 'push' } });
  assert.is((await send('github_push', '{"ref":"secret-ref"}', 'R-1')).statusCode, 403);
  assert.is((await send('flaky_push', '{"ref":', 'R-2')).statusCode, 422);
  assert.is((await send('needs_ref', '{}', 'R-3')).statusCode, 422);
  assert.is((await send('later_push/n::0123456789abcdef01234567', '{"ref":"x"}', 'R-4')).statusCode, 404);
  assert.is((await send('needs_ref', '{}', 'R-3')).statusCode, 422, "the sender's retry");
  const logged = (await h.app.inject({ method: 'GET', url: `/webhook/deliveries?key_id=${key.id}`, headers: { authorization: alice.authorization } })).json().deliveries as Record<string, unknown>[];
  assert.equal(logged.map((d) => [d.delivery_id, d.walker, d.status, d.code, d.verified, d.reason, d.duplicates, d.replayable]), [
    ['R-4', 'later_push', 'rejected', 404, true, 'Node not found', 0, false],
    ['R-3', 'needs_ref', 'rejected', 422, true, "the body does not fit the walker's fields", 1, false],
    ['R-2', 'flaky_push', 'rejected', 422, true, 'the body is not valid JSON', 0, false],
    ['R-1', 'github_push', 'rejected', 403, true, "the key may not call walker 'github_push'", 0, false],
  ]);
  assert.not.ok(JSON.stringify(logged).includes('secret-ref'), 'no body');
});

test("a flood of deliveries that do not verify counts on one entry per reason, and cannot push the key's verified deliveries out of the log (data dir, PostgreSQL)", async () => {
  // A data dir whose log keeps 10 entries, and PostgreSQL (which keeps every entry of the retention).
  for (const store of [{ jobLimits: { maxDeliveries: 10 } }, { logLevel: false as const, storeUrl: await freshDatabase() }]) {
    const small = await harness(PROGRAM, { maxKeyFailures: 1000, ...store });
    try {
      const user = await small.login();
      const key = (await small.app.inject({ method: 'POST', url: '/webhook/generate-key', payload: { name: 'k', signing: { scheme: 'github' } }, headers: { authorization: user.authorization } })).json();
      const send = async (signature: string | null, delivery: string) => {
        const headers: Record<string, string> = { 'content-type': 'application/json', 'x-github-delivery': delivery };
        if (signature !== null) headers['x-hub-signature-256'] = signature;
        return small.app.inject({ method: 'POST', url: `/webhook/walker/flaky_push?key_id=${key.id}`, payload: '{"ref":"kept"}', headers });
      };
      assert.is((await send(await githubSign(key.secret, '{"ref":"kept"}'), 'good-1')).statusCode, 200);
      for (let i = 0; i < 40; i++) assert.is((await send(i % 4 === 0 ? null : `sha256=${'0'.repeat(64)}`, `forged-${i}`)).statusCode, 401);
      const listed = (await small.app.inject({ method: 'GET', url: `/webhook/deliveries?key_id=${key.id}`, headers: { authorization: user.authorization } })).json().deliveries as Record<string, unknown>[];
      assert.equal(listed.map((d) => [d.status, d.verified, d.reason, d.duplicates, d.delivery_id]), [
        ['rejected', false, 'Unauthorized', 29, null],
        ['rejected', false, 'Not authenticated', 9, null],
        ['ok', true, null, 0, 'good-1'],
      ]);
    } finally {
      await small.close();
    }
  }
});

test('the data dir keeps deliveries\' bodies within a room: past it, the oldest give theirs up, stay listed, and a replay of one says why it cannot run', async () => {
  // Each body below keeps about 1,000 characters for replay: a room of 2,500 keeps the newest two.
  const small = await harness(PROGRAM, { maxKeyFailures: 1000, jobLimits: { maxReplayChars: 2_500 } });
  try {
    const user = await small.login();
    const key = (await small.app.inject({ method: 'POST', url: '/webhook/generate-key', payload: { name: 'k', signing: { scheme: 'github' } }, headers: { authorization: user.authorization } })).json();
    for (let i = 1; i <= 4; i++) {
      const payload = JSON.stringify({ ref: `${i}`.repeat(1000) });
      const headers = { 'content-type': 'application/json', 'x-hub-signature-256': await githubSign(key.secret, payload), 'x-github-delivery': `big-${i}`, 'x-github-event': 'push' };
      assert.is((await small.app.inject({ method: 'POST', url: `/webhook/walker/flaky_push?key_id=${key.id}`, payload, headers })).statusCode, 200);
    }
    const listed = (await small.app.inject({ method: 'GET', url: `/webhook/deliveries?key_id=${key.id}`, headers: { authorization: user.authorization } })).json().deliveries as { id: string; delivery_id: string; replayable: boolean }[];
    assert.equal(listed.map((d) => [d.delivery_id, d.replayable]), [['big-4', true], ['big-3', true], ['big-2', false], ['big-1', false]], 'all four listed; the newest two keep their bodies');
    const gone = await small.app.inject({ method: 'POST', url: `/webhook/deliveries/${listed[3].id}/replay`, headers: { authorization: user.authorization } });
    assert.equal([gone.statusCode, gone.json().detail], [410, "The delivery's body is no longer kept: newer deliveries' bodies took its room in the log"]);
    const kept = await small.app.inject({ method: 'POST', url: `/webhook/deliveries/${listed[1].id}/replay`, headers: { authorization: user.authorization } });
    assert.is(kept.statusCode, 200, kept.body);
  } finally {
    await small.close();
  }
});

test('failed deliveries count toward the client\'s limit: past it, 429 even with a good signature', async () => {
  const strict = await harness(PROGRAM, { maxKeyFailures: 3 });
  try {
    const user = await strict.login();
    const key = (await strict.app.inject({ method: 'POST', url: '/webhook/generate-key', payload: { name: 'k', signing: { scheme: 'github' } }, headers: { authorization: user.authorization } })).json();
    const send = async (secret: string) => strict.app.inject({ method: 'POST', url: `/webhook/walker/github_push?key_id=${key.id}`, payload: '{}', headers: { 'content-type': 'application/json', 'x-hub-signature-256': await githubSign(secret, '{}') } });
    for (let i = 0; i < 3; i++) assert.is((await send('guess')).statusCode, 401);
    const after = await send(key.secret);
    assert.is(after.statusCode, 429);
    assert.ok(Number(after.headers['retry-after']) > 0);
  } finally {
    await strict.close();
  }
});

test.run();
