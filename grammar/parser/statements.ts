// Statement rules: code blocks and everything that can stand in one. Declarations (archetypes,
// abilities, impl, import, has) may also stand in a block; they are defined in declarations.ts.
import type { IParserConfig, IToken, ParserMethod, TokenType } from 'chevrotain';
import type * as A from '../ast.ts';
import { checkDeleteTarget, checkTarget } from '../build/checks.ts';
import { join, span } from '../build/context.ts';
import * as T from '../tokens.ts';
import { PatternParser } from './patterns.ts';

type Rule<R> = ParserMethod<[], R>;

const augOps = [T.AddEq, T.SubEq, T.MulEq, T.DivEq, T.FloorDivEq, T.ModEq, T.PowEq, T.MatMulEq, T.BwAndEq, T.BwOrEq, T.BwXorEq, T.BwNotEq, T.LShiftEq, T.RShiftEq];

export abstract class StatementParser extends PatternParser {
  // Declaration rules, defined by the subclass (Chevrotain records rules after construction).
  declare importStmt: Rule<A.Import>;
  declare decorated: Rule<A.Stmt>;
  declare hasStmt: Rule<A.Has>;
  declare pyInline: Rule<A.PyInline>;

  constructor(tokens: TokenType[], config: IParserConfig) {
    super(tokens, config);
  }

  codeBlock: Rule<A.Stmt[]> = this.RULE('codeBlock', () => {
    this.CONSUME(T.LBrace);
    const stmts: A.Stmt[] = [];
    this.MANY(() => {
      const s = this.SUBRULE(this.statement);
      if (s) stmts.push(s);
    });
    this.CONSUME(T.RBrace);
    return stmts;
  });

  // Keyword-led alternatives come first; assignment before `has` so `let x = 1;` assigns.
  statement: Rule<A.Stmt | null> = this.RULE('statement', () =>
    this.OR(
      this.alts('statement', () => ({
        IGNORE_AMBIGUITIES: true,
        DEF: [
          { ALT: () => this.SUBRULE(this.importStmt) as A.Stmt | null },
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
          { ALT: () => (this.CONSUME(T.Semi), null) },
          {
            ALT: () => {
              const s = this.SUBRULE(this.assignment);
              const semi = this.CONSUME2(T.Semi);
              return this.act(() => ({ ...s, span: join(s.span, span(this, semi)) }));
            },
          },
          { ALT: () => this.SUBRULE(this.hasStmt) },
        ],
      })),
    ),
  );

  /** Statements that end in `;`, each introduced by its keyword. */
  simpleStmt: Rule<A.Stmt> = this.RULE('simpleStmt', () => {
    const start = this.LA(1);
    const build = this.OR(
      this.alts('simpleStmt', () => [
        {
          ALT: () => {
            this.CONSUME(T.KwReturn);
            const value = this.OPTION(() => this.SUBRULE(this.expression));
            return (at: A.Span): A.Stmt => ({ kind: 'Return', value: value ?? null, span: at });
          },
        },
        {
          ALT: () => {
            const expr = this.SUBRULE(this.yieldExpr);
            return (at: A.Span): A.Stmt => ({ kind: 'ExprStmt', expr, span: at });
          },
        },
        {
          ALT: () => {
            this.CONSUME(T.KwRaise);
            const raised = this.OPTION2(() => {
              const exc = this.SUBRULE2(this.expression);
              const cause = this.OPTION3(() => {
                this.CONSUME(T.KwFrom);
                return this.SUBRULE3(this.expression);
              });
              return { exc, cause: cause ?? null };
            });
            return (at: A.Span): A.Stmt => ({ kind: 'Raise', exc: raised?.exc ?? null, cause: raised?.cause ?? null, span: at });
          },
        },
        {
          ALT: () => {
            this.CONSUME(T.KwAssert);
            const test = this.SUBRULE4(this.expression);
            const msg = this.OPTION4(() => {
              this.CONSUME(T.Comma);
              return this.SUBRULE5(this.expression);
            });
            return (at: A.Span): A.Stmt => ({ kind: 'Assert', test, msg: msg ?? null, span: at });
          },
        },
        {
          ALT: () => {
            this.CONSUME(T.KwCheck);
            const test = this.SUBRULE6(this.expression);
            return (at: A.Span): A.Stmt => ({ kind: 'Check', test, span: at });
          },
        },
        {
          ALT: () => {
            this.CONSUME(T.KwDel);
            const target = this.SUBRULE7(this.expression);
            return (at: A.Span): A.Stmt => {
              checkDeleteTarget(this, target);
              return { kind: 'Delete', target, span: at };
            };
          },
        },
        {
          ALT: () => {
            this.CONSUME(T.KwReport);
            const value = this.SUBRULE8(this.expression);
            return (at: A.Span): A.Stmt => ({ kind: 'Report', value, span: at });
          },
        },
        {
          ALT: () => {
            this.CONSUME(T.KwIgnore);
            const target = this.SUBRULE9(this.expression);
            return (at: A.Span): A.Stmt => ({ kind: 'Ignore', target, span: at });
          },
        },
        ...(
          [
            [T.KwSkip, 'skip'],
            [T.KwBreak, 'break'],
            [T.KwContinue, 'continue'],
            [T.KwDisengage, 'disengage'],
          ] as const
        ).map(([tok, control]) => ({
          ALT: () => {
            this.CONSUME(tok);
            return (at: A.Span): A.Stmt => ({ kind: 'Control', control, span: at });
          },
        })),
        {
          ALT: () => {
            const op = this.OR2(this.alts('simpleStmt.scope', () => [{ ALT: () => this.CONSUME(T.GlobalOp) }, { ALT: () => this.CONSUME(T.NonlocalOp) }]));
            const names = this.SUBRULE(this.nameList);
            return (at: A.Span): A.Stmt =>
              op.tokenType === T.GlobalOp ? { kind: 'GlobalRef', names, span: at } : { kind: 'NonlocalRef', names, span: at };
          },
        },
      ]),
    );
    this.CONSUME(T.Semi);
    return this.act(() => build(this.spanFrom(start)));
  });

