// Expression rules, each returning its AST node. Binary operators are read as one flat list
// (operand op operand ...) and given Jac's precedence by build/precedence.ts: one rule instead
// of fifteen nested ones keeps the parser fast.
import { EMPTY_ALT, type IParserConfig, type IToken, type ParserMethod, type TokenType } from 'chevrotain';
import type * as A from '../ast.ts';
import { checkTarget, checkUniqueParams } from '../build/checks.ts';
import { join, nameText, span } from '../build/context.ts';
import { decodeString, floatLiteral, fstringText, intLiteral, joinStrings } from '../build/literals.ts';
import { type FlatOperand, type OpInfo, Level, applyPrecedence } from '../build/precedence.ts';
import * as T from '../tokens.ts';
import { JacParserBase } from './base.ts';

type Rule<R, Args extends unknown[] = []> = ParserMethod<Args, R>;
type Argument = { kind: 'positional'; value: A.Expr } | { kind: 'keyword'; keyword: A.Keyword };
type Filter = { type: A.Expr | null; conds: A.FilterCond[] };
type Bracketed =
  | { kind: 'edges'; returns?: IToken; origin?: A.Expr; hops: A.EdgeHop[] }
  | { kind: 'comp'; elt?: A.Expr; generators: A.Comprehension[] }
  | { kind: 'list'; elts: A.Expr[] };
type Postfix = (object: A.Expr) => A.Expr;
type NullablePostfix = (object: A.Expr, nullSafe: boolean) => A.Expr;
type StringPiece = { isBytes: boolean; parts: (string | A.Expr)[]; first: IToken; last: IToken };

const simpleOps: Record<string, OpInfo> = {
  PipeFwd: { kind: 'pipe', level: Level.pipe, op: '|>' },
  PipeBkwd: { kind: 'pipe', level: Level.pipeBack, op: '<|' },
  APipeFwd: { kind: 'pipe', level: Level.atomicPipe, op: ':>' },
  APipeBkwd: { kind: 'pipe', level: Level.atomicPipeBack, op: '<:' },
  BwOr: { kind: 'binary', level: Level.bitOr, op: '|' },
  BwXor: { kind: 'binary', level: Level.bitXor, op: '^' },
  BwAnd: { kind: 'binary', level: Level.bitAnd, op: '&' },
  LShift: { kind: 'binary', level: Level.shift, op: '<<' },
  RShift: { kind: 'binary', level: Level.shift, op: '>>' },
  Or: { kind: 'bool', level: Level.or, op: 'or' },
  And: { kind: 'bool', level: Level.and, op: 'and' },
  Plus: { kind: 'binary', level: Level.arith, op: '+' },
  Minus: { kind: 'binary', level: Level.arith, op: '-' },
  Star: { kind: 'binary', level: Level.term, op: '*' },
  Div: { kind: 'binary', level: Level.term, op: '/' },
  FloorDiv: { kind: 'binary', level: Level.term, op: '//' },
  Mod: { kind: 'binary', level: Level.term, op: '%' },
  At: { kind: 'binary', level: Level.term, op: '@' },
  StarPow: { kind: 'binary', level: Level.power, op: '**' },
  KwSpawn: { kind: 'spawn', level: Level.spawn },
};

const compareOps: Record<string, A.CmpOp> = {
  IsNot: 'is not', KwIs: 'is', NotIn: 'not in', KwIn: 'in', Ne: '!=', Gte: '>=', Lte: '<=', Gt: '>', Lt: '<', Ee: '==',
};

const binaryTokens = [
  T.PipeFwd, T.PipeBkwd, T.BwOr, T.BwXor, T.BwAnd, T.LShift, T.RShift, T.Or, T.And, T.IsNot, T.KwIs, T.NotIn, T.KwIn,
  T.Ne, T.Gte, T.Lte, T.Gt, T.Lt, T.Ee, T.Plus, T.Minus, T.Star, T.Div, T.FloorDiv, T.Mod, T.At, T.StarPow,
  T.APipeFwd, T.APipeBkwd, T.KwSpawn,
];
const compareTokens = [T.IsNot, T.KwIs, T.NotIn, T.KwIn, T.Ne, T.Gte, T.Lte, T.Gt, T.Lt, T.Ee];
const prefixOps: Record<string, A.UnaryOp> = { KwNot: 'not', Minus: '-', Plus: '+', BwNot: '~' };

export class ExpressionParser extends JacParserBase {
  constructor(tokens: TokenType[], config: IParserConfig) {
    super(tokens, config);
  }

  // ---- names --------------------------------------------------------------------------
  /** A name where an expression may stand: identifiers, `<>kw`, special refs, soft keywords. */
  name: Rule<A.Name | A.Special> = this.RULE('name', () => {
    const t = this.OR(
      this.alts('name', () => [
        { ALT: () => this.CONSUME(T.Identifier) },
        { ALT: () => this.CONSUME(T.KwEscName) },
        { ALT: () => this.CONSUME(T.SpecialRef) },
        { ALT: () => this.CONSUME(T.SoftKeyword) },
      ]),
    );
    return this.act(() => this.nameNode(t));
  });

  /** A name where nothing else can stand (after `.`, in declarations): any keyword is a name. */
  anyName: Rule<IToken> = this.RULE('anyName', () =>
    this.OR(
      this.alts('anyName', () => [
        { ALT: () => this.CONSUME(T.Identifier) },
        { ALT: () => this.CONSUME(T.KwEscName) },
        { ALT: () => this.CONSUME(T.Keyword) },
      ]),
    ),
  );

