// Statement rules: code blocks and everything that can stand in one. Declarations (archetypes,
// abilities, impl, import, has) may also stand in a block; they are defined in declarations.ts.
import type { CstNode, IParserConfig, ParserMethod, TokenType } from 'chevrotain';
import * as T from '../tokens.ts';
import { ExpressionParser } from './expressions.ts';

type Rule = ParserMethod<[], CstNode>;

export abstract class StatementParser extends ExpressionParser {
  // Declaration rules, defined by the subclass (Chevrotain records rules after construction).
  declare importStmt: Rule;
  declare decorated: Rule;
  declare archetype: Rule;
  declare enumDecl: Rule;
  declare ability: Rule;
  declare implDef: Rule;
  declare hasStmt: Rule;
  declare pyInline: Rule;

  constructor(tokens: TokenType[], config: IParserConfig) {
    super(tokens, config);
  }

  codeBlock = this.RULE('codeBlock', () => {
    this.CONSUME(T.LBrace);
    this.MANY(() => this.SUBRULE(this.statement));
    this.CONSUME(T.RBrace);
  });

  // No GATEs here: Chevrotain's fast lookahead applies only to ORs without predicates, and
  // this rule runs once per statement. Keyword-led alternatives come first.
  statement = this.RULE('statement', () => {
    this.OR(this.alts('statement', () => ({
      IGNORE_AMBIGUITIES: true,
      DEF: [
        { ALT: () => this.SUBRULE(this.importStmt) },
        { ALT: () => this.SUBRULE(this.decorated) },
        { ALT: () => this.SUBRULE(this.ifStmt) },
        { ALT: () => this.SUBRULE(this.whileStmt) },
        { ALT: () => this.SUBRULE(this.forStmt) },
        { ALT: () => this.SUBRULE(this.tryStmt) },
        { ALT: () => this.SUBRULE(this.matchStmt) },
        { ALT: () => this.SUBRULE(this.withStmt) },
        { ALT: () => this.SUBRULE(this.typedContext) },
        { ALT: () => this.SUBRULE(this.simpleStmt) },
        { ALT: () => this.SUBRULE(this.visitStmt) },
        { ALT: () => this.SUBRULE(this.pyInline) },
        { ALT: () => this.CONSUME(T.Semi, { LABEL: 'empty' }) },
        {
          // an expression statement or an assignment; before `has` so `let x = 1;` assigns
          ALT: () => {
            this.SUBRULE(this.assignment);
            this.CONSUME2(T.Semi);
          },
        },
        { ALT: () => this.SUBRULE(this.hasStmt) },
      ],
    })));
  });

  /** Statements that end in `;`, each introduced by its keyword. */
  simpleStmt = this.RULE('simpleStmt', () => {
    this.OR(this.alts('simpleStmt.OR', () => [
      {
        ALT: () => {
          this.CONSUME(T.KwReturn);
          this.OPTION(() => this.SUBRULE(this.expression, { LABEL: 'value' }));
        },
      },
      { ALT: () => this.SUBRULE(this.yieldExpr) },
      {
        ALT: () => {
          this.CONSUME(T.KwRaise);
          this.OPTION2(() => {
            this.SUBRULE2(this.expression, { LABEL: 'value' });
            this.OPTION3(() => {
              this.CONSUME(T.KwFrom);
              this.SUBRULE3(this.expression, { LABEL: 'cause' });
            });
          });
        },
      },
      {
        ALT: () => {
          this.CONSUME(T.KwAssert);
          this.SUBRULE4(this.expression, { LABEL: 'value' });
          this.OPTION4(() => {
            this.CONSUME(T.Comma);
            this.SUBRULE5(this.expression, { LABEL: 'msg' });
          });
        },
      },
      {
        ALT: () => {
          this.CONSUME(T.KwCheck);
          this.SUBRULE6(this.expression, { LABEL: 'value' });
        },
      },
      {
        ALT: () => {
          this.CONSUME(T.KwDel);
          this.SUBRULE7(this.expression, { LABEL: 'value' });
        },
      },
      {
        ALT: () => {
          this.CONSUME(T.KwReport);
          this.SUBRULE8(this.expression, { LABEL: 'value' });
        },
      },
      {
        ALT: () => {
          this.CONSUME(T.KwIgnore);
          this.SUBRULE9(this.expression, { LABEL: 'value' });
        },
      },
      { ALT: () => this.CONSUME(T.KwSkip) },
      { ALT: () => this.CONSUME(T.KwBreak) },
      { ALT: () => this.CONSUME(T.KwContinue) },
      { ALT: () => this.CONSUME(T.KwDisengage) },
      {
        ALT: () => {
          this.OR2(this.alts('simpleStmt.OR2', () => [{ ALT: () => this.CONSUME(T.GlobalOp) }, { ALT: () => this.CONSUME(T.NonlocalOp) }]));
          this.SUBRULE(this.nameList);
        },
      },
    ]));
    this.CONSUME(T.Semi);
  });

