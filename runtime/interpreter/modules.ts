// Imports of sibling .jac files: `import m;`, `import from .m { X, Y as Z }`, `include m;`.
// A module runs once per program run; its `with entry:__main__` blocks run only when it is the
// program itself. Python modules cannot be imported: that is a load error naming the import.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type * as A from '../../grammar/ast.ts';
import { PyError } from '../values/errors.ts';
import type { PyObject, Value } from '../values/value.ts';

/** A module as a value (`import m;` then `m.X`). */
export class PyModule implements PyObject {
  constructor(
    readonly name: string,
    readonly globals: Map<string, Value>,
  ) {}

  pyTypeName(): string {
    return 'module';
  }

  pyRepr(): string {
    return `<module '${this.name}'>`;
  }
}

/** A problem found before the program runs: an import that cannot be satisfied. */
export class LoadError extends Error {
  constructor(
    message: string,
    readonly span: A.Span,
  ) {
    super(message);
  }
}

/** The .jac file an import path names, relative to the importing file. */
export function resolveImport(fromFile: string, path: A.ImportPath): string {
  let base = dirname(resolve(fromFile));
  for (let i = 1; i < path.dots; i++) base = dirname(base);
  const file = join(base, ...path.names) + '.jac';
  if (existsSync(file)) return file;
  const shown = '.'.repeat(path.dots) + path.names.join('.');
  const hint = path.dots === 0 ? ': it is not a .jac file beside this one, and Python modules cannot be imported by jac-serve' : '';
  throw new LoadError(`cannot import '${shown}'${hint}`, path.span);
}

export function readModule(file: string): string {
  return readFileSync(file, 'utf8');
}

export function missingName(module: string, name: string): PyError {
  return new PyError('ImportError', `cannot import name '${name}' from '${module}'`);
}

/**
 * A LoadError at the first of `items` that the provided (standard or host) module `module`
 * lacks, naming what it does provide: the program cannot use a Python module's other names.
 */
export function checkProvided(module: string, globals: Map<string, Value>, items: A.ImportItem[]): void {
  const missing = items.find((item) => !globals.has(item.name));
  if (!missing) return;
  const names = [...globals.keys()].filter((n) => !n.startsWith('_'));
  throw new LoadError(`cannot import name '${missing.name}' from '${module}': jac-serve provides only ${names.join(', ')} of it`, missing.span);
}
