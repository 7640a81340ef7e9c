// The grammar's own definition, checked by Chevrotain as the bundled CLI does not (it skips
// the checks to start faster): no ambiguous alternatives, no left recursion, no token pattern
// that can never match, in the parser for valid input and in the error-recovering one.
import { Lexer } from 'chevrotain';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { JacParser } from '../../grammar/parser/declarations.ts';
import { allTokens, lexerModes } from '../../grammar/tokens.ts';

test('the lexer definition passes every check', () => {
  const lexer = new Lexer(lexerModes, { positionTracking: 'full', ensureOptimizations: false, skipValidations: false });
  assert.equal(lexer.lexerDefinitionErrors, []);
});

for (const recover of [false, true]) {
  test(`the ${recover ? 'error-recovering ' : ''}parser definition passes every check`, () => {
    // Chevrotain throws from the constructor when a check fails; the errors are also kept.
    const parser = new JacParser(allTokens, recover, true) as unknown as { definitionErrors: unknown[] };
    assert.equal(parser.definitionErrors, []);
  });
}

test.run();
