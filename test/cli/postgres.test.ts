// Several real `jac-serve serve` processes on one PostgreSQL database, as an operator runs them
// behind a load balancer: one set of users, every root's graph exact under concurrent writes
// through all of them, and a process killed mid-load loses no acknowledged write.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import pg from 'pg';
import { type CliServer, exited, startCli } from '../helpers/cli-server.ts';
import { freshDatabase } from '../helpers/postgres.ts';

const bin = fileURLToPath(new URL('../../bin/jac-serve.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'jac-serve-pg-'));
const appDir = join(dir, 'app');

const PROGRAM = `
node Counter { has n: int = 0; }
node Note { has text: str; }
walker bump {
    can go with \`root entry {
        cs = [-->](\`?Counter);
        if not cs { c = Counter(); root ++> c; } else { c = cs[0]; }
        c.n += 1;
        report c.n;
    }
}
walker count {
    obj __specs__ { static has methods: list = ["get"]; }
    can go with \`root entry { report [c.n for c in [-->](\`?Counter)]; }
}
walker add_note {
    has text: str;
    can go with \`root entry { root ++> Note(text=self.text); }
}
walker bump_then_spin {
    can go with \`root entry {
        cs = [-->](\`?Counter);
        if not cs { c = Counter(); root ++> c; } else { c = cs[0]; }
        c.n += 1;
        while True { c.n += 0; }
    }
}
walker bump_then_pow {
    can go with \`root entry {
        cs = [-->](\`?Counter);
        if not cs { c = Counter(); root ++> c; } else { c = cs[0]; }
        c.n += 1;
        x = 10 ** 300000000;
        report 1;
    }
}
walker bump_slowly {
    has loops: int;
    can go with \`root entry {
        cs = [-->](\`?Counter);
        if not cs { c = Counter(); root ++> c; } else { c = cs[0]; }
        c.n += 1;
        i = 0;
        while i < self.loops { i += 1; }
        report c.n;
    }
}
walker hook {
    can go with \`root entry { report 1; }
    class __specs__ { has webhook: dict = {"type": "header", "name": "x-api-key"}; }
}
walker notes {
    can go with \`root entry { report [n.text for n in [-->](\`?Note)]; }
}
`;

type Server = CliServer;

const start = (args: string[], env: NodeJS.ProcessEnv = process.env) => startCli(['serve', appDir, '--port', '0', '--workers', '1', '--log-level', 'warn', ...args], env);

const stop = async (s: Server) => {
  s.process.kill('SIGTERM');
  await exited(s.process);
};
const post = (url: string, authorization: string, body: unknown = {}) =>
  fetch(url, { method: 'POST', headers: { authorization, 'content-type': 'application/json' }, body: JSON.stringify(body) });

async function account(url: string, email: string): Promise<string> {
  const credentials = { email, password: 'secret' };
  await fetch(`${url}/user/register`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(credentials) });
  const r = await fetch(`${url}/user/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(credentials) });
  assert.is(r.status, 200);
  return `Bearer ${((await r.json()) as { token: string }).token}`;
}

const counted = async (url: string, authorization: string) => ((await (await fetch(`${url}/walker/count`, { headers: { authorization } })).json()) as { reports: number[][] }).reports[0][0] ?? 0;

test.before(() => {
  spawnSync('mkdir', ['-p', appDir]);
  writeFileSync(join(appDir, 'app.jac'), PROGRAM);
});

test('three servers on one database: one set of users, 300 concurrent increments exact, a write through one read through another at once', async () => {
  const url = await freshDatabase();
  // Started together: they migrate the new database once, and agree on one token secret.
  const servers = await Promise.all([start(['--store', url]), start(['--store', url]), start([], { ...process.env, DATABASE_URL: url })]);
  try {
    assert.match(servers[0].output(), /data in postgres:\/\/postgres@127\.0\.0\.1:\d+\/jac_test_/);
    assert.not.match(servers[0].output(), /test-password/);
    const authorization = await account(servers[0].url, 'ops@example.com');
    // The token from one is good at every other.
    for (const s of servers) assert.is((await fetch(`${s.url}/walker/count`, { headers: { authorization } })).status, 200);

    const answers = await Promise.all(Array.from({ length: 300 }, (_, i) => post(`${servers[i % 3].url}/walker/bump`, authorization).then(async (r) => ({ status: r.status, body: (await r.json()) as { reports: number[] } }))));
    assert.equal(
      answers.map((a) => a.status),
      answers.map(() => 200),
    );
    // Each run saw the one before it, whichever process ran it: the values are 1..300, once each.
    assert.equal(
      answers.map((a) => a.body.reports[0]).sort((a, b) => a - b),
      Array.from({ length: 300 }, (_, i) => i + 1),
    );
    for (const s of servers) assert.is(await counted(s.url, authorization), 300);

    for (let i = 0; i < 5; i++) {
      const text = `note ${i}`;
      assert.is((await post(`${servers[i % 3].url}/walker/add_note`, authorization, { text })).status, 200);
      const read = (await (await post(`${servers[(i + 1) % 3].url}/walker/notes`, authorization)).json()) as { reports: string[][] };
      assert.equal(read.reports[0].at(-1), text);
    }
  } finally {
    await Promise.all(servers.map(stop));
  }
});

/**
 * Two servers on one database; `attempt(server)` fails `allowed` times, alternating between
 * them, with `status`; then every server answers 429 with a Retry-After.
 */
async function limitedAcrossServers(setUp: (url: string) => Promise<void>, attempt: (url: string) => Promise<Response>, allowed: number, status: number): Promise<void> {
  const url = await freshDatabase();
  const servers = await Promise.all([start(['--store', url]), start(['--store', url])]);
  try {
    await setUp(servers[0].url);
    for (let i = 0; i < allowed; i++) assert.is((await attempt(servers[i % 2].url)).status, status);
    for (const s of servers) {
      const limited = await attempt(s.url);
      assert.is(limited.status, 429);
      assert.ok(Number(limited.headers.get('retry-after')) > 0);
    }
  } finally {
    await Promise.all(servers.map(stop));
  }
}

test('failed logins are counted across the servers: the sixth failure for an account through any of them is refused with 429', async () => {
  await limitedAcrossServers(
    (url) => account(url, 'ops@example.com').then(() => undefined),
    (url) => fetch(`${url}/user/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'ops@example.com', password: 'wrong' }) }),
    5,
    400,
  );
});

