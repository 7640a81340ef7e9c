// http-api.md §1 through HTTP: register, login and the bearer-token check, on a real store.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createHmac } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { LowStore } from '../../runtime/store/lowdb-store.ts';
import { installErrorHandling } from '../../server/errors.ts';
import { requireUser, userRoutes } from '../../server/user-routes.ts';
import { type UserConfig, Users } from '../../server/users.ts';

const PASSWORD = 'correct-horse-battery-staple-7f3a';
const dirs: string[] = [];

interface Server {
  app: FastifyInstance;
  store: LowStore;
  dir: string;
  close(): Promise<void>;
}

/** An app with the user routes and `GET /me`, on a store in `dir` (a new temp dir by default). */
async function start(config: Partial<UserConfig> = {}, dir = newDir()): Promise<Server> {
  const store = await LowStore.open(dir);
  const users = await Users.open(store, { tokenTimeoutHours: 12, ...config });
  const app = Fastify({ logger: false });
  installErrorHandling(app);
  await app.register(userRoutes, { users });
  app.get('/me', async (request) => ({ email: (await requireUser(users, request)).email }));
  await app.ready();
  return {
    app,
    store,
    dir,
    async close() {
      await app.close();
      await store.close();
    },
  };
}

function newDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'jac-users-'));
  dirs.push(dir);
  return dir;
}

function register(app: FastifyInstance, email: string, password = PASSWORD) {
  return app.inject({ method: 'POST', url: '/user/register', payload: { email, password } });
}

function login(app: FastifyInstance, email: string, password = PASSWORD) {
  return app.inject({ method: 'POST', url: '/user/login', payload: { email, password } });
}

function me(app: FastifyInstance, authorization?: string) {
  return app.inject({ method: 'GET', url: '/me', headers: authorization === undefined ? {} : { authorization } });
}

/** Registers and logs in `email`; the login body. */
async function signUp(app: FastifyInstance, email: string): Promise<{ token: string; user: { id: string; email: string; root_id: string } }> {
  assert.is((await register(app, email)).statusCode, 201);
  const res = await login(app, email);
  assert.is(res.statusCode, 200);
  return res.json();
}

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** A JWT signed the way the server signs, with any header and claims. */
function forge(header: unknown, claims: unknown, secret: string): string {
  const unsigned = `${b64(header)}.${b64(claims)}`;
  return `${unsigned}.${createHmac('sha256', secret).update(unsigned).digest('base64url')}`;
}

function assertUnauthorized(res: { statusCode: number; json(): unknown }, why: string): void {
  assert.is(res.statusCode, 401, why);
  assert.equal(res.json(), { detail: 'Unauthorized' }, why);
}

