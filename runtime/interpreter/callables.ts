// Things a program can call: Jac functions (with Python's argument binding), builtins, and
// range objects that builtins hand out.
import { typeName, type PyObject, type Value } from '../values/value.ts';
import { PyFloat } from '../values/numbers.ts';
import { PyDict, PyTuple } from '../values/containers.ts';
import { engineErrorAsPy, PyError } from '../values/errors.ts';
import { type Frame, UNBOUND } from './scope.ts';

export type Signal = undefined | typeof BREAK | typeof CONTINUE | Return;
export const BREAK = { signal: 'break' } as const;
export const CONTINUE = { signal: 'continue' } as const;
export class Return {
  constructor(readonly value: Value) {}
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

  call(args: Value[], kwargs: Map<string, Value>): Value {
    const slots: Value[] = new Array(this.frameSize).fill(UNBOUND);
    if (this.simple && kwargs.size === 0 && args.length === this.params.length) {
      for (let i = 0; i < args.length; i++) slots[i] = args[i];
    } else {
      bindArguments(this.qualname ?? this.name, this.params, args, kwargs, slots);
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

function bindArguments(fn: string, params: ParamSpec[], args: Value[], kwargs: Map<string, Value>, slots: Value[]): void {
  let next = 0;
  const starIndex = params.findIndex((p) => p.variadic === 'star');
  const kwIndex = params.findIndex((p) => p.variadic === 'starstar');
  // Jac has no keyword-only parameters: those written after `*args` are positional too, filled
  // before `*args` takes what is left (`def f(a, *r, c)` binds `f(1, 2, 3)` as a=1, c=2, r=(3,)).
  const positional = params.filter((p) => p.variadic === null);
  for (; next < args.length && next < positional.length; next++) slots[params.indexOf(positional[next])] = args[next];
  if (next < args.length && starIndex === -1) {
    const required = positional.filter((p) => p.default === undefined).length;
    const takes = required === positional.length ? `${positional.length} positional argument${positional.length === 1 ? '' : 's'}` : `from ${required} to ${positional.length} positional arguments`;
    throw new PyError('TypeError', `${fn}() takes ${takes} but ${args.length} ${args.length === 1 ? 'was' : 'were'} given`);
  }
  if (starIndex !== -1) slots[starIndex] = new PyTuple(args.slice(next));
  const extra = new PyDict();
  for (const [name, value] of kwargs) {
    const i = params.findIndex((p) => p.name === name && p.variadic === null);
    if (i === -1) {
      if (kwIndex === -1) throw new PyError('TypeError', `${fn}() got an unexpected keyword argument '${name}'`);
      extra.set(name, value);
    } else if (slots[i] !== UNBOUND) {
      throw new PyError('TypeError', `${fn}() got multiple values for argument '${name}'`);
    } else {
      slots[i] = value;
    }
  }
  if (kwIndex !== -1) slots[kwIndex] = extra;
  const missing: string[] = [];
  params.forEach((p, i) => {
    if (p.variadic || slots[i] !== UNBOUND) return;
    if (p.default !== undefined) slots[i] = p.default;
    else missing.push(`'${p.name}'`);
  });
  if (missing.length > 0) {
    // CPython's list: 'a' and 'b'; 'a', 'b', and 'c'.
    const n = missing.length;
    const list = n === 1 ? missing[0] : n === 2 ? `${missing[0]} and ${missing[1]}` : `${missing.slice(0, -1).join(', ')}, and ${missing[n - 1]}`;
    throw new PyError('TypeError', `${fn}() missing ${n} required positional argument${n === 1 ? '' : 's'}: ${list}`);
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

  /** The position of `v` (an int, or a float equal to one), or -1. */
  indexOf(v: Value): number {
    const n = typeof v === 'boolean' ? Number(v) : typeof v === 'number' || typeof v === 'bigint' ? Number(v) : v instanceof PyFloat && Number.isInteger(v.value) ? v.value : null;
    if (n === null) return -1;
    const offset = n - this.start;
    if (offset % this.step !== 0) return -1;
    const i = offset / this.step;
    return i >= 0 && i < this.length ? i : -1;
  }

  /** `r[i]` */
  item(index: Value): number {
    if (typeof index !== 'number' && typeof index !== 'bigint' && typeof index !== 'boolean') {
      throw new PyError('TypeError', `range indices must be integers or slices, not ${typeName(index)}`);
    }
    const n = Number(index);
    const i = n < 0 ? n + this.length : n;
    if (i < 0 || i >= this.length) throw new PyError('IndexError', 'range object index out of range');
    return this.start + i * this.step;
  }

  /** `r[a:b:k]`: another range, over the same numbers the slice of its list would hold. */
  slice(lower: Value, upper: Value, step: Value): PyRange {
    const bound = (v: Value): number | null => {
      if (v === null) return null;
      if (typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean') return Number(v);
      throw new PyError('TypeError', `slice indices must be integers or None or have an __index__ method`);
    };
    const k = bound(step) ?? 1;
    if (k === 0) throw new PyError('ValueError', 'slice step cannot be zero');
    const length = this.length;
    const [low, high] = k > 0 ? [0, length] : [-1, length - 1];
    const clamp = (v: number | null, dflt: number) => (v === null ? dflt : v < 0 ? Math.max(v + length, low) : Math.min(v, high));
    const i = clamp(bound(lower), k > 0 ? low : high);
    const j = clamp(bound(upper), k > 0 ? high : low);
    return new PyRange(this.start + i * this.step, this.start + j * this.step, this.step * k);
  }

  pyLength(): number {
    return this.length;
  }

  /** Ranges are equal when they hold the same numbers (`range(0) == range(2, 2)`). */
  pyEquals(other: Value): boolean {
    if (!(other instanceof PyRange)) return false;
    const n = this.length;
    if (n !== other.length) return false;
    return n === 0 || (this.start === other.start && (n === 1 || this.step === other.step));
  }

  pyTypeName(): string {
    return 'range';
  }

  pyRepr(): string {
    return this.step === 1 ? `range(${this.start}, ${this.stop})` : `range(${this.start}, ${this.stop}, ${this.step})`;
  }
}
