// CST → AST for expressions.
import type { IToken } from 'chevrotain';
import type * as A from '../ast.ts';
import type * as C from '../cst.ts';
import * as T from '../tokens.ts';
import { type Context, join, nameText, onlyToken, report, span } from './context.ts';
import { decodeString, floatLiteral, fstringText, intLiteral, joinStrings } from './literals.ts';
import { type FlatOperand, type OpInfo, Level, applyPrecedence } from './precedence.ts';

export function expression(cx: Context, node: C.ExpressionCstNode): A.Expr {
  const c = node.children;
  if (c.lambda) return lambda(cx, c.lambda[0]);
  let value = binary(cx, c.binary![0]);
  if (c.walrusTarget) value = walrusOf(cx, c.walrusTarget[0], value);
  const prefix = c.KwFlow?.[0] ?? c.KwWait?.[0];
  if (prefix) value = { kind: 'Concurrent', op: prefix.image as 'flow' | 'wait', value, span: join(span(cx, prefix), value.span) };
  if (c.KwIf) {
    const test = expression(cx, c.test![0]);
    const orelse = expression(cx, c.orelse![0]);
    return { kind: 'Ternary', test, body: value, orelse, span: join(value.span, orelse.span) };
  }
  return value;
}

function lambda(cx: Context, node: C.LambdaCstNode): A.Expr {
  const c = node.children;
  return {
    kind: 'Lambda',
    params: c.params ? params(cx, c.params[0]) : [],
    returns: c.returns ? expression(cx, c.returns[0]) : null,
    body: expression(cx, c.body[0]),
    span: span(cx, node),
  };
}

export function params(cx: Context, node: C.ParamsCstNode): A.Param[] {
  const out = node.children.param.map((p) => param(cx, p));
  const seen = new Set<string>();
  for (const p of out) {
    if (seen.has(p.name)) report(cx, 'JAC_SYNTAX_INVALID', `duplicate parameter '${p.name}'`, p.span);
    seen.add(p.name);
  }
  return out;
}

function param(cx: Context, node: C.ParamCstNode): A.Param {
  const c = node.children;
  return {
    name: nameText(c.anyName[0]),
    variadic: c.StarPow ? 'starstar' : c.Star ? 'star' : null,
    type: expression(cx, c.type[0]),
    default: c.default ? expression(cx, c.default[0]) : null,
    span: span(cx, node),
  };
}

export function walrus(cx: Context, node: C.WalrusCstNode): A.Expr {
  const value = binary(cx, node.children.binary[0]);
  return node.children.name ? walrusOf(cx, node.children.name[0], value) : value;
}

function walrusOf(cx: Context, targetNode: C.NameCstNode, value: A.Expr): A.Expr {
  const target = name(cx, targetNode);
  if (target.kind !== 'Name') report(cx, 'JAC_SYNTAX_INVALID_TARGET', `cannot assign to '${target.name}' with ':='`, target.span);
  return { kind: 'Walrus', target: target.name, value, span: join(target.span, value.span) };
}

function binary(cx: Context, node: C.BinaryCstNode): A.Expr {
  const c = node.children;
  const operands = c.operand.map((o) => operand(cx, o));
  if (!c.binaryOp) {
    const only = operands[0];
    if (only.prefixes.length === 0) return only.core;
  }
  const ops = (c.binaryOp ?? []).map((o) => binaryOp(cx, o));
  return applyPrecedence(cx, operands, ops);
}

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

function binaryOp(cx: Context, node: C.BinaryOpCstNode): OpInfo {
  const c = node.children;
  if (c.connectOp) return connectOp(cx, c.connectOp[0]);
  if (c.KwDel) return { kind: 'disconnect', level: Level.connect, edgeOp: edgeOp(cx, c.edgeOp![0]) };
  const key = Object.keys(c)[0];
  if (key in compareOps) return { kind: 'compare', level: Level.compare, op: compareOps[key] };
  return simpleOps[key];
}

export function compareOp(node: C.CompareOpCstNode): A.CmpOp {
  return compareOps[Object.keys(node.children)[0]];
}

function connectOp(cx: Context, node: C.ConnectOpCstNode): OpInfo {
  const c = node.children;
  const base = { kind: 'connect' as const, level: Level.connect, edge: null, assigns: [] };
  if (c.CArrowR) return { ...base, dir: 'out' };
  if (c.CArrowL) return { ...base, dir: 'in' };
  if (c.CArrowBi) return { ...base, dir: 'any' };
  const e = c.connectEdge![0].children;
  const edge = expression(cx, e.expression[0]);
  const assigns = (e.keywordArg ?? []).map((k) => keywordArg(cx, k));
  for (const a of assigns) {
    if (a.name === null) report(cx, 'JAC_SYNTAX_INVALID', "edge fields are set as 'name=value', not '**mapping'", a.span);
  }
  const dir: A.EdgeDir = c.CArrowRP1 ? 'out' : c.CArrowLP2 ? 'in' : 'any';
  return { kind: 'connect', level: Level.connect, dir, edge, assigns };
}