  nameList: Rule<string[]> = this.RULE('nameList', () => {
    const names = [this.SUBRULE(this.name)];
    this.MANY(() => {
      this.CONSUME(T.Comma);
      names.push(this.SUBRULE2(this.name));
    });
    return this.act(() => names.map((n) => n.name));
  });

  /** `e`, `a = b = e`, `x: T = e`, `x += e` (the statement adds its `;`). */
  assignment: Rule<A.Stmt> = this.RULE('assignment', () => {
    const start = this.LA(1);
    const isLet = this.OPTION(() => this.CONSUME(T.KwLet)) !== undefined;
    const target = this.SUBRULE(this.expression);
    const form = this.OPTION2(() =>
      this.OR(
        this.alts('assignment', () => [
          {
            ALT: () => {
              const values: A.Expr[] = [];
              this.AT_LEAST_ONE(() => {
                this.CONSUME(T.Eq);
                values.push(this.SUBRULE(this.assignValue));
              });
              return { annotation: null, op: null, values };
            },
          },
          {
            ALT: () => {
              this.CONSUME(T.Colon);
              const annotation = this.SUBRULE2(this.expression);
              const value = this.OPTION3(() => {
                this.CONSUME2(T.Eq);
                return this.SUBRULE2(this.assignValue);
              });
              return { annotation, op: null, values: value === undefined ? [] : [value] };
            },
          },
          {
            ALT: () => {
              const op = this.OR2(this.alts('assignment.op', () => augOps.map((tok) => ({ ALT: () => this.CONSUME(tok) }))));
              return { annotation: null, op, values: [this.SUBRULE3(this.assignValue)] };
            },
          },
        ]),
      ),
    );
    return this.act((): A.Stmt => {
      const at = this.spanFrom(start);
      const values = form?.values ?? [];
      if (form?.op) {
        const op = form.op.image as A.AugOp;
        if (op === '~=') this.report('JAC_SYNTAX_INVALID', "'~=' is not an assignment operator ('~' takes one operand)", join(target.span, at));
        checkTarget(this, target, 'augmented assignment');
        if (target.kind === 'Tuple' || target.kind === 'List') {
          this.report('JAC_SYNTAX_INVALID_TARGET', `'${op}' cannot assign to a ${target.kind.toLowerCase()}`, target.span);
        }
        return { kind: 'AugAssign', target, op, value: values[0], span: at };
      }
      if (form?.annotation) {
        checkTarget(this, target, 'an annotated assignment');
        return { kind: 'AnnAssign', target, annotation: form.annotation, value: values[0] ?? null, span: at };
      }
      if (values.length === 0) {
        if (isLet) this.report('JAC_SYNTAX_INVALID', "'let' must be followed by an assignment", at);
        return { kind: 'ExprStmt', expr: target, span: at };
      }
      // `a = b = v`: every expression but the last is a target.
      const all = [target, ...values];
      const targets = all.slice(0, -1);
      for (const t of targets) checkTarget(this, t, 'assignment');
      return { kind: 'Assign', isLet, targets, value: all[all.length - 1], span: at };
    });
  });