  protected nameNode(t: IToken): A.Name | A.Special {
    if (t.tokenType.CATEGORIES?.includes(T.SpecialRef)) return { kind: 'Special', name: t.image as A.SpecialName, span: span(this, t) };
    return { kind: 'Name', name: nameText(t), span: span(this, t) };
  }

  // ---- expression ---------------------------------------------------------------------
  // The hot path is `expression → binary → operand → atom`: walrus, prefix pipes, postfixes
  // and names are read inline rather than by sub-rules.
  expression: Rule<A.Expr> = this.RULE('expression', () =>
    this.OR(
      this.alts('expression', () => [
        { ALT: () => this.SUBRULE(this.lambda) },
        {
          ALT: () => {
            const concurrent = this.OPTION(() =>
              this.OR2(this.alts('expression.concurrent', () => [{ ALT: () => this.CONSUME(T.KwFlow) }, { ALT: () => this.CONSUME(T.KwWait) }])),
            );
            const target = this.walrusTarget();
            const value = this.binary();
            const ternary = this.OPTION2(() => {
              this.CONSUME(T.KwIf);
              const test = this.SUBRULE(this.expression);
              this.CONSUME(T.KwElse);
              return { test, orelse: this.SUBRULE2(this.expression) };
            });
            return this.act(() => {
              let e = target ? this.walrusOf(target, value) : value;
              if (concurrent) e = { kind: 'Concurrent', op: concurrent.image as 'flow' | 'wait', value: e, span: join(span(this, concurrent), e.span) };
              if (!ternary) return e;
              return { kind: 'Ternary', test: ternary.test, body: e, orelse: ternary.orelse, span: join(e.span, ternary.orelse.span) } as A.Expr;
            });
          },
        },
      ]),
    ),
  );

  /** The optional `name :=` of a walrus (a helper inside its caller's rule). */
  private walrusTarget(): A.Name | A.Special | undefined {
    return this.OPTION9({
      GATE: () => this.LA(2).tokenType === T.WalrusEq,
      DEF: () => {
        const n = this.SUBRULE(this.name);
        this.CONSUME(T.WalrusEq);
        return n;
      },
    });
  }

  private walrusOf(target: A.Name | A.Special, value: A.Expr): A.Expr {
    if (target.kind !== 'Name') this.report('JAC_SYNTAX_INVALID_TARGET', `cannot assign to '${target.name}' with ':='`, target.span);
    return { kind: 'Walrus', target: target.name, value, span: join(target.span, value.span) };
  }

  lambda: Rule<A.Expr> = this.RULE('lambda', () => {
    const start = this.CONSUME(T.KwLambda);
    const params = this.OPTION(() => this.SUBRULE(this.params));
    const returns = this.OPTION2(() => {
      this.CONSUME(T.ReturnHint);
      return this.SUBRULE(this.expression);
    });
    this.CONSUME(T.Colon);
    const body = this.SUBRULE2(this.expression);
    return this.act((): A.Expr => ({ kind: 'Lambda', params: params ?? [], returns: returns ?? null, body, span: this.spanFrom(start) }));
  });

  params: Rule<A.Param[]> = this.RULE('params', () => {
    const list = [this.SUBRULE(this.param)];
    this.MANY(() => {
      this.CONSUME(T.Comma);
      this.OPTION(() => list.push(this.SUBRULE2(this.param)));
    });
    return this.act(() => {
      checkUniqueParams(this, list);
      return list;
    });
  });

  param: Rule<A.Param> = this.RULE('param', () => {
    const start = this.LA(1);
    const star = this.OPTION(() =>
      this.OR(this.alts('param', () => [{ ALT: () => this.CONSUME(T.StarPow) }, { ALT: () => this.CONSUME(T.Star) }])),
    );
    const name = this.SUBRULE(this.anyName);
    this.CONSUME(T.Colon);
    const type = this.SUBRULE(this.expression);
    const value = this.OPTION2(() => {
      this.CONSUME(T.Eq);
      return this.SUBRULE2(this.expression);
    });
    return this.act((): A.Param => ({
      name: nameText(name),
      variadic: star ? (star.tokenType === T.StarPow ? 'starstar' : 'star') : null,
      type,
      default: value ?? null,
      span: this.spanFrom(start),
    }));
  });

  /**
   * operand (op operand)*, with precedence applied once the list is read. A helper, not a rule:
   * its DSL calls belong to the calling rule, which saves a rule invocation per expression.
   */
  private binary(): A.Expr {
    const operands = [this.SUBRULE(this.operand)];
    const ops: OpInfo[] = [];
    this.MANY(() => {
      ops.push(this.SUBRULE(this.binaryOp));
      operands.push(this.SUBRULE2(this.operand));
    });
    return this.act(() => {
      if (ops.length === 0 && operands[0].prefixes.length === 0) return operands[0].core;
      return applyPrecedence(this, operands, ops);
    });
  }

  binaryOp: Rule<OpInfo> = this.RULE('binaryOp', () =>
    this.OR(
      this.alts('binaryOp', () => [
        ...binaryTokens.map((tok) => ({
          ALT: () => {
            const t = this.CONSUME(tok);
            return this.act((): OpInfo => {
              const cmp = compareOps[t.tokenType.name];
              return cmp ? { kind: 'compare', level: Level.compare, op: cmp } : simpleOps[t.tokenType.name];
            });
          },
        })),
        { ALT: () => this.SUBRULE(this.connectOp) },
        {
          ALT: () => {
            this.CONSUME(T.KwDel);
            const edgeOp = this.SUBRULE(this.edgeOp);
            return this.act((): OpInfo => ({ kind: 'disconnect', level: Level.connect, edgeOp }));
          },
        },
      ]),
    ),
  );

