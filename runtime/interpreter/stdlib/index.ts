// The Python standard modules jac-serve provides natively. Any other Python import stays a load
// error naming the import, since the interpreter cannot run Python code.
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type * as A from '../../../grammar/ast.ts';
import type { Value } from '../../values/value.ts';
import { iterate } from '../protocols.ts';
import { mathModule } from './math.ts';
import { pythonShims } from '../python-shims.ts';

const modules: Record<string, () => Map<string, Value>> = {
  math: () => mathModule(iterate),
  ...pythonShims,
};

/** Modules the program's host provides (the server's `jac_cloud.plugin.implementation`), by dotted name. */
export type HostModules = Record<string, () => Map<string, Value>>;

/**
 * The standard module `import math;` names (or a host module), or null. A sibling `math.jac` wins, as it does in
 * jaclang, whose importer looks for Jac modules first.
 */
export function standardModule(fromFile: string, path: A.ImportPath, hostModules: HostModules = {}): { name: string; run(): Map<string, Value> } | null {
  const [name, ...rest] = path.names;
  const dotted = path.names.join('.');
  if (path.dots === 0 && Object.hasOwn(hostModules, dotted)) {
    let host: Map<string, Value> | null = null;
    return { name: dotted, run: () => (host ??= hostModules[dotted]()) };
  }
  const make = path.dots === 0 && rest.length === 0 && Object.hasOwn(modules, name) ? modules[name] : null;
  if (!make || existsSync(join(dirname(resolve(fromFile)), `${name}.jac`))) return null;
  let globals: Map<string, Value> | null = null;
  return { name, run: () => (globals ??= make()) };
}