export function edgeOp(cx: Context, node: C.EdgeOpCstNode): A.EdgeOp {
  const c = node.children;
  const at = span(cx, node);
  if (c.ArrowR) return { dir: 'out', type: null, conds: [], span: at };
  if (c.ArrowL) return { dir: 'in', type: null, conds: [], span: at };
  if (c.ArrowBi) return { dir: 'any', type: null, conds: [], span: at };
  const f = typedFilter(cx, c.typedFilter![0]);
  const dir: A.EdgeDir = c.ArrowRP1 ? 'out' : c.ArrowLP2 ? 'in' : 'any';
  return { dir, type: f.type, conds: f.conds, span: at };
}

function typedFilter(cx: Context, node: C.TypedFilterCstNode): { type: A.Expr; conds: A.FilterCond[] } {
  const c = node.children;
  return { type: expression(cx, c.type[0]), conds: c.filterConds ? filterConds(cx, c.filterConds[0]) : [] };
}

function filterConds(cx: Context, node: C.FilterCondsCstNode): A.FilterCond[] {
  return node.children.filterCond.map((f) => ({
    field: nameText(f.children.anyName[0]),
    op: compareOp(f.children.compareOp[0]),
    value: expression(cx, f.children.expression[0]),
    span: span(cx, f),
  }));
}

const prefixOps: Record<string, A.UnaryOp> = { KwNot: 'not', Minus: '-', Plus: '+', BwNot: '~' };

function operand(cx: Context, node: C.OperandCstNode): FlatOperand {
  const c = node.children;
  const prefixTokens = [...(c.KwNot ?? []), ...(c.Minus ?? []), ...(c.Plus ?? []), ...(c.BwNot ?? [])];
  if (prefixTokens.length > 1) prefixTokens.sort((a, b) => a.startOffset - b.startOffset);
  const prefixes = prefixTokens.map((t) => ({ op: prefixOps[t.tokenType.name], span: span(cx, t) }));
  let core = chain(cx, atom(cx, c.atom[0]), c.postfix);
  if (c.pipePrefix) core = prefixPipe(cx, c.pipePrefix[0], core);
  if (c.BwAnd) core = { kind: 'Ref', value: core, span: join(span(cx, c.BwAnd[0]), core.span) };
  if (c.Star) core = { kind: 'Starred', value: core, span: join(span(cx, c.Star[0]), core.span) };
  return { prefixes, core };
}

function prefixPipe(cx: Context, node: C.PipePrefixCstNode, operand: A.Expr): A.Expr {
  const t = onlyToken(node);
  return { kind: 'PrefixPipe', op: t.image as A.PrefixPipe['op'], operand, span: join(span(cx, t), operand.span) };
}

export function pipeCall(cx: Context, node: C.PipeCallCstNode): A.Expr {
  const c = node.children;
  const value = atomicChain(cx, c.atomicChain[0]);
  return c.pipePrefix ? prefixPipe(cx, c.pipePrefix[0], value) : value;
}

export function atomicChain(cx: Context, node: C.AtomicChainCstNode): A.Expr {
  return chain(cx, atom(cx, node.children.atom[0]), node.children.postfix);
}

function chain(cx: Context, value: A.Expr, postfixes: C.PostfixCstNode[] | undefined): A.Expr {
  if (postfixes) for (const p of postfixes) value = postfix(cx, value, p);
  return value;
}

function postfix(cx: Context, object: A.Expr, node: C.PostfixCstNode): A.Expr {
  const c = node.children;
  const at = join(object.span, span(cx, node));
  const nullSafe = c.Question !== undefined;
  if (c.call) return call(cx, object, c.call[0], at);
  if (c.filterCompr) {
    const f = filterCompr(cx, c.filterCompr[0]);
    return { kind: 'FilterCompr', object, nullSafe, type: f.type, conds: f.conds, span: at };
  }
  if (c.assignCompr) {
    const assigns = c.assignCompr[0].children.keywordArg.map((k) => keywordArg(cx, k));
    for (const a of assigns) {
      if (a.name === null) report(cx, 'JAC_SYNTAX_INVALID', "an assign comprehension sets 'name=value' pairs", a.span);
    }
    return { kind: 'AssignCompr', object, nullSafe, assigns, span: at };
  }
  if (c.index) return { kind: 'Index', object, index: index(cx, c.index[0]), nullSafe, span: at };
  const op = c.DotFwd ? '.>' : c.DotBkwd ? '<.' : '.';
  return { kind: 'Attribute', object, name: nameText(c.anyName![0]), nullSafe, op, span: at };
}

