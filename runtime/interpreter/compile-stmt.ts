// Statements compiled once into closures `(frame) => signal`: undefined to go on, or a
// break / continue / return signal that loops and calls act on.
import type * as A from '../../grammar/ast.ts';
import { truthy } from '../values/compare.ts';
import { chainContext, engineErrorAsPy, PyError, PyException, PyExceptionClass, exceptionClass, locatable } from '../values/errors.ts';
import { repr, str } from '../values/repr.ts';
import { PyTuple } from '../values/containers.ts';
import { NOT_IMPLEMENTED, type Value } from '../values/value.ts';
import { PyClass, PyInstance } from './archetypes.ts';
import { BREAK, CONTINUE, Return, type Exec, type Signal } from './callables.ts';
import { NotSupported, compileError, compileExpr, compileFunction, compileLoad, compileStoreName, compileTarget, slice, type Runtime } from './compile-expr.ts';
import { compileArchetype, compileEnum, compileImpl } from './compile-archetype.ts';
import { compileMatch } from './compile-match.ts';
import { isTrue } from './fast-paths.ts';
import { compileDisengage, compileIgnore, compileReport, compileVisit, destroyIfGraph } from './compile-spatial.ts';
import { PyModule, checkProvided, missingName, resolveImport } from './modules.ts';
import { inlinePython } from './inline-python.ts';
import { binary, binaryByMethod } from './operators.ts';
import { standardModule } from './stdlib/index.ts';
import { call, deleteItem, deleteSlice, extendList, getAttribute, getItem, iterate, setAttribute, setItem, setSlice } from './protocols.ts';
import { destroy } from './graph.ts';
import type { Scope } from './scope.ts';
import { UNBOUND } from './scope.ts';

/**
 * A block runs its statements in order until one signals. An error gets the span of the
 * innermost statement it leaves: one handler per block (not per statement) finds it by index.
 */
export function compileBlock(rt: Runtime, scope: Scope, body: A.Stmt[]): Exec {
  const stmts = body.map((s) => compileStmtUnlocated(rt, scope, s));
  const spans = body.map((s) => s.span);
  if (stmts.length === 1) return locate(stmts[0], spans[0]);
  return (f) => {
    let i = 0;
    try {
      for (; i < stmts.length; i++) {
        const signal = stmts[i](f);
        if (signal !== undefined) return signal;
      }
      return undefined;
    } catch (e) {
      if (locatable(e) && e.span === null) e.span = spans[i];
      throw e;
    }
  };
}

/** One statement on its own, its errors given its span. */
export function compileStmt(rt: Runtime, scope: Scope, s: A.Stmt): Exec {
  return locate(compileStmtUnlocated(rt, scope, s), s.span);
}

function locate(exec: Exec, span: A.Span): Exec {
  return (f) => {
    try {
      return exec(f);
    } catch (e) {
      if (locatable(e) && e.span === null) e.span = span;
      throw e;
    }
  };
}

function compileStmtUnlocated(rt: Runtime, scope: Scope, s: A.Stmt): Exec {
  try {
    return compileStmtKind(rt, scope, s);
  } catch (err) {
    throw compileError(err, s);
  }
}

const none: Exec = () => undefined;

