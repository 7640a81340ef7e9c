// `match` patterns: literals, captures, values, sequences, mappings, classes, `|` and `as`.
import type { IParserConfig, IToken, ParserMethod, TokenType } from 'chevrotain';
import type * as A from '../ast.ts';
import { nameText, span } from '../build/context.ts';
import { floatLiteral, intLiteral } from '../build/literals.ts';
import * as T from '../tokens.ts';
import { ExpressionParser } from './expressions.ts';

type Rule<R> = ParserMethod<[], R>;
type PatternArg = { keyword: string | null; pattern: A.Pattern };
type MappingItem = { rest: string } | { key: A.Pattern; value: A.Pattern };

export class PatternParser extends ExpressionParser {
  constructor(tokens: TokenType[], config: IParserConfig) {
    super(tokens, config);
  }

  /** `p | q as name` */
  pattern: Rule<A.Pattern> = this.RULE('pattern', () => {
    const start = this.LA(1);
    const options = [this.SUBRULE(this.closedPattern)];
    this.MANY(() => {
      this.CONSUME(T.BwOr);
      options.push(this.SUBRULE2(this.closedPattern));
    });
    const as = this.OPTION(() => {
      this.CONSUME(T.KwAs);
      return this.SUBRULE(this.name);
    });
    return this.act((): A.Pattern => {
      const at = this.spanFrom(start);
      const base: A.Pattern = options.length === 1 ? options[0] : { kind: 'POr', options, span: at };
      return as ? { kind: 'PAs', pattern: base, name: as.name, span: at } : base;
    });
  });

  closedPattern: Rule<A.Pattern> = this.RULE('closedPattern', () =>
    this.OR(
      this.alts('closedPattern', () => [
        ...[T.Int, T.Float].map((tok) => ({
          ALT: () => {
            const t = this.CONSUME(tok);
            return this.act((): A.Pattern => ({ kind: 'PLiteral', value: tok === T.Int ? intLiteral(this, t) : floatLiteral(this, t), span: span(this, t) }));
          },
        })),
        {
          ALT: () => {
            const value = this.SUBRULE(this.strings);
            return this.act((): A.Pattern => ({ kind: 'PLiteral', value, span: value.span }));
          },
        },
        ...(
          [
            [T.KwNone, null],
            [T.KwTrue, true],
            [T.KwFalse, false],
          ] as const
        ).map(([tok, value]) => ({
          ALT: () => {
            const t = this.CONSUME(tok);
            return this.act((): A.Pattern => ({ kind: 'PSingleton', value, span: span(this, t) }));
          },
        })),
        { ALT: () => this.classOrCapture() },
        { ALT: () => this.sequencePattern() },
        { ALT: () => this.mappingPattern() },
      ]),
    ),
  );

  /** capture `x`, value `A.B`, class `A.B(p, k=q)` */
  private classOrCapture(): A.Pattern {
    const start = this.LA(1);
    const head = this.OR2(this.alts('closedPattern.head', () => [{ ALT: () => this.SUBRULE(this.name) }, { ALT: () => this.CONSUME(T.BuiltinType) }]));
    const path: IToken[] = [];
    this.MANY(() => {
      this.CONSUME(T.Dot);
      path.push(this.SUBRULE(this.anyName));
    });
    const args = this.OPTION(() => {
      this.CONSUME(T.LParen);
      const list: PatternArg[] = [];
      this.OPTION2(() => {
        list.push(this.SUBRULE(this.patternArg));
        this.MANY2(() => {
          this.CONSUME(T.Comma);
          this.OPTION3(() => list.push(this.SUBRULE2(this.patternArg)));
        });
      });
      this.CONSUME(T.RParen);
      return list;
    });
    return this.act((): A.Pattern => {
      const at = this.spanFrom(start);
      const first = 'kind' in head ? head : null;
      const names = [first ? first.name : (head as IToken).image, ...path.map(nameText)];
      if (args) {
        const pos: A.Pattern[] = [];
        const kwNames: string[] = [];
        const kwPatterns: A.Pattern[] = [];
        for (const a of args) {
          if (a.keyword !== null) {
            kwNames.push(a.keyword);
            kwPatterns.push(a.pattern);
          } else {
            if (kwNames.length > 0) this.report('JAC_SYNTAX_INVALID', 'positional patterns follow keyword patterns', a.pattern.span);
            pos.push(a.pattern);
          }
        }
        return { kind: 'PClass', path: names, args: pos, kwNames, kwPatterns, span: at };
      }
      if (names.length > 1) return { kind: 'PValue', path: names, span: at };
      if (first?.kind === 'Special') this.report('JAC_SYNTAX_INVALID', `'${first.name}' cannot be a capture pattern`, at);
      return { kind: 'PCapture', name: names[0], span: at };
    });
  }