export function filterCompr(cx: Context, node: C.FilterComprCstNode): { type: A.Expr | null; conds: A.FilterCond[] } {
  const c = node.children;
  if (c.typedFilter) return typedFilter(cx, c.typedFilter[0]);
  return { type: null, conds: filterConds(cx, c.filterConds![0]) };
}

function call(cx: Context, func: A.Expr, node: C.CallCstNode, at: A.Span): A.Expr {
  const c = node.children;
  const args: A.Expr[] = [];
  const keywords: A.Keyword[] = [];
  for (const a of c.argument ?? []) {
    const arg = argument(cx, a);
    if (arg.kind === 'keyword') {
      keywords.push(arg.keyword);
      continue;
    }
    // As in Python, `*args` may follow keywords; a plain positional argument may not.
    if (keywords.length > 0 && arg.value.kind !== 'Starred') {
      const unpacking = keywords.some((k) => k.name === null);
      report(cx, 'JAC_SYNTAX_INVALID', `positional argument follows keyword argument${unpacking ? ' unpacking' : ''}`, arg.value.span);
    }
    args.push(arg.value);
  }
  const by = c.by ? atomicChain(cx, c.by[0]) : null;
  return { kind: 'Call', func, args, keywords, by, span: at };
}

type Argument = { kind: 'positional'; value: A.Expr } | { kind: 'keyword'; keyword: A.Keyword };

/** `expr`, `name=expr` or `**expr`. */
function argument(cx: Context, node: C.ArgumentCstNode): Argument {
  const c = node.children;
  const at = span(cx, node);
  if (c.spread) return { kind: 'keyword', keyword: { name: null, value: expression(cx, c.spread[0]), span: at } };
  const first = expression(cx, c.expression![0]);
  if (!c.value) return { kind: 'positional', value: first };
  const value = expression(cx, c.value[0]);
  if (first.kind !== 'Name') {
    report(cx, 'JAC_SYNTAX_INVALID', "a keyword argument is written 'name=value'", first.span);
  }
  return { kind: 'keyword', keyword: { name: first.kind === 'Name' ? first.name : '', value, span: at } };
}

export function keywordArg(cx: Context, node: C.KeywordArgCstNode): A.Keyword {
  const c = node.children;
  const nameNode = c.name?.[0];
  const name = nameNode ? nameText(nameNode) : (c.BuiltinType?.[0].image ?? null);
  return { name: c.StarPow ? null : name, value: expression(cx, c.expression![0]), span: span(cx, node) };
}

function index(cx: Context, node: C.IndexCstNode): A.Expr {
  const items = node.children.sliceItem.map((s) => sliceItem(cx, s));
  if (items.length === 1 && !node.children.Comma) return items[0];
  return { kind: 'Tuple', elts: items, keywords: [], span: span(cx, node) };
}

function sliceItem(cx: Context, node: C.SliceItemCstNode): A.Expr {
  const c = node.children;
  const lower = c.lower ? expression(cx, c.lower[0]) : null;
  if (!c.sliceTail) return lower!;
  const t = c.sliceTail[0].children;
  return {
    kind: 'Slice',
    lower,
    upper: t.upper ? expression(cx, t.upper[0]) : null,
    step: t.step ? expression(cx, t.step[0]) : null,
    span: span(cx, node),
  };
}

// ---- atoms ------------------------------------------------------------------------------

export function name(cx: Context, node: C.NameCstNode): A.Name | A.Special {
  const t = onlyToken(node);
  const at = span(cx, t);
  if (t.tokenType.CATEGORIES?.includes(T.SpecialRef)) return { kind: 'Special', name: t.image as A.SpecialName, span: at };
  return { kind: 'Name', name: nameText(node), span: at };
}