  assignValue: Rule<A.Expr> = this.RULE('assignValue', () =>
    this.OR(this.alts('assignValue', () => [{ ALT: () => this.valuedYield(this.SUBRULE(this.yieldExpr)) }, { ALT: () => this.SUBRULE(this.expression) }])),
  );

  ifStmt: Rule<A.Stmt> = this.RULE('ifStmt', () => {
    const start = this.CONSUME(T.KwIf);
    const test = this.SUBRULE(this.expression);
    const body = this.SUBRULE(this.codeBlock);
    const elifs: { start: IToken; test: A.Expr; body: A.Stmt[]; end: IToken }[] = [];
    this.MANY(() => {
      const s = this.CONSUME(T.KwElif);
      const t = this.SUBRULE2(this.expression);
      const b = this.SUBRULE2(this.codeBlock);
      elifs.push({ start: s, test: t, body: b, end: this.LA(0) });
    });
    const orelse = this.OPTION(() => this.SUBRULE(this.elseClause));
    return this.act((): A.Stmt => {
      // `elif` chains become nested Ifs in `orelse`, built from the last one backwards.
      let rest: A.Stmt[] | null = orelse ?? null;
      const end = this.LA(0);
      for (const e of [...elifs].reverse()) {
        rest = [{ kind: 'If', test: e.test, body: e.body, orelse: rest, span: this.tokenSpan(e.start, rest ? end : e.end) }];
      }
      return { kind: 'If', test, body, orelse: rest, span: this.spanFrom(start) };
    });
  });

  elseClause: Rule<A.Stmt[]> = this.RULE('elseClause', () => {
    this.CONSUME(T.KwElse);
    return this.SUBRULE(this.codeBlock);
  });

  whileStmt: Rule<A.Stmt> = this.RULE('whileStmt', () => {
    const start = this.CONSUME(T.KwWhile);
    const test = this.SUBRULE(this.expression);
    const body = this.SUBRULE(this.codeBlock);
    return this.act((): A.Stmt => ({ kind: 'While', test, body, span: this.spanFrom(start) }));
  });

  /** `for x in xs { }` or `for i = 0 to i < n by i += 1 { }`, each with an optional `else`. */
  forStmt: Rule<A.Stmt> = this.RULE('forStmt', () => {
    const start = this.LA(1);
    const isAsync = this.OPTION(() => this.CONSUME(T.KwAsync)) !== undefined;
    this.CONSUME(T.KwFor);
    const target = this.SUBRULE(this.atomicChain);
    const header = this.OR(
      this.alts('forStmt', () => [
        {
          ALT: () => {
            this.CONSUME(T.KwIn);
            return { iter: this.SUBRULE(this.expression) };
          },
        },
        {
          ALT: () => {
            const annotation = this.OPTION2(() => {
              this.CONSUME(T.Colon);
              return this.SUBRULE2(this.expression);
            });
            this.CONSUME(T.Eq);
            const first = this.SUBRULE3(this.expression);
            this.CONSUME(T.KwTo);
            const test = this.SUBRULE4(this.expression);
            this.CONSUME(T.KwBy);
            const step = this.SUBRULE(this.assignment);
            return { annotation, first, test, step };
          },
        },
      ]),
    );
    const body = this.SUBRULE(this.codeBlock);
    const orelse = this.OPTION3(() => this.SUBRULE(this.elseClause)) ?? null;
    return this.act((): A.Stmt => {
      const at = this.spanFrom(start);
      if ('iter' in header) {
        checkTarget(this, target, "a 'for' loop");
        return { kind: 'ForIn', isAsync, target, iter: header.iter, body, orelse, span: at };
      }
      checkTarget(this, target, "a 'for ... to ... by' loop");
      const initSpan = join(target.span, header.first.span);
      const init: A.Assign | A.AnnAssign = header.annotation
        ? { kind: 'AnnAssign', target, annotation: header.annotation, value: header.first, span: initSpan }
        : { kind: 'Assign', isLet: false, targets: [target], value: header.first, span: initSpan };
      const step = header.step;
      if (step.kind !== 'Assign' && step.kind !== 'AugAssign') {
        this.report('JAC_SYNTAX_INVALID', "the 'by' step of a 'for ... to ... by' loop must be an assignment such as 'i += 1'", step.span);
      }
      return { kind: 'ForTo', isAsync, init, test: header.test, step: step as A.Assign | A.AugAssign, body, orelse, span: at };
    });
  });

