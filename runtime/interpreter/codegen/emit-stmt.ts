// Statements as JavaScript source, each doing what its closure in compile-stmt.ts does. Jac
// loops become JS loops (`break`/`continue` jump to their labels); a statement outside this set
// is the interpreter's closure, and the signal it gives (break, continue, return) is acted on.
import type * as A from '../../../grammar/ast.ts';
import { Return } from '../callables.ts';
import { compileStmt } from '../compile-stmt.ts';
import { compileStoreName, compileTarget } from '../compile-expr.ts';
import type { Emitter } from './emitter.ts';
import { emitExpr, emitLoad } from './emit-expr.ts';
import { AttributeSite } from './sites.ts';

/** The Jac loop a statement is in: where `continue` and `break` go. */
interface Loop {
  continueTo: string;
  breakTo: string;
  /** Run before jumping to the loop's head: errors raised there are the loop statement's. */
  beforeHead: string;
}

export function emitBlock(em: Emitter, body: A.Stmt[], loop: Loop | null, out: string[]): void {
  for (const s of body) emitStmt(em, s, loop, out);
}

function emitStmt(em: Emitter, s: A.Stmt, loop: Loop | null, out: string[]): void {
  switch (s.kind) {
    case 'ExprStmt':
      out.push(`${em.at(s)} ${emitExpr(em, s.expr)};`);
      return;
    case 'Assign':
      if (s.targets.length !== 1) break;
      out.push(`${em.at(s)} ${emitStore(em, s.targets[0], emitExpr(em, s.value))};`);
      return;
    case 'AnnAssign':
      if (s.value) out.push(`${em.at(s)} ${emitStore(em, s.target, emitExpr(em, s.value))};`);
      return;
    case 'AugAssign':
      if (!emitAugAssign(em, s, out)) break;
      return;
    case 'If':
      out.push(`${em.at(s)} if (isTrue(${emitExpr(em, s.test)})) {`);
      emitBlock(em, s.body, loop, out);
      if (s.orelse) {
        out.push('} else {');
        emitBlock(em, s.orelse, loop, out);
      }
      out.push('}');
      return;
    case 'While': {
      const label = em.label();
      out.push(`${label}: for (;;) {`, `${em.at(s)} if (!truthy(${emitExpr(em, s.test)})) break;`, 'rt.tick();');
      emitBlock(em, s.body, { continueTo: label, breakTo: label, beforeHead: '' }, out);
      out.push('}');
      return;
    }
    case 'ForIn':
      emitForIn(em, s, loop, out);
      return;
    case 'Return': {
      const signal = em.ref(new Return(null));
      // As the closure does: one signal per statement, refilled (see compile-stmt.ts).
      out.push(`${em.at(s)} ${signal}.value = ${s.value ? emitExpr(em, s.value) : 'null'}; return ${signal};`);
      return;
    }
    case 'Control':
      if (loop === null || (s.control !== 'break' && s.control !== 'continue')) break;
      out.push(s.control === 'break' ? `break ${loop.breakTo};` : `{ ${loop.beforeHead} continue ${loop.continueTo}; }`);
      return;
    default:
      break;
  }
  emitClosureStmt(em, s, loop, out);
}

/** A statement run by its closure (which locates its own errors); its signal is obeyed. */
function emitClosureStmt(em: Emitter, s: A.Stmt, loop: Loop | null, out: string[]): void {
  const run = `(sig = ${em.ref(compileStmt(em.rt, em.scope, s))}(f)) !== undefined`;
  if (loop === null) out.push(`if (${run}) return sig;`);
  else out.push(`if (${run}) { if (sig === BREAK) break ${loop.breakTo}; if (sig === CONTINUE) { ${loop.beforeHead} continue ${loop.continueTo}; } return sig; }`);
}

/** `target = value`: a slot of this frame directly; any other target through its closure. */
function emitStore(em: Emitter, target: A.Expr, value: string): string {
  const name = target.kind === 'Name' || (target.kind === 'Special' && (target.name === 'init' || target.name === 'postinit')) ? target.name : null;
  if (name !== null) {
    const r = em.scope.resolve(name);
    if (r.kind === 'local' && r.depth === 0) return `s[${r.index}] = ${value}`;
    return `${em.ref(compileStoreName(em.rt, em.scope, name))}(f, ${value})`;
  }
  if (target.kind === 'Attribute' && target.op === '.' && !target.nullSafe) {
    // The value first, then the object, as the closure does.
    const v = em.temp();
    return `(${v} = ${value}, ${em.ref(new AttributeSite(target.name))}.set(${emitExpr(em, target.object)}, ${v}))`;
  }
  return `${em.ref(compileTarget(em.rt, em.scope, target))}(f, ${value})`;
}

