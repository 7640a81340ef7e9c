// Closures specialised for what loops and recursive functions do most: int arithmetic and
// comparisons on JS numbers (ints below 2^53), often against a small int constant (`n - 1`,
// `i < 10`), and tests of a bool. Each tries that case inline and hands every other to the
// general operator, so the results are the same.
import type * as A from '../../grammar/ast.ts';
import { truthy } from '../values/compare.ts';
import type { Value } from '../values/value.ts';
import { binary } from './operators.ts';
import type { Frame } from './scope.ts';

type Eval = (f: Frame) => Value;

/** The value of an int literal that is a JS number, else null (the operand is then evaluated). */
export function smallIntLiteral(e: A.Expr): number | null {
  return e.kind === 'Int' && e.value >= -9007199254740991n && e.value <= 9007199254740991n ? Number(e.value) : null;
}

/** `left op right`; `k` is `right`'s value when it is a small int literal. */
export function compileBinaryOp(op: A.BinOp, left: Eval, right: Eval, k: number | null): Eval {
  switch (op) {
    case '+':
      if (k !== null) {
        return (f) => {
          const a = left(f);
          if (typeof a === 'number') {
            const r = a + k;
            if (Number.isSafeInteger(r)) return r;
          }
          return binary(op, a, k);
        };
      }
      return (f) => {
        const a = left(f);
        const b = right(f);
        if (typeof a === 'number' && typeof b === 'number') {
          const r = a + b;
          if (Number.isSafeInteger(r)) return r;
        }
        return binary(op, a, b);
      };
    case '-':
      if (k !== null) {
        return (f) => {
          const a = left(f);
          if (typeof a === 'number') {
            const r = a - k;
            if (Number.isSafeInteger(r)) return r;
          }
          return binary(op, a, k);
        };
      }
      return (f) => {
        const a = left(f);
        const b = right(f);
        if (typeof a === 'number' && typeof b === 'number') {
          const r = a - b;
          if (Number.isSafeInteger(r)) return r;
        }
        return binary(op, a, b);
      };
    case '*':
      return (f) => {
        const a = left(f);
        const b = right(f);
        if (typeof a === 'number' && typeof b === 'number') {
          const r = a * b;
          if (Number.isSafeInteger(r) && r !== 0) return r; // 0 may be -0: the general path makes it 0
        }
        return binary(op, a, b);
      };
    default:
      return (f) => binary(op, left(f), right(f));
  }
}

/**
 * A comparison of two operands (`a < b`, not a chain `a < b < c`); `general` decides all but
 * two numbers. `k` is `right`'s value when it is a small int literal.
 */
export function compileCompareOp(op: A.CmpOp, left: Eval, right: Eval, k: number | null, general: (op: A.CmpOp, a: Value, b: Value) => Value): Eval {
  if (k !== null) {
    switch (op) {
      case '<':
        return (f) => {
          const a = left(f);
          return typeof a === 'number' ? a < k : general(op, a, k);
        };
      case '<=':
        return (f) => {
          const a = left(f);
          return typeof a === 'number' ? a <= k : general(op, a, k);
        };
      case '>':
        return (f) => {
          const a = left(f);
          return typeof a === 'number' ? a > k : general(op, a, k);
        };
      case '>=':
        return (f) => {
          const a = left(f);
          return typeof a === 'number' ? a >= k : general(op, a, k);
        };
      case '==':
        return (f) => {
          const a = left(f);
          return typeof a === 'number' ? a === k : general(op, a, k);
        };
      case '!=':
        return (f) => {
          const a = left(f);
          return typeof a === 'number' ? a !== k : general(op, a, k);
        };
    }
  }
  switch (op) {
    case '<':
      return (f) => {
        const a = left(f);
        const b = right(f);
        return typeof a === 'number' && typeof b === 'number' ? a < b : general(op, a, b);
      };
    case '<=':
      return (f) => {
        const a = left(f);
        const b = right(f);
        return typeof a === 'number' && typeof b === 'number' ? a <= b : general(op, a, b);
      };
    case '>':
      return (f) => {
        const a = left(f);
        const b = right(f);
        return typeof a === 'number' && typeof b === 'number' ? a > b : general(op, a, b);
      };
    case '>=':
      return (f) => {
        const a = left(f);
        const b = right(f);
        return typeof a === 'number' && typeof b === 'number' ? a >= b : general(op, a, b);
      };
    case '==':
      return (f) => {
        const a = left(f);
        const b = right(f);
        return typeof a === 'number' && typeof b === 'number' ? a === b : general(op, a, b);
      };
    case '!=':
      return (f) => {
        const a = left(f);
        const b = right(f);
        return typeof a === 'number' && typeof b === 'number' ? a !== b : general(op, a, b);
      };
    default:
      return (f) => general(op, left(f), right(f));
  }
}

/** Python's truth test, with a bool (what comparisons give) decided without a call. */
export function isTrue(v: Value): boolean {
  return v === true || (v !== false && truthy(v));
}
