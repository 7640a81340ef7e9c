// CST → AST for statements and code blocks.
import type * as A from '../ast.ts';
import type * as C from '../cst.ts';
import { type Context, join, nameText, onlyToken, report, span } from './context.ts';
import { decorated, hasStmt, importStmt, pyInline } from './declarations.ts';
import { atomicChain, checkTarget, expression, name, strings, yieldExpr } from './expressions.ts';

export function codeBlock(cx: Context, node: C.CodeBlockCstNode): A.Stmt[] {
  const out: A.Stmt[] = [];
  for (const s of node.children.statement ?? []) {
    const stmt = statement(cx, s);
    if (stmt) out.push(stmt);
  }
  return out;
}

function statement(cx: Context, node: C.StatementCstNode): A.Stmt | null {
  const c = node.children;
  if (c.importStmt) return importStmt(cx, c.importStmt[0], null);
  if (c.decorated) return decorated(cx, c.decorated[0], null);
  if (c.hasStmt) return hasStmt(cx, c.hasStmt[0], null);
  if (c.ifStmt) return ifStmt(cx, c.ifStmt[0]);
  if (c.whileStmt) {
    const w = c.whileStmt[0].children;
    return { kind: 'While', test: expression(cx, w.test[0]), body: codeBlock(cx, w.body[0]), span: span(cx, node) };
  }
  if (c.forStmt) return forStmt(cx, c.forStmt[0]);
  if (c.tryStmt) return tryStmt(cx, c.tryStmt[0]);
  if (c.matchStmt) return matchStmt(cx, c.matchStmt[0]);
  if (c.withStmt) return withStmt(cx, c.withStmt[0]);
  if (c.typedContext) {
    const t = c.typedContext[0].children;
    return { kind: 'TypedContext', type: expression(cx, t.type[0]), body: codeBlock(cx, t.codeBlock[0]), span: span(cx, node) };
  }
  if (c.simpleStmt) return simpleStmt(cx, c.simpleStmt[0]);
  if (c.visitStmt) return visitStmt(cx, c.visitStmt[0]);
  if (c.pyInline) return pyInline(cx, c.pyInline[0]);
  if (c.empty) return null;
  return exprStmt(cx, c.assignment![0], span(cx, node));
}

function simpleStmt(cx: Context, node: C.SimpleStmtCstNode): A.Stmt {
  const c = node.children;
  const at = span(cx, node);
  const value = () => expression(cx, c.value![0]);
  if (c.KwReturn) return { kind: 'Return', value: c.value ? value() : null, span: at };
  if (c.yieldExpr) return { kind: 'ExprStmt', expr: yieldExpr(cx, c.yieldExpr[0]), span: at };
  if (c.KwRaise) return { kind: 'Raise', exc: c.value ? value() : null, cause: c.cause ? expression(cx, c.cause[0]) : null, span: at };
  if (c.KwAssert) return { kind: 'Assert', test: value(), msg: c.msg ? expression(cx, c.msg[0]) : null, span: at };
  if (c.KwCheck) return { kind: 'Check', test: value(), span: at };
  if (c.KwDel) {
    const target = value();
    checkDeleteTarget(cx, target);
    return { kind: 'Delete', target, span: at };
  }
  if (c.KwReport) return { kind: 'Report', value: value(), span: at };
  if (c.KwIgnore) return { kind: 'Ignore', target: value(), span: at };
  if (c.KwSkip) return { kind: 'Control', control: 'skip', span: at };
  if (c.KwBreak) return { kind: 'Control', control: 'break', span: at };
  if (c.KwContinue) return { kind: 'Control', control: 'continue', span: at };
  if (c.KwDisengage) return { kind: 'Control', control: 'disengage', span: at };
  const names = c.nameList![0].children.name.map((n) => nameText(n));
  return c.GlobalOp ? { kind: 'GlobalRef', names, span: at } : { kind: 'NonlocalRef', names, span: at };
}

