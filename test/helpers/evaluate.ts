// Runs expressions as one Jac program and gives what each printed: `repr(expression)`, or `!`
// and the message of the exception it raised. Expected values in the tables that use it were
// printed by Python 3.12 for the same expressions (they are valid Jac and Python alike).
import * as assert from 'uvu/assert';
import { runModule } from '../../runtime/interpreter/run.ts';
import { parseOk } from './ast.ts';

export function evaluate(expressions: string[], file = 'exprs.jac'): string[] {
  const body = expressions.map((e) => `    try { print(repr(${e})); } except Exception as e { print("!" + str(e)); }`);
  let out = '';
  const result = runModule(parseOk(`with entry {\n${body.join('\n')}\n}\n`, file), (text) => (out += text));
  assert.is(result.error, null);
  assert.is(result.unsupported, null);
  return out.split('\n').slice(0, -1);
}
