// examples/jac-cloud, a Jac Cloud app as written, served by the real CLI and called over HTTP:
// saved objs found by id, custom statuses and answers, queries over the caller's anchors,
// auto-cleanup and reset_graph; and what it stored survives a restart.
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

async function login(email: string): Promise<string> {
  const account = { email, password: 'secret-password' };
  await fetch(`${server.url}/user/register`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(account) });
  const r = await fetch(`${server.url}/user/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(account) });
  return `Bearer ${((await r.json()) as { token: string }).token}`;
}

async function call(token: string, walker: string, body: object = {}): Promise<{ status: number; json: any }> {
  const r = await fetch(`${server.url}/walker/${walker}`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: token }, body: JSON.stringify(body) });
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
  assert.equal(found.json.reports, [{ id, context: { title: 'groceries', body: '', tags: ['home'] } }]);
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