  /** `++>`, `<++`, `<++>`, `+>:E:f=1:+>`, `<+:E:<+`, `<+:E:+>` */
  connectOp: Rule<OpInfo> = this.RULE('connectOp', () =>
    this.OR(
      this.alts('connectOp', () => [
        { ALT: () => this.connectOf('out', this.CONSUME(T.CArrowR)) },
        { ALT: () => this.connectOf('in', this.CONSUME(T.CArrowL)) },
        { ALT: () => this.connectOf('any', this.CONSUME(T.CArrowBi)) },
        {
          ALT: () => {
            this.CONSUME(T.CArrowRP1);
            const edge = this.SUBRULE(this.connectEdge);
            this.CONSUME(T.CArrowRP2);
            return this.connectOf('out', edge);
          },
        },
        {
          ALT: () => {
            this.CONSUME(T.CArrowLP1);
            const edge = this.SUBRULE2(this.connectEdge);
            const close = this.OR2(this.alts('connectOp.close', () => [{ ALT: () => this.CONSUME(T.CArrowLP2) }, { ALT: () => this.CONSUME2(T.CArrowRP2) }]));
            return this.act(() => this.connectOf(close.tokenType === T.CArrowLP2 ? 'in' : 'any', edge));
          },
        },
      ]),
    ),
  );

  private connectOf(dir: A.EdgeDir, edge: IToken | { edge: A.Expr; assigns: A.Keyword[] }): OpInfo {
    const typed = edge && 'assigns' in edge ? edge : null;
    return { kind: 'connect', level: Level.connect, dir, edge: typed?.edge ?? null, assigns: typed?.assigns ?? [] };
  }

  connectEdge: Rule<{ edge: A.Expr; assigns: A.Keyword[] }> = this.RULE('connectEdge', () => {
    const edge = this.SUBRULE(this.expression);
    const assigns: A.Keyword[] = [];
    this.OPTION(() => {
      this.CONSUME(T.Colon);
      assigns.push(this.SUBRULE(this.keywordArg));
      this.MANY(() => {
        this.CONSUME(T.Comma);
        assigns.push(this.SUBRULE2(this.keywordArg));
      });
    });
    return this.act(() => {
      for (const a of assigns) {
        if (a.name === null) this.report('JAC_SYNTAX_INVALID', "edge fields are set as 'name=value', not '**mapping'", a.span);
      }
      return { edge, assigns };
    });
  });

  /** `-->`, `<--`, `<-->`, `->:E:conds:->`, `<-:E:<-`, `<-:E:->` */
  edgeOp: Rule<A.EdgeOp> = this.RULE('edgeOp', () => {
    const start = this.LA(1);
    const choice = this.OR(
      this.alts('edgeOp', () => [
        { ALT: () => (this.CONSUME(T.ArrowR), ['out', null] as const) },
        { ALT: () => (this.CONSUME(T.ArrowL), ['in', null] as const) },
        { ALT: () => (this.CONSUME(T.ArrowBi), ['any', null] as const) },
        {
          ALT: () => {
            this.CONSUME(T.ArrowRP1);
            const f = this.SUBRULE(this.typedFilter);
            this.CONSUME(T.ArrowRP2);
            return ['out', f] as const;
          },
        },
        {
          ALT: () => {
            this.CONSUME(T.ArrowLP1);
            const f = this.SUBRULE2(this.typedFilter);
            const close = this.OR2(this.alts('edgeOp.close', () => [{ ALT: () => this.CONSUME(T.ArrowLP2) }, { ALT: () => this.CONSUME2(T.ArrowRP2) }]));
            return [close.tokenType === T.ArrowLP2 ? 'in' : 'any', f] as const;
          },
        },
      ]),
    );
    return this.act(() => {
      const [dir, filter] = choice;
      return { dir, type: filter?.type ?? null, conds: filter?.conds ?? [], span: this.spanFrom(start) };
    });
  });

  /** `T` or `T: f == 1, g > 2` */
  typedFilter: Rule<Filter> = this.RULE('typedFilter', () => {
    const type = this.SUBRULE(this.expression);
    const conds = this.OPTION(() => {
      this.CONSUME(T.Colon);
      return this.SUBRULE(this.filterConds);
    });
    return { type, conds: conds ?? [] };
  });

  filterConds: Rule<A.FilterCond[]> = this.RULE('filterConds', () => {
    const list = [this.SUBRULE(this.filterCond)];
    this.MANY(() => {
      this.CONSUME(T.Comma);
      list.push(this.SUBRULE2(this.filterCond));
    });
    return list;
  });

  filterCond: Rule<A.FilterCond> = this.RULE('filterCond', () => {
    const field = this.SUBRULE(this.anyName);
    const op = this.SUBRULE(this.compareOp);
    const value = this.SUBRULE(this.expression);
    return this.act(() => ({ field: nameText(field), op, value, span: this.spanFrom(field) }));
  });

  compareOp: Rule<A.CmpOp> = this.RULE('compareOp', () => {
    const t = this.OR(this.alts('compareOp', () => compareTokens.map((tok) => ({ ALT: () => this.CONSUME(tok) }))));
    return this.act(() => compareOps[t.tokenType.name]);
  });