function checkDeleteTarget(cx: Context, target: A.Expr): void {
  if (target.kind === 'Tuple' || target.kind === 'List') {
    for (const e of target.elts) checkDeleteTarget(cx, e);
    return;
  }
  if (target.kind === 'Name' || target.kind === 'Attribute' || target.kind === 'Index' || target.kind === 'Special') return;
  if (target.kind === 'EdgeRef' || target.kind === 'FilterCompr' || target.kind === 'Call') return; // deletes graph elements
  report(cx, 'JAC_SYNTAX_INVALID_TARGET', 'cannot delete this expression', target.span);
}

/** An expression statement or one of the assignment forms. */
export function exprStmt(cx: Context, node: C.AssignmentCstNode, at: A.Span): A.Stmt {
  const stmt = assignment(cx, node, at);
  if (stmt.kind === 'ExprStmt' && node.children.KwLet) {
    report(cx, 'JAC_SYNTAX_INVALID', "'let' must be followed by an assignment", at);
  }
  return stmt;
}

export function assignment(cx: Context, node: C.AssignmentCstNode, at: A.Span = span(cx, node)): A.Stmt {
  const c = node.children;
  const target = expression(cx, c.target[0]);
  const values = (c.values ?? []).map((v) => assignValue(cx, v));
  if (c.augOp) {
    const op = onlyToken(c.augOp[0]).image as A.AugOp;
    checkTarget(cx, target, 'augmented assignment');
    if (target.kind === 'Tuple' || target.kind === 'List') {
      report(cx, 'JAC_SYNTAX_INVALID_TARGET', `'${op}' cannot assign to a ${target.kind.toLowerCase()}`, target.span);
    }
    return { kind: 'AugAssign', target, op, value: values[0], span: at };
  }
  if (c.annotation) {
    checkTarget(cx, target, 'an annotated assignment');
    return { kind: 'AnnAssign', target, annotation: expression(cx, c.annotation[0]), value: values[0] ?? null, span: at };
  }
  if (values.length === 0) return { kind: 'ExprStmt', expr: target, span: at };
  // `a = b = v`: every expression but the last is a target.
  const all = [target, ...values];
  const targets = all.slice(0, -1);
  for (const t of targets) checkTarget(cx, t, 'assignment');
  return { kind: 'Assign', isLet: Boolean(c.KwLet), targets, value: all[all.length - 1], span: at };
}

function assignValue(cx: Context, node: C.AssignValueCstNode): A.Expr {
  const c = node.children;
  return c.yieldExpr ? yieldExpr(cx, c.yieldExpr[0]) : expression(cx, c.expression![0]);
}

function ifStmt(cx: Context, node: C.IfStmtCstNode): A.If {
  const c = node.children;
  let orelse: A.Stmt[] | null = c.elseClause ? elseClause(cx, c.elseClause[0]) : null;
  // Build `elif` chains from the last one backwards as nested Ifs.
  for (const e of [...(c.elifClause ?? [])].reverse()) {
    const ec = e.children;
    const nested: A.If = { kind: 'If', test: expression(cx, ec.test[0]), body: codeBlock(cx, ec.body[0]), orelse, span: span(cx, e) };
    orelse = [nested];
  }
  return { kind: 'If', test: expression(cx, c.test[0]), body: codeBlock(cx, c.body[0]), orelse, span: span(cx, node) };
}

function elseClause(cx: Context, node: C.ElseClauseCstNode): A.Stmt[] {
  return codeBlock(cx, node.children.codeBlock[0]);
}

