// A faster lookahead for choices that need more than one token to decide.
//
// Chevrotain's LL(k) lookahead tries every path of every alternative in turn whenever a
// choice is not LL(1). For `statement` (a dozen keyword alternatives plus an expression with
// hundreds of start paths) that is thousands of token comparisons per statement. This strategy
// computes the same paths, indexes them by their first token, and at run time checks only the
// paths that start with the next token, in the same order: the decisions are identical.
import {
  getLookaheadPaths,
  LLkLookaheadStrategy,
  type IOrAlt,
  type LookaheadSequence,
  type OptionalProductionType,
  type Rule,
  type TokenType,
} from 'chevrotain';

interface IndexedPath {
  alt: number;
  path: TokenType[];
}

/** Chevrotain adds these to every token type when the parser is built. */
type AugmentedTokenType = TokenType & { tokenTypeIdx: number; categoryMatches?: number[]; categoryMatchesMap?: Record<number, boolean> };
type Lookahead = { LA(i: number): { tokenType: TokenType } & { tokenTypeIdx?: number } };

function matches(token: { tokenTypeIdx?: number }, type: TokenType): boolean {
  const t = type as AugmentedTokenType;
  return token.tokenTypeIdx === t.tokenTypeIdx || t.categoryMatchesMap?.[token.tokenTypeIdx!] === true;
}

/** Paths grouped by the index of every token type their first token can be. */
function indexPaths(alts: LookaheadSequence[]): { byFirst: Map<number, IndexedPath[]>; always: IndexedPath[] } {
  const byFirst = new Map<number, IndexedPath[]>();
  const always: IndexedPath[] = [];
  alts.forEach((paths, alt) => {
    for (const path of paths) {
      const entry = { alt, path };
      if (path.length === 0) {
        always.push(entry);
        for (const list of byFirst.values()) list.push(entry);
        continue;
      }
      const first = path[0] as AugmentedTokenType;
      for (const idx of [first.tokenTypeIdx, ...(first.categoryMatches ?? [])]) {
        let list = byFirst.get(idx);
        if (!list) byFirst.set(idx, (list = [...always]));
        list.push(entry);
      }
    }
  });
  return { byFirst, always };
}

function firstMatch(parser: Lookahead, candidates: IndexedPath[]): number | undefined {
  next: for (const { alt, path } of candidates) {
    for (let i = 1; i < path.length; i++) {
      if (!matches(parser.LA(i + 1), path[i])) continue next;
    }
    return alt;
  }
  return undefined;
}

type AlternationOptions = { prodOccurrence: number; rule: Rule; maxLookahead: number; hasPredicates: boolean; dynamicTokensEnabled: boolean };
type OptionalOptions = { prodOccurrence: number; prodType: OptionalProductionType; rule: Rule; maxLookahead: number; dynamicTokensEnabled: boolean };
type AlternationDecision = (this: Lookahead, orAlts?: IOrAlt<unknown>[]) => number | undefined;
type OptionalDecision = (this: Lookahead) => boolean;

/**
 * Puts a decision built on first use in the place of its stand-in, in the parser's table of
 * lookahead functions (Chevrotain 11.2's `lookAheadFuncsCache`, read on every decision), so
 * later decisions call it directly. Should the table not be found, the stand-in keeps working.
 */
function settle<F>(parser: Lookahead, standIn: unknown, decide: F): F {
  const table = (parser as unknown as { lookAheadFuncsCache?: unknown }).lookAheadFuncsCache;
  if (table instanceof Map) {
    for (const [key, value] of table) {
      if (value === standIn) {
        table.set(key, decide);
        break;
      }
    }
  }
  return decide;
}

/**
 * Each decision's paths are computed the first time the parser reaches it, not when the parser
 * is built: computing all of them took most of the CLI's start, and a program reaches only a
 * part of the grammar.
 */
export class IndexedLookaheadStrategy extends LLkLookaheadStrategy {
  override buildLookaheadForAlternation(options: AlternationOptions): AlternationDecision {
    const strategy = this;
    let decide: AlternationDecision | undefined;
    return function first(this: Lookahead, orAlts?: IOrAlt<unknown>[]) {
      decide ??= settle(this, first, strategy.alternation(options));
      return decide.call(this, orAlts);
    };
  }

  override buildLookaheadForOptional(options: OptionalOptions): OptionalDecision {
    const strategy = this;
    let decide: OptionalDecision | undefined;
    return function first(this: Lookahead) {
      decide ??= settle(this, first, strategy.optional(options));
      return decide.call(this);
    };
  }

  private alternation(options: AlternationOptions): AlternationDecision {
    const alts = getLookaheadPaths({ occurrence: options.prodOccurrence, rule: options.rule, prodType: 'Alternation', maxLookahead: options.maxLookahead });
    const singleToken = alts.every((paths) => paths.every((p) => p.length === 1));
    // LL(1) choices are already a table lookup; GATEd choices need Chevrotain's own handling.
    if (options.hasPredicates || options.dynamicTokensEnabled || singleToken) return super.buildLookaheadForAlternation(options) as AlternationDecision;
    const { byFirst, always } = indexPaths(alts);
    return function (this: Lookahead) {
      const token = this.LA(1) as { tokenTypeIdx?: number };
      return firstMatch(this, byFirst.get(token.tokenTypeIdx!) ?? always);
    };
  }

  private optional(options: OptionalOptions): OptionalDecision {
    const [inside] = getLookaheadPaths({ occurrence: options.prodOccurrence, rule: options.rule, prodType: options.prodType, maxLookahead: options.maxLookahead });
    if (options.dynamicTokensEnabled || inside.every((p) => p.length === 1)) return super.buildLookaheadForOptional(options) as OptionalDecision;
    const { byFirst, always } = indexPaths([inside]);
    return function (this: Lookahead) {
      const token = this.LA(1) as { tokenTypeIdx?: number };
      return firstMatch(this, byFirst.get(token.tokenTypeIdx!) ?? always) !== undefined;
    };
  }
}
