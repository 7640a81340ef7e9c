// The walker endpoints, black-box through inject(): every row of http-api.md §2-§5 that a
// request can show, on the real loader, store and Fastify app.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { storedRoot } from '../helpers/stored.ts';
import { harness, type Harness } from './harness.ts';
import { PROGRAM } from './todo-program.ts';

let h: Harness;
let alice: { authorization: string; root: string };

test.before(async () => {
  h = await harness(PROGRAM, { maxMillis: 1_000 });
  alice = await h.login();
});
test.after(async () => h.close());

const post = (url: string, payload?: unknown, headers: Record<string, string> = alice ? { authorization: alice.authorization } : {}) =>
  h.app.inject({ method: 'POST', url, payload: payload as object, headers });

test('a walker runs on the caller root; the envelope holds status and reports with {id, context}', async () => {
  const r = await post('/walker/add_task', { title: 'write tests', priority: 'high', meta: { note: 'n', score: 2 }, extra: 'ignored' });
  assert.is(r.statusCode, 200);
  const body = r.json();
  assert.is(body.status, 200);
  assert.equal(Object.keys(body), ['status', 'reports']);
  const [task] = body.reports;
  assert.match(task.id, /^n:Task:[0-9a-f]{24}$/);
  assert.equal(task.context, { title: 'write tests', done: false, priority: 'HIGH', meta: { note: 'n', score: 2 } });
});

test('reports are left out when the walker reported nothing; returns only when asked for', async () => {
  const r = await post('/walker/kinds', { a: 1 });
  assert.equal(Object.keys(r.json()), ['status', 'reports']);
  const withReturns = await harness(PROGRAM, { showReturns: true });
  const { authorization } = await withReturns.login();
  const body = (await withReturns.app.inject({ method: 'POST', url: '/walker/kinds', payload: { a: 7 }, headers: { authorization } })).json();
  assert.equal(body.returns, [7]);
  await withReturns.close();
});

test('field types: ints, floats, dicts, nested lists and optional values arrive as Jac values', async () => {
  const r = await post('/walker/kinds', { a: 3, b: 2, c: { x: 1 }, d: [[1, 2], []], e: null });
  assert.equal(r.json().reports, [[3, 2, { x: 1 }, [[1, 2], []], null]]);
});

test('a missing or mistyped field is a 422 in the FastAPI detail shape', async () => {
  const missing = await post('/walker/kinds', {});
  assert.is(missing.statusCode, 422);
  assert.equal(missing.json().detail[0].loc, ['body', 'a']);
  assert.is(missing.json().detail[0].type, 'missing');
  assert.is(missing.json().detail[0].msg, 'Field required');
  const wrong = await post('/walker/kinds', { a: 'three', d: [['x']] });
  assert.is(wrong.statusCode, 422);
  const locs = wrong.json().detail.map((d: { loc: unknown[] }) => d.loc);
  assert.ok(locs.some((l: unknown[]) => JSON.stringify(l) === '["body","a"]'), JSON.stringify(locs));
  assert.ok(locs.some((l: unknown[]) => JSON.stringify(l) === '["body","d",0,0]'), JSON.stringify(locs));
  const badEnum = await post('/walker/add_task', { title: 't', priority: 'urgent' });
  assert.is(badEnum.statusCode, 422);
  assert.equal(badEnum.json().detail[0].loc, ['body', 'priority']);
  const noBody = await h.app.inject({ method: 'POST', url: '/walker/kinds', headers: { authorization: alice.authorization } });
  assert.is(noBody.statusCode, 422);
  assert.equal(noBody.json().detail[0].loc, ['body']);
});

