// Webhook walkers, black-box through inject(): the four key placements, 401/403 rules,
// restrictions by walker, node type and node id, last_used_at, the failure rate limit, and
// that no key ever reaches the log.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { LowStore } from '../../runtime/store/lowdb-store.ts';
import { harness, type Harness } from './harness.ts';

const PROGRAM = `
node Repo { has name: str; }
node Event { has kind: str; }

walker seed {
    can go with \`root entry { report (here ++> Repo(name="app"))[0]; }
}

walker on_push {
    has ref: str = "main";
    obj __specs__ { static has webhook: dict = {"type": "header"}; }
    can at_root with \`root entry { here ++> Event(kind="push " + self.ref); report len([-->](\`?Event)); }
    can at_repo with Repo entry { report "repo " + here.name; }
}

walker on_query {
    obj __specs__ { static has webhook: dict = {"type": "query", "name": "api_key"}, methods: list = ["get"]; }
    can go with \`root entry { report "query"; }
}

walker on_path {
    obj __specs__ { static has webhook: dict = {"type": "path", "name": "key"}, path: str = "/{key}"; }
    can go with \`root entry { report "path"; }
}

walker on_body {
    has amount: int;
    obj __specs__ { static has webhook: dict = {"type": "body", "name": "token"}; }
    can go with \`root entry { report ["body", self.amount]; }
}
`;

let h: Harness;
let alice: { authorization: string; root: string };

async function generate(body: object, who = alice): Promise<{ id: string; key: string }> {
  const r = await h.app.inject({ method: 'POST', url: '/webhook/generate-key', payload: body, headers: { authorization: who.authorization } });
  assert.is(r.statusCode, 201, r.body);
  return r.json();
}

test.before(async () => {
  h = await harness(PROGRAM, { maxKeyFailures: 1_000 });
  alice = await h.login();
});
test.after(async () => h.close());

test('a key in each placement runs the walker on the key owner root; the key is not a walker field', async () => {
  const { key } = await generate({ name: 'all' });
  const header = await h.app.inject({ method: 'POST', url: '/webhook/walker/on_push', payload: { ref: 'dev' }, headers: { 'X-Api-Key': key } });
  assert.equal([header.statusCode, header.json()], [200, { status: 200, reports: [1] }]);
  const query = await h.app.inject({ method: 'GET', url: `/webhook/walker/on_query?api_key=${encodeURIComponent(key)}` });
  assert.equal(query.json(), { status: 200, reports: ['query'] });
  const path = await h.app.inject({ method: 'POST', url: `/webhook/walker/on_path/${encodeURIComponent(key)}` });
  assert.equal(path.json(), { status: 200, reports: ['path'] });
  const body = await h.app.inject({ method: 'POST', url: '/webhook/walker/on_body', payload: { token: key, amount: 5 } });
  assert.equal(body.json(), { status: 200, reports: [['body', 5]] });
  // The owner's own graph holds what the webhook wrote.
  const again = await h.app.inject({ method: 'POST', url: '/webhook/walker/on_push', headers: { 'x-api-key': key } });
  assert.equal(again.json().reports, [2]);
});

test('webhook walkers are served only under /webhook/walker, and a bearer token is not a key', async () => {
  assert.is((await h.app.inject({ method: 'POST', url: '/walker/on_push', headers: { authorization: alice.authorization } })).statusCode, 404);
  const bearer = await h.app.inject({ method: 'POST', url: '/webhook/walker/on_push', headers: { 'x-api-key': alice.authorization.slice(7) } });
  assert.equal([bearer.statusCode, bearer.json()], [401, { detail: 'Unauthorized' }]);
});

