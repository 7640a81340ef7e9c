// Lexical structure (shared/spec/jac-language.md §1.1-§1.3): comments, docstrings, number and
// string literals, f-strings, keywords versus names. Every accepted source here is also accepted
// by jaclang 0.8.0, and every rejected one is rejected by it.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Stmt } from '../../grammar/ast.ts';
import { exprOf, parseErrors, parseOk, stmtsOf, strip } from '../helpers/ast.ts';

const n = (name: string) => ({ kind: 'Name', name });
const i = (v: number | string) => ({ kind: 'Int', value: `${v}n` });
const f = (value: number) => ({ kind: 'Float', value });
const s = (value: string, isBytes = false) => ({ kind: 'Str', value, isBytes });
const assign = (target: string, value: unknown) => ({ kind: 'Assign', isLet: false, targets: [n(target)], value });

/** The values assigned by `a = ...; b = ...;` statements, in order. */
function values(body: string): unknown[] {
  return stmtsOf(body).map((st) => {
    assert.is(st.kind, 'Assign');
    return strip((st as Extract<Stmt, { kind: 'Assign' }>).value);
  });
}

/** The names assigned by `a = ...; b = ...;` statements, in order. */
function targets(body: string): unknown[] {
  return stmtsOf(body).map((st) => strip((st as Extract<Stmt, { kind: 'Assign' }>).targets[0]));
}

// ---- comments ---------------------------------------------------------------------------

test('line comments are skipped, including one after a statement on the same line', () => {
  const m = parseOk('# leading comment\nwith entry { x = 1; # trailing\ny = 2; }\n# final');
  assert.equal(strip(m.body), [
    { kind: 'ModuleEntry', name: null, doc: null, body: [assign('x', i(1)), assign('y', i(2))] },
  ]);
});

test('a #* *# block comment may span lines and sit between statements on one line', () => {
  assert.equal(strip(stmtsOf('x = 1;\n#* block\n   over lines *#\ny = 2; #* inline *# z = 3;')), [
    assign('x', i(1)),
    assign('y', i(2)),
    assign('z', i(3)),
  ]);
});

test('a # inside a comment-free line ends the line: the rest is not code', () => {
  assert.equal(strip(stmtsOf('x = 5;\ny = x # comment; z = 2;\n;')), [assign('x', i(5)), assign('y', n('x'))]);
});

test('#* without a closing *# is just a line comment', () => {
  const m = parseOk('#* not closed\nwith entry { x = 1; }');
  assert.equal(strip(m.body), [{ kind: 'ModuleEntry', name: null, doc: null, body: [assign('x', i(1))] }]);
});

test('comment markers inside strings are string text, and quotes inside comments are ignored', () => {
  assert.equal(values('a = "#* x"; #* "quoted" *# b = """a # b""";'), [s('#* x'), s('a # b')]);
});

test('spans count lines through a multi-line block comment', () => {
  const [, st] = stmtsOf('x = 1;\n#* one\n two\n three *#\n  yy = 22;');
  assert.equal(
    { line: st.span.line, col: st.span.col, endLine: st.span.endLine, endCol: st.span.endCol },
    { line: 6, col: 3, endLine: 6, endCol: 10 },
  );
  const target = (st as Extract<Stmt, { kind: 'Assign' }>).targets[0];
  assert.equal({ line: target.span.line, col: target.span.col, endCol: target.span.endCol }, { line: 6, col: 3, endCol: 4 });
});

// ---- docstrings -------------------------------------------------------------------------

test('a leading string is the module docstring, not part of the body', () => {
  const m = parseOk('"""Module doc."""\nwith entry { }');
  assert.is(m.doc, 'Module doc.');
  assert.is(m.body.length, 1);
  assert.is(m.body[0].kind, 'ModuleEntry');
});

test('a module with no leading string has doc null', () => {
  assert.is(parseOk('obj Foo {}').doc, null);
});

