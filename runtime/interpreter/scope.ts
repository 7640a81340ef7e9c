// Name resolution, done once when code is compiled: each name becomes a slot in a frame, a
// closure slot some frames up, or a module global (then a builtin) — Python's scoping rules.
import type * as A from '../../grammar/ast.ts';
import type { Value } from '../values/value.ts';

/** The activation record of one function call. Slots hold locals; `parent` is the frame the
 * function was defined in (closures read their free variables through it). */
export interface Frame {
  slots: Value[];
  parent: Frame | null;
}

/** A slot that was never assigned (Python's unbound local). */
export const UNBOUND = Object.freeze({ unbound: true }) as unknown as Value;

export type Resolved = { kind: 'local'; depth: number; index: number } | { kind: 'global' };

export class Scope {
  readonly locals = new Map<string, number>();
  readonly declaredGlobal = new Set<string>();
  readonly declaredNonlocal = new Set<string>();
  /** In a method: the class it belongs to, filled in when the class is built (for `super`). */
  owner: { cls: unknown } | null = null;
  /** A function's parameters: its first slots, bound by every call. */
  params = 0;

  /** `parent` is the enclosing function scope; null for the module and top-level functions. */
  constructor(
    readonly isModule: boolean,
    readonly parent: Scope | null,
  ) {}

  get size(): number {
    return this.locals.size;
  }

  declare(name: string): number {
    let index = this.locals.get(name);
    if (index === undefined) this.locals.set(name, (index = this.locals.size));
    return index;
  }

  resolve(name: string): Resolved {
    if (this.isModule || this.declaredGlobal.has(name)) return { kind: 'global' };
    let depth = 0;
    for (let s: Scope | null = this; s && !s.isModule; s = s.parent, depth++) {
      if (s.declaredGlobal.has(name)) return { kind: 'global' };
      const index = s.locals.get(name);
      if (index !== undefined && !(s === this && s.declaredNonlocal.has(name))) return { kind: 'local', depth, index };
    }
    return { kind: 'global' };
  }
}

/** A function scope with every name its body binds (Python decides locality per function). */
export function functionScope(parent: Scope | null, params: string[], body: A.Stmt[]): Scope {
  const scope = new Scope(false, parent);
  for (const p of params) scope.declare(p);
  scope.params = scope.size;
  const bound = new Set<string>();
  for (const s of body) collectStmt(s, bound, scope);
  for (const name of bound) {
    if (!scope.declaredGlobal.has(name) && !scope.declaredNonlocal.has(name)) scope.declare(name);
  }
  return scope;
}

function collectTarget(e: A.Expr, bound: Set<string>): void {
  if (e.kind === 'Name' || (e.kind === 'Special' && (e.name === 'init' || e.name === 'postinit'))) bound.add(e.name);
  else if (e.kind === 'Tuple' || e.kind === 'List') for (const x of e.elts) collectTarget(x, bound);
  else if (e.kind === 'Starred') collectTarget(e.value, bound);
}

/** Names bound by walrus expressions (they bind in the enclosing function, even from a comprehension). */
function collectExpr(e: A.Expr | null, bound: Set<string>): void {
  if (!e || typeof e !== 'object') return;
  if (e.kind === 'Walrus') bound.add(e.target);
  if (e.kind === 'Lambda') return;
  for (const value of Object.values(e) as unknown[]) {
    const children = Array.isArray(value) ? value : [value];
    for (const v of children) if (v && typeof v === 'object' && 'kind' in v) collectExpr(v as A.Expr, bound);
  }
}

function collectPattern(p: A.Pattern, bound: Set<string>): void {
  switch (p.kind) {
    case 'PCapture':
    case 'PStar':
      if (p.name !== '_') bound.add(p.name);
      return;
    case 'PAs':
      bound.add(p.name);
      collectPattern(p.pattern, bound);
      return;
    case 'POr':
      p.options.forEach((o) => collectPattern(o, bound));
      return;
    case 'PSequence':
      p.items.forEach((o) => collectPattern(o, bound));
      return;
    case 'PMapping':
      p.values.forEach((o) => collectPattern(o, bound));
      if (p.rest) bound.add(p.rest);
      return;
    case 'PClass':
      [...p.args, ...p.kwPatterns].forEach((o) => collectPattern(o, bound));
      return;
    default:
      return;
  }
}

function collectBlock(stmts: A.Stmt[] | null, bound: Set<string>, scope: Scope): void {
  if (stmts) for (const s of stmts) collectStmt(s, bound, scope);
}

function collectStmt(s: A.Stmt, bound: Set<string>, scope: Scope): void {
  switch (s.kind) {
    case 'Assign':
      for (const t of s.targets) collectTarget(t, bound);
      collectExpr(s.value, bound);
      return;
    case 'AnnAssign':
    case 'AugAssign':
      collectTarget(s.target, bound);
      collectExpr(s.value, bound);
      return;
    case 'ForIn':
      collectTarget(s.target, bound);
      collectExpr(s.iter, bound);
      collectBlock(s.body, bound, scope);
      collectBlock(s.orelse, bound, scope);
      return;
    case 'ForTo':
      collectStmt(s.init, bound, scope);
      collectStmt(s.step, bound, scope);
      collectBlock(s.body, bound, scope);
      collectBlock(s.orelse, bound, scope);
      return;
    case 'If':
      collectExpr(s.test, bound);
      collectBlock(s.body, bound, scope);
      collectBlock(s.orelse, bound, scope);
      return;
    case 'While':
      collectExpr(s.test, bound);
      collectBlock(s.body, bound, scope);
      return;
    case 'Try':
      collectBlock(s.body, bound, scope);
      for (const h of s.handlers) {
        if (h.name) bound.add(h.name);
        collectBlock(h.body, bound, scope);
      }
      collectBlock(s.orelse, bound, scope);
      collectBlock(s.finalbody, bound, scope);
      return;
    case 'With':
      for (const item of s.items) if (item.target) collectTarget(item.target, bound);
      collectBlock(s.body, bound, scope);
      return;
    case 'Function':
    case 'Ability':
    case 'Archetype':
    case 'Enum':
      bound.add(s.name);
      return;
    case 'Match':
      for (const c of s.cases) {
        collectPattern(c.pattern, bound);
        collectBlock(c.body, bound, scope);
      }
      return;
    case 'GlobalRef':
      for (const n of s.names) scope.declaredGlobal.add(n);
      return;
    case 'NonlocalRef':
      for (const n of s.names) scope.declaredNonlocal.add(n);
      return;
    case 'ExprStmt':
    case 'Return':
    case 'Report':
      collectExpr('expr' in s ? s.expr : s.value, bound);
      return;
    default:
      return;
  }
}

/** Nodes that start a scope of their own: a `yield` inside one does not make the outer function a generator. */
const NEW_SCOPE = new Set(['Function', 'Ability', 'Archetype', 'Enum', 'Impl', 'Lambda']);

/** Whether `node` (a statement, an expression, or a list of them) holds a `yield` of its own scope. */
export function containsYield(node: unknown): boolean {
  if (Array.isArray(node)) return node.some(containsYield);
  if (!node || typeof node !== 'object') return false;
  const kind = (node as { kind?: unknown }).kind;
  if (kind === 'Yield') return true;
  if (typeof kind === 'string' && NEW_SCOPE.has(kind)) return false;
  for (const [key, value] of Object.entries(node)) {
    if (key !== 'span' && value && typeof value === 'object' && containsYield(value)) return true;
  }
  return false;
}
