// Logins under load and under attack, through HTTP: failed logins are limited per client and
// per account before any password is hashed (429 with Retry-After), successes never count,
// password hashing runs a few at a time so file writes still get threads, and a full hashing
// queue answers 503 with Retry-After.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import Fastify, { type FastifyInstance, type LightMyRequestResponse } from 'fastify';
import { LowStore } from '../../runtime/store/lowdb-store.ts';
import { installErrorHandling } from '../../server/errors.ts';
import type { LoginLimitOptions } from '../../server/login-limits.ts';
import type { HashingLimits } from '../../server/password-hashing.ts';
import { userRoutes } from '../../server/user-routes.ts';
import { Users } from '../../server/users.ts';
import { harness } from './harness.ts';
import { WEBHOOK_PROGRAM } from './webhook-program.ts';

const PASSWORD = 'right-password';
const dirs: string[] = [];

async function start(limits: LoginLimitOptions = {}, hashing: HashingLimits = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'jac-logins-'));
  dirs.push(dir);
  const store = await LowStore.open(dir);
  const users = await Users.open(store, { tokenTimeoutHours: 1, hashing });
  const app = Fastify({ logger: false });
  installErrorHandling(app);
  await app.register(userRoutes, { users, limits });
  await app.ready();
  return {
    app,
    store,
    users,
    async close() {
      await app.close();
      await store.close();
    },
  };
}

const register = (app: FastifyInstance, email: string) => app.inject({ method: 'POST', url: '/user/register', payload: { email, password: PASSWORD } });
const login = (app: FastifyInstance, email: string, password: string, client = '10.0.0.1') =>
  app.inject({ method: 'POST', url: '/user/login', payload: { email, password }, remoteAddress: client });

function assertLimited(r: LightMyRequestResponse, why: string): void {
  assert.is(r.statusCode, 429, `${why}: ${r.body}`);
  assert.equal(r.json(), { detail: 'Too many failed login attempts; retry later' });
  const retryAfter = Number(r.headers['retry-after']);
  assert.ok(Number.isInteger(retryAfter) && retryAfter >= 1, `Retry-After ${r.headers['retry-after']}`);
}

test.after(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

test('per client: over the limit every login is 429, the right password too, and nothing is hashed; other clients are not affected', async () => {
  const s = await start({ maxLoginFailuresPerClient: 3, maxLoginFailuresPerAccount: 100 });
  try {
    await register(s.app, 'ann@example.com');
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) statuses.push((await login(s.app, `guess${i}@example.com`, 'wrong')).statusCode);
    assert.equal(statuses, [400, 400, 400]);
    const hashed = s.users.hashing.started;
    assertLimited(await login(s.app, 'guess9@example.com', 'wrong'), 'a fourth failure');
    assertLimited(await login(s.app, 'ann@example.com', PASSWORD), 'the right password from that client');
    assert.is(s.users.hashing.started, hashed, 'a limited client costs no hashing');
    assert.is((await login(s.app, 'ann@example.com', PASSWORD, '10.0.0.2')).statusCode, 200, 'another client');
  } finally {
    await s.close();
  }
});

test('per account: failures from many clients add up; the limit holds for the right password; other accounts are not affected', async () => {
  const s = await start({ maxLoginFailuresPerClient: 100, maxLoginFailuresPerAccount: 2 });
  try {
    await register(s.app, 'bea@example.com');
    await register(s.app, 'cy@example.com');
    assert.is((await login(s.app, 'bea@example.com', 'x', '10.0.1.1')).statusCode, 400);
    assert.is((await login(s.app, 'bea@example.com', 'y', '10.0.1.2')).statusCode, 400);
    assertLimited(await login(s.app, 'bea@example.com', 'z', '10.0.1.3'), 'a third client');
    assertLimited(await login(s.app, 'bea@example.com', PASSWORD, '10.0.1.4'), 'the right password');
    assert.is((await login(s.app, 'cy@example.com', PASSWORD, '10.0.1.3')).statusCode, 200);
    assert.is((await login(s.app, 'BEA@example.com', 'x', '10.0.1.5')).statusCode, 400, 'the email as given: another account');
  } finally {
    await s.close();
  }
});

test('only failures count: successful logins, before and in between, never bring a client closer to the limit', async () => {
  const s = await start({ maxLoginFailuresPerClient: 2, maxLoginFailuresPerAccount: 2 });
  try {
    await register(s.app, 'dee@example.com');
    for (let i = 0; i < 5; i++) assert.is((await login(s.app, 'dee@example.com', PASSWORD)).statusCode, 200);
    assert.is((await login(s.app, 'dee@example.com', 'wrong')).statusCode, 400);
    assert.is((await login(s.app, 'dee@example.com', PASSWORD)).statusCode, 200);
    assert.is((await login(s.app, 'dee@example.com', 'wrong')).statusCode, 400);
    assertLimited(await login(s.app, 'dee@example.com', PASSWORD), 'after two failures');
  } finally {
    await s.close();
  }
});