  /** `[a, *rest]`, `(a, b)` */
  private sequencePattern(): A.Pattern {
    const open = this.OR3(this.alts('closedPattern.open', () => [{ ALT: () => this.CONSUME(T.LSquare) }, { ALT: () => this.CONSUME2(T.LParen) }]));
    const items: A.Pattern[] = [];
    let comma = false;
    this.OPTION4(() => {
      items.push(this.SUBRULE(this.sequenceItem));
      this.MANY3(() => {
        this.CONSUME2(T.Comma);
        comma = true;
        this.OPTION5(() => items.push(this.SUBRULE2(this.sequenceItem)));
      });
    });
    const close = this.OR4(this.alts('closedPattern.close', () => [{ ALT: () => this.CONSUME(T.RSquare) }, { ALT: () => this.CONSUME2(T.RParen) }]));
    return this.act((): A.Pattern => {
      const at = this.spanFrom(open);
      const square = open.tokenType === T.LSquare;
      if (square !== (close.tokenType === T.RSquare)) this.report('JAC_SYNTAX_INVALID', `'${open.image}' is closed by '${close.image}'`, at);
      if (!square && items.length === 1 && !comma && items[0].kind !== 'PStar') return items[0];
      return { kind: 'PSequence', items, span: at };
    });
  }

  /** `{"k": p, **rest}` */
  private mappingPattern(): A.Pattern {
    const open = this.CONSUME(T.LBrace);
    const items: MappingItem[] = [];
    this.OPTION6(() => {
      items.push(this.SUBRULE(this.mappingItem));
      this.MANY4(() => {
        this.CONSUME3(T.Comma);
        this.OPTION7(() => items.push(this.SUBRULE2(this.mappingItem)));
      });
    });
    this.CONSUME(T.RBrace);
    return this.act((): A.Pattern => {
      const keys: A.Expr[] = [];
      const values: A.Pattern[] = [];
      let rest: string | null = null;
      for (const item of items) {
        if ('rest' in item) {
          rest = item.rest;
          continue;
        }
        const key = item.key;
        if (key.kind === 'PLiteral') keys.push(key.value);
        else if (key.kind === 'PSingleton') keys.push({ kind: 'Constant', value: key.value, span: key.span });
        else if (key.kind === 'PValue') keys.push(key.path.slice(1).reduce<A.Expr>((object, name) => ({ kind: 'Attribute', object, name, nullSafe: false, op: '.', span: key.span }), { kind: 'Name', name: key.path[0], span: key.span }));
        else {
          this.report('JAC_SYNTAX_INVALID', 'mapping pattern keys must be literals or dotted names', key.span);
          continue;
        }
        values.push(item.value);
      }
      return { kind: 'PMapping', keys, values, rest, span: this.spanFrom(open) };
    });
  }

  patternArg: Rule<PatternArg> = this.RULE('patternArg', () => {
    const keyword = this.OPTION({
      GATE: () => this.LA(2).tokenType === T.Eq,
      DEF: () => {
        const k = this.SUBRULE(this.anyName);
        this.CONSUME(T.Eq);
        return k;
      },
    });
    const pattern = this.SUBRULE(this.pattern);
    return this.act(() => ({ keyword: keyword ? nameText(keyword) : null, pattern }));
  });

  sequenceItem: Rule<A.Pattern> = this.RULE('sequenceItem', () =>
    this.OR(
      this.alts('sequenceItem', () => [
        {
          ALT: () => {
            const star = this.CONSUME(T.Star);
            const name = this.SUBRULE(this.name);
            return this.act((): A.Pattern => ({ kind: 'PStar', name: name.name, span: this.spanFrom(star) }));
          },
        },
        { ALT: () => this.SUBRULE(this.pattern) },
      ]),
    ),
  );

  mappingItem: Rule<MappingItem> = this.RULE('mappingItem', () =>
    this.OR(
      this.alts('mappingItem', () => [
        {
          ALT: () => {
            this.CONSUME(T.StarPow);
            const name = this.SUBRULE(this.name);
            return this.act((): MappingItem => ({ rest: name.name }));
          },
        },
        {
          ALT: () => {
            const key = this.SUBRULE(this.closedPattern);
            this.CONSUME(T.Colon);
            const value = this.SUBRULE(this.pattern);
            return { key, value };
          },
        },
      ]),
    ),
  );
}