  /** Prefix operators (`not - + ~`), `*` unpack, `&` ref, a prefix pipe, an atom, postfixes. */
  operand: Rule<FlatOperand> = this.RULE('operand', () => {
    const prefixes: IToken[] = [];
    this.MANY(() =>
      prefixes.push(
        this.OR(
          this.alts('operand.prefix', () => [
            { ALT: () => this.CONSUME(T.Not) },
            { ALT: () => this.CONSUME(T.Minus) },
            { ALT: () => this.CONSUME(T.Plus) },
            { ALT: () => this.CONSUME(T.BwNot) },
          ]),
        ),
      ),
    );
    const star = this.OPTION(() => this.CONSUME(T.Star));
    const ref = this.OPTION2(() => this.CONSUME(T.BwAnd));
    const pipe = this.OPTION3(() => this.SUBRULE(this.pipePrefix));
    let core = this.atom('operand.atom');
    this.MANY2(() => {
      const apply = this.SUBRULE(this.postfix);
      core = this.act(() => apply(core));
    });
    return this.act(() => {
      if (pipe) core = this.prefixPipe(pipe, core);
      if (ref) core = { kind: 'Ref', value: core, span: join(span(this, ref), core.span) };
      if (star) core = { kind: 'Starred', value: core, span: join(span(this, star), core.span) };
      return { prefixes: prefixes.map((t) => ({ op: prefixOps[t.tokenType.name], span: span(this, t) })), core };
    });
  });

  pipePrefix: Rule<IToken> = this.RULE('pipePrefix', () =>
    this.OR(
      this.alts('pipePrefix', () => [
        { ALT: () => this.CONSUME(T.PipeFwd) },
        { ALT: () => this.CONSUME(T.APipeFwd) },
        { ALT: () => this.CONSUME(T.KwSpawn) },
        { ALT: () => this.CONSUME(T.KwAwait) },
      ]),
    ),
  );

  private prefixPipe(t: IToken, operand: A.Expr): A.Expr {
    return { kind: 'PrefixPipe', op: t.image as A.PrefixPipe['op'], operand, span: join(span(this, t), operand.span) };
  }

  /** `walrus` and `pipeCall` are the reference's narrower forms used in comprehensions. */
  walrus: Rule<A.Expr> = this.RULE('walrus', () => {
    const target = this.walrusTarget();
    const value = this.binary();
    return this.act(() => (target ? this.walrusOf(target, value) : value));
  });

  pipeCall: Rule<A.Expr> = this.RULE('pipeCall', () => {
    const pipe = this.OPTION(() => this.SUBRULE(this.pipePrefix));
    const value = this.SUBRULE(this.atomicChain);
    return this.act(() => (pipe ? this.prefixPipe(pipe, value) : value));
  });

  /** An atom followed by calls, indexes, attributes and filter/assign comprehensions. */
  atomicChain: Rule<A.Expr> = this.RULE('atomicChain', () => {
    let value = this.atom('atomicChain.atom');
    this.MANY(() => {
      const apply = this.SUBRULE(this.postfix);
      value = this.act(() => apply(value));
    });
    return value;
  });

  /**
   * A call, index, attribute or filter/assign comprehension after an atom, returned as the
   * function that applies it (cached alternatives cannot capture the object being extended).
   */
  postfix: Rule<Postfix> = this.RULE('postfix', () =>
    this.OR(
      this.alts('postfix', () => [
        {
          ALT: () => {
            const c = this.SUBRULE(this.call);
            return this.act((): Postfix => (func) => ({ kind: 'Call', func, ...c, span: this.joinFrom(func) }));
          },
        },
        {
          ALT: () => {
            const nullSafe = this.OPTION(() => this.CONSUME(T.Question)) !== undefined;
            const apply = this.OR2(
              this.alts('postfix.nullable', () => [
                {
                  ALT: () => {
                    const f = this.SUBRULE(this.filterCompr);
                    return this.act((): NullablePostfix => (object, nullSafe) => ({ kind: 'FilterCompr', object, nullSafe, type: f.type, conds: f.conds, span: this.joinFrom(object) }));
                  },
                },
                {
                  ALT: () => {
                    const assigns = this.SUBRULE(this.assignCompr);
                    return this.act((): NullablePostfix => (object, nullSafe) => ({ kind: 'AssignCompr', object, nullSafe, assigns, span: this.joinFrom(object) }));
                  },
                },
                {
                  ALT: () => {
                    const index = this.SUBRULE(this.index);
                    return this.act((): NullablePostfix => (object, nullSafe) => ({ kind: 'Index', object, index, nullSafe, span: this.joinFrom(object) }));
                  },
                },
                {
                  ALT: () => {
                    const dot = this.OR3(
                      this.alts('postfix.dot', () => [
                        { ALT: () => this.CONSUME(T.Dot) },
                        { ALT: () => this.CONSUME(T.DotFwd) },
                        { ALT: () => this.CONSUME(T.DotBkwd) },
                      ]),
                    );
                    const name = this.SUBRULE(this.anyName);
                    return this.act(
                      (): NullablePostfix => (object, nullSafe) => ({ kind: 'Attribute', object, name: nameText(name), nullSafe, op: dot.image as '.' | '.>' | '<.', span: this.joinFrom(object) }),
                    );
                  },
                },
              ]),
            );
            return this.act((): Postfix => (object) => apply(object, nullSafe));
          },
        },
      ]),
    ),
  );

  /** The span from the start of `node` to the last token consumed. */
  protected joinFrom(node: A.Expr): A.Span {
    return join(node.span, span(this, this.LA(0)));
  }

