// Functions whose body contains `yield`: the body is compiled a second way, into JS generator
// functions that can stop at a `yield` and resume later. Only statements and expressions that
// hold a `yield` are compiled so; everything else in the body is the ordinary compiled closure,
// and functions without `yield` never come here, so they run exactly as before.
import type * as A from '../../grammar/ast.ts';
import { truthy } from '../values/compare.ts';
import { PyTuple } from '../values/containers.ts';
import { str } from '../values/repr.ts';
import { engineErrorAsPy, PyError, type PyException, locatable } from '../values/errors.ts';
import type { Value } from '../values/value.ts';
import { PyClass } from './archetypes.ts';
import { BREAK, CONTINUE, Return, type Exec, type Signal } from './callables.ts';
import { NotSupported, compileExpr, compileLoad, compileStoreName, compileTarget, type Eval, type Runtime } from './compile-expr.ts';
import { compilePattern } from './compile-match.ts';
import { compileBlock, compileStmt, exceptionMatches, exceptionValue, inPlace } from './compile-stmt.ts';
import { PyGenerator } from './iterators.ts';
import { binary, unary } from './operators.ts';
import { call, extendList, getAttribute, getItem, iterate } from './protocols.ts';
import { containsYield, type Frame, type Scope } from './scope.ts';
import { grow } from './memory.ts';

/** Resumable statements: the values they yield, then their signal. */
type GenExec = (f: Frame) => Generator<Value, Signal, Value>;
/** Resumable expressions: the values they yield, then their value. */
type GenEval = (f: Frame) => Generator<Value, Value, Value>;

/** The body of a generator function: each call binds its arguments and returns a new generator object. */
export function compileGeneratorBody(rt: Runtime, scope: Scope, body: A.Stmt[], name: string): Exec {
  const run = compileGenBlock(rt, scope, body);
  const owner = scope.owner;
  return (f) => {
    const cls = owner?.cls;
    const qualname = cls instanceof PyClass ? `${cls.qualname}.${name}` : name;
    return new Return(new PyGenerator(name, qualname, run(f)));
  };
}

// Every resumable level costs each `yield` that passes through it, so statements set the spans
// of their errors in place rather than through a wrapping generator, and an expression without
// `yield` inside a resumable statement stays a plain closure.

/** Gives an error without a source position the position of the statement it leaves. */
function spanned(err: unknown, span: A.Span): unknown {
  if (locatable(err) && err.span === null) err.span = span;
  return err;
}

/** An expression of a compound statement (a test, an iterable): plain unless it holds a `yield`. */
interface Part {
  sync: Eval | null;
  gen: GenEval | null;
}

function part(rt: Runtime, scope: Scope, e: A.Expr, span: A.Span): Part {
  if (!containsYield(e)) {
    const ev = compileExpr(rt, scope, e);
    const sync: Eval = (f) => {
      try {
        return ev(f);
      } catch (err) {
        throw spanned(err, span);
      }
    };
    return { sync, gen: null };
  }
  const inner = compileGenExpr(rt, scope, e);
  const gen: GenEval = function* (f) {
    try {
      return yield* inner(f);
    } catch (err) {
      throw spanned(err, span);
    }
  };
  return { sync: null, gen };
}

const nothing: GenExec = function* () {
  return undefined;
};

function compileGenBlock(rt: Runtime, scope: Scope, body: A.Stmt[] | null): GenExec {
  if (!body || body.length === 0) return nothing;
  // Runs of statements without a yield stay ordinary closures.
  const parts: { plain: Exec | null; gen: GenExec | null }[] = [];
  let run: A.Stmt[] = [];
  const flush = () => {
    if (run.length > 0) parts.push({ plain: compileBlock(rt, scope, run), gen: null });
    run = [];
  };
  for (const s of body) {
    if (!containsYield(s)) {
      run.push(s);
      continue;
    }
    flush();
    parts.push({ plain: null, gen: compileGenStmt(rt, scope, s) });
  }
  flush();
  if (parts.length === 1 && parts[0].gen) return parts[0].gen;
  return function* (f) {
    for (const p of parts) {
      const signal = p.plain ? p.plain(f) : yield* p.gen!(f);
      if (signal !== undefined) return signal;
    }
    return undefined;
  };
}

function compileGenStmt(rt: Runtime, scope: Scope, s: A.Stmt): GenExec {
  try {
    return compileGenStmtKind(rt, scope, s);
  } catch (err) {
    if (err instanceof NotSupported) err.span ??= s.span;
    throw err;
  }
}

