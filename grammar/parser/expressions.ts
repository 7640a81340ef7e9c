// Expression rules. Binary operators are read as one flat list (operand op operand ...) and
// given Jac's precedence in to-ast (see grammar/to-ast/precedence.ts): one rule instead of
// fifteen nested ones keeps the CST small and the parser fast.
import { CstParser, EMPTY_ALT, type IParserConfig, type TokenType } from 'chevrotain';
import * as T from '../tokens.ts';

export class ExpressionParser extends CstParser {
  constructor(tokens: TokenType[], config: IParserConfig) {
    super(tokens, config);
  }

  private readonly orCache = new Map<string, unknown>();

  /**
   * The alternatives of an OR, built once. `this.OR([...])` would allocate every alternative
   * object and closure on each call, which made allocation the parser's main cost.
   */
  protected alts<T>(key: string, make: () => T): T {
    let value = this.orCache.get(key) as T | undefined;
    if (value === undefined) this.orCache.set(key, (value = make()));
    return value;
  }

  // ---- names --------------------------------------------------------------------------
  /** A name where an expression may stand: identifiers, `<>kw`, special refs, soft keywords. */
  name = this.RULE('name', () => {
    this.OR(this.alts('name.OR', () => [
      { ALT: () => this.CONSUME(T.Identifier) },
      { ALT: () => this.CONSUME(T.KwEscName) },
      { ALT: () => this.CONSUME(T.SpecialRef) },
      { ALT: () => this.CONSUME(T.SoftKeyword) },
    ]));
  });

  /** A name where nothing else can stand (after `.`, in declarations): any keyword is a name. */
  anyName = this.RULE('anyName', () => {
    this.OR(this.alts('anyName.OR', () => [
      { ALT: () => this.CONSUME(T.Identifier) },
      { ALT: () => this.CONSUME(T.KwEscName) },
      { ALT: () => this.CONSUME(T.Keyword) },
    ]));
  });

  // ---- expression ---------------------------------------------------------------------
  // The hot path: an operand is `expression → binary → operand → atom`, four rules deep, so
  // walrus, prefix pipes, postfixes and names are read inline rather than by sub-rules.
  expression = this.RULE('expression', () => {
    this.OR([
      { ALT: () => this.SUBRULE(this.lambda) },
      {
        ALT: () => {
          this.OPTION(() => this.OR2([{ ALT: () => this.CONSUME(T.KwFlow) }, { ALT: () => this.CONSUME(T.KwWait) }]));
          this.OPTION3({
            GATE: () => this.LA(2).tokenType === T.WalrusEq,
            DEF: () => {
              this.SUBRULE(this.name, { LABEL: 'walrusTarget' });
              this.CONSUME(T.WalrusEq);
            },
          });
          this.SUBRULE(this.binary);
          this.OPTION2(() => {
            this.CONSUME(T.KwIf);
            this.SUBRULE(this.expression, { LABEL: 'test' });
            this.CONSUME(T.KwElse);
            this.SUBRULE2(this.expression, { LABEL: 'orelse' });
          });
        },
      },
    ]);
  });

  lambda = this.RULE('lambda', () => {
    this.CONSUME(T.KwLambda);
    this.OPTION(() => this.SUBRULE(this.params));
    this.OPTION2(() => {
      this.CONSUME(T.ReturnHint);
      this.SUBRULE(this.expression, { LABEL: 'returns' });
    });
    this.CONSUME(T.Colon);
    this.SUBRULE2(this.expression, { LABEL: 'body' });
  });

  params = this.RULE('params', () => {
    this.SUBRULE(this.param);
    this.MANY(() => {
      this.CONSUME(T.Comma);
      this.OPTION(() => this.SUBRULE2(this.param));
    });
  });

  param = this.RULE('param', () => {
    this.OPTION(() => this.OR([{ ALT: () => this.CONSUME(T.StarPow) }, { ALT: () => this.CONSUME(T.Star) }]));
    this.SUBRULE(this.anyName);
    this.CONSUME(T.Colon);
    this.SUBRULE(this.expression, { LABEL: 'type' });
    this.OPTION2(() => {
      this.CONSUME(T.Eq);
      this.SUBRULE2(this.expression, { LABEL: 'default' });
    });
  });