  call: Rule<{ args: A.Expr[]; keywords: A.Keyword[]; by: A.Expr | null }> = this.RULE('call', () => {
    this.CONSUME(T.LParen);
    const items: Argument[] = [];
    // Where `by <call>` may come next, the reference reads `by` as that keyword, never a name:
    // `f(by)` and `f(x, by)` fail to compile while `x = by` is fine.
    const notBy = () => this.LA(1).tokenType !== T.KwBy;
    this.OPTION({
      GATE: notBy,
      DEF: () => {
        items.push(this.SUBRULE(this.argument));
        this.MANY(() => {
          this.CONSUME(T.Comma);
          this.OPTION2({ GATE: notBy, DEF: () => items.push(this.SUBRULE2(this.argument)) });
        });
      },
    });
    const by = this.OPTION3(() => {
      this.CONSUME(T.KwBy);
      return this.SUBRULE(this.atomicChain);
    });
    this.CONSUME(T.RParen);
    return this.act(() => {
      const args: A.Expr[] = [];
      const keywords: A.Keyword[] = [];
      for (const item of items) {
        if (item.kind === 'keyword') {
          keywords.push(item.keyword);
          continue;
        }
        // As in Python, `*args` may follow keywords; a plain positional argument may not.
        if (keywords.length > 0 && item.value.kind !== 'Starred') {
          const unpacking = keywords.some((k) => k.name === null);
          this.report('JAC_SYNTAX_INVALID', `positional argument follows keyword argument${unpacking ? ' unpacking' : ''}`, item.value.span);
        }
        args.push(item.value);
      }
      return { args, keywords, by: by ?? null };
    });
  });

  /** `expr`, `name=expr` or `**expr`; `name=` is read as an expression then `=` (LL(1)). */
  argument: Rule<Argument> = this.RULE('argument', () =>
    this.OR(
      this.alts('argument', () => [
        {
          ALT: () => {
            const star = this.CONSUME(T.StarPow);
            const value = this.SUBRULE(this.expression);
            return this.act((): Argument => ({ kind: 'keyword', keyword: { name: null, value, span: this.spanFrom(star) } }));
          },
        },
        {
          ALT: () => {
            const first = this.SUBRULE2(this.expression);
            const value = this.OPTION(() => {
              this.CONSUME(T.Eq);
              return this.SUBRULE3(this.expression);
            });
            return this.act((): Argument => {
              if (value === undefined) return { kind: 'positional', value: first };
              if (first.kind !== 'Name') this.report('JAC_SYNTAX_INVALID', "a keyword argument is written 'name=value'", first.span);
              return { kind: 'keyword', keyword: { name: first.kind === 'Name' ? first.name : '', value, span: join(first.span, value.span) } };
            });
          },
        },
      ]),
    ),
  );

  /** `name=expr` or `**expr` (edge fields, assign comprehensions) */
  keywordArg: Rule<A.Keyword> = this.RULE('keywordArg', () => {
    const start = this.LA(1);
    const name = this.OR(
      this.alts('keywordArg', () => [
        { ALT: () => (this.CONSUME(T.StarPow), null) },
        {
          ALT: () => {
            const n = this.OR2(this.alts('keywordArg.name', () => [{ ALT: () => this.SUBRULE(this.name) }, { ALT: () => this.CONSUME(T.BuiltinType) }]));
            this.CONSUME(T.Eq);
            return n;
          },
        },
      ]),
    );
    const value = this.SUBRULE(this.expression);
    return this.act(() => ({ name: name === null ? null : 'kind' in name ? name.name : name.image, value, span: this.spanFrom(start) }));
  });

  filterCompr: Rule<Filter> = this.RULE('filterCompr', () => {
    this.CONSUME(T.LParen);
    const f = this.OR(
      this.alts('filterCompr', () => [
        {
          ALT: () => {
            this.CONSUME(T.Question);
            const conds = this.SUBRULE(this.filterConds);
            return { type: null, conds };
          },
        },
        {
          ALT: () => {
            this.CONSUME(T.Backtick);
            this.CONSUME2(T.Question);
            return this.SUBRULE(this.typedFilter);
          },
        },
      ]),
    );
    this.CONSUME(T.RParen);
    return f;
  });

  assignCompr: Rule<A.Keyword[]> = this.RULE('assignCompr', () => {
    this.CONSUME(T.LParen);
    this.CONSUME(T.Eq);
    const list = [this.SUBRULE(this.keywordArg)];
    this.MANY(() => {
      this.CONSUME(T.Comma);
      list.push(this.SUBRULE2(this.keywordArg));
    });
    this.CONSUME(T.RParen);
    return this.act(() => {
      for (const a of list) {
        if (a.name === null) this.report('JAC_SYNTAX_INVALID', "an assign comprehension sets 'name=value' pairs", a.span);
      }
      return list;
    });
  });

  index: Rule<A.Expr> = this.RULE('index', () => {
    const start = this.CONSUME(T.LSquare);
    const items = [this.SUBRULE(this.sliceItem)];
    let comma = false;
    this.MANY(() => {
      this.CONSUME(T.Comma);
      comma = true;
      this.OPTION(() => items.push(this.SUBRULE2(this.sliceItem)));
    });
    this.CONSUME(T.RSquare);
    return this.act((): A.Expr => (items.length === 1 && !comma ? items[0] : { kind: 'Tuple', elts: items, keywords: [], span: this.spanFrom(start) }));
  });

