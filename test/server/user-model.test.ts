// An app's own user model (jac-cloud-runtime.md §4): `class User(BaseUser) { has … }` adds fields
// to registration (validated as walker fields are) and to login's `user`, in either store's file.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { loadApp, LoadFailure } from '../../server/loader.ts';
import { harness, type Harness } from './harness.ts';

const MODEL = `
import from jac_cloud.jaseci.models { User as BaseUser, NO_PASSWORD }

enum Plan { FREE = "free", PRO = "pro" }
obj Address { has city: str, zip: str = ""; }

class User(BaseUser) {
    has name: str;
    has age: int = 0;
    has plan: Plan = Plan.FREE;
    has tags: list[str] = [];
    has address: Address | None = None;

    static def send_verification_code(code: str, email: str) -> None { }
}

walker hello {
    can go with \`root entry { report "hi"; }
}
`;

const PLAIN = 'walker hello {\n    can go with `root entry { report "hi"; }\n}\n';

const register = (h: Harness, payload: Record<string, unknown>) => h.app.inject({ method: 'POST', url: '/user/register', payload: { password: 'pw', ...payload } });
const login = (h: Harness, email: string) => h.app.inject({ method: 'POST', url: '/user/login', payload: { email, password: 'pw' } });

test('register takes the custom fields; login gives them back after id, email and root_id', async () => {
  const h = await harness(MODEL, { logLevel: false });
  try {
    const r = await register(h, { email: 'ann@example.com', name: 'Ann', age: 31, plan: 'pro', tags: ['a', 'b'], address: { city: 'Oslo' }, extra: 'ignored' });
    assert.is(r.statusCode, 201, r.body);
    const { user, token } = (await login(h, 'ann@example.com')).json();
    assert.type(token, 'string');
    assert.equal(Object.keys(user), ['id', 'email', 'root_id', 'name', 'age', 'plan', 'tags', 'address']);
    assert.equal(user, { id: user.id, email: 'ann@example.com', root_id: user.root_id, name: 'Ann', age: 31, plan: 'pro', tags: ['a', 'b'], address: { city: 'Oslo' } });
    // Fields left out take their defaults (an enum's by value, as a registration gives it).
    assert.is((await register(h, { email: 'bo@example.com', name: 'Bo' })).statusCode, 201);
    const bo = (await login(h, 'bo@example.com')).json().user;
    assert.equal([bo.name, bo.age, bo.plan, bo.tags, bo.address], ['Bo', 0, 'free', [], null]);
    // The user's walkers run as before.
    const authorization = `Bearer ${token}`;
    assert.equal((await h.app.inject({ method: 'POST', url: '/walker/hello', headers: { authorization }, payload: {} })).json().reports, ['hi']);
  } finally {
    await h.close();
  }
});

test('a missing required field or a value of the wrong type is a 422 in the usual shape', async () => {
  const h = await harness(MODEL, { logLevel: false });
  try {
    const missing = await register(h, { email: 'c@example.com' });
    assert.is(missing.statusCode, 422);
    assert.equal(missing.json().detail.map((d: { type: string; loc: unknown[] }) => [d.type, d.loc]), [['missing', ['body', 'name']]]);
    const wrong = await register(h, { email: 'c@example.com', name: 'C', age: 'old', plan: 'gold', address: { zip: '1' } });
    assert.is(wrong.statusCode, 422);
    const locs = wrong.json().detail.map((d: { loc: unknown[] }) => d.loc.join('.'));
    for (const loc of ['body.age', 'body.plan', 'body.address.city']) assert.ok(locs.includes(loc), `${loc} in ${locs.join(', ')}`);
    // Nothing was stored: the email is still free.
    assert.is((await register(h, { email: 'c@example.com', name: 'C' })).statusCode, 201);
  } finally {
    await h.close();
  }
});

test('OpenAPI documents the custom fields of /user/register, the required ones as required', async () => {
  const h = await harness(MODEL, { logLevel: false });
  try {
    const doc = (await h.app.inject({ method: 'GET', url: '/openapi.json' })).json();
    const body = doc.paths['/user/register'].post.requestBody.content['application/json'].schema;
    assert.equal(Object.keys(body.properties), ['email', 'password', 'name', 'age', 'plan', 'tags', 'address']);
    assert.equal(body.required, ['email', 'password', 'name']);
    assert.equal(body.properties.age, { type: 'integer' });
    assert.equal(body.properties.tags, { type: 'array', items: { type: 'string' } });
  } finally {
    await h.close();
  }
});

