// Declarations (shared/spec/jac-language.md §2): archetypes, has, abilities, def, impl, enums,
// globals, entry blocks, imports, tests and inline Python.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Stmt } from '../../grammar/ast.ts';
import { parseErrors, parseOk, strip } from '../helpers/ast.ts';

type Archetype = Extract<Stmt, { kind: 'Archetype' }>;
type Ability = Extract<Stmt, { kind: 'Ability' }>;
type FunctionDef = Extract<Stmt, { kind: 'Function' }>;
type Has = Extract<Stmt, { kind: 'Has' }>;
type Impl = Extract<Stmt, { kind: 'Impl' }>;
type Enum = Extract<Stmt, { kind: 'Enum' }>;
type Import = Extract<Stmt, { kind: 'Import' }>;

const n = (name: string) => ({ kind: 'Name', name });
const i = (v: number) => ({ kind: 'Int', value: `${v}n` });
const s = (value: string) => ({ kind: 'Str', value, isBytes: false });
const call = (func: unknown, args: unknown[] = [], keywords: unknown[] = []) => ({ kind: 'Call', func, args, keywords, by: null });

/** The top-level statements of a module. */
const top = (src: string): Stmt[] => parseOk(src).body;
/** The members of the single archetype a source declares first. */
const members = (src: string): Stmt[] => (top(src)[0] as Archetype).body!;

const arch = (archKind: string, name: string, extra: Record<string, unknown> = {}) => ({
  kind: 'Archetype', archKind, name, access: null, bases: [], decorators: [], isAsync: false, doc: null, body: [], ...extra,
});
const fn = (name: string, extra: Record<string, unknown> = {}) => ({
  kind: 'Function', name, access: null, isStatic: false, isOverride: false, isAsync: false, isAbstract: false,
  decorators: [], doc: null, body: { kind: 'Block', stmts: [] }, signature: null, ...extra,
});
const ability = (name: string, event: unknown, extra: Record<string, unknown> = {}) => ({
  kind: 'Ability', name, access: null, isStatic: false, isOverride: false, isAsync: false, isAbstract: false,
  decorators: [], doc: null, body: { kind: 'Block', stmts: [] }, event, ...extra,
});
const ev = (type: unknown, event: 'entry' | 'exit' = 'entry', returns: unknown = null) => ({ type, event, returns });
const param = (name: string, type: unknown, dflt: unknown = null, variadic: string | null = null) => ({ name, variadic, type, default: dflt });
const hasVar = (name: string, type: unknown, value: unknown = null, byPostinit = false) => ({ name, type, value, byPostinit });

// ---- archetypes -------------------------------------------------------------------------

test('obj, node, edge, walker and class archetypes with and without bases', () => {
  assert.equal(strip(top('obj A {} node B(A) {} edge E {} walker W(A, B) {} class C {}')), [
    arch('obj', 'A'),
    arch('node', 'B', { bases: [n('A')] }),
    arch('edge', 'E'),
    arch('walker', 'W', { bases: [n('A'), n('B')] }),
    arch('class', 'C'),
  ]);
});

test('a base may be a dotted name', () => {
  assert.equal(strip((top('node N(mod.Base) {}')[0] as Archetype).bases), [
    { kind: 'Attribute', object: n('mod'), name: 'Base', nullSafe: false, op: '.' },
  ]);
});

test('access tags after the archetype keyword', () => {
  assert.equal(top('obj :priv Foo {} node :pub N {} walker :protect W {} edge E {}').map((a) => (a as Archetype).access), ['priv', 'pub', 'protect', null]);
});

test('async walker sets isAsync', () => {
  assert.equal(strip(top('async walker W {}')[0]), arch('walker', 'W', { isAsync: true }));
});

test('a forward declaration (obj Foo;) has body null, and impl Foo { } completes it', () => {
  const [decl, impl] = top('obj Foo;\nimpl Foo { has a: int = 1; }');
  assert.equal(strip(decl), arch('obj', 'Foo', { body: null }));
  assert.equal(strip(impl), {
    kind: 'Impl', target: ['Foo'], spec: null, decorators: [], doc: null,
    body: { kind: 'Block', stmts: [{ kind: 'Has', isStatic: false, access: null, vars: [hasVar('a', n('int'), i(1))], doc: null }] },
  });
});