  /** operand (op operand)*: precedence is applied in to-ast. */
  binary = this.RULE('binary', () => {
    this.SUBRULE(this.operand);
    this.MANY(() => {
      this.SUBRULE(this.binaryOp);
      this.SUBRULE2(this.operand);
    });
  });

  binaryOp = this.RULE('binaryOp', () => {
    this.OR(this.alts('binaryOp.OR', () => [
      { ALT: () => this.CONSUME(T.PipeFwd) },
      { ALT: () => this.CONSUME(T.PipeBkwd) },
      { ALT: () => this.CONSUME(T.BwOr) },
      { ALT: () => this.CONSUME(T.BwXor) },
      { ALT: () => this.CONSUME(T.BwAnd) },
      { ALT: () => this.CONSUME(T.LShift) },
      { ALT: () => this.CONSUME(T.RShift) },
      { ALT: () => this.CONSUME(T.Or) },
      { ALT: () => this.CONSUME(T.And) },
      { ALT: () => this.CONSUME(T.IsNot) },
      { ALT: () => this.CONSUME(T.KwIs) },
      { ALT: () => this.CONSUME(T.NotIn) },
      { ALT: () => this.CONSUME(T.KwIn) },
      { ALT: () => this.CONSUME(T.Ne) },
      { ALT: () => this.CONSUME(T.Gte) },
      { ALT: () => this.CONSUME(T.Lte) },
      { ALT: () => this.CONSUME(T.Gt) },
      { ALT: () => this.CONSUME(T.Lt) },
      { ALT: () => this.CONSUME(T.Ee) },
      { ALT: () => this.CONSUME(T.Plus) },
      { ALT: () => this.CONSUME(T.Minus) },
      { ALT: () => this.CONSUME(T.Star) },
      { ALT: () => this.CONSUME(T.Div) },
      { ALT: () => this.CONSUME(T.FloorDiv) },
      { ALT: () => this.CONSUME(T.Mod) },
      { ALT: () => this.CONSUME(T.At) },
      { ALT: () => this.CONSUME(T.StarPow) },
      { ALT: () => this.SUBRULE(this.connectOp) },
      {
        ALT: () => {
          this.CONSUME(T.KwDel);
          this.SUBRULE(this.edgeOp);
        },
      },
      { ALT: () => this.CONSUME(T.APipeFwd) },
      { ALT: () => this.CONSUME(T.APipeBkwd) },
      { ALT: () => this.CONSUME(T.KwSpawn) },
    ]));
  });

  /** `++>`, `<++`, `<++>`, `+>:E:f=1:+>`, `<+:E:<+`, `<+:E:+>` */
  connectOp = this.RULE('connectOp', () => {
    this.OR(this.alts('connectOp.OR', () => [
      { ALT: () => this.CONSUME(T.CArrowR) },
      { ALT: () => this.CONSUME(T.CArrowL) },
      { ALT: () => this.CONSUME(T.CArrowBi) },
      {
        ALT: () => {
          this.CONSUME(T.CArrowRP1);
          this.SUBRULE(this.connectEdge);
          this.CONSUME(T.CArrowRP2);
        },
      },
      {
        ALT: () => {
          this.CONSUME(T.CArrowLP1);
          this.SUBRULE2(this.connectEdge);
          this.OR2(this.alts('connectOp.OR2', () => [{ ALT: () => this.CONSUME(T.CArrowLP2) }, { ALT: () => this.CONSUME2(T.CArrowRP2) }]));
        },
      },
    ]));
  });

  connectEdge = this.RULE('connectEdge', () => {
    this.SUBRULE(this.expression);
    this.OPTION(() => {
      this.CONSUME(T.Colon);
      this.SUBRULE(this.keywordArg);
      this.MANY(() => {
        this.CONSUME(T.Comma);
        this.SUBRULE2(this.keywordArg);
      });
    });
  });

