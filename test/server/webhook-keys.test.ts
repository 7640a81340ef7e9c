// http-api.md §6.1-§6.4 through HTTP on the real app: creating, listing, extending and deleting
// webhook keys, each rule and each [fix], and that keys outlive the server (and deleted ones stay
// deleted).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { InjectOptions } from 'fastify';
import { type Harness, harness } from './harness.ts';
import { WEBHOOK_PROGRAM } from './webhook-program.ts';

const PROGRAM = WEBHOOK_PROGRAM;

const KEY_FORMAT = /^jacwh_[0-9a-f]{16}_[A-Za-z0-9_-]{43}[0-9a-f]{8}$/;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const ISO_Z = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/;

let h: Harness;
let alice: { authorization: string; root: string };
let bob: { authorization: string; root: string };
/** Every response body so far, and where in that list each key was shown, to prove it never is again. */
const bodies: string[] = [];
const minted: { key: string; at: number }[] = [];

async function send(options: InjectOptions) {
  const r = await h.app.inject(options);
  bodies.push(r.body);
  return r;
}

const generate = (who: { authorization: string }, payload: unknown) => send({ method: 'POST', url: '/webhook/generate-key', headers: { authorization: who.authorization }, payload: payload as object });
const list = (who: { authorization: string }) => send({ method: 'GET', url: '/webhook', headers: { authorization: who.authorization } });
const extend = (who: { authorization: string }, id: string, payload: unknown) => send({ method: 'PATCH', url: `/webhook/extend/${id}`, headers: { authorization: who.authorization }, payload: payload as object });
const remove = (who: { authorization: string }, ids: unknown) => send({ method: 'DELETE', url: '/webhook/delete', headers: { authorization: who.authorization }, payload: { ids } });

/** Creates a key (201 expected) and notes its text. */
async function create(who: { authorization: string }, payload: Record<string, unknown>): Promise<{ id: string; name: string; key: string }> {
  const r = await generate(who, payload);
  assert.is(r.statusCode, 201, r.body);
  const body = r.json();
  minted.push({ key: body.key, at: bodies.length });
  return body;
}

async function listed(who: { authorization: string }): Promise<Record<string, unknown>[]> {
  const r = await list(who);
  assert.is(r.statusCode, 200, r.body);
  return r.json().keys;
}

async function expirationOf(who: { authorization: string }, id: string): Promise<number> {
  const k = (await listed(who)).find((x) => x.id === id);
  assert.ok(k, `key ${id} is listed`);
  return Date.parse(k!.expiration as string);
}

/** The one 422 item of a response. */
function only422(r: { statusCode: number; body: string; json(): { detail: { type: string; loc: unknown[]; msg: string; input?: unknown }[] } }) {
  assert.is(r.statusCode, 422, r.body);
  const detail = r.json().detail;
  assert.is(detail.length, 1, r.body);
  assert.type(detail[0].type, 'string');
  assert.type(detail[0].msg, 'string');
  return detail[0];
}

test.before(async () => {
  h = await harness(PROGRAM, { logLevel: 'info' });
  alice = await h.login('alice@example.com');
  bob = await h.login('bob@example.com');
});

test.after(async () => {
  await h?.close();
});

test('POST /webhook/generate-key: 201 {id, name, key}, in the documented key format', async () => {
  const body = await create(alice, { name: 'first', walkers: ['hook'], nodes: ['root'], expiration: { count: 30, interval: 'days' } });
  assert.equal(Object.keys(body).sort(), ['id', 'key', 'name']);
  assert.is(body.name, 'first');
  assert.match(body.key, KEY_FORMAT);
  assert.ok(body.key.startsWith(`jacwh_${body.id}_`), 'the key names its (non-secret) id');
  const k = (await listed(alice)).find((x) => x.id === body.id)!;
  assert.equal(k.walkers, ['hook']);
  assert.equal(k.nodes, ['root']);
  assert.ok(Math.abs(Date.parse(k.expiration as string) - (Date.now() + 30 * DAY)) < 5_000);
});

