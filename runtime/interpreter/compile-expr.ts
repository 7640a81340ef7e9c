// Expressions compiled once into closures `(frame) => value`: names are resolved to slots and
// operators to functions at compile time, so running an expression does no lookups by kind.
import type { HostModules } from './stdlib/index.ts';
import type * as A from '../../grammar/ast.ts';
import { activeRun } from './run-context.ts';
import { PyBytes } from '../values/bytes.ts';
import { compareOperator, equals, truthy } from '../values/compare.ts';
import { PyDict, PySet, PyTuple, setOf } from '../values/containers.ts';
import { PyError } from '../values/errors.ts';
import { float } from '../values/numbers.ts';
import { str } from '../values/repr.ts';
import type { Value } from '../values/value.ts';
import { PyFunction, type ParamSpec } from './callables.ts';
import { PyGenerator } from './iterators.ts';
import { collect, grow } from './memory.ts';
import { Globals } from './globals.ts';
import { unary } from './operators.ts';
import { compileCall } from './compile-call.ts';
import { compileBinaryOp, compileCompareOp, smallIntLiteral } from './fast-paths.ts';
import { call, contains, extendList, getAttribute, getItem, iterate, setAttribute, setItem as setItemOf, setSlice, type SliceBounds } from './protocols.ts';
import { type Frame, Scope, UNBOUND, containsYield, functionScope } from './scope.ts';
import type { Exec } from './callables.ts';
import type { PyInstance } from './archetypes.ts';
import { compileAssignCompr, compileConnect, compileDisconnect, compileEdgeRef, compileFilter, compileSpawn, compileSpecial, compileTypes } from './compile-spatial.ts';

export type Eval = (f: Frame) => Value;

/** What compiled code needs from the module it runs in. */
export interface Runtime {
  globals: Map<string, Value>;
  builtins: Map<string, Value>;
  /** Compiles a function body or a `with entry` block: to JavaScript (codegen/), or closures. */
  compileBody(scope: Scope, body: A.Stmt[]): Exec;
  /** Compiles the body of a function that contains `yield` (generators.ts). */
  compileGenerator(scope: Scope, body: A.Stmt[], name: string): Exec;
  /** The exceptions being handled, innermost last (for a bare `raise`). */
  handling: PyError[];
  /** The root node of this run's graph. */
  root: PyInstance;
  /** What `report` collected, in order. */
  reports: Value[];
  /** Whether walkers keep their abilities' return values (`returns`, which the server can show). */
  collectReturns: boolean;
  /** Whether `with entry` blocks run (not while a program is only being checked). */
  runEntries: boolean;
  /** Counts a step (a loop iteration, an ability run); throws once the run's budget is spent. */
  tick(): void;
  /** The module's file, for resolving its imports. */
  file: string;
  /** Whether this module is the program (so its `with entry:__main__` blocks run). */
  isMain: boolean;
  /** Compiles the .jac module at `file` (once per run); `run()` executes it once and gives its globals. */
  importModule(file: string): { name: string; run(): Map<string, Value> };
  /** Modules the host provides, by dotted name. */
  hostModules: HostModules;
}

/** A construct the interpreter does not run yet; carries where it is in the source. */
export class NotSupported extends Error {
  span: A.Span | null = null;
}

/** Code nested more deeply than the compiler's stack allows (Python's compiler stops too). */
export class NestedTooDeeply extends NotSupported {
  constructor() {
    super('the code is nested too deeply to compile (maximum recursion depth exceeded during compilation)');
  }
}

/**
 * What compiling `node` threw, with its span: a stack overflow becomes NestedTooDeeply, located
 * at the innermost node that could still make it.
 */
export function compileError(err: unknown, node: { span: A.Span }): unknown {
  const error = err instanceof RangeError && err.message === 'Maximum call stack size exceeded' ? new NestedTooDeeply() : err;
  if (error instanceof NotSupported) error.span ??= node.span;
  return error;
}

