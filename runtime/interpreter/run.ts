// Running a parsed module: compile it once, then execute its top-level code in order, within a
// step budget and a time budget so that no program can hang the process.
import type * as A from '../../grammar/ast.ts';
import type { Diagnostic } from '../../grammar/diagnostics.ts';
import { engineErrorAsPy, PyError, BudgetExhausted } from '../values/errors.ts';
import type { Value } from '../values/value.ts';
import { PyInstance } from './archetypes.ts';
import { builtins } from './builtins.ts';
import { NestedTooDeeply, NotSupported, type Runtime } from './compile-expr.ts';
import { compileBlock, exceptionValue } from './compile-stmt.ts';
import { compileGeneratorBody } from './generators.ts';
import { compileBodyToJs } from './codegen/compile-body.ts';
import { RootClass } from './graph.ts';
import { Scope } from './scope.ts';
import { Globals } from './globals.ts';
import { LoadError, readModule } from './modules.ts';
import { InlinePython } from './inline-python.ts';
import { NO_KWARGS, type Exec } from './callables.ts';
import type { Ability } from './archetypes.ts';
import { spawn } from './walker.ts';
import { parse } from '../../grammar/index.ts';
import type { HostModules } from './stdlib/index.ts';
import { basename } from 'node:path';
import { anchorOf, machineObject } from './machine.ts';
import { jacCloudModules } from './jac-cloud-modules.ts';
import { type GraphHost, ReachElsewhere, RunContext, activeRun, setActiveRun } from './run-context.ts';
import { PyBuiltin } from './callables.ts';
import { INSTANCE_ATTRIBUTES } from './protocols.ts';

INSTANCE_ATTRIBUTES.set('__jac__', anchorOf);

/**
 * The builtins plus what jaclang 0.8.0 puts in every module's scope: `_` (its runtime interface),
 * `jid(x)` (x's id) and `jobj(id)` (what `&id` compiles to).
 */
function withMachine(b: Map<string, Value>, machine: Value): Map<string, Value> {
  b.set('_', machine);
  b.set('jid', new PyBuiltin('jid', (args) => {
    const x = args[0];
    if (!(x instanceof PyInstance)) throw new PyError('TypeError', 'jid() takes an archetype');
    return activeRun().refOf(x);
  }));
  b.set('jobj', new PyBuiltin('jobj', (args, kw) => activeRun().lookup(args[0] ?? kw.get('id') ?? null)));
  return b;
}

export interface RunOptions {
  /** Loop iterations and ability runs allowed (default 50 million). */
  maxSteps?: number;
  /** Wall-clock time allowed, in milliseconds (default 60 s). */
  maxMillis?: number;
  /** Keep each walker's ability return values in its `returns` (default false). */
  collectReturns?: boolean;
  /** Compile function bodies to JavaScript (default true). */
  codegen?: boolean;
  /** The root to run against (a stored one); a fresh, empty root by default. */
  root?: PyInstance;
  /** Told how to find the program's types by name (to read a stored graph into them). */
  bindTypes?: (resolve: (name: string) => Value | undefined) => void;
  /** The stored graph `root` belongs to (for `&id`, `_.save`, `_.destroy` of saved objs). */
  graph?: GraphHost;
}

