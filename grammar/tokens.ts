// Tokens of the Jac walker subset (jaclang 0.8.0's jac.lark terminals) and the lexer.
// The lexer has modes for f-strings: `f"` enters a string mode whose `{` opens an expression
// mode; braces inside a hole nest, and the `}` that closes the hole returns to the string.
import { createToken, Lexer, type CustomPatternMatcherFunc, type IMultiModeLexerDefinition, type IToken, type TokenType } from 'chevrotain';
import { skipGrammarChecks } from './grammar-checks.ts';

const all: TokenType[] = [];
function token(config: Parameters<typeof createToken>[0]): TokenType {
  const t = createToken(config);
  all.push(t);
  return t;
}

// ---- categories -------------------------------------------------------------------------
/** Every keyword. Where only a name can stand (after `.`, after `def`, ...) any keyword is a name. */
export const Keyword = createToken({ name: 'Keyword', pattern: Lexer.NA });
/** `str int float list tuple set dict bool bytes any type`: Python builtins that are tokens in Jac. */
export const BuiltinType = createToken({ name: 'BuiltinType', pattern: Lexer.NA, categories: [Keyword] });
/** Keywords that the reference's contextual lexer still lets programs use as variable names. */
export const SoftKeyword = createToken({ name: 'SoftKeyword', pattern: Lexer.NA, categories: [Keyword] });
/** `self here visitor root super init postinit`: keywords that are names of special values. */
export const SpecialRef = createToken({ name: 'SpecialRef', pattern: Lexer.NA, categories: [Keyword] });
export const LBrace = createToken({ name: 'LBrace', pattern: Lexer.NA, label: "'{'" });
export const RBrace = createToken({ name: 'RBrace', pattern: Lexer.NA, label: "'}'" });

