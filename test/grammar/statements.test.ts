// Statements (shared/spec/jac-language.md §3): control flow, exceptions, assignments, match,
// with, global/nonlocal references, and the walker statements report/visit/ignore.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Stmt } from '../../grammar/ast.ts';
import { parseErrors, parseOk, stmtsOf, strip } from '../helpers/ast.ts';

type Archetype = Extract<Stmt, { kind: 'Archetype' }>;
type Ability = Extract<Stmt, { kind: 'Ability' }>;
type FunctionDef = Extract<Stmt, { kind: 'Function' }>;
type Match = Extract<Stmt, { kind: 'Match' }>;

const n = (name: string) => ({ kind: 'Name', name });
const i = (v: number) => ({ kind: 'Int', value: `${v}n` });
const s = (value: string) => ({ kind: 'Str', value, isBytes: false });
const call = (func: unknown, args: unknown[] = [], keywords: unknown[] = []) => ({ kind: 'Call', func, args, keywords, by: null });
const assign = (target: unknown, value: unknown) => ({ kind: 'Assign', isLet: false, targets: [typeof target === 'string' ? n(target) : target], value });
const cmp = (left: unknown, op: string, right: unknown) => ({ kind: 'Compare', left, ops: [op], comparators: [right] });
const outRef = { kind: 'EdgeRef', returns: 'node', explicitReturns: false, origin: null, hops: [{ op: { dir: 'out', type: null, conds: [] }, filter: null }] };

/** The statements of a function body `def f { ... }` (where return/raise/:nl: are at home). */
function defBody(body: string): unknown {
  const fn = parseOk(`def f {\n${body}\n}`).body[0] as FunctionDef;
  return strip((fn.body as { stmts: Stmt[] }).stmts);
}

/** The statements of a walker ability body (where visit/report/skip/disengage are at home). */
function abilityBody(body: string): unknown {
  const w = parseOk(`walker W { can go with entry {\n${body}\n} }`).body[0] as Archetype;
  return strip(((w.body![0] as Ability).body as { stmts: Stmt[] }).stmts);
}

/** The cases of `match v { ... }`. */
function cases(src: string): unknown {
  return strip((stmtsOf(`match v { ${src} }`)[0] as Match).cases);
}

// ---- if / while / for -------------------------------------------------------------------

test('if/elif/elif/else: each elif is an If nested in orelse', () => {
  assert.equal(strip(stmtsOf('if x > 1 { a = 1; } elif x == 1 { a = 2; } elif x == 0 { a = 3; } else { a = 4; }')), [{
    kind: 'If', test: cmp(n('x'), '>', i(1)), body: [assign('a', i(1))],
    orelse: [{
      kind: 'If', test: cmp(n('x'), '==', i(1)), body: [assign('a', i(2))],
      orelse: [{ kind: 'If', test: cmp(n('x'), '==', i(0)), body: [assign('a', i(3))], orelse: [assign('a', i(4))] }],
    }],
  }]);
});

test('if without else has orelse null; parentheses around the condition are optional', () => {
  assert.equal(strip(stmtsOf('if (x) { }')), [{ kind: 'If', test: n('x'), body: [], orelse: null }]);
});

test('if/else with an empty else block has orelse []', () => {
  assert.equal(strip(stmtsOf('if x { } else { }')), [{ kind: 'If', test: n('x'), body: [], orelse: [] }]);
});

test('while loop', () => {
  assert.equal(strip(stmtsOf('while n < 3 { n += 1; }')), [{
    kind: 'While', test: cmp(n('n'), '<', i(3)), body: [{ kind: 'AugAssign', target: n('n'), op: '+=', value: i(1) }],
  }]);
});

test('while has no else clause', () => {
  parseErrors('with entry { while x { } else { } }');
});

test('for-in with a tuple target', () => {
  assert.equal(strip(stmtsOf('for (k, v) in d.items() { print(k); }')), [{
    kind: 'ForIn', isAsync: false,
    target: { kind: 'Tuple', elts: [n('k'), n('v')], keywords: [] },
    iter: call({ kind: 'Attribute', object: n('d'), name: 'items', nullSafe: false, op: '.' }),
    body: [{ kind: 'ExprStmt', expr: call(n('print'), [n('k')]) }],
    orelse: null,
  }]);
});