test('walker __specs__: a nested obj with static has and a nested class', () => {
  const [w, v] = top('walker W { obj __specs__ { static has methods: list = ["get"]; } }\nwalker V { class __specs__ { has auth: bool = False; } }');
  assert.equal(strip((w as Archetype).body), [
    arch('obj', '__specs__', {
      body: [{ kind: 'Has', isStatic: true, access: null, vars: [hasVar('methods', n('list'), { kind: 'List', elts: [s('get')] })], doc: null }],
    }),
  ]);
  assert.equal(strip((v as Archetype).body), [
    arch('class', '__specs__', {
      body: [{ kind: 'Has', isStatic: false, access: null, vars: [hasVar('auth', n('bool'), { kind: 'Constant', value: false })], doc: null }],
    }),
  ]);
});

test('decorators on archetypes and functions, including dotted calls', () => {
  const [o, d] = top('@deco\nobj Foo {}\n@deco1 @mod.deco2(1)\ndef f { }');
  assert.equal(strip((o as Archetype).decorators), [n('deco')]);
  assert.equal(strip((d as FunctionDef).decorators), [
    n('deco1'),
    call({ kind: 'Attribute', object: n('mod'), name: 'deco2', nullSafe: false, op: '.' }, [i(1)]),
  ]);
});

// ---- has --------------------------------------------------------------------------------

test('has with several fields per statement, with and without defaults', () => {
  assert.equal(strip(members('obj A { has x: int, y: str = "s", z: list[int] = []; }')), [
    {
      kind: 'Has', isStatic: false, access: null, doc: null,
      vars: [
        hasVar('x', n('int')),
        hasVar('y', n('str'), s('s')),
        hasVar('z', { kind: 'Index', object: n('list'), index: n('int'), nullSafe: false }, { kind: 'List', elts: [] }),
      ],
    },
  ]);
});

test('static has, has by postinit, and has with an access tag', () => {
  const [st, post, pub] = members('obj A { static has n: int = 0; has w: int by postinit; has :pub p: int = 2; def postinit { self.w = 1; } }') as Has[];
  assert.equal(strip(st), { kind: 'Has', isStatic: true, access: null, vars: [hasVar('n', n('int'), i(0))], doc: null });
  assert.equal(strip(post), { kind: 'Has', isStatic: false, access: null, vars: [hasVar('w', n('int'), null, true)], doc: null });
  assert.equal(strip(pub), { kind: 'Has', isStatic: false, access: 'pub', vars: [hasVar('p', n('int'), i(2))], doc: null });
});

test('field order is checked when the archetype is created, as in 0.8.0, not by the parser', () => {
  // jaclang 0.8.0 runs the module up to the declaration and then raises TypeError
  // (test/cases/archetypes/field_order_error), so the parser must accept it.
  parseOk('obj A { has a: int = 1; has b: int; }');
});

// ---- abilities --------------------------------------------------------------------------

test('untyped abilities: can x with entry / with exit', () => {
  assert.equal(strip(members('walker W { can a with entry { } can b with exit { } }')), [
    ability('a', ev(null, 'entry')),
    ability('b', ev(null, 'exit')),
  ]);
});

test('typed abilities: can x with T entry / with T exit', () => {
  assert.equal(strip(members('walker W { can c with A entry { } can d with A exit { } }')), [
    ability('c', ev(n('A'), 'entry')),
    ability('d', ev(n('A'), 'exit')),
  ]);
});

test('a union event type with `root: with A | B | `root entry', () => {
  assert.equal(strip((members('walker W { can d with A | B | `root entry { } }')[0] as Ability).event), ev({
    kind: 'Binary', op: '|',
    left: { kind: 'Binary', op: '|', left: n('A'), right: n('B') },
    right: { kind: 'TypeRef', name: 'root' },
  }));
});

test('an ability with a return annotation: with A entry -> int', () => {
  assert.equal(strip((members('walker W { can e with A entry -> int { } }')[0] as Ability).event), ev(n('A'), 'entry', n('int')));
});

test('a declared-only ability (can x with T entry;) has body null', () => {
  assert.equal(strip(members('walker W { can f with A entry; }\nimpl W.f { }')), [ability('f', ev(n('A')), { body: null })]);
});

test('an ability body holds statements', () => {
  assert.equal(strip((members('walker W { can go with `root entry { visit [-->]; } }')[0] as Ability).body), {
    kind: 'Block',
    stmts: [{
      kind: 'Visit', index: null, orelse: null,
      target: { kind: 'EdgeRef', returns: 'node', explicitReturns: false, origin: null, hops: [{ op: { dir: 'out', type: null, conds: [] }, filter: null }] },
    }],
  });
});