test('generate-key applies the defaults: all walkers, all nodes, 60 days', async () => {
  const body = await create(alice, { name: 'defaults' });
  const k = (await listed(alice)).find((x) => x.id === body.id)!;
  assert.equal(k.walkers, []);
  assert.equal(k.nodes, []);
  assert.ok(Math.abs(Date.parse(k.expiration as string) - (Date.now() + 60 * DAY)) < 5_000);
  const partial = await create(alice, { name: 'partial', expiration: { count: 2 } });
  assert.ok(Math.abs((await expirationOf(alice, partial.id)) - (Date.now() + 2 * DAY)) < 5_000, 'interval defaults to days');
});

test('generate-key: accepts "root", node type names and node ids of the caller\'s graph', async () => {
  const made = await send({ method: 'POST', url: '/walker/make', headers: { authorization: alice.authorization } });
  assert.is(made.statusCode, 200, made.body);
  const itemId = made.json().reports[0].id as string;
  const body = await create(alice, { name: 'nodes', walkers: ['hook', 'query_hook'], nodes: ['root', 'Item', itemId] });
  const k = (await listed(alice)).find((x) => x.id === body.id)!;
  assert.equal(k.nodes, ['root', 'Item', itemId]);

  // The same node id is not bob's: 422.
  const r = await generate(bob, { name: 'not-mine', nodes: [itemId] });
  const item = only422(r);
  assert.equal(item.loc, ['body', 'nodes', 0]);
  assert.is(item.input, itemId);
});

test('generate-key 422: name empty or over 100 characters, missing, or holding a control character', async () => {
  assert.equal(only422(await generate(alice, { name: '' })).loc, ['body', 'name']);
  for (const name of ['a\u0000b', 'tab\there', 'new\nline']) {
    const problem = only422(await generate(alice, { name }));
    assert.equal([problem.loc, problem.msg], [['body', 'name'], 'Value error, a key name may not hold control characters (such as NUL, tab or newline)']);
  }
  assert.equal(only422(await generate(alice, { name: 'x'.repeat(101) })).loc, ['body', 'name']);
  await create(alice, { name: 'x'.repeat(100) });
  assert.equal(only422(await generate(alice, {})).loc, ['body', 'name']);
  assert.equal(only422(await generate(alice, { name: 5 })).loc, ['body', 'name']);
});

test('generate-key 422: unknown walkers and walkers that are not webhook walkers', async () => {
  const unknown = only422(await generate(alice, { name: 'w1', walkers: ['hook', 'hokk'] }));
  assert.equal(unknown.loc, ['body', 'walkers', 1]);
  assert.is(unknown.type, 'value_error');
  assert.is(unknown.input, 'hokk');
  assert.ok(unknown.msg.includes('hokk'), unknown.msg);

  const notWebhook = only422(await generate(alice, { name: 'w2', walkers: ['make'] }));
  assert.equal(notWebhook.loc, ['body', 'walkers', 0]);
  assert.ok(notWebhook.msg.includes('make'), notWebhook.msg);
  // Nothing was created for either.
  const names = (await listed(alice)).map((k) => k.name);
  assert.not.ok(names.includes('w1') || names.includes('w2'));
});

test('generate-key 422: unknown node type names, non-node types, node ids not in the graph', async () => {
  assert.equal(only422(await generate(alice, { name: 'n1', nodes: ['Nope'] })).loc, ['body', 'nodes', 0]);
  assert.equal(only422(await generate(alice, { name: 'n2', nodes: ['root', 'hook'] })).loc, ['body', 'nodes', 1]);
  assert.equal(only422(await generate(alice, { name: 'n3', nodes: ['n:Item:0123456789abcdef01234567'] })).loc, ['body', 'nodes', 0]);
  assert.equal(only422(await generate(alice, { name: 'n4', nodes: ['n:Item:zz'] })).loc, ['body', 'nodes', 0]);
  assert.equal(only422(await generate(alice, { name: 'n5', nodes: [5] })).loc, ['body', 'nodes', 0]);
});