test('as_query fields come from the query string (coerced); methods choose the verbs', async () => {
  await post('/walker/add_task', { title: 'a' });
  const r = await h.app.inject({ method: 'GET', url: '/walker/list_tasks?limit=1', headers: { authorization: alice.authorization } });
  assert.is(r.statusCode, 200);
  assert.is(r.json().reports[0].length, 1);
  assert.is((await post('/walker/list_tasks')).statusCode, 404, 'only GET');
  const bad = await h.app.inject({ method: 'GET', url: '/walker/list_tasks?limit=many', headers: { authorization: alice.authorization } });
  assert.is(bad.statusCode, 422);
  assert.equal(bad.json().detail[0].loc, ['query', 'limit']);
});

test('path variables fill the fields of their names', async () => {
  await post('/walker/add_task', { title: 'pathy' });
  const r = await h.app.inject({ method: 'GET', url: '/walker/by_title/by/pathy', headers: { authorization: alice.authorization } });
  assert.equal(r.json().reports, [['pathy']]);
});

test('entry_type NODE: the walker starts at a node of the caller; a malformed, unknown or foreign node is 404', async () => {
  const task = (await post('/walker/add_task', { title: 'finish' })).json().reports[0];
  const r = await h.app.inject({ method: 'PATCH', url: `/walker/complete/${task.id}`, headers: { authorization: alice.authorization } });
  assert.is(r.statusCode, 200);
  assert.equal(r.json().reports[0], { id: task.id, context: { ...task.context, done: true } });
  assert.is((await post('/walker/complete')).statusCode, 404, 'no root route for a NODE walker');
  // Another root id: alice's with its last digit changed (to one it is not).
  const otherRoot = alice.root.replace(/.$/, (c: string) => (c === '0' ? '1' : '0'));
  for (const id of ['nonsense', 'n:Task:000000000000000000000000', otherRoot]) {
    const nf = await post(`/walker/complete/${id}`);
    assert.is(nf.statusCode, 404);
    assert.equal(nf.json(), { detail: 'Node not found' });
  }
  const bob = await h.login('bob@example.com');
  const foreign = await h.app.inject({ method: 'POST', url: `/walker/complete/${task.id}`, headers: { authorization: bob.authorization } });
  assert.is(foreign.statusCode, 404);
  assert.equal(foreign.json(), { detail: 'Node not found' });
});

test('auth: a token is required (401), and auth False runs on the public root without one', async () => {
  const none = await h.app.inject({ method: 'POST', url: '/walker/kinds', payload: { a: 1 } });
  assert.is(none.statusCode, 401);
  assert.equal(none.json(), { detail: 'Not authenticated' });
  const bad = await h.app.inject({ method: 'POST', url: '/walker/kinds', payload: { a: 1 }, headers: { authorization: 'Bearer nope' } });
  assert.equal([bad.statusCode, bad.json()], [401, { detail: 'Unauthorized' }]);
  const first = await h.app.inject({ method: 'POST', url: '/walker/public_hello?name=jac&secret=leak' });
  assert.is(first.statusCode, 200);
  assert.equal(first.json().reports, ['hello jac kept 1'], 'excluded fields keep their defaults');
  const second = await h.app.inject({ method: 'POST', url: '/walker/public_hello', headers: { authorization: alice.authorization } });
  assert.equal(second.json().reports, ['hello world kept 2'], 'the public root is shared, a token is ignored');
});

test('private walkers have no route; unknown paths are 404 Not Found', async () => {
  assert.equal((await post('/walker/hidden')).json(), { detail: 'Not Found' });
  assert.is((await post('/walker/nope')).statusCode, 404);
});

test('a URL the router cannot take is answered in the detail shape, without repeating the URL', async () => {
  const badEscape = await h.app.inject({ method: 'PATCH', url: '/walker/complete/%ZZsecret', headers: { authorization: alice.authorization } });
  assert.equal([badEscape.statusCode, badEscape.json()], [400, { detail: 'The URL is not valid: a % in it does not start an escape' }]);
  const long = await h.app.inject({ method: 'PATCH', url: `/walker/complete/${'n'.repeat(500)}?secret=leak`, headers: { authorization: alice.authorization } });
  assert.equal([long.statusCode, long.json()], [414, { detail: 'A part of the URL path is too long' }]);
});

