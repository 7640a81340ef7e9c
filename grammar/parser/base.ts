// The parser's base: Chevrotain's embedded-actions parser, with what every rule needs to build
// AST nodes: spans from tokens, diagnostics, and `act()` to run semantic actions safely.
//
// Rules build the AST directly (no CST): with a CST the parser spent 80% of its time building
// and walking it (bench/parse measured 0.5 MB/s with a CST against the 1 MB/s target).
import { EmbeddedActionsParser, type IParserConfig, type IRecognitionException, type IToken, type TokenType } from 'chevrotain';
import type { Span } from '../ast.ts';
import type { Diagnostic, DiagnosticCode } from '../diagnostics.ts';
import { report, span } from '../build/context.ts';

export class JacParserBase extends EmbeddedActionsParser {
  /** Where the file's semantic diagnostics go; set by parse() before each run. */
  file = '<input>';
  diagnostics: Diagnostic[] = [];
  /** Set once a syntax error was recorded: the AST is discarded, so actions stop building. */
  private failed = false;
  private readonly orCache = new Map<string, unknown>();

  constructor(tokens: TokenType[], config: IParserConfig) {
    super(tokens, config);
  }

  /** Prepares a run over `tokens` for `file`. */
  begin(tokens: IToken[], file: string, diagnostics: Diagnostic[]): void {
    this.input = tokens;
    this.file = file;
    this.diagnostics = diagnostics;
    this.failed = false;
  }

  // Chevrotain records every syntax error through SAVE_ERROR (not in its typings).
  SAVE_ERROR(error: IRecognitionException): IRecognitionException {
    this.failed = true;
    return (EmbeddedActionsParser.prototype as unknown as { SAVE_ERROR(e: IRecognitionException): IRecognitionException }).SAVE_ERROR.call(this, error);
  }

  /**
   * Runs a semantic action. Not during Chevrotain's grammar recording (sub-results are
   * placeholders then), and not after a syntax error (sub-results may be missing): in both
   * cases no AST is wanted, so the rule returns a placeholder the caller never reads.
   */
  protected act<T>(build: () => T): T {
    if (this.failed || this.RECORDING_PHASE) return undefined as T;
    return build();
  }

  /**
   * The alternatives of an OR, built once. `this.OR([...])` allocates every alternative
   * object and closure on each call, which made allocation a main cost of parsing.
   */
  protected alts<T>(key: string, make: () => T): T {
    let value = this.orCache.get(key) as T | undefined;
    if (value === undefined) this.orCache.set(key, (value = make()));
    return value;
  }

  /** The span from `start` to the last token consumed so far. */
  protected spanFrom(start: IToken): Span {
    return this.tokenSpan(start, this.LA(0));
  }

  protected tokenSpan(first: IToken, last: IToken = first): Span {
    return span(this, first, last);
  }

  protected report(code: DiagnosticCode, message: string, at: Span): void {
    report(this, code, message, at);
  }
}