test('an app without a user model is unchanged; its users log in after a model is added, with defaults', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'jac-user-model-'));
  const plain = await harness(PLAIN, { logLevel: false }, dataDir);
  try {
    assert.is((await register(plain, { email: 'old@example.com', name: 'ignored' })).statusCode, 201);
    assert.equal(Object.keys((await login(plain, 'old@example.com')).json().user), ['id', 'email', 'root_id']);
    const doc = (await plain.app.inject({ method: 'GET', url: '/openapi.json' })).json();
    assert.equal(Object.keys(doc.paths['/user/register'].post.requestBody.content['application/json'].schema.properties), ['email', 'password']);
  } finally {
    await plain.close();
  }
  const modelled = await harness(MODEL, { logLevel: false }, dataDir);
  try {
    const r = await login(modelled, 'old@example.com');
    assert.is(r.statusCode, 200);
    // The required `name` it never had is left out; the others take their defaults.
    const { user } = r.json();
    assert.equal(Object.keys(user), ['id', 'email', 'root_id', 'age', 'plan', 'tags', 'address']);
    assert.equal([user.age, user.plan, user.tags, user.address], [0, 'free', [], null]);
  } finally {
    await modelled.close();
  }
});

/** The load failures of one file, as `line:col: message`. */
function failures(source: string): string[] {
  const file = join(mkdtempSync(join(tmpdir(), 'jac-user-model-')), 'app.jac');
  writeFileSync(file, source);
  try {
    loadApp([file], () => undefined);
    return [];
  } catch (e) {
    if (!(e instanceof LoadFailure)) throw e;
    return e.diagnostics.map(({ diagnostic: d }) => `${d.span.line}:${d.span.col}: ${d.message}`);
  }
}

/** The register body's field names of the app in `source` (loaded without a server). */
function modelFields(source: string): string[] | null {
  const file = join(mkdtempSync(join(tmpdir(), 'jac-user-model-')), 'app.jac');
  writeFileSync(file, source);
  return loadApp([file], () => undefined).userFields?.map((f) => `${f.name}${f.required ? '' : '?'}`) ?? null;
}

const IMPORT = 'import from jac_cloud.jaseci.models { User as BaseUser }\n';

test('the last class that subclasses BaseUser is the model; obj works as class does; inherited fields come first', () => {
  assert.is(modelFields(`${IMPORT}walker W {}\n`), null);
  assert.equal(modelFields(`${IMPORT}class User(BaseUser) { has a: str; }\nclass Later(BaseUser) { has b: int = 1; }\n`), ['b?']);
  assert.equal(modelFields(`${IMPORT}obj User(BaseUser) { has name: str, age: int = 0; has nick: str | None = None; }\n`), ['name', 'age?', 'nick?']);
  // A model that redeclares a field keeps its place; static fields are not user fields.
  assert.equal(modelFields(`${IMPORT}class Mixin { has z: int = 0; }\nclass User(BaseUser, Mixin) { has a: str; has z: int = 5; static has kind: str = "x"; }\n`), ['z?', 'a']);
});

test("Jac Cloud's own user fields cannot be redefined; a field type a request cannot carry is refused", () => {
  assert.equal(failures(`${IMPORT}class User(BaseUser) {\n    has name: str;\n    has is_admin: bool = True;\n}\n`), [
    "4:9: user model User: 'is_admin' is one of the fields every user has (id, email, password, root_id, is_activated, is_admin, sso) and cannot be redefined",
  ]);
  assert.match(failures(`${IMPORT}class User(BaseUser) {\n    has email: str;\n}\n`)[0], /^3:9: user model User: 'email' is one of the fields/);
  assert.equal(failures(`${IMPORT}walker W {}\nclass User(BaseUser) {\n    has last: W | None = None;\n}\n`), [
    "4:15: user model User: last: a request cannot carry a walker: 'W' is a walker type (take its id as a str field instead)",
  ]);
});

test.run();