test('a concurrent burst of guesses is hashed no more times than the limit allows; concurrent right passwords all get in', async () => {
  const s = await start({ maxLoginFailuresPerClient: 3, maxLoginFailuresPerAccount: 2 });
  try {
    await register(s.app, 'eve@example.com');
    const before = s.users.hashing.started;
    const burst = await Promise.all(Array.from({ length: 20 }, (_, i) => login(s.app, `burst${i}@example.com`, 'wrong', '10.0.2.1')));
    const statuses = burst.map((r) => r.statusCode);
    assert.is(statuses.filter((c) => c === 400).length, 3, statuses.join(','));
    assert.is(statuses.filter((c) => c === 429).length, 17, statuses.join(','));
    assert.is(s.users.hashing.started - before, 3, 'one hash per allowed failure');
    // Six at once for one account whose limit is two: none is refused, since none fails.
    const right = await Promise.all(Array.from({ length: 6 }, (_, i) => login(s.app, 'eve@example.com', PASSWORD, `10.0.3.${i}`)));
    assert.equal(right.map((r) => r.statusCode), [200, 200, 200, 200, 200, 200]);
  } finally {
    await s.close();
  }
});

test('the window ends: a limited client may try again', async () => {
  const s = await start({ maxLoginFailuresPerClient: 1, loginClientWindowMs: 300 });
  try {
    await register(s.app, 'fay@example.com');
    assert.is((await login(s.app, 'fay@example.com', 'wrong')).statusCode, 400);
    assertLimited(await login(s.app, 'fay@example.com', PASSWORD), 'within the window');
    await new Promise((r) => setTimeout(r, 400));
    assert.is((await login(s.app, 'fay@example.com', PASSWORD)).statusCode, 200);
  } finally {
    await s.close();
  }
});

test('a full hashing queue answers 503 with Retry-After to logins and registrations; such an answer is not a failure', async () => {
  const s = await start({ maxLoginFailuresPerClient: 1 }, { maxConcurrentHashes: 1, maxQueuedHashes: 1 });
  try {
    await register(s.app, 'gus@example.com');
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const held = [s.users.hashing.run(() => gate), s.users.hashing.run(() => gate)]; // one hashing, one waiting
    for (const r of [await login(s.app, 'gus@example.com', 'wrong'), await register(s.app, 'hal@example.com')]) {
      assert.is(r.statusCode, 503, r.body);
      assert.equal(r.json(), { detail: 'Too many logins at once; retry later' });
      assert.ok(Number(r.headers['retry-after']) >= 1, `Retry-After ${r.headers['retry-after']}`);
    }
    release();
    await Promise.all(held);
    assert.is((await login(s.app, 'hal@example.com', PASSWORD)).statusCode, 400, 'the refused registration did not happen, and the 503 did not count');
    assertLimited(await login(s.app, 'gus@example.com', PASSWORD), 'that failure did');
    assert.is((await register(s.app, 'hal@example.com')).statusCode, 201);
  } finally {
    await s.close();
  }
});

test('a file write is not stuck behind a burst of logins: at most two hashes run at once', async () => {
  const s = await start({ maxLoginFailuresPerClient: 1000, maxLoginFailuresPerAccount: 1000 });
  try {
    const order: string[] = [];
    const logins = Array.from({ length: 24 }, (_, i) => login(s.app, `load${i}@example.com`, 'wrong', `10.1.0.${i}`).then((r) => order.push(`login ${r.statusCode}`)));
    await new Promise((r) => setImmediate(r)); // the logins are queued for hashing
    const root = 'n::0000000000000000000000ff';
    const commit = s.store.commitGraph(root, { upserts: [{ id: root, fields: {} }], deletes: [] }).then(() => order.push('commit'));
    await Promise.all([...logins, commit]);
    assert.is(order.length, 25);
    assert.ok(order.indexOf('commit') < 12, `the commit came ${order.indexOf('commit') + 1}th: ${order.join(', ')}`);
    assert.ok(order.every((o) => o === 'commit' || o === 'login 400'));
    assert.is(s.users.hashing.peak, 2);
  } finally {
    await s.close();
  }
});

test('buildApp passes the limits on, and the OpenAPI document shows 429 and 503 with Retry-After', async () => {
  const h = await harness(WEBHOOK_PROGRAM, { logLevel: false, maxLoginFailuresPerAccount: 1 });
  try {
    await h.login('ida@example.com');
    const wrong = () => h.app.inject({ method: 'POST', url: '/user/login', payload: { email: 'ida@example.com', password: 'wrong' } });
    assert.is((await wrong()).statusCode, 400);
    assertLimited(await wrong(), 'buildApp option');
    const doc = (await h.app.inject({ method: 'GET', url: '/openapi.json' })).json();
    const loginResponses = doc.paths['/user/login'].post.responses;
    const registerResponses = doc.paths['/user/register'].post.responses;
    for (const r of [loginResponses['429'], loginResponses['503'], registerResponses['503']]) {
      assert.ok(r, JSON.stringify(Object.keys(loginResponses)));
      assert.ok(r.headers['retry-after'], JSON.stringify(r));
      assert.ok(r.content['application/json'].schema.properties.detail);
    }
  } finally {
    await h.close();
  }
});

test.run();
