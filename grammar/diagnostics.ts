// Diagnostics: stable codes, positions, and the `file:line:col: error[CODE]: message` form
// with a code frame that every tool of jac-serve prints.
import type { Span } from './ast.ts';

/** Every syntax diagnostic code, with what it means (the codes are stable: tools match on them). */
export const syntaxCodes = {
  JAC_SYNTAX_UNEXPECTED_CHAR: 'a character that cannot start any token',
  JAC_SYNTAX_UNTERMINATED_STRING: 'a string literal without its closing quote',
  JAC_SYNTAX_UNTERMINATED_PY: 'an inline ::py:: block without its closing ::py::',
  JAC_SYNTAX_EXPECTED: 'a specific token was required here',
  JAC_SYNTAX_UNEXPECTED: 'nothing in the grammar can start with this token here',
  JAC_SYNTAX_TUPLE_PARENS: 'a tuple written without parentheses',
  JAC_SYNTAX_ABILITY_EVENT: "an ability (`can`) without `with ... entry|exit`",
  JAC_SYNTAX_FSTRING: 'an f-string construct that Jac 0.8.0 does not support',
  JAC_SYNTAX_PY_KEYWORD: 'a Python keyword used as a name',
  JAC_SYNTAX_INVALID_TARGET: 'an assignment to something that cannot be assigned',
  JAC_SYNTAX_INVALID: 'a construct the grammar accepts but the language forbids',
  JAC_SYNTAX_TOO_DEEP: 'nesting deeper than the parser allows',
} as const;

export type DiagnosticCode = keyof typeof syntaxCodes | `JAC_${'LOAD' | 'RUNTIME'}_${string}`;

export interface Diagnostic {
  code: DiagnosticCode;
  severity: 'error' | 'warning';
  message: string;
  span: Span;
}

/** The offsets where each line starts, to turn offsets into line:col in O(log n). */
export class LineIndex {
  private readonly starts: number[] = [0];

  constructor(source: string) {
    for (let i = source.indexOf('\n'); i !== -1; i = source.indexOf('\n', i + 1)) this.starts.push(i + 1);
  }

  /** 1-based line and column of a 0-based offset. */
  position(offset: number): { line: number; col: number } {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, col: offset - this.starts[lo] + 1 };
  }
}

/** Span of the range [offset, endOffset) of a file. */
export function spanAt(file: string, lines: LineIndex, offset: number, endOffset = offset + 1): Span {
  const start = lines.position(offset);
  const end = lines.position(Math.max(offset, endOffset - 1));
  return { file, line: start.line, col: start.col, endLine: end.line, endCol: end.col, offset, endOffset };
}

const FRAME_WIDTH = 120;

/** The line of the span with a caret under it; long lines are cut around the column. */
export function codeFrame(source: string, span: Span): string {
  const lineStart = span.offset - (span.col - 1);
  const lineEnd = source.indexOf('\n', lineStart);
  const text = source.slice(lineStart, lineEnd === -1 ? undefined : lineEnd).replace(/\r$/, '');
  let start = 0;
  if (span.col > FRAME_WIDTH - 20) start = span.col - 1 - Math.floor(FRAME_WIDTH / 2);
  const shown = (start > 0 ? '…' : '') + text.slice(start, start + FRAME_WIDTH).replace(/\t/g, ' ') + (text.length > start + FRAME_WIDTH ? '…' : '');
  const caretCol = span.col - 1 - start + (start > 0 ? 1 : 0);
  const width = span.endLine === span.line ? Math.max(1, Math.min(span.endCol - span.col + 1, FRAME_WIDTH - caretCol)) : 1;
  const gutter = String(span.line).length;
  const pad = ' '.repeat(gutter);
  return `${span.line} | ${shown}\n${pad} | ${' '.repeat(Math.max(0, caretCol))}${'^'.repeat(width)}`;
}

/** `file.jac:3:9: error[JAC_SYNTAX_EXPECTED]: expected ';' after statement` and its frame. */
export function formatDiagnostic(d: Diagnostic, source?: string): string {
  const head = `${d.span.file}:${d.span.line}:${d.span.col}: ${d.severity}[${d.code}]: ${d.message}`;
  return source === undefined ? head : `${head}\n${codeFrame(source, d.span)}`;
}