  /** `e`, `a:b`, `a:b:c`, `:`, `::2` ... */
  sliceItem: Rule<A.Expr> = this.RULE('sliceItem', () => {
    const start = this.LA(1);
    const lower = this.OPTION(() => this.SUBRULE(this.expression));
    const tail = this.OPTION2(() => {
      this.CONSUME(T.Colon);
      const upper = this.OPTION3(() => this.SUBRULE2(this.expression));
      const step = this.OPTION4(() => {
        this.CONSUME2(T.Colon);
        return this.OPTION5(() => this.SUBRULE3(this.expression)) ?? null;
      });
      return { upper: upper ?? null, step: step ?? null };
    });
    return this.act((): A.Expr => {
      if (!tail) {
        if (!lower) this.report('JAC_SYNTAX_EXPECTED', 'expected an index or a slice', this.spanFrom(start));
        return lower!;
      }
      return { kind: 'Slice', lower: lower ?? null, upper: tail.upper, step: tail.step, span: this.spanFrom(start) };
    });
  });

  // ---- atoms --------------------------------------------------------------------------
  /** A name, literal, string, type reference or bracketed atom (a helper inside its caller's rule). */
  private atom(key: string): A.Expr {
    return this.OR2(
      this.alts(key, () => [
        ...[T.Identifier, T.KwEscName, T.SpecialRef, T.SoftKeyword].map((tok) => ({
          ALT: () => {
            const t = this.CONSUME(tok);
            return this.act(() => this.nameNode(t) as A.Expr);
          },
        })),
        {
          ALT: () => {
            const t = this.CONSUME(T.BuiltinType);
            return this.act((): A.Expr => ({ kind: 'Name', name: t.image, span: span(this, t) }));
          },
        },
        ...[T.Int, T.Hex, T.Bin, T.Oct].map((tok) => ({
          ALT: () => {
            const t = this.CONSUME(tok);
            return this.act(() => intLiteral(this, t));
          },
        })),
        {
          ALT: () => {
            const t = this.CONSUME(T.Float);
            return this.act(() => floatLiteral(this, t));
          },
        },
        ...(
          [
            [T.KwNone, null],
            [T.KwTrue, true],
            [T.KwFalse, false],
            [T.Ellipsis, 'Ellipsis'],
          ] as const
        ).map(([tok, value]) => ({
          ALT: () => {
            const t = this.CONSUME(tok);
            return this.act((): A.Expr => ({ kind: 'Constant', value, span: span(this, t) }));
          },
        })),
        { ALT: () => this.SUBRULE(this.strings) },
        {
          ALT: () => {
            const start = this.CONSUME(T.Backtick);
            const name = this.SUBRULE(this.anyName);
            return this.act((): A.Expr => ({ kind: 'TypeRef', name: nameText(name), span: this.spanFrom(start) }));
          },
        },
        { ALT: () => this.SUBRULE(this.parenAtom) },
        { ALT: () => this.SUBRULE(this.bracketAtom) },
        { ALT: () => this.SUBRULE(this.braceAtom) },
      ]),
    );
  }

  /** Adjacent string and f-string literals concatenate. */
  strings: Rule<A.Expr> = this.RULE('strings', () => {
    const pieces: StringPiece[] = [];
    this.AT_LEAST_ONE(() =>
      pieces.push(
        this.OR(
          this.alts('strings', () => [
            {
              ALT: () => {
                const t = this.CONSUME(T.String);
                return this.act((): StringPiece => {
                  const s = decodeString(this, t);
                  return { isBytes: s.isBytes, parts: [s.value], first: t, last: t };
                });
              },
            },
            { ALT: () => this.SUBRULE(this.fstring) },
          ]),
        ),
      ),
    );
    return this.act(() => joinStrings(this, [pieces[0].first, pieces[pieces.length - 1].last], pieces));
  });

  fstring: Rule<StringPiece> = this.RULE('fstring', () =>
    this.OR(
      this.alts('fstring', () => [
        {
          ALT: () => {
            const first = this.CONSUME(T.FStringStart);
            const parts: (string | A.Expr)[] = [];
            this.MANY(() => parts.push(this.SUBRULE(this.fstringPart)));
            const last = this.CONSUME(T.FStringEnd);
            return { isBytes: false, parts, first, last };
          },
        },
        {
          ALT: () => {
            const first = this.CONSUME(T.FStringSqStart);
            const parts: (string | A.Expr)[] = [];
            this.MANY2(() => parts.push(this.SUBRULE2(this.fstringPart)));
            const last = this.CONSUME(T.FStringSqEnd);
            return { isBytes: false, parts, first, last };
          },
        },
      ]),
    ),
  );

  fstringPart: Rule<string | A.Expr> = this.RULE('fstringPart', () =>
    this.OR(
      this.alts('fstringPart', () => [
        ...[T.FStringText, T.FStringSqText, T.FStringBraceEscape].map((tok) => ({
          ALT: () => {
            const t = this.CONSUME(tok);
            return this.act(() => fstringText(t) as string | A.Expr);
          },
        })),
        {
          ALT: () => {
            this.CONSUME(T.FStringHoleOpen);
            const e = this.SUBRULE(this.expression);
            this.CONSUME(T.RBrace);
            return e;
          },
        },
      ]),
    ),
  );

