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

export class IndexedLookaheadStrategy extends LLkLookaheadStrategy {
  override buildLookaheadForAlternation(options: {
    prodOccurrence: number;
    rule: Rule;
    maxLookahead: number;
    hasPredicates: boolean;
    dynamicTokensEnabled: boolean;
  }): (orAlts?: IOrAlt<unknown>[]) => number | undefined {
    const alts = getLookaheadPaths({ occurrence: options.prodOccurrence, rule: options.rule, prodType: 'Alternation', maxLookahead: options.maxLookahead });
    const singleToken = alts.every((paths) => paths.every((p) => p.length === 1));
    // LL(1) choices are already a table lookup; GATEd choices need Chevrotain's own handling.
    if (options.hasPredicates || options.dynamicTokensEnabled || singleToken) return super.buildLookaheadForAlternation(options);
    const { byFirst, always } = indexPaths(alts);
    return function (this: Lookahead) {
      const token = this.LA(1) as { tokenTypeIdx?: number };
      return firstMatch(this, byFirst.get(token.tokenTypeIdx!) ?? always);
    };
  }

  override buildLookaheadForOptional(options: {
    prodOccurrence: number;
    prodType: OptionalProductionType;
    rule: Rule;
    maxLookahead: number;
    dynamicTokensEnabled: boolean;
  }): () => boolean {
    const [inside] = getLookaheadPaths({ occurrence: options.prodOccurrence, rule: options.rule, prodType: options.prodType, maxLookahead: options.maxLookahead });
    if (options.dynamicTokensEnabled || inside.every((p) => p.length === 1)) return super.buildLookaheadForOptional(options);
    const { byFirst, always } = indexPaths([inside]);
    return function (this: Lookahead) {
      const token = this.LA(1) as { tokenTypeIdx?: number };
      return firstMatch(this, byFirst.get(token.tokenTypeIdx!) ?? always) !== undefined;
    };
  }
}