function compileStmtKind(rt: Runtime, scope: Scope, s: A.Stmt): Exec {
  const expr = (e: A.Expr) => compileExpr(rt, scope, e);
  const block = (b: A.Stmt[] | null) => (b ? compileBlock(rt, scope, b) : none);
  switch (s.kind) {
    case 'ExprStmt': {
      const e = expr(s.expr);
      return (f) => void e(f);
    }
    case 'Assign': {
      const value = expr(s.value);
      const stores = s.targets.map((t) => compileTarget(rt, scope, t));
      if (stores.length === 1) {
        const store = stores[0];
        return (f) => void store(f, value(f));
      }
      return (f) => {
        const v = value(f);
        for (const store of stores) store(f, v);
        return undefined;
      };
    }
    case 'AnnAssign': {
      if (!s.value) return none;
      const value = expr(s.value);
      const store = compileTarget(rt, scope, s.target);
      return (f) => void store(f, value(f));
    }
    case 'AugAssign':
      return compileAugAssign(rt, scope, s);
    case 'If': {
      const test = expr(s.test);
      if (!s.orelse && s.body.length === 1) {
        // `if c { return x; }`: the one statement's errors are located here, saving a call.
        const only = compileStmtUnlocated(rt, scope, s.body[0]);
        const span = s.body[0].span;
        return (f) => {
          if (!isTrue(test(f))) return undefined;
          try {
            return only(f);
          } catch (e) {
            if (locatable(e) && e.span === null) e.span = span;
            throw e;
          }
        };
      }
      const body = block(s.body);
      if (!s.orelse) return (f) => (isTrue(test(f)) ? body(f) : undefined);
      const orelse = block(s.orelse);
      return (f) => (isTrue(test(f)) ? body(f) : orelse(f));
    }
    case 'While': {
      const test = expr(s.test);
      const body = block(s.body);
      return (f) => {
        while (truthy(test(f))) {
          rt.tick();
          const signal = body(f);
          if (signal === BREAK) break;
          if (signal instanceof Return) return signal;
        }
        return undefined;
      };
    }
    case 'ForIn': {
      const iter = expr(s.iter);
      const store = compileTarget(rt, scope, s.target);
      const body = block(s.body);
      const orelse = block(s.orelse);
      return (f) => {
        for (const item of iterate(iter(f))) {
          rt.tick();
          store(f, item);
          const signal = body(f);
          if (signal === BREAK) return undefined;
          if (signal instanceof Return) return signal;
        }
        return orelse(f);
      };
    }
    case 'ForTo': {
      // 0.8.0 compiles the step to the end of the body, so `continue` skips it.
      const init = compileStmt(rt, scope, s.init);
      const test = expr(s.test);
      const step = compileStmt(rt, scope, s.step);
      const body = block(s.body);
      const orelse = block(s.orelse);
      return (f) => {
        init(f);
        while (truthy(test(f))) {
          rt.tick();
          const signal = body(f);
          if (signal === BREAK) return undefined;
          if (signal instanceof Return) return signal;
          if (signal === CONTINUE) continue;
          step(f);
        }
        return orelse(f);
      };
    }
    case 'Control':
      if (s.control === 'break') return () => BREAK;
      if (s.control === 'continue') return () => CONTINUE;
      if (s.control === 'skip') return () => new Return(null); // ends the current ability only
      return compileDisengage(rt, scope);
    case 'Visit':
      return compileVisit(rt, scope, s, s.orelse ? compileBlock(rt, scope, s.orelse) : null);
    case 'Ignore':
      return compileIgnore(rt, scope, s);
    case 'Report':
      return compileReport(rt, scope, s);
    case 'Return': {
      const value = s.value ? expr(s.value) : () => null;
      // One signal per statement, refilled each time: the value is read as soon as the call
      // returns, and a `finally` that could run this statement again first copies it (compileTry).
      const signal = new Return(null);
      return (f) => {
        signal.value = value(f);
        return signal;
      };
    }
    case 'Function': {
      if (s.body?.kind !== 'Block') throw new NotSupported('a function without a body');
      const make = compileFunction(rt, scope, s.name, s.signature?.params ?? [], s.body.stmts, s.doc);
      const store = compileStoreName(rt, scope, s.name);
      return (f) => void store(f, make(f));
    }
    case 'GlobalRef':
    case 'NonlocalRef':
      return none; // resolved at compile time
    case 'Raise':
      return compileRaise(rt, scope, s);
    case 'Try':
      return compileTry(rt, scope, s);
    case 'Assert': {
      const test = expr(s.test);
      const msg = s.msg ? expr(s.msg) : null;
      return (f) => {
        if (truthy(test(f))) return undefined;
        const args = msg ? [msg(f)] : [];
        throw new PyError('AssertionError', args.length ? str(args[0]) : '', new PyException(exceptionClass('AssertionError'), args, repr));
      };
    }
    case 'Delete':
      return compileDelete(rt, scope, s.target);
    case 'ModuleEntry':
      if (!rt.runEntries || (s.name === '__main__' && !rt.isMain)) return none;
      return rt.compileBody(scope, s.body);
    case 'Import':
      return compileImport(rt, scope, s);
    case 'Archetype':
      return compileArchetype(rt, scope, s);
    case 'Enum':
      return compileEnum(rt, scope, s);
    case 'Impl':
      return compileImpl(rt, scope, s);
    case 'Match':
      return compileMatch(rt, scope, s, (b) => compileBlock(rt, scope, b));
    case 'GlobalVar':
      // `glob x = 1, y: int = 2;` assigns module globals; a bare `glob x;` only declares.
      return compileBlock(rt, scope, s.assignments.filter((a) => a.kind !== 'ExprStmt'));
    case 'PyInline':
      throw inlinePython(s);
    default:
      throw new NotSupported(s.kind);
  }
}

