// Shared state and helpers of the CST → AST pass: spans, names, and diagnostics.
import type { CstNode, IToken } from 'chevrotain';
import type { AccessTag, Span } from '../ast.ts';
import type { AccessTagCstNode, AnyNameCstNode, NameCstNode } from '../cst.ts';
import type { Diagnostic, DiagnosticCode } from '../diagnostics.ts';

export interface Context {
  file: string;
  diagnostics: Diagnostic[];
}

type Located = CstNode | IToken;

function isToken(x: Located): x is IToken {
  return (x as IToken).image !== undefined;
}

function startOf(x: Located): { offset: number; line: number; col: number } {
  if (isToken(x)) return { offset: x.startOffset, line: x.startLine ?? 1, col: x.startColumn ?? 1 };
  const loc = x.location!;
  return { offset: loc.startOffset, line: loc.startLine ?? 1, col: loc.startColumn ?? 1 };
}

function endOf(x: Located): { offset: number; line: number; col: number } {
  if (isToken(x)) return { offset: (x.endOffset ?? x.startOffset) + 1, line: x.endLine ?? 1, col: x.endColumn ?? 1 };
  const loc = x.location!;
  return { offset: (loc.endOffset ?? loc.startOffset) + 1, line: loc.endLine ?? 1, col: loc.endColumn ?? 1 };
}

/** The span from the start of `first` to the end of `last` (default: `first` alone). */
export function span(cx: Context, first: Located, last: Located = first): Span {
  const s = startOf(first);
  const e = endOf(last);
  return { file: cx.file, line: s.line, col: s.col, endLine: e.line, endCol: e.col, offset: s.offset, endOffset: e.offset };
}

/** The span covering two spans. */
export function join(a: Span, b: Span): Span {
  return { file: a.file, line: a.line, col: a.col, endLine: b.endLine, endCol: b.endCol, offset: a.offset, endOffset: b.endOffset };
}

export function report(cx: Context, code: DiagnosticCode, message: string, at: Span): void {
  cx.diagnostics.push({ code, severity: 'error', message, span: at });
}

/** The single token a rule matched (for rules that are one choice of tokens). */
export function onlyToken(node: CstNode): IToken {
  for (const key in node.children) {
    const child = node.children[key][0];
    if (child && isToken(child)) return child;
  }
  throw new Error(`rule ${node.name} has no token`);
}

/** The first token of a rule's children, in source order. */
export function firstToken(node: CstNode): IToken {
  let best: IToken | undefined;
  for (const key in node.children) {
    for (const child of node.children[key]) {
      const t = isToken(child) ? child : firstToken(child);
      if (!best || t.startOffset < best.startOffset) best = t;
    }
  }
  return best!;
}

/** A name: identifiers as written, `<>kw` without its `<>`. */
export function nameText(node: NameCstNode | AnyNameCstNode): string {
  const t = onlyToken(node);
  return t.image.startsWith('<>') ? t.image.slice(2) : t.image;
}

export function accessTag(node: AccessTagCstNode[] | undefined): AccessTag {
  if (!node) return null;
  const c = node[0].children;
  return c.KwPriv ? 'priv' : c.KwPub ? 'pub' : 'protect';
}

/** Text of a docstring token (its string value). */
export function docText(tokens: IToken[] | undefined, decode: (t: IToken) => string): string | null {
  return tokens ? decode(tokens[0]) : null;
}