/** Reads a name: a slot in this or an enclosing frame, or a global, then a builtin. */
export function compileLoad(rt: Runtime, scope: Scope, name: string): Eval {
  const r = scope.resolve(name);
  if (r.kind === 'local') {
    const { depth, index } = r;
    const unbound = () =>
      depth === 0
        ? new PyError('UnboundLocalError', `cannot access local variable '${name}' where it is not associated with a value`)
        : new PyError('NameError', `cannot access free variable '${name}' where it is not associated with a value in enclosing scope`);
    if (depth === 0) {
      return (f) => {
        const v = f.slots[index];
        if (v === UNBOUND) throw unbound();
        return v;
      };
    }
    return (f) => {
      let frame = f;
      for (let d = 0; d < depth; d++) frame = frame.parent!;
      const v = frame.slots[index];
      if (v === UNBOUND) throw unbound();
      return v;
    };
  }
  const { globals, builtins } = rt;
  if (globals instanceof Globals) {
    const cell = globals.cell(name);
    return () => {
      const v = cell.value;
      if (v !== undefined) return v;
      const b = builtins.get(name);
      if (b === undefined) throw new PyError('NameError', `name '${name}' is not defined`);
      return b;
    };
  }
  return () => {
    // Not `??`: a global may hold None (null).
    let v = globals.get(name);
    if (v === undefined) v = builtins.get(name);
    if (v === undefined) throw new PyError('NameError', `name '${name}' is not defined`);
    return v;
  };
}

export function compileExpr(rt: Runtime, scope: Scope, e: A.Expr): Eval {
  try {
    return compileExprKind(rt, scope, e);
  } catch (err) {
    throw compileError(err, e);
  }
}

