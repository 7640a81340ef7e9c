// Parser error messages in words a Jac author knows. Chevrotain calls these builders; a message
// may start with `[CODE]` to give the diagnostic a more specific code than the default.
import { EOF, type IParserErrorMessageProvider, type IToken, type TokenType } from 'chevrotain';
import * as T from './tokens.ts';

/** What a rule stands for, for "expected ..." messages. */
const ruleWords: Record<string, string> = {
  module: 'a declaration (import, node, edge, walker, obj, enum, def, glob, impl or with entry)',
  topLevel: 'a declaration (import, node, edge, walker, obj, enum, def, glob, impl or with entry)',
  member: "a member ('has', 'can', 'def', 'static', a nested archetype or 'with entry')",
  statement: 'a statement',
  codeBlock: "a statement or '}'",
  expression: 'an expression',
  operand: 'an expression',
  pipeCall: 'an expression',
  atomicChain: 'an expression',
  argument: 'an argument',
  keywordArg: "a keyword argument ('name=value' or '**mapping')",
  sliceItem: 'an index or a slice',
  name: 'a name',
  anyName: 'a name',
  archetype: "an archetype ('obj', 'node', 'edge', 'walker' or 'class')",
  ability: "'def' or 'can'",
  abilityBody: "'{', 'by' or ';'",
  signature: "'(' or '->'",
  eventClause: "'entry' or 'exit'",
  hasVar: 'a field name',
  edgeOp: "an edge operator ('-->', '<--', '<-->', '->:T:->' ...)",
  edgeHop: "an edge operator ('-->', '<--', '<-->', '->:T:->' ...)",
  connectOp: "a connect operator ('++>', '<++', '<++>', '+>:T:+>' ...)",
  compareOp: "a comparison ('==', '!=', '<', '>', 'in', 'is' ...)",
  filterCond: "a field test such as 'name == value'",
  importStmt: "'import from', 'import' or 'include'",
  pattern: 'a match pattern',
  closedPattern: 'a match pattern',
  fstringPart: 'f-string text or a {hole}',
  fstring: 'an f-string',
  strings: 'a string',
  assignValue: 'an expression',
  simpleStmt: 'a statement',
  pipePrefix: "'|>', ':>', 'spawn' or 'await'",
  binaryOp: 'an operator',
  enumBody: "'{'",
  enumMember: 'an enum member name',
  forStmt: "'in' or '='",
};

/** Rules whose `;` ends a statement. */
const statementRules = new Set(['statement', 'simpleStmt', 'hasStmt', 'globalVar', 'importStmt', 'visitStmt', 'abilityBody']);

export function describeToken(token: IToken): string {
  if (token.tokenType === EOF) return 'end of file';
  const type = token.tokenType;
  if (type === T.String || type === T.UnterminatedString) return 'a string';
  if ([T.Int, T.Float, T.Hex, T.Bin, T.Oct].includes(type)) return `number ${token.image}`;
  if (type === T.Identifier || type === T.KwEscName) return `name '${token.image}'`;
  if (type === T.FStringText || type === T.FStringSqText) return 'f-string text';
  const image = token.image.length > 20 ? token.image.slice(0, 20) + '…' : token.image;
  if (type.CATEGORIES?.includes(T.Keyword)) return `keyword '${image}'`;
  return `'${image}'`;
}

export function describeType(type: TokenType): string {
  if (type === EOF) return 'end of file';
  return type.LABEL ?? type.name;
}

function expectedFromPaths(paths: TokenType[][][]): string {
  const firsts = new Set<string>();
  for (const alt of paths) for (const path of alt) if (path[0]) firsts.add(describeType(path[0]));
  const list = [...firsts];
  if (list.length > 6) return `one of ${list.slice(0, 6).join(', ')} …`;
  if (list.length === 1) return list[0];
  return list.slice(0, -1).join(', ') + ' or ' + list[list.length - 1];
}

function expectedWords(ruleName: string, paths: TokenType[][][]): string {
  return ruleWords[ruleName] ?? expectedFromPaths(paths);
}

/** Something at the top level that cannot start a declaration. */
function notADeclaration(token: IToken): string {
  const hint = token.tokenType.CATEGORIES?.includes(T.Keyword) && !token.tokenType.CATEGORIES.includes(T.SpecialRef)
    ? ''
    : "; statements at the top level go inside 'with entry { ... }'";
  return `[JAC_SYNTAX_UNEXPECTED]unexpected ${describeToken(token)}: expected ${ruleWords.module}${hint}`;
}

export const jacErrorMessages: IParserErrorMessageProvider = {
  buildMismatchTokenMessage({ expected, actual, previous, ruleName }) {
    const found = describeToken(actual);
    if (expected === EOF) return notADeclaration(actual);
    if (ruleName === 'eventClause' && expected === T.KwWith) {
      return `[JAC_SYNTAX_ABILITY_EVENT]abilities are declared 'can NAME with [TYPE] entry|exit { ... }', found ${found}; use 'def' for a method`;
    }
    if (ruleName === 'fstringPart' && actual.tokenType === T.Colon) {
      return "[JAC_SYNTAX_FSTRING]format specs ('{x:.2f}') are not supported in Jac f-strings; format the value before the hole";
    }
    if (expected === T.Semi && statementRules.has(ruleName)) {
      if (actual.tokenType === T.Comma && ruleName === 'statement') {
        return "[JAC_SYNTAX_TUPLE_PARENS]expected ';' after statement, found ','; tuples need parentheses in Jac: write '(a, b) = (1, 2);'";
      }
      return `expected ';' after statement, found ${found}`;
    }
    if (expected === T.RParen || expected === T.RSquare || expected === T.RBrace) {
      return `expected ${describeType(expected)} to close the bracket, found ${found}`;
    }
    if (expected === T.KwWith && previous.tokenType === T.Identifier && ruleName === 'ability') {
      return `expected 'with' after the ability name, found ${found}`;
    }
    return `expected ${describeType(expected)}, found ${found}`;
  },

  buildNotAllInputParsedMessage({ firstRedundant }) {
    return notADeclaration(firstRedundant);
  },

  buildNoViableAltMessage({ expectedPathsPerAlt, actual, ruleName }) {
    const token = actual[0];
    const found = describeToken(token);
    if (ruleName === 'eventClause') return `expected 'entry' or 'exit' in the ability's event clause, found ${found}`;
    return `expected ${expectedWords(ruleName, expectedPathsPerAlt)}, found ${found}`;
  },

  buildEarlyExitMessage({ expectedIterationPaths, actual, ruleName }) {
    const found = describeToken(actual[0]);
    const what = ruleWords[ruleName] ?? expectedFromPaths([expectedIterationPaths]);
    return `expected ${what}, found ${found}`;
  },
};