  /** `()`, `(e)`, `(e,)`, `(a, b)`, `(a=1, b=2)`, `(e for x in xs)`, `(yield x)` */
  parenAtom: Rule<A.Expr> = this.RULE('parenAtom', () => {
    const start = this.CONSUME(T.LParen);
    const inner = this.OPTION(() =>
      this.OR(
        this.alts('parenAtom', () => [
          { ALT: () => ({ yield: this.valuedYield(this.SUBRULE(this.yieldExpr)) }) },
          {
            ALT: () => {
              const first = this.SUBRULE(this.argument);
              const rest = this.OR2(
                this.alts('parenAtom.rest', () => [
                  {
                    ALT: () => {
                      const generators: A.Comprehension[] = [];
                      this.AT_LEAST_ONE(() => generators.push(this.SUBRULE(this.compFor)));
                      return { generators, items: [] as Argument[], comma: false };
                    },
                  },
                  {
                    ALT: () => {
                      const items: Argument[] = [];
                      let comma = false;
                      this.MANY(() => {
                        this.CONSUME(T.Comma);
                        comma = true;
                        this.OPTION2(() => items.push(this.SUBRULE2(this.argument)));
                      });
                      return { generators: [] as A.Comprehension[], items, comma };
                    },
                  },
                ]),
              );
              return this.act(() => ({ items: [first, ...rest.items], generators: rest.generators, comma: rest.comma }));
            },
          },
        ]),
      ),
    );
    this.CONSUME(T.RParen);
    return this.act((): A.Expr => {
      const at = this.spanFrom(start);
      if (!inner) return { kind: 'Tuple', elts: [], keywords: [], span: at };
      if ('yield' in inner) return inner.yield;
      const first = inner.items[0];
      if (inner.generators.length > 0) {
        if (first.kind === 'keyword') this.report('JAC_SYNTAX_INVALID', 'a comprehension element cannot be a keyword argument', first.keyword.span);
        const elt = first.kind === 'keyword' ? first.keyword.value : first.value;
        return { kind: 'GenExp', elt, generators: inner.generators, span: at };
      }
      if (!inner.comma && first.kind === 'positional') return { ...first.value, span: at };
      const elts: A.Expr[] = [];
      const keywords: A.Keyword[] = [];
      for (const item of inner.items) {
        if (item.kind === 'keyword') keywords.push(item.keyword);
        else elts.push(item.value);
      }
      return { kind: 'Tuple', elts, keywords, span: at };
    });
  });

  /** `[..]`: a list, a list comprehension, or an edge reference (`[-->]`, `[n ->:E:->]`). */
  bracketAtom: Rule<A.Expr> = this.RULE('bracketAtom', () => {
    const start = this.CONSUME(T.LSquare);
    const content = this.OR(
      this.alts('bracketAtom', () => [
        {
          ALT: (): Bracketed => {
            const returns = this.OR2(this.alts('bracketAtom.returns', () => [{ ALT: () => this.CONSUME(T.KwNode) }, { ALT: () => this.CONSUME(T.KwEdge) }]));
            const origin = this.OPTION(() => this.SUBRULE(this.expression));
            const hops: A.EdgeHop[] = [];
            this.AT_LEAST_ONE(() => hops.push(this.SUBRULE(this.edgeHop)));
            return { kind: 'edges', returns, origin, hops };
          },
        },
        {
          ALT: (): Bracketed => {
            const hops: A.EdgeHop[] = [];
            this.AT_LEAST_ONE2(() => hops.push(this.SUBRULE2(this.edgeHop)));
            return { kind: 'edges', hops };
          },
        },
        {
          ALT: (): Bracketed => {
            const first = this.SUBRULE2(this.expression);
            const rest = this.OR3(
              this.alts('bracketAtom.rest', () => [
                {
                  ALT: (): Bracketed => {
                    const hops: A.EdgeHop[] = [];
                    this.AT_LEAST_ONE3(() => hops.push(this.SUBRULE3(this.edgeHop)));
                    return { kind: 'edges', hops };
                  },
                },
                {
                  ALT: (): Bracketed => {
                    const generators: A.Comprehension[] = [];
                    this.AT_LEAST_ONE4(() => generators.push(this.SUBRULE(this.compFor)));
                    return { kind: 'comp', generators };
                  },
                },
                {
                  ALT: (): Bracketed => {
                    const elts: A.Expr[] = [];
                    this.MANY(() => {
                      this.CONSUME(T.Comma);
                      this.OPTION2(() => elts.push(this.SUBRULE3(this.expression)));
                    });
                    return { kind: 'list', elts };
                  },
                },
              ]),
            );
            // The alternatives above are cached, so `first` is joined here, not captured there.
            return this.act((): Bracketed => {
              if (rest.kind === 'edges') return { ...rest, origin: first };
              if (rest.kind === 'comp') return { ...rest, elt: first };
              return { kind: 'list', elts: [first, ...rest.elts] };
            });
          },
        },
        { ALT: EMPTY_ALT<Bracketed>({ kind: 'list', elts: [] }) },
      ]),
    );
    this.CONSUME(T.RSquare);
    return this.act((): A.Expr => {
      const at = this.spanFrom(start);
      if (content.kind === 'comp') return { kind: 'ListComp', elt: content.elt!, generators: content.generators, span: at };
      if (content.kind === 'list') return { kind: 'List', elts: [...content.elts], span: at };
      const edge = content.returns?.tokenType === T.KwEdge;
      return { kind: 'EdgeRef', returns: edge ? 'edge' : 'node', explicitReturns: content.returns !== undefined, origin: content.origin ?? null, hops: content.hops, span: at };
    });
  });

