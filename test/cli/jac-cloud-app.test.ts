// examples/jac-cloud, a Jac Cloud app as written, served by the real CLI and called over HTTP:
// saved objs found by id, custom statuses and answers, queries over the caller's anchors,
// auto-cleanup and reset_graph, its own user model, file uploads, boards shared between users,
// its OpenAPI document as YAML; and what it stored survives a restart.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { type CliServer, exited, startCli } from '../helpers/cli-server.ts';

const APP = fileURLToPath(new URL('../../examples/jac-cloud', import.meta.url));
const data = mkdtempSync(join(tmpdir(), 'jac-cloud-app-'));
let server: CliServer;

async function start(): Promise<CliServer> {
  return startCli([APP, '--port', '0', '--data', data, '--log-level', 'warn']);
}

const PASSWORD = 'secret-password';
const postJson = (path: string, body: object) => fetch(`${server.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

/** Logs in: the token and login's `user`. */
async function logIn(email: string): Promise<{ token: string; user: any }> {
  const json = (await (await postJson('/user/login', { email, password: PASSWORD })).json()) as { token: string; user: object };
  return { token: `Bearer ${json.token}`, user: json.user };
}

/** Registers if `email` is new (an existing user is logged in as is): the token. */
async function login(email: string): Promise<string> {
  await postJson('/user/register', { email, password: PASSWORD });
  return (await logIn(email)).token;
}

/** Registers a new user (with the app's own user fields) and logs in: the token and login's `user`. */
async function account(email: string, fields: object = {}): Promise<{ token: string; user: any }> {
  const made = await postJson('/user/register', { email, password: PASSWORD, ...fields });
  assert.is(made.status, 201, await made.text());
  return logIn(email);
}

async function call(token: string, walker: string, body: object = {}, node?: string): Promise<{ status: number; json: any }> {
  const r = await fetch(`${server.url}/walker/${walker}${node ? `/${node}` : ''}`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: token }, body: JSON.stringify(body) });
  return { status: r.status, json: await r.json() };
}

test.before(async () => {
  server = await start();
});
test.after(async () => {
  server.process.kill('SIGTERM');
  await exited(server.process);
});

test('saved notes: 201 with the id, found by id, changed, queried, exported, deleted (then 404)', async () => {
  const ann = await login('ann@example.com');
  const made = await call(ann, 'create_note', { title: 'groceries', tags: ['home'] });
  assert.is(made.status, 201);
  assert.is(made.json.status, 201);
  const id = made.json.reports[0];
  assert.match(id, /^o:Note:[0-9a-f]{24}$/);
  await call(ann, 'create_note', { title: 'gym' });

  const found = await call(ann, 'get_note', { id });
  assert.equal(found.json.reports, [{ id, context: { title: 'groceries', body: '', tags: ['home'], attachments: [] } }]);
  assert.equal((await call(ann, 'add_tag', { id, tag: 'weekly' })).json.reports[0].context.tags, ['home', 'weekly']);
  assert.equal((await call(ann, 'find_notes', { pattern: '^g' })).json.reports, [['groceries', 'gym']]);
  assert.equal((await call(ann, 'find_notes', { pattern: 'ym$' })).json.reports, [['gym']]);

  const exported = await call(ann, 'export_notes');
  assert.is(exported.status, 200);
  assert.equal(exported.json, { count: 2, titles: ['groceries', 'gym'] }, 'the custom answer is the whole body');

  const bob = await login('bob@example.com');
  const theirs = await call(bob, 'get_note', { id });
  assert.is(theirs.status, 404, "another user's note is not found by its id");
  assert.equal((await call(bob, 'export_notes')).json, { count: 0, titles: [] });

  assert.equal((await call(ann, 'delete_note', { id })).json.reports, [true]);
  const gone = await call(ann, 'get_note', { id });
  assert.is(gone.status, 404);
  assert.equal(gone.json.reports, [{ error: `no note ${id}` }]);
});

test("the app's user model: registration takes display_name, login gives it back; a wrong type is a 422", async () => {
  const dee = await account('dee@example.com', { display_name: 'Dee' });
  assert.is(dee.user.display_name, 'Dee');
  assert.is(dee.user.email, 'dee@example.com');
  const plain = await account('fay@example.com');
  assert.is(plain.user.display_name, '', 'the default, when it is left out');
  const bad = await postJson('/user/register', { email: 'gus@example.com', password: PASSWORD, display_name: 7 });
  assert.is(bad.status, 422);
  assert.equal(((await bad.json()) as any).detail[0].loc, ['body', 'display_name']);
});

test('a file attached to a note over multipart/form-data: its name, type and size kept; JSON is a 415', async () => {
  const { token } = await account('hal@example.com');
  const id = (await call(token, 'create_note', { title: 'receipts' })).json.reports[0];
  const form = new FormData();
  form.append('body', JSON.stringify({ id, caption: 'March' }));
  form.append('file', new Blob(['one,two\n1,2\n'], { type: 'text/csv' }), 'march.csv');
  const r = await fetch(`${server.url}/walker/attach_file`, { method: 'POST', headers: { authorization: token }, body: form });
  assert.is(r.status, 200, await r.clone().text());
  const attached = [{ filename: 'march.csv', content_type: 'text/csv', size: 12, caption: 'March' }];
  assert.equal(((await r.json()) as any).reports, [attached]);
  assert.equal((await call(token, 'get_note', { id })).json.reports[0].context.attachments, attached, 'kept with the note');
  assert.is((await call(token, 'attach_file', { id })).status, 415);
});

test('a board shared READ, then WRITE, then not at all: reached by id in the URL, kept only with WRITE, then 404', async () => {
  const ivy = await account('ivy@example.com');
  const jo = await account('jo@example.com');
  assert.is((await call(ivy.token, 'add_board', { name: 'plans' })).status, 200);
  const board = (await call(ivy.token, 'share_board', { name: 'plans', root_id: jo.user.root_id, level: 'READ' })).json.reports[0];
  assert.match(board, /^n:Board:[0-9a-f]{24}$/);

  const read = await call(jo.token, 'rename_board', { name: 'mine now' }, board);
  assert.is(read.status, 200, JSON.stringify(read.json));
  assert.equal(read.json.reports, ['mine now'], 'the run sees its own change');
  assert.equal((await call(ivy.token, 'list_boards')).json.reports, [['plans']], 'READ: the change is not kept');

  await call(ivy.token, 'share_board', { name: 'plans', root_id: jo.user.root_id, level: 'WRITE' });
  assert.is((await call(jo.token, 'rename_board', { name: 'shared plans' }, board)).status, 200);
  assert.equal((await call(ivy.token, 'list_boards')).json.reports, [['shared plans']], 'WRITE: the change is kept');

  await call(ivy.token, 'unshare_board', { name: 'shared plans', root_id: jo.user.root_id });
  const gone = await call(jo.token, 'rename_board', { name: 'x' }, board);
  assert.is(gone.status, 404);
  assert.equal(gone.json, { detail: 'Node not found' });
  const stranger = await account('kit@example.com');
  assert.is((await call(stranger.token, 'rename_board', { name: 'x' }, board)).status, 404, 'never shared with this user');
});

test('GET /openapi.yaml: the document as YAML, with the upload walker as multipart/form-data', async () => {
  const r = await fetch(`${server.url}/openapi.yaml`);
  assert.is(r.status, 200);
  assert.match(r.headers.get('content-type') ?? '', /yaml/);
  const text = await r.text();
  assert.match(text, /^openapi: 3\./m);
  assert.match(text, /\/walker\/attach_file:/);
  assert.match(text, /multipart\/form-data:/);
  assert.match(text, /display_name:/, 'registration documents the user model');
});

test('a board left without edges is removed at commit; reset_graph clears the rest; all of it survives a restart', async () => {
  const cy = await login('cy@example.com');
  for (const name of ['a', 'b', 'c']) assert.is((await call(cy, 'add_board', { name })).status, 200);
  assert.equal((await call(cy, 'count_boards')).json.reports, [3]);
  assert.equal((await call(cy, 'drop_board', { name: 'b' })).json.reports, [true]);
  assert.equal((await call(cy, 'count_boards')).json.reports, [2], 'the detached board went');

  server.process.kill('SIGTERM');
  await exited(server.process);
  server = await start();
  const again = await login('cy@example.com');
  assert.equal((await call(again, 'count_boards')).json.reports, [2]);
  assert.equal((await call(again, 'clear_boards')).json.reports, [4], 'two boards and their two edges');
  assert.equal((await call(again, 'count_boards')).json.reports, [0]);
  const ann = await login('ann@example.com');
  assert.equal((await call(ann, 'export_notes')).json, { count: 1, titles: ['gym'] }, 'saved notes survive the restart');
});

test.run();
