// The command line's first minutes as a new user meets them, through the real CLI: a bad flag is
// one line and exit 2 (no help dump, no stack trace); a start that fails leaves nothing behind;
// `check` runs no module code; a GET walker's fields come from the query string.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

const bin = fileURLToPath(new URL('../../bin/jac-serve.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'jac-serve-flags-'));
const GREET = `walker greet {
    has name: str = "world";
    has times: int = 1;
    obj __specs__ { static has methods: list = ["get"]; static has auth: bool = False; }
    can go with \`root entry { report [f"hello {self.name}"] * self.times; }
}
`;
/** A program whose module code would print and then never end. */
const app = join(dir, 'app.jac');
writeFileSync(app, `${GREET}with entry { print("module code ran"); while True { x = 1; } }\n`);
/** The same walker without module code, to serve. */
const served = join(dir, 'served');
mkdirSync(served);
writeFileSync(join(served, 'app.jac'), GREET);

function cli(args: string[], timeout = 30_000): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: dir, encoding: 'utf8', timeout });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function assertUsageLine(r: { code: number | null; stdout: string; stderr: string }, pattern: RegExp): void {
  assert.is(r.code, 2, r.stderr);
  assert.match(r.stderr, pattern);
  assert.ok(r.stderr.split('\n').filter(Boolean).length <= 2, `one line and a pointer to --help:\n${r.stderr}`);
  assert.not.match(r.stderr, /Positionals:|Options:/, 'no help dump');
  assert.not.match(r.stderr, /^\s+at /m, 'no stack trace');
  assert.is(r.stdout, '', 'the program was not loaded');
}

test('bad flags to serve: one line each, exit 2, before anything loads', () => {
  assertUsageLine(cli(['serve', app, '--port', 'abc']), /^jac-serve: --port must be a whole number from 0 to 65535\n/);
  assertUsageLine(cli(['serve', app, '--port', '99999']), /--port must be a whole number from 0 to 65535, not 99999/);
  assertUsageLine(cli(['serve', app, '--max-steps', '-5']), /--max-steps must be a whole number from 1 up, not -5/);
  assertUsageLine(cli(['serve', app, '--workers', '0']), /--workers must be a whole number from 1 up, not 0/);
  assertUsageLine(cli(['serve', app, '--background-runs', '0']), /--background-runs must be a whole number from 1 up, not 0/);
  assertUsageLine(cli(['serve', app, '--max-memory-mb', 'abc']), /--max-memory-mb must be a whole number from 1 up/);
  assertUsageLine(cli(['serve', app, '--cache-mb', '-1']), /--cache-mb must be a whole number from 0 up, not -1/);
  assertUsageLine(cli(['serve', app, '--max-queued-runs', '2.5']), /--max-queued-runs must be a whole number from 0 up, not 2.5/);
  assertUsageLine(cli(['serve', app, '--max-queued-mb', '0']), /--max-queued-mb must be a positive number, not 0/);
  assertUsageLine(cli(['serve', app, '--max-queued-total-mb', 'lots']), /--max-queued-total-mb must be a positive number\n/);
  assertUsageLine(cli(['serve', app, '--max-keys-per-user', '-1']), /--max-keys-per-user must be a whole number from 0 up, not -1/);
  assertUsageLine(cli(['keys', 'create', '--data', tmpdir(), '--email', 'ops@example.com', '--name', 'n', '--max-keys-per-user', '1.5']), /--max-keys-per-user must be a whole number from 0 up, not 1.5/);
  assertUsageLine(cli(['serve', app, '--max-seconds', '0']), /--max-seconds must be a positive number, not 0/);
  assertUsageLine(cli(['serve', app, '--job-lease-seconds', '-1']), /--job-lease-seconds must be a positive number, not -1/);
  assertUsageLine(cli(['serve', app, '--job-retention-days', '-2']), /--job-retention-days must be a number of days, 0 or more, not -2/);
  assertUsageLine(cli(['serve', app, '--max-upload-mb', '0']), /--max-upload-mb must be a positive number, not 0/);
  assertUsageLine(cli(['serve', app, '--max-upload-files', '1.5']), /--max-upload-files must be a whole number from 1 up, not 1.5/);
  assertUsageLine(cli(['serve', app, '--data', app]), /--data must name a folder; .*app\.jac is a file/);
  assertUsageLine(cli(['serve', app, '--bogus']), /Unknown argument: bogus/);
  assertUsageLine(cli(['run', app, '--max-steps', '0']), /--max-steps must be a whole number from 1 up, not 0/);
});