test('for-in with an else block', () => {
  assert.equal(strip(stmtsOf('for x in xs { } else { y = 1; }')), [{
    kind: 'ForIn', isAsync: false, target: n('x'), iter: n('xs'), body: [], orelse: [assign('y', i(1))],
  }]);
});

test('for i = 0 to i < n by i += 1 is a ForTo with init, test and step', () => {
  assert.equal(strip(stmtsOf('for i = 0 to i < n by i += 1 { print(i); }')), [{
    kind: 'ForTo', isAsync: false,
    init: assign('i', i(0)),
    test: cmp(n('i'), '<', n('n')),
    step: { kind: 'AugAssign', target: n('i'), op: '+=', value: i(1) },
    body: [{ kind: 'ExprStmt', expr: call(n('print'), [n('i')]) }],
    orelse: null,
  }]);
});

test('ForTo with a typed init, a plain assignment step and an else block', () => {
  assert.equal(strip(stmtsOf('for i: int = 0 to i < 10 by i = i + 2 { } else { }')), [{
    kind: 'ForTo', isAsync: false,
    init: { kind: 'AnnAssign', target: n('i'), annotation: n('int'), value: i(0) },
    test: cmp(n('i'), '<', i(10)),
    step: assign('i', { kind: 'Binary', op: '+', left: n('i'), right: i(2) }),
    body: [],
    orelse: [],
  }]);
});

// ---- control ----------------------------------------------------------------------------

test('break and continue are Control statements', () => {
  assert.equal(strip(stmtsOf('for x in xs { break; continue; }')), [{
    kind: 'ForIn', isAsync: false, target: n('x'), iter: n('xs'), orelse: null,
    body: [{ kind: 'Control', control: 'break' }, { kind: 'Control', control: 'continue' }],
  }]);
});

test('skip and disengage are Control statements', () => {
  assert.equal(abilityBody('skip; disengage;'), [{ kind: 'Control', control: 'skip' }, { kind: 'Control', control: 'disengage' }]);
});

test('return with and without a value', () => {
  assert.equal(defBody('return; return 1 + 2;'), [
    { kind: 'Return', value: null },
    { kind: 'Return', value: { kind: 'Binary', op: '+', left: i(1), right: i(2) } },
  ]);
});

// ---- exceptions -------------------------------------------------------------------------

test('try with except ... as e, a bare-type except, else and finally', () => {
  assert.equal(strip(stmtsOf('try { x = 1; } except ValueError as e { y = e; } except Exception { } else { z = 1; } finally { w = 1; }')), [{
    kind: 'Try',
    body: [assign('x', i(1))],
    handlers: [
      { type: n('ValueError'), name: 'e', body: [assign('y', n('e'))] },
      { type: n('Exception'), name: null, body: [] },
    ],
    orelse: [assign('z', i(1))],
    finalbody: [assign('w', i(1))],
  }]);
});

test('try with only finally', () => {
  assert.equal(strip(stmtsOf('try { } finally { }')), [{ kind: 'Try', body: [], handlers: [], orelse: null, finalbody: [] }]);
});

test('try with a tuple of exception types', () => {
  const [t] = stmtsOf('try { } except (ValueError, KeyError) as e { }') as Extract<Stmt, { kind: 'Try' }>[];
  assert.equal(strip(t.handlers[0].type), { kind: 'Tuple', elts: [n('ValueError'), n('KeyError')], keywords: [] });
});

test('raise, raise X(...) and raise X from Y', () => {
  assert.equal(defBody('raise; raise ValueError("bad"); raise X from Y;'), [
    { kind: 'Raise', exc: null, cause: null },
    { kind: 'Raise', exc: call(n('ValueError'), [s('bad')]), cause: null },
    { kind: 'Raise', exc: n('X'), cause: n('Y') },
  ]);
});

test('assert with and without a message', () => {
  assert.equal(strip(stmtsOf('assert x; assert x > 0, "msg";')), [
    { kind: 'Assert', test: n('x'), msg: null },
    { kind: 'Assert', test: cmp(n('x'), '>', i(0)), msg: s('msg') },
  ]);
});

// ---- global / nonlocal / del ------------------------------------------------------------

test(':g: and :global: are GlobalRef, with one or several names', () => {
  assert.equal(defBody(':g: counter; :global: counter, other;'), [
    { kind: 'GlobalRef', names: ['counter'] },
    { kind: 'GlobalRef', names: ['counter', 'other'] },
  ]);
});