function forStmt(cx: Context, node: C.ForStmtCstNode): A.Stmt {
  const c = node.children;
  const at = span(cx, node);
  const isAsync = Boolean(c.KwAsync);
  const body = codeBlock(cx, c.body[0]);
  const orelse = c.elseClause ? elseClause(cx, c.elseClause[0]) : null;
  const target = atomicChain(cx, c.target[0]);
  if (c.KwTo) {
    checkTarget(cx, target, "a 'for ... to ... by' loop");
    const start = expression(cx, c.start![0]);
    const initSpan = join(target.span, start.span);
    const init: A.Assign | A.AnnAssign = c.annotation
      ? { kind: 'AnnAssign', target, annotation: expression(cx, c.annotation[0]), value: start, span: initSpan }
      : { kind: 'Assign', isLet: false, targets: [target], value: start, span: initSpan };
    const step = assignment(cx, c.step![0]);
    if (step.kind !== 'Assign' && step.kind !== 'AugAssign') {
      report(cx, 'JAC_SYNTAX_INVALID', "the 'by' step of a 'for ... to ... by' loop must be an assignment such as 'i += 1'", step.span);
    }
    return { kind: 'ForTo', isAsync, init, test: expression(cx, c.test![0]), step: step as A.Assign | A.AugAssign, body, orelse, span: at };
  }
  checkTarget(cx, target, "a 'for' loop");
  return { kind: 'ForIn', isAsync, target, iter: expression(cx, c.iter![0]), body, orelse, span: at };
}

function tryStmt(cx: Context, node: C.TryStmtCstNode): A.Stmt {
  const c = node.children;
  const handlers = (c.exceptClause ?? []).map((e): A.ExceptHandler => ({
    type: expression(cx, e.children.type[0]),
    name: e.children.name ? nameText(e.children.name[0]) : null,
    body: codeBlock(cx, e.children.codeBlock[0]),
    span: span(cx, e),
  }));
  const orelse = c.elseClause ? elseClause(cx, c.elseClause[0]) : null;
  const finalbody = c.finalbody ? codeBlock(cx, c.finalbody[0]) : null;
  const at = span(cx, node);
  if (handlers.length === 0 && finalbody === null) report(cx, 'JAC_SYNTAX_INVALID', "a 'try' needs at least one 'except' or a 'finally'", at);
  if (orelse && handlers.length === 0) report(cx, 'JAC_SYNTAX_INVALID', "a 'try' with 'else' needs an 'except'", at);
  return { kind: 'Try', body: codeBlock(cx, c.body[0]), handlers, orelse, finalbody, span: at };
}

function withStmt(cx: Context, node: C.WithStmtCstNode): A.Stmt {
  const c = node.children;
  const items = c.withItem.map((w): A.WithItem => ({
    expr: expression(cx, w.children.expression[0]),
    target: w.children.target ? expression(cx, w.children.target[0]) : null,
    span: span(cx, w),
  }));
  return { kind: 'With', isAsync: Boolean(c.KwAsync), items, body: codeBlock(cx, c.codeBlock[0]), span: span(cx, node) };
}

function visitStmt(cx: Context, node: C.VisitStmtCstNode): A.Stmt {
  const c = node.children;
  return {
    kind: 'Visit',
    index: c.index ? expression(cx, c.index[0]) : null,
    target: expression(cx, c.target[0]),
    orelse: c.elseClause ? elseClause(cx, c.elseClause[0]) : null,
    span: span(cx, node),
  };
}

// ---- match ------------------------------------------------------------------------------

function matchStmt(cx: Context, node: C.MatchStmtCstNode): A.Stmt {
  const c = node.children;
  const cases = c.matchCase.map((m): A.MatchCase => {
    const body: A.Stmt[] = [];
    for (const s of m.children.statement) {
      const stmt = statement(cx, s);
      if (stmt) body.push(stmt);
    }
    return {
      pattern: pattern(cx, m.children.pattern[0]),
      guard: m.children.guard ? expression(cx, m.children.guard[0]) : null,
      body,
      span: span(cx, m),
    };
  });
  return { kind: 'Match', subject: expression(cx, c.subject[0]), cases, span: span(cx, node) };
}

