// Python's one-shot iterators: generator objects (from a function with `yield`, or a generator
// expression) and the iterators `iter()` hands out over lists, strings, dicts and ranges. Both
// are JS iterables without a `return` method, so a `for` loop that breaks out of one leaves it
// where it stopped, as Python does, instead of closing it.
import { engineErrorAsPy, exceptionClass, PyError, PyException } from '../values/errors.ts';
import { repr } from '../values/repr.ts';
import type { PyObject, Value } from '../values/value.ts';
import { PyBuiltin, Return } from './callables.ts';

let nextAddress = 0x7f3a51c00000;

/** A stable, address-like id for a repr (CPython shows the object's address). */
function address(): string {
  nextAddress += 0x40;
  return `0x${nextAddress.toString(16)}`;
}

/** The StopIteration a finished iterator raises; `return v` in a generator makes its value v. */
export function stopIteration(value: Value = null): PyError {
  const exception = new PyException(exceptionClass('StopIteration'), value === null ? [] : [value], repr);
  return new PyError('StopIteration', exception.message(), exception);
}

/** `iter(x)` over a built-in container: a JS iterator with Python's type name. */
export class PyIterator implements PyObject, IterableIterator<Value> {
  private readonly at = address();

  constructor(
    readonly typeName: string,
    private readonly source: Iterator<Value>,
  ) {}

  next(): IteratorResult<Value> {
    return this.source.next();
  }

  [Symbol.iterator](): this {
    return this;
  }

  pyTypeName(): string {
    return this.typeName;
  }

  pyRepr(): string {
    return `<${this.typeName} object at ${this.at}>`;
  }
}

/**
 * A generator object: `body` is the suspended function body (a JS generator whose return value
 * is the function's). It runs only when asked for its next value, and once finished stays so.
 */
export class PyGenerator implements PyObject, IterableIterator<Value> {
  private readonly at = address();
  private started = false;
  private running = false;
  private finished = false;

  constructor(
    readonly name: string,
    readonly qualname: string,
    /** Its return value is what the body returned: a function body's Return signal, or null. */
    private readonly body: Generator<Value, unknown, Value>,
  ) {}

  /** Runs the body to its next `yield` (sending `sent` as the value of the paused `yield`). */
  resume(sent: Value): IteratorResult<Value, Value> {
    if (this.running) throw new PyError('ValueError', 'generator already executing');
    if (this.finished) return { done: true, value: null };
    this.started = this.running = true;
    try {
      const r = this.body.next(sent);
      if (!r.done) return r;
      this.finished = true;
      return { done: true, value: r.value instanceof Return ? r.value.value : null };
    } catch (e) {
      this.finished = true;
      throw this.escaping(e);
    } finally {
      this.running = false;
    }
  }

  /** `g.send(v)`: the next value, or StopIteration carrying what the body returned. */
  send(sent: Value): Value {
    if (!this.started && sent !== null) throw new PyError('TypeError', "can't send non-None value to a just-started generator");
    const r = this.resume(sent);
    if (r.done) throw stopIteration(r.value);
    return r.value;
  }

  /** `g.close()`: ends a paused body, running its pending `finally` blocks. */
  close(): void {
    if (this.running) throw new PyError('ValueError', 'generator already executing');
    if (this.finished) return;
    this.finished = true;
    if (!this.started) return;
    this.running = true;
    try {
      if (!this.body.return(null).done) throw new PyError('RuntimeError', 'generator ignored GeneratorExit');
    } catch (e) {
      throw this.escaping(e);
    } finally {
      this.running = false;
    }
  }

  /** An error leaving the body: StopIteration becomes RuntimeError (PEP 479); the trace names the generator. */
  private escaping(e: unknown): unknown {
    let error = e instanceof PyError ? e : engineErrorAsPy(e);
    if (!error) return e;
    if (error.pyType === 'StopIteration') {
      const cause = error;
      const value = new PyException(exceptionClass('RuntimeError'), ['generator raised StopIteration'], repr);
      value.cause = cause.value;
      error = new PyError('RuntimeError', value.message(), value);
      error.span = cause.span;
    }
    error.trace.push(this.qualname);
    return error;
  }

  next(): IteratorResult<Value> {
    return this.resume(null);
  }

  [Symbol.iterator](): this {
    return this;
  }

  /** `g.__name__`, `g.send`, `g.close`; undefined for any other name. */
  attribute(name: string): Value | undefined {
    switch (name) {
      case '__name__':
        return this.name;
      case '__qualname__':
        return this.qualname;
      case 'send':
        return new PyBuiltin('send', (args) => {
          if (args.length !== 1) throw new PyError('TypeError', `generator.send() takes exactly one argument (${args.length} given)`);
          return this.send(args[0]);
        });
      case 'close':
        return new PyBuiltin('close', () => (this.close(), null));
      default:
        return undefined;
    }
  }

  pyTypeName(): string {
    return 'generator';
  }

  pyRepr(): string {
    return `<generator object ${this.qualname} at ${this.at}>`;
  }
}