  /** `-->`, `<--`, `<-->`, `->:E:conds:->`, `<-:E:<-`, `<-:E:->` */
  edgeOp = this.RULE('edgeOp', () => {
    this.OR(this.alts('edgeOp.OR', () => [
      { ALT: () => this.CONSUME(T.ArrowR) },
      { ALT: () => this.CONSUME(T.ArrowL) },
      { ALT: () => this.CONSUME(T.ArrowBi) },
      {
        ALT: () => {
          this.CONSUME(T.ArrowRP1);
          this.SUBRULE(this.typedFilter);
          this.CONSUME(T.ArrowRP2);
        },
      },
      {
        ALT: () => {
          this.CONSUME(T.ArrowLP1);
          this.SUBRULE2(this.typedFilter);
          this.OR2(this.alts('edgeOp.OR2', () => [{ ALT: () => this.CONSUME(T.ArrowLP2) }, { ALT: () => this.CONSUME2(T.ArrowRP2) }]));
        },
      },
    ]));
  });

  /** `T` or `T: f == 1, g > 2` */
  typedFilter = this.RULE('typedFilter', () => {
    this.SUBRULE(this.expression, { LABEL: 'type' });
    this.OPTION(() => {
      this.CONSUME(T.Colon);
      this.SUBRULE(this.filterConds);
    });
  });

  filterConds = this.RULE('filterConds', () => {
    this.SUBRULE(this.filterCond);
    this.MANY(() => {
      this.CONSUME(T.Comma);
      this.SUBRULE2(this.filterCond);
    });
  });

  filterCond = this.RULE('filterCond', () => {
    this.SUBRULE(this.anyName);
    this.SUBRULE(this.compareOp);
    this.SUBRULE(this.expression);
  });

  compareOp = this.RULE('compareOp', () => {
    this.OR(this.alts('compareOp.OR', () => [
      { ALT: () => this.CONSUME(T.IsNot) },
      { ALT: () => this.CONSUME(T.KwIs) },
      { ALT: () => this.CONSUME(T.NotIn) },
      { ALT: () => this.CONSUME(T.KwIn) },
      { ALT: () => this.CONSUME(T.Ne) },
      { ALT: () => this.CONSUME(T.Gte) },
      { ALT: () => this.CONSUME(T.Lte) },
      { ALT: () => this.CONSUME(T.Gt) },
      { ALT: () => this.CONSUME(T.Lt) },
      { ALT: () => this.CONSUME(T.Ee) },
    ]));
  });

  /** Prefix operators (`not - + ~`), `*` unpack, `&` ref, a prefix pipe, an atom, postfixes. */
  operand = this.RULE('operand', () => {
    this.MANY(() =>
      this.OR(this.alts('operand.OR', () => [
        { ALT: () => this.CONSUME(T.Not) },
        { ALT: () => this.CONSUME(T.Minus) },
        { ALT: () => this.CONSUME(T.Plus) },
        { ALT: () => this.CONSUME(T.BwNot) },
      ])),
    );
    this.OPTION(() => this.CONSUME(T.Star));
    this.OPTION2(() => this.CONSUME(T.BwAnd));
    this.OPTION3(() => this.SUBRULE(this.pipePrefix));
    this.SUBRULE(this.atom);
    this.MANY2(() => this.SUBRULE(this.postfix));
  });

  pipePrefix = this.RULE('pipePrefix', () => {
    this.OR(this.alts('pipePrefix.OR', () => [
      { ALT: () => this.CONSUME(T.PipeFwd) },
      { ALT: () => this.CONSUME(T.APipeFwd) },
      { ALT: () => this.CONSUME(T.KwSpawn) },
      { ALT: () => this.CONSUME(T.KwAwait) },
    ]));
  });

  /** `walrus` and `pipeCall` are the reference's narrower forms used in comprehensions. */
  walrus = this.RULE('walrus', () => {
    this.OPTION({
      GATE: () => this.LA(2).tokenType === T.WalrusEq,
      DEF: () => {
        this.SUBRULE(this.name);
        this.CONSUME(T.WalrusEq);
      },
    });
    this.SUBRULE(this.binary);
  });

  pipeCall = this.RULE('pipeCall', () => {
    this.OPTION(() => this.SUBRULE(this.pipePrefix));
    this.SUBRULE(this.atomicChain);
  });

  /** An atom followed by calls, indexes, attributes and filter/assign comprehensions. */
  atomicChain = this.RULE('atomicChain', () => {
    this.SUBRULE(this.atom);
    this.MANY(() => this.SUBRULE(this.postfix));
  });