/** `import m;`, `import from .m { X, Y as Z }`, `include m;` of sibling .jac modules. */
function compileImport(rt: Runtime, scope: Scope, s: A.Import): Exec {
  const modules = s.paths.map((p) => {
    const provided = standardModule(rt.file, p, rt.hostModules);
    return { path: p, provided: provided !== null, module: provided ?? rt.importModule(resolveImport(rt.file, p)) };
  });
  if (s.form === 'include') {
    const { module } = modules[0];
    return (f) => {
      for (const [name, value] of module.run()) {
        if (!name.startsWith('__')) compileStoreName(rt, scope, name)(f, value);
      }
      return undefined;
    };
  }
  if (s.form === 'from') {
    const { module, provided } = modules[0];
    // What a provided module has is known before the program runs: a name it lacks is a load error.
    if (provided) checkProvided(module.name, module.run(), s.items);
    const items = s.items.map((item) => ({ name: item.name, store: compileStoreName(rt, scope, item.alias ?? item.name) }));
    return (f) => {
      const globals = module.run();
      for (const item of items) {
        const value = globals.get(item.name);
        if (value === undefined) throw missingName(module.name, item.name);
        item.store(f, value);
      }
      return undefined;
    };
  }
  // `import a.b as c;` binds c; `import a;` binds a.
  const binds = modules.map(({ path, module }) => ({ module, store: compileStoreName(rt, scope, path.alias ?? path.names[0]) }));
  return (f) => {
    for (const { module, store } of binds) store(f, new PyModule(module.name, module.run()));
    return undefined;
  };
}

function compileAugAssign(rt: Runtime, scope: Scope, s: A.AugAssign): Exec {
  const op = s.op.slice(0, -1) as A.BinOp;
  const value = compileExpr(rt, scope, s.value);
  const t = s.target;
  if (t.kind === 'Name') {
    const load = compileLoad(rt, scope, t.name);
    const store = compileStoreName(rt, scope, t.name);
    return (f) => void store(f, inPlace(op, load(f), value(f)));
  }
  if (t.kind === 'Index' && t.index.kind === 'Slice') {
    const object = compileExpr(rt, scope, t.object);
    const bounds = slice(rt, scope, t.index);
    return (f) => {
      const o = object(f);
      const b = bounds(f);
      setSlice(o, b, inPlace(op, getItem(o, b, true), value(f)));
      return undefined;
    };
  }
  if (t.kind === 'Index') {
    const object = compileExpr(rt, scope, t.object);
    const index = compileExpr(rt, scope, t.index);
    return (f) => {
      const o = object(f);
      const i = index(f);
      setItem(o, i, inPlace(op, getItem(o, i, false), value(f)));
      return undefined;
    };
  }
  if (t.kind === 'Attribute' && t.op === '.') {
    const object = compileExpr(rt, scope, t.object);
    const name = t.name;
    return (f) => {
      const o = object(f);
      setAttribute(o, name, inPlace(op, getAttribute(o, name), value(f)));
      return undefined;
    };
  }
  throw new NotSupported(`augmented assignment to ${t.kind}`);
}

