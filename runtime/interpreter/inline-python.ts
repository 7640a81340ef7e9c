// `::py:: … ::py::` blocks hold Python source, which jac-serve cannot run: the program is refused
// at load with one diagnostic at the block, saying what to do instead, rather than failing later
// (or running without code the author meant to run).
import type * as A from '../../grammar/ast.ts';

export class InlinePython extends Error {
  readonly code = 'JAC_LOAD_INLINE_PYTHON';

  constructor(
    message: string,
    readonly span: A.Span,
  ) {
    super(message);
  }
}

/**
 * The error for `block`, found in the body of the class `owner` (its qualified name) or at the
 * top level. A user model's `class Collection` needs no Python here: its fields are stored and
 * read back as they are.
 */
export function inlinePython(block: A.PyInline, owner: string | null = null): InlinePython {
  let message = 'inline Python (::py:: ... ::py::) cannot run in jac-serve: rewrite this block in Jac';
  if (owner !== null && (owner === 'Collection' || owner.endsWith('.Collection'))) {
    message += "; a User model's Collection needs no code (custom user fields are stored and read back as they are), so the class can go";
  }
  return new InlinePython(message, block.span);
}
