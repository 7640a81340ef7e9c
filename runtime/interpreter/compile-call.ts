// Calls `f(a, b, k=v)`, compiled once per call site. Python evaluates the callee, then the
// positional arguments, then the keyword ones. Plain positional calls, the most common, get
// closures of their own: the argument list is built at its final length (it becomes the new
// frame), a global callee is read from its cell, and a method's `self` goes straight into the
// argument list instead of through a bound method's copy.
import type * as A from '../../grammar/ast.ts';
import { PyDict } from '../values/containers.ts';
import { PyError } from '../values/errors.ts';
import { str } from '../values/repr.ts';
import type { Value } from '../values/value.ts';
import { PyBoundMethod } from './archetypes.ts';
import { type KeywordPlan, NO_KWARGS, PyFunction } from './callables.ts';
import { type Eval, NotSupported, type Runtime, compileExpr, elements } from './compile-expr.ts';
import { Globals, type GlobalCell } from './globals.ts';
import { call, getAttribute, instanceMethod } from './protocols.ts';
import type { Frame, Scope } from './scope.ts';

const noKwargs = NO_KWARGS as Map<string, Value>;

/** Calls `callee` with positional `args` (a fresh array). */
export function invoke(callee: Value, args: Value[]): Value {
  return callee instanceof PyFunction ? callee.call(args, noKwargs) : call(callee, args, noKwargs);
}

export function compileCall(rt: Runtime, scope: Scope, e: A.Call): Eval {
  if (e.by) throw new NotSupported("'by' calls");
  if (e.keywords.length > 0 || e.args.some((x) => x.kind === 'Starred')) return compileGeneralCall(rt, scope, e);
  const parts = e.args.map((x) => compileExpr(rt, scope, x));
  const func = e.func;
  if (func.kind === 'Attribute' && func.op === '.' && !func.nullSafe) return compileMethodCall(compileExpr(rt, scope, func.object), func.name, parts);
  const fn = compileExpr(rt, scope, func);
  const cell = func.kind === 'Name' && scope.resolve(func.name).kind === 'global' && rt.globals instanceof Globals ? rt.globals.cell(func.name) : null;
  if (cell) return compileGlobalCall(cell, fn, parts);
  const args = fixedArguments(parts);
  return (f) => {
    const callee = fn(f);
    return invoke(callee, args(f));
  };
}

/** `name(...)` where `name` is a global (or a builtin: the cell is empty, `fn` finds it). */
function compileGlobalCall(cell: GlobalCell, fn: Eval, parts: Eval[]): Eval {
  switch (parts.length) {
    case 0:
      return (f) => invoke(cell.value ?? fn(f), []);
    case 1: {
      const [a] = parts;
      return (f) => {
        const callee = cell.value ?? fn(f);
        return invoke(callee, [a(f)]);
      };
    }
    case 2: {
      const [a, b] = parts;
      return (f) => {
        const callee = cell.value ?? fn(f);
        return invoke(callee, [a(f), b(f)]);
      };
    }
    default: {
      const args = fixedArguments(parts);
      return (f) => {
        const callee = cell.value ?? fn(f);
        return invoke(callee, args(f));
      };
    }
  }
}

/**
 * `object.name(...)`: a method found on an instance's class is called with the instance as its
 * first argument, without a bound method; any other attribute is read (before the arguments,
 * as Python does) and called.
 */