  postfix = this.RULE('postfix', () => {
    this.OR(this.alts('postfix.OR', () => [
      { ALT: () => this.SUBRULE(this.call) },
      {
        ALT: () => {
          this.OPTION(() => this.CONSUME(T.Question));
          this.OR2(this.alts('postfix.OR2', () => [
            { ALT: () => this.SUBRULE(this.filterCompr) },
            { ALT: () => this.SUBRULE(this.assignCompr) },
            { ALT: () => this.SUBRULE(this.index) },
            {
              ALT: () => {
                this.OR3(this.alts('postfix.OR3', () => [
                  { ALT: () => this.CONSUME(T.Dot) },
                  { ALT: () => this.CONSUME(T.DotFwd) },
                  { ALT: () => this.CONSUME(T.DotBkwd) },
                ]));
                this.SUBRULE(this.anyName);
              },
            },
          ]));
        },
      },
    ]));
  });

  call = this.RULE('call', () => {
    this.CONSUME(T.LParen);
    this.OPTION(() => {
      this.SUBRULE(this.argument);
      this.MANY(() => {
        this.CONSUME(T.Comma);
        this.OPTION2(() => this.SUBRULE2(this.argument));
      });
    });
    this.OPTION3(() => {
      this.CONSUME(T.KwBy);
      this.SUBRULE(this.atomicChain, { LABEL: 'by' });
    });
    this.CONSUME(T.RParen);
  });

  /** `expr`, `name=expr` or `**expr` */
  argument = this.RULE('argument', () => {
    this.OR(this.alts('argument.OR', () => [
      {
        ALT: () => {
          this.CONSUME(T.StarPow);
          this.SUBRULE(this.expression, { LABEL: 'spread' });
        },
      },
      {
        // `name=value` is read as an expression then `=`: one token of lookahead, checked in to-ast
        ALT: () => {
          this.SUBRULE2(this.expression);
          this.OPTION(() => {
            this.CONSUME(T.Eq);
            this.SUBRULE3(this.expression, { LABEL: 'value' });
          });
        },
      },
    ]));
  });

  /** `name=expr` or `**expr` */
  keywordArg = this.RULE('keywordArg', () => {
    this.OR(this.alts('keywordArg.OR', () => [
      {
        ALT: () => {
          this.CONSUME(T.StarPow);
          this.SUBRULE(this.expression);
        },
      },
      {
        ALT: () => {
          this.OR2(this.alts('keywordArg.OR2', () => [{ ALT: () => this.SUBRULE(this.name) }, { ALT: () => this.CONSUME(T.BuiltinType) }]));
          this.CONSUME(T.Eq);
          this.SUBRULE2(this.expression);
        },
      },
    ]));
  });

  filterCompr = this.RULE('filterCompr', () => {
    this.CONSUME(T.LParen);
    this.OR([
      {
        ALT: () => {
          this.CONSUME(T.Question);
          this.SUBRULE(this.filterConds);
        },
      },
      {
        ALT: () => {
          this.CONSUME(T.Backtick);
          this.CONSUME2(T.Question);
          this.SUBRULE(this.typedFilter);
        },
      },
    ]);
    this.CONSUME(T.RParen);
  });

  assignCompr = this.RULE('assignCompr', () => {
    this.CONSUME(T.LParen);
    this.CONSUME(T.Eq);
    this.SUBRULE(this.keywordArg);
    this.MANY(() => {
      this.CONSUME(T.Comma);
      this.SUBRULE2(this.keywordArg);
    });
    this.CONSUME(T.RParen);
  });

  index = this.RULE('index', () => {
    this.CONSUME(T.LSquare);
    this.SUBRULE(this.sliceItem);
    this.MANY(() => {
      this.CONSUME(T.Comma);
      this.OPTION(() => this.SUBRULE2(this.sliceItem));
    });
    this.CONSUME(T.RSquare);
  });

  /** `e`, `a:b`, `a:b:c`, `:`, `::2` ... (colons are counted in to-ast) */
  sliceItem = this.RULE('sliceItem', () => {
    this.OR(this.alts('sliceItem.OR', () => [
      {
        ALT: () => {
          this.SUBRULE(this.expression, { LABEL: 'lower' });
          this.OPTION(() => this.SUBRULE(this.sliceTail));
        },
      },
      { ALT: () => this.SUBRULE2(this.sliceTail) },
    ]));
  });