/** A part that must not hold a `yield` (a target, a `for ... to` step): compiled as usual. */
function plain<T>(node: unknown, what: string, compile: () => T): T {
  if (containsYield(node)) throw new NotSupported(`yield inside ${what}`);
  return compile();
}

/**
 * A simple statement whose expression `e` holds a yield, then `then` with its value. A plain
 * `yield v` (the usual case) is done right here, one resumable level fewer.
 */
function leaf(rt: Runtime, scope: Scope, span: A.Span, e: A.Expr, then: (f: Frame, v: Value) => Signal): GenExec {
  if (e.kind === 'Yield' && !e.isFrom && !containsYield(e.value)) {
    const value = e.value ? compileExpr(rt, scope, e.value) : null;
    return function* (f) {
      try {
        const sent = yield value ? value(f) : null;
        return then(f, sent);
      } catch (err) {
        throw spanned(err, span);
      }
    };
  }
  const gen = compileGenExpr(rt, scope, e);
  return function* (f) {
    try {
      return then(f, yield* gen(f));
    } catch (err) {
      throw spanned(err, span);
    }
  };
}

function compileGenStmtKind(rt: Runtime, scope: Scope, s: A.Stmt): GenExec {
  const span = s.span;
  const expr = (e: A.Expr) => part(rt, scope, e, span);
  const block = (b: A.Stmt[] | null) => compileGenBlock(rt, scope, b);
  const target = (t: A.Expr) => plain(t, 'an assignment target', () => compileTarget(rt, scope, t));
  switch (s.kind) {
    case 'ExprStmt':
      return leaf(rt, scope, span, s.expr, () => undefined);
    case 'Assign': {
      const stores = s.targets.map(target);
      return leaf(rt, scope, span, s.value, (f, v) => {
        for (const store of stores) store(f, v);
        return undefined;
      });
    }
    case 'AnnAssign': {
      const store = target(s.target);
      return leaf(rt, scope, span, s.value!, (f, v) => void store(f, v));
    }
    case 'AugAssign': {
      const t = s.target;
      if (t.kind !== 'Name') throw new NotSupported('yield in an augmented assignment to anything but a name');
      const op = s.op.slice(0, -1) as A.BinOp;
      const load = compileLoad(rt, scope, t.name);
      const store = compileStoreName(rt, scope, t.name);
      const value = compileGenExpr(rt, scope, s.value);
      return function* (f) {
        try {
          const old = load(f); // read before the yield, as Python does
          store(f, inPlace(op, old, yield* value(f)));
          return undefined;
        } catch (err) {
          throw spanned(err, span);
        }
      };
    }
    case 'Return':
      return leaf(rt, scope, span, s.value!, (_f, v) => new Return(v));
    case 'If': {
      const test = expr(s.test);
      const body = block(s.body);
      const orelse = block(s.orelse);
      return function* (f) {
        const t = test.sync ? test.sync(f) : yield* test.gen!(f);
        return truthy(t) ? yield* body(f) : yield* orelse(f);
      };
    }
    case 'While': {
      const test = expr(s.test);
      const body = block(s.body);
      return function* (f) {
        while (truthy(test.sync ? test.sync(f) : yield* test.gen!(f))) {
          rt.tick();
          const signal = yield* body(f);
          if (signal === BREAK) break;
          if (signal instanceof Return) return signal;
        }
        return undefined;
      };
    }
    case 'ForIn': {
      const iter = expr(s.iter);
      const store = target(s.target);
      const body = block(s.body);
      const orelse = block(s.orelse);
      return function* (f) {
        const v = iter.sync ? iter.sync(f) : yield* iter.gen!(f);
        let items: Iterable<Value>;
        try {
          items = iterate(v);
        } catch (err) {
          throw spanned(err, span);
        }
        for (const item of items) {
          rt.tick();
          try {
            store(f, item);
          } catch (err) {
            throw spanned(err, span);
          }
          const signal = yield* body(f);
          if (signal === BREAK) return undefined;
          if (signal instanceof Return) return signal;
        }
        return yield* orelse(f);
      };
    }
    case 'ForTo': {
      const init = plain(s.init, "a 'for' start", () => compileStmt(rt, scope, s.init));
      const step = plain(s.step, "a 'for' step", () => compileStmt(rt, scope, s.step));
      const test = expr(s.test);
      const body = block(s.body);
      const orelse = block(s.orelse);
      return function* (f) {
        init(f);
        while (truthy(test.sync ? test.sync(f) : yield* test.gen!(f))) {
          rt.tick();
          const signal = yield* body(f);
          if (signal === BREAK) return undefined;
          if (signal instanceof Return) return signal;
          if (signal === CONTINUE) continue;
          step(f);
        }
        return yield* orelse(f);
      };
    }
    case 'Try':
      return compileGenTry(rt, scope, s);
    case 'Match': {
      const subject = expr(s.subject);
      const cases = s.cases.map((c) => ({
        matches: compilePattern(rt, scope, c.pattern),
        guard: c.guard ? plain(c.guard, 'a case guard', () => compileExpr(rt, scope, c.guard!)) : null,
        body: block(c.body),
      }));
      const choose = (f: Frame, v: Value) => {
        try {
          return cases.find((c) => c.matches(f, v) && (!c.guard || truthy(c.guard(f))));
        } catch (err) {
          throw spanned(err, span);
        }
      };
      return function* (f) {
        const chosen = choose(f, subject.sync ? subject.sync(f) : yield* subject.gen!(f));
        return chosen ? yield* chosen.body(f) : undefined;
      };
    }
    default:
      throw new NotSupported(`yield inside ${s.kind}`);
  }
}

