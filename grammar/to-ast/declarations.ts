// CST → AST for the module and declarations: archetypes, enums, has, abilities, impl, imports.
import type { IToken } from 'chevrotain';
import type * as A from '../ast.ts';
import type * as C from '../cst.ts';
import { type Context, accessTag, nameText, report, span } from './context.ts';
import { atomicChain, expression, params } from './expressions.ts';
import { decodeString } from './literals.ts';
import { assignment, codeBlock } from './statements.ts';

function doc(cx: Context, tokens: IToken[] | undefined): string | null {
  return tokens ? decodeString(cx, tokens[0]).value : null;
}

export function module(cx: Context, node: C.ModuleCstNode): A.Module {
  const c = node.children;
  const body = (c.topLevel ?? []).map((t) => topLevel(cx, t));
  const at = node.location && !Number.isNaN(node.location.startOffset) ? span(cx, node) : emptySpan(cx);
  return { kind: 'Module', doc: doc(cx, c.doc), body, span: at };
}

function emptySpan(cx: Context): A.Span {
  return { file: cx.file, line: 1, col: 1, endLine: 1, endCol: 1, offset: 0, endOffset: 0 };
}

function topLevel(cx: Context, node: C.TopLevelCstNode): A.Stmt {
  const c = node.children;
  const d = doc(cx, c.doc);
  if (c.importStmt) return importStmt(cx, c.importStmt[0], d);
  if (c.decorated) return decorated(cx, c.decorated[0], d);
  if (c.globalVar) return globalVar(cx, c.globalVar[0], d);
  if (c.freeCode) return freeCode(cx, c.freeCode[0], d);
  if (c.pyInline) return pyInline(cx, c.pyInline[0]);
  const t = c.testDecl![0].children;
  return { kind: 'Test', name: t.anyName ? nameText(t.anyName[0]) : null, body: codeBlock(cx, t.codeBlock[0]), doc: d, span: span(cx, node) };
}

export function decorated(cx: Context, node: C.DecoratedCstNode, d: string | null): A.Stmt {
  const c = node.children;
  const decorators = (c.decorators ?? []).map((x) => atomicChain(cx, x));
  if (c.archetype) return archetype(cx, c.archetype[0], decorators, d);
  if (c.enumDecl) return enumDecl(cx, c.enumDecl[0], decorators, d);
  if (c.ability) return ability(cx, c.ability[0], decorators, d);
  return implDef(cx, c.implDef![0], decorators, d);
}

function archetype(cx: Context, node: C.ArchetypeCstNode, decorators: A.Expr[], d: string | null): A.Archetype {
  const c = node.children;
  const archKind: A.ArchetypeKind = c.KwObj ? 'obj' : c.KwNode ? 'node' : c.KwEdge ? 'edge' : c.KwWalker ? 'walker' : 'class';
  const body = c.Semi ? null : (c.member ?? []).map((m) => member(cx, m));
  if (body && archKind !== 'class') checkFieldOrder(cx, body);
  return {
    kind: 'Archetype',
    archKind,
    name: nameText(c.anyName[0]),
    access: accessTag(c.accessTag),
    bases: inheritedArchs(cx, c.inheritedArchs),
    decorators,
    isAsync: Boolean(c.KwAsync),
    doc: d,
    body,
    span: span(cx, node),
  };
}

/** Dataclass rule: a field without a default cannot follow one with a default. */
function checkFieldOrder(cx: Context, body: A.Stmt[]): void {
  let withDefault: string | null = null;
  for (const stmt of body) {
    if (stmt.kind !== 'Has' || stmt.isStatic) continue;
    for (const v of stmt.vars) {
      if (v.byPostinit) continue;
      if (v.value) withDefault ??= v.name;
      else if (withDefault) report(cx, 'JAC_SYNTAX_INVALID', `field '${v.name}' without a default follows field '${withDefault}' with a default`, v.span);
    }
  }
}

function inheritedArchs(cx: Context, node: C.InheritedArchsCstNode[] | undefined): A.Expr[] {
  return node ? node[0].children.atomicChain.map((a) => atomicChain(cx, a)) : [];
}