  nameList = this.RULE('nameList', () => {
    this.SUBRULE(this.name);
    this.MANY(() => {
      this.CONSUME(T.Comma);
      this.SUBRULE2(this.name);
    });
  });

  /** `e`, `a = b = e`, `x: T = e`, `x += e` (the statement adds its `;`). */
  assignment = this.RULE('assignment', () => {
    this.OPTION(() => this.CONSUME(T.KwLet));
    this.SUBRULE(this.expression, { LABEL: 'target' });
    this.OPTION2(() =>
      this.OR([
        {
          ALT: () =>
            this.AT_LEAST_ONE(() => {
              this.CONSUME(T.Eq);
              this.SUBRULE(this.assignValue, { LABEL: 'values' });
            }),
        },
        {
          ALT: () => {
            this.CONSUME(T.Colon);
            this.SUBRULE2(this.expression, { LABEL: 'annotation' });
            this.OPTION3(() => {
              this.CONSUME2(T.Eq);
              this.SUBRULE2(this.assignValue, { LABEL: 'values' });
            });
          },
        },
        {
          ALT: () => {
            this.SUBRULE(this.augOp);
            this.SUBRULE3(this.assignValue, { LABEL: 'values' });
          },
        },
      ]),
    );
  });

  assignValue = this.RULE('assignValue', () => {
    this.OR(this.alts('assignValue.OR', () => [{ ALT: () => this.SUBRULE(this.yieldExpr) }, { ALT: () => this.SUBRULE(this.expression) }]));
  });

  augOp = this.RULE('augOp', () => {
    this.OR(this.alts('augOp', () =>
      [T.AddEq, T.SubEq, T.MulEq, T.DivEq, T.FloorDivEq, T.ModEq, T.PowEq, T.MatMulEq, T.BwAndEq, T.BwOrEq, T.BwXorEq, T.BwNotEq, T.LShiftEq, T.RShiftEq].map(
        (tok) => ({ ALT: () => this.CONSUME(tok) }),
      ),
    ));
  });

  ifStmt = this.RULE('ifStmt', () => {
    this.CONSUME(T.KwIf);
    this.SUBRULE(this.expression, { LABEL: 'test' });
    this.SUBRULE(this.codeBlock, { LABEL: 'body' });
    this.MANY(() => this.SUBRULE(this.elifClause));
    this.OPTION(() => this.SUBRULE(this.elseClause));
  });

  elifClause = this.RULE('elifClause', () => {
    this.CONSUME(T.KwElif);
    this.SUBRULE(this.expression, { LABEL: 'test' });
    this.SUBRULE(this.codeBlock, { LABEL: 'body' });
  });

  elseClause = this.RULE('elseClause', () => {
    this.CONSUME(T.KwElse);
    this.SUBRULE(this.codeBlock);
  });

  whileStmt = this.RULE('whileStmt', () => {
    this.CONSUME(T.KwWhile);
    this.SUBRULE(this.expression, { LABEL: 'test' });
    this.SUBRULE(this.codeBlock, { LABEL: 'body' });
  });