// ---- trivia -----------------------------------------------------------------------------
export const WhiteSpace = token({ name: 'WhiteSpace', pattern: /[ \t\f\r\n]+/, group: Lexer.SKIPPED, line_breaks: true });
export const BlockComment = token({ name: 'BlockComment', pattern: /#\*[\s\S]*?\*#/, group: Lexer.SKIPPED, line_breaks: true });
export const LineComment = token({ name: 'LineComment', pattern: /#[^\r\n]*/, group: Lexer.SKIPPED });
export const PyInline = token({ name: 'PyInline', pattern: /::py::[\s\S]*?::py::/, line_breaks: true, label: 'an inline ::py:: block' });
/** `::py::` with no closing `::py::`: reported as a lexical error, parsed as a block to the end of the file. */
export const UnterminatedPyInline = token({ name: 'UnterminatedPyInline', pattern: /::py::[\s\S]*/, line_breaks: true, categories: [PyInline], label: 'an inline ::py:: block' });

// `:g:` / `:nl:` begin a statement; elsewhere (a slice `a[i:g:k]`) they are colons and names.
const atStatementStart = (matched: IToken[]): boolean => {
  const prev = matched[matched.length - 1];
  return prev === undefined || [';', '{', '}'].includes(prev.image);
};
function statementOperator(re: RegExp): CustomPatternMatcherFunc {
  return (text, offset, matched) => {
    if (!atStatementStart(matched)) return null;
    re.lastIndex = offset;
    return re.exec(text);
  };
}
export const GlobalOp = token({ name: 'GlobalOp', pattern: { exec: statementOperator(/:g:|:global:/y) }, start_chars_hint: [':'], line_breaks: false, label: "':g:'" });
export const NonlocalOp = token({ name: 'NonlocalOp', pattern: { exec: statementOperator(/:nl:|:nonlocal:/y) }, start_chars_hint: [':'], line_breaks: false, label: "':nl:'" });

// ---- strings ----------------------------------------------------------------------------
// As in 0.8.0, a single-line string ends at the first matching quote (no `\"` escapes).
/** `f"""`: 0.8.0 has no triple-quoted f-strings (it would silently read `f""` + `"..."`). */
export const FStringTriple = token({ name: 'FStringTriple', pattern: /f(?:"""|''')/, label: 'a triple-quoted f-string' });
export const FStringStart = token({ name: 'FStringStart', pattern: /f"/, push_mode: 'fstringDouble', label: "'f\"'" });
export const FStringSqStart = token({ name: 'FStringSqStart', pattern: /f'/, push_mode: 'fstringSingle', label: "\"f'\"" });
export const String = token({
  name: 'String',
  // A quote followed by two more starts a triple-quoted string, never an empty one.
  pattern: /(?:rb|br|r|b)?(?:"""[\s\S]*?"""|'''[\s\S]*?'''|"(?!"")[^"\r\n]*"|'(?!'')[^'\r\n]*')/,
  line_breaks: true,
  label: 'a string',
});
/** A quote with no closing quote on its line: reported as a lexical error, parsed as a string. */
export const UnterminatedString = token({
  name: 'UnterminatedString',
  pattern: /(?:rb|br|r|b)?(?:"""[\s\S]*|'''[\s\S]*|"[^"\r\n]*|'[^'\r\n]*)/,
  line_breaks: true,
  categories: [String],
  label: 'a string',
});

// ---- numbers ----------------------------------------------------------------------------
export const Hex = token({ name: 'Hex', pattern: /0[xX][0-9a-fA-F_]+/, label: 'a number' });
export const Bin = token({ name: 'Bin', pattern: /0[bB][01_]+/, label: 'a number' });
export const Oct = token({ name: 'Oct', pattern: /0[oO][0-7_]+/, label: 'a number' });
export const Float = token({ name: 'Float', pattern: /(?:\d+\.\d*|\.\d+)(?:[eE][+-]?\d+)?|\d+[eE][-+]?\d+/, label: 'a number' });
export const Int = token({ name: 'Int', pattern: /[0-9][0-9_]*/, label: 'a number' });

// ---- names and keywords -----------------------------------------------------------------
export const KwEscName = token({ name: 'KwEscName', pattern: /<>[a-zA-Z_][a-zA-Z0-9_]*/, label: 'a name' });
export const Identifier = createToken({ name: 'Identifier', pattern: /[a-zA-Z_][a-zA-Z0-9_]*/, label: 'a name' });

// `not in` and `is not` are single operators (any whitespace between the words).
export const NotIn = token({ name: 'NotIn', pattern: /not\s+in(?![a-zA-Z0-9_])/, line_breaks: true, label: "'not in'", categories: [Keyword] });
export const IsNot = token({ name: 'IsNot', pattern: /is\s+not(?![a-zA-Z0-9_])/, line_breaks: true, label: "'is not'", categories: [Keyword] });

// Keywords join the lexer longest first, so `int` is not read as `in` + `t` nor `bytes` as `by`.
const keywordTokens: TokenType[] = [];
function keyword(word: string, extra: TokenType[] = []): TokenType {
  const name = 'Kw' + word[0].toUpperCase() + word.slice(1);
  const t = createToken({ name, pattern: new RegExp(word), longer_alt: Identifier, categories: [Keyword, ...extra], label: `'${word}'` });
  keywordTokens.push(t);
  return t;
}
export const And = token({ name: 'And', pattern: /&&|and(?![a-zA-Z0-9_])/, categories: [Keyword], label: "'and'" });
export const Or = token({ name: 'Or', pattern: /\|\||or(?![a-zA-Z0-9_])/, categories: [Keyword], label: "'or'" });
export const Not = keyword('not');

export const KwLet = keyword('let');
export const KwAbs = keyword('abs', [SoftKeyword]);
export const KwClass = keyword('class');
export const KwObj = keyword('obj');
export const KwEnum = keyword('enum');
export const KwNode = keyword('node');
export const KwEdge = keyword('edge');
export const KwWalker = keyword('walker');
export const KwIgnore = keyword('ignore');
export const KwVisit = keyword('visit');
export const KwSpawn = keyword('spawn');
export const KwWith = keyword('with');
export const KwLambda = keyword('lambda');
export const KwEntry = keyword('entry', [SoftKeyword]);
export const KwExit = keyword('exit', [SoftKeyword]);
export const KwImport = keyword('import');
export const KwInclude = keyword('include');
export const KwFrom = keyword('from');
export const KwAs = keyword('as');
export const KwAsync = keyword('async');
export const KwAwait = keyword('await');
export const KwFlow = keyword('flow');
export const KwWait = keyword('wait');
export const KwTest = keyword('test', [SoftKeyword]);
export const KwImpl = keyword('impl');
export const KwAssert = keyword('assert');
export const KwCheck = keyword('check');
export const KwIf = keyword('if');
export const KwElif = keyword('elif');
export const KwElse = keyword('else');
export const KwFor = keyword('for');
export const KwTo = keyword('to', [SoftKeyword]);
// `by` is a name except where the reference's grammar can take the keyword (see call()).
export const KwBy = keyword('by', [SoftKeyword]);
export const KwWhile = keyword('while');
export const KwContinue = keyword('continue');
export const KwBreak = keyword('break');
export const KwDisengage = keyword('disengage');
export const KwYield = keyword('yield');
export const KwSkip = keyword('skip');
export const KwReport = keyword('report');
export const KwReturn = keyword('return');
export const KwDel = keyword('del');
export const KwTry = keyword('try');
export const KwExcept = keyword('except');
export const KwFinally = keyword('finally');
export const KwRaise = keyword('raise');
export const KwIn = keyword('in');
export const KwIs = keyword('is');
export const KwPriv = keyword('priv');
export const KwPub = keyword('pub');
export const KwProtect = keyword('protect');
export const KwHas = keyword('has');
export const KwGlob = keyword('glob');
export const KwCan = keyword('can');
export const KwDef = keyword('def');
export const KwStatic = keyword('static');
export const KwOverride = keyword('override');
export const KwMatch = keyword('match');
export const KwCase = keyword('case');
export const KwInit = keyword('init', [SpecialRef]);
export const KwPostinit = keyword('postinit', [SpecialRef]);
export const KwHere = keyword('here', [SpecialRef]);
export const KwVisitor = keyword('visitor', [SpecialRef]);
export const KwSelf = keyword('self', [SpecialRef]);
export const KwSuper = keyword('super', [SpecialRef]);
export const KwRoot = keyword('root', [SpecialRef]);
export const KwNone = keyword('None');
export const KwTrue = keyword('True');
export const KwFalse = keyword('False');
for (const word of ['str', 'int', 'float', 'list', 'tuple', 'set', 'dict', 'bool', 'bytes', 'any', 'type']) {
  keyword(word, [BuiltinType]);
}
keywordTokens.sort((a, b) => (b.PATTERN as RegExp).source.length - (a.PATTERN as RegExp).source.length);
all.push(...keywordTokens, Identifier);

// ---- operators (longest first: the lexer takes the first pattern that matches) -----------
function op(name: string, text: string, label = `'${text}'`, extra: Partial<Parameters<typeof createToken>[0]> = {}): TokenType {
  return token({ name, pattern: text, label, ...extra });
}
export const ArrowBi = op('ArrowBi', '<-->');
export const CArrowBi = op('CArrowBi', '<++>');
export const PowEq = op('PowEq', '**=');
export const FloorDivEq = op('FloorDivEq', '//=');
export const LShiftEq = op('LShiftEq', '<<=');
export const RShiftEq = op('RShiftEq', '>>=');
export const Ellipsis = op('Ellipsis', '...');
export const ArrowL = op('ArrowL', '<--');
export const ArrowR = op('ArrowR', '-->');
export const ArrowLP1 = op('ArrowLP1', '<-:');
export const ArrowRP2 = op('ArrowRP2', ':->');
export const ArrowLP2 = op('ArrowLP2', ':<-');
export const ArrowRP1 = op('ArrowRP1', '->:');
export const CArrowL = op('CArrowL', '<++');
export const CArrowR = op('CArrowR', '++>');
export const CArrowLP1 = op('CArrowLP1', '<+:');
export const CArrowRP2 = op('CArrowRP2', ':+>');
export const CArrowLP2 = op('CArrowLP2', ':<+');
export const CArrowRP1 = op('CArrowRP1', '+>:');
export const WalrusEq = op('WalrusEq', ':=');
export const ReturnHint = op('ReturnHint', '->');
export const AddEq = op('AddEq', '+=');
export const SubEq = op('SubEq', '-=');
export const MulEq = op('MulEq', '*=');
export const DivEq = op('DivEq', '/=');
export const ModEq = op('ModEq', '%=');
export const MatMulEq = op('MatMulEq', '@=');
export const BwAndEq = op('BwAndEq', '&=');
export const BwOrEq = op('BwOrEq', '|=');
export const BwXorEq = op('BwXorEq', '^=');
export const BwNotEq = op('BwNotEq', '~=');
export const Ee = op('Ee', '==');
export const Ne = op('Ne', '!=');
export const Lte = op('Lte', '<=');
export const Gte = op('Gte', '>=');
export const LShift = op('LShift', '<<');
export const RShift = op('RShift', '>>');
export const StarPow = op('StarPow', '**');
export const FloorDiv = op('FloorDiv', '//');
export const APipeFwd = op('APipeFwd', ':>');
export const APipeBkwd = op('APipeBkwd', '<:');
export const PipeFwd = op('PipeFwd', '|>');
export const PipeBkwd = op('PipeBkwd', '<|');
export const DotFwd = op('DotFwd', '.>');
export const DotBkwd = op('DotBkwd', '<.');
export const Lt = op('Lt', '<');
export const Gt = op('Gt', '>');
export const Plus = op('Plus', '+');
export const Minus = op('Minus', '-');
export const Star = op('Star', '*');
export const Div = op('Div', '/');
export const Mod = op('Mod', '%');
export const At = op('At', '@');
export const BwAnd = op('BwAnd', '&');
export const BwOr = op('BwOr', '|');
export const BwXor = op('BwXor', '^');
export const BwNot = op('BwNot', '~');
export const Eq = op('Eq', '=');
export const Question = op('Question', '?');
export const Colon = op('Colon', ':');
export const Semi = op('Semi', ';');
export const Dot = op('Dot', '.');
export const Comma = op('Comma', ',');
export const Backtick = op('Backtick', '`');
export const LParen = op('LParen', '(');
export const RParen = op('RParen', ')');
export const LSquare = op('LSquare', '[');
export const RSquare = op('RSquare', ']');

// Braces: plain ones in code; in an f-string hole they nest and the last one closes the hole.
export const LBracePlain = op('LBracePlain', '{', "'{'", { categories: [LBrace] });
export const RBracePlain = op('RBracePlain', '}', "'}'", { categories: [RBrace] });
const LBraceNested = createToken({ name: 'LBraceNested', pattern: '{', label: "'{'", categories: [LBrace], push_mode: 'fstringHole' });
const RBraceClose = createToken({ name: 'RBraceClose', pattern: '}', label: "'}'", categories: [RBrace], pop_mode: true });

// ---- f-string modes ---------------------------------------------------------------------
export const FStringEnd = createToken({ name: 'FStringEnd', pattern: '"', pop_mode: true, label: "the closing '\"' of the f-string" });
export const FStringSqEnd = createToken({ name: 'FStringSqEnd', pattern: "'", pop_mode: true, label: "the closing \"'\" of the f-string" });
export const FStringText = createToken({ name: 'FStringText', pattern: /[^{}"]+/, line_breaks: true, label: 'f-string text' });
export const FStringSqText = createToken({ name: 'FStringSqText', pattern: /[^{}']+/, line_breaks: true, label: 'f-string text' });
export const FStringBraceEscape = createToken({ name: 'FStringBraceEscape', pattern: /\{\{|\}\}/, label: "'{{' or '}}'" });
export const FStringHoleOpen = createToken({ name: 'FStringHoleOpen', pattern: '{', push_mode: 'fstringHole', label: "'{'" });
/** A lone `}` in f-string text: Python and Jac require `}}`. */
export const FStringStrayBrace = createToken({ name: 'FStringStrayBrace', pattern: '}', label: "'}'" });

const codeTokens = all.filter((t) => t !== LBracePlain && t !== RBracePlain);
/** The lexer's modes (exported so that a test can build a lexer that checks them). */
export const lexerModes: IMultiModeLexerDefinition = {
  defaultMode: 'code',
  modes: {
    code: all,
    fstringDouble: [FStringEnd, FStringBraceEscape, FStringHoleOpen, FStringStrayBrace, FStringText],
    fstringSingle: [FStringSqEnd, FStringBraceEscape, FStringHoleOpen, FStringStrayBrace, FStringSqText],
    fstringHole: [...codeTokens, LBraceNested, RBraceClose],
  },
};
export const jacLexer = new Lexer(lexerModes, { positionTracking: 'full', ensureOptimizations: false, skipValidations: skipGrammarChecks });

/** Every token type the parser may see, in one vocabulary (categories included). */
export const allTokens: TokenType[] = [
  Keyword, BuiltinType, SoftKeyword, SpecialRef, LBrace, RBrace, ...all,
  LBraceNested, RBraceClose, FStringEnd, FStringSqEnd, FStringText, FStringSqText,
  FStringBraceEscape, FStringHoleOpen, FStringStrayBrace,
];

/** Python keywords that Jac does not reserve but still refuses as names. */
export const pythonOnlyKeywords = new Set(['pass', 'global', 'nonlocal']);