test('failed webhook key attempts are counted across the servers: past the limit (10 a minute per client) a client gets 429 from any of them', async () => {
  await limitedAcrossServers(
    async () => undefined,
    (url) => fetch(`${url}/webhook/walker/hook`, { method: 'POST', headers: { 'x-api-key': 'wrong', 'content-type': 'application/json' }, body: '{}' }),
    10,
    401,
  );
});

test('a server killed mid-load: every acknowledged write is there, and the others keep answering', async () => {
  const url = await freshDatabase();
  const servers = await Promise.all([0, 1, 2].map(() => start(['--store', url])));
  try {
    const authorization = await account(servers[0].url, 'ops@example.com');
    let killed = false;
    const statuses = await Promise.all(
      Array.from({ length: 240 }, (_, i) =>
        post(`${servers[i % 3].url}/walker/bump`, authorization).then(
          (r) => {
            if (!killed && i % 3 === 2) {
              killed = true;
              servers[2].process.kill('SIGKILL');
            }
            return { server: i % 3, status: r.status };
          },
          () => ({ server: i % 3, status: 0 }),
        ),
      ),
    );
    assert.ok(killed);
    const acknowledged = statuses.filter((s) => s.status === 200).length;
    const unanswered = statuses.filter((s) => s.status !== 200);
    assert.ok(
      unanswered.every((s) => s.server === 2),
      `the servers left answered everything: ${JSON.stringify(unanswered.filter((s) => s.server !== 2))}`,
    );
    const total = await counted(servers[0].url, authorization);
    // What the killed one ran but had not answered may be there too; nothing acknowledged is lost.
    assert.ok(total >= acknowledged && total <= acknowledged + unanswered.length, `${total} counted, ${acknowledged} acknowledged`);
    assert.is((await post(`${servers[1].url}/walker/bump`, authorization)).status, 200);
    assert.is(await counted(servers[0].url, authorization), total + 1);
  } finally {
    await Promise.all(servers.map(stop));
  }
});

test('a run stopped by its budget (inside the interpreter or from outside), or whose database connection is lost, leaves nothing written; the lost one answers 503', async () => {
  const url = await freshDatabase();
  const servers = await Promise.all([start(['--store', url, '--max-seconds', '1']), start(['--store', url, '--max-steps', '100000000000'])]);
  try {
    const authorization = await account(servers[0].url, 'ops@example.com');
    assert.is((await post(`${servers[0].url}/walker/bump`, authorization)).status, 200);
    const spun = await post(`${servers[0].url}/walker/bump_then_spin`, authorization);
    assert.is(spun.status, 500);
    // The root is free at once for the other process, and holds only what was committed.
    assert.is(await counted(servers[1].url, authorization), 1);
    // Stopped from outside inside one long operation: its worker, and with it the worker's
    // connection, ends; the database rolls back and frees the root at once.
    const powed = await post(`${servers[0].url}/walker/bump_then_pow`, authorization);
    assert.is(powed.status, 500);
    const t = Date.now();
    assert.is(await counted(servers[1].url, authorization), 1);
    assert.ok(Date.now() - t < 5_000, `the root was free after ${Date.now() - t} ms`);

    // A run of about 1.5 s, whatever this machine's speed: timed on a shorter one first.
    const t0 = Date.now();
    assert.is((await post(`${servers[1].url}/walker/bump_slowly`, authorization, { loops: 20_000_000 })).status, 200);
    const loops = Math.round((20_000_000 * 1500) / Math.max(1, Date.now() - t0));
    const slow = post(`${servers[1].url}/walker/bump_slowly`, authorization, { loops });
    await new Promise((r) => setTimeout(r, 400));
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    await client.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()');
    await client.end();
    const lost = await slow;
    assert.is(lost.status, 503);
    assert.match(((await lost.json()) as { detail: string }).detail, /Service Unavailable/);
    assert.is(lost.headers.get('retry-after'), '1');
    // Both servers reconnect by themselves; the lost run's increment is not there.
    assert.is(await counted(servers[0].url, authorization), 2);
    assert.is((await post(`${servers[1].url}/walker/bump`, authorization)).status, 200);
    assert.is(await counted(servers[0].url, authorization), 3);
  } finally {
    await Promise.all(servers.map(stop));
  }
});

