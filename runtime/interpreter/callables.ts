// Things a program can call: Jac functions (with Python's argument binding), builtins, and
// range objects that builtins hand out.
import { typeName, type PyObject, type Value } from '../values/value.ts';
import { PyFloat } from '../values/numbers.ts';
import { PyDict, PyTuple } from '../values/containers.ts';
import { engineErrorAsPy, PyError, locatable } from '../values/errors.ts';
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
    return this.run(slots);
  }

  /**
   * How a call that gives `given` positional arguments and then the keyword arguments `names`
   * binds, when they simply fill parameters (no `*args` or `**kwargs` here, no name unknown,
   * repeated or already given, and every parameter left out has a default). Otherwise null:
   * such a call takes the general binding, which raises what Python raises.
   */
  keywordPlan(given: number, names: readonly string[]): KeywordPlan | null {
    if (!this.simple || given > this.params.length) return null;
    const template = new Array<Value>(this.frameSize).fill(UNBOUND);
    const filled = new Array<boolean>(this.params.length).fill(false).fill(true, 0, given);
    const slots: number[] = [];
    for (const name of names) {
      const i = this.params.findIndex((p) => p.name === name);
      if (i === -1 || filled[i]) return null;
      filled[i] = true;
      slots.push(i);
    }
    for (let i = 0; i < this.params.length; i++) {
      if (filled[i]) continue;
      const dflt = this.params[i].default;
      if (dflt === undefined) return null;
      template[i] = dflt;
    }
    return { given, slots, template };
  }

  /** Calls with positional `args` and keyword `values` bound as `plan` says. */
  callPlanned(args: readonly Value[], plan: KeywordPlan, values: readonly Value[]): Value {
    const slots = plan.template.slice();
    for (let i = 0; i < plan.given; i++) slots[i] = args[i];
    for (let j = 0; j < plan.slots.length; j++) slots[plan.slots[j]] = values[j];
    return this.run(slots);
  }

  private run(slots: Value[]): Value {
    let signal: Signal;
    try {
      signal = this.body({ slots, parent: this.closure });
    } catch (e) {
      const error = e instanceof PyError ? e : (engineErrorAsPy(e) ?? e);
      if (locatable(error)) error.trace.push(this.qualname ?? this.name);
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

/** A keyword call's binding, worked out once per call site and callee (`keywordPlan`). */
export interface KeywordPlan {
  /** How many positional arguments the call gives. */
  given: number;
  /** The slot each keyword argument fills, in the call's order. */
  slots: number[];
  /** The new frame before the arguments go in: defaults where they apply, unbound elsewhere. */
  template: Value[];
}

/** Where a function's parameters are, worked out on its first call that needs general binding. */
interface ParamLayout {
  /**
   * The slots of the parameters that take positional arguments, in order. Jac has no
   * keyword-only parameters: those written after `*args` are positional too, filled before
   * `*args` takes what is left (`def f(a, *r, c)` binds `f(1, 2, 3)` as a=1, c=2, r=(3,)).
   */
  positional: number[];
  /** How many of them have no default. */
  required: number;
  star: number;
  starstar: number;
  /** The slot of each parameter a keyword argument can name. */
  byName: Map<string, number>;
}

function layoutOf(params: ParamSpec[]): ParamLayout {
  const star = params.findIndex((p) => p.variadic === 'star');
  const starstar = params.findIndex((p) => p.variadic === 'starstar');
  const byName = new Map<string, number>();
  const positional: number[] = [];
  params.forEach((p, i) => {
    if (p.variadic !== null) return;
    positional.push(i);
    if (!byName.has(p.name)) byName.set(p.name, i);
  });
  const required = positional.filter((i) => params[i].default === undefined).length;
  return { positional, required, star, starstar, byName };
}

/** Python's argument binding: positional, `*args`, keywords, `**kwargs`, then defaults. */
function bindArguments(fn: string, params: ParamSpec[], layout: ParamLayout, args: Value[], kwargs: Map<string, Value>, slots: Value[]): void {
  const { positional, required, star, starstar, byName } = layout;
  const given = Math.min(args.length, positional.length);
  for (let i = 0; i < given; i++) slots[positional[i]] = args[i];
  if (args.length > positional.length && star === -1) {
    const n = positional.length;
    const takes = required === n ? `${n} positional argument${n === 1 ? '' : 's'}` : `from ${required} to ${n} positional arguments`;
    throw new PyError('TypeError', `${fn}() takes ${takes} but ${args.length} ${args.length === 1 ? 'was' : 'were'} given`);
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
