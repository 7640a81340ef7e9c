// An object the runtime itself provides to programs (Jac Cloud's `_`, a run's context, a node's
// `__jac__` anchor): attributes computed when read, some of them settable, under a Python type
// name of its own. Programs see it as any other object: `x.a`, `x.a = v`, `x.m(...)`.
import { PyError } from '../values/errors.ts';
import type { PyObject, Value } from '../values/value.ts';
import { PyBuiltin } from './callables.ts';

export interface HostAttributes {
  /** Read-only attributes, computed on each read. */
  get: Record<string, () => Value>;
  /** Settable attributes: the setter checks the value (raising as Python would) and stores it. */
  set?: Record<string, (v: Value) => void>;
  /** Methods, by name. */
  methods?: Record<string, (args: Value[], kwargs: Map<string, Value>) => Value>;
}

export class HostObject implements PyObject {
  constructor(
    readonly typeName: string,
    private readonly attributes: HostAttributes,
    private readonly shown: () => string = () => `<${typeName} object>`,
  ) {}

  pyTypeName(): string {
    return this.typeName;
  }

  pyRepr(): string {
    return this.shown();
  }

  /** The attribute's value, or undefined when there is none. */
  attribute(name: string): Value | undefined {
    const get = this.attributes.get[name];
    if (get) return get();
    const method = this.attributes.methods?.[name];
    if (method) return new PyBuiltin(name, method);
    return undefined;
  }

  setAttribute(name: string, value: Value): void {
    const set = this.attributes.set?.[name];
    if (!set) throw new PyError('AttributeError', `'${this.typeName}' object attribute '${name}' is read-only`);
    set(value);
  }
}