test('a store that cannot be reached: one line naming the host and why, no stack, no password, exit 1', async () => {
  const app = appDir;
  const unreachable = spawnSync(process.execPath, [bin, 'serve', app, '--port', '0', '--store', 'postgres://ops:hunter2@127.0.0.1:1/jac'], { encoding: 'utf8', timeout: 30_000 });
  assert.is(unreachable.status, 1);
  assert.is(unreachable.stderr.trim().split('\n').length, 1, unreachable.stderr);
  assert.match(unreachable.stderr, /^jac-serve: cannot connect: the database at postgres:\/\/ops@127\.0\.0\.1:1\/jac cannot be reached: .*ECONNREFUSED/);
  assert.not.match(unreachable.stderr + unreachable.stdout, /hunter2|\n\s+at /);

  const good = new URL(await freshDatabase());
  good.pathname = '/no_such_database';
  const missing = spawnSync(process.execPath, [bin, 'serve', app, '--port', '0', '--store', good.href], { encoding: 'utf8', timeout: 30_000 });
  assert.is(missing.status, 1);
  assert.is(missing.stderr.trim().split('\n').length, 1, missing.stderr);
  assert.match(missing.stderr, /database "no_such_database" does not exist/);
  assert.not.match(missing.stderr, /test-password/);

  const notPg = spawnSync(process.execPath, [bin, 'serve', app, '--port', '0', '--store', 'mysql://a:b@host/db'], { encoding: 'utf8', timeout: 30_000 });
  assert.is(notPg.status, 1);
  assert.match(notPg.stderr, /^jac-serve: the store must be a postgres:\/\/ URL, not a mysql: one\n$/);

  const both = spawnSync(process.execPath, [bin, 'serve', app, '--store', good.href, '--data', join(dir, 'd')], { encoding: 'utf8', timeout: 30_000 });
  assert.is(both.status, 2);
  assert.match(both.stderr, /^jac-serve: --store and --data name two stores: give one of them\n/);
});

test('`run --store` and `keys --store` work on the same database as the servers', async () => {
  const url = await freshDatabase();
  const program = join(dir, 'count.jac');
  writeFileSync(program, 'node Seen { has n: int = 0; }\nwith entry {\n    s = [root -->](`?Seen);\n    if not s { s = [Seen()]; root ++> s[0]; }\n    s[0].n += 1;\n    print(s[0].n);\n}\n');
  for (const expected of ['1', '2']) {
    const r = spawnSync(process.execPath, [bin, 'run', '--store', url, program], { encoding: 'utf8', timeout: 30_000 });
    assert.is(r.status, 0, r.stderr);
    assert.is(r.stdout.trim(), expected);
  }
  const both = spawnSync(process.execPath, [bin, 'run', '--store', url, '--data', join(dir, 'd2'), program], { encoding: 'utf8', timeout: 30_000 });
  assert.is(both.status, 2);

  const server = await start(['--store', url]);
  try {
    await account(server.url, 'ops@example.com');
    // A key made by the CLI while the server runs (the database is shared, not locked).
    const created = spawnSync(process.execPath, [bin, 'keys', 'create', '--store', url, '--email', 'ops@example.com', '--name', 'deploy'], { encoding: 'utf8', timeout: 30_000 });
    assert.is(created.status, 0, created.stderr);
    const listed = spawnSync(process.execPath, [bin, 'keys', 'list', '--email', 'ops@example.com'], { encoding: 'utf8', timeout: 30_000, env: { ...process.env, DATABASE_URL: url } });
    assert.is(listed.status, 0, listed.stderr);
    assert.match(listed.stdout, /deploy/);
  } finally {
    await stop(server);
  }
});

test.run();