function pattern(cx: Context, node: C.PatternCstNode): A.Pattern {
  const c = node.children;
  const at = span(cx, node);
  const options = c.closedPattern.map((p) => closedPattern(cx, p));
  const base: A.Pattern = options.length === 1 ? options[0] : { kind: 'POr', options, span: at };
  return c.as ? { kind: 'PAs', pattern: base, name: nameText(c.as[0]), span: at } : base;
}

function closedPattern(cx: Context, node: C.ClosedPatternCstNode): A.Pattern {
  const c = node.children;
  const at = span(cx, node);
  if (c.Int) return { kind: 'PLiteral', value: { kind: 'Int', value: BigInt(c.Int[0].image.replace(/_/g, '')), span: at }, span: at };
  if (c.Float) return { kind: 'PLiteral', value: { kind: 'Float', value: Number(c.Float[0].image), span: at }, span: at };
  if (c.strings) return { kind: 'PLiteral', value: strings(cx, c.strings[0]), span: at };
  if (c.KwNone) return { kind: 'PSingleton', value: null, span: at };
  if (c.KwTrue || c.KwFalse) return { kind: 'PSingleton', value: Boolean(c.KwTrue), span: at };
  if (c.name || c.BuiltinType) {
    const head = c.name ? nameText(c.name[0]) : c.BuiltinType![0].image;
    const path = [head, ...(c.path ?? []).map((p) => nameText(p))];
    if (c.LParen) {
      const args: A.Pattern[] = [];
      const kwNames: string[] = [];
      const kwPatterns: A.Pattern[] = [];
      for (const a of c.patternArg ?? []) {
        const p = pattern(cx, a.children.pattern[0]);
        if (a.children.keyword) {
          kwNames.push(nameText(a.children.keyword[0]));
          kwPatterns.push(p);
        } else {
          if (kwNames.length > 0) report(cx, 'JAC_SYNTAX_INVALID', 'positional patterns follow keyword patterns', p.span);
          args.push(p);
        }
      }
      return { kind: 'PClass', path, args, kwNames, kwPatterns, span: at };
    }
    if (path.length > 1) return { kind: 'PValue', path, span: at };
    const n = c.name ? name(cx, c.name[0]) : null;
    if (n?.kind === 'Special') report(cx, 'JAC_SYNTAX_INVALID', `'${n.name}' cannot be a capture pattern`, at);
    return { kind: 'PCapture', name: path[0], span: at };
  }
  if (c.LBrace) {
    const keys: A.Expr[] = [];
    const values: A.Pattern[] = [];
    let rest: string | null = null;
    for (const m of c.mappingItem ?? []) {
      if (m.children.StarPow) {
        rest = nameText(m.children.name![0]);
        continue;
      }
      const key = closedPattern(cx, m.children.key![0]);
      if (key.kind !== 'PLiteral' && key.kind !== 'PValue' && key.kind !== 'PSingleton') {
        report(cx, 'JAC_SYNTAX_INVALID', 'mapping pattern keys must be literals', key.span);
      }
      keys.push(key.kind === 'PLiteral' ? key.value : { kind: 'Constant', value: null, span: key.span });
      values.push(pattern(cx, m.children.value![0]));
    }
    return { kind: 'PMapping', keys, values, rest, span: at };
  }
  const items = (c.sequenceItem ?? []).map((s): A.Pattern => {
    if (s.children.Star) return { kind: 'PStar', name: nameText(s.children.name![0]), span: span(cx, s) };
    return pattern(cx, s.children.pattern![0]);
  });
  const opener = c.LSquare ? '[' : '(';
  const closer = c.RSquare ? ']' : ')';
  if ((opener === '[') !== (closer === ']')) report(cx, 'JAC_SYNTAX_INVALID', `'${opener}' is closed by '${closer}'`, at);
  if (opener === '(' && items.length === 1 && !c.Comma && items[0].kind !== 'PStar') return items[0];
  return { kind: 'PSequence', items, span: at };
}