function member(cx: Context, node: C.MemberCstNode): A.Stmt {
  const c = node.children;
  const d = doc(cx, c.doc);
  if (c.pyInline) return pyInline(cx, c.pyInline[0]);
  if (c.decorated) return decorated(cx, c.decorated[0], d);
  if (c.hasStmt) return hasStmt(cx, c.hasStmt[0], d);
  return freeCode(cx, c.freeCode![0], d);
}

export function hasStmt(cx: Context, node: C.HasStmtCstNode, d: string | null): A.Has {
  const c = node.children;
  const vars = c.hasVar.map((v): A.HasVar => ({
    name: nameText(v.children.anyName[0]),
    type: expression(cx, v.children.type[0]),
    value: v.children.value ? expression(cx, v.children.value[0]) : null,
    byPostinit: Boolean(v.children.KwPostinit),
    span: span(cx, v),
  }));
  return { kind: 'Has', isStatic: Boolean(c.KwStatic), access: accessTag(c.accessTag), vars, doc: d, span: span(cx, node) };
}

function enumDecl(cx: Context, node: C.EnumDeclCstNode, decorators: A.Expr[], d: string | null): A.Enum {
  const c = node.children;
  const bodyNode = c.enumBody?.[0];
  const body = bodyNode ? enumBody(cx, bodyNode) : null;
  return {
    kind: 'Enum',
    name: nameText(c.anyName[0]),
    access: accessTag(c.accessTag),
    bases: inheritedArchs(cx, c.inheritedArchs),
    decorators,
    doc: d,
    members: body ? body.members : null,
    body: body ? body.stmts : [],
    span: span(cx, node),
  };
}

function enumBody(cx: Context, node: C.EnumBodyCstNode): { members: A.EnumMember[]; stmts: A.Stmt[] } {
  const c = node.children;
  const members = (c.enumMember ?? []).map((m): A.EnumMember => ({
    name: nameText(m.children.anyName[0]),
    value: m.children.expression ? expression(cx, m.children.expression[0]) : null,
    span: span(cx, m),
  }));
  const seen = new Set<string>();
  for (const m of members) {
    if (seen.has(m.name)) report(cx, 'JAC_SYNTAX_INVALID', `enum member '${m.name}' is defined twice`, m.span);
    seen.add(m.name);
  }
  const stmts: A.Stmt[] = [
    ...(c.pyInline ?? []).map((p) => pyInline(cx, p)),
    ...(c.freeCode ?? []).map((f) => freeCode(cx, f, null)),
  ].sort((a, b) => a.span.offset - b.span.offset);
  return { members, stmts };
}

function ability(cx: Context, node: C.AbilityCstNode, decorators: A.Expr[], d: string | null): A.FunctionDef | A.Ability {
  const c = node.children;
  const bodyNode = c.abilityBody[0].children;
  const body: A.Body = bodyNode.codeBlock
    ? { kind: 'Block', stmts: codeBlock(cx, bodyNode.codeBlock[0]) }
    : bodyNode.by
      ? { kind: 'By', expr: atomicChain(cx, bodyNode.by[0]) }
      : null;
  const common = {
    name: nameText(c.anyName![0]),
    access: accessTag(c.accessTag),
    isStatic: Boolean(c.KwStatic),
    isOverride: Boolean(c.KwOverride),
    isAsync: Boolean(c.KwAsync),
    isAbstract: Boolean(bodyNode.KwAbs),
    decorators,
    doc: d,
    body,
    span: span(cx, node),
  };
  if (c.KwCan) return { kind: 'Ability', ...common, event: eventClause(cx, c.eventClause![0]) };
  return { kind: 'Function', ...common, signature: c.signature ? signature(cx, c.signature[0]) : null };
}

function signature(cx: Context, node: C.SignatureCstNode): A.Signature {
  const c = node.children;
  const list = c.params ? params(cx, c.params[0]) : [];
  let seenDefault = false;
  for (const p of list) {
    if (p.variadic) continue;
    if (p.default) seenDefault = true;
    else if (seenDefault) report(cx, 'JAC_SYNTAX_INVALID', `parameter '${p.name}' without a default follows a parameter with a default`, p.span);
  }
  return { params: list, returns: c.returns ? expression(cx, c.returns[0]) : null, hasParens: Boolean(c.LParen), span: span(cx, node) };
}

