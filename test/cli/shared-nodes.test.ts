// A node shared between users across processes: two real `jac-serve serve` processes (two run
// workers each) on one PostgreSQL database. The owner grants another user WRITE through one
// process; the other user's runs on the shared node, through the other process, hold the owner's
// root as the owner's own runs do, so concurrent increments by both users stay exact.
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { type CliServer, exited, startCli } from '../helpers/cli-server.ts';
import { freshDatabase } from '../helpers/postgres.ts';

const appDir = join(mkdtempSync(join(tmpdir(), 'jac-serve-shared-')), 'app');

const PROGRAM = `
import from jac_cloud.core.archetype { BaseAnchor }

node Counter { has n: int = 0; }

walker make_counter {
    can go with \`root entry { c = Counter(); root ++> c; report jid(c); }
}
walker share_counter {
    has root_id: str, level: str;
    can go with Counter entry { _.allow_root(here, BaseAnchor.ref(self.root_id), self.level); }
}
walker bump_at {
    can go with Counter entry { here.n += 1; report here.n; }
}
`;

const start = (url: string) => startCli(['serve', appDir, '--port', '0', '--workers', '2', '--log-level', 'warn', '--store', url]);
const stop = async (s: CliServer) => {
  s.process.kill('SIGTERM');
  await exited(s.process);
};
const post = async (url: string, authorization: string, body: unknown = {}) => {
  const r = await fetch(url, { method: 'POST', headers: { authorization, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: r.status, body: (await r.json()) as { reports?: unknown[] } };
};

async function account(url: string, email: string): Promise<{ authorization: string; root: string }> {
  const credentials = { email, password: 'secret' };
  await fetch(`${url}/user/register`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(credentials) });
  const r = await fetch(`${url}/user/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(credentials) });
  const body = (await r.json()) as { token: string; user: { root_id: string } };
  return { authorization: `Bearer ${body.token}`, root: `n::${body.user.root_id}` };
}

test('two processes on one database: a grant made through one holds in the other, and both users bump the shared node exactly', async () => {
  mkdirSync(appDir, { recursive: true });
  writeFileSync(join(appDir, 'app.jac'), PROGRAM);
  const url = await freshDatabase();
  const [a, b] = await Promise.all([start(url), start(url)]);
  try {
    const owner = await account(a.url, 'owner@example.com');
    const other = await account(b.url, 'other@example.com');
    const id = (await post(`${a.url}/walker/make_counter`, owner.authorization)).body.reports![0] as string;
    assert.is((await post(`${b.url}/walker/bump_at/${id}`, other.authorization)).status, 404);

    const shared = await post(`${a.url}/walker/share_counter/${id}`, owner.authorization, { root_id: other.root, level: 'WRITE' });
    assert.is(shared.status, 200, JSON.stringify(shared.body));

    const runs = await Promise.all(
      Array.from({ length: 80 }, (_, i) => (i % 2 === 0 ? post(`${a.url}/walker/bump_at/${id}`, owner.authorization) : post(`${b.url}/walker/bump_at/${id}`, other.authorization))),
    );
    assert.equal(
      runs.map((r) => r.status),
      runs.map(() => 200),
    );
    // Each run saw the one before it, whoever ran it and wherever: 1..80, once each.
    assert.equal(
      runs.map((r) => r.body.reports![0] as number).sort((x, y) => x - y),
      Array.from({ length: 80 }, (_, i) => i + 1),
    );

    // Lowered to READ through the other process: the other user's writes show, and are not kept.
    await post(`${b.url}/walker/share_counter/${id}`, owner.authorization, { root_id: other.root, level: 'READ' });
    assert.equal((await post(`${a.url}/walker/bump_at/${id}`, other.authorization)).body.reports, [81]);
    assert.equal((await post(`${b.url}/walker/bump_at/${id}`, owner.authorization)).body.reports, [81]);
  } finally {
    await Promise.all([stop(a), stop(b)]);
  }
});

test.run();
