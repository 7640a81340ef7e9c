// Things a program can call: Jac functions (with Python's argument binding), builtins, and
// range objects that builtins hand out.
import type { PyObject, Value } from '../values/value.ts';
import { PyDict, PyTuple } from '../values/containers.ts';
import { engineErrorAsPy, PyError } from '../values/errors.ts';
import { type Frame, UNBOUND } from './scope.ts';

export type Signal = undefined | typeof BREAK | typeof CONTINUE | Return;
export const BREAK = { signal: 'break' } as const;
export const CONTINUE = { signal: 'continue' } as const;
export class Return {
  constructor(public value: Value) {}
}

export type Exec = (f: Frame) => Signal;

/** The keyword arguments of a call that has none (shared; never modified). */
export const NO_KWARGS: ReadonlyMap<string, Value> = new Map();

export interface ParamSpec {
  name: string;
  variadic: 'star' | 'starstar' | null;
  /** The default, evaluated once when the `def` ran (Python's rule). */
  default: Value | undefined;
}

/** A function defined in Jac. Calling it makes a frame whose first slots are its parameters. */
export class PyFunction implements PyObject {
  /** The docstring (`__doc__`). */
  doc: string | null = null;
  /** How errors name it: `Point.move`, `N.__init__` for methods. */
  qualname: string | null = null;

  constructor(
    readonly name: string,
    readonly params: ParamSpec[],
    readonly frameSize: number,
    readonly body: Exec,
    readonly closure: Frame | null,
  ) {
    this.simple = params.every((p) => p.variadic === null);
  }

  /** True when every parameter is a plain positional one: calls can skip general binding. */
  private readonly simple: boolean;
  private layout: ParamLayout | null = null;

  /**
   * Runs the function. `args` must be an array made for this call: when the arguments are plain
   * positional ones it becomes the new frame's slots (a call allocates one array, not two).
   */
  call(args: Value[], kwargs: Map<string, Value>): Value {
    let slots: Value[];
    if (this.simple && kwargs.size === 0 && args.length === this.params.length) {
      slots = args;
      for (let i = args.length; i < this.frameSize; i++) slots.push(UNBOUND);
    } else {
      slots = new Array(this.frameSize).fill(UNBOUND);
      bindArguments(this.qualname ?? this.name, this.params, (this.layout ??= layoutOf(this.params)), args, kwargs, slots);
    }
    let signal: Signal;
    try {
      signal = this.body({ slots, parent: this.closure });
    } catch (e) {
      const error = e instanceof PyError ? e : (engineErrorAsPy(e) ?? e);
      if (error instanceof PyError) error.trace.push(this.qualname ?? this.name);
      throw error;
    }
    return signal instanceof Return ? signal.value : null;
  }

  pyTypeName(): string {
    return 'function';
  }

  pyRepr(): string {
    return `<function ${this.name}>`;
  }
}

/** Where a function's parameters are, worked out on its first call that needs general binding. */
interface ParamLayout {
  /** The parameters that take positional arguments: the first `positional` slots. */
  positional: number;
  star: number;
  starstar: number;
  /** The slot of each parameter a keyword argument can name. */
  byName: Map<string, number>;
}

function layoutOf(params: ParamSpec[]): ParamLayout {
  const star = params.findIndex((p) => p.variadic === 'star');
  const starstar = params.findIndex((p) => p.variadic === 'starstar');
  const byName = new Map<string, number>();
  params.forEach((p, i) => {
    if (p.variadic === null && !byName.has(p.name)) byName.set(p.name, i);
  });
  let positional = 0;
  while (positional < params.length && params[positional].variadic === null) positional++;
  return { positional, star, starstar, byName };
}

/** Python's argument binding: positional, `*args`, keywords, `**kwargs`, then defaults. */
function bindArguments(fn: string, params: ParamSpec[], layout: ParamLayout, args: Value[], kwargs: Map<string, Value>, slots: Value[]): void {
  const { positional, star, starstar, byName } = layout;
  const given = Math.min(args.length, positional);
  for (let i = 0; i < given; i++) slots[i] = args[i];
  if (args.length > positional && star === -1) {
    throw new PyError('TypeError', `${fn}() takes ${positional} positional argument${positional === 1 ? '' : 's'} but ${args.length} ${args.length === 1 ? 'was' : 'were'} given`);
  }
  if (star !== -1) slots[star] = new PyTuple(args.slice(given));
  const extra = starstar === -1 ? null : new PyDict();
  for (const [name, value] of kwargs) {
    const i = byName.get(name);
    if (i === undefined) {
      if (extra === null) throw new PyError('TypeError', `${fn}() got an unexpected keyword argument '${name}'`);
      extra.set(name, value);
    } else if (slots[i] !== UNBOUND) {
      throw new PyError('TypeError', `${fn}() got multiple values for argument '${name}'`);
    } else {
      slots[i] = value;
    }
  }
  if (extra !== null) slots[starstar] = extra;
  let missing: string[] | null = null;
  for (let i = 0; i < params.length; i++) {
    const p = params[i];
    if (p.variadic !== null || slots[i] !== UNBOUND) continue;
    if (p.default !== undefined) slots[i] = p.default;
    else (missing ??= []).push(`'${p.name}'`);
  }
  if (missing !== null) {
    const list = missing.length === 1 ? missing[0] : `${missing.slice(0, -1).join(', ')} and ${missing[missing.length - 1]}`;
    throw new PyError('TypeError', `${fn}() missing ${missing.length} required positional argument${missing.length === 1 ? '' : 's'}: ${list}`);
  }
}

/** A function implemented by the runtime (`print`, `len`, a bound `list.append`). */
export class PyBuiltin implements PyObject {
  constructor(
    readonly name: string,
    readonly call: (args: Value[], kwargs: Map<string, Value>) => Value,
  ) {}

  pyTypeName(): string {
    return 'builtin_function_or_method';
  }

  pyRepr(): string {
    return `<built-in function ${this.name}>`;
  }
}

/** `range(start, stop, step)`: iterable many times, printed as `range(0, 5)`. */
export class PyRange implements PyObject {
  constructor(
    readonly start: number,
    readonly stop: number,
    readonly step: number,
  ) {
    if (step === 0) throw new PyError('ValueError', 'range() arg 3 must not be zero');
  }

  *[Symbol.iterator](): IterableIterator<number> {
    if (this.step > 0) for (let i = this.start; i < this.stop; i += this.step) yield i;
    else for (let i = this.start; i > this.stop; i += this.step) yield i;
  }

  get length(): number {
    const n = Math.ceil((this.stop - this.start) / this.step);
    return Math.max(0, n);
  }

  pyTypeName(): string {
    return 'range';
  }

  pyRepr(): string {
    return this.step === 1 ? `range(${this.start}, ${this.stop})` : `range(${this.start}, ${this.stop}, ${this.step})`;
  }
}