  tryStmt: Rule<A.Stmt> = this.RULE('tryStmt', () => {
    const start = this.CONSUME(T.KwTry);
    const body = this.SUBRULE(this.codeBlock);
    const handlers: A.ExceptHandler[] = [];
    this.MANY(() => handlers.push(this.SUBRULE(this.exceptClause)));
    const orelse = this.OPTION(() => this.SUBRULE(this.elseClause)) ?? null;
    const finalbody = this.OPTION2(() => {
      this.CONSUME(T.KwFinally);
      return this.SUBRULE2(this.codeBlock);
    }) ?? null;
    return this.act((): A.Stmt => {
      const at = this.spanFrom(start);
      if (handlers.length === 0 && finalbody === null) this.report('JAC_SYNTAX_INVALID', "a 'try' needs at least one 'except' or a 'finally'", at);
      if (orelse && handlers.length === 0) this.report('JAC_SYNTAX_INVALID', "a 'try' with 'else' needs an 'except'", at);
      return { kind: 'Try', body, handlers, orelse, finalbody, span: at };
    });
  });

  exceptClause: Rule<A.ExceptHandler> = this.RULE('exceptClause', () => {
    const start = this.CONSUME(T.KwExcept);
    const type = this.SUBRULE(this.expression);
    const name = this.OPTION(() => {
      this.CONSUME(T.KwAs);
      return this.SUBRULE(this.name);
    });
    const body = this.SUBRULE(this.codeBlock);
    return this.act(() => ({ type, name: name?.name ?? null, body, span: this.spanFrom(start) }));
  });

  matchStmt: Rule<A.Stmt> = this.RULE('matchStmt', () => {
    const start = this.CONSUME(T.KwMatch);
    const subject = this.SUBRULE(this.expression);
    this.CONSUME(T.LBrace);
    const cases: A.MatchCase[] = [];
    this.AT_LEAST_ONE(() => cases.push(this.SUBRULE(this.matchCase)));
    this.CONSUME(T.RBrace);
    return this.act((): A.Stmt => ({ kind: 'Match', subject, cases, span: this.spanFrom(start) }));
  });

  matchCase: Rule<A.MatchCase> = this.RULE('matchCase', () => {
    const start = this.CONSUME(T.KwCase);
    const pattern = this.SUBRULE(this.pattern);
    const guard = this.OPTION(() => {
      this.CONSUME(T.KwIf);
      return this.SUBRULE(this.expression);
    });
    this.CONSUME(T.Colon);
    const body: A.Stmt[] = [];
    this.AT_LEAST_ONE(() => {
      const s = this.SUBRULE(this.statement);
      if (s) body.push(s);
    });
    return this.act(() => ({ pattern, guard: guard ?? null, body, span: this.spanFrom(start) }));
  });

  withStmt: Rule<A.Stmt> = this.RULE('withStmt', () => {
    const start = this.LA(1);
    const isAsync = this.OPTION(() => this.CONSUME(T.KwAsync)) !== undefined;
    this.CONSUME(T.KwWith);
    const items = [this.SUBRULE(this.withItem)];
    this.MANY(() => {
      this.CONSUME(T.Comma);
      items.push(this.SUBRULE2(this.withItem));
    });
    const body = this.SUBRULE(this.codeBlock);
    return this.act((): A.Stmt => ({ kind: 'With', isAsync, items, body, span: this.spanFrom(start) }));
  });

  withItem: Rule<A.WithItem> = this.RULE('withItem', () => {
    const expr = this.SUBRULE(this.expression);
    const target = this.OPTION(() => {
      this.CONSUME(T.KwAs);
      return this.SUBRULE2(this.expression);
    });
    return this.act(() => ({ expr, target: target ?? null, span: target ? join(expr.span, target.span) : expr.span }));
  });

  /** `-> T { }`: a block that runs only on nodes of type T. */
  typedContext: Rule<A.Stmt> = this.RULE('typedContext', () => {
    const start = this.CONSUME(T.ReturnHint);
    const type = this.SUBRULE(this.expression);
    const body = this.SUBRULE(this.codeBlock);
    return this.act((): A.Stmt => ({ kind: 'TypedContext', type, body, span: this.spanFrom(start) }));
  });

  visitStmt: Rule<A.Stmt> = this.RULE('visitStmt', () => {
    const start = this.CONSUME(T.KwVisit);
    const index = this.OPTION(() => {
      this.CONSUME(T.Colon);
      const e = this.SUBRULE(this.expression);
      this.CONSUME2(T.Colon);
      return e;
    });
    const target = this.SUBRULE2(this.expression);
    const orelse = this.OR(
      this.alts('visitStmt', () => [{ ALT: () => this.SUBRULE(this.elseClause) }, { ALT: () => (this.CONSUME(T.Semi), null) }]),
    );
    return this.act((): A.Stmt => ({ kind: 'Visit', index: index ?? null, target, orelse, span: this.spanFrom(start) }));
  });
}

