// Background work across real `jac-serve` processes on one PostgreSQL database: an interval
// schedule fires on time, once per tick, whichever servers are up; a job whose server is killed
// mid-run is taken by another once its lease ends and runs to completion once.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import pg from 'pg';
import { type CliServer, exited, startCli } from '../helpers/cli-server.ts';
import { freshDatabase } from '../helpers/postgres.ts';

const appDir = mkdtempSync(join(tmpdir(), 'jac-serve-sched-'));

const PROGRAM = `
node Counter { has n: int = 0; }

walker tick {
  obj __specs__ {
    static has private: bool = True;
    static has schedule: dict = {"trigger": "interval", "seconds": 1, "save": True};
  }
  can go with \`root entry {
    cs = [-->](\`?Counter);
    if not cs { c = Counter(); root ++> c; } else { c = cs[0]; }
    c.n += 1;
    report c.n;
  }
}

async walker slow_bump {
  has loops: int;
  can go with \`root entry {
    i = 0;
    while i < self.loops { i += 1; }
    cs = [-->](\`?Counter);
    if not cs { c = Counter(); root ++> c; } else { c = cs[0]; }
    c.n += 1;
    report c.n;
  }
}

walker count {
  can go with \`root entry { report [c.n for c in [-->](\`?Counter)]; }
}
`;
writeFileSync(join(appDir, 'app.jac'), PROGRAM);

type Server = CliServer;

const start = (store: string, args: string[] = []) => startCli(['serve', appDir, '--port', '0', '--workers', '1', '--store', store, '--log-level', 'info', ...args]);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function login(url: string): Promise<string> {
  const body = JSON.stringify({ email: 'ops@example.com', password: 'pw-pw-pw' });
  await fetch(`${url}/user/register`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  const r = await fetch(`${url}/user/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  return `Bearer ${((await r.json()) as { token: string }).token}`;
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined | false>, ms = 30_000): Promise<T> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    const v = await probe();
    if (v) return v;
    await sleep(100);
  }
  throw new Error(`timed out waiting for ${what}`);
}

test('an interval schedule on two servers fires on time, once per tick, and goes on when one of them is killed', async () => {
  const store = await freshDatabase();
  const db = new pg.Client({ connectionString: store });
  await db.connect();
  const servers = [await start(store), await start(store)];
  try {
    const completed = async () =>
      (
        await db.query<{ enq: Date; reports: number[] | null; status: string }>(
          `SELECT enqueued_at AS enq, result->'reports' AS reports, status FROM jac_jobs WHERE schedule = 'tick' ORDER BY seq`,
        )
      ).rows;
    await waitFor('10 ticks', async () => (await completed()).filter((r) => r.status === 'COMPLETED').length >= 10);
    servers[0].process.kill('SIGKILL');
    await exited(servers[0].process);
    const before = (await completed()).length;
    await waitFor('3 more ticks on the server left', async () => (await completed()).filter((r) => r.status === 'COMPLETED').length >= before + 3);

    const [{ registered_at: registered }] = (await db.query<{ registered_at: Date }>(`SELECT registered_at FROM jac_schedules WHERE key = 'tick'`)).rows;
    const runs = (await completed()).filter((r) => r.status === 'COMPLETED');
    // Tick k is at registered + k s; each run was queued within half a second of its own tick.
    const ticks = runs.map((r) => Math.round((r.enq.getTime() - registered.getTime()) / 1000));
    runs.forEach((r, i) => {
      const late = r.enq.getTime() - (registered.getTime() + ticks[i] * 1000);
      assert.ok(late >= -50 && late < 500, `tick ${ticks[i]} queued ${late} ms after its time`);
    });
    assert.equal(new Set(ticks).size, ticks.length, `never twice per tick: ${ticks.join(',')}`);
    const missing = ticks.slice(1).filter((t, i) => t !== ticks[i] + 1);
    assert.ok(missing.length <= 1, `consecutive ticks (one may fall in the kill): ${ticks.join(',')}`);
    assert.equal(runs.map((r) => r.reports), runs.map((_, i) => [i + 1]), 'each run saw every earlier one: one counter, one increment per tick');
    const queuedBy = servers.map((s) => (s.output().match(/scheduled walker queued/g) ?? []).length);
    assert.ok(queuedBy[0] > 0 && queuedBy[1] > 0, `both servers fired ticks: ${queuedBy.join(' + ')}`);
    assert.ok(queuedBy[0] + queuedBy[1] >= runs.length, 'each queued run was logged by the server that fired it');
  } finally {
    for (const s of servers) s.process.kill('SIGKILL');
    await Promise.all(servers.map((s) => exited(s.process)));
    await db.end();
  }
});

test('a server killed during a background run: another takes the job once its lease ends, and it runs to completion once', async () => {
  const store = await freshDatabase();
  const db = new pg.Client({ connectionString: store });
  await db.connect();
  const first = await start(store, ['--job-lease-seconds', '2']);
  let second: Server | null = null;
  try {
    const auth = await login(first.url);
    // Long enough to be killed midway (tens of millions of steps), well inside the run budget.
    const r = await fetch(`${first.url}/walker/slow_bump`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: auth }, body: JSON.stringify({ loops: 20_000_000 }) });
    const id = ((await r.json()) as { walker_id: string }).walker_id;
    const status = async () => (await db.query<{ status: string; attempts: number }>('SELECT status, attempts FROM jac_jobs WHERE id = $1', [id])).rows[0];
    await waitFor('the run to start', async () => (await status()).status === 'STARTED');
    first.process.kill('SIGKILL');
    await exited(first.process);
    second = await start(store, ['--job-lease-seconds', '2']);
    const done = await waitFor('the run to be taken again and finish', async () => {
      const s = await status();
      return s.status === 'COMPLETED' && s;
    });
    assert.is(done.attempts, 2, 'the killed attempt, then the one that finished');
    const doc = (await (await fetch(`${second.url}/async-walker/${id}`, { headers: { authorization: auth } })).json()) as { schedule: { reports: number[] } };
    assert.equal(doc.schedule.reports, [1]);
    const count = (await (await fetch(`${second.url}/walker/count`, { method: 'POST', headers: { authorization: auth } })).json()) as { reports: number[][] };
    assert.equal(count.reports, [[1]], 'the killed attempt changed nothing');
  } finally {
    first.process.kill('SIGKILL');
    second?.process.kill('SIGKILL');
    await Promise.all([exited(first.process), ...(second ? [exited(second.process)] : [])]);
    await db.end();
  }
});

test.run();