test('a data dir that cannot be made (under /proc) is a one-line error, not a hang', () => {
  const r = cli(['serve', app, '--data', '/proc/jac-serve-data', '--port', '0'], 20_000);
  assert.is(r.code, 1, `exit 1 within the timeout: ${r.stderr}`);
  assert.match(r.stderr, /^jac-serve: cannot create the folder \/proc\/jac-serve-data: ENOENT\n$/);
});

test('a start that fails on a used port leaves no data dir and no LOCK behind', async () => {
  const blocker = net.createServer();
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
  const port = (blocker.address() as net.AddressInfo).port;
  try {
    const data = join(dir, 'never-made');
    const r = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, [bin, 'serve', served, '--data', data, '--port', String(port)], { cwd: dir });
      let stderr = '';
      child.stderr.on('data', (d) => (stderr += d));
      child.on('close', (code) => resolve({ code, stderr }));
    });
    assert.is(r.code, 1, r.stderr);
    assert.match(r.stderr, new RegExp(`^jac-serve: port ${port} on 127\\.0\\.0\\.1 is in use\\n$`));
    assert.not.ok(existsSync(data), 'the data dir it would have made is gone');
  } finally {
    blocker.close();
  }
});

test('check defines the program without running its module code', () => {
  const r = cli(['check', app], 20_000);
  assert.is(r.code, 0, r.stderr);
  assert.is(r.stdout, '', 'nothing printed by `with entry`, and its endless loop never ran');
  assert.is(r.stderr, 'checked 1 file: no problems\n');
});

test('a GET walker takes its fields from the query string', async () => {
  const child = spawn(process.execPath, [bin, 'serve', served, '--data', join(dir, 'get-data'), '--port', '0', '--workers', '1'], { cwd: dir });
  try {
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no URL: ${out}`)), 20_000);
      child.stdout.on('data', () => {
        const m = /listening on (http:\/\/\S+)/.exec(out);
        if (m) {
          clearTimeout(timer);
          resolve(m[1]);
        }
      });
    });
    const asked = await fetch(`${url}/walker/greet?name=jac&times=2`);
    assert.is(asked.status, 200);
    assert.equal(await asked.json(), { status: 200, reports: [['hello jac', 'hello jac']] });
    assert.equal(await (await fetch(`${url}/walker/greet`)).json(), { status: 200, reports: [['hello world']] }, 'defaults');
    const bad = await fetch(`${url}/walker/greet?times=many`);
    assert.is(bad.status, 422, 'a query value of the wrong type');
    assert.match(out, /GET\s+http:\/\/\S+\/walker\/greet/);
  } finally {
    child.kill('SIGTERM');
    await new Promise((resolve) => child.on('close', resolve));
  }
});

/** Serves `served` with `command` wrapping the CLI; resolves with what it printed once /healthz was logged. */
async function logOf(wrap: (args: string[]) => [string, string[]], data: string): Promise<string> {
  const [command, args] = wrap([process.execPath, bin, 'serve', served, '--data', join(dir, data), '--port', '0', '--workers', '1']);
  const child = spawn(command, args, { cwd: dir, detached: true });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  try {
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no URL: ${out}`)), 20_000);
      child.stdout.on('data', () => {
        const m = /listening on (http:\/\/[^\s]+)/.exec(out);
        if (m) {
          clearTimeout(timer);
          resolve(m[1]);
        }
      });
    });
    await fetch(`${url}/healthz`);
    for (let waited = 0; !/healthz/.test(out.slice(out.indexOf('listening on'))) && waited < 5_000; waited += 50) await new Promise((r) => setTimeout(r, 50));
    return out;
  } finally {
    process.kill(-child.pid!, 'SIGTERM');
    await new Promise((resolve) => child.on('close', resolve));
  }
}

test('logs: JSON lines when stdout is not a terminal, pretty coloured lines on a terminal', async () => {
  const piped = await logOf((args) => [args[0], args.slice(1)], 'log-json');
  const line = piped.split('\n').find((l) => l.includes('"route":"/healthz"'));
  assert.ok(line, piped);
  assert.is(JSON.parse(line!).msg, 'request');
  // `script` runs the server on a pseudo-terminal.
  const shown = await logOf((args) => ['script', ['-qfc', args.map((a) => `'${a}'`).join(' '), '/dev/null']], 'log-tty');
  const pretty = shown.split('\n').find((l) => l.includes('/healthz') && l.includes('request'));
  assert.ok(pretty, shown);
  assert.match(pretty!, /^\[\d\d:\d\d:\d\d\.\d{3}\] \u001b\[32mINFO\u001b\[39m: /, 'time, coloured level, message');
  assert.not.match(pretty!, /"level":/);
});

test.run();