  /** `for x in xs { }` or `for i = 0 to i < n by i += 1 { }`, each with an optional `else`. */
  forStmt = this.RULE('forStmt', () => {
    this.OPTION(() => this.CONSUME(T.KwAsync));
    this.CONSUME(T.KwFor);
    this.SUBRULE(this.atomicChain, { LABEL: 'target' });
    this.OR([
      {
        ALT: () => {
          this.CONSUME(T.KwIn);
          this.SUBRULE(this.expression, { LABEL: 'iter' });
        },
      },
      {
        ALT: () => {
          this.OPTION2(() => {
            this.CONSUME(T.Colon);
            this.SUBRULE2(this.expression, { LABEL: 'annotation' });
          });
          this.CONSUME(T.Eq);
          this.SUBRULE3(this.expression, { LABEL: 'start' });
          this.CONSUME(T.KwTo);
          this.SUBRULE4(this.expression, { LABEL: 'test' });
          this.CONSUME(T.KwBy);
          this.SUBRULE(this.assignment, { LABEL: 'step' });
        },
      },
    ]);
    this.SUBRULE(this.codeBlock, { LABEL: 'body' });
    this.OPTION3(() => this.SUBRULE(this.elseClause));
  });

  tryStmt = this.RULE('tryStmt', () => {
    this.CONSUME(T.KwTry);
    this.SUBRULE(this.codeBlock, { LABEL: 'body' });
    this.MANY(() => this.SUBRULE(this.exceptClause));
    this.OPTION(() => this.SUBRULE(this.elseClause));
    this.OPTION2(() => {
      this.CONSUME(T.KwFinally);
      this.SUBRULE2(this.codeBlock, { LABEL: 'finalbody' });
    });
  });

  exceptClause = this.RULE('exceptClause', () => {
    this.CONSUME(T.KwExcept);
    this.SUBRULE(this.expression, { LABEL: 'type' });
    this.OPTION(() => {
      this.CONSUME(T.KwAs);
      this.SUBRULE(this.name);
    });
    this.SUBRULE(this.codeBlock);
  });

  matchStmt = this.RULE('matchStmt', () => {
    this.CONSUME(T.KwMatch);
    this.SUBRULE(this.expression, { LABEL: 'subject' });
    this.CONSUME(T.LBrace);
    this.AT_LEAST_ONE(() => this.SUBRULE(this.matchCase));
    this.CONSUME(T.RBrace);
  });

  matchCase = this.RULE('matchCase', () => {
    this.CONSUME(T.KwCase);
    this.SUBRULE(this.pattern);
    this.OPTION(() => {
      this.CONSUME(T.KwIf);
      this.SUBRULE(this.expression, { LABEL: 'guard' });
    });
    this.CONSUME(T.Colon);
    this.AT_LEAST_ONE(() => this.SUBRULE(this.statement));
  });

  /** `p | q as name` */
  pattern = this.RULE('pattern', () => {
    this.SUBRULE(this.closedPattern);
    this.MANY(() => {
      this.CONSUME(T.BwOr);
      this.SUBRULE2(this.closedPattern);
    });
    this.OPTION(() => {
      this.CONSUME(T.KwAs);
      this.SUBRULE(this.name, { LABEL: 'as' });
    });
  });