test('the first string is the module doc; a second string documents the next declaration', () => {
  const m = parseOk('"""Module doc."""\n"Foo doc"\nobj Foo {}\nobj Bar {}');
  assert.is(m.doc, 'Module doc.');
  const [foo, bar] = m.body as Extract<Stmt, { kind: 'Archetype' }>[];
  assert.is(foo.doc, 'Foo doc');
  assert.is(bar.doc, null);
});

test('strings before members document has, def and can members', () => {
  const m = parseOk('obj Foo {\n "field doc" has a: int;\n "fn doc" def f { }\n}\nwalker W { "ability doc" can go with entry { } }');
  const foo = m.body[0] as Extract<Stmt, { kind: 'Archetype' }>;
  const w = m.body[1] as Extract<Stmt, { kind: 'Archetype' }>;
  assert.equal(foo.body!.map((x) => (x as { doc: string | null }).doc), ['field doc', 'fn doc']);
  assert.is((w.body![0] as Extract<Stmt, { kind: 'Ability' }>).doc, 'ability doc');
});

test('a string before a with-entry block documents it', () => {
  const m = parseOk('"""M"""\n"entry doc"\nwith entry { }');
  assert.is((m.body[0] as Extract<Stmt, { kind: 'ModuleEntry' }>).doc, 'entry doc');
});

// ---- numbers ----------------------------------------------------------------------------

test('hex, binary and octal literals, with underscores and either letter case', () => {
  assert.equal(values('a = 0xFF; b = 0b1010; c = 0o17; d = 0x_ff_ff; e = 0b_1_0; f = 0o_7_7; g = 0XaB; h = 0B11; k = 0O10;'), [
    i(255), i(10), i(15), i(65535), i(2), i(63), i(171), i(3), i(8),
  ]);
});

test('decimal integers with underscores between digits', () => {
  assert.equal(values('a = 1_000; b = 1_000_000; c = 0; d = 00; e = 0_0;'), [i(1000), i(1000000), i(0), i(0), i(0)]);
});

test('float forms: .5, 2., 1e-6, 1E+3, 1.5e10, 1.e5, 3e2, 0.0', () => {
  assert.equal(values('a = .5; b = 2.; c = 1e-6; d = 1E+3; e = 1.5e10; f = 1.e5; g = 3e2; h = 0.0;'), [
    f(0.5), f(2), f(0.000001), f(1000), f(15000000000), f(100000), f(300), f(0),
  ]);
});

test('integers beyond 2**64 stay exact as bigint', () => {
  assert.equal(values('a = 18446744073709551616; b = 123456789012345678901234567890; c = 0xFFFFFFFFFFFFFFFFFF; d = 0b1' + '0'.repeat(70) + ';'), [
    i('18446744073709551616'),
    i('123456789012345678901234567890'),
    i('4722366482869645213695'),
    i((1n << 70n).toString()),
  ]);
});

test('a doubled underscore in a number is an error', () => {
  parseErrors('with entry { b = 1__0; }');
});

test('digits outside the base end the literal: 0b102 and 0o8 are errors', () => {
  parseErrors('with entry { a = 0b102; }');
  parseErrors('with entry { a = 0o8; }');
});

// ---- strings ----------------------------------------------------------------------------

test('single- and double-quoted strings, each may contain the other quote', () => {
  assert.equal(values(`a = 'single'; b = "double"; c = 'a"b'; d = "a'b";`), [s('single'), s('double'), s('a"b'), s("a'b")]);
});

test('triple-quoted strings span lines and may contain single quotes of their kind', () => {
  assert.equal(values(`a = '''tri\nple'''; b = """tri "q"\nple""";`), [s('tri\nple'), s('tri "q"\nple')]);
});

test('a single-quoted string cannot span lines', () => {
  parseErrors('with entry { x = "abc\n"; }');
});

test('raw strings keep backslashes', () => {
  assert.equal(values(`a = r"a\\nb"; b = r'''x\\y''';`), [s('a\\nb'), s('x\\y')]);
});

