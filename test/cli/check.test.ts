// `jac-serve check` as a user runs it: the real CLI started as a process.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

const bin = fileURLToPath(new URL('../../bin/jac-serve.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'jac-serve-check-'));

function run(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: dir, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

writeFileSync(join(dir, 'good.jac'), 'node Todo { has title: str; }\nwith entry { root ++> Todo("milk"); }\n');
writeFileSync(join(dir, 'bad.jac'), 'with entry {\n    x = 1\n    y = (2;\n}\n');
mkdirSync(join(dir, 'app'));
writeFileSync(join(dir, 'app', 'a.jac'), 'walker A { can go with `root entry { report 1; } }\n');
writeFileSync(join(dir, 'app', 'b.jac'), 'walker B { can go with `root entry { report 2; } }\n');
writeFileSync(join(dir, 'app', 'notes.txt'), 'not jac');
mkdirSync(join(dir, 'empty'));

test('a valid file: exit 0 and a summary', () => {
  const r = run('check', 'good.jac');
  assert.is(r.code, 0);
  assert.is(r.stderr, 'checked 1 file: no problems\n');
});

test('a file with errors: exit 1, every error with file:line:col, code and frame', () => {
  const r = run('check', 'bad.jac');
  assert.is(r.code, 1);
  assert.match(r.stderr, "bad.jac:2:10: error[JAC_SYNTAX_EXPECTED]: expected ';' after statement, found name 'y'\n2 |     x = 1\n  |          ^\n");
  assert.match(r.stderr, /bad\.jac:3:11: error\[JAC_SYNTAX_EXPECTED\]: expected '\)' to close the bracket/);
  assert.match(r.stderr, /checked 1 file: 2 errors\n$/);
  assert.not.match(r.stderr, /at .*\.ts:\d+/, 'no JS stack trace');
});

test('a folder: every .jac file directly in it, and nothing else', () => {
  const r = run('check', 'app');
  assert.is(r.code, 0);
  assert.is(r.stderr, 'checked 2 files: no problems\n');
});

test('several paths together; one bad file makes the run fail', () => {
  const r = run('check', 'app', 'good.jac', 'bad.jac');
  assert.is(r.code, 1);
  assert.match(r.stderr, /checked 4 files: 2 errors/);
});

test('a missing path or a folder without .jac files is a clear error', () => {
  const missing = run('check', 'nope.jac');
  assert.is(missing.code, 1);
  assert.is(missing.stderr, 'jac-serve: no such file or folder: nope.jac\n');
  const empty = run('check', 'empty');
  assert.is(empty.code, 1);
  assert.is(empty.stderr, 'jac-serve: no .jac files in empty\n');
});

test('no command shows the usage and fails', () => {
  const r = run();
  assert.is(r.code, 1);
  assert.match(r.stderr, /jac-serve check <paths\.\.>/);
});

test.after(() => rmSync(dir, { recursive: true, force: true }));
test.run();