test("two users' graphs are apart", async () => {
  const carol = await h.login('carol@example.com');
  await h.app.inject({ method: 'POST', url: '/walker/add_task', payload: { title: 'carol only' }, headers: { authorization: carol.authorization } });
  const mine = await h.app.inject({ method: 'GET', url: '/walker/list_tasks', headers: { authorization: alice.authorization } });
  assert.not.ok(mine.json().reports[0].includes('carol only'));
  const hers = await h.app.inject({ method: 'GET', url: '/walker/list_tasks', headers: { authorization: carol.authorization } });
  assert.equal(hers.json().reports[0], ['carol only']);
});

test('50 parallel increments of one counter end at exactly 50, and the file on disk says so', async () => {
  const dave = await h.login('dave@example.com');
  const results = await Promise.all(Array.from({ length: 50 }, () => h.app.inject({ method: 'POST', url: '/walker/bump', headers: { authorization: dave.authorization } })));
  assert.ok(results.every((r) => r.statusCode === 200));
  assert.equal(results.map((r) => r.json().reports[0]).sort((a, b) => a - b), Array.from({ length: 50 }, (_, i) => i + 1));
  const file = await storedRoot(h.dataDir, dave.root);
  assert.match(file, /"n":50[,}]/);
});

test('a walker that raises answers 500 with an error id; the log has the Jac position, the client no trace', async () => {
  const r = await post('/walker/boom');
  assert.is(r.statusCode, 500);
  const body = r.json();
  assert.equal(Object.keys(body), ['detail', 'error_id']);
  assert.is(body.detail, 'Internal Server Error');
  const line = h.log.find((l) => l.includes(body.error_id));
  assert.ok(line, 'logged with its id');
  assert.match(line!, /app\.jac:\d+:\d+: IndexError: list index out of range/);
  assert.not.match(r.body, /IndexError|at |\.ts/);
});

test('a walker past its budget is stopped with a 500 and the server stays responsive', async () => {
  const r = await post('/walker/forever');
  assert.is(r.statusCode, 500);
  assert.ok(h.log.some((l) => l.includes(r.json().error_id) && l.includes('budget exhausted')));
  assert.is((await h.app.inject({ method: 'GET', url: '/healthz' })).statusCode, 200);
});

test('bad input never crashes: malformed JSON, wrong content type, huge numbers, deep nesting, unicode', async () => {
  const malformed = await h.app.inject({ method: 'POST', url: '/walker/kinds', payload: '{"a": 1', headers: { authorization: alice.authorization, 'content-type': 'application/json' } });
  assert.is(malformed.statusCode, 422);
  assert.is(malformed.json().detail[0].type, 'json_invalid');
  const text = await h.app.inject({ method: 'POST', url: '/walker/kinds', payload: 'a=1', headers: { authorization: alice.authorization, 'content-type': 'text/plain' } });
  assert.ok(text.statusCode >= 400 && text.statusCode < 500, String(text.statusCode));
  assert.ok(typeof text.json().detail !== 'undefined');
  const huge = await h.app.inject({ method: 'POST', url: '/walker/kinds', payload: '{"a": 1e400}', headers: { authorization: alice.authorization, 'content-type': 'application/json' } });
  assert.is(huge.statusCode, 422);
  const nullInt = await post('/walker/kinds', { a: null });
  assert.equal([nullInt.statusCode, nullInt.json().detail[0].loc], [422, ['body', 'a']]);
  const big = await h.app.inject({ method: 'POST', url: '/walker/kinds', payload: '{"a": 123456789012345678901234567890}', headers: { authorization: alice.authorization, 'content-type': 'application/json' } });
  assert.ok([200, 422].includes(big.statusCode), String(big.statusCode));
  const deep = await h.app.inject({ method: 'POST', url: '/walker/kinds', payload: `{"a": 1, "c": ${'['.repeat(100_000)}${']'.repeat(100_000)}}`, headers: { authorization: alice.authorization, 'content-type': 'application/json' } });
  assert.ok(deep.statusCode === 422 || deep.statusCode === 413, String(deep.statusCode));
  const tooBig = await post('/walker/add_task', { title: 'x'.repeat(2 * 1024 * 1024) });
  assert.is(tooBig.statusCode, 413);
  assert.ok(tooBig.json().detail);
  const uni = await post('/walker/add_task', { title: 'caf\u00e9 \u{1F600} \u0000' });
  assert.is(uni.json().reports[0].context.title, 'caf\u00e9 \u{1F600} \u0000');
  assert.is((await h.app.inject({ method: 'GET', url: '/healthz' })).statusCode, 200);
});

