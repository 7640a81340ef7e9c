// Running a parsed module: compile it once, then execute its top-level code in order.
import type * as A from '../../grammar/ast.ts';
import type { Diagnostic } from '../../grammar/diagnostics.ts';
import { PyError } from '../values/errors.ts';
import type { Value } from '../values/value.ts';
import { builtins } from './builtins.ts';
import { compileBlock, exceptionValue } from './compile-stmt.ts';
import { NotSupported, type Runtime } from './compile-expr.ts';
import { Scope } from './scope.ts';
import { PyInstance } from './archetypes.ts';
import { RootClass } from './graph.ts';

export interface RunResult {
  /** The uncaught Python exception that ended the run, as `Type: message`. */
  error: string | null;
  /** A construct this interpreter cannot run yet, found before anything ran. */
  unsupported: Diagnostic | null;
}

/** Runs `module`'s top-level code; everything it prints goes to `write`. */
export function runModule(module: A.Module, write: (text: string) => void): RunResult {
  const globals = new Map<string, Value>();
  const rt: Runtime = {
    globals,
    builtins: builtins(write, () => globals),
    handling: [],
    root: new PyInstance(RootClass),
    reports: [],
    compileBody: (scope, body) => compileBlock(rt, scope, body),
  };
  let exec;
  try {
    exec = compileBlock(rt, new Scope(true, null), module.body);
  } catch (e) {
    if (!(e instanceof NotSupported) || !e.span) throw e;
    return {
      error: null,
      unsupported: { code: 'JAC_RUNTIME_UNSUPPORTED', severity: 'error', message: `not supported yet: ${e.message}`, span: e.span },
    };
  }
  try {
    exec({ slots: [], parent: null });
    return { error: null, unsupported: null };
  } catch (e) {
    if (!(e instanceof PyError)) throw e;
    const value = exceptionValue(e);
    const message = value.message();
    return { error: message ? `${value.cls.name}: ${message}` : value.cls.name, unsupported: null };
  }
}