test('generate-key 422: count 0, a bad interval, a lifetime over the maximum', async () => {
  assert.equal(only422(await generate(alice, { name: 'e1', expiration: { count: 0, interval: 'days' } })).loc, ['body', 'expiration', 'count']);
  assert.equal(only422(await generate(alice, { name: 'e2', expiration: { count: 1.5, interval: 'days' } })).loc, ['body', 'expiration', 'count']);
  assert.equal(only422(await generate(alice, { name: 'e3', expiration: { count: '5', interval: 'days' } })).loc, ['body', 'expiration', 'count']);
  assert.equal(only422(await generate(alice, { name: 'e4', expiration: { count: 5, interval: 'weeks' } })).loc, ['body', 'expiration', 'interval']);
  const tooLong = only422(await generate(alice, { name: 'e5', expiration: { count: 366, interval: 'days' } }));
  assert.equal(tooLong.loc, ['body', 'expiration']);
  assert.is(tooLong.type, 'value_error');
  assert.ok(tooLong.msg.includes('365'), tooLong.msg);
  assert.equal(only422(await generate(alice, { name: 'e6', expiration: { count: 1e300, interval: 'seconds' } })).loc, ['body', 'expiration']);
  assert.equal(only422(await generate(alice, { name: 'e7', expiration: { count: 8761, interval: 'hours' } })).loc, ['body', 'expiration']);
  // Exactly the maximum is allowed.
  await create(alice, { name: 'a-year', expiration: { count: 365, interval: 'days' } });
});

test('generate-key: a name is unique per owner (409), not across users', async () => {
  await create(alice, { name: 'shared-name' });
  const again = await generate(alice, { name: 'shared-name' });
  assert.is(again.statusCode, 409, again.body);
  assert.type(again.json().detail, 'string');
  await create(bob, { name: 'shared-name' });
  // Two at once with one name: one wins.
  const both = await Promise.all([generate(bob, { name: 'race' }), generate(bob, { name: 'race' })]);
  assert.equal(both.map((r) => r.statusCode).sort(), [201, 409]);
  minted.push({ key: both.find((r) => r.statusCode === 201)!.json().key, at: bodies.length });
});

test('GET /webhook lists only the caller\'s keys, with a preview and never the key or its hash', async () => {
  const mine = await create(bob, { name: 'bobs-key', walkers: ['query_hook'] });
  const r = await list(bob);
  assert.is(r.statusCode, 200);
  const keys = r.json().keys as Record<string, unknown>[];
  assert.equal(keys.map((k) => k.name).sort(), ['bobs-key', 'race', 'shared-name']);
  const k = keys.find((x) => x.id === mine.id)!;
  assert.equal(Object.keys(k).sort(), ['created_at', 'expiration', 'id', 'key_preview', 'last_used_at', 'name', 'nodes', 'root_id', 'walkers']);
  assert.is(`n::${k.root_id}`, bob.root);
  assert.equal(k.walkers, ['query_hook']);
  assert.equal(k.nodes, []);
  assert.match(k.expiration as string, ISO_Z);
  assert.match(k.created_at as string, ISO_Z);
  assert.is(k.last_used_at, null);
  assert.type(k.key_preview, 'string');
  assert.ok(mine.key.startsWith((k.key_preview as string).replace(/…$/, '')), 'the preview is a prefix of the key');
  assert.ok((k.key_preview as string).length < 30, 'the preview holds no secret');
  const secretHash = (await h.store.findKey(mine.id))!.secretHash;
  assert.not.ok(r.body.includes(mine.key), 'no key text');
  assert.not.ok(r.body.includes(secretHash), 'no secret hash');
  assert.not.ok(r.body.includes(mine.key.slice(24, 60)), 'no part of the secret');

  const alices = await listed(alice);
  assert.ok(alices.length > 0);
  assert.not.ok(alices.some((x) => `n::${x.root_id}` !== alice.root || x.id === mine.id), "alice sees none of bob's keys");
});