  closedPattern = this.RULE('closedPattern', () => {
    this.OR([
      { ALT: () => this.CONSUME(T.Int) },
      { ALT: () => this.CONSUME(T.Float) },
      { ALT: () => this.SUBRULE(this.strings) },
      { ALT: () => this.CONSUME(T.KwNone) },
      { ALT: () => this.CONSUME(T.KwTrue) },
      { ALT: () => this.CONSUME(T.KwFalse) },
      {
        // capture `x`, value `A.B`, class `A.B(p, k=q)`
        ALT: () => {
          this.OR4([{ ALT: () => this.SUBRULE(this.name) }, { ALT: () => this.CONSUME(T.BuiltinType) }]);
          this.MANY(() => {
            this.CONSUME(T.Dot);
            this.SUBRULE(this.anyName, { LABEL: 'path' });
          });
          this.OPTION(() => {
            this.CONSUME(T.LParen);
            this.OPTION2(() => {
              this.SUBRULE(this.patternArg);
              this.MANY2(() => {
                this.CONSUME(T.Comma);
                this.OPTION3(() => this.SUBRULE2(this.patternArg));
              });
            });
            this.CONSUME(T.RParen);
          });
        },
      },
      {
        ALT: () => {
          this.OR2([
            { ALT: () => this.CONSUME(T.LSquare) },
            { ALT: () => this.CONSUME2(T.LParen, { LABEL: 'tupleOpen' }) },
          ]);
          this.OPTION4(() => {
            this.SUBRULE(this.sequenceItem);
            this.MANY3(() => {
              this.CONSUME2(T.Comma);
              this.OPTION5(() => this.SUBRULE2(this.sequenceItem));
            });
          });
          this.OR3([{ ALT: () => this.CONSUME(T.RSquare) }, { ALT: () => this.CONSUME2(T.RParen) }]);
        },
      },
      {
        ALT: () => {
          this.CONSUME(T.LBrace);
          this.OPTION6(() => {
            this.SUBRULE(this.mappingItem);
            this.MANY4(() => {
              this.CONSUME3(T.Comma);
              this.OPTION7(() => this.SUBRULE2(this.mappingItem));
            });
          });
          this.CONSUME(T.RBrace);
        },
      },
    ]);
  });

  patternArg = this.RULE('patternArg', () => {
    this.OPTION({
      GATE: () => this.LA(2).tokenType === T.Eq,
      DEF: () => {
        this.SUBRULE(this.anyName, { LABEL: 'keyword' });
        this.CONSUME(T.Eq);
      },
    });
    this.SUBRULE(this.pattern);
  });

  sequenceItem = this.RULE('sequenceItem', () => {
    this.OR([
      {
        ALT: () => {
          this.CONSUME(T.Star);
          this.SUBRULE(this.name);
        },
      },
      { ALT: () => this.SUBRULE(this.pattern) },
    ]);
  });

  mappingItem = this.RULE('mappingItem', () => {
    this.OR([
      {
        ALT: () => {
          this.CONSUME(T.StarPow);
          this.SUBRULE(this.name);
        },
      },
      {
        ALT: () => {
          this.SUBRULE(this.closedPattern, { LABEL: 'key' });
          this.CONSUME(T.Colon);
          this.SUBRULE(this.pattern, { LABEL: 'value' });
        },
      },
    ]);
  });

  withStmt = this.RULE('withStmt', () => {
    this.OPTION(() => this.CONSUME(T.KwAsync));
    this.CONSUME(T.KwWith);
    this.SUBRULE(this.withItem);
    this.MANY(() => {
      this.CONSUME(T.Comma);
      this.SUBRULE2(this.withItem);
    });
    this.SUBRULE(this.codeBlock);
  });

  withItem = this.RULE('withItem', () => {
    this.SUBRULE(this.expression);
    this.OPTION(() => {
      this.CONSUME(T.KwAs);
      this.SUBRULE2(this.expression, { LABEL: 'target' });
    });
  });

  /** `-> T { }`: a block that runs only on nodes of type T. */
  typedContext = this.RULE('typedContext', () => {
    this.CONSUME(T.ReturnHint);
    this.SUBRULE(this.expression, { LABEL: 'type' });
    this.SUBRULE(this.codeBlock);
  });

  visitStmt = this.RULE('visitStmt', () => {
    this.CONSUME(T.KwVisit);
    this.OPTION(() => {
      this.CONSUME(T.Colon);
      this.SUBRULE(this.expression, { LABEL: 'index' });
      this.CONSUME2(T.Colon);
    });
    this.SUBRULE2(this.expression, { LABEL: 'target' });
    this.OR([{ ALT: () => this.SUBRULE(this.elseClause) }, { ALT: () => this.CONSUME(T.Semi) }]);
  });
}