/** `xs += ys` extends the list in place, as Python's list.__iadd__ does; the rest rebind. */
export function inPlace(op: A.BinOp, a: Value, b: Value): Value {
  if (a instanceof PyInstance) {
    // `x += y` tries x.__iadd__(y), then x.__add__(y), then y.__radd__(x).
    const r = binaryByMethod(op, a, b, true);
    if (r !== NOT_IMPLEMENTED) return r;
  }
  if (op === '+' && Array.isArray(a)) {
    extendList(a, b);
    return a;
  }
  try {
    return binary(op, a, b);
  } catch (e) {
    // CPython names the augmented operator: "unsupported operand type(s) for +=: ...".
    const plain = `unsupported operand type(s) for ${op === '**' ? '** or pow()' : op}: `;
    if (e instanceof PyError && e.pyType === 'TypeError' && e.value === null && e.message.startsWith(plain)) {
      throw new PyError('TypeError', `unsupported operand type(s) for ${op}=: ${e.message.slice(plain.length)}`);
    }
    throw e;
  }
}

function compileDelete(rt: Runtime, scope: Scope, t: A.Expr): Exec {
  if (t.kind === 'Name') {
    const load = compileLoad(rt, scope, t.name);
    const r = scope.resolve(t.name);
    return (f) => {
      destroyIfGraph(load(f)); // NameError / UnboundLocalError when not bound
      if (r.kind === 'global') rt.globals.delete(t.name);
      else f.slots[r.index] = UNBOUND;
      return undefined;
    };
  }
  // jaclang 0.8.0 compiles `del x[k]` to `destroy([x[k]]); del x[k]`: the item is read first (a
  // node or edge read is destroyed; a slice's list is not), then x and k are evaluated again.
  if (t.kind === 'Index' && t.index.kind === 'Slice') {
    const object = compileExpr(rt, scope, t.object);
    const bounds = slice(rt, scope, t.index);
    return (f) => {
      getItem(object(f), bounds(f), true);
      deleteSlice(object(f), bounds(f));
      return undefined;
    };
  }
  if (t.kind === 'Index') {
    const object = compileExpr(rt, scope, t.object);
    const index = compileExpr(rt, scope, t.index);
    return (f) => {
      destroy(getItem(object(f), index(f), false));
      deleteItem(object(f), index(f));
      return undefined;
    };
  }
  if (t.kind === 'EdgeRef' || t.kind === 'FilterCompr' || t.kind === 'Call' || t.kind === 'Special' || t.kind === 'Attribute') {
    const value = compileExpr(rt, scope, t);
    return (f) => {
      if (!destroyIfGraph(value(f))) throw new NotSupported(`del of ${t.kind} that is not a node or edge`);
      return undefined;
    };
  }
  if (t.kind === 'Tuple' || t.kind === 'List') {
    const parts = t.elts.map((x) => compileDelete(rt, scope, x));
    return (f) => {
      for (const p of parts) p(f);
      return undefined;
    };
  }
  throw new NotSupported(`del of ${t.kind}`);
}

/** The exception value a `raise` operand stands for: a class is instantiated with no args. */
function toException(v: Value): PyException {
  if (v instanceof PyException) return v;
  if (v instanceof PyExceptionClass) return new PyException(v, [], repr);
  if (v instanceof PyClass && v.exceptionBase) v = call(v, [], new Map());
  if (v instanceof PyInstance && v.exception) return v.exception;
  throw new PyError('TypeError', 'exceptions must derive from BaseException');
}