function compileExprKind(rt: Runtime, scope: Scope, e: A.Expr): Eval {
  const sub = (x: A.Expr) => compileExpr(rt, scope, x);
  switch (e.kind) {
    case 'Name':
      return compileLoad(rt, scope, e.name);
    case 'Special':
      // `init` and `postinit` are keywords that programs may still use as variable names;
      // `self` is a method's first parameter.
      if (e.name === 'init' || e.name === 'postinit') return compileLoad(rt, scope, e.name);
      if (e.name === 'self') {
        if (scope.resolve('self').kind === 'local') return compileLoad(rt, scope, 'self');
        return () => {
          throw new PyError('NameError', "name 'self' is not defined");
        };
      }
      return compileSpecial(rt, scope, e.name);
    case 'TypeRef': {
      const types = compileTypes(rt, scope, e);
      return () => types()[0];
    }
    case 'Connect':
      return compileConnect(rt, scope, e);
    case 'Disconnect':
      return compileDisconnect(rt, scope, e);
    case 'EdgeRef':
      return compileEdgeRef(rt, scope, e);
    case 'FilterCompr':
      return compileFilter(rt, scope, e);
    case 'AssignCompr':
      return compileAssignCompr(rt, scope, e);
    case 'Spawn':
      return compileSpawn(rt, scope, e);
    case 'Int': {
      const v = e.value >= -9007199254740991n && e.value <= 9007199254740991n ? Number(e.value) : e.value;
      return () => v;
    }
    case 'Float': {
      const v = float(e.value);
      return () => v;
    }
    case 'Str': {
      // bytes are immutable, so one value can serve every evaluation of the literal.
      const v = e.isBytes ? PyBytes.fromLatin1(e.value) : e.value;
      return () => v;
    }
    case 'Constant': {
      if (e.value === 'Ellipsis') throw new NotSupported('Ellipsis');
      const v = e.value;
      return () => v;
    }
    case 'FString': {
      const parts = e.parts.map((p) => (typeof p === 'string' ? () => p : sub(p)));
      return (f) => {
        let out = '';
        for (const p of parts) out += str(p(f));
        return out;
      };
    }
    case 'List': {
      const elts = elements(rt, scope, e.elts);
      return (f) => elts(f);
    }
    case 'Tuple': {
      if (e.keywords.length > 0) throw new NotSupported('keyword tuples');
      const elts = elements(rt, scope, e.elts);
      return (f) => new PyTuple(elts(f));
    }
    case 'Set': {
      if (isFoldedSetDisplay(e.elts)) {
        const order = marshalOrder(e.elts);
        const elts = elements(rt, scope, order.map((i) => e.elts[i]));
        return (f) => setOf(new PySet(elts(f)));
      }
      const elts = elements(rt, scope, e.elts);
      return (f) => new PySet(elts(f));
    }
    case 'Dict': {
      const entries = e.entries.map((x) => ({ key: x.key ? sub(x.key) : null, value: sub(x.value) }));
      return (f) => {
        const d = new PyDict();
        for (const { key, value } of entries) {
          if (key) d.set(key(f), value(f));
          else {
            const spread = value(f);
            if (!(spread instanceof PyDict)) throw new PyError('TypeError', `'${str(spread)}' is not a mapping`);
            for (const [k, v] of spread.items()) d.set(k, v);
          }
        }
        return d;
      };
    }
    case 'Unary': {
      const operand = sub(e.operand);
      const op = e.op;
      return (f) => unary(op, operand(f));
    }
    case 'Binary': {
      const left = sub(e.left);
      const right = sub(e.right);
      return compileBinaryOp(e.op, left, right, smallIntLiteral(e.right));
    }
    case 'BoolOp': {
      const values = e.values.map(sub);
      const isAnd = e.op === 'and';
      return (f) => {
        let v: Value = null;
        for (const x of values) {
          v = x(f);
          if (truthy(v) !== isAnd) return v;
        }
        return v;
      };
    }
    case 'Compare': {
      const operands = [sub(e.left), ...e.comparators.map(sub)];
      const ops = e.ops;
      if (ops.length === 1) return compileCompareOp(ops[0], operands[0], operands[1], smallIntLiteral(e.comparators[0]), compareOp);
      return (f) => {
        // `a < b < c` is `a < b and b < c`: the first false result, else the last.
        let left = operands[0](f);
        let r: Value = true;
        for (let i = 0; i < ops.length; i++) {
          const right = operands[i + 1](f);
          r = compareOp(ops[i], left, right);
          if (r !== true && !truthy(r)) return r;
          left = right;
        }
        return r;
      };
    }
    case 'Ternary': {
      const test = sub(e.test);
      const body = sub(e.body);
      const orelse = sub(e.orelse);
      return (f) => (truthy(test(f)) ? body(f) : orelse(f));
    }
    case 'Call':
      return compileCall(rt, scope, e);
    case 'Attribute': {
      if (e.op !== '.') throw new NotSupported(`'${e.op}' attribute access`);
      const object = sub(e.object);
      const name = e.name;
      if (e.nullSafe) {
        return (f) => {
          const o = object(f);
          return o === null ? null : getAttribute(o, name);
        };
      }
      return (f) => getAttribute(object(f), name);
    }
    case 'Index': {
      const object = sub(e.object);
      if (e.index.kind === 'Slice') {
        const bounds = slice(rt, scope, e.index);
        return (f) => getItem(object(f), bounds(f), true);
      }
      const index = sub(e.index);
      if (e.nullSafe) {
        return (f) => {
          const o = object(f);
          return o === null ? null : getItem(o, index(f), false);
        };
      }
      return (f) => getItem(object(f), index(f), false);
    }
    case 'Lambda':
      return compileFunction(rt, scope, '<lambda>', e.params, [{ kind: 'Return', value: e.body, span: e.span }]);
    case 'Walrus': {
      const value = sub(e.value);
      const store = compileStoreName(rt, scope, e.target);
      return (f) => {
        const v = value(f);
        store(f, v);
        return v;
      };
    }
    case 'Pipe': {
      // `a |> f` and `a :> f` call f(a); `f <| a` and `f <: a` call f(a). A tuple on the
      // left of `|>` spreads into the arguments.
      const forward = e.op === '|>' || e.op === ':>';
      const fn = sub(forward ? e.right : e.left);
      const arg = sub(forward ? e.left : e.right);
      const spread = forward && e.left.kind === 'Tuple';
      return (f) => {
        const a = arg(f);
        const args = spread && a instanceof PyTuple ? [...a.items] : [a];
        return call(fn(f), args, new Map());
      };
    }
    case 'PrefixPipe': {
      if (e.op !== '|>' && e.op !== ':>') throw new NotSupported(`prefix '${e.op}'`);
      const fn = sub(e.operand);
      return (f) => call(fn(f), [], new Map());
    }
    case 'ListComp':
    case 'SetComp':
    case 'GenExp':
    case 'DictComp':
      return compileComprehension(rt, scope, e);
    case 'Ref': {
      // `&id`: jaclang 0.8.0 compiles it to `jobj(id)`, the object with that id (raising when none).
      const id = compileExpr(rt, scope, e.value);
      return (f) => activeRun().lookup(id(f));
    }
    default:
      throw new NotSupported(e.kind);
  }
}

