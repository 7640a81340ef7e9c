// The values a Jac program computes with, and the names Python gives their types.
// containers.ts imports this module too; the classes are only used inside functions.
import { PyDict, PySet, PyTuple } from './containers.ts';
import { PyFloat } from './numbers.ts';

/**
 * None is `null`, bool a boolean, int a number or bigint (see numbers.ts), float a PyFloat,
 * str a string, list a JS array. Objects of other classes (archetype instances, functions)
 * describe themselves through `PyObject`.
 */
export type Value = null | boolean | number | bigint | string | PyFloat | Value[] | PyTuple | PyDict | PySet | PyObject;

/** What a runtime object (an archetype instance, a function, a type) tells the value layer. */
export interface PyObject {
  pyTypeName(): string;
  pyRepr(): string;
  /** `str()`, when it differs from `repr()` (an exception's str is its message). */
  pyStr?(): string;
  /** `len()`, and so truthiness, of a built-in object with a length (a range, a dict view). */
  pyLength?(): number;
  /** `==` of a built-in object compared by value (a range, a dict view); identity otherwise. */
  pyEquals?(other: Value): boolean;
  /** Truthiness, for an object whose class decides it (`__bool__`, `__len__`). */
  pyTruth?(): boolean;
  /**
   * A rich comparison its class defines (`__eq__`, `__lt__`, ...): the method's result, or
   * NOT_IMPLEMENTED when the class has no such method or the method declined.
   */
  pyCompare?(op: RichOp, other: Value): Value;
  /**
   * The text of a hash its class defines (`__hash__`), null when hashed by identity; throws
   * Python's TypeError when the class made it unhashable (an `__eq__` without `__hash__`).
   */
  pyHashText?(): string | null;
}

export type RichOp = '==' | '!=' | '<' | '<=' | '>' | '>=';

/** Python's `NotImplemented`: what a special method returns to let the other operand try. */
export const NOT_IMPLEMENTED: PyObject = {
  pyTypeName: () => 'NotImplementedType',
  pyRepr: () => 'NotImplemented',
};

export function isPyObject(v: unknown): v is PyObject {
  return typeof v === 'object' && v !== null && typeof (v as PyObject).pyRepr === 'function';
}

export function typeName(v: Value): string {
  if (v === null) return 'NoneType';
  switch (typeof v) {
    case 'boolean':
      return 'bool';
    case 'number':
    case 'bigint':
      return 'int';
    case 'string':
      return 'str';
  }
  if (v instanceof PyFloat) return 'float';
  if (Array.isArray(v)) return 'list';
  if (v instanceof PyTuple) return 'tuple';
  if (v instanceof PyDict) return 'dict';
  if (v instanceof PySet) return v.frozen ? 'frozenset' : 'set';
  return v.pyTypeName();
}