test('no key is 401 Not authenticated; a malformed, wrong, expired or deleted key is 401 Unauthorized', async () => {
  const none = await h.app.inject({ method: 'POST', url: '/webhook/walker/on_push' });
  assert.equal([none.statusCode, none.json()], [401, { detail: 'Not authenticated' }]);
  const noBodyKey = await h.app.inject({ method: 'POST', url: '/webhook/walker/on_body', payload: { amount: 1 } });
  assert.equal([noBodyKey.statusCode, noBodyKey.json()], [401, { detail: 'Not authenticated' }]);
  const { key, id } = await generate({ name: 'short', expiration: { count: 1, interval: 'seconds' } });
  const flipped = key.slice(0, 30) + (key[30] === 'a' ? 'b' : 'a') + key.slice(31);
  for (const bad of ['nonsense', flipped, key.replace(/_[A-Za-z0-9_-]{43}/, '_' + 'A'.repeat(43))]) {
    const r = await h.app.inject({ method: 'POST', url: '/webhook/walker/on_push', headers: { 'x-api-key': bad } });
    assert.equal([r.statusCode, r.json()], [401, { detail: 'Unauthorized' }], bad);
  }
  await new Promise((r) => setTimeout(r, 1_100));
  const expired = await h.app.inject({ method: 'POST', url: '/webhook/walker/on_push', headers: { 'x-api-key': key } });
  assert.equal([expired.statusCode, expired.json()], [401, { detail: 'Unauthorized' }]);
  const live = await generate({ name: 'to delete' });
  assert.is((await h.app.inject({ method: 'POST', url: '/webhook/walker/on_push', headers: { 'x-api-key': live.key } })).statusCode, 200);
  await h.app.inject({ method: 'DELETE', url: '/webhook/delete', payload: { ids: [live.id, id] }, headers: { authorization: alice.authorization } });
  const deleted = await h.app.inject({ method: 'POST', url: '/webhook/walker/on_push', headers: { 'x-api-key': live.key } });
  assert.equal([deleted.statusCode, deleted.json()], [401, { detail: 'Unauthorized' }]);
});

test('a key may be limited to walkers, to node types, to node ids: anything else is 403 Forbidden', async () => {
  const repo = (await h.app.inject({ method: 'POST', url: '/walker/seed', headers: { authorization: alice.authorization } })).json().reports[0];
  const onlyQuery = await generate({ name: 'only query', walkers: ['on_query'] });
  const forbidden = await h.app.inject({ method: 'POST', url: '/webhook/walker/on_push', headers: { 'x-api-key': onlyQuery.key } });
  assert.equal([forbidden.statusCode, forbidden.json()], [403, { detail: 'Forbidden' }]);
  const repos = await generate({ name: 'repos only', nodes: ['Repo'] });
  assert.is((await h.app.inject({ method: 'POST', url: '/webhook/walker/on_push', headers: { 'x-api-key': repos.key } })).statusCode, 403, 'the root is not a Repo');
  const onRepo = await h.app.inject({ method: 'POST', url: `/webhook/walker/on_push/${repo.id}`, headers: { 'x-api-key': repos.key } });
  assert.equal(onRepo.json().reports, ['repo app']);
  const byId = await generate({ name: 'that repo', nodes: [repo.id] });
  assert.is((await h.app.inject({ method: 'POST', url: `/webhook/walker/on_push/${repo.id}`, headers: { 'x-api-key': byId.key } })).statusCode, 200);
  const rootOnly = await generate({ name: 'root only', nodes: ['root'] });
  assert.is((await h.app.inject({ method: 'POST', url: `/webhook/walker/on_push/${repo.id}`, headers: { 'x-api-key': rootOnly.key } })).statusCode, 403);
  assert.is((await h.app.inject({ method: 'POST', url: '/webhook/walker/on_push', headers: { 'x-api-key': rootOnly.key } })).statusCode, 200);
  const bob = await h.login('bob@example.com');
  const bobs = await generate({ name: 'bob' }, bob);
  const foreign = await h.app.inject({ method: 'POST', url: `/webhook/walker/on_push/${repo.id}`, headers: { 'x-api-key': bobs.key } });
  assert.equal([foreign.statusCode, foreign.json()], [404, { detail: 'Node not found' }], "another user's key does not reach alice's nodes");
});