test('b, rb and br prefixes set isBytes; rb/br keep backslashes', () => {
  assert.equal(values(`a = b"ab"; b = rb"x\\n"; c = br'y\\t'; d = b"\\x41";`), [s('ab', true), s('x\\n', true), s('y\\t', true), s('A', true)]);
});

test('uppercase R and B prefixes are not string prefixes', () => {
  parseErrors('with entry { e = R"z"; }');
  parseErrors('with entry { f = B"q"; }');
});

test('escapes in a double-quoted string: \\n \\t \\x41 \\u00e9 \\\\ \\\'', () => {
  assert.equal(exprOf(`"x\\ny\\tz\\x41\\u00e9\\\\\\'q"`), s("x\ny\tzAé\\'q"));
});

test('more escapes: \\U, octal, and unknown escapes keep their backslash', () => {
  assert.equal(values(`a = "\\U0001F600"; b = '\\101'; c = "\\q"; d = 'x\\ty';`), [s('😀'), s('A'), s('\\q'), s('x\ty')]);
});

test('\\N{name} escapes are refused with a clear error instead of being kept as text', () => {
  const [d] = parseErrors('with entry { x = "\\N{EM DASH}"; }');
  assert.is(d.code, 'JAC_SYNTAX_INVALID');
  assert.match(d.message, /named escapes/);
});

test('a backslash before a newline in a triple-quoted string joins the lines', () => {
  assert.equal(exprOf('"""a\\\nb"""'), s('ab'));
});

test('adjacent string literals concatenate into one Str', () => {
  assert.equal(exprOf(`"a" 'b' """c"""`), s('abc'));
});

test('bytes and non-bytes literals cannot be concatenated', () => {
  parseErrors('with entry { x = "a" b"b"; }');
});

test('a bytes literal may hold only ASCII characters', () => {
  parseErrors('with entry { x = b"é"; }');
});

// ---- f-strings --------------------------------------------------------------------------

test('an f-string is text and expression parts', () => {
  assert.equal(exprOf('f"a{x}b"'), { kind: 'FString', parts: ['a', n('x'), 'b'] });
});

test('f-string holes may be adjacent, padded with spaces, and hold any expression', () => {
  assert.equal(values('a = f"{x}{y}"; b = f"{ x }"; c = f"{x if x else 2}"; d = f"{x} and {y}";'), [
    { kind: 'FString', parts: [n('x'), n('y')] },
    { kind: 'FString', parts: [n('x')] },
    { kind: 'FString', parts: [{ kind: 'Ternary', test: n('x'), body: n('x'), orelse: i(2) }] },
    { kind: 'FString', parts: [n('x'), ' and ', n('y')] },
  ]);
});

test('{{ and }} are literal braces in f-string text', () => {
  assert.equal(exprOf('f"a{{b}}c{x}"'), { kind: 'FString', parts: ['a{b}c', n('x')] });
  assert.equal(exprOf('f"{{lit}}"'), s('{lit}'));
});

test('f-string text keeps backslashes as written, as jaclang 0.8.0 does (len(f"\\n") == 2)', () => {
  assert.equal(exprOf('f"a\\n{x}\\t"'), { kind: 'FString', parts: ['a\\n', n('x'), '\\t'] });
});

test('f-string holes may contain dict and set literals and their braces', () => {
  assert.equal(exprOf(`f"{ {'k': x}['k'] }"`), {
    kind: 'FString',
    parts: [{ kind: 'Index', object: { kind: 'Dict', entries: [{ key: s('k'), value: n('x') }] }, index: s('k'), nullSafe: false }],
  });
  assert.equal(exprOf('f"{ {1, 2} }"'), { kind: 'FString', parts: [{ kind: 'Set', elts: [i(1), i(2)] }] });
});

test('f-string holes may contain strings in the other quote, or the same quote', () => {
  const dk = { kind: 'Index', object: n('d'), index: s('k'), nullSafe: false };
  assert.equal(values(`a = f"{d['k']}"; b = f"{d["k"]}"; c = f'{d["k"]}'; e = f"{'}'}";`), [
    { kind: 'FString', parts: [dk] },
    { kind: 'FString', parts: [dk] },
    { kind: 'FString', parts: [dk] },
    { kind: 'FString', parts: [s('}')] },
  ]);
});