/** How a run ended when it did not end normally. */
export interface RunError {
  /** The Python exception class (`ZeroDivisionError`), `BudgetExhausted`, or `ReachElsewhere` (message: the id, and the root that holds it when known). */
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

/** How Python prints an error's last line: `Type: message`, or `Type` alone. */
export function errorText(e: RunError): string {
  return e.message ? `${e.type}: ${e.message}` : e.type;
}

/** Not a Python exception: a program cannot catch running out of budget. */

/** The limits of one run: its steps (loop iterations, ability runs) and wall-clock time. */
export interface Budget {
  maxSteps?: number;
  maxMillis?: number;
}

/** How one run against a loaded program ended. */
export interface Outcome<T> {
  /** What `body` returned, when it ended normally. */
  value: T | null;
  error: RunError | null;
  reports: Value[];
  /** The answer's HTTP status as the run set it (`_.get_context().status`; 200 unless set). */
  status: number;
  /** `_.report(x, True)`: the whole answer's body (undefined: not set). */
  custom: Value | undefined;
}

/** What a run is given besides its root: the node the walker goes to, and the graph's host. */
export interface RunHost {
  entry?: PyInstance;
  graph?: GraphHost | null;
}

/**
 * A compiled program: its modules compiled once, their globals kept. Each run (the module's own
 * top-level code, or a walker spawned for a request) gets its root, its reports and its budget;
 * runs are synchronous, so one never sees another's.
 */
export interface CompileOptions {
  /** Walkers keep their abilities' return values (`returns`). */
  collectReturns?: boolean;
  /** Run `with entry` blocks (default true); `check` defines the program's types without them. */
  runEntries?: boolean;
  /** Compile function bodies to JavaScript (default true); false runs them as closures only. */
  codegen?: boolean;
  /** Modules the host provides to `import`, by dotted name (the server's Jac Cloud API). */
  hostModules?: HostModules;
}

export class Program {
  private readonly runtimes: Runtime[] = [];
  private readonly handling: PyError[] = [];
  private readonly loaded = new Map<string, { name: string; run(): Map<string, Value> }>();
  private main: { globals: Map<string, Value>; exec: Exec } | null = null;
  /** `_` (and `Jac`): the runtime interface, one object for every module of the program. */
  private readonly machine = machineObject();
  /** The budget check of the run under way. */
  private tick: () => void = () => undefined;

  private constructor(
    private readonly write: (text: string) => void,
    private readonly collectReturns: boolean,
    private readonly runEntries: boolean,
    private readonly codegen: boolean,
    hostModules: HostModules,
  ) {
    this.hostModules = { jaclang: () => new Map<string, Value>([['JacMachineInterface', this.machine], ['JacMachine', this.machine]]), ...jacCloudModules(), ...hostModules };
  }

  private readonly hostModules: HostModules;

  /**
   * Compiles `module` (read from `file`; its imports resolve next to it) and the modules it
   * imports. A construct the interpreter cannot run, or an import it cannot satisfy, is a
   * diagnostic instead of a program.
   */
  static compile(module: A.Module, file: string, write: (text: string) => void, options: CompileOptions = {}): Program | Diagnostic {
    const program = new Program(write, options.collectReturns ?? false, options.runEntries ?? true, options.codegen ?? true, options.hostModules ?? {});
    try {
      program.main = program.compileModule(module, file, true);
      return program;
    } catch (e) {
      if (e instanceof LoadError) return { code: 'JAC_LOAD_IMPORT', severity: 'error', message: e.message, span: e.span };
      if (e instanceof InlinePython) return { code: e.code, severity: 'error', message: e.message, span: e.span };
      if (!(e instanceof NotSupported) || !e.span) throw e;
      if (e instanceof NestedTooDeeply) return { code: 'JAC_RUNTIME_TOO_DEEP', severity: 'error', message: e.message, span: e.span };
      return { code: 'JAC_RUNTIME_UNSUPPORTED', severity: 'error', message: `not supported yet: ${e.message}`, span: e.span };
    }
  }

  /** The main module's globals (its archetypes, walkers, functions), as its code left them. */
  get globals(): Map<string, Value> {
    return this.main!.globals;
  }

  /** Runs the main module's top-level code. */
  runMain(root: PyInstance, budget: Budget = {}, host: RunHost = {}): Outcome<null> {
    return this.run(
      root,
      budget,
      () => {
        this.main!.exec({ slots: [], parent: null });
        return null;
      },
      host,
    );
  }