  edgeHop: Rule<A.EdgeHop> = this.RULE('edgeHop', () => {
    const op = this.SUBRULE(this.edgeOp);
    const filter = this.OPTION(() =>
      this.OR(
        this.alts('edgeHop', () => [
          { ALT: () => ({ kind: 'Filter' as const, ...this.SUBRULE(this.filterCompr) }) },
          { ALT: () => ({ kind: 'Target' as const, expr: this.SUBRULE(this.expression) }) },
        ]),
      ),
    );
    return this.act(() => ({ op, filter: filter ?? null, span: join(op.span, span(this, this.LA(0))) }));
  });

  /** `{}`, dicts, sets and their comprehensions. */
  braceAtom: Rule<A.Expr> = this.RULE('braceAtom', () => {
    const start = this.CONSUME(T.LBrace);
    const content = this.OPTION(() => {
      const first = this.SUBRULE(this.dictEntry);
      const rest = this.OR(
        this.alts('braceAtom', () => [
          {
            ALT: () => {
              const generators: A.Comprehension[] = [];
              this.AT_LEAST_ONE(() => generators.push(this.SUBRULE(this.compFor)));
              return { entries: [] as A.DictEntry[], generators };
            },
          },
          {
            ALT: () => {
              const entries: A.DictEntry[] = [];
              this.MANY(() => {
                this.CONSUME(T.Comma);
                this.OPTION2(() => entries.push(this.SUBRULE2(this.dictEntry)));
              });
              return { entries, generators: [] as A.Comprehension[] };
            },
          },
        ]),
      );
      return { first, rest };
    });
    this.CONSUME(T.RBrace);
    return this.act((): A.Expr => {
      const entries = content ? [content.first, ...content.rest.entries] : [];
      const generators = content?.rest.generators ?? [];
      const at = this.spanFrom(start);
      if (entries.length === 0) return { kind: 'Dict', entries: [], span: at };
      // A set element is parsed as an entry whose `key` is null and that is not a spread.
      const isSetElt = (e: A.DictEntry & { set?: boolean }) => e.set === true;
      const firstIsSet = isSetElt(entries[0]);
      if (entries.some((e) => isSetElt(e) !== firstIsSet)) {
        this.report('JAC_SYNTAX_INVALID', "a '{...}' literal mixes dict entries ('k: v') and set elements", at);
      }
      if (generators.length > 0) {
        const e = entries[0];
        if (e.key === null && !firstIsSet) this.report('JAC_SYNTAX_INVALID', "'**' unpacking cannot be used in a dict comprehension", at);
        if (!firstIsSet && e.key) return { kind: 'DictComp', key: e.key, value: e.value, generators, span: at };
        return { kind: 'SetComp', elt: e.value, generators, span: at };
      }
      if (firstIsSet) return { kind: 'Set', elts: entries.map((e) => e.value), span: at };
      return { kind: 'Dict', entries: entries.map(({ key, value, span }) => ({ key, value, span })), span: at };
    });
  });

  /** `k: v`, `**d`, or a set element `e` (marked `set`; kinds may not mix). */
  dictEntry: Rule<A.DictEntry & { set?: boolean }> = this.RULE('dictEntry', () =>
    this.OR(
      this.alts('dictEntry', () => [
        {
          ALT: () => {
            const star = this.CONSUME(T.StarPow);
            const value = this.SUBRULE(this.expression);
            return this.act(() => ({ key: null, value, span: this.spanFrom(star) }));
          },
        },
        {
          ALT: () => {
            const key = this.SUBRULE2(this.expression);
            const value = this.OPTION(() => {
              this.CONSUME(T.Colon);
              return this.SUBRULE3(this.expression);
            });
            return this.act(() => (value === undefined ? { key: null, value: key, set: true, span: key.span } : { key, value, span: join(key.span, value.span) }));
          },
        },
      ]),
    ),
  );

  /** `for target in iter if cond ...` inside a comprehension (iter is an atomic chain in 0.8.0). */
  compFor: Rule<A.Comprehension> = this.RULE('compFor', () => {
    const start = this.LA(1);
    const isAsync = this.OPTION(() => this.CONSUME(T.KwAsync)) !== undefined;
    this.CONSUME(T.KwFor);
    const target = this.SUBRULE(this.atomicChain);
    this.CONSUME(T.KwIn);
    const iter = this.SUBRULE(this.pipeCall);
    const conds: A.Expr[] = [];
    this.MANY(() => {
      this.CONSUME(T.KwIf);
      conds.push(this.SUBRULE(this.walrus));
    });
    return this.act(() => {
      checkTarget(this, target, 'for');
      return { isAsync, target, iter, conds, span: this.spanFrom(start) };
    });
  });

  /** Only the statement `yield;` may leave out the value: `x = yield;` and `(yield)` do not compile in 0.8.0. */
  protected valuedYield(e: A.Expr): A.Expr {
    this.act(() => {
      if (e.kind === 'Yield' && e.value === null) this.report('JAC_SYNTAX_INVALID', "a 'yield' used as a value needs an operand", e.span);
    });
    return e;
  }

  yieldExpr: Rule<A.Expr> = this.RULE('yieldExpr', () => {
    const start = this.CONSUME(T.KwYield);
    const isFrom = this.OPTION(() => this.CONSUME(T.KwFrom)) !== undefined;
    const value = this.OPTION2(() => this.SUBRULE(this.expression));
    return this.act((): A.Expr => ({ kind: 'Yield', isFrom, value: value ?? null, span: this.spanFrom(start) }));
  });
}
