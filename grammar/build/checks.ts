// Checks on built AST nodes for things the grammar accepts but the language forbids.
import type * as A from '../ast.ts';
import { type Context, report } from './context.ts';

/** Reports targets that cannot be assigned to (`f() = 1`, `a + b = 1`, `(x, 1) = ...`). */
export function checkTarget(cx: Context, target: A.Expr, what: string): void {
  switch (target.kind) {
    case 'Name':
    case 'Attribute':
    case 'Index':
      return;
    case 'Special':
      if (target.name !== 'init' && target.name !== 'postinit') {
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

/** `del` takes names, attributes, items, and graph elements (nodes, edges, edge references). */
export function checkDeleteTarget(cx: Context, target: A.Expr): void {
  if (target.kind === 'Tuple' || target.kind === 'List') {
    for (const e of target.elts) checkDeleteTarget(cx, e);
    return;
  }
  const deletable = ['Name', 'Attribute', 'Index', 'Special', 'EdgeRef', 'FilterCompr', 'Call'];
  if (!deletable.includes(target.kind)) report(cx, 'JAC_SYNTAX_INVALID_TARGET', 'cannot delete this expression', target.span);
}

export function checkUniqueParams(cx: Context, params: A.Param[]): void {
  const seen = new Set<string>();
  for (const p of params) {
    if (seen.has(p.name)) report(cx, 'JAC_SYNTAX_INVALID', `duplicate parameter '${p.name}'`, p.span);
    seen.add(p.name);
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