test(':nl: and :nonlocal: are NonlocalRef', () => {
  const fn = parseOk('def g { x = 1; y = 2; def h { :nl: x; :nonlocal: x, y; } }').body[0] as FunctionDef;
  const h = (fn.body as { stmts: Stmt[] }).stmts[2] as FunctionDef;
  assert.equal(strip((h.body as { stmts: Stmt[] }).stmts), [
    { kind: 'NonlocalRef', names: ['x'] },
    { kind: 'NonlocalRef', names: ['x', 'y'] },
  ]);
});

test('del of a name, an index, a list of names and an attribute', () => {
  assert.equal(strip(stmtsOf('del x; del lst[0]; del [a, b]; del a.b;')), [
    { kind: 'Delete', target: n('x') },
    { kind: 'Delete', target: { kind: 'Index', object: n('lst'), index: i(0), nullSafe: false } },
    { kind: 'Delete', target: { kind: 'List', elts: [n('a'), n('b')] } },
    { kind: 'Delete', target: { kind: 'Attribute', object: n('a'), name: 'b', nullSafe: false, op: '.' } },
  ]);
});

// ---- walker statements ------------------------------------------------------------------

test('report takes any expression', () => {
  assert.equal(abilityBody('report 1; report {"k": here};'), [
    { kind: 'Report', value: i(1) },
    { kind: 'Report', value: { kind: 'Dict', entries: [{ key: s('k'), value: { kind: 'Special', name: 'here' } }] } },
  ]);
});

test('visit, visit ... else { } (no semicolon) and visit :0: index', () => {
  assert.equal(abilityBody('visit [-->]; visit [-->] else { report 2; } visit :0: [-->];'), [
    { kind: 'Visit', index: null, target: outRef, orelse: null },
    { kind: 'Visit', index: null, target: outRef, orelse: [{ kind: 'Report', value: i(2) }] },
    { kind: 'Visit', index: i(0), target: outRef, orelse: null },
  ]);
});

test('visit of a plain name', () => {
  assert.equal(abilityBody('visit n;'), [{ kind: 'Visit', index: null, target: n('n'), orelse: null }]);
});

test('ignore', () => {
  assert.equal(abilityBody('ignore [-->];'), [{ kind: 'Ignore', target: outRef }]);
});

// ---- assignments ------------------------------------------------------------------------

test('typed assignment with and without a value', () => {
  assert.equal(strip(stmtsOf('x: int = 3; y: list[str];')), [
    { kind: 'AnnAssign', target: n('x'), annotation: n('int'), value: i(3) },
    { kind: 'AnnAssign', target: n('y'), annotation: { kind: 'Index', object: n('list'), index: n('str'), nullSafe: false }, value: null },
  ]);
});

test('every augmented assignment operator', () => {
  const ops = ['+=', '-=', '*=', '/=', '//=', '%=', '**=', '@=', '&=', '|=', '^=', '<<=', '>>='];
  assert.equal(strip(stmtsOf(ops.map((op) => `x ${op} 1;`).join(' '))), ops.map((op) => ({ kind: 'AugAssign', target: n('x'), op, value: i(1) })));
});

test('augmented assignment to an attribute and an index', () => {
  assert.equal(strip(stmtsOf('self.n += by_; d["k"] -= 1;')), [
    { kind: 'AugAssign', target: { kind: 'Attribute', object: { kind: 'Special', name: 'self' }, name: 'n', nullSafe: false, op: '.' }, op: '+=', value: n('by_') },
    { kind: 'AugAssign', target: { kind: 'Index', object: n('d'), index: s('k'), nullSafe: false }, op: '-=', value: i(1) },
  ]);
});

test('a = b = 1 has two targets', () => {
  assert.equal(strip(stmtsOf('a = b = 1;')), [{ kind: 'Assign', isLet: false, targets: [n('a'), n('b')], value: i(1) }]);
});

test('let x = 3; sets isLet', () => {
  assert.equal(strip(stmtsOf('let x = 3;')), [{ kind: 'Assign', isLet: true, targets: [n('x')], value: i(3) }]);
});

test('tuple, list and starred targets', () => {
  assert.equal(strip(stmtsOf('(a, b) = (1, 2); [c, d] = [3, 4]; (e, *f) = xs;')), [
    assign({ kind: 'Tuple', elts: [n('a'), n('b')], keywords: [] }, { kind: 'Tuple', elts: [i(1), i(2)], keywords: [] }),
    assign({ kind: 'List', elts: [n('c'), n('d')] }, { kind: 'List', elts: [i(3), i(4)] }),
    assign({ kind: 'Tuple', elts: [n('e'), { kind: 'Starred', value: n('f') }], keywords: [] }, n('xs')),
  ]);
});

