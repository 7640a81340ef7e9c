// What bad input gets: positions, stable codes, messages in Jac words, code frames, recovery.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { codeFrame, formatDiagnostic, parse } from '../../grammar/index.ts';
import { syntaxCodes } from '../../grammar/diagnostics.ts';
import { parseErrors } from '../helpers/ast.ts';

const at = (d: { span: { line: number; col: number } }) => `${d.span.line}:${d.span.col}`;

test('a missing semicolon is reported at the end of the statement, not at the next line', () => {
  const [d, ...rest] = parseErrors('with entry {\n    x = 1\n    y = 2;\n}\n');
  assert.is(rest.length, 0);
  assert.is(at(d), '2:10');
  assert.is(d.code, 'JAC_SYNTAX_EXPECTED');
  assert.is(d.message, "expected ';' after statement, found name 'y'");
});

test('formatDiagnostic prints file:line:col, severity, code, message and a caret frame', () => {
  const source = 'with entry {\n    x = 1\n    y = 2;\n}\n';
  const [d] = parse(source, 'app/todo.jac').diagnostics;
  assert.is(
    formatDiagnostic(d, source),
    "app/todo.jac:2:10: error[JAC_SYNTAX_EXPECTED]: expected ';' after statement, found name 'y'\n" +
      '2 |     x = 1\n' +
      '  |          ^',
  );
});

test('the caret spans the whole offending token', () => {
  const source = 'with entry { pass = 1; }';
  const [d] = parse(source, 'f.jac').diagnostics;
  assert.is(d.code, 'JAC_SYNTAX_PY_KEYWORD');
  assert.is(d.message, 'Python keyword pass used as name');
  assert.is(codeFrame(source, d.span), '1 | with entry { pass = 1; }\n  |              ^^^^');
});

test('the code frame of a very long line is cut around the column', () => {
  const source = 'with entry { x = ' + '1 + '.repeat(2000) + '; }';
  const [d] = parse(source, 'f.jac').diagnostics;
  const frame = codeFrame(source, d.span);
  const [line, caret] = frame.split('\n');
  assert.ok(line.length < 200, 'frame line is bounded');
  assert.ok(line.includes('…'));
  assert.is(line.indexOf('; }') - line.indexOf('|'), caret.indexOf('^') - caret.indexOf('|'), 'caret under the ;');
});

test('error recovery reports every independent error in one run', () => {
  const source = [
    'node A { has x: int }', // missing ';' after has
    'walker W {',
    '    can go with entry { x = ; }', // missing expression
    '}',
    'with entry {',
    '    y = (1 + 2;', // unclosed paren
    '    print("ok");',
    '}',
    'x = 5;', // statement at the top level
    'obj B { has z: int; }',
    'with entry { z = ]; }', // after the top-level junk
  ].join('\n');
  const ds = parseErrors(source);
  assert.equal(ds.map(at), ['1:21', '3:29', '6:15', '9:1', '11:18']);
  assert.equal(ds.map((d) => d.code), ['JAC_SYNTAX_EXPECTED', 'JAC_SYNTAX_UNEXPECTED', 'JAC_SYNTAX_EXPECTED', 'JAC_SYNTAX_UNEXPECTED', 'JAC_SYNTAX_UNEXPECTED']);
});

test('a statement at the top level says where statements go', () => {
  const [d] = parseErrors('print("hi");\n');
  assert.is(d.code, 'JAC_SYNTAX_UNEXPECTED');
  assert.match(d.message, /^unexpected name 'print': expected a declaration/);
  assert.match(d.message, /go inside 'with entry \{ \.\.\. \}'/);
});