function compileGenTry(rt: Runtime, scope: Scope, s: A.Try): GenExec {
  const body = compileGenBlock(rt, scope, s.body);
  const handlers = s.handlers.map((h) => ({
    type: plain(h.type, "an 'except' type", () => compileExpr(rt, scope, h.type)),
    store: h.name ? compileStoreName(rt, scope, h.name) : null,
    body: compileGenBlock(rt, scope, h.body),
  }));
  const orelse = s.orelse ? compileGenBlock(rt, scope, s.orelse) : null;
  const finalbody = s.finalbody ? compileGenBlock(rt, scope, s.finalbody) : null;
  const span = s.span;
  const handlerFor = (f: Frame, value: PyException) => {
    try {
      return handlers.find((h) => exceptionMatches(h.type(f), value));
    } catch (err) {
      throw spanned(err, span);
    }
  };
  return function* (f) {
    let signal: Signal;
    try {
      try {
        signal = yield* body(f);
      } catch (thrown) {
        const err = thrown instanceof PyError ? thrown : engineErrorAsPy(thrown);
        if (!err) throw thrown;
        const value = exceptionValue(err);
        const h = handlerFor(f, value);
        if (!h) throw err;
        h.store?.(f, value.value);
        return yield* handling(rt, err, h.body(f));
      }
      if (signal === undefined && orelse) signal = yield* orelse(f);
      return signal;
    } finally {
      if (finalbody) {
        const fs = yield* finalbody(f);
        // A return/break in `finally` wins, as in Python.
        if (fs !== undefined) return fs;
      }
    }
  };
}

/**
 * Runs an `except` body that may yield: the exception counts as being handled (for a bare
 * `raise`) only while the body runs, not while it is paused and its caller runs.
 */
function* handling(rt: Runtime, err: PyError, inner: Generator<Value, Signal, Value>): Generator<Value, Signal, Value> {
  const during = <T>(step: () => T): T => {
    rt.handling.push(err);
    try {
      return step();
    } finally {
      rt.handling.pop();
    }
  };
  let sent: Value = null;
  for (;;) {
    const r = during(() => inner.next(sent));
    if (r.done) return r.value;
    let closed = true;
    try {
      sent = yield r.value;
      closed = false;
    } finally {
      if (closed) during(() => inner.return(undefined));
    }
  }
}

/** An expression that may yield; one without a `yield` is the ordinary closure. */
function compileGenExpr(rt: Runtime, scope: Scope, e: A.Expr): GenEval {
  if (!containsYield(e)) {
    const ev = compileExpr(rt, scope, e);
    return function* (f) {
      return ev(f);
    };
  }
  try {
    return compileGenExprKind(rt, scope, e);
  } catch (err) {
    if (err instanceof NotSupported) err.span ??= e.span;
    throw err;
  }
}

