// Several jac-serve processes on one PostgreSQL database: requests/s of a committing walker (one
// increment per request, each answered once its commit is durable) through 1 and then 2 real
// `jac-serve serve` processes (one run worker each), with the load split evenly between them:
//   1. every request on one root (runs on it take turns in every process: this measures the
//      cost of holding a root across processes, not a gain);
//   2. requests spread over 20 users' roots (runs on different roots proceed in parallel).
// Each process's database pool and workers are its own; the database is a throwaway cluster
// (fsync off) unless DATABASE_URL names one. Each run checks that the counters are exact.
// Run: npm run bench:scale
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import pg from 'pg';
import { freshDatabase } from '../test/helpers/postgres.ts';
import { login, post } from './lib/client.ts';

const CONNECTIONS = 40;
const DURATION = 5;
const USERS = 20;
const bin = new URL('../bin/jac-serve.js', import.meta.url).pathname;

const program = `
node Counter { has n: int = 0; }
walker setup { can go with \`root entry { root ++> Counter(); report 1; } }
walker bump {
    can go with \`root entry { visit [-->]; }
    can inc with Counter entry { here.n += 1; report here.n; }
}
walker total {
    obj __specs__ { static has methods: list = ["get"]; }
    can go with \`root entry { report [c.n for c in [-->](\`?Counter)][0]; }
}
`;

async function start(app: string, url: string): Promise<{ child: ChildProcess; base: string }> {
  const child = spawn(process.execPath, [bin, 'serve', app, '--store', url, '--port', '0', '--workers', '1', '--log-level', 'error'], { stdio: ['ignore', 'pipe', 'ignore'] });
  let out = '';
  const base = await new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (d) => {
      out += d;
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) resolve(m[1]);
    });
    child.once('exit', () => reject(new Error(`a server stopped: ${out}`)));
  });
  return { child, base };
}

async function user(base: string, email: string): Promise<string> {
  const authorization = await login(base, email);
  if ((await post(`${base}/walker/setup`, {}, authorization)).status !== 200) throw new Error('setup failed');
  return authorization;
}

/** The load split over the servers, each request with the next of `tokens`: requests/s, p50, p99, 2xx, problems. */
async function load(bases: string[], tokens: string[]): Promise<{ rps: number; p50: number; p99: number; ok: number; problems: number }> {
  let next = 0;
  const results = await Promise.all(
    bases.map((base) =>
      autocannon({
        url: `${base}/walker/bump`,
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{}',
        connections: CONNECTIONS / bases.length,
        duration: DURATION,
        requests: [{ setupRequest: (request) => ({ ...request, headers: { ...request.headers, authorization: tokens[next++ % tokens.length] } }) }],
      }),
    ),
  );
  return {
    rps: results.reduce((a, r) => a + r.requests.average, 0),
    p50: Math.max(...results.map((r) => r.latency.p50)),
    p99: Math.max(...results.map((r) => r.latency.p99)),
    ok: results.reduce((a, r) => a + r['2xx'], 0),
    problems: results.reduce((a, r) => a + r.errors + r.timeouts + r.non2xx, 0),
  };
}

const dir = mkdtempSync(join(tmpdir(), 'jac-bench-scale-'));
const app = join(dir, 'app.jac');
writeFileSync(app, program);
const servers: ChildProcess[] = [];
try {
  console.log(`autocannon: ${CONNECTIONS} connections split over the servers, ${DURATION} s per run; one run worker per server`);
  for (const processes of [1, 2]) {
    const url = process.env.DATABASE_URL ? process.env.DATABASE_URL : await freshDatabase();
    if (process.env.DATABASE_URL) {
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      await c.query('DROP TABLE IF EXISTS jac_schema, jac_secrets, jac_users, jac_keys, jac_roots, jac_records, jac_counters');
      await c.end();
    }
    const started = await Promise.all(Array.from({ length: processes }, () => start(app, url)));
    servers.push(...started.map((s) => s.child));
    const bases = started.map((s) => s.base);
    const tokens = [];
    for (let i = 0; i <= USERS; i++) tokens.push(await user(bases[0], `u${i}@example.com`));
    for (const [label, using] of [['one root', tokens.slice(0, 1)], [`${USERS} roots`, tokens.slice(1)]] as const) {
      const f = await load(bases, using);
      let counted = 0;
      for (const t of using) counted += ((await (await fetch(`${bases[0]}/walker/total`, { headers: { authorization: t } })).json()) as { reports: number[] }).reports[0];
      const exact = counted >= f.ok && counted <= f.ok + CONNECTIONS ? 'exact' : `NOT EXACT: ${counted} counted for ${f.ok} answered`;
      console.log(
        `${processes} process${processes === 1 ? ', ' : 'es,'} ${label.padEnd(9)}: ${f.rps.toFixed(0).padStart(5)} req/s, p50 ${f.p50.toFixed(0)} ms, p99 ${f.p99.toFixed(0)} ms; counters ${exact}${f.problems > 0 ? `; ${f.problems} errors` : ''}`,
      );
    }
    for (const s of started) s.child.kill('SIGTERM');
    await Promise.all(started.map((s) => new Promise((r) => (s.child.exitCode !== null ? r(null) : s.child.once('exit', r)))));
  }
} finally {
  for (const s of servers) if (s.exitCode === null) s.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
}