test('can without with ... entry|exit is an error', () => {
  parseErrors('obj A { can f { } }');
});

// ---- def --------------------------------------------------------------------------------

test('def with typed params, a default, *args, **kw and a return type', () => {
  assert.equal(strip(top('def f(a: int, b: str = "x", *args: int, **kw: int) -> int { return a; }')[0]), fn('f', {
    signature: {
      params: [param('a', n('int')), param('b', n('str'), s('x')), param('args', n('int'), null, 'star'), param('kw', n('int'), null, 'starstar')],
      returns: n('int'),
      hasParens: true,
    },
    body: { kind: 'Block', stmts: [{ kind: 'Return', value: n('a') }] },
  }));
});

test('def without parentheses has no signature; def f -> T has one without parens', () => {
  const [g, h] = top('def g { }\ndef h -> int { return 1; }');
  assert.equal(strip(g), fn('g'));
  assert.equal(strip((h as FunctionDef).signature), { params: [], returns: n('int'), hasParens: false });
});

test('def with empty parentheses has a signature with no params', () => {
  assert.equal(strip((top('def f() { }')[0] as FunctionDef).signature), { params: [], returns: null, hasParens: true });
});

test('static def, override def and async def', () => {
  const [st, ov, as] = members('obj O { static def s -> int { return 1; } override def o { } async def a { } }') as FunctionDef[];
  assert.equal([st.isStatic, st.isOverride, st.isAsync], [true, false, false]);
  assert.equal([ov.isStatic, ov.isOverride, ov.isAsync], [false, true, false]);
  assert.equal([as.isStatic, as.isOverride, as.isAsync], [false, false, true]);
});

test('an abstract def (def f -> float abs;) has isAbstract and body null', () => {
  assert.equal(strip(members('obj O { def area -> float abs; }')[0]), fn('area', {
    isAbstract: true, body: null, signature: { params: [], returns: n('float'), hasParens: false },
  }));
});

test('a declared-only def (def helper(x: int) -> int;) has body null and is not abstract', () => {
  const d = members('walker W { def helper(x: int) -> int; }\nimpl W.helper(x: int) -> int { return x; }')[0] as FunctionDef;
  assert.equal([d.isAbstract, d.body], [false, null]);
});

test('def with an access tag', () => {
  assert.is((top('def :priv f { }')[0] as FunctionDef).access, 'priv');
});

// ---- impl -------------------------------------------------------------------------------

test('impl W.build { } targets an ability with no spec', () => {
  const impls = top('walker W { can build with `root entry; }\nimpl W.build { x = 1; }').slice(1);
  assert.equal(strip(impls), [{
    kind: 'Impl', target: ['W', 'build'], spec: null, decorators: [], doc: null,
    body: { kind: 'Block', stmts: [{ kind: 'Assign', isLet: false, targets: [n('x')], value: i(1) }] },
  }]);
});

test('impl W.helper(x: int) -> int { } carries a Signature spec', () => {
  const impl = top('walker W { def helper(x: int) -> int; }\nimpl W.helper(x: int) -> int { return x * 2; }')[1] as Impl;
  assert.equal(impl.target, ['W', 'helper']);
  assert.equal(strip(impl.spec), { kind: 'Signature', signature: { params: [param('x', n('int'))], returns: n('int'), hasParens: true } });
});

test('impl W.ab with T entry { } carries an Event spec', () => {
  const impl = top('walker W { can ab with A entry; }\nimpl W.ab with A entry { }')[1] as Impl;
  assert.equal(strip(impl.spec), { kind: 'Event', event: ev(n('A')) });
  assert.equal(strip(impl.body), { kind: 'Block', stmts: [] });
});

test('impl A(B) { } carries a Bases spec', () => {
  const impl = top('obj A { has x: int; }\nimpl A(B) { }')[1] as Impl;
  assert.equal(strip(impl.spec), { kind: 'Bases', bases: [n('B')] });
});

test('impl Color { RED = 1, BLUE = 2 } is an EnumBody for a forward-declared enum', () => {
  const [decl, impl] = top('enum Color;\nimpl Color { RED = 1, BLUE = 2 }') as [Enum, Impl];
  assert.is(decl.members, null);
  assert.equal(strip(impl.body), { kind: 'EnumBody', members: [{ name: 'RED', value: i(1) }, { name: 'BLUE', value: i(2) }], stmts: [] });
});

// ---- enums ------------------------------------------------------------------------------