function atom(cx: Context, node: C.AtomCstNode): A.Expr {
  const c = node.children;
  const nameToken = c.Identifier?.[0] ?? c.KwEscName?.[0] ?? c.SoftKeyword?.[0];
  if (nameToken) return { kind: 'Name', name: nameToken.image.startsWith('<>') ? nameToken.image.slice(2) : nameToken.image, span: span(cx, nameToken) };
  if (c.SpecialRef) return { kind: 'Special', name: c.SpecialRef[0].image as A.SpecialName, span: span(cx, c.SpecialRef[0]) };
  if (c.BuiltinType) return { kind: 'Name', name: c.BuiltinType[0].image, span: span(cx, c.BuiltinType[0]) };
  const literal = c.Int?.[0] ?? c.Hex?.[0] ?? c.Bin?.[0] ?? c.Oct?.[0];
  if (literal) return intLiteral(cx, literal);
  if (c.Float) return floatLiteral(cx, c.Float[0]);
  if (c.KwNone) return { kind: 'Constant', value: null, span: span(cx, c.KwNone[0]) };
  if (c.KwTrue) return { kind: 'Constant', value: true, span: span(cx, c.KwTrue[0]) };
  if (c.KwFalse) return { kind: 'Constant', value: false, span: span(cx, c.KwFalse[0]) };
  if (c.Ellipsis) return { kind: 'Constant', value: 'Ellipsis', span: span(cx, c.Ellipsis[0]) };
  if (c.strings) return strings(cx, c.strings[0]);
  if (c.typeRef) {
    const n = nameText(c.typeRef[0].children.anyName[0]);
    return { kind: 'TypeRef', name: n, span: span(cx, c.typeRef[0]) };
  }
  if (c.parenAtom) return parenAtom(cx, c.parenAtom[0]);
  if (c.bracketAtom) return bracketAtom(cx, c.bracketAtom[0]);
  return braceAtom(cx, c.braceAtom![0]);
}

export function strings(cx: Context, node: C.StringsCstNode): A.Expr {
  const c = node.children;
  const items: (IToken | C.FstringCstNode)[] = [...(c.String ?? []), ...(c.fstring ?? [])];
  const offset = (x: IToken | C.FstringCstNode) => ('image' in x ? x.startOffset : x.location!.startOffset);
  items.sort((a, b) => offset(a) - offset(b));
  const tokens: IToken[] = [];
  const pieces = items.map((item) => {
    if ('image' in item) {
      tokens.push(item);
      const s = decodeString(cx, item);
      return { isBytes: s.isBytes, parts: [s.value] };
    }
    const f = item.children;
    tokens.push((f.FStringStart ?? f.FStringSqStart)![0], (f.FStringEnd ?? f.FStringSqEnd ?? f.FStringStart ?? f.FStringSqStart)![0]);
    return { isBytes: false, parts: (f.fstringPart ?? []).map((p) => fstringPart(cx, p)) };
  });
  tokens.sort((a, b) => a.startOffset - b.startOffset);
  return joinStrings(cx, tokens, pieces);
}

function fstringPart(cx: Context, node: C.FstringPartCstNode): string | A.Expr {
  const c = node.children;
  if (c.expression) return expression(cx, c.expression[0]);
  return fstringText(cx, (c.FStringText ?? c.FStringSqText ?? c.FStringBraceEscape)![0]);
}

function parenAtom(cx: Context, node: C.ParenAtomCstNode): A.Expr {
  const c = node.children;
  const at = span(cx, node);
  if (c.yieldExpr) return yieldExpr(cx, c.yieldExpr[0]);
  if (!c.first) return { kind: 'Tuple', elts: [], keywords: [], span: at };
  const first = argument(cx, c.first[0]);
  if (c.compFor) {
    if (first.kind === 'keyword') report(cx, 'JAC_SYNTAX_INVALID', 'a comprehension element cannot be a keyword argument', first.keyword.span);
    const elt = first.kind === 'keyword' ? first.keyword.value : first.value;
    return { kind: 'GenExp', elt, generators: c.compFor.map((g) => compFor(cx, g)), span: at };
  }
  if (!c.Comma && first.kind === 'positional') return { ...first.value, span: at };
  const elts: A.Expr[] = [];
  const keywords: A.Keyword[] = [];
  for (const item of [first, ...(c.rest ?? []).map((r) => argument(cx, r))]) {
    if (item.kind === 'keyword') keywords.push(item.keyword);
    else elts.push(item.value);
  }
  return { kind: 'Tuple', elts, keywords, span: at };
}

function bracketAtom(cx: Context, node: C.BracketAtomCstNode): A.Expr {
  const c = node.children;
  const at = span(cx, node);
  if (c.edgeHop) {
    const originNode = c.origin?.[0] ?? c.first?.[0];
    return {
      kind: 'EdgeRef',
      returns: c.KwEdge ? 'edge' : 'node',
      explicitReturns: Boolean(c.KwEdge || c.KwNode),
      origin: originNode ? expression(cx, originNode) : null,
      hops: c.edgeHop.map((h) => edgeHop(cx, h)),
      span: at,
    };
  }
  if (c.KwNode || c.KwEdge) {
    report(cx, 'JAC_SYNTAX_INVALID', "an edge reference needs an edge operator such as '-->'", at);
  }
  if (!c.first) return { kind: 'List', elts: [], span: at };
  const first = expression(cx, c.first[0]);
  if (c.compFor) return { kind: 'ListComp', elt: first, generators: c.compFor.map((g) => compFor(cx, g)), span: at };
  return { kind: 'List', elts: [first, ...(c.rest ?? []).map((e) => expression(cx, e))], span: at };
}

