// The front end's one entry point: Jac source text → typed AST, or diagnostics.
import type { IRecognitionException, IToken, TokenType } from 'chevrotain';
import type { Module } from './ast.ts';
import type { Diagnostic, DiagnosticCode } from './diagnostics.ts';
import { LineIndex, spanAt } from './diagnostics.ts';
import { describeToken } from './error-messages.ts';
import { jacParser, recoveringParser, type JacParser } from './parser/declarations.ts';
import * as T from './tokens.ts';

export type { Diagnostic } from './diagnostics.ts';
export { formatDiagnostic, codeFrame } from './diagnostics.ts';

export interface ParseResult {
  /** The AST, or null when the source has syntax errors. */
  module: Module | null;
  /** Every problem found, in source order. */
  diagnostics: Diagnostic[];
}

/** At most this many diagnostics per file: past that, more of them rarely help. */
export const MAX_DIAGNOSTICS = 100;

/** Brackets nested deeper than this are refused up front (Python's own limit is 200). */
export const MAX_NESTING = 200;

/** Parses one file. Never throws: every problem comes back as a diagnostic. */
export function parse(source: string, file = '<input>'): ParseResult {
  const diagnostics: Diagnostic[] = [];
  const lines = new LineIndex(source);
  const error = (code: DiagnosticCode, message: string, offset: number, length = 1) =>
    diagnostics.push({ code, severity: 'error', message, span: spanAt(file, lines, offset, offset + length) });

  const lexed = T.jacLexer.tokenize(source);
  for (const e of lexed.errors) {
    const ch = source.slice(e.offset, e.offset + e.length);
    const shown = ch.length > 10 ? ch.slice(0, 10) + '…' : ch;
    const hint = ch.startsWith('!') ? ": Jac has no '!' operator (use 'not', and '!=' for inequality)" : '';
    error('JAC_SYNTAX_UNEXPECTED_CHAR', `unexpected character${ch.length > 1 ? 's' : ''} ${JSON.stringify(shown)}${hint}`, e.offset, e.length);
  }
  const tokens = lexed.tokens;
  for (const t of tokens) {
    if (t.tokenType === T.UnterminatedString) {
      const quote = /("""|'''|"|')/.exec(t.image)![1];
      const where = quote.length === 3 ? 'before the end of the file' : 'on this line';
      error('JAC_SYNTAX_UNTERMINATED_STRING', `unterminated string literal: no closing ${quote} ${where}`, t.startOffset);
    } else if (t.tokenType === T.UnterminatedPyInline) {
      error('JAC_SYNTAX_UNTERMINATED_PY', 'inline Python block without its closing ::py:: (it runs to the end of the file)', t.startOffset, 6);
    } else if (t.tokenType === T.FStringTriple) {
      error('JAC_SYNTAX_FSTRING', 'triple-quoted f-strings are not supported in Jac 0.8.0: use f"..." per line, or + between strings', t.startOffset, 4);
    } else if (t.tokenType === T.FStringStrayBrace) {
      error('JAC_SYNTAX_FSTRING', "single '}' is not allowed in an f-string: write '}}' for a literal brace", t.startOffset);
    } else if (t.tokenType === T.Identifier && T.pythonOnlyKeywords.has(t.image)) {
      error('JAC_SYNTAX_PY_KEYWORD', `Python keyword ${t.image} used as name`, t.startOffset, t.image.length);
    }
  }

  const deep = tooDeep(tokens);
  if (deep) {
    error('JAC_SYNTAX_TOO_DEEP', `brackets are nested more than ${MAX_NESTING} deep`, deep.startOffset);
    return { module: null, diagnostics: sorted(diagnostics) };
  }

  let module: Module | null = null;
  try {
    const parsed = parseTokens(tokens, file, diagnostics);
    // After a syntax error, recovery often trips again on the rest of that line: keep the first.
    const linesWithErrors = new Set<number>();
    for (const e of parsed.errors) {
      const d = parserDiagnostic(file, source, lines, e);
      if (linesWithErrors.has(d.span.line)) continue;
      linesWithErrors.add(d.span.line);
      diagnostics.push(d);
    }
    module = parsed.module;
  } catch (e) {
    // Deep chains of prefix operators or `if ... else` can still exhaust the stack.
    if (!(e instanceof RangeError)) throw e;
    error('JAC_SYNTAX_TOO_DEEP', 'the program is nested too deeply to parse', 0);
  }
  if (diagnostics.length > 0) module = null;
  return { module, diagnostics: sorted(dedupe(diagnostics)).slice(0, MAX_DIAGNOSTICS) };
}

/** Tokens that begin a top-level declaration, where parsing can resume after junk. */
const declarationStarts = new Set<TokenType>([
  T.KwImport, T.KwInclude, T.KwNode, T.KwEdge, T.KwWalker, T.KwObj, T.KwClass, T.KwEnum,
  T.KwDef, T.KwCan, T.KwGlob, T.KwLet, T.KwWith, T.KwImpl, T.KwTest, T.KwAsync, T.At,
]);

/**
 * Parses a module. Chevrotain stops at a token that cannot start a declaration; to report the
 * independent errors after it, parsing resumes at the next declaration that starts a line.
 */
function parseTokens(tokens: IToken[], file: string, diagnostics: Diagnostic[]): { module: Module; errors: IRecognitionException[] } {
  // Valid input takes the fast parser; on an error, the recovering one finds all the others.
  const semanticCount = diagnostics.length;
  jacParser.begin(tokens, file, diagnostics);
  const module = jacParser.module();
  if (jacParser.errors.length === 0) return { module, errors: [] };
  diagnostics.length = semanticCount;
  const parser: JacParser = recoveringParser();
  parser.begin(tokens, file, diagnostics);
  parser.module();
  const errors = [...parser.errors];
  let rest = tokens;
  for (;;) {
    const last = errors[errors.length - 1];
    if (!last || last.name !== 'NotAllInputParsedException') break;
    const from = rest.indexOf(last.token);
    const resume = rest.findIndex((t, i) => i > from && t.startColumn === 1 && declarationStarts.has(t.tokenType));
    if (from === -1 || resume === -1) break;
    rest = rest.slice(resume);
    parser.begin(rest, file, diagnostics);
    parser.module();
    errors.push(...parser.errors);
  }
  return { module, errors };
}

function tooDeep(tokens: IToken[]): IToken | null {
  let depth = 0;
  for (const t of tokens) {
    const type = t.tokenType;
    if (type === T.LParen || type === T.LSquare || type.CATEGORIES?.includes(T.LBrace) || type === T.FStringHoleOpen) {
      if (++depth > MAX_NESTING) return t;
    } else if (type === T.RParen || type === T.RSquare || type.CATEGORIES?.includes(T.RBrace)) {
      depth = Math.max(0, depth - 1);
    }
  }
  return null;
}

function parserDiagnostic(file: string, source: string, lines: LineIndex, e: IRecognitionException): Diagnostic {
  let message = e.message;
  let code: DiagnosticCode = e.name === 'MismatchedTokenException' ? 'JAC_SYNTAX_EXPECTED' : 'JAC_SYNTAX_UNEXPECTED';
  const tagged = /^\[(JAC_[A-Z_]+)\]/.exec(message);
  if (tagged) {
    code = tagged[1] as DiagnosticCode;
    message = message.slice(tagged[0].length);
  }
  const t = e.token;
  const atEnd = Number.isNaN(t.startOffset) || t.tokenType.name === 'EOF';
  // A missing token is reported where it was expected: right after the previous token.
  const prev = (e as IRecognitionException & { previousToken?: IToken }).previousToken;
  let offset = atEnd ? source.length : t.startOffset;
  let length = atEnd ? 0 : (t.endOffset ?? t.startOffset) - t.startOffset + 1;
  if (e.name === 'MismatchedTokenException' && prev && !Number.isNaN(prev.startOffset) && /^expected '[;)\]}]'/.test(message)) {
    const prevEnd = (prev.endOffset ?? prev.startOffset) + 1;
    if (!atEnd && lines.position(prevEnd).line !== lines.position(t.startOffset).line) {
      offset = prevEnd;
      length = 1;
    }
  }
  if (atEnd) {
    offset = Math.max(0, source.trimEnd().length);
    length = 1;
    if (!message.includes('end of file')) message += ` (${describeToken(t)})`;
  }
  return { code, severity: 'error', message, span: spanAt(file, lines, offset, offset + Math.max(1, length)) };
}

function dedupe(list: Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  return list.filter((d) => {
    // One problem per position: a lexical error explains the parser error it causes there.
    const key = String(d.span.offset);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function sorted(list: Diagnostic[]): Diagnostic[] {
  return list.sort((a, b) => a.span.offset - b.span.offset);
}