/**
 * A display of 3+ int constants is compiled to a frozenset constant merged into a new set
 * (BUILD_SET 0, LOAD_CONST, SET_UPDATE). The frozenset comes from the marshalled module, which
 * holds its items sorted by their marshalled bytes, and is built in that order.
 */
function isFoldedSetDisplay(elts: A.Expr[]): boolean {
  return elts.length > 2 && elts.every((x) => constantInt(x) !== null);
}

/** The items of a folded display in the order marshal stores them. */
function marshalOrder(elts: A.Expr[]): number[] {
  // A literal's int object is still referenced by jaclang's Python AST when the module is
  // marshalled, so marshal flags it as a reference; a value the optimizer folded is not.
  const keys = elts.map((x) => marshalInt(constantInt(x)!, x.kind === 'Int'));
  return elts.map((_, i) => i).sort((a, b) => {
    const [x, y] = [keys[a], keys[b]];
    for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i] - y[i];
    return x.length - y.length;
  });
}

/**
 * marshal's bytes for an int: TYPE_INT and 4 bytes, or TYPE_LONG, a digit count and 15-bit
 * digits; the type byte has FLAG_REF (0x80) when the int object is shared: a literal, or one of
 * the cached small ints (-5..256).
 */
function marshalInt(v: bigint, literal: boolean): number[] {
  const flag = literal || (v >= -5n && v <= 256n) ? 0x80 : 0;
  const le32 = (n: number) => [n & 255, (n >>> 8) & 255, (n >>> 16) & 255, (n >>> 24) & 255];
  if (v >= -(2n ** 31n) && v < 2n ** 31n) return [0x69 | flag, ...le32(Number(v) >>> 0)];
  const digits: number[] = [];
  for (let m = v < 0n ? -v : v; m > 0n; m >>= 15n) digits.push(Number(m & 0x7fffn));
  return [0x6c | flag, ...le32((v < 0n ? -digits.length : digits.length) >>> 0), ...digits.flatMap((d) => [d & 255, d >>> 8])];
}

/** CPython's limit on folded `*`, `**` and `<<` results (MAX_INT_SIZE, in bits). */
const MAX_FOLDED_BITS = 128n;

/** The value of an int expression CPython's optimizer folds to a constant, else null. */
function constantInt(x: A.Expr): bigint | null {
  if (x.kind === 'Int') return x.value;
  if (x.kind === 'Unary' && (x.op === '-' || x.op === '+')) {
    const v = constantInt(x.operand);
    return v === null ? null : x.op === '-' ? -v : v;
  }
  if (x.kind !== 'Binary') return null;
  const [a, b] = [constantInt(x.left), constantInt(x.right)];
  if (a === null || b === null) return null;
  const bits = (v: bigint) => BigInt((v < 0n ? -v : v).toString(2).length);
  switch (x.op) {
    case '+':
      return a + b;
    case '-':
      return a - b;
    case '*':
      return bits(a) + bits(b) > MAX_FOLDED_BITS ? null : a * b;
    case '**':
      return b < 0n || (a !== 0n && a !== 1n && a !== -1n && bits(a) * b > MAX_FOLDED_BITS) ? null : a ** b;
    case '<<':
      return b < 0n || bits(a) + b > MAX_FOLDED_BITS ? null : a << b;
    case '>>':
      return b < 0n ? null : a >> b;
    case '&':
      return a & b;
    case '|':
      return a | b;
    case '^':
      return a ^ b;
    default:
      return null; // `/` makes a float; `//` and `%` by zero must raise at run time
  }
}