function edgeHop(cx: Context, node: C.EdgeHopCstNode): A.EdgeHop {
  const c = node.children;
  let filter: A.EdgeHop['filter'] = null;
  if (c.filterCompr) filter = { kind: 'Filter', ...filterCompr(cx, c.filterCompr[0]) };
  else if (c.target) filter = { kind: 'Target', expr: expression(cx, c.target[0]) };
  return { op: edgeOp(cx, c.edgeOp[0]), filter, span: span(cx, node) };
}

function braceAtom(cx: Context, node: C.BraceAtomCstNode): A.Expr {
  const c = node.children;
  const at = span(cx, node);
  if (!c.first) return { kind: 'Dict', entries: [], span: at };
  const entries = [c.first[0], ...(c.rest ?? [])];
  const isDictEntry = (e: C.DictEntryCstNode) => Boolean(e.children.value);
  const firstIsDict = isDictEntry(c.first[0]);
  if (entries.some((e) => isDictEntry(e) !== firstIsDict)) {
    report(cx, 'JAC_SYNTAX_INVALID', "a '{...}' literal mixes dict entries ('k: v') and set elements", at);
  }
  if (c.compFor) {
    const generators = c.compFor.map((g) => compFor(cx, g));
    const e = c.first[0].children;
    if (e.StarPow) report(cx, 'JAC_SYNTAX_INVALID', "'**' unpacking cannot be used in a dict comprehension", at);
    if (firstIsDict && e.key) {
      return { kind: 'DictComp', key: expression(cx, e.key[0]), value: expression(cx, e.value![0]), generators, span: at };
    }
    return { kind: 'SetComp', elt: expression(cx, (e.key ?? e.value)![0]), generators, span: at };
  }
  if (!firstIsDict) return { kind: 'Set', elts: entries.map((e) => expression(cx, e.children.key![0])), span: at };
  return {
    kind: 'Dict',
    entries: entries.map((e) => ({
      key: e.children.key ? expression(cx, e.children.key[0]) : null,
      value: expression(cx, (e.children.value ?? e.children.key)![0]),
      span: span(cx, e),
    })),
    span: at,
  };
}

function compFor(cx: Context, node: C.CompForCstNode): A.Comprehension {
  const c = node.children;
  const target = atomicChain(cx, c.target[0]);
  checkTarget(cx, target, 'for');
  return {
    isAsync: Boolean(c.KwAsync),
    target,
    iter: pipeCall(cx, c.iter[0]),
    conds: (c.conds ?? []).map((w) => walrus(cx, w)),
    span: span(cx, node),
  };
}

export function yieldExpr(cx: Context, node: C.YieldExprCstNode): A.Expr {
  const c = node.children;
  return { kind: 'Yield', isFrom: Boolean(c.KwFrom), value: c.expression ? expression(cx, c.expression[0]) : null, span: span(cx, node) };
}

/** Reports targets that cannot be assigned to (`f() = 1`, `a + b = 1`, `(x, 1) = ...`). */
export function checkTarget(cx: Context, target: A.Expr, what: string): void {
  switch (target.kind) {
    case 'Name':
    case 'Attribute':
    case 'Index':
      return;
    case 'Special':
      if (target.name === 'self' || target.name === 'here' || target.name === 'visitor' || target.name === 'root' || target.name === 'super') {
        report(cx, 'JAC_SYNTAX_INVALID_TARGET', `cannot assign to '${target.name}'`, target.span);
      }
      return;
    case 'Tuple':
    case 'List':
      for (const e of target.elts) checkTarget(cx, e, what);
      return;
    case 'Starred':
      checkTarget(cx, target.value, what);
      return;
    default:
      report(cx, 'JAC_SYNTAX_INVALID_TARGET', `cannot assign to this expression (${describeExpr(target)}) in ${what}`, target.span);
  }
}

function describeExpr(e: A.Expr): string {
  switch (e.kind) {
    case 'Call':
      return 'a function call';
    case 'Int':
    case 'Float':
    case 'Str':
    case 'FString':
    case 'Constant':
      return 'a literal';
    default:
      return `a ${e.kind.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase()} expression`;
  }
}
