// Signed deliveries through real `jac-serve` processes sharing one PostgreSQL database: a delivery
// sent to two servers at once, several times over, runs once; the others get its answer.
import { createHmac } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { startCli } from '../helpers/cli-server.ts';
import { freshDatabase } from '../helpers/postgres.ts';

const appDir = mkdtempSync(join(tmpdir(), 'jac-serve-signed-'));
writeFileSync(
  join(appDir, 'app.jac'),
  `
node Push { has ref: str; }
walker github_push {
  has ref: str = "";
  obj __specs__ { static has webhook: dict = {"type": "signature", "scheme": "github"}; }
  can record with \`root entry { root ++> Push(ref=self.ref); report len([root-->](\`?Push)); }
}
walker pushes {
  can list with \`root entry { report [p.ref for p in [root-->](\`?Push)]; }
}
`,
);

const start = (store: string) => startCli(['serve', appDir, '--port', '0', '--workers', '1', '--store', store, '--log-level', 'warn']);

const json = (body: unknown, authorization?: string) => ({ method: 'POST', headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) }, body: JSON.stringify(body) });

test('one delivery sent to two servers at once, three times each, runs once; every copy gets its answer', async () => {
  const store = await freshDatabase();
  const servers = [await start(store), await start(store)];
  try {
    const [a, b] = servers.map((s) => s.url);
    await fetch(`${a}/user/register`, json({ email: 'ops@example.com', password: 'pw-pw-pw' }));
    const token = ((await (await fetch(`${a}/user/login`, json({ email: 'ops@example.com', password: 'pw-pw-pw' }))).json()) as { token: string }).token;
    const auth = `Bearer ${token}`;
    const key = (await (await fetch(`${b}/webhook/generate-key`, json({ name: 'gh', signing: { scheme: 'github' } }, auth))).json()) as { id: string; secret: string };
    const body = JSON.stringify({ ref: 'refs/heads/main' });
    const headers = { 'content-type': 'application/json', 'x-github-event': 'push', 'x-github-delivery': 'same-delivery', 'x-hub-signature-256': `sha256=${createHmac('sha256', key.secret).update(body).digest('hex')}` };
    const answers = await Promise.all([a, b, a, b, a, b].map((base) => fetch(`${base}/webhook/walker/github_push?key_id=${key.id}`, { method: 'POST', headers, body })));
    const texts = await Promise.all(answers.map((r) => r.text()));
    assert.equal(answers.map((r) => r.status), [200, 200, 200, 200, 200, 200], texts.join('\n'));
    assert.equal(answers.filter((r) => r.headers.get('webhook-duplicate') !== 'true').length, 1, 'one copy ran');
    assert.equal(new Set(texts).size, 1, 'all got its answer');
    const pushes = (await (await fetch(`${a}/walker/pushes`, json({}, auth))).json()) as { reports: string[][] };
    assert.equal(pushes.reports, [['refs/heads/main']]);
    // The log is written after the answers (they do not wait for it): read until it settles.
    let entries: [string, number][] = [];
    for (let i = 0; i < 50; i++) {
      const log = (await (await fetch(`${b}/webhook/deliveries`, { headers: { authorization: auth } })).json()) as { deliveries: { status: string; duplicates: number }[] };
      entries = log.deliveries.map((d) => [d.status, d.duplicates]);
      if (entries.length === 1 && entries[0][0] === 'ok' && entries[0][1] === 5) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(entries, [['ok', 5]], 'one entry, five repeats, whichever server answered them');
  } finally {
    for (const s of servers) s.process.kill('SIGKILL');
  }
});

test('a server killed with deliveries under way (some committed, not yet answered): the sender sends them all again, and each is applied once', async () => {
  const data = mkdtempSync(join(tmpdir(), 'jac-serve-signed-data-'));
  const serve = () => startCli(['serve', appDir, '--port', '0', '--workers', '1', '--data', data, '--log-level', 'warn']);
  let server = await serve();
  try {
    await fetch(`${server.url}/user/register`, json({ email: 'ops@example.com', password: 'pw-pw-pw' }));
    const login = async () => `Bearer ${((await (await fetch(`${server.url}/user/login`, json({ email: 'ops@example.com', password: 'pw-pw-pw' }))).json()) as { token: string }).token}`;
    const key = (await (await fetch(`${server.url}/webhook/generate-key`, json({ name: 'gh', signing: { scheme: 'github' } }, await login()))).json()) as { id: string; secret: string };
    const deliver = async (i: number) => {
      const body = JSON.stringify({ ref: `d-${i}` });
      const headers = { 'content-type': 'application/json', 'x-github-delivery': `delivery-${i}`, 'x-hub-signature-256': `sha256=${createHmac('sha256', key.secret).update(body).digest('hex')}` };
      const r = await fetch(`${server.url}/webhook/walker/github_push?key_id=${key.id}`, { method: 'POST', headers, body });
      return r.status;
    };
    const N = 200;
    let answered = 0;
    const first = Promise.allSettled(
      Array.from({ length: N }, (_, i) =>
        deliver(i).then((status) => {
          if (status === 200) answered++;
        }),
      ),
    );
    while (answered < N / 4) await new Promise((r) => setTimeout(r, 5));
    server.process.kill('SIGKILL');
    await first;
    assert.ok(answered < N, `killed with deliveries under way (${answered} of ${N} answered)`);
    server = await serve();
    // The sender sends every delivery again (it cannot know which ones were applied).
    const again = await Promise.all(Array.from({ length: N }, (_, i) => deliver(i)));
    assert.ok(again.every((st) => st === 200), again.join(','));
    const pushes = ((await (await fetch(`${server.url}/walker/pushes`, json({}, await login()))).json()) as { reports: string[][] }).reports[0];
    assert.is(pushes.length, N, 'each delivery applied once');
    assert.is(new Set(pushes).size, N);
  } finally {
    server.process.kill('SIGKILL');
  }
});

test.run();