test('a used key shows last_used_at; a deleted key stops working at once', async () => {
  const body = await create(bob, { name: 'in-use', walkers: ['hook'] });
  const call = () => send({ method: 'POST', url: '/webhook/walker/hook', headers: { 'x-api-key': body.key } });
  const ok = await call();
  assert.is(ok.statusCode, 200, ok.body);
  const k = (await listed(bob)).find((x) => x.id === body.id)!;
  assert.match(k.last_used_at as string, ISO_Z);
  assert.is((await remove(bob, [body.id])).statusCode, 200);
  assert.is((await call()).statusCode, 401);
});

test('PATCH /webhook/extend: an expired key is extended from now', async () => {
  const body = await create(alice, { name: 'short', expiration: { count: 1, interval: 'seconds' } });
  await new Promise((resolve) => setTimeout(resolve, 1_100));
  const r = await extend(alice, body.id, { count: 1, interval: 'hours' });
  assert.is(r.statusCode, 200, r.body);
  assert.equal(r.json(), { message: 'Successfully Extended!' });
  const expiration = await expirationOf(alice, body.id);
  assert.ok(Math.abs(expiration - (Date.now() + HOUR)) < 5_000, `expires ${new Date(expiration).toISOString()}`);
  // And it works again.
  assert.is((await send({ method: 'POST', url: '/webhook/walker/hook', headers: { 'x-api-key': body.key } })).statusCode, 200);
});

test('PATCH /webhook/extend: a live key is extended from its expiration', async () => {
  const body = await create(alice, { name: 'live', expiration: { count: 1, interval: 'days' } });
  const before = await expirationOf(alice, body.id);
  assert.is((await extend(alice, body.id, { count: 1, interval: 'hours' })).statusCode, 200);
  assert.is(await expirationOf(alice, body.id), before + HOUR);
  assert.is((await extend(alice, body.id, { count: 30, interval: 'minutes' })).statusCode, 200);
  assert.is(await expirationOf(alice, body.id), before + HOUR + 30 * 60_000);
});

test('PATCH /webhook/extend 422: bad count or interval, a lifetime over the maximum from now', async () => {
  const body = await create(alice, { name: 'long', expiration: { count: 300, interval: 'days' } });
  const before = await expirationOf(alice, body.id);
  assert.equal(only422(await extend(alice, body.id, { count: 0, interval: 'days' })).loc, ['body', 'count']);
  assert.equal(only422(await extend(alice, body.id, { count: 1, interval: 'years' })).loc, ['body', 'interval']);
  assert.equal(only422(await extend(alice, body.id, { interval: 'days' })).loc, ['body', 'count']);
  // 100 days from now would be fine, but it counts from the current expiration: 400 days away.
  const tooLong = only422(await extend(alice, body.id, { count: 100, interval: 'days' }));
  assert.is(tooLong.type, 'value_error');
  assert.is(await expirationOf(alice, body.id), before, 'nothing changed');
  assert.is((await extend(alice, body.id, { count: 60, interval: 'days' })).statusCode, 200);
});

test('PATCH /webhook/extend 404: unknown id, or another user\'s key (which stays as it was)', async () => {
  const r = await extend(alice, '0123456789abcdef', { count: 1, interval: 'days' });
  assert.is(r.statusCode, 404);
  assert.equal(r.json(), { detail: 'Key not found' });
  const bobs = await create(bob, { name: 'bob-extend' });
  const before = await expirationOf(bob, bobs.id);
  const foreign = await extend(alice, bobs.id, { count: 1, interval: 'days' });
  assert.is(foreign.statusCode, 404);
  assert.equal(foreign.json(), { detail: 'Key not found' });
  assert.is(await expirationOf(bob, bobs.id), before);
});

