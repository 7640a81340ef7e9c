// Running a parsed module: compile it once, then execute its top-level code in order, within a
// step budget and a time budget so that no program can hang the process.
import type * as A from '../../grammar/ast.ts';
import type { Diagnostic } from '../../grammar/diagnostics.ts';
import { PyError } from '../values/errors.ts';
import type { Value } from '../values/value.ts';
import { PyInstance } from './archetypes.ts';
import { builtins } from './builtins.ts';
import { NotSupported, type Runtime } from './compile-expr.ts';
import { compileBlock, exceptionValue } from './compile-stmt.ts';
import { RootClass } from './graph.ts';
import { Scope } from './scope.ts';
import { LoadError, readModule } from './modules.ts';
import type { Exec } from './callables.ts';
import { parse } from '../../grammar/index.ts';
import { basename } from 'node:path';

export interface RunOptions {
  /** Loop iterations and ability runs allowed (default 50 million). */
  maxSteps?: number;
  /** Wall-clock time allowed, in milliseconds (default 60 s). */
  maxMillis?: number;
  /** Keep each walker's ability return values in its `returns` (default false). */
  collectReturns?: boolean;
  /** The root to run against (a stored one); a fresh, empty root by default. */
  root?: PyInstance;
  /** Told how to find the program's types by name (to read a stored graph into them). */
  bindTypes?: (resolve: (name: string) => Value | undefined) => void;
}

/** How a run ended when it did not end normally. */
export interface RunError {
  /** The Python exception class (`ZeroDivisionError`), or `BudgetExhausted`. */
  type: string;
  message: string;
  /** The Jac statement where it happened, when known. */
  span: A.Span | null;
  /** The functions, abilities and walkers it passed through, innermost first. */
  trace: string[];
}

export interface RunResult {
  /** The uncaught exception that ended the run, as Python prints its last line: `Type: message`. */
  error: string | null;
  errorDetail: RunError | null;
  /** A construct this interpreter cannot run yet, found before anything ran. */
  unsupported: Diagnostic | null;
  /** What the program reported (`report`), in order. */
  reports: Value[];
  /** The main module's globals as the run left them. */
  globals: Map<string, Value>;
}

/** Not a Python exception: a program cannot catch running out of budget. */
class BudgetExhausted extends Error {}

/** Runs `module`'s top-level code; everything it prints goes to `write`. `file` is where the
 * module was read from: its imports are resolved next to it. */
export function runModule(module: A.Module, write: (text: string) => void, options: RunOptions = {}, file = '<input>'): RunResult {
  const maxSteps = options.maxSteps ?? 50_000_000;
  const maxMillis = options.maxMillis ?? 60_000;
  const deadline = Date.now() + maxMillis;
  let steps = 0;
  const root = options.root ?? new PyInstance(RootClass);
  const reports: Value[] = [];
  const handling: PyError[] = [];
  const tick = () => {
    if (++steps > maxSteps) throw new BudgetExhausted(`step budget exhausted after ${maxSteps.toLocaleString('en')} steps`);
    if ((steps & 4095) === 0 && Date.now() > deadline) throw new BudgetExhausted(`time budget exhausted after ${maxMillis} ms`);
  };
  const loaded = new Map<string, { name: string; run(): Map<string, Value> }>();

  /** Compiles one module; running it is left to the caller (once, for imports). */
  const compileModule = (ast: A.Module, moduleFile: string, isMain: boolean) => {
    const globals = new Map<string, Value>();
    const rt: Runtime = {
      globals,
      builtins: builtins(write),
      handling,
      root,
      reports,
      collectReturns: options.collectReturns ?? false,
      tick,
      file: moduleFile,
      isMain,
      compileBody: (scope, body) => compileBlock(rt, scope, body),
      importModule: (path) => {
        let m = loaded.get(path);
        if (m) return m;
        const { module: imported, diagnostics } = parse(readModule(path), path);
        if (!imported) {
          const d = diagnostics[0];
          throw new LoadError(`${path}:${d.span.line}:${d.span.col}: ${d.message}`, ast.span);
        }
        const name = basename(path, '.jac');
        let ran = false;
        let compiled: { globals: Map<string, Value>; exec: Exec } | null = null;
        m = {
          name,
          run: () => {
            if (!ran) {
              ran = true;
              compiled!.exec({ slots: [], parent: null });
            }
            return compiled!.globals;
          },
        };
        loaded.set(path, m); // before compiling it, so that import cycles end
        compiled = compileModule(imported, path, false);
        return m;
      },
    };
    return { globals, exec: compileBlock(rt, new Scope(true, null), ast.body) };
  };

  let main: { globals: Map<string, Value>; exec: Exec } | null = null;
  const result = (errorDetail: RunError | null, unsupported: Diagnostic | null = null): RunResult => ({
    error: errorDetail ? (errorDetail.message ? `${errorDetail.type}: ${errorDetail.message}` : errorDetail.type) : null,
    errorDetail,
    unsupported,
    reports,
    globals: main?.globals ?? new Map(),
  });
  let exec: Exec;
  try {
    main = compileModule(module, file, true);
    exec = main.exec;
    const globals = main.globals;
    options.bindTypes?.((name) => globals.get(name));
  } catch (e) {
    if (e instanceof LoadError) return result(null, { code: 'JAC_LOAD_IMPORT', severity: 'error', message: e.message, span: e.span });
    if (!(e instanceof NotSupported) || !e.span) throw e;
    return result(null, { code: 'JAC_RUNTIME_UNSUPPORTED', severity: 'error', message: `not supported yet: ${e.message}`, span: e.span });
  }
  try {
    exec({ slots: [], parent: null });
    return result(null);
  } catch (e) {
    if (e instanceof BudgetExhausted) return result({ type: 'BudgetExhausted', message: e.message, span: null, trace: [] });
    if (e instanceof RangeError) return result({ type: 'RecursionError', message: 'maximum recursion depth exceeded', span: null, trace: [] });
    if (!(e instanceof PyError)) throw e;
    const value = exceptionValue(e);
    return result({ type: value.typeName, message: value.message(), span: e.span, trace: e.trace });
  }
}