  sliceTail = this.RULE('sliceTail', () => {
    this.CONSUME(T.Colon);
    this.OPTION(() => this.SUBRULE(this.expression, { LABEL: 'upper' }));
    this.OPTION2(() => {
      this.CONSUME2(T.Colon, { LABEL: 'stepColon' });
      this.OPTION3(() => this.SUBRULE2(this.expression, { LABEL: 'step' }));
    });
  });

  // ---- atoms --------------------------------------------------------------------------
  atom = this.RULE('atom', () => {
    this.OR(this.alts('atom.OR', () => [
      { ALT: () => this.CONSUME(T.Identifier) },
      { ALT: () => this.CONSUME(T.KwEscName) },
      { ALT: () => this.CONSUME(T.SpecialRef) },
      { ALT: () => this.CONSUME(T.SoftKeyword) },
      { ALT: () => this.CONSUME(T.BuiltinType) },
      { ALT: () => this.CONSUME(T.Int) },
      { ALT: () => this.CONSUME(T.Float) },
      { ALT: () => this.CONSUME(T.Hex) },
      { ALT: () => this.CONSUME(T.Bin) },
      { ALT: () => this.CONSUME(T.Oct) },
      { ALT: () => this.CONSUME(T.KwNone) },
      { ALT: () => this.CONSUME(T.KwTrue) },
      { ALT: () => this.CONSUME(T.KwFalse) },
      { ALT: () => this.CONSUME(T.Ellipsis) },
      { ALT: () => this.SUBRULE(this.strings) },
      { ALT: () => this.SUBRULE(this.typeRef) },
      { ALT: () => this.SUBRULE(this.parenAtom) },
      { ALT: () => this.SUBRULE(this.bracketAtom) },
      { ALT: () => this.SUBRULE(this.braceAtom) },
    ]));
  });

  /** Adjacent string and f-string literals concatenate. */
  strings = this.RULE('strings', () => {
    this.AT_LEAST_ONE(() =>
      this.OR(this.alts('strings.OR', () => [
        { ALT: () => this.CONSUME(T.String) },
        { ALT: () => this.SUBRULE(this.fstring) },
      ])),
    );
  });

  fstring = this.RULE('fstring', () => {
    this.OR([
      {
        ALT: () => {
          this.CONSUME(T.FStringStart);
          this.MANY(() => this.SUBRULE(this.fstringPart));
          this.CONSUME(T.FStringEnd);
        },
      },
      {
        ALT: () => {
          this.CONSUME(T.FStringSqStart);
          this.MANY2(() => this.SUBRULE2(this.fstringPart));
          this.CONSUME(T.FStringSqEnd);
        },
      },
    ]);
  });

  fstringPart = this.RULE('fstringPart', () => {
    this.OR(this.alts('fstringPart.OR', () => [
      { ALT: () => this.CONSUME(T.FStringText) },
      { ALT: () => this.CONSUME(T.FStringSqText) },
      { ALT: () => this.CONSUME(T.FStringBraceEscape) },
      {
        ALT: () => {
          this.CONSUME(T.FStringHoleOpen);
          this.SUBRULE(this.expression);
          this.CONSUME(T.RBrace);
        },
      },
    ]));
  });

  typeRef = this.RULE('typeRef', () => {
    this.CONSUME(T.Backtick);
    this.SUBRULE(this.anyName);
  });

  /** `()`, `(e)`, `(e,)`, `(a, b)`, `(a=1, b=2)`, `(e for x in xs)`, `(yield x)` */
  parenAtom = this.RULE('parenAtom', () => {
    this.CONSUME(T.LParen);
    this.OPTION(() =>
      this.OR([
        { ALT: () => this.SUBRULE(this.yieldExpr) },
        {
          ALT: () => {
            this.SUBRULE(this.argument, { LABEL: 'first' });
            this.OR2([
              { ALT: () => this.AT_LEAST_ONE(() => this.SUBRULE(this.compFor)) },
              {
                ALT: () =>
                  this.MANY(() => {
                    this.CONSUME(T.Comma);
                    this.OPTION2(() => this.SUBRULE2(this.argument, { LABEL: 'rest' }));
                  }),
              },
            ]);
          },
        },
      ]),
    );
    this.CONSUME(T.RParen);
  });