test('DELETE /webhook/delete: deletes the caller\'s keys', async () => {
  const a = await create(alice, { name: 'del-a' });
  const b = await create(alice, { name: 'del-b' });
  const r = await remove(alice, [a.id, b.id]);
  assert.is(r.statusCode, 200, r.body);
  assert.equal(r.json(), { message: 'Successfully Deleted!' });
  const ids = (await listed(alice)).map((k) => k.id);
  assert.not.ok(ids.includes(a.id) || ids.includes(b.id));
  // The name is free again.
  await create(alice, { name: 'del-a' });
});

test('DELETE /webhook/delete is all or nothing: one unknown or foreign id → 404, nothing deleted', async () => {
  const good = await create(alice, { name: 'keep-me' });
  const unknown = await remove(alice, [good.id, 'ffffffffffffffff']);
  assert.is(unknown.statusCode, 404);
  assert.equal(unknown.json(), { detail: 'Key not found' });
  assert.ok((await listed(alice)).some((k) => k.id === good.id), 'the good key is still listed');

  const bobs = await create(bob, { name: 'bob-delete' });
  const foreign = await remove(alice, [good.id, bobs.id]);
  assert.is(foreign.statusCode, 404);
  assert.equal(foreign.json(), { detail: 'Key not found' });
  assert.ok((await listed(alice)).some((k) => k.id === good.id));
  assert.ok((await listed(bob)).some((k) => k.id === bobs.id), "bob's key is untouched");
});

test('DELETE /webhook/delete 422: no ids, or not a list of strings', async () => {
  assert.equal(only422(await remove(alice, [])).loc, ['body', 'ids']);
  assert.equal(only422(await remove(alice, 'abc')).loc, ['body', 'ids']);
  assert.equal(only422(await remove(alice, [1])).loc, ['body', 'ids', 0]);
});

test('every route needs a bearer token: 401 without one (before any body check), 401 for a bad one', async () => {
  const routes: InjectOptions[] = [
    { method: 'POST', url: '/webhook/generate-key', payload: { name: 'x' } },
    { method: 'GET', url: '/webhook' },
    { method: 'PATCH', url: '/webhook/extend/0123456789abcdef', payload: { count: 1, interval: 'days' } },
    { method: 'DELETE', url: '/webhook/delete', payload: { ids: ['0123456789abcdef'] } },
  ];
  for (const route of routes) {
    const none = await send(route);
    assert.is(none.statusCode, 401, `${route.method} ${route.url}`);
    assert.equal(none.json(), { detail: 'Not authenticated' });
    const bad = await send({ ...route, headers: { authorization: 'Bearer not-a-token' } });
    assert.is(bad.statusCode, 401);
    assert.equal(bad.json(), { detail: 'Unauthorized' });
    // A webhook key is not a bearer token.
    const key = minted.find((m) => KEY_FORMAT.test(m.key))!.key;
    assert.is((await send({ ...route, headers: { authorization: `Bearer ${key}` } })).statusCode, 401);
  }
  const badBody = await send({ method: 'POST', url: '/webhook/generate-key', payload: { name: '' } });
  assert.is(badBody.statusCode, 401, 'no token beats a bad body');
});

test('the OpenAPI document lists the key routes under "Webhook APIs" with bearer auth', async () => {
  const doc = (await send({ method: 'GET', url: '/openapi.json' })).json();
  const ops = [doc.paths['/webhook/generate-key'].post, doc.paths['/webhook'].get, doc.paths['/webhook/extend/{id}'].patch, doc.paths['/webhook/delete'].delete];
  for (const op of ops) {
    assert.equal(op.tags, ['Webhook APIs']);
    assert.equal(op.security, [{ bearerAuth: [] }]);
  }
});

