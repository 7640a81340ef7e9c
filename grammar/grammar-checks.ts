// Whether the lexer and parser check their own definitions when they are built (Chevrotain's
// validations: ambiguous alternatives, left recursion, unreachable token patterns). The checks
// take about a third of a second at every start, and the grammar is the same on every start:
// the bundled CLI skips them (scripts/build.mjs defines JAC_SKIP_GRAMMAR_CHECKS), while the
// TypeScript sources, which the tests run, always check, and a test builds both with the
// checks on.
declare const JAC_SKIP_GRAMMAR_CHECKS: boolean | undefined;

export const skipGrammarChecks: boolean = typeof JAC_SKIP_GRAMMAR_CHECKS !== 'undefined' && JAC_SKIP_GRAMMAR_CHECKS === true;