test('the graph outlives the app: a new app on the same data dir sees it', async () => {
  await h.close();
  const reopened = await harness(PROGRAM, {}, h.dataDir);
  const { authorization } = await reopened.login();
  const r = await reopened.app.inject({ method: 'GET', url: '/walker/list_tasks', headers: { authorization } });
  assert.ok(r.json().reports[0].includes('write tests'));
  h = reopened;
});

test('OpenAPI: /openapi.json has an operation per walker route with its schema and security; /docs serves', async () => {
  const spec = (await h.app.inject({ method: 'GET', url: '/openapi.json' })).json();
  assert.ok(spec.openapi.startsWith('3.'));
  const op = spec.paths['/walker/add_task'].post;
  assert.equal(op.security, [{ bearerAuth: [] }]);
  assert.ok(op.requestBody.content['application/json'].schema.properties.title);
  assert.ok(spec.paths['/walker/complete/{node}'].patch);
  // Each route documents the error answers it can give.
  assert.equal(Object.keys(op.responses).sort(), ['401', '404', '422', '500', '503'], 'a token route with fields');
  assert.equal(op.responses['422'].content['application/json'].schema.properties.detail.type, 'array');
  assert.ok(spec.paths['/walker/complete/{node}'].patch.responses['404'], 'a node route: 404');
  assert.ok(op.responses['500'].content['application/json'].schema.properties.error_id);
  const pub = spec.paths['/walker/public_hello'].post;
  assert.equal([pub.tags, pub.summary, pub.description, pub.deprecated, pub.security], [['Public'], 'Say hello', 'No token needed', true, undefined]);
  assert.not.ok(pub.responses['401'], 'a public route answers no 401');
  assert.ok(spec.paths['/walker/by_title/by/{title}'].get.parameters.some((p: { name: string; in: string }) => p.name === 'title' && p.in === 'path'));
  assert.not.ok(spec.paths['/walker/hidden']);
  assert.ok(spec.paths['/user/login']);
  const docs = await h.app.inject({ method: 'GET', url: '/docs' });
  assert.is(docs.statusCode, 200);
  assert.match(docs.body, /<title>jac-serve API<\/title>/, "the page is jac-serve's");
  const initializer = await h.app.inject({ method: 'GET', url: '/docs/static/swagger-initializer.js' });
  assert.match(initializer.body, /data:image\/svg\+xml;base64,/, "jac-serve's logo replaces Swagger UI's");
});

test('one log line per request with walker, root, status and time; the token is never logged', async () => {
  h.log.length = 0;
  await h.app.inject({ method: 'POST', url: '/walker/kinds', payload: { a: 1 }, headers: { authorization: alice.authorization } });
  const lines = h.log.map((l) => JSON.parse(l)).filter((l) => l.msg === 'request');
  assert.is(lines.length, 1);
  assert.is(lines[0].walker, 'kinds');
  assert.is(lines[0].status, 200);
  assert.ok(typeof lines[0].ms === 'number');
  assert.not.ok(h.log.join('\n').includes(alice.authorization.slice(7)));
});

test.run();