test('no key text appears in any response after the one that created it, nor in the log', async () => {
  const keys = minted.filter((m) => KEY_FORMAT.test(m.key));
  assert.ok(keys.length > 10);
  for (const { key, at } of keys) {
    const later = bodies.slice(at).findIndex((b) => b.includes(key));
    assert.is(later, -1, `key shown again in response ${at + later}`);
  }
  // Not even where a key was sent (as a webhook key, or wrongly as a bearer token).
  for (const { key } of keys) assert.not.ok(h.log.some((line) => line.includes(key)), 'a key in the log');
});

test('generate-key: a user holds at most --max-keys-per-user keys (422 past it, counted per user, room again after a delete); signing keys count', async () => {
  const signed = 'walker gh_push {\n    obj __specs__ { static has webhook: dict = {"type": "signature", "scheme": "github"}; }\n    can go with `root entry { report 1; }\n}\n';
  const small = await harness(PROGRAM + signed, { logLevel: 'silent', maxKeysPerUser: 3 });
  try {
    const carol = await small.login('carol@example.com');
    const dave = await small.login('dave@example.com');
    const make = (who: { authorization: string }, payload: object) => small.app.inject({ method: 'POST', url: '/webhook/generate-key', headers: { authorization: who.authorization }, payload });
    const ids: string[] = [];
    for (const payload of [{ name: 'k1' }, { name: 'k2' }, { name: 'gh', walkers: ['gh_push'], signing: { scheme: 'github' } }]) {
      const r = await make(carol, payload);
      assert.is(r.statusCode, 201, r.body);
      ids.push(r.json().id);
    }
    const full = await make(carol, { name: 'k4' });
    const item = only422(full);
    assert.equal(item.loc, ['body']);
    assert.is(item.msg, 'Value error, you hold 3 keys, the most one user may (3): delete one before creating another');
    assert.is((await make(carol, { name: 'k1' })).statusCode, 409, 'a name taken is still told as such');
    // Several at once cannot pass the limit together.
    const burst = await Promise.all([make(dave, { name: 'a' }), make(dave, { name: 'b' }), make(dave, { name: 'c' }), make(dave, { name: 'd' }), make(dave, { name: 'e' })]);
    assert.equal(burst.map((r) => r.statusCode).sort(), [201, 201, 201, 422, 422]);
    const del = await small.app.inject({ method: 'DELETE', url: '/webhook/delete', headers: { authorization: carol.authorization }, payload: { ids: [ids[0]] } });
    assert.is(del.statusCode, 200, del.body);
    assert.is((await make(carol, { name: 'k4' })).statusCode, 201, 'room again');
    const doc = (await small.app.inject({ method: 'GET', url: '/openapi.json' })).json();
    assert.match(doc.paths['/webhook/generate-key'].post.responses['422'].description, /--max-keys-per-user/);
  } finally {
    await small.close();
  }
});

test('keys survive reopening the data dir; deleted keys stay deleted', async () => {
  const kept = await create(alice, { name: 'survivor', walkers: ['hook'], nodes: ['root'] });
  const gone = await create(alice, { name: 'doomed' });
  assert.is((await remove(alice, [gone.id])).statusCode, 200);
  const before = (await listed(alice)).find((k) => k.id === kept.id);
  await h.close();

  h = await harness(PROGRAM, { logLevel: 'info' }, h.dataDir);
  alice = await h.login('alice@example.com');
  const after = await listed(alice);
  assert.equal(after.find((k) => k.id === kept.id), before);
  assert.not.ok(after.some((k) => k.id === gone.id || k.name === 'doomed'));
  assert.is((await send({ method: 'POST', url: '/webhook/walker/hook', headers: { 'x-api-key': kept.key } })).statusCode, 200);
  assert.is((await send({ method: 'POST', url: '/webhook/walker/hook', headers: { 'x-api-key': gone.key } })).statusCode, 401);
  assert.is((await generate(alice, { name: 'survivor' })).statusCode, 409, 'the name is still taken');
});

test.run();