  /** `[..]`: a list, a list comprehension, or an edge reference (`[-->]`, `[n ->:E:->]`). */
  bracketAtom = this.RULE('bracketAtom', () => {
    this.CONSUME(T.LSquare);
    this.OR([
      {
        ALT: () => {
          this.OR2([{ ALT: () => this.CONSUME(T.KwNode) }, { ALT: () => this.CONSUME(T.KwEdge) }]);
          this.OPTION(() => this.SUBRULE(this.expression, { LABEL: 'origin' }));
          this.AT_LEAST_ONE(() => this.SUBRULE(this.edgeHop));
        },
      },
      { ALT: () => this.AT_LEAST_ONE2(() => this.SUBRULE2(this.edgeHop)) },
      {
        ALT: () => {
          this.SUBRULE2(this.expression, { LABEL: 'first' });
          this.OR3([
            { ALT: () => this.AT_LEAST_ONE3(() => this.SUBRULE3(this.edgeHop)) },
            { ALT: () => this.AT_LEAST_ONE4(() => this.SUBRULE(this.compFor)) },
            {
              ALT: () =>
                this.MANY(() => {
                  this.CONSUME(T.Comma);
                  this.OPTION2(() => this.SUBRULE3(this.expression, { LABEL: 'rest' }));
                }),
            },
          ]);
        },
      },
      { ALT: EMPTY_ALT() },
    ]);
    this.CONSUME(T.RSquare);
  });

  edgeHop = this.RULE('edgeHop', () => {
    this.SUBRULE(this.edgeOp);
    this.OPTION(() =>
      this.OR([
        { ALT: () => this.SUBRULE(this.filterCompr) },
        { ALT: () => this.SUBRULE(this.expression, { LABEL: 'target' }) },
      ]),
    );
  });

  /** `{}`, dicts, sets and their comprehensions. */
  braceAtom = this.RULE('braceAtom', () => {
    this.CONSUME(T.LBrace);
    this.OPTION(() =>
      this.OR([
        {
          ALT: () => {
            this.SUBRULE(this.dictEntry, { LABEL: 'first' });
            this.OR2([
              { ALT: () => this.AT_LEAST_ONE(() => this.SUBRULE(this.compFor)) },
              {
                ALT: () =>
                  this.MANY(() => {
                    this.CONSUME(T.Comma);
                    this.OPTION2(() => this.SUBRULE2(this.dictEntry, { LABEL: 'rest' }));
                  }),
              },
            ]);
          },
        },
      ]),
    );
    this.CONSUME(T.RBrace);
  });

  /** `k: v`, `**d`, or a set element `e` (to-ast checks that the kinds do not mix). */
  dictEntry = this.RULE('dictEntry', () => {
    this.OR(this.alts('dictEntry.OR', () => [
      {
        ALT: () => {
          this.CONSUME(T.StarPow);
          this.SUBRULE(this.expression, { LABEL: 'value' });
        },
      },
      {
        ALT: () => {
          this.SUBRULE2(this.expression, { LABEL: 'key' });
          this.OPTION(() => {
            this.CONSUME(T.Colon);
            this.SUBRULE3(this.expression, { LABEL: 'value' });
          });
        },
      },
    ]));
  });

  /** `for target in iter if cond ...` inside a comprehension (iter is an atomic chain in 0.8.0). */
  compFor = this.RULE('compFor', () => {
    this.OPTION(() => this.CONSUME(T.KwAsync));
    this.CONSUME(T.KwFor);
    this.SUBRULE(this.atomicChain, { LABEL: 'target' });
    this.CONSUME(T.KwIn);
    this.SUBRULE(this.pipeCall, { LABEL: 'iter' });
    this.MANY(() => {
      this.CONSUME(T.KwIf);
      this.SUBRULE(this.walrus, { LABEL: 'conds' });
    });
  });

  yieldExpr = this.RULE('yieldExpr', () => {
    this.CONSUME(T.KwYield);
    this.OPTION(() => this.CONSUME(T.KwFrom));
    this.OPTION2(() => this.SUBRULE(this.expression));
  });
}
