// What the AST-building helpers share: where diagnostics go, spans, and name tokens.
import type { IToken } from 'chevrotain';
import type { Span } from '../ast.ts';
import type { Diagnostic, DiagnosticCode } from '../diagnostics.ts';

/** The file being parsed and its diagnostics (the parser itself is one). */
export interface Context {
  file: string;
  diagnostics: Diagnostic[];
}

/** The span of one token, or from `first` to `last`. */
export function span(cx: Context, first: IToken, last: IToken = first): Span {
  return {
    file: cx.file,
    line: first.startLine ?? 1,
    col: first.startColumn ?? 1,
    endLine: last.endLine ?? 1,
    endCol: last.endColumn ?? 1,
    offset: first.startOffset,
    endOffset: (last.endOffset ?? last.startOffset) + 1,
  };
}

/** The span covering two spans. */
export function join(a: Span, b: Span): Span {
  return { file: a.file, line: a.line, col: a.col, endLine: b.endLine, endCol: b.endCol, offset: a.offset, endOffset: b.endOffset };
}

export function report(cx: Context, code: DiagnosticCode, message: string, at: Span): void {
  cx.diagnostics.push({ code, severity: 'error', message, span: at });
}

/** A name as written, or a keyword-escaped name (`<>node`) without its `<>`. */
export function nameText(token: IToken): string {
  return token.image.startsWith('<>') ? token.image.slice(2) : token.image;
}