test('a colon inside brackets of an f-string hole is a slice, not a format spec', () => {
  assert.equal(exprOf('f"{a[1:2]}"'), {
    kind: 'FString',
    parts: [{ kind: 'Index', object: n('a'), index: { kind: 'Slice', lower: i(1), upper: i(2), step: null }, nullSafe: false }],
  });
});

test('single-quoted f-strings, and a double quote in their text', () => {
  assert.equal(values(`a = f'sq{x}'; b = f'say "{x}"';`), [
    { kind: 'FString', parts: ['sq', n('x')] },
    { kind: 'FString', parts: ['say "', n('x'), '"'] },
  ]);
});

test('an f-string nested inside an f-string hole', () => {
  assert.equal(exprOf(`f"{f'{x}'}"`), { kind: 'FString', parts: [{ kind: 'FString', parts: [n('x')] }] });
});

test('f-strings concatenate with adjacent plain strings and f-strings', () => {
  assert.equal(values(`a = "pre" f"{x}" 'post'; b = f"a" f'b{x}'; c = "a" "b" f"{1}" "c";`), [
    { kind: 'FString', parts: ['pre', n('x'), 'post'] },
    { kind: 'FString', parts: ['ab', n('x')] },
    { kind: 'FString', parts: ['ab', i(1), 'c'] },
  ]);
});

test('!= inside an f-string hole is a comparison', () => {
  assert.equal(exprOf('f"{x!=1}"'), { kind: 'FString', parts: [{ kind: 'Compare', left: n('x'), ops: ['!='], comparators: [i(1)] }] });
});

test('format specs, conversions, rf prefixes and a lone } are errors in 0.8.0 f-strings', () => {
  parseErrors('with entry { x = f"{1:.2f}"; }');
  parseErrors('with entry { x = f"{x:}"; }');
  parseErrors('with entry { x = f"{1!r}"; }');
  parseErrors('with entry { x = rf"a"; }');
  parseErrors('with entry { a = f"}"; }');
});

// ---- names and keywords -----------------------------------------------------------------

test('identifiers that start with a keyword are plain names', () => {
  const words = ['walkerish', 'nodes', 'android', 'orange', 'notable', 'isolated', 'intake', 'bytesize', 'important', 'ifx', 'canvas', 'definition', 'globe', 'types', 'integer', 'self_', 'rootx', 'toy', 'tests', 'entryway', 'spawner', 'lets'];
  assert.equal(targets(words.map((w, k) => `${w} = ${k};`).join(' ')), words.map(n));
});

test('<>kw escapes a keyword as a name, stored without the <>', () => {
  assert.equal(strip(stmtsOf('<>node = 1; <>enum = 2; print(<>node);')), [
    assign('node', i(1)),
    assign('enum', i(2)),
    { kind: 'ExprStmt', expr: { kind: 'Call', func: n('print'), args: [n('node')], keywords: [], by: null } },
  ]);
});

test('&& and || are and and or', () => {
  assert.equal(exprOf('a && b || c'), exprOf('a and b or c'));
  assert.equal(exprOf('a && b || c'), {
    kind: 'BoolOp', op: 'or', values: [{ kind: 'BoolOp', op: 'and', values: [n('a'), n('b')] }, n('c')],
  });
});

test('not in and is not are single comparison operators, even across a newline', () => {
  const cmp = (op: string, right: unknown) => ({ kind: 'Compare', left: n('a'), ops: [op], comparators: [right] });
  assert.equal(values('x = a not in b; y = a is not None; z = a not\n  in b; w = a is\nnot b;'), [
    cmp('not in', n('b')),
    cmp('is not', { kind: 'Constant', value: null }),
    cmp('not in', n('b')),
    cmp('is not', n('b')),
  ]);
});

