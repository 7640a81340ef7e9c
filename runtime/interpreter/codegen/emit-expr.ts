// Expressions as JavaScript source. Each construct here does what its closure in
// compile-expr.ts does, in the same order and through the same runtime functions (and the same
// int fast paths as fast-paths.ts); anything else is that closure itself, called as `k[i](f)`.
import type * as A from '../../../grammar/ast.ts';
import { float } from '../../values/numbers.ts';
import { KeywordCall } from '../compile-call.ts';
import { compileError, compileExpr, compileLoad } from '../compile-expr.ts';
import { smallIntLiteral } from '../fast-paths.ts';
import { Globals } from '../globals.ts';
import type { Emitter } from './emitter.ts';
import { AttributeSite } from './sites.ts';

export function emitExpr(em: Emitter, e: A.Expr): string {
  try {
    return emitKnown(em, e) ?? closure(em, e);
  } catch (err) {
    throw compileError(err, e);
  }
}

/** The expression compiled as a closure by the interpreter, called from the generated code. */
function closure(em: Emitter, e: A.Expr): string {
  return `${em.ref(compileExpr(em.rt, em.scope, e))}(f)`;
}

function emitKnown(em: Emitter, e: A.Expr): string | null {
  switch (e.kind) {
    case 'Name':
      return emitLoad(em, e.name);
    case 'Special':
      return e.name === 'self' || e.name === 'init' || e.name === 'postinit' ? emitLoad(em, e.name) : null;
    case 'Int': {
      const n = smallIntLiteral(e);
      return n === null ? null : `(${n})`;
    }
    case 'Float':
      return em.ref(float(e.value));
    case 'Str':
      return e.isBytes ? null : JSON.stringify(e.value);
    case 'Constant':
      return e.value === true ? 'true' : e.value === false ? 'false' : e.value === null ? 'null' : null;
    case 'Binary':
      return emitBinary(em, e);
    case 'Compare':
      return e.ops.length === 1 ? emitCompare(em, e.ops[0], e.left, e.comparators[0]) : null;
    case 'BoolOp':
      return emitBoolOp(em, e);
    case 'Unary':
      return e.op === 'not' ? `!isTrue(${emitExpr(em, e.operand)})` : `unary(${JSON.stringify(e.op)}, ${emitExpr(em, e.operand)})`;
    case 'Ternary':
      return `(truthy(${emitExpr(em, e.test)}) ? ${emitExpr(em, e.body)} : ${emitExpr(em, e.orelse)})`;
    case 'Attribute':
      return e.op === '.' && !e.nullSafe ? `${em.ref(new AttributeSite(e.name))}.get(${emitExpr(em, e.object)})` : null;
    case 'Index':
      return e.index.kind === 'Slice' || e.nullSafe ? null : `getItem(${emitExpr(em, e.object)}, ${emitExpr(em, e.index)}, false)`;
    case 'Call':
      return emitCall(em, e);
    default:
      return null;
  }
}

/**
 * A name: a slot of this frame, read directly when it is a parameter nothing unbinds, else
 * checked (the interpreter's closure raises the UnboundLocalError); or a global's cell, with the
 * closure finding a builtin or raising NameError when the cell is empty.
 */
export function emitLoad(em: Emitter, name: string): string | null {
  const r = em.scope.resolve(name);
  if (r.kind === 'local') {
    if (r.depth !== 0) return null;
    if (em.alwaysBound.has(r.index)) return `s[${r.index}]`;
    const t = em.temp();
    return `((${t} = s[${r.index}]) !== U ? ${t} : ${em.ref(compileLoad(em.rt, em.scope, name))}(f))`;
  }
  const { globals } = em.rt;
  if (!(globals instanceof Globals)) return null;
  const t = em.temp();
  return `((${t} = ${em.ref(globals.cell(name))}.value) !== undefined ? ${t} : ${em.ref(compileLoad(em.rt, em.scope, name))}(f))`;
}

function emitBinary(em: Emitter, e: A.Binary): string {
  const op = JSON.stringify(e.op);
  const left = emitExpr(em, e.left);
  if (e.op !== '+' && e.op !== '-' && e.op !== '*') return `binary(${op}, ${left}, ${emitExpr(em, e.right)})`;
  const [a, r] = [em.temp(), em.temp()];
  const k = smallIntLiteral(e.right);
  if (k !== null && e.op !== '*') {
    return `(${a} = ${left}, typeof ${a} === 'number' && Number.isSafeInteger(${r} = ${a} ${e.op} ${k}) ? ${r} : binary(${op}, ${a}, ${k}))`;
  }
  const b = em.temp();
  // 0 from `*` may be -0 in JS: the general path makes it 0.
  const exact = e.op === '*' ? `Number.isSafeInteger(${r} = ${a} * ${b}) && ${r} !== 0` : `Number.isSafeInteger(${r} = ${a} ${e.op} ${b})`;
  return `(${a} = ${left}, ${b} = ${emitExpr(em, e.right)}, typeof ${a} === 'number' && typeof ${b} === 'number' && ${exact} ? ${r} : binary(${op}, ${a}, ${b}))`;
}

