// `jac-serve run` as a user runs it: the real CLI started as a process.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

const bin = fileURLToPath(new URL('../../bin/jac-serve.js', import.meta.url));
const cases = fileURLToPath(new URL('../cases', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'jac-serve-run-'));

function run(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [bin, 'run', ...args], { cwd: dir, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('prints exactly what jaclang 0.8.0 printed for a walker program', () => {
  const file = join(cases, 'walkers', 'spec_6_2_bus.jac');
  const r = run(file);
  assert.is(r.code, 0);
  assert.is(r.stderr, '');
  assert.is(r.stdout, readFileSync(file.replace(/\.jac$/, '.out'), 'utf8'));
});

test('an uncaught error: file:line:col, Python type and message, code frame, Jac trace; exit 1', () => {
  writeFileSync(join(dir, 'boom.jac'), 'walker W {\n    can go with `root entry { self.f(); }\n    def f { x = 1 / 0; }\n}\nwith entry {\n    print("start");\n    root spawn W();\n}\n');
  const r = run('boom.jac');
  assert.is(r.code, 1);
  assert.is(r.stdout, 'start\n');
  assert.is(r.stderr, 'boom.jac:3:13: ZeroDivisionError: division by zero\n3 |     def f { x = 1 / 0; }\n  |             ^^^^^^^^^^\n  in W.f\n  in W.go\n');
});

test('an endless loop ends with a clear budget error, at the statement where the run was, instead of hanging', () => {
  writeFileSync(join(dir, 'loop.jac'), 'def spin() {\n    while True { }\n}\nwith entry { spin(); }\n');
  const r = run('--max-steps', '10000', 'loop.jac');
  assert.is(r.code, 1);
  assert.is(r.stderr, 'loop.jac:2:5: BudgetExhausted: step budget exhausted after 10,000 steps\n2 |     while True { }\n  |     ^^^^^^^^^^^^^^\n  in spin\n');
});

test('a syntax error is reported as by check, and nothing runs', () => {
  writeFileSync(join(dir, 'bad.jac'), 'with entry {\n    print("x")\n}\n');
  const r = run('bad.jac');
  assert.is(r.code, 1);
  assert.is(r.stdout, '');
  assert.match(r.stderr, /^bad\.jac:2:15: error\[JAC_SYNTAX_EXPECTED\]: expected ';' after statement/);
});

test('sibling .jac modules and math are imported; another Python module is a load error naming the import', () => {
  writeFileSync(join(dir, 'lib.jac'), 'glob GREETING = "hi";\ndef shout(s: str) -> str { return s.upper(); }\nwith entry:__main__ { print("lib main"); }\n');
  writeFileSync(join(dir, 'app.jac'), 'import from .lib { shout, GREETING as g }\nimport lib;\nwith entry { print(shout(g), lib.GREETING); }\n');
  const ok = run('app.jac');
  assert.is(ok.stderr, '');
  assert.is(ok.stdout, 'HI hi\n');
  writeFileSync(join(dir, 'm.jac'), 'import math;\nwith entry { print(math.floor(2.5), math.sqrt(4)); }\n');
  assert.equal(run('m.jac'), { code: 0, stdout: '2 2.0\n', stderr: '' });
  writeFileSync(join(dir, 'py.jac'), 'with entry { print(1); }\nimport random;\n');
  const r = run('py.jac');
  assert.is(r.code, 1);
  assert.is(r.stdout, '', 'nothing runs');
  assert.match(r.stderr, /^py\.jac:2:8: error\[JAC_LOAD_IMPORT\]: cannot import 'random': it is not a \.jac file beside this one, and Python modules cannot be imported/);
});

test('a program using what cannot run yet is refused with a diagnostic', () => {
  writeFileSync(join(dir, 'u.jac'), 'with entry {\n    print(1);\n    t = (a=1, b=2);\n}\n');
  const r = run('u.jac');
  assert.is(r.code, 1);
  assert.is(r.stdout, '');
  assert.match(r.stderr, /^u\.jac:3:9: error\[JAC_RUNTIME_UNSUPPORTED\]: not supported yet: keyword tuples/);
});

test('a missing file is a usage error', () => {
  const r = run('nope.jac');
  assert.is(r.code, 1);
  assert.is(r.stderr, 'jac-serve: cannot read nope.jac\n');
});

test.after(() => rmSync(dir, { recursive: true, force: true }));
test('run --data: a second run sees the graph the first left; a damaged data file stops the run with its name', () => {
  const program = [
    'node Visit { has n: int; }',
    'with entry {',
    '    seen = [root -->];',
    '    root ++> Visit(n=len(seen) + 1);',
    '    print([v.n for v in [root -->]]);',
    '}',
  ].join('\n');
  writeFileSync(join(dir, 'visits.jac'), program);
  assert.equal(run('--data', 'store', 'visits.jac'), { code: 0, stdout: '[1]\n', stderr: '' });
  assert.equal(run('--data', 'store', 'visits.jac'), { code: 0, stdout: '[1, 2]\n', stderr: '' });
  assert.equal(run('visits.jac'), { code: 0, stdout: '[1]\n', stderr: '' }, 'without --data, a fresh root');
  // A snapshot cut short (the runs so far left only a journal).
  const file = join(dir, 'store', 'roots', '000000000000000000000000.json');
  writeFileSync(file, '{"format":2,"root":"n::00000000');
  const broken = run('--data', 'store', 'visits.jac');
  assert.is(broken.code, 1);
  assert.is(broken.stdout, '', 'nothing runs on a graph that did not load');
  assert.match(broken.stderr, /^jac-serve: .*store\/roots\/000000000000000000000000\.json:1:\d+: not valid JSON/);
});

test.run();