function eventClause(cx: Context, node: C.EventClauseCstNode): A.EventClause {
  const c = node.children;
  return {
    type: c.type ? expression(cx, c.type[0]) : null,
    event: c.KwEntry ? 'entry' : 'exit',
    returns: c.returns ? expression(cx, c.returns[0]) : null,
    span: span(cx, node),
  };
}

function implDef(cx: Context, node: C.ImplDefCstNode, decorators: A.Expr[], d: string | null): A.Impl {
  const c = node.children;
  let spec: A.ImplSpec | null = null;
  if (c.inheritedArchs) spec = { kind: 'Bases', bases: inheritedArchs(cx, c.inheritedArchs) };
  else if (c.signature) spec = { kind: 'Signature', signature: signature(cx, c.signature[0]) };
  else if (c.eventClause) spec = { kind: 'Event', event: eventClause(cx, c.eventClause[0]) };
  let body: A.Impl['body'];
  if (c.enumBody) {
    body = { kind: 'EnumBody', ...enumBody(cx, c.enumBody[0]) };
  } else {
    const b = c.abilityBody![0].children;
    body = b.codeBlock ? { kind: 'Block', stmts: codeBlock(cx, b.codeBlock[0]) } : b.by ? { kind: 'By', expr: atomicChain(cx, b.by[0]) } : null;
  }
  return { kind: 'Impl', target: c.target.map((t) => nameText(t)), spec, decorators, doc: d, body, span: span(cx, node) };
}

export function importStmt(cx: Context, node: C.ImportStmtCstNode, d: string | null): A.Import {
  const c = node.children;
  const at = span(cx, node);
  if (c.KwFrom) {
    const from = c.fromPath![0];
    const dots = (from.children.Dot?.length ?? 0) + 3 * (from.children.Ellipsis?.length ?? 0);
    const names = from.children.dottedName ? dottedName(from.children.dottedName[0]) : [];
    if (dots === 0 && names.length === 0) report(cx, 'JAC_SYNTAX_INVALID', "'import from' needs a module path", at);
    const path: A.ImportPath = { dots, names, alias: null, span: span(cx, from) };
    const items = (c.importItem ?? []).map((i): A.ImportItem => ({
      name: nameText(i.children.anyName[0]),
      alias: i.children.alias ? nameText(i.children.alias[0]) : null,
      span: span(cx, i),
    }));
    return { kind: 'Import', form: 'from', paths: [path], items, doc: d, span: at };
  }
  const paths = (c.importPath ?? []).map((p): A.ImportPath => ({
    dots: 0,
    names: dottedName(p.children.dottedName[0]),
    alias: p.children.alias ? nameText(p.children.alias[0]) : null,
    span: span(cx, p),
  }));
  return { kind: 'Import', form: c.KwInclude ? 'include' : 'import', paths, items: [], doc: d, span: at };
}

function dottedName(node: C.DottedNameCstNode): string[] {
  return [nameText(node.children.name[0]), ...(node.children.anyName ?? []).map((n) => nameText(n))];
}

function globalVar(cx: Context, node: C.GlobalVarCstNode, d: string | null): A.GlobalVar {
  const c = node.children;
  const assignments = c.assignment.map((a) => {
    const stmt = assignment(cx, a);
    const declaresName = stmt.kind === 'ExprStmt' && stmt.expr.kind === 'Name';
    if (stmt.kind === 'ExprStmt' && !declaresName) report(cx, 'JAC_SYNTAX_INVALID', "a 'glob' declares names: write 'glob name = value;'", stmt.span);
    if (a.children.KwLet) report(cx, 'JAC_SYNTAX_INVALID', "'let' cannot follow 'glob'", stmt.span);
    return stmt;
  });
  return { kind: 'GlobalVar', keyword: c.KwGlob ? 'glob' : 'let', access: accessTag(c.accessTag), assignments, doc: d, span: span(cx, node) };
}

function freeCode(cx: Context, node: C.FreeCodeCstNode, d: string | null): A.ModuleEntry {
  const c = node.children;
  return { kind: 'ModuleEntry', name: c.anyName ? nameText(c.anyName[0]) : null, body: codeBlock(cx, c.codeBlock[0]), doc: d, span: span(cx, node) };
}

export function pyInline(cx: Context, node: C.PyInlineCstNode): A.PyInline {
  const t = node.children.PyInline[0];
  return { kind: 'PyInline', code: t.image.slice('::py::'.length, -'::py::'.length), span: span(cx, t) };
}