test('unparenthesized tuples are an error: x, y = 1, 2;', () => {
  const [d] = parseErrors('with entry { x, y = 1, 2; }');
  assert.is(d.code, 'JAC_SYNTAX_TUPLE_PARENS');
});

test('assigning to a call, a literal or a binary expression is an error', () => {
  parseErrors('with entry { f() = 1; }');
  parseErrors('with entry { 1 = x; }');
  parseErrors('with entry { a + b += 1; }');
});

test('an expression statement', () => {
  assert.equal(strip(stmtsOf('print("hi");')), [{ kind: 'ExprStmt', expr: call(n('print'), [s('hi')]) }]);
});

test('a lone ; is an empty statement and produces nothing', () => {
  assert.equal(strip(stmtsOf('; x = 1; ;;')), [assign('x', i(1))]);
  assert.equal(strip(stmtsOf(';')), []);
});

// ---- match ------------------------------------------------------------------------------

test('match with literal patterns and the _ wildcard', () => {
  assert.equal(cases('case 1: a = 1; case "s": a = 2; case 1.5: a = 3; case _: a = 4;'), [
    { pattern: { kind: 'PLiteral', value: i(1) }, guard: null, body: [assign('a', i(1))] },
    { pattern: { kind: 'PLiteral', value: s('s') }, guard: null, body: [assign('a', i(2))] },
    { pattern: { kind: 'PLiteral', value: { kind: 'Float', value: 1.5 } }, guard: null, body: [assign('a', i(3))] },
    { pattern: { kind: 'PCapture', name: '_' }, guard: null, body: [assign('a', i(4))] },
  ]);
});

test('match capture pattern with a guard', () => {
  assert.equal(cases('case x if x > 0: a = x;'), [
    { pattern: { kind: 'PCapture', name: 'x' }, guard: cmp(n('x'), '>', i(0)), body: [assign('a', n('x'))] },
  ]);
});

test('a case body may hold several statements', () => {
  assert.equal(cases('case 1: a = 1; b = 2; case _: a = 2;'), [
    { pattern: { kind: 'PLiteral', value: i(1) }, guard: null, body: [assign('a', i(1)), assign('b', i(2))] },
    { pattern: { kind: 'PCapture', name: '_' }, guard: null, body: [assign('a', i(2))] },
  ]);
});

test('match or-pattern', () => {
  assert.equal(cases('case 1 | 2 | 3: a = 1;'), [{
    pattern: { kind: 'POr', options: [1, 2, 3].map((v) => ({ kind: 'PLiteral', value: i(v) })) },
    guard: null, body: [assign('a', i(1))],
  }]);
});

test('match sequence pattern with *rest, and an as binding', () => {
  assert.equal(cases('case [1, *rest]: a = 2; case [1, 2] as p: a = 3;'), [
    { pattern: { kind: 'PSequence', items: [{ kind: 'PLiteral', value: i(1) }, { kind: 'PStar', name: 'rest' }] }, guard: null, body: [assign('a', i(2))] },
    {
      pattern: { kind: 'PAs', name: 'p', pattern: { kind: 'PSequence', items: [{ kind: 'PLiteral', value: i(1) }, { kind: 'PLiteral', value: i(2) }] } },
      guard: null, body: [assign('a', i(3))],
    },
  ]);
});

test('match mapping pattern with **rest', () => {
  assert.equal(cases('case {"k": v, **kw}: a = 3;'), [{
    pattern: { kind: 'PMapping', keys: [s('k')], values: [{ kind: 'PCapture', name: 'v' }], rest: 'kw' },
    guard: null, body: [assign('a', i(3))],
  }]);
});

test('match class pattern with positional and keyword sub-patterns', () => {
  assert.equal(cases('case Point(1, y=2): a = 4; case int(): a = 5;'), [
    {
      pattern: { kind: 'PClass', path: ['Point'], args: [{ kind: 'PLiteral', value: i(1) }], kwNames: ['y'], kwPatterns: [{ kind: 'PLiteral', value: i(2) }] },
      guard: null, body: [assign('a', i(4))],
    },
    { pattern: { kind: 'PClass', path: ['int'], args: [], kwNames: [], kwPatterns: [] }, guard: null, body: [assign('a', i(5))] },
  ]);
});