test('enum members with and without values, and a trailing comma', () => {
  assert.equal(strip(top('enum Color { RED = 1, GREEN, BLUE = "b", }')[0]), {
    kind: 'Enum', name: 'Color', access: null, bases: [], decorators: [], doc: null,
    members: [{ name: 'RED', value: i(1) }, { name: 'GREEN', value: null }, { name: 'BLUE', value: s('b') }],
    body: [],
  });
});

test('an enum with a with-entry body after its members', () => {
  const e = top('enum E { A, B\n  with entry { print("x"); }\n}')[0] as Enum;
  assert.equal(e.members!.map((m) => m.name), ['A', 'B']);
  assert.equal(strip(e.body), [{
    kind: 'ModuleEntry', name: null, doc: null,
    body: [{ kind: 'ExprStmt', expr: call(n('print'), [s('x')]) }],
  }]);
});

test('an enum with an access tag and a base', () => {
  const e = top('enum :pub E(Base) { A = 1 }')[0] as Enum;
  assert.equal([e.access, strip(e.bases)], ['pub', [n('Base')]]);
});

// ---- module-level items -----------------------------------------------------------------

test('glob declares several names, typed or not, with or without values', () => {
  assert.equal(strip(top('glob a = 1, b: int = 2, c: str;')[0]), {
    kind: 'GlobalVar', keyword: 'glob', access: null, doc: null,
    assignments: [
      { kind: 'Assign', isLet: false, targets: [n('a')], value: i(1) },
      { kind: 'AnnAssign', target: n('b'), annotation: n('int'), value: i(2) },
      { kind: 'AnnAssign', target: n('c'), annotation: n('str'), value: null },
    ],
  });
});

test('a top-level let is a GlobalVar with keyword let', () => {
  assert.equal(strip(top('let x = 1;')[0]), {
    kind: 'GlobalVar', keyword: 'let', access: null, doc: null,
    assignments: [{ kind: 'Assign', isLet: false, targets: [n('x')], value: i(1) }],
  });
});

test('with entry { } and with entry:__main__ { }', () => {
  assert.equal(strip(top('with entry { } with entry:__main__ { x = 1; }')), [
    { kind: 'ModuleEntry', name: null, body: [], doc: null },
    { kind: 'ModuleEntry', name: '__main__', body: [{ kind: 'Assign', isLet: false, targets: [n('x')], value: i(1) }], doc: null },
  ]);
});

test('import from .sibling { X, Y as Z }', () => {
  assert.equal(strip(top('import from .sibling { X, Y as Z }')[0]), {
    kind: 'Import', form: 'from', doc: null,
    paths: [{ dots: 1, names: ['sibling'], alias: null }],
    items: [{ name: 'X', alias: null }, { name: 'Y', alias: 'Z' }],
  });
});

test('import from ..pkg.mod { X } counts two dots', () => {
  assert.equal(strip((top('import from ..pkg.mod { X }')[0] as Import).paths), [{ dots: 2, names: ['pkg', 'mod'], alias: null }]);
});

test('import from . and ... with no module name', () => {
  const [a, b] = top('import from . { X }\nimport from ... { Y }') as Import[];
  assert.equal(strip(a.paths), [{ dots: 1, names: [], alias: null }]);
  assert.equal(strip(b.paths), [{ dots: 3, names: [], alias: null }]);
});

test('import from with a trailing comma in the item list', () => {
  assert.equal(strip((top('import from pkg { X, }')[0] as Import).items), [{ name: 'X', alias: null }]);
});

test('import os, a.b as c; lists several module paths', () => {
  assert.equal(strip(top('import os, a.b as c;')[0]), {
    kind: 'Import', form: 'import', doc: null, items: [],
    paths: [{ dots: 0, names: ['os'], alias: null }, { dots: 0, names: ['a', 'b'], alias: 'c' }],
  });
});

test('include mod;', () => {
  assert.equal(strip(top('include mod;')[0]), {
    kind: 'Import', form: 'include', doc: null, items: [], paths: [{ dots: 0, names: ['mod'], alias: null }],
  });
});

test('named and unnamed test blocks', () => {
  assert.equal(strip(top('test my_test { assert True; }\ntest { }')), [
    { kind: 'Test', name: 'my_test', doc: null, body: [{ kind: 'Assert', test: { kind: 'Constant', value: true }, msg: null }] },
    { kind: 'Test', name: null, doc: null, body: [] },
  ]);
});