let server: Server;
test.before(async () => {
  server = await start();
});
test.after(async () => {
  await server.close();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

test('register: 201 with the success message', async () => {
  const res = await register(server.app, 'alice@example.com');
  assert.is(res.statusCode, 201);
  assert.equal(res.json(), { message: 'Successfully Registered!' });
});

test('register: a duplicate email is 409 Already Exists!', async () => {
  await register(server.app, 'dup@example.com');
  const res = await register(server.app, 'dup@example.com', 'another password');
  assert.is(res.statusCode, 409);
  assert.equal(res.json(), { detail: 'Already Exists!' });
});

test('register: a malformed email is 422 at body.email', async () => {
  const res = await register(server.app, 'not-an-email');
  assert.is(res.statusCode, 422);
  const { detail } = res.json();
  assert.equal(detail[0].loc, ['body', 'email']);
  assert.type(detail[0].msg, 'string');
  assert.type(detail[0].type, 'string');
});

test('register: an empty password is 422 at body.password', async () => {
  const res = await register(server.app, 'empty@example.com', '');
  assert.is(res.statusCode, 422);
  assert.equal(res.json().detail[0].loc, ['body', 'password']);
  assert.is((await login(server.app, 'empty@example.com', '')).statusCode, 400, 'no user was made');
});

test('register: a missing body or field is 422', async () => {
  const none = await server.app.inject({ method: 'POST', url: '/user/register' });
  assert.is(none.statusCode, 422);
  assert.ok(Array.isArray(none.json().detail));
  const noPassword = await server.app.inject({ method: 'POST', url: '/user/register', payload: { email: 'x@example.com' } });
  assert.is(noPassword.statusCode, 422);
  assert.equal(noPassword.json().detail[0].loc, ['body', 'password']);
  assert.is(noPassword.json().detail[0].type, 'missing');
});

test('login: 200 with a token and the user; the same root every time', async () => {
  const first = await signUp(server.app, 'bob@example.com');
  assert.equal(Object.keys(first).sort(), ['token', 'user']);
  assert.equal(Object.keys(first.user).sort(), ['email', 'id', 'root_id']);
  assert.type(first.token, 'string');
  assert.is(first.token.split('.').length, 3);
  assert.is(first.user.email, 'bob@example.com');
  assert.type(first.user.id, 'string');
  assert.match(first.user.root_id, /^[0-9a-f]{24}$/, "the root's hex, as Jac Cloud gives it (apps build n::<root_id>)");
  const second = (await login(server.app, 'bob@example.com')).json();
  assert.is(second.user.id, first.user.id);
  assert.is(second.user.root_id, first.user.root_id);
  const other = await signUp(server.app, 'carol@example.com');
  assert.is.not(other.user.root_id, first.user.root_id, 'each user owns a root');
});

test('login: a wrong password and an unknown email get the same 400', async () => {
  await register(server.app, 'dave@example.com');
  for (const res of [await login(server.app, 'dave@example.com', 'wrong'), await login(server.app, 'nobody@example.com')]) {
    assert.is(res.statusCode, 400);
    assert.equal(res.json(), { message: 'Invalid Email/Password!' });
  }
});

test('bearer: the login token identifies its user', async () => {
  const { token } = await signUp(server.app, 'erin@example.com');
  const res = await me(server.app, `Bearer ${token}`);
  assert.is(res.statusCode, 200);
  assert.equal(res.json(), { email: 'erin@example.com' });
  assert.is((await me(server.app, `bearer ${token}`)).statusCode, 200, 'the scheme is case-insensitive');
});

test('bearer: no token is 401 Not authenticated', async () => {
  for (const header of [undefined, '', 'Bearer', 'Bearer   ']) {
    const res = await me(server.app, header);
    assert.is(res.statusCode, 401, String(header));
    assert.equal(res.json(), { detail: 'Not authenticated' }, String(header));
  }
});

test('bearer: garbage, other schemes and tampered tokens are 401 Unauthorized', async () => {
  const { token, user } = await signUp(server.app, 'frank@example.com');
  const victim = await signUp(server.app, 'grace@example.com');
  const [header, payload, signature] = token.split('.');
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
  assert.is(claims.sub, user.id);

  assertUnauthorized(await me(server.app, 'Bearer garbage'), 'garbage');
  assertUnauthorized(await me(server.app, 'Basic xyz'), 'Basic scheme');
  assertUnauthorized(await me(server.app, `Basic ${token}`), 'a good token under another scheme');
  const modified = `${header}.${b64({ ...claims, sub: victim.user.id, email: victim.user.email })}.${signature}`;
  assertUnauthorized(await me(server.app, `Bearer ${modified}`), 'modified payload');
  assertUnauthorized(await me(server.app, `Bearer ${forge({ alg: 'HS256', typ: 'JWT' }, claims, 'some other secret')}`), 'another secret');
  assertUnauthorized(await me(server.app, `Bearer ${header}.${payload}.`), 'no signature');
  assertUnauthorized(await me(server.app, `Bearer ${b64({ alg: 'none', typ: 'JWT' })}.${payload}.`), 'alg none');
  assertUnauthorized(await me(server.app, `Bearer ${token}x`), 'a changed signature');
});

test('bearer: expired, wrong alg and vanished users are 401, with the right secret', async () => {
  const secret = 'a-test-secret-of-reasonable-length';
  const s = await start({ tokenSecret: secret });
  try {
    const { user } = await signUp(s.app, 'heidi@example.com');
    const now = Math.floor(Date.now() / 1000);
    const claims = { sub: user.id, email: user.email, root_id: user.root_id, iat: now - 100, exp: now + 100 };
    const HS256 = { alg: 'HS256', typ: 'JWT' };
    assert.is((await me(s.app, `Bearer ${forge(HS256, claims, secret)}`)).statusCode, 200, 'the forged-but-correct token is good');
    assertUnauthorized(await me(s.app, `Bearer ${forge(HS256, { ...claims, exp: now - 1 }, secret)}`), 'expired');
    assertUnauthorized(await me(s.app, `Bearer ${forge(HS256, { ...claims, exp: undefined }, secret)}`), 'no exp');
    assertUnauthorized(await me(s.app, `Bearer ${forge({ alg: 'HS512', typ: 'JWT' }, claims, secret)}`), 'alg other than HS256');
    assertUnauthorized(await me(s.app, `Bearer ${forge(HS256, { ...claims, sub: '0123456789abcdef01234567' }, secret)}`), 'no such user');
  } finally {
    await s.close();
  }
});

test('bearer: a token accepted before is refused once it expires, and its altered copies never pass', async () => {
  const secret = 'a-test-secret-of-reasonable-length';
  const s = await start({ tokenSecret: secret });
  try {
    const { user } = await signUp(s.app, 'ines@example.com');
    const now = Math.floor(Date.now() / 1000);
    const token = forge({ alg: 'HS256', typ: 'JWT' }, { sub: user.id, email: user.email, root_id: user.root_id, iat: now, exp: now + 2 }, secret);
    assert.is((await me(s.app, `Bearer ${token}`)).statusCode, 200);
    assert.is((await me(s.app, `Bearer ${token}`)).statusCode, 200, 'accepted again');
    assertUnauthorized(await me(s.app, `Bearer ${token.slice(0, -2)}`), 'a shortened signature of an accepted token');
    assertUnauthorized(await me(s.app, `Bearer ${token}A`), 'a longer signature of an accepted token');
    await new Promise((resolve) => setTimeout(resolve, (now + 2 - Date.now() / 1000) * 1000 + 50));
    assertUnauthorized(await me(s.app, `Bearer ${token}`), 'expired since it was accepted');
  } finally {
    await s.close();
  }
});

test('bearer: a token issued with a negative timeout is already expired', async () => {
  const s = await start({ tokenTimeoutHours: -1 });
  try {
    const { token } = await signUp(s.app, 'ivan@example.com');
    assertUnauthorized(await me(s.app, `Bearer ${token}`), 'expired at issue');
  } finally {
    await s.close();
  }
});

test('tokens survive a restart without TOKEN_SECRET, and die when TOKEN_SECRET changes', async () => {
  const first = await start();
  const { token } = await signUp(first.app, 'judy@example.com');
  await first.close();

  const again = await start({}, first.dir);
  try {
    const res = await me(again.app, `Bearer ${token}`);
    assert.is(res.statusCode, 200);
    assert.equal(res.json(), { email: 'judy@example.com' });
  } finally {
    await again.close();
  }

  const rekeyed = await start({ tokenSecret: 'a different secret' }, first.dir);
  try {
    assertUnauthorized(await me(rekeyed.app, `Bearer ${token}`), 'a token signed with the stored secret');
    assert.is((await login(rekeyed.app, 'judy@example.com')).statusCode, 200, 'the user is still there');
  } finally {
    await rekeyed.close();
  }
});

test('the password is never written to disk', async () => {
  const password = 'plaintext-canary-5e1d0c';
  const s = await start();
  try {
    assert.is((await register(s.app, 'kim@example.com', password)).statusCode, 201);
    assert.is((await login(s.app, 'kim@example.com', password)).statusCode, 200);
  } finally {
    await s.close();
  }
  // The system file's snapshot and its journal.
  const system = readdirSync(s.dir).filter((f) => f.startsWith('system.')).map((f) => readFileSync(join(s.dir, f), 'utf8')).join('\n');
  assert.ok(system.includes('kim@example.com'), 'the user is on disk');
  assert.not.ok(system.includes(password), 'the password is not');
  assert.not.ok(system.includes(Buffer.from(password).toString('base64')), 'nor its base64');
  assert.match(system, /"passwordHash":"scrypt\$/);
});

test('two concurrent registrations of one email: one 201, one 409', async () => {
  const results = await Promise.all([register(server.app, 'race@example.com', 'one'), register(server.app, 'race@example.com', 'two')]);
  assert.equal(results.map((r) => r.statusCode).sort(), [201, 409]);
  const winner = results.find((r) => r.statusCode === 201) === results[0] ? 'one' : 'two';
  assert.is((await login(server.app, 'race@example.com', winner)).statusCode, 200, 'the winner’s password is the one kept');
});

test.run();