test('last_used_at is null until the key is used, then set (without a disk write per request)', async () => {
  const { id, key } = await generate({ name: 'usage' });
  const listed = async () => (await h.app.inject({ method: 'GET', url: '/webhook', headers: { authorization: alice.authorization } })).json().keys.find((k: { id: string }) => k.id === id);
  assert.is((await listed()).last_used_at, null);
  const before = (h.store as LowStore).writes; // a data dir's harness
  for (let i = 0; i < 5; i++) await h.app.inject({ method: 'POST', url: '/webhook/walker/on_query'.replace('on_query', 'on_push'), headers: { 'x-api-key': key } });
  assert.match((await listed()).last_used_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  // Five calls that each add an Event commit the graph, but write no key record.
  assert.is((h.store as LowStore).writes - before, 0, 'the graph commits happen in the run worker; no key record is written');
});

test('failed key attempts are rate limited per client (429 with Retry-After), then even its correct key gets 429; other clients are not limited', async () => {
  const main = h;
  h = await harness(PROGRAM, { maxKeyFailures: 5 });
  alice = await h.login();
  const { key } = await generate({ name: 'good' });
  const statuses: number[] = [];
  let retryAfter: string | undefined;
  for (let i = 0; i < 8; i++) {
    const r = await h.app.inject({ method: 'POST', url: '/webhook/walker/on_push', headers: { 'x-api-key': 'wrong' }, remoteAddress: '10.0.0.9' });
    statuses.push(r.statusCode);
    if (r.statusCode === 429) {
      retryAfter = r.headers['retry-after'] as string;
      assert.ok(r.json().detail);
    }
  }
  assert.equal(statuses.slice(0, 5), [401, 401, 401, 401, 401]);
  assert.ok(statuses.slice(5).every((s) => s === 429), statuses.join(','));
  assert.ok(Number(retryAfter) > 0);
  // The limited client cannot tell a right guess from a wrong one until its window ends.
  const sameClientGoodKey = await h.app.inject({ method: 'POST', url: '/webhook/walker/on_push', headers: { 'x-api-key': key }, remoteAddress: '10.0.0.9' });
  assert.is(sameClientGoodKey.statusCode, 429);
  assert.ok(Number(sameClientGoodKey.headers['retry-after']) > 0);
  const otherClient = await h.app.inject({ method: 'POST', url: '/webhook/walker/on_push', headers: { 'x-api-key': 'wrong' }, remoteAddress: '10.0.0.10' });
  assert.is(otherClient.statusCode, 401);
  const otherClientGoodKey = await h.app.inject({ method: 'POST', url: '/webhook/walker/on_push', headers: { 'x-api-key': key }, remoteAddress: '10.0.0.11' });
  assert.is(otherClientGoodKey.statusCode, 200);
  // Requests with a good key were never counted: many of them leave the client unlimited.
  for (let i = 0; i < 8; i++) assert.is((await h.app.inject({ method: 'POST', url: '/webhook/walker/on_push', headers: { 'x-api-key': key }, remoteAddress: '10.0.0.12' })).statusCode, 200);
  await h.close();
  h = main;
  alice = await h.login();
});

test('no key reaches the log, in any placement, whatever the outcome', async () => {
  const { key } = await generate({ name: 'secret-check' });
  h.log.length = 0;
  await h.app.inject({ method: 'POST', url: '/webhook/walker/on_push', headers: { 'x-api-key': key } });
  await h.app.inject({ method: 'GET', url: `/webhook/walker/on_query?api_key=${encodeURIComponent(key)}` });
  await h.app.inject({ method: 'POST', url: `/webhook/walker/on_path/${encodeURIComponent(key)}` });
  await h.app.inject({ method: 'POST', url: '/webhook/walker/on_body', payload: { token: key, amount: 'not an int' } });
  await h.app.inject({ method: 'POST', url: `/webhook/walker/nope/${encodeURIComponent(key)}` });
  assert.ok(h.log.length >= 5);
  const secret = key.slice('jacwh_'.length + 17); // after the key id: the secret may hold '_' itself
  assert.not.ok(h.log.join('\n').includes(secret.slice(0, 20)), 'the secret part is never logged');
});

test('OpenAPI documents each placement: apiKey schemes for header and query, a parameter or property otherwise', async () => {
  const spec = (await h.app.inject({ method: 'GET', url: '/openapi.json' })).json();
  assert.equal(spec.components.securitySchemes['webhook_header_X-API-KEY'], { type: 'apiKey', in: 'header', name: 'X-API-KEY' });
  assert.equal(spec.components.securitySchemes.webhook_query_api_key, { type: 'apiKey', in: 'query', name: 'api_key' });
  assert.equal(spec.paths['/webhook/walker/on_push'].post.security, [{ 'webhook_header_X-API-KEY': [] }]);
  assert.ok(spec.paths['/webhook/walker/on_path/{key}'].post.parameters.some((p: { name: string }) => p.name === 'key'), "the path variable has the walker's own name, as the route printed at start-up");
  assert.equal(Object.keys(spec.paths['/webhook/walker/on_path/{key}'].post.responses).sort(), ['401', '403', '429', '500', '503'], "a webhook route's error answers");
  const bodySchema = spec.paths['/webhook/walker/on_body'].post.requestBody.content['application/json'].schema;
  assert.ok(bodySchema.required.includes('token'), 'a key placed in the body is documented as required');
  const noKey = await h.app.inject({ method: 'POST', url: '/webhook/walker/on_body', payload: { amount: 5 } });
  assert.equal([noKey.statusCode, noKey.json()], [401, { detail: 'Not authenticated' }], 'yet a missing one is still a 401, not a 422');
  assert.ok(spec.paths['/webhook/walker/on_body'].post.requestBody.content['application/json'].schema.properties.token);
});

test.run();