/** `x op= v` for a name: the int fast path of `+=` and `-=`, else `inPlace` (compile-stmt.ts). */
function emitAugAssign(em: Emitter, s: A.AugAssign, out: string[]): boolean {
  const t = s.target;
  if (t.kind === 'Name') {
    const load = emitLoad(em, t.name);
    if (load === null) return false;
    out.push(`${em.at(s)} ${emitStore(em, t, inPlaceOf(em, s, load))};`);
    return true;
  }
  if (t.kind === 'Attribute' && t.op === '.' && !t.nullSafe) {
    // As the closure: the object, its attribute, then the value.
    const o = em.temp();
    const site = em.ref(new AttributeSite(t.name));
    out.push(`${em.at(s)} ${o} = ${emitExpr(em, t.object)}; ${site}.set(${o}, ${inPlaceOf(em, s, `${site}.get(${o})`)});`);
    return true;
  }
  return false;
}

/** `current op= value`'s new value, ints added or subtracted inline. */
function inPlaceOf(em: Emitter, s: A.AugAssign, current: string): string {
  const op = s.op.slice(0, -1);
  const quoted = JSON.stringify(op);
  const value = emitExpr(em, s.value);
  if (op !== '+' && op !== '-') return `inPlace(${quoted}, ${current}, ${value})`;
  const [a, b, r] = [em.temp(), em.temp(), em.temp()];
  return `(${a} = ${current}, ${b} = ${value}, typeof ${a} === 'number' && typeof ${b} === 'number' && Number.isSafeInteger(${r} = ${a} ${op} ${b}) ? ${r} : inPlace(${quoted}, ${a}, ${b}))`;
}

/**
 * `for x in xs { … } else { … }`: a JS for-of over `iterate(xs)`, as the closure runs it; an
 * innermost loop over a range also gets a counting loop (the same numbers, without an iterator).
 * `break` leaves the labelled block around both, skipping the `else`.
 */
function emitForIn(em: Emitter, s: A.ForIn, outer: Loop | null, out: string[]): void {
  const [block, items, item] = [em.label(), em.temp(), em.temp()];
  out.push(`${em.at(s)} ${items} = ${emitExpr(em, s.iter)};`, `${block}: {`);
  const at = em.at(s);
  const body = (head: string) => {
    const label = em.label();
    out.push(`${label}: ${head} {`, `${at} rt.tick(); ${emitStore(em, s.target, item)};`);
    emitBlock(em, s.body, { continueTo: label, breakTo: block, beforeHead: at }, out);
    out.push(`${at} }`);
  };
  if (!containsLoop(s.body)) {
    const [stop, step] = [em.temp(), em.temp()];
    out.push(`if (${items} instanceof PyRange) {`);
    body(`for (${item} = ${items}.start, ${stop} = ${items}.stop, ${step} = ${items}.step; ${step} > 0 ? ${item} < ${stop} : ${item} > ${stop}; ${item} += ${step})`);
    out.push('} else {');
    body(`for (${item} of iterate(${items}))`);
    out.push('}');
  } else {
    body(`for (${item} of iterate(${items}))`);
  }
  if (s.orelse) emitBlock(em, s.orelse, outer, out);
  out.push('}');
}

/** Whether `stmts` hold a loop (outside nested functions): such a loop body is emitted once. */
function containsLoop(stmts: A.Stmt[] | null): boolean {
  return (stmts ?? []).some((s) => {
    switch (s.kind) {
      case 'ForIn':
      case 'ForTo':
      case 'While':
        return true;
      case 'If':
        return containsLoop(s.body) || containsLoop(s.orelse);
      case 'Try':
        return containsLoop(s.body) || s.handlers.some((h) => containsLoop(h.body)) || containsLoop(s.orelse) || containsLoop(s.finalbody);
      case 'With':
        return containsLoop(s.body);
      default:
        return false;
    }
  });
}
