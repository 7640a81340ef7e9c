// `jac-serve jobs list|cancel|retry` through the built command: one line per async walker run of a data dir
// the real app wrote or of a PostgreSQL store, and a clear one-line refusal for a data dir that is not there.
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { LowStore } from '../../runtime/store/lowdb-store.ts';
import { PgStore } from '../../runtime/store/postgres/pg-store.ts';
import { freshDatabase } from '../helpers/postgres.ts';
import { harness } from '../server/harness.ts';

const bin = fileURLToPath(new URL('../../bin/jac-serve.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'jac-jobs-cli-'));

const cli = (args: string[]) => spawnSync(process.execPath, [bin, ...args], { cwd: dir, encoding: 'utf8', timeout: 30_000 });

const PROGRAM = `
async walker Later {
  has n: int;
  can go with \`root entry { report self.n; }
}
`;

test('jobs list prints one line per run, oldest first, with its status and outcome', async () => {
  const data = join(dir, 'data');
  const h = await harness(PROGRAM, { logLevel: false }, data);
  const { authorization } = await h.login();
  const ids: string[] = [];
  for (const n of [1, 2]) ids.push((await h.app.inject({ method: 'POST', url: '/walker/Later', payload: { n }, headers: { authorization } })).json().walker_id);
  for (let i = 0; i < 200 && (await h.store.listJobs()).some((j) => j.status !== 'COMPLETED'); i++) await new Promise((r) => setTimeout(r, 50));
  await h.close();
  const r = cli(['jobs', 'list', '--data', data]);
  assert.is(r.status, 0, r.stderr);
  const lines = r.stdout.trim().split('\n');
  assert.is(lines.length, 2);
  lines.forEach((line, i) => {
    assert.ok(line.startsWith(`${ids[i]}  COMPLETED  attempts 1/3  root n::`), line);
    assert.match(line, /queued \d{4}-\d\d-\d\dT[\d:.]+Z  finished \d{4}-\d\d-\d\dT[\d:.]+Z http 200$/);
  });
});

test('jobs list on a dir with no runs says so; a missing dir is refused in one line, two stores as a usage error', async () => {
  const emptyDir = join(dir, 'empty');
  await (await LowStore.open(emptyDir)).close();
  const empty = cli(['jobs', 'list', '--data', emptyDir]);
  assert.is(empty.status, 0, empty.stderr);
  assert.is(empty.stdout, `no jobs in ${emptyDir}\n`);
  const missing = cli(['jobs', 'list', '--data', join(dir, 'missing')]);
  assert.is(missing.status, 1);
  assert.is(missing.stderr, `jac-serve: no data dir at ${join(dir, 'missing')} (pass the --data dir the server uses)\n`);
  const both = cli(['jobs', 'list', '--data', dir, '--store', 'postgres://x@y/z']);
  assert.is(both.status, 2);
  assert.match(both.stderr, /--store and --data name two stores/);
});

test('jobs cancel takes a pending run off the queue and jobs retry queues it again; a run in another state is refused in one line', async () => {
  const data = join(dir, 'changes');
  const store = await LowStore.open(data);
  const id = 'w:Later:00000000000000000000000c';
  await store.enqueueJob({ id, walker: 'Later', root: 'n::00000000000000000000000a', owner: null, node: null, fields: { n: 1 }, allowedNodes: null, maxAttempts: 3 });
  await store.close();
  const cancelled = cli(['jobs', 'cancel', id, '--data', data]);
  assert.is(cancelled.status, 0, cancelled.stderr);
  assert.ok(cancelled.stdout.startsWith(`${id}  CANCELLED  attempts 0/3`), cancelled.stdout);
  const again = cli(['jobs', 'cancel', id, '--data', data]);
  assert.is(again.status, 1);
  assert.is(again.stderr, `jac-serve: job ${id} is CANCELLED: only a job in PENDING can be cancelled\n`);
  const retried = cli(['jobs', 'retry', id, '--data', data]);
  assert.is(retried.status, 0, retried.stderr);
  assert.ok(retried.stdout.startsWith(`${id}  PENDING  attempts 0/3`), retried.stdout);
  const unknown = cli(['jobs', 'retry', 'w:Later:ffffffffffffffffffffffff', '--data', data]);
  assert.is(unknown.status, 1);
  assert.is(unknown.stderr, `jac-serve: no job w:Later:ffffffffffffffffffffffff in ${data}\n`);
});

test('jobs list --store reads a PostgreSQL store', async () => {
  const url = await freshDatabase();
  const store = await PgStore.open(url);
  await store.enqueueJob({ id: 'w:Later:0000000000000000000000aa', walker: 'Later', root: 'n::00000000000000000000000a', owner: null, node: null, fields: { n: 1 }, allowedNodes: null, maxAttempts: 3 });
  await store.close();
  const r = cli(['jobs', 'list', '--store', url]);
  assert.is(r.status, 0, r.stderr);
  assert.match(r.stdout, /^w:Later:0000000000000000000000aa  PENDING  attempts 0\/3  root n::00000000000000000000000a  queued \S+Z  finished -\n$/);
});

test.run();