const NUMERIC_COMPARE: Partial<Record<A.CmpOp, string>> = { '<': '<', '<=': '<=', '>': '>', '>=': '>=', '==': '===', '!=': '!==' };

function emitCompare(em: Emitter, op: A.CmpOp, leftExpr: A.Expr, rightExpr: A.Expr): string {
  const left = emitExpr(em, leftExpr);
  const jsOp = NUMERIC_COMPARE[op];
  const quoted = JSON.stringify(op);
  if (jsOp === undefined) return `compareOp(${quoted}, ${left}, ${emitExpr(em, rightExpr)})`;
  const a = em.temp();
  const k = smallIntLiteral(rightExpr);
  if (k !== null) return `(${a} = ${left}, typeof ${a} === 'number' ? ${a} ${jsOp} ${k} : compareOp(${quoted}, ${a}, ${k}))`;
  const b = em.temp();
  return `(${a} = ${left}, ${b} = ${emitExpr(em, rightExpr)}, typeof ${a} === 'number' && typeof ${b} === 'number' ? ${a} ${jsOp} ${b} : compareOp(${quoted}, ${a}, ${b}))`;
}

/** `a and b and c`: the first value that decides, else the last. */
function emitBoolOp(em: Emitter, e: A.BoolOp): string {
  const t = em.temp();
  const decides = e.op === 'and' ? `!truthy(${t})` : `truthy(${t})`;
  let js = emitExpr(em, e.values[e.values.length - 1]);
  for (let i = e.values.length - 2; i >= 0; i--) js = `(${t} = ${emitExpr(em, e.values[i])}, ${decides} ? ${t} : ${js})`;
  return js;
}

/**
 * A call: callee, then positional arguments, then keyword values, each into a temporary. A
 * Jac function is called directly; a method found on an instance's class without a bound
 * method; keywords through a `KeywordCall` of this site's own. `*args`, `**kwargs` and `by`
 * calls are the closure's.
 */
function emitCall(em: Emitter, e: A.Call): string | null {
  if (e.by || e.args.some((x) => x.kind === 'Starred') || e.keywords.some((k) => k.name === null)) return null;
  const func = e.func;
  if (e.keywords.length > 0) {
    const c = em.temp();
    const site = em.ref(new KeywordCall(e.keywords.map((k) => k.name!)));
    const [assign, args] = emitArguments(em, e.args);
    const [assignKw, values] = emitArguments(em, e.keywords.map((k) => k.value));
    return `(${[`${c} = ${emitExpr(em, func)}`, ...assign, ...assignKw].join(', ')}, ${site}.call(${c}, [${args.join(', ')}], [${values.join(', ')}]))`;
  }
  if (func.kind === 'Attribute' && func.op === '.' && !func.nullSafe) {
    const [o, fn, m] = [em.temp(), em.temp(), em.temp()];
    const site = em.ref(new AttributeSite(func.name));
    const lookup = [`${o} = ${emitExpr(em, func.object)}`, `${fn} = ${site}.method(${o})`, `${m} = ${fn} ?? getAttribute(${o}, ${JSON.stringify(func.name)})`];
    const [assign, args] = emitArguments(em, e.args);
    const list = args.map((a) => `, ${a}`).join('');
    return `(${[...lookup, ...assign].join(', ')}, ${fn} !== null ? ${fn}.call([${o}${list}], NOKW) : ${m} instanceof PyBoundMethod ? ${m}.fn.call([${m}.self${list}], NOKW) : invoke(${m}, [${args.join(', ')}]))`;
  }
  const c = em.temp();
  const [assign, args] = emitArguments(em, e.args);
  return `(${[`${c} = ${emitExpr(em, func)}`, ...assign].join(', ')}, invoke(${c}, [${args.join(', ')}]))`;
}

/** Each argument evaluated into a temporary, in order: the assignments and the temporaries. */
function emitArguments(em: Emitter, args: A.Expr[]): [string[], string[]] {
  const temps = args.map(() => em.temp());
  return [args.map((x, i) => `${temps[i]} = ${emitExpr(em, x)}`), temps];
}