/** One comparison; an archetype's `__eq__`, `__lt__`, ... may give any value, kept as Python keeps it. */
export function compareOp(op: A.CmpOp, a: Value, b: Value): Value {
  switch (op) {
    case 'is':
      return a === b || (a === null && b === null);
    case 'is not':
      return !(a === b);
    case 'in':
      return contains(b, a, equals);
    case 'not in':
      return !contains(b, a, equals);
    default:
      return compareOperator(op, a, b);
  }
}

/** Elements of a list/tuple/set display, with `*spread`. */
export function elements(rt: Runtime, scope: Scope, elts: A.Expr[]): (f: Frame) => Value[] {
  const parts = elts.map((x) => (x.kind === 'Starred' ? { spread: true, ev: compileExpr(rt, scope, x.value) } : { spread: false, ev: compileExpr(rt, scope, x) }));
  return (f) => {
    const out: Value[] = [];
    for (const p of parts) {
      if (p.spread) extendList(out, p.ev(f));
      else grow(out, p.ev(f));
    }
    return out;
  };
}

export function slice(rt: Runtime, scope: Scope, s: A.Slice): (f: Frame) => SliceBounds {
  const none = () => null;
  const lower = s.lower ? compileExpr(rt, scope, s.lower) : none;
  const upper = s.upper ? compileExpr(rt, scope, s.upper) : none;
  const step = s.step ? compileExpr(rt, scope, s.step) : none;
  return (f) => ({ lower: lower(f), upper: upper(f), step: step(f) });
}

/** `def` and `lambda`: defaults are evaluated now, once; the body runs in a new frame per call. */
export function compileFunction(
  rt: Runtime,
  scope: Scope,
  name: string,
  params: A.Param[],
  body: A.Stmt[],
  doc: string | null = null,
  owner: { cls: unknown } | null = null,
): Eval {
  const inner = functionScope(scope.isModule ? null : scope, params.map((p) => p.name), body);
  inner.owner = owner;
  const exec = containsYield(body) ? rt.compileGenerator(inner, body, name) : rt.compileBody(inner, body);
  const defaults = params.map((p) => (p.default ? compileExpr(rt, scope, p.default) : null));
  return (f) => {
    const specs: ParamSpec[] = params.map((p, i) => ({ name: p.name, variadic: p.variadic, default: defaults[i]?.(f) }));
    const fn = new PyFunction(name, specs, inner.size, exec, scope.isModule ? null : f);
    fn.doc = doc;
    return fn;
  };
}

/** Stores into a name: a slot, or a module global. */
export function compileStoreName(rt: Runtime, scope: Scope, name: string): (f: Frame, v: Value) => void {
  const r = scope.resolve(name);
  if (r.kind === 'global') {
    const { globals } = rt;
    return (_f, v) => void globals.set(name, v);
  }
  const { depth, index } = r;
  if (depth === 0) return (f, v) => void (f.slots[index] = v);
  return (f, v) => {
    let frame = f;
    for (let d = 0; d < depth; d++) frame = frame.parent!;
    frame.slots[index] = v;
  };
}