function compileMethodCall(object: Eval, name: string, parts: Eval[]): Eval {
  switch (parts.length) {
    case 0:
      return (f) => {
        const o = object(f);
        const fn = instanceMethod(o, name);
        if (fn !== null) return fn.call([o], noKwargs);
        const m = getAttribute(o, name);
        return m instanceof PyBoundMethod ? m.fn.call([m.self], noKwargs) : invoke(m, []);
      };
    case 1: {
      const [a] = parts;
      return (f) => {
        const o = object(f);
        const fn = instanceMethod(o, name);
        if (fn !== null) return fn.call([o, a(f)], noKwargs);
        const m = getAttribute(o, name);
        return m instanceof PyBoundMethod ? m.fn.call([m.self, a(f)], noKwargs) : invoke(m, [a(f)]);
      };
    }
    case 2: {
      const [a, b] = parts;
      return (f) => {
        const o = object(f);
        const fn = instanceMethod(o, name);
        if (fn !== null) return fn.call([o, a(f), b(f)], noKwargs);
        const m = getAttribute(o, name);
        return m instanceof PyBoundMethod ? m.fn.call([m.self, a(f), b(f)], noKwargs) : invoke(m, [a(f), b(f)]);
      };
    }
    default: {
      const args = fixedArguments(parts);
      return (f) => {
        const o = object(f);
        const fn = instanceMethod(o, name);
        const m = fn ?? getAttribute(o, name);
        const values = args(f);
        if (fn !== null) return fn.call([o, ...values], noKwargs);
        return m instanceof PyBoundMethod ? m.fn.call([m.self, ...values], noKwargs) : invoke(m, values);
      };
    }
  }
}

/**
 * One call site with keyword arguments `f(a, k=v)`: the first time it reaches a Jac function
 * it works out which slots the keywords fill (`keywordPlan`), and reuses that while the callee
 * and the count of positional arguments stay the same (`f` bound or not), so a call builds no
 * `Map` of keywords. Anything else binds as usual.
 */
export class KeywordCall {
  private fn: PyFunction | null = null;
  /** The positional arguments the plan was made for: one more when the callee was a bound method. */
  private given = -1;
  private plan: KeywordPlan | null = null;

  constructor(readonly names: readonly string[]) {}

  call(callee: Value, args: Value[], values: Value[]): Value {
    const fn = callee instanceof PyBoundMethod ? callee.fn : callee;
    if (fn instanceof PyFunction) {
      const all = callee instanceof PyBoundMethod ? [callee.self, ...args] : args;
      if (fn !== this.fn || all.length !== this.given) {
        this.fn = fn;
        this.given = all.length;
        this.plan = fn.keywordPlan(all.length, this.names);
      }
      if (this.plan !== null) return fn.callPlanned(all, this.plan, values);
    }
    const kwargs = new Map<string, Value>();
    this.names.forEach((name, i) => kwargs.set(name, values[i]));
    return call(callee, args, kwargs);
  }
}

/** Calls with keyword arguments or `*spread`s. */
function compileGeneralCall(rt: Runtime, scope: Scope, e: A.Call): Eval {
  const fn = compileExpr(rt, scope, e.func);
  const args = elements(rt, scope, e.args);
  const keywords = e.keywords.map((k) => ({ name: k.name, value: compileExpr(rt, scope, k.value) }));
  const names = keywords.map((k) => k.name);
  if (names.every((n) => n !== null)) {
    const site = new KeywordCall(names as string[]);
    const values = keywords.map((k) => k.value);
    return (f) => {
      const callee = fn(f);
      const positional = args(f);
      return site.call(callee, positional, values.map((v) => v(f)));
    };
  }
  return (f) => {
    const callee = fn(f);
    const values = args(f);
    const kwargs = new Map<string, Value>();
    for (const k of keywords) {
      const v = k.value(f);
      if (k.name !== null) kwargs.set(k.name, v);
      else if (v instanceof PyDict) for (const [key, val] of v.items()) kwargs.set(str(key), val);
      else throw new PyError('TypeError', 'argument after ** must be a mapping');
    }
    return call(callee, values, kwargs);
  };
}

/** The argument list of a call without `*spread`: built at its final length, with no checks per item. */
function fixedArguments(parts: Eval[]): (f: Frame) => Value[] {
  switch (parts.length) {
    case 0:
      return () => [];
    case 1: {
      const [a] = parts;
      return (f) => [a(f)];
    }
    case 2: {
      const [a, b] = parts;
      return (f) => [a(f), b(f)];
    }
    case 3: {
      const [a, b, c] = parts;
      return (f) => [a(f), b(f), c(f)];
    }
    default:
      return (f) => parts.map((p) => p(f));
  }
}