/** The exception value of an error in flight (a runtime error gets one on first need). */
export function exceptionValue(e: PyError): PyException {
  return (e.value ??= new PyException(exceptionClass(e.pyType), e.message ? [e.message] : [], repr));
}

function compileRaise(rt: Runtime, scope: Scope, s: A.Raise): Exec {
  const exc = s.exc ? compileExpr(rt, scope, s.exc) : null;
  if (!exc) {
    // A bare `raise` re-raises the exception being handled.
    return () => {
      const current = rt.handling[rt.handling.length - 1];
      throw current ?? new PyError('RuntimeError', 'No active exception to reraise');
    };
  }
  const cause = s.cause ? compileExpr(rt, scope, s.cause) : null;
  return (f) => {
    const value = toException(exc(f));
    if (cause) {
      const c = cause(f);
      value.cause = c === null ? null : toException(c); // `from None` only hides the context
      value.suppressContext = true;
    }
    throw new PyError(value.typeName, value.message(), value);
  };
}

/** Whether an `except cls` clause catches `e`. */
export function exceptionMatches(cls: Value, e: PyException): boolean {
  if (cls instanceof PyExceptionClass) return e.cls.isSubclassOf(cls);
  if (cls instanceof PyClass && cls.exceptionBase) return e.instance instanceof PyInstance && e.instance.cls.isSubclassOf(cls);
  if (cls instanceof PyTuple) return cls.items.some((c) => exceptionMatches(c, e));
  throw new PyError('TypeError', 'catching classes that do not inherit from BaseException is not allowed');
}

function compileTry(rt: Runtime, scope: Scope, s: A.Try): Exec {
  const body = compileBlock(rt, scope, s.body);
  const handlers = s.handlers.map((h) => ({
    type: compileExpr(rt, scope, h.type),
    store: h.name ? compileStoreName(rt, scope, h.name) : null,
    body: compileBlock(rt, scope, h.body),
  }));
  const orelse = s.orelse ? compileBlock(rt, scope, s.orelse) : null;
  const finalbody = s.finalbody ? compileBlock(rt, scope, s.finalbody) : null;
  return (f) => {
    let signal: Signal;
    // The exception propagating through `finally`, which becomes the context of one raised there.
    let pending: PyError | null = null;
    try {
      try {
        signal = body(f);
      } catch (thrown) {
        const err = thrown instanceof PyError ? thrown : engineErrorAsPy(thrown);
        if (!err) throw thrown;
        const value = exceptionValue(err);
        // Raised while another was being handled: that one is its context.
        const outer = rt.handling[rt.handling.length - 1];
        if (outer) chainContext(value, exceptionValue(outer));
        pending = err;
        for (const h of handlers) {
          if (!exceptionMatches(h.type(f), value)) continue;
          h.store?.(f, value.value);
          rt.handling.push(err);
          try {
            const handled = h.body(f);
            pending = null;
            return handled;
          } catch (inner) {
            const innerErr = inner instanceof PyError ? inner : engineErrorAsPy(inner);
            if (innerErr) {
              chainContext(exceptionValue(innerErr), value);
              pending = innerErr;
            }
            throw innerErr ?? inner;
          } finally {
            rt.handling.pop();
          }
        }
        throw err;
      }
      if (signal === undefined && orelse) signal = orelse(f);
      return signal;
    } finally {
      if (finalbody) {
        let fs: Signal;
        try {
          fs = finalbody(f);
        } catch (inner) {
          const innerErr = inner instanceof PyError ? inner : engineErrorAsPy(inner);
          if (innerErr && pending) chainContext(exceptionValue(innerErr), exceptionValue(pending));
          throw innerErr ?? inner;
        }
        if (fs !== undefined) return fs; // a return/break in `finally` wins, as in Python
      }
    }
  };
}