/** Comprehensions run in their own scope (their loop variables do not leak), as in Python 3. */
function compileComprehension(rt: Runtime, scope: Scope, e: A.ListComp | A.DictComp): Eval {
  const inner = new Scope(false, scope.isModule ? null : scope);
  const declare = (t: A.Expr) => {
    if (t.kind === 'Name') inner.declare(t.name);
    else if (t.kind === 'Tuple' || t.kind === 'List') t.elts.forEach(declare);
  };
  for (const g of e.generators) declare(g.target);
  // The first iterable is evaluated in the enclosing scope, the rest inside.
  const loops = e.generators.map((g, i) => ({
    iter: compileExpr(rt, i === 0 ? scope : inner, g.iter),
    store: compileTarget(rt, inner, g.target),
    conds: g.conds.map((c) => compileExpr(rt, inner, c)),
  }));
  const isDict = e.kind === 'DictComp';
  const elt = isDict ? null : compileExpr(rt, inner, (e as A.ListComp).elt);
  const key = isDict ? compileExpr(rt, inner, (e as A.DictComp).key) : null;
  const value = isDict ? compileExpr(rt, inner, (e as A.DictComp).value) : null;
  const kind = e.kind;
  if (kind === 'GenExp') {
    // A generator expression is lazy: only its first iterable is evaluated (and iterated) now.
    const depth = loops.length;
    const produce = function* (f: Frame, level: number, items: Iterable<Value>): Generator<Value, Value, Value> {
      const loop = loops[level];
      for (const item of items) {
        rt.tick();
        loop.store(f, item);
        if (!loop.conds.every((c) => truthy(c(f)))) continue;
        if (level + 1 === depth) yield elt!(f);
        else yield* produce(f, level + 1, iterate(loops[level + 1].iter(f)));
      }
      return null;
    };
    return (outer) => {
      const f: Frame = { slots: new Array(inner.size).fill(UNBOUND), parent: scope.isModule ? null : outer };
      const first = iterate(loops[0].iter(outer));
      return new PyGenerator('<genexpr>', '<genexpr>', produce(f, 0, first));
    };
  }
  return (outer) => {
    const f: Frame = { slots: new Array(inner.size).fill(UNBOUND), parent: scope.isModule ? null : outer };
    const out: Value[] = [];
    const dict = new PyDict();
    const run = (level: number): void => {
      if (level === loops.length) {
        if (isDict) dict.set(key!(f), value!(f));
        else grow(out, elt!(f));
        return;
      }
      const loop = loops[level];
      for (const item of iterate(loop.iter(level === 0 ? outer : f))) {
        loop.store(f, item);
        if (loop.conds.every((c) => truthy(c(f)))) run(level + 1);
      }
    };
    run(0);
    if (isDict) return dict;
    if (kind === 'SetComp') return new PySet(out);
    return out;
  };
}

/** Assignment targets: names, items, attributes and (possibly starred) unpacking. */
export function compileTarget(rt: Runtime, scope: Scope, t: A.Expr): (f: Frame, v: Value) => void {
  switch (t.kind) {
    case 'Name':
      return compileStoreName(rt, scope, t.name);
    case 'Special':
      if (t.name === 'init' || t.name === 'postinit') return compileStoreName(rt, scope, t.name);
      throw new NotSupported(`assignment to '${t.name}'`);
    case 'Attribute': {
      if (t.op !== '.') throw new NotSupported(`'${t.op}' attribute assignment`);
      const object = compileExpr(rt, scope, t.object);
      const name = t.name;
      return (f, v) => setAttribute(object(f), name, v);
    }
    case 'Index': {
      if (t.index.kind === 'Slice') {
        const object = compileExpr(rt, scope, t.object);
        const bounds = slice(rt, scope, t.index);
        return (f, v) => setSlice(object(f), bounds(f), v);
      }
      const object = compileExpr(rt, scope, t.object);
      const index = compileExpr(rt, scope, t.index);
      return (f, v) => setItemOf(object(f), index(f), v);
    }
    case 'Tuple':
    case 'List': {
      const starAt = t.elts.findIndex((x) => x.kind === 'Starred');
      const stores = t.elts.map((x) => compileTarget(rt, scope, x.kind === 'Starred' ? x.value : x));
      return (f, v) => {
        const items = collect(iterate(v));
        const n = stores.length;
        if (starAt === -1 && items.length !== n) {
          throw new PyError('ValueError', items.length > n ? `too many values to unpack (expected ${n})` : `not enough values to unpack (expected ${n}, got ${items.length})`);
        }
        if (starAt !== -1 && items.length < n - 1) {
          throw new PyError('ValueError', `not enough values to unpack (expected at least ${n - 1}, got ${items.length})`);
        }
        stores.forEach((store, i) => {
          if (starAt === -1 || i < starAt) store(f, items[i]);
          else if (i === starAt) store(f, items.slice(starAt, items.length - (n - 1 - starAt)));
          else store(f, items[items.length - (n - i)]);
        });
      };
    }
    default:
      throw new NotSupported(`assignment to ${t.kind}`);
  }
}

