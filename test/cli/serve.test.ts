// `jac-serve <folder>` as an operator runs it: the real CLI on a free port, called with fetch.
import { spawnSync } from 'node:child_process';
import { connect } from 'node:net';
import { fileURLToPath } from 'node:url';
import { chmodSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { BIN, type CliServer, exited, startCli } from '../helpers/cli-server.ts';

const dir = mkdtempSync(join(tmpdir(), 'jac-serve-cli-'));
const appDir = join(dir, 'app');
const data = join(dir, 'data');

const PROGRAM = `
node Counter { has n: int = 0; }
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
`;

/** Starts the CLI on a free port and waits until /healthz answers. */
async function start(args: string[] = [], folder = appDir, dataDir = data): Promise<CliServer> {
  const server = await startCli([folder, '--port', '0', '--data', dataDir, '--log-level', 'warn', ...args], process.env, 20_000);
  assert.is((await fetch(`${server.url}/healthz`)).status, 200);
  return server;
}

async function login(url: string): Promise<string> {
  const account = { email: 'ops@example.com', password: 'secret' };
  await fetch(`${url}/user/register`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(account) });
  const r = await fetch(`${url}/user/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(account) });
  return `Bearer ${((await r.json()) as { token: string }).token}`;
}

test.before(() => {
  spawnSync('mkdir', ['-p', appDir]);
  writeFileSync(join(appDir, 'counter.jac'), PROGRAM);
});

test('serves a folder: prints its routes, answers walkers over HTTP; a second server on the data dir is refused', async () => {
  const server = await start();
  assert.match(server.output(), /POST   http:\/\/127\.0\.0\.1:\d+\/walker\/bump/);
  assert.not.match(server.output(), /warning/, 'a data dir the server made is its owner\'s alone');
  assert.match(server.output(), /GET    http:\/\/127\.0\.0\.1:\d+\/walker\/count/);
  const authorization = await login(server.url);
  const r = await fetch(`${server.url}/walker/bump`, { method: 'POST', headers: { authorization } });
  assert.equal((await r.json()) as unknown, { status: 200, reports: [1] });
  const second = spawnSync(process.execPath, [BIN, appDir, '--port', '0', '--data', data], { encoding: 'utf8', timeout: 20_000 });
  assert.is(second.status, 1);
  assert.match(second.stderr, /data dir .* is in use by process \d+/);
  server.process.kill('SIGTERM');
  assert.is(await exited(server.process), 0);
});

test('a data dir that other users can reach is served, with a warning naming its mode and the fix; its mode is left as it is', async () => {
  const open = mkdtempSync(join(tmpdir(), 'jac-serve-open-'));
  chmodSync(open, 0o755);
  const server = await start([], appDir, open);
  assert.match(server.output(), new RegExp(`warning: other users can reach the data dir ${open} \\(mode 755\\).*master key: chmod 700 ${open}`));
  server.process.kill('SIGTERM');
  assert.is(await exited(server.process), 0);
  assert.is(statSync(open).mode & 0o777, 0o755);
});

test('SIGTERM lets requests under way finish and loses none of the acknowledged ones', async () => {
  const server = await start();
  const authorization = await login(server.url);
  const counts = async (url: string, auth: string) => ((await (await fetch(`${url}/walker/count`, { headers: { authorization: auth } })).json()) as { reports: number[][] }).reports[0];
  const before = (await counts(server.url, authorization))[0] ?? 0;
  let killed = false;
  const requests = Array.from({ length: 40 }, () =>
    fetch(`${server.url}/walker/bump`, { method: 'POST', headers: { authorization } }).then(
      (r) => {
        // Stop the server as soon as the first answer is in, with the others under way.
        if (!killed) {
          killed = true;
          server.process.kill('SIGTERM');
        }
        return r.status;
      },
      () => 0, // refused once the server stopped accepting
    ),
  );
  const statuses = await Promise.all(requests);
  assert.ok(statuses.filter((s) => s === 200).length >= 1);
  assert.is(await exited(server.process), 0);
  const acknowledged = statuses.filter((s) => s === 200).length;
  const again = await start();
  const after = (await counts(again.url, await login(again.url)))[0];
  assert.is(after, before + acknowledged, `${acknowledged} acknowledged`);
  again.process.kill('SIGTERM');
  await exited(again.process);
});

test('a program that does not load is reported with file:line:col and the server does not start', () => {
  const bad = join(dir, 'bad');
  spawnSync('mkdir', ['-p', bad]);
  writeFileSync(join(bad, 'w.jac'), 'walker w {\n    obj __specs__ { static has methodz: list = ["get"]; }\n}\n');
  const r = spawnSync(process.execPath, [BIN, bad, '--port', '0', '--data', join(dir, 'data-bad')], { encoding: 'utf8', timeout: 20_000 });
  assert.is(r.status, 1);
  assert.match(r.stderr, /w\.jac:2:\d+: error\[JAC_LOAD_ERROR\]: walker w: __specs__ methodz is not an option jac-serve knows/);
});

test('webhooks through the real CLI: a key made over HTTP and one made by `jac-serve keys` both call a webhook walker', async () => {
  const examples = fileURLToPath(new URL('../../examples/webhooks', import.meta.url));
  const hookData = join(dir, 'data-hooks');
  const server = await start([], examples, hookData);
  const authorization = await login(server.url);
  const made = await fetch(`${server.url}/webhook/generate-key`, { method: 'POST', headers: { authorization, 'content-type': 'application/json' }, body: JSON.stringify({ name: 'ci' }) });
  assert.is(made.status, 201);
  const { key } = (await made.json()) as { key: string };
  const call = (url: string, headers: Record<string, string>) => fetch(`${url}/webhook/walker/ci_event`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ service: 'api', version: '1.2.0' }) });
  const called = await call(server.url, { 'x-api-key': key });
  assert.equal((await called.json()) as unknown, { status: 200, reports: [{ recorded: 'api 1.2.0', status: 'succeeded' }] });
  const busy = spawnSync(process.execPath, [BIN, 'keys', 'list', '--data', hookData, '--email', 'ops@example.com'], { encoding: 'utf8', timeout: 20_000 });
  assert.is(busy.status, 1, 'the data dir is held by the running server');
  server.process.kill('SIGTERM');
  await exited(server.process);
  const created = spawnSync(process.execPath, [BIN, 'keys', 'create', '--data', hookData, '--email', 'ops@example.com', '--name', 'deploy-script', '--walkers', 'ci_event', '--app', examples], { encoding: 'utf8', timeout: 20_000 });
  assert.is(created.status, 0, created.stderr);
  const cliKey = /jacwh_[0-9a-f]{16}_[A-Za-z0-9_-]{43}[0-9a-f]{8}/.exec(created.stdout)![0];
  const listed = spawnSync(process.execPath, [BIN, 'keys', 'list', '--data', hookData, '--email', 'ops@example.com'], { encoding: 'utf8', timeout: 20_000 });
  assert.match(listed.stdout, /deploy-script/);
  assert.not.ok(listed.stdout.includes(cliKey.slice('jacwh_'.length + 17)), 'the secret (after the key id; it may hold \'_\') is never listed');
  const again = await start([], examples, hookData);
  assert.is((await call(again.url, { 'x-api-key': cliKey })).status, 200);
  again.process.kill('SIGTERM');
  await exited(again.process);
});

/** What the server sends back for `data` written raw on a new connection, until it closes it (or 5 s pass). */
function rawExchange(url: string, data: string): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    let got = '';
    const socket = connect({ host: hostname, port: Number(port) }, () => socket.write(data));
    socket.on('data', (d) => (got += d));
    socket.on('close', () => resolve(got));
    socket.on('error', () => undefined);
    setTimeout(() => socket.destroy(), 5_000);
  });
}

test('requests Node or the router cannot read are answered in JSON without echoing them; a signed delivery whose connection broke still counts as a failed attempt', async () => {
  const examples = fileURLToPath(new URL('../../examples/webhooks', import.meta.url));
  const server = await start([], examples, join(dir, 'data-raw'));
  try {
    const authorization = await login(server.url);
    const made = await fetch(`${server.url}/webhook/generate-key`, { method: 'POST', headers: { authorization, 'content-type': 'application/json' }, body: JSON.stringify({ name: 'gh', signing: { scheme: 'github' } }) });
    const { id } = (await made.json()) as { id: string };
    const answer = (raw: string) => {
      const [head, body] = raw.split('\r\n\r\n');
      return { status: Number(head.split(' ')[1]), json: head.toLowerCase().includes('content-type: application/json'), body };
    };
    const badHeader = answer(await rawExchange(server.url, 'GET /healthz HTTP/1.1\r\nHost: x\r\nX-Bad: a\u0001b\r\n\r\n'));
    assert.equal([badHeader.status, badHeader.json, JSON.parse(badHeader.body)], [400, true, { detail: 'The request is not valid HTTP' }]);
    const huge = answer(await rawExchange(server.url, `POST /webhook/walker/github_push?key_id=${id} HTTP/1.1\r\nHost: x\r\nX-Hub-Signature-256: ${'0'.repeat(100_000)}\r\n\r\n`));
    assert.equal([huge.status, huge.json, JSON.parse(huge.body)], [431, true, { detail: 'The request\'s headers are too large' }]);
    const badUrl = await fetch(`${server.url}/webhook/deliveries/%ZZsecret/replay`, { method: 'POST', headers: { authorization } });
    assert.equal([badUrl.status, await badUrl.json()], [400, { detail: 'The URL is not valid: a % in it does not start an escape' }]);
    const longParam = await fetch(`${server.url}/webhook/deliveries/${'a'.repeat(500)}/replay?token=secret`, { method: 'POST', headers: { authorization } });
    assert.equal([longParam.status, await longParam.json()], [414, { detail: 'A part of the URL path is too long' }]);
    // A delivery with a bad signature, then bytes that are not HTTP on its connection: the
    // connection is gone by the time the signature is checked; the attempt counts all the same.
    const body = '{"ref":"x"}';
    const forged = `POST /webhook/walker/github_push?key_id=${id} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nX-Hub-Signature-256: sha256=${'0'.repeat(64)}\r\nContent-Length: ${body.length}\r\n\r\n${body}`;
    for (let i = 0; i < 10; i++) await rawExchange(server.url, `${forged}GARBAGE\r\n\r\n`);
    const after = answer(await rawExchange(server.url, forged.replace('HTTP/1.1\r\n', 'HTTP/1.1\r\nConnection: close\r\n')));
    assert.is(after.status, 429, 'the ten broken attempts counted toward the limit');
    assert.not.match(server.output(), /request failed|TypeError/);
  } finally {
    server.process.kill('SIGTERM');
    await exited(server.process);
  }
});

/** Polls `probe` until it holds (a reload takes a moment to notice and load). */
async function until(probe: () => Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (await probe()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

test('--watch: a changed file is served at once; a change that does not load keeps the last good program', async () => {
  const folder = join(dir, 'watched');
  spawnSync('mkdir', ['-p', folder]);
  writeFileSync(join(folder, 'a.jac'), 'walker hello {\n    obj __specs__ { static has auth: bool = False; }\n    can go with `root entry { report "v1"; }\n}\n');
  const server = await start(['--watch'], folder, join(dir, 'data-watch'));
  const hello = async () => ((await (await fetch(`${server.url}/walker/hello`, { method: 'POST' })).json()) as { reports: string[] }).reports[0];
  assert.is(await hello(), 'v1');
  writeFileSync(join(folder, 'a.jac'), 'walker hello {\n    obj __specs__ { static has auth: bool = False; }\n    can go with `root entry { report "v2"; }\n}\nwalker added {\n    obj __specs__ { static has auth: bool = False; }\n    can go with `root entry { report 2; }\n}\n');
  await until(async () => (await fetch(`${server.url}/walker/added`, { method: 'POST' })).status === 200, 'the new walker');
  assert.is(await hello(), 'v2');
  writeFileSync(join(folder, 'a.jac'), 'walker hello {\n    can go with `root entry { report "v3" }\n}\n');
  await until(async () => server.output().includes('still serving the last good program'), 'the reload error');
  assert.match(server.output(), /a\.jac:2:\d+: error\[JAC_SYNTAX_EXPECTED\]/);
  assert.is(await hello(), 'v2');
  server.process.kill('SIGTERM');
  assert.is(await exited(server.process), 0);
});

test.run();
