// Jac's operator precedence applied to the flat `operand (op operand)*` list the parser reads.
// Levels follow jaclang 0.8.0's jac.lark, lowest first. Note where Jac differs from Python:
// bitwise operators bind *looser* than `and`/`or`, and unary minus binds tighter than `**`.
import type { BinOp, CmpOp, EdgeDir, EdgeOp, Expr, Keyword, Span, UnaryOp } from '../ast.ts';
import { type Context, join, report } from './context.ts';

export const Level = {
  pipe: 1, // |>
  pipeBack: 2, // <|
  bitOr: 3,
  bitXor: 4,
  bitAnd: 5,
  shift: 6,
  or: 7,
  and: 8,
  not: 9, // prefix
  compare: 10,
  arith: 11,
  term: 12,
  power: 13,
  unary: 14, // prefix - + ~
  connect: 15,
  atomicPipe: 16, // :>
  atomicPipeBack: 17, // <:
  spawn: 18,
} as const;

export type OpInfo =
  | { kind: 'binary'; level: number; op: BinOp }
  | { kind: 'compare'; level: number; op: CmpOp }
  | { kind: 'bool'; level: number; op: 'and' | 'or' }
  | { kind: 'pipe'; level: number; op: '|>' | '<|' | ':>' | '<:' }
  | { kind: 'connect'; level: number; dir: EdgeDir; edge: Expr | null; assigns: Keyword[] }
  | { kind: 'disconnect'; level: number; edgeOp: EdgeOp }
  | { kind: 'spawn'; level: number };

export interface Prefix {
  op: UnaryOp;
  span: Span;
}

export interface FlatOperand {
  prefixes: Prefix[];
  core: Expr;
}

const prefixLevel = (op: UnaryOp): number => (op === 'not' ? Level.not : Level.unary);

/** Builds the expression tree for `operands[0] ops[0] operands[1] ...`. */
export function applyPrecedence(cx: Context, operands: FlatOperand[], ops: OpInfo[]): Expr {
  // After an operand's core is read, `index` points at the next operand and the operator
  // between them is ops[index - 1].
  let index = 0;
  let prefixIndex = 0; // next unread prefix of operands[index]

  function parse(minLevel: number): Expr {
    let left = parseUnary(minLevel);
    let chain: Expr | null = null; // a Compare or BoolOp built by this loop, to extend
    while (index - 1 < ops.length) {
      const op = ops[index - 1];
      if (!op || op.level < minLevel) break;
      const right = parse(op.level + 1);
      const at = join(left.span, right.span);
      if (op.kind === 'compare') {
        if (chain?.kind === 'Compare' && chain === left) {
          chain.ops.push(op.op);
          chain.comparators.push(right);
          chain.span = at;
          continue;
        }
        left = chain = { kind: 'Compare', left, ops: [op.op], comparators: [right], span: at };
      } else if (op.kind === 'bool') {
        if (chain?.kind === 'BoolOp' && chain === left && chain.op === op.op) {
          chain.values.push(right);
          chain.span = at;
          continue;
        }
        left = chain = { kind: 'BoolOp', op: op.op, values: [left, right], span: at };
      } else {
        left = combine(op, left, right, at);
      }
    }
    return left;
  }

  function parseUnary(minLevel: number): Expr {
    const operand = operands[index];
    if (prefixIndex < operand.prefixes.length) {
      const prefix = operand.prefixes[prefixIndex++];
      const level = prefixLevel(prefix.op);
      if (level < minLevel) {
        const what = prefix.op === 'not' ? "'not'" : `unary '${prefix.op}'`;
        report(cx, 'JAC_SYNTAX_INVALID', `${what} cannot follow this operator without parentheses`, prefix.span);
      }
      const inner = parse(level);
      return { kind: 'Unary', op: prefix.op, operand: inner, span: join(prefix.span, inner.span) };
    }
    index++;
    prefixIndex = 0;
    return operand.core;
  }

  return parse(0);
}

function combine(op: OpInfo, left: Expr, right: Expr, span: Span): Expr {
  switch (op.kind) {
    case 'binary':
      return { kind: 'Binary', op: op.op, left, right, span };
    case 'pipe':
      return { kind: 'Pipe', op: op.op, left, right, span };
    case 'connect':
      return { kind: 'Connect', left, right, dir: op.dir, edge: op.edge, assigns: op.assigns, span };
    case 'disconnect':
      return { kind: 'Disconnect', left, right, op: op.edgeOp, span };
    case 'spawn':
      return { kind: 'Spawn', left, right, span };
    case 'compare':
    case 'bool':
      throw new Error('handled by the caller');
  }
}