test('match None, True and False singleton patterns', () => {
  assert.equal(cases('case None: a = 1; case True: a = 2; case False: a = 3;'), [
    { pattern: { kind: 'PSingleton', value: null }, guard: null, body: [assign('a', i(1))] },
    { pattern: { kind: 'PSingleton', value: true }, guard: null, body: [assign('a', i(2))] },
    { pattern: { kind: 'PSingleton', value: false }, guard: null, body: [assign('a', i(3))] },
  ]);
});

test('a match with no case is an error', () => {
  parseErrors('with entry { match v { } }');
});

// ---- with -------------------------------------------------------------------------------

test('with open(p) as f { }', () => {
  assert.equal(strip(stmtsOf('with open(p) as f { x = f.read(); }')), [{
    kind: 'With', isAsync: false,
    items: [{ expr: call(n('open'), [n('p')]), target: n('f') }],
    body: [assign('x', call({ kind: 'Attribute', object: n('f'), name: 'read', nullSafe: false, op: '.' }))],
  }]);
});

test('with several items, one without as', () => {
  assert.equal(strip(stmtsOf('with a as x, b { }')), [{
    kind: 'With', isAsync: false, items: [{ expr: n('a'), target: n('x') }, { expr: n('b'), target: null }], body: [],
  }]);
});

test('realistic program (§6.10): the control-statement gallery', () => {
  const m = parseOk(`node Room { has name: str; has locked: bool = False; }
edge Door { has width: int = 1; }
walker Tour {
    has seen: list = [];
    can enter_root with \`root entry {
        ignore [-->(\`?Room: locked == True)];        # never enter locked rooms
        visit [->:Door:width >= 2:->] else { report "no wide doors"; }
    }
    can look with Room entry {
        self.seen.append(here.name);
        visit [-->];                                   # queue first ...
        if here.name == "Hall" { skip; }              # ... skip ends only this ability
        report here.name;
        if len(self.seen) >= 3 { disengage; }         # stop everything, no more exits
    }
    can note with Room exit { print("left", here.name); }
}
with entry {
    hall = Room("Hall"); root +>:Door:width=2:+> hall;
    root +>:Door:width=3:+> Room("Vault", locked=True);
    hall ++> Room("Kitchen"); hall ++> Room("Study");
    t = root spawn Tour();      # prints "left Hall", "left Kitchen" (no "left Study")
    print(t.seen);              # ['Hall', 'Kitchen', 'Study']; reports: ['Kitchen', 'Study']
}
`);
  assert.equal(m.body.map((x) => x.kind), ['Archetype', 'Archetype', 'Archetype', 'ModuleEntry']);
  const tour = (m.body[2] as Archetype).body!;
  const enter = ((tour[1] as Ability).body as { stmts: Stmt[] }).stmts;
  assert.equal(enter.map((x) => x.kind), ['Ignore', 'Visit']);
  assert.equal(strip((enter[1] as Extract<Stmt, { kind: 'Visit' }>).orelse), [{ kind: 'Report', value: s('no wide doors') }]);
  const look = ((tour[2] as Ability).body as { stmts: Stmt[] }).stmts;
  assert.equal(look.map((x) => x.kind), ['ExprStmt', 'Visit', 'If', 'Report', 'If']);
  assert.equal(strip(look[2]), {
    kind: 'If',
    test: cmp({ kind: 'Attribute', object: { kind: 'Special', name: 'here' }, name: 'name', nullSafe: false, op: '.' }, '==', s('Hall')),
    body: [{ kind: 'Control', control: 'skip' }],
    orelse: null,
  });
  assert.equal(strip((look[4] as Extract<Stmt, { kind: 'If' }>).body), [{ kind: 'Control', control: 'disengage' }]);
  assert.is((tour[3] as Ability).event.event, 'exit');
  const entry = (m.body[3] as Extract<Stmt, { kind: 'ModuleEntry' }>).body;
  assert.equal(entry.map((x) => x.kind), ['Assign', 'ExprStmt', 'ExprStmt', 'ExprStmt', 'ExprStmt', 'Assign', 'ExprStmt']);
  assert.equal(strip(entry[5]), assign('t', { kind: 'Spawn', left: { kind: 'Special', name: 'root' }, right: call(n('Tour')) }));
});

test.run();