  /**
   * Runs `body` (which calls into the program: constructs a walker, spawns it) with `root` as
   * the program's `root` and within `budget`; an uncaught Python error or a spent budget is the
   * outcome's error.
   */
  run<T>(root: PyInstance, budget: Budget, body: () => T, host: RunHost = {}): Outcome<T> {
    const maxSteps = budget.maxSteps ?? 50_000_000;
    const maxMillis = budget.maxMillis ?? 60_000;
    const deadline = Date.now() + maxMillis;
    let steps = 0;
    const tick = () => {
      if (++steps > maxSteps) throw new BudgetExhausted(`step budget exhausted after ${maxSteps.toLocaleString('en')} steps`);
      if ((steps & 4095) === 0 && Date.now() > deadline) throw new BudgetExhausted(`time budget exhausted after ${maxMillis} ms`);
    };
    const reports: Value[] = [];
    const context = new RunContext(reports, root, host.entry ?? root, host.graph ?? null);
    this.tick = tick;
    for (const rt of this.runtimes) {
      rt.root = root;
      rt.reports = reports;
      rt.tick = tick;
    }
    this.handling.length = 0;
    const outcome = (value: T | null, error: RunError | null): Outcome<T> => ({ value, error, reports, status: context.status, custom: context.custom });
    setActiveRun(context);
    try {
      return outcome(body(), null);
    } catch (e) {
      if (e instanceof BudgetExhausted) return outcome(null, { type: 'BudgetExhausted', message: e.message, span: e.span, trace: e.trace });
      if (e instanceof ReachElsewhere) return outcome(null, { type: 'ReachElsewhere', message: e.root === undefined ? e.id : `${e.id} ${e.root}`, span: null, trace: [] });
      const error = e instanceof PyError ? e : engineErrorAsPy(e);
      if (!error) throw e;
      const value = exceptionValue(error);
      return outcome(null, { type: value.typeName, message: value.message(), span: error.span, trace: error.trace });
    } finally {
      setActiveRun(null);
    }
  }

  /**
   * `walker spawn at`, from outside the program (inside `run`): the walk counts against the
   * run's budget, and with `collectReturns` the walker's `returns` hold its abilities' results.
   */
  spawn(walker: PyInstance, at: PyInstance): PyInstance {
    const runAbility = (ability: Ability, self: PyInstance, other: PyInstance): Value => {
      this.tick();
      return ability.fn.call([self, other], NO_KWARGS as Map<string, Value>);
    };
    return spawn(walker, at, runAbility, this.collectReturns);
  }

  /** Compiles one module; running it is left to the caller (once, for imports). */
  private compileModule(ast: A.Module, moduleFile: string, isMain: boolean): { globals: Map<string, Value>; exec: Exec } {
    const globals = new Globals();
    const rt: Runtime = {
      globals,
      builtins: withMachine(builtins(this.write, () => rt.tick()), this.machine),
      handling: this.handling,
      root: new PyInstance(RootClass),
      reports: [],
      collectReturns: this.collectReturns,
      runEntries: this.runEntries,
      tick: () => undefined,
      file: moduleFile,
      isMain,
      compileBody: (scope, body) => (this.codegen ? compileBodyToJs(rt, scope, body) : compileBlock(rt, scope, body)),
      compileGenerator: (scope, body, name) => compileGeneratorBody(rt, scope, body, name),
      importModule: (path) => this.importModule(path, ast),
      hostModules: this.hostModules,
    };
    this.runtimes.push(rt);
    return { globals, exec: compileBlock(rt, new Scope(true, null), ast.body) };
  }

  private importModule(path: string, from: A.Module): { name: string; run(): Map<string, Value> } {
    let m = this.loaded.get(path);
    if (m) return m;
    const { module: imported, diagnostics } = parse(readModule(path), path);
    if (!imported) {
      const d = diagnostics[0];
      throw new LoadError(`${path}:${d.span.line}:${d.span.col}: ${d.message}`, from.span);
    }
    let ran = false;
    let compiled: { globals: Map<string, Value>; exec: Exec } | null = null;
    m = {
      name: basename(path, '.jac'),
      run: () => {
        if (!ran) {
          ran = true;
          compiled!.exec({ slots: [], parent: null });
        }
        return compiled!.globals;
      },
    };
    this.loaded.set(path, m); // before compiling it, so that import cycles end
    compiled = this.compileModule(imported, path, false);
    return m;
  }
}

/** Runs `module`'s top-level code; everything it prints goes to `write`. `file` is where the
 * module was read from: its imports are resolved next to it. */
export function runModule(module: A.Module, write: (text: string) => void, options: RunOptions = {}, file = '<input>'): RunResult {
  const compiled = Program.compile(module, file, write, options);
  if (!(compiled instanceof Program)) return { error: null, errorDetail: null, unsupported: compiled, reports: [], globals: new Map() };
  const globals = compiled.globals;
  options.bindTypes?.((name) => globals.get(name));
  const { error, reports } = compiled.runMain(options.root ?? new PyInstance(RootClass), options, { graph: options.graph ?? null });
  return {
    error: error ? errorText(error) : null,
    errorDetail: error,
    unsupported: null,
    reports,
    globals,
  };
}
