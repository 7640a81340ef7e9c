// Async walkers through the real CLI as an operator runs it, on a data dir: a run's document and
// `jobs list`, retries of a walker that raises, a SIGTERM while a run is under way (it finishes
// and is recorded before the process exits), and a SIGKILL during a run (the next server takes it
// again, and only the completed attempt's changes are kept).
import { type ChildProcess, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { exited, startCli } from '../helpers/cli-server.ts';

const bin = fileURLToPath(new URL('../../bin/jac-serve.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'jac-background-cli-'));
const appDir = join(dir, 'app');

const PROGRAM = `
node Counter { has n: int = 0; }

async walker Greet {
    has name: str;
    can go with \`root entry { report "hello " + self.name; report 2; }
}

async walker Boom {
    can go with \`root entry { raise ValueError("boom"); }
}

# Spins for \`steps\` loop iterations, then adds one to the root's counter.
async walker Slow {
    has steps: int;
    can go with \`root entry {
        i = 0;
        while i < self.steps { i += 1; }
        cs = [-->](\`?Counter);
        if not cs { c = Counter(); root ++> c; } else { c = cs[0]; }
        c.n += 1;
        report c.n;
    }
}

# The same loop, answered at once: how many iterations this machine runs per millisecond.
walker spin {
    has steps: int;
    can go with \`root entry {
        i = 0;
        while i < self.steps { i += 1; }
        report i;
    }
}

walker count {
    obj __specs__ { static has methods: list = ["get"]; }
    can go with \`root entry { report [c.n for c in [-->](\`?Counter)]; }
}
`;

interface Server {
  process: ChildProcess;
  url: string;
  output: () => string;
  exited: Promise<number | null>;
}

const servers: Server[] = [];

/**
 * The loop iterations a run may take here: runs of a few seconds, whatever the machine. The
 * default (50,000,000) is about 0.4 s of the Slow walker's loop on a fast one, shorter than the
 * runs that the signal tests stop midway need.
 */
const MAX_STEPS = 2_000_000_000;

/** Starts the CLI on a free port on `data` and waits until /healthz answers. */
async function start(data: string, args: string[] = []): Promise<Server> {
  const started = await startCli([appDir, '--port', '0', '--data', data, '--log-level', 'warn', '--max-steps', String(MAX_STEPS), ...args], process.env, 20_000);
  const server = { ...started, exited: exited(started.process) };
  servers.push(server);
  assert.is((await fetch(`${server.url}/healthz`)).status, 200);
  return server;
}

/** Kills every server a test started that is still running. */
async function stopAll(): Promise<void> {
  for (const s of servers.splice(0)) {
    if (s.process.exitCode === null && s.process.signalCode === null) {
      s.process.kill('SIGKILL');
      await s.exited;
    }
  }
}

async function login(url: string): Promise<string> {
  const account = { email: 'ops@example.com', password: 'secret' };
  await fetch(`${url}/user/register`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(account) });
  const r = await fetch(`${url}/user/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(account) });
  return `Bearer ${((await r.json()) as { token: string }).token}`;
}

async function post(url: string, authorization: string, body: unknown): Promise<{ status: number; body: any }> {
  const r = await fetch(url, { method: 'POST', headers: { authorization, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: r.status, body: await r.json() };
}

/** Queues an async walker; its walker id. */
async function enqueue(s: Server, authorization: string, walker: string, fields: object = {}): Promise<string> {
  const r = await post(`${s.url}/walker/${walker}`, authorization, fields);
  assert.is(r.status, 200, JSON.stringify(r.body));
  assert.match(r.body.walker_id, new RegExp(`^w:${walker}:[0-9a-f]+$`));
  return r.body.walker_id;
}

interface WalkerDocument {
  id: string;
  name: string;
  schedule: { status: string; attempts: number; execute_date: string | null; executed_date: string | null; reports: unknown[] | null; error: string | null; error_id: string | null };
}

/** Polls the run's document until `until` holds (or `ms` pass: then fails with the last one seen). */
async function waitFor(s: Server, authorization: string, id: string, until: (d: WalkerDocument) => boolean, ms: number): Promise<WalkerDocument> {
  const deadline = Date.now() + ms;
  let doc: WalkerDocument | undefined;
  while (Date.now() < deadline) {
    const r = await fetch(`${s.url}/async-walker/${id}`, { headers: { authorization } });
    assert.is(r.status, 200);
    doc = (await r.json()) as WalkerDocument;
    if (until(doc)) return doc;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`gave up waiting on ${id} after ${ms} ms; last seen: ${JSON.stringify(doc)}\n${s.output()}`);
}

const ended = (d: WalkerDocument) => ['COMPLETED', 'ERROR', 'CANCELLED'].includes(d.schedule.status);

/** `jac-serve jobs list --data DIR`: the line of job `id`. */
function listed(data: string, id: string): string {
  const r = spawnSync(process.execPath, [bin, 'jobs', 'list', '--data', data], { encoding: 'utf8', timeout: 20_000 });
  assert.is(r.status, 0, r.stderr);
  const line = r.stdout.split('\n').find((l) => l.startsWith(`${id}  `));
  assert.ok(line, `no line for ${id} in:\n${r.stdout}`);
  return line!;
}

/** Loop iterations of the Slow walker that take about `ms` on this machine (measured on a warm worker). */
async function stepsFor(s: Server, authorization: string, ms: number): Promise<number> {
  const probe = 2_000_000;
  await post(`${s.url}/walker/spin`, authorization, { steps: probe });
  // The fastest of three probes: one slowed by a busy machine would make the runs shorter than
  // asked, and a run meant to be killed while under way could end first.
  let fastest = Infinity;
  for (let i = 0; i < 3; i++) {
    const t = performance.now();
    const r = await post(`${s.url}/walker/spin`, authorization, { steps: probe });
    assert.is(r.status, 200);
    fastest = Math.min(fastest, performance.now() - t);
  }
  const perMs = probe / fastest;
  return Math.min(MAX_STEPS * 0.9, Math.round(perMs * ms));
}

const counter = async (s: Server, authorization: string) => ((await (await fetch(`${s.url}/walker/count`, { headers: { authorization } })).json()) as { reports: number[][] }).reports[0];

test.before(() => {
  spawnSync('mkdir', ['-p', appDir]);
  writeFileSync(join(appDir, 'background.jac'), PROGRAM);
});

test.after.each(stopAll);

test("an async walker's document holds its reports once COMPLETED, and jobs list shows it", async () => {
  const data = join(dir, 'data-a');
  const s = await start(data, ['--background-runs', '1']); // background runs one at a time
  const authorization = await login(s.url);
  const id = await enqueue(s, authorization, 'Greet', { name: 'ops' });
  const doc = await waitFor(s, authorization, id, ended, 10_000);
  assert.is(doc.id, id);
  assert.is(doc.name, 'Greet');
  assert.is(doc.schedule.status, 'COMPLETED');
  assert.is(doc.schedule.attempts, 1);
  assert.equal(doc.schedule.reports, ['hello ops', 2]);
  const other = await fetch(`${s.url}/async-walker/${id}`);
  assert.is(other.status, 404, 'without the token it is not found');
  s.process.kill('SIGTERM');
  assert.is(await s.exited, 0);
  assert.match(listed(data, id), new RegExp(`^${id}  COMPLETED  attempts 1/3  root n::[0-9a-f]+  queued \\S+  finished \\S+ http 200$`));
});

test('--max-queued-mb and --max-queued-total-mb bound what queued runs may hold: past a user\'s room 429, past all users\' 503', async () => {
  const s = await start(join(dir, 'data-room'), ['--max-queued-mb', '0.5', '--max-queued-total-mb', '0.25']);
  const authorization = await login(s.url);
  const user = await post(`${s.url}/walker/Greet`, authorization, { name: 'x'.repeat(600_000) });
  assert.equal([user.status, user.body], [429, { detail: 'The background runs waiting for this user hold too much data (at most 512 KB of fields); retry later' }]);
  const all = await post(`${s.url}/walker/Greet`, authorization, { name: 'x'.repeat(300_000) });
  assert.equal([all.status, all.body], [503, { detail: "The server's background queue is full (at most 256 KB of fields); retry later" }]);
  assert.is((await post(`${s.url}/walker/Greet`, authorization, { name: 'ops' })).status, 200, 'a small run fits');
});

test('a walker that raises is tried three times, one log line each, then ends as ERROR with an error id and no traceback', async () => {
  const data = join(dir, 'data-b');
  const s = await start(data);
  const authorization = await login(s.url);
  const id = await enqueue(s, authorization, 'Boom');
  // Retried after 1 s, then 2 s.
  const doc = await waitFor(s, authorization, id, ended, 15_000);
  assert.is(doc.schedule.status, 'ERROR');
  assert.is(doc.schedule.attempts, 3);
  assert.ok(doc.schedule.error, 'the error names its kind');
  assert.match(doc.schedule.error_id ?? '', /^[0-9a-f-]{36}$/);
  const text = JSON.stringify(doc);
  assert.not.match(text, /Traceback|\bat .*:\d+:\d+|\.ts:\d+|\.js:\d+/, `a traceback in ${text}`);
  s.process.kill('SIGTERM');
  assert.is(await s.exited, 0);
  const lines = s
    .output()
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as { walker_id?: string; attempt?: number; error_id?: string; msg: string })
    .filter((l) => l.walker_id === id);
  assert.equal(
    lines.map((l) => l.attempt),
    [1, 2, 3],
    `one line per attempt, in:\n${s.output()}`,
  );
  assert.is(lines[2].error_id, doc.schedule.error_id, 'the last line carries the error id the document shows');
  assert.match(listed(data, id), new RegExp(`^${id}  ERROR  attempts 3/3 .* error_id ${doc.schedule.error_id}$`));
});

test('SIGTERM while a run is under way: the run ends and is recorded, then the process exits 0', async () => {
  const data = join(dir, 'data-c');
  const s = await start(data, ['--workers', '1']);
  const authorization = await login(s.url);
  const steps = await stepsFor(s, authorization, 1500);
  const id = await enqueue(s, authorization, 'Slow', { steps });
  await waitFor(s, authorization, id, (d) => d.schedule.status !== 'PENDING', 10_000);
  const signalled = Date.now();
  s.process.kill('SIGTERM');
  assert.is(await s.exited, 0, s.output());
  const line = listed(data, id);
  assert.match(line, new RegExp(`^${id}  COMPLETED  attempts 1/3 `), `${line}\n${s.output()}`);
  const finished = Date.parse(/finished (\S+)/.exec(line)![1]);
  assert.ok(finished > signalled, `the run was under way at the signal (finished ${new Date(finished).toISOString()}, signalled ${new Date(signalled).toISOString()})`);
  const again = await start(data);
  const auth = await login(again.url);
  assert.equal(await counter(again, auth), [1], "the run's change is in the graph after a restart");
});

test('SIGKILL during a run: the next server takes it again, it completes once, and the killed attempt left nothing', async () => {
  const data = join(dir, 'data-d');
  const s = await start(data, ['--workers', '1']);
  const authorization = await login(s.url);
  const steps = await stepsFor(s, authorization, 2000);
  const id = await enqueue(s, authorization, 'Slow', { steps });
  await waitFor(s, authorization, id, (d) => d.schedule.status !== 'PENDING', 10_000);
  // The document shows a claim as soon as it is made, before it is on disk: let the run get
  // going (it takes about 2 s), and check it still is, before the kill.
  await new Promise((r) => setTimeout(r, 400));
  const running = await waitFor(s, authorization, id, () => true, 1000);
  assert.is(running.schedule.status, 'STARTED');
  s.process.kill('SIGKILL');
  await s.exited;
  const again = await start(data, ['--workers', '1']);
  const auth = await login(again.url);
  const doc = await waitFor(again, auth, id, ended, 20_000);
  assert.is(doc.schedule.status, 'COMPLETED');
  assert.is(doc.schedule.attempts, 2);
  assert.equal(doc.schedule.reports, [1]);
  assert.equal(await counter(again, auth), [1], 'the counter went up once');
});

test.run();