function compileGenExprKind(rt: Runtime, scope: Scope, e: A.Expr): GenEval {
  const sub = (x: A.Expr) => compileGenExpr(rt, scope, x);
  switch (e.kind) {
    case 'Yield': {
      const value = e.value ? sub(e.value) : null;
      if (e.isFrom) {
        if (!value) throw new NotSupported("'yield from' without a value");
        return function* (f) {
          return yield* delegate(rt, yield* value(f));
        };
      }
      return function* (f) {
        const v = value ? yield* value(f) : null;
        return yield v;
      };
    }
    case 'Unary': {
      const operand = sub(e.operand);
      const op = e.op;
      return function* (f) {
        return unary(op, yield* operand(f));
      };
    }
    case 'Binary': {
      const left = sub(e.left);
      const right = sub(e.right);
      const op = e.op;
      return function* (f) {
        const a = yield* left(f);
        return binary(op, a, yield* right(f));
      };
    }
    case 'BoolOp': {
      const values = e.values.map(sub);
      const isAnd = e.op === 'and';
      return function* (f) {
        let v: Value = null;
        for (const x of values) {
          v = yield* x(f);
          if (truthy(v) !== isAnd) return v;
        }
        return v;
      };
    }
    case 'Ternary': {
      const test = sub(e.test);
      const body = sub(e.body);
      const orelse = sub(e.orelse);
      return function* (f) {
        return truthy(yield* test(f)) ? yield* body(f) : yield* orelse(f);
      };
    }
    case 'FString': {
      const parts = e.parts.map((p) => (typeof p === 'string' ? p : sub(p)));
      return function* (f) {
        let out = '';
        for (const p of parts) out += typeof p === 'string' ? p : str(yield* p(f));
        return out;
      };
    }
    case 'List': {
      const elts = elements(rt, scope, e.elts);
      return elts;
    }
    case 'Tuple': {
      if (e.keywords.length > 0) throw new NotSupported('keyword tuples');
      const elts = elements(rt, scope, e.elts);
      return function* (f) {
        return new PyTuple((yield* elts(f)) as Value[]);
      };
    }
    case 'Attribute': {
      if (e.op !== '.' || e.nullSafe) throw new NotSupported(`yield inside a '${e.nullSafe ? '?.' : e.op}' attribute access`);
      const object = sub(e.object);
      const name = e.name;
      return function* (f) {
        return getAttribute(yield* object(f), name);
      };
    }
    case 'Index': {
      if (e.index.kind === 'Slice' || e.nullSafe) throw new NotSupported('yield inside a slice');
      const object = sub(e.object);
      const index = sub(e.index);
      return function* (f) {
        const o = yield* object(f);
        return getItem(o, yield* index(f), false);
      };
    }
    case 'Call': {
      if (e.by) throw new NotSupported("'by' calls");
      const fn = sub(e.func);
      const args = elements(rt, scope, e.args);
      const keywords = e.keywords.map((k) => {
        if (k.name === null) throw new NotSupported('yield in a call with **kwargs');
        return { name: k.name, value: sub(k.value) };
      });
      return function* (f) {
        const callee = yield* fn(f);
        const positional = (yield* args(f)) as Value[];
        const kwargs = new Map<string, Value>();
        for (const k of keywords) kwargs.set(k.name, yield* k.value(f));
        return call(callee, positional, kwargs);
      };
    }
    default:
      throw new NotSupported(`yield inside ${e.kind}`);
  }
}

/** The items of a list or tuple display, or a call's arguments, with `*spread`. */
function elements(rt: Runtime, scope: Scope, elts: A.Expr[]): GenEval {
  const parts = elts.map((x) => (x.kind === 'Starred' ? { spread: true, ev: compileGenExpr(rt, scope, x.value) } : { spread: false, ev: compileGenExpr(rt, scope, x) }));
  return function* (f) {
    const out: Value[] = [];
    for (const p of parts) {
      const v = yield* p.ev(f);
      if (p.spread) extendList(out, v);
      else grow(out, v);
    }
    return out;
  };
}

/**
 * `yield from v`: a generator is resumed with what the caller sends, and its return value is
 * the expression's value (closing the outer generator closes it too); any other iterable's
 * items are yielded one by one, each a step of the budget.
 */
function* delegate(rt: Runtime, v: Value): Generator<Value, Value, Value> {
  if (!(v instanceof PyGenerator)) {
    for (const item of iterate(v)) {
      rt.tick(); // as a loop would: `yield from range(10**12)` is one
      yield item;
    }
    return null;
  }
  let sent: Value = null;
  let finished = false;
  try {
    for (;;) {
      const r = v.resume(sent);
      if (r.done) {
        finished = true;
        return r.value;
      }
      sent = yield r.value;
    }
  } finally {
    if (!finished) v.close();
  }
}