test('::py:: blocks keep their code, at top level and in an archetype', () => {
  assert.equal(strip(top('::py::\nx = 1\n::py::')), [{ kind: 'PyInline', code: '\nx = 1\n' }]);
  assert.equal(strip(members('obj A {\n::py::\ndef f(self): pass\n::py::\n}')), [{ kind: 'PyInline', code: '\ndef f(self): pass\n' }]);
});

test('docstrings before enum, impl, glob, test and import declarations', () => {
  const m = parseOk('"""M"""\n"enum doc" enum E { A }\n"impl doc" impl E.f { }\n"glob doc" glob x = 1;\n"test doc" test t { }\n"import doc" import os;');
  assert.equal(m.body.map((x) => [x.kind, (x as { doc: string | null }).doc]), [
    ['Enum', 'enum doc'], ['Impl', 'impl doc'], ['GlobalVar', 'glob doc'], ['Test', 'test doc'], ['Import', 'import doc'],
  ]);
});

test('decorators, static and override on abilities inside an archetype', () => {
  const [f, g, h, k] = members('obj A { @deco def f { } @deco can g with entry { } static can h with entry { } override can k with entry { } }') as (FunctionDef | Ability)[];
  assert.equal(strip([f.decorators, g.decorators]), [[n('deco')], [n('deco')]]);
  assert.equal([g.kind, h.isStatic, h.isOverride, k.isStatic, k.isOverride], ['Ability', true, false, false, true]);
});

test('a decorated enum and a glob with an access tag', () => {
  assert.equal(strip((top('@deco enum E { A }')[0] as Enum).decorators), [n('deco')]);
  assert.is((top('glob :pub x = 1;')[0] as Extract<Stmt, { kind: 'GlobalVar' }>).access, 'pub');
});

test('archetypes, functions and imports may be declared inside a code block', () => {
  const [entry] = top('with entry { obj Foo { has a: int = 1; } def f { return 1; } import os; x = Foo(); }');
  assert.equal((entry as Extract<Stmt, { kind: 'ModuleEntry' }>).body.map((x) => x.kind), ['Archetype', 'Function', 'Import', 'Assign']);
});

test('a class method may list self explicitly; an ability name may be an escaped keyword', () => {
  assert.equal(strip((members('class C { def m(self: C) -> None { } }')[0] as FunctionDef).signature), {
    params: [param('self', n('C'))], returns: { kind: 'Constant', value: null }, hasParens: true,
  });
  assert.is((members('walker W { can <>entry with entry { } }')[0] as Ability).name, 'entry');
});

test('realistic program (§7): Todo node and three walkers', () => {
  const m = parseOk(`node Todo { has title: str; has done: bool = False; }

walker add_todo {
    has title: str;
    can add with \`root entry {
        t = here ++> Todo(title=self.title);
        report t[0];                     # connect returns a list
    }
}

walker list_todos {
    can start with \`root entry { visit [-->(\`?Todo)]; }
    can each with Todo entry { report here; }
}

walker finish {
    has title: str;
    can start with \`root entry {
        visit [-->(\`?Todo: title == self.title)] else { report {"error": "not found"}; disengage; }
    }
    can mark with Todo entry { here.done = True; report here; }
}
`);
  assert.equal(m.body.map((a) => `${(a as Archetype).archKind} ${(a as Archetype).name}`), ['node Todo', 'walker add_todo', 'walker list_todos', 'walker finish']);
  const todo = m.body[0] as Archetype;
  assert.equal(strip(todo.body), [
    { kind: 'Has', isStatic: false, access: null, vars: [hasVar('title', n('str'))], doc: null },
    { kind: 'Has', isStatic: false, access: null, vars: [hasVar('done', n('bool'), { kind: 'Constant', value: false })], doc: null },
  ]);
  const add = (m.body[1] as Archetype).body![1] as Ability;
  assert.equal(strip(add.event), ev({ kind: 'TypeRef', name: 'root' }));
  assert.equal(strip((add.body as { stmts: Stmt[] }).stmts[0]), {
    kind: 'Assign', isLet: false, targets: [n('t')],
    value: {
      kind: 'Connect', dir: 'out', edge: null, assigns: [],
      left: { kind: 'Special', name: 'here' },
      right: call(n('Todo'), [], [{ name: 'title', value: { kind: 'Attribute', object: { kind: 'Special', name: 'self' }, name: 'title', nullSafe: false, op: '.' } }]),
    },
  });
  const finish = (m.body[3] as Archetype).body!;
  assert.equal(finish.map((x) => x.kind), ['Has', 'Ability', 'Ability']);
  assert.equal(strip((finish[2] as Ability).event), ev(n('Todo')));
});

test.run();
