// A function body compiled to one JavaScript function. The closures of compile-stmt.ts share
// their code between every Jac function, so V8 sees each of their calls reach many targets and
// cannot inline them; a body of its own gives each Jac function code V8 optimises for it alone
// (a recursive fib runs about twice as fast). The generated code does what the closures do, in
// the same order, through the same runtime functions; what it does not handle is the closure,
// called from it. Nothing from the program is written into the source except string literals
// (as JSON) and numbers: every other value is passed in `k`.
import type * as A from '../../../grammar/ast.ts';
import { locatable } from '../../values/errors.ts';
import { PyBoundMethod } from '../archetypes.ts';
import { BREAK, CONTINUE, NO_KWARGS, PyRange, type Exec } from '../callables.ts';
import { invoke } from '../compile-call.ts';
import { compareOp, type Runtime } from '../compile-expr.ts';
import { inPlace } from '../compile-stmt.ts';
import { isTrue } from '../fast-paths.ts';
import { binary, unary } from '../operators.ts';
import { getAttribute, getItem, iterate } from '../protocols.ts';
import { type Scope, UNBOUND } from '../scope.ts';
import { truthy } from '../../values/compare.ts';
import { Emitter } from './emitter.ts';
import { emitBlock } from './emit-stmt.ts';


/** What the generated code calls, by these names. */
const HELPERS: Record<string, unknown> = {
  U: UNBOUND,
  NOKW: NO_KWARGS,
  BREAK,
  CONTINUE,
  PyBoundMethod,
  PyRange,
  binary,
  inPlace,
  unary,
  isTrue,
  truthy,
  compareOp,
  getAttribute,
  getItem,
  iterate,
  locatable,
  invoke,
};
const helperNames = Object.keys(HELPERS);
const helperValues = helperNames.map((n) => HELPERS[n]);

/** The body of a function whose scope is `scope`, as one JS function. */
export function compileBodyToJs(rt: Runtime, scope: Scope, body: A.Stmt[]): Exec {
  const em = new Emitter(rt, scope, alwaysBound(scope, body));
  const out: string[] = [];
  emitBlock(em, body, null, out);
  const spans = em.ref(em.spans);
  const locals = ['at = 0', 'sig', ...em.tempNames].join(', ');
  const source = `"use strict";
return function jac(f) {
const s = f.slots;
let ${locals};
try {
${out.join('\n')}
return undefined;
} catch (e) {
if (locatable(e) && e.span === null) e.span = ${spans}[at] ?? null;
throw e;
}
};`;
  // eslint-disable-next-line @typescript-eslint/no-implied-eval -- the point: see the top of this file
  const make = new Function('k', 'rt', ...helperNames, source) as (...args: unknown[]) => Exec;
  return make(em.refs, rt, ...helperValues);
}

/** The parameters' slots, less those a `del` or an `except … as` of the same name may unbind. */
function alwaysBound(scope: Scope, body: A.Stmt[]): Set<number> {
  const unbinds = new Set<string>();
  collectUnbinding(body, unbinds);
  const slots = new Set<number>();
  for (const [name, index] of scope.locals) if (index < scope.params && !unbinds.has(name)) slots.add(index);
  return slots;
}

/** Names deleted or used as an exception handler's name anywhere under `node`. */
function collectUnbinding(node: unknown, names: Set<string>): void {
  if (Array.isArray(node)) {
    for (const x of node) collectUnbinding(x, names);
    return;
  }
  if (!node || typeof node !== 'object') return;
  const n = node as { kind?: string; target?: unknown; name?: unknown; handlers?: { name: string | null }[] };
  if (n.kind === 'Delete') collectNames(n.target, names);
  if (n.kind === 'Try') for (const h of n.handlers ?? []) if (h.name) names.add(h.name);
  for (const [key, value] of Object.entries(node)) if (key !== 'span' && value && typeof value === 'object') collectUnbinding(value, names);
}

function collectNames(node: unknown, names: Set<string>): void {
  if (Array.isArray(node)) node.forEach((x) => collectNames(x, names));
  else if (node && typeof node === 'object') {
    const n = node as { kind?: string; name?: unknown };
    if ((n.kind === 'Name' || n.kind === 'Special') && typeof n.name === 'string') names.add(n.name);
    for (const [key, value] of Object.entries(node)) if (key !== 'span' && value && typeof value === 'object') collectNames(value, names);
  }
}
