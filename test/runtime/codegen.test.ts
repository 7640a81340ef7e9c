// Function bodies compiled to JavaScript: where their errors are reported, and that a
// program's text reaches the generated source only as data.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parse } from '../../grammar/index.ts';
import { PyFunction } from '../../runtime/interpreter/callables.ts';
import { runModule } from '../../runtime/interpreter/run.ts';

function run(source: string, codegen: boolean) {
  const { module, diagnostics } = parse(source, 't.jac');
  assert.ok(module, diagnostics[0]?.message);
  let out = '';
  const result = runModule(module!, (text) => (out += text), { codegen });
  return { out, error: result.error, line: result.errorDetail?.span?.line ?? null, trace: result.errorDetail?.trace ?? [], globals: result.globals };
}

/** Runs `source` both ways; they must agree, and the error must be reported on `line`. */
function failsAt(source: string, line: number, error: string) {
  const generated = run(source, true);
  const closures = run(source, false);
  assert.equal(generated, { ...closures, globals: generated.globals });
  assert.is(generated.error, error);
  assert.is(generated.line, line);
}

test("an error from a loop's iterator is the loop's, not the last statement of its body", () => {
  failsAt(
    `def f(d: dict) {
    for k in d {
        x = 1;
        d[k + "!"] = 2;
    }
}
with entry { f({"a": 1}); }`,
    2,
    'RuntimeError: dictionary changed size during iteration',
  );
});

test('an error in a while test after its body ran is the while statement', () => {
  failsAt(
    `def f() {
    n = 0;
    while 10 // (2 - n) {
        n += 1;
    }
}
with entry { f(); }`,
    3,
    'ZeroDivisionError: integer division or modulo by zero',
  );
});

test('an error unpacking a loop item after `continue` is the loop statement', () => {
  failsAt(
    `def f(xs: list) {
    for (a, b) in xs {
        if a == 1 { continue; }
        print(a);
    }
}
with entry { f([(1, 2), (3, 4, 5)]); }`,
    2,
    'ValueError: too many values to unpack (expected 2)',
  );
});

test('an error in an else block after a loop, and in a nested if, is its own statement', () => {
  failsAt(
    `def f(n: int) {
    for i in range(n) {
        if i > 5 {
            if i > 6 { print(i); }
        }
    } else {
        print([][n]);
    }
}
with entry { f(3); }`,
    7,
    'IndexError: list index out of range',
  );
});

test('a string literal is data in the generated code, whatever it holds', () => {
  const nasty = "`); globalThis.pwned = 1; (` */ ' ${x} \u2028";
  const { out, error } = run(`def f() -> str { return "${nasty}"; }\nwith entry { print(f()); }`, true);
  assert.is(error, null);
  assert.is(out, `${nasty}\n`);
  assert.is((globalThis as { pwned?: unknown }).pwned, undefined);
});

test('a function defined in Jac runs as its own generated JavaScript', () => {
  const { globals } = run('def f(n: int) -> int { return n + 1; }\nwith entry { print(f(1)); }', true);
  const f = globals.get('f');
  assert.instance(f, PyFunction);
  assert.is((f as PyFunction).body.name, 'jac');
  const { globals: closures } = run('def f(n: int) -> int { return n + 1; }\nwith entry { print(f(1)); }', false);
  assert.is.not((closures.get('f') as PyFunction).body.name, 'jac');
});

test('code nested too deeply to compile is a diagnostic at its place, not a crash', () => {
  const source = `with entry { print(1); }\ndef f(x: int) -> int { return ${Array(5000).fill('x').join(' + ')}; }`;
  for (const codegen of [true, false]) {
    const { module } = parse(source, 't.jac');
    const result = runModule(module!, () => undefined, { codegen });
    assert.is(result.unsupported?.code, 'JAC_RUNTIME_TOO_DEEP');
    assert.is(result.unsupported?.span.line, 2);
  }
});

test.run();