test('soft keywords to, test, abs, entry and exit can be variables', () => {
  assert.equal(strip(stmtsOf('to = 1; test = 2; abs = 3; entry = 4; exit = 5; y = to + test;')), [
    assign('to', i(1)), assign('test', i(2)), assign('abs', i(3)), assign('entry', i(4)), assign('exit', i(5)),
    assign('y', { kind: 'Binary', op: '+', left: n('to'), right: n('test') }),
  ]);
});

test('abs(-3) is a call of the name abs', () => {
  assert.equal(exprOf('abs(-3)'), { kind: 'Call', func: n('abs'), args: [{ kind: 'Unary', op: '-', operand: i(3) }], keywords: [], by: null });
});

test('check, flow and wait cannot be variables', () => {
  parseErrors('with entry { check = 1; }');
  parseErrors('with entry { flow = 1; }');
  parseErrors('with entry { wait = 1; }');
});

test('Python keywords pass, global and nonlocal cannot be names', () => {
  for (const w of ['pass', 'global', 'nonlocal']) {
    const [d] = parseErrors(`with entry { ${w} = 1; }`);
    assert.is(d.code, 'JAC_SYNTAX_PY_KEYWORD');
  }
});

test('builtin type keywords are Names in expressions', () => {
  assert.equal(values('a = int; b = str; c = list[int]; d = isinstance(1, int); e = type(1); g = dict;'), [
    n('int'),
    n('str'),
    { kind: 'Index', object: n('list'), index: n('int'), nullSafe: false },
    { kind: 'Call', func: n('isinstance'), args: [i(1), n('int')], keywords: [], by: null },
    { kind: 'Call', func: n('type'), args: [i(1)], keywords: [], by: null },
    n('dict'),
  ]);
});

test('keywords are attribute names after a dot', () => {
  const attr = (name: string) => ({ kind: 'Attribute', object: n('a'), name, nullSafe: false, op: '.' });
  assert.equal(values('b = a.type; c = a.node; d = a.entry; e = a.walker; f = a.visit; g = a.int;'), [
    attr('type'), attr('node'), attr('entry'), attr('walker'), attr('visit'), attr('int'),
  ]);
});

test('keywords are field names in has', () => {
  const m = parseOk('obj A { has type: str = "t"; has node: int = 1, entry: int = 2; }');
  const a = m.body[0] as Extract<Stmt, { kind: 'Archetype' }>;
  const names = a.body!.flatMap((h) => (h as Extract<Stmt, { kind: 'Has' }>).vars.map((v) => v.name));
  assert.equal(names, ['type', 'node', 'entry']);
});

test(':g: inside a slice is colon, name, colon', () => {
  assert.equal(exprOf('a[0:g:1]'), { kind: 'Index', object: n('a'), index: { kind: 'Slice', lower: i(0), upper: n('g'), step: i(1) }, nullSafe: false });
});

test('realistic module (§2.1): docstring, glob, import, node and entry block', () => {
  const m = parseOk([
    '"""Module docstring."""',
    'glob greeting = "hi", limit: int = 3;',
    'import from math { sqrt }',
    'node City { has name: str; }',
    'with entry { print(greeting, sqrt(16)); }',
  ].join('\n'));
  assert.is(m.doc, 'Module docstring.');
  assert.equal(m.body.map((x) => x.kind), ['GlobalVar', 'Import', 'Archetype', 'ModuleEntry']);
  assert.equal(strip((m.body[0] as Extract<Stmt, { kind: 'GlobalVar' }>).assignments), [
    assign('greeting', s('hi')),
    { kind: 'AnnAssign', target: n('limit'), annotation: n('int'), value: i(3) },
  ]);
  assert.equal(strip((m.body[3] as Extract<Stmt, { kind: 'ModuleEntry' }>).body), [
    { kind: 'ExprStmt', expr: { kind: 'Call', func: n('print'), args: [n('greeting'), { kind: 'Call', func: n('sqrt'), args: [i(16)], keywords: [], by: null }], keywords: [], by: null } },
  ]);
});

test.run();