test('`can` without an event clause explains abilities and points to def', () => {
  const [d, ...rest] = parseErrors('walker W {\n    can go() { }\n}\n');
  assert.is(rest.length, 0, 'the cascade on the same line is not reported');
  assert.is(at(d), '2:11');
  assert.is(d.code, 'JAC_SYNTAX_ABILITY_EVENT');
  assert.match(d.message, /'can NAME with \[TYPE\] entry\|exit/);
  assert.match(d.message, /use 'def' for a method/);
});

test('a tuple without parentheses gets a hint (gotcha 13)', () => {
  const [d] = parseErrors('with entry { x, y = 1, 2; }');
  assert.is(d.code, 'JAC_SYNTAX_TUPLE_PARENS');
  assert.is(at(d), '1:15');
  assert.match(d.message, /tuples need parentheses/);
});

test('f-string format specs are refused with an explanation (gotcha 13)', () => {
  const [d] = parseErrors('with entry { print(f"{x:.2f}"); }');
  assert.is(d.code, 'JAC_SYNTAX_FSTRING');
  assert.is(at(d), '1:24');
  assert.match(d.message, /format specs/);
});

test('a lone } in an f-string is an f-string error', () => {
  const [d] = parseErrors('with entry { print(f"a}b"); }');
  assert.is(d.code, 'JAC_SYNTAX_FSTRING');
  assert.is(at(d), '1:23');
});

test('triple-quoted f-strings are refused rather than misread as f"" + "..."', () => {
  const [d] = parseErrors('with entry { x = f"""{y}"""; }');
  assert.is(d.code, 'JAC_SYNTAX_FSTRING');
  assert.is(at(d), '1:18');
  assert.match(d.message, /triple-quoted f-strings/);
});

test('~= parses as a token but is not an assignment operator', () => {
  const [d] = parseErrors('with entry { x ~= 1; }');
  assert.is(d.code, 'JAC_SYNTAX_INVALID');
  assert.match(d.message, /'~=' is not an assignment operator/);
});

test("'!' is an unexpected character with a hint to use not", () => {
  const [d] = parseErrors('with entry { if !x { } }');
  assert.is(d.code, 'JAC_SYNTAX_UNEXPECTED_CHAR');
  assert.is(at(d), '1:17');
  assert.match(d.message, /use 'not'/);
});

test('an unterminated string is reported at its opening quote', () => {
  const ds = parseErrors('with entry {\n    print("abc);\n}\n');
  assert.is(ds[0].code, 'JAC_SYNTAX_UNTERMINATED_STRING');
  assert.is(at(ds[0]), '2:11');
  assert.match(ds[0].message, /no closing " on this line/);
});

test('an unterminated triple-quoted string says it runs to the end of the file', () => {
  const ds = parseErrors('with entry {\n    x = """abc\n}\n');
  assert.is(ds[0].code, 'JAC_SYNTAX_UNTERMINATED_STRING');
  assert.match(ds[0].message, /before the end of the file/);
});

test('an inline ::py:: block parses; one without its closing ::py:: is one error at its opening', () => {
  assert.equal(parse('obj A {}\n::py::\ndef f():\n    return {"a": 1}\n::py::\nwith entry { print(A()); }\n').diagnostics, []);
  const ds = parseErrors('obj A {}\n::py::\ndef f():\n    return 1\nwith entry { print(A()); }\n');
  assert.is(ds.length, 1);
  assert.is(ds[0].code, 'JAC_SYNTAX_UNTERMINATED_PY');
  assert.is(at(ds[0]), '2:1');
  assert.match(ds[0].message, /without its closing ::py::/);
});

test('an escaped quote ends a string, as in jaclang 0.8.0 (reference error at 2:18)', () => {
  const ds = parseErrors('with entry {\n    print("say \\"hi\\"");\n}\n');
  assert.is(at(ds[0]), '2:18');
});

test('a missing closing brace is reported at the end of the file', () => {
  const [d] = parseErrors('with entry { x = 1;\n');
  assert.is(d.code, 'JAC_SYNTAX_EXPECTED');
  assert.is(at(d), '1:20');
  assert.match(d.message, /expected '\}' .*found end of file/);
});

test('assignments to things that cannot be assigned are reported', () => {
  for (const [src, col] of [['f() = 3;', 14], ['a + b = 3;', 14], ['(a, 1) = (2, 3);', 18], ['here = 1;', 14], ['f() += 1;', 14]] as const) {
    const [d] = parseErrors(`with entry { ${src} }`);
    assert.is(d.code, 'JAC_SYNTAX_INVALID_TARGET', src);
    assert.is(d.span.col, col, src);
  }
});

test('a positional argument after a keyword argument is an error; *args after keywords is not', () => {
  const [d] = parseErrors('with entry { f(a=1, 2); }');
  assert.is(d.message, 'positional argument follows keyword argument');
  assert.is(at(d), '1:21');
  assert.ok(parse('with entry { f(a=1, *rest); }').module);
});

test("'not' after a comparison operator needs parentheses", () => {
  const [d] = parseErrors('with entry { x = a == not b; }');
  assert.is(d.code, 'JAC_SYNTAX_INVALID');
  assert.is(at(d), '1:23');
});

test('invalid underscores in numbers are reported', () => {
  const [d] = parseErrors('with entry { x = 1__0; }');
  assert.is(d.code, 'JAC_SYNTAX_INVALID');
  assert.match(d.message, /invalid number literal '1__0'/);
});

test('mixing bytes and str literals is reported', () => {
  const [d] = parseErrors('with entry { x = b"a" "b"; }');
  assert.is(d.message, 'cannot mix bytes and nonbytes literals');
});

test('a bare generator argument is refused as in 0.8.0 (§9.4); a parenthesised one parses', () => {
  parseErrors('with entry { x = sum(x for x in xs); }');
  assert.ok(parse('with entry { x = sum((x for x in xs)); }').module);
});

test('every diagnostic code is a documented one', () => {
  const sources = ['with entry { pass = 1; }', 'x', 'with entry { f() = 1; }', 'with entry { "', '!', 'with entry { f"}" }'];
  for (const s of sources) {
    for (const d of parse(s).diagnostics) assert.ok(d.code in syntaxCodes, `${d.code} documented`);
  }
});

// ---- inputs that must give diagnostics, never a throw or a hang ---------------------------

test('binary junk gives diagnostics', () => {
  let seed = 7;
  const bytes = Array.from({ length: 20000 }, () => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return String.fromCharCode(seed % 256);
  }).join('');
  const r = parse(bytes, 'junk.jac');
  assert.is(r.module, null);
  assert.ok(r.diagnostics.length > 0);
});

test('a 5 MB line parses or fails cleanly', () => {
  const comment = 'with entry { x = 1; } # ' + 'a'.repeat(5_000_000);
  assert.ok(parse(comment).module, 'a 5 MB comment is fine');
  const str = 'with entry { x = "' + 'b'.repeat(5_000_000) + '"; }';
  const m = parse(str).module!;
  const assign = (m.body[0] as { body: { value: { value: string } }[] }).body[0];
  assert.is(assign.value.value.length, 5_000_000);
  const unterminated = parse('with entry { x = "' + 'c'.repeat(5_000_000));
  assert.is(unterminated.diagnostics[0].code, 'JAC_SYNTAX_UNTERMINATED_STRING');
  const sum = parse('with entry { x = ' + '1+'.repeat(1_000_000) + '1; }');
  assert.ok(sum.module, 'a long flat expression is not a deep one');
});

test('a file full of errors reports the first 100, with positions deep into the file right', () => {
  const source = 'with entry { x = 1; }\n'.repeat(19_000) + '!\n'.repeat(20_000);
  const { diagnostics } = parse(source, 'junk.jac');
  assert.is(diagnostics.length, 100);
  assert.is(diagnostics[0].span.line, 19_001);
  assert.is(diagnostics[99].span.line, 19_100);
  assert.is(formatDiagnostic(diagnostics[99], source).split('\n')[1], '19100 | !');
});

test('deeply nested brackets are refused with a clear error', () => {
  for (const [open, close] of [['(', ')'], ['[', ']'], ['{', '}']]) {
    const src = `with entry { x = ${open.repeat(100_000)}1${close.repeat(100_000)}; }`;
    const r = parse(src);
    assert.is(r.module, null);
    assert.is(r.diagnostics[0].code, 'JAC_SYNTAX_TOO_DEEP');
    assert.match(r.diagnostics[0].message, /nested more than 200 deep/);
  }
  assert.ok(parse(`with entry { x = ${'('.repeat(150)}1${')'.repeat(150)}; }`).module, '150 deep is fine');
});

test('deep chains without brackets fail cleanly, and the parser works afterwards', () => {
  for (const chain of ['not '.repeat(200_000) + 'x', '- '.repeat(200_000) + 'x', 'a if b else '.repeat(100_000) + 'c']) {
    const r = parse(`with entry { x = ${chain}; }`);
    if (r.module === null) assert.is(r.diagnostics[0].code, 'JAC_SYNTAX_TOO_DEEP');
  }
  assert.ok(parse('with entry { x = 1; }').module, 'the shared parser recovered');
});

test.run();
