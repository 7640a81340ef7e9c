// Python exceptions: the built-in exception classes, exception instances, and the JS error
// that carries one through the interpreter.
import type { Span } from '../../grammar/ast.ts';
import type { PyObject, Value } from './value.ts';

/** A built-in exception class (`ValueError`), with its base for `except` matching. */
export class PyExceptionClass implements PyObject {
  constructor(
    readonly name: string,
    readonly base: PyExceptionClass | null,
  ) {}

  isSubclassOf(other: PyExceptionClass): boolean {
    for (let c: PyExceptionClass | null = this; c; c = c.base) if (c === other) return true;
    return false;
  }

  pyTypeName(): string {
    return 'type';
  }

  pyRepr(): string {
    return `<class '${this.name}'>`;
  }
}

/**
 * An exception value: its class and the arguments it was raised with. An instance of a
 * program's exception class (`class NotFound(AppError)`) carries one, with `cls` its nearest
 * built-in base and `instance` the program's object (what `except ... as e` binds).
 */
export class PyException implements PyObject {
  /** The exception named by `raise ... from cause`. */
  cause: PyException | null = null;
  /** The exception being handled when this one was raised (`__context__`). */
  context: PyException | null = null;
  /** Set by `raise ... from ...` (even `from None`): tracebacks then leave out the context. */
  suppressContext = false;

  constructor(
    readonly cls: PyExceptionClass,
    /** Reassigned by `super.init(...)` in a program's exception class, as in Python. */
    public args: Value[],
    private readonly render: (v: Value) => string,
    readonly instance: (PyObject & { cls: { name: string } }) | null = null,
  ) {}

  /** The class name Python prints: the program's class for its own exceptions. */
  get typeName(): string {
    return this.instance ? this.instance.cls.name : this.cls.name;
  }

  /** What `except ... as e` binds and `raise` raised. */
  get value(): Value {
    return this.instance ?? this;
  }

  /** `str(e)`: the single argument's str (a KeyError shows the key's repr), or the args' repr. */
  message(): string {
    if (this.args.length === 0) return '';
    if (this.args.length === 1) {
      const [arg] = this.args;
      return typeof arg === 'string' && !this.cls.isSubclassOf(exceptionClass('KeyError')) ? arg : this.render(arg);
    }
    return `(${this.args.map(this.render).join(', ')})`;
  }

  pyStr(): string {
    return this.message();
  }

  pyTypeName(): string {
    return this.typeName;
  }

  pyRepr(): string {
    return `${this.typeName}(${this.args.map(this.render).join(', ')})`;
  }
}

/**
 * Records that `raised` happened while `handled` was being handled (Python's implicit chaining).
 * The first chaining wins: an exception keeps the context it was raised in as it propagates
 * out of enclosing handlers. Never links an exception to itself or into a cycle.
 */
export function chainContext(raised: PyException, handled: PyException): void {
  if (raised === handled || raised.context !== null) return;
  for (let c: PyException | null = handled; c; c = c.context) if (c === raised) return;
  raised.context = handled;
}

const classes = new Map<string, PyExceptionClass>();
function define(name: string, base: string | null): void {
  classes.set(name, new PyExceptionClass(name, base ? classes.get(base)! : null));
}
define('BaseException', null);
define('Exception', 'BaseException');
for (const [name, base] of [
  ['ArithmeticError', 'Exception'],
  ['ZeroDivisionError', 'ArithmeticError'],
  ['OverflowError', 'ArithmeticError'],
  ['LookupError', 'Exception'],
  ['KeyError', 'LookupError'],
  ['IndexError', 'LookupError'],
  ['ValueError', 'Exception'],
  ['UnicodeError', 'ValueError'],
  ['UnicodeEncodeError', 'UnicodeError'],
  ['UnicodeDecodeError', 'UnicodeError'],
  ['TypeError', 'Exception'],
  ['AttributeError', 'Exception'],
  ['NameError', 'Exception'],
  ['UnboundLocalError', 'NameError'],
  ['AssertionError', 'Exception'],
  ['RuntimeError', 'Exception'],
  ['RecursionError', 'RuntimeError'],
  ['NotImplementedError', 'RuntimeError'],
  ['StopIteration', 'Exception'],
  ['ImportError', 'Exception'],
  ['MemoryError', 'Exception'],
]) {
  define(name, base);
}

export function exceptionClass(name: string): PyExceptionClass {
  return classes.get(name) ?? classes.get('Exception')!;
}

export const builtinExceptionClasses: ReadonlyMap<string, PyExceptionClass> = classes;

/**
 * A Python exception in flight. The runtime raises it with a class name and message
 * (`new PyError('ZeroDivisionError', 'division by zero')`); a program's `raise` gives it the
 * exception value it raised.
 */
/**
 * A run that spent its budget of steps or time. Not a Python exception (a program cannot catch
 * it); like one, it learns the statement and functions it passes through.
 */
export class BudgetExhausted extends Error {
  span: Span | null = null;
  readonly trace: string[] = [];
}

/** Whether `e` is an error that takes the position of the statement it leaves. */
export function locatable(e: unknown): e is PyError | BudgetExhausted {
  return e instanceof PyError || e instanceof BudgetExhausted;
}

export class PyError extends Error {
  /** The exception value; one made for a runtime error is kept here once asked for. */
  value: PyException | null;
  /** Where it was raised: the innermost Jac statement, once the statement has seen it. */
  span: Span | null = null;
  /** The functions and abilities it passed through, innermost first. */
  readonly trace: string[] = [];

  constructor(
    readonly pyType: string,
    message: string,
    value: PyException | null = null,
  ) {
    super(message);
    this.name = pyType;
    this.value = value;
  }
}

/**
 * The Python error for an error the JS engine raised while a program ran: running out of stack
 * is Python's RecursionError; a string, array, buffer or bigint too large to allocate is a
 * MemoryError (as Python raises when an allocation fails, without a message). Null for any
 * other JS error: that is a fault of the interpreter, not something the program did.
 */
export function engineErrorAsPy(e: unknown): PyError | null {
  if (!(e instanceof RangeError)) return null;
  if (e.message === 'Maximum call stack size exceeded') return new PyError('RecursionError', 'maximum recursion depth exceeded');
  if (OUT_OF_MEMORY.some((m) => e.message.startsWith(m))) return new PyError('MemoryError', '');
  return null;
}

/** V8's messages for an allocation it cannot make. */
const OUT_OF_MEMORY = ['Invalid string length', 'Invalid array length', 'Invalid typed array length', 'Array buffer allocation failed', 'Maximum BigInt size exceeded', 'Map maximum size exceeded', 'Set maximum size exceeded'];
