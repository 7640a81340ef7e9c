// `jac-serve check`: parse files and print every diagnostic with its code frame; files that
// parse are then loaded as the server would load them (their walkers' `__specs__` checked).
import { readFileSync } from 'node:fs';
import { formatDiagnostic, parse, type Diagnostic } from '../grammar/index.ts';
import { loadApp, LoadFailure } from '../server/loader.ts';
import { jacFilesIn } from './files.ts';

export interface CheckResult {
  files: number;
  errors: number;
  diagnostics: Diagnostic[];
}

/** Checks every path; writes diagnostics and a summary line to `write`. */
export function check(paths: string[], write: (text: string) => void): CheckResult {
  const all: Diagnostic[] = [];
  let count = 0;
  for (const path of paths) {
    const files = jacFilesIn(path);
    count += files.length;
    let parsed = true;
    for (const file of files) {
      const source = readFileSync(file, 'utf8');
      const { diagnostics } = parse(source, file);
      for (const d of diagnostics) write(formatDiagnostic(d, source) + '\n');
      all.push(...diagnostics);
      parsed &&= diagnostics.every((d) => d.severity !== 'error');
    }
    if (!parsed) continue;
    try {
      loadApp(files, () => undefined, { runEntries: false });
    } catch (e) {
      if (!(e instanceof LoadFailure)) throw e;
      for (const { diagnostic, source } of e.diagnostics) write(formatDiagnostic(diagnostic, source) + '\n');
      all.push(...e.diagnostics.map((d) => d.diagnostic));
    }
  }
  const errors = all.filter((d) => d.severity === 'error').length;
  const noun = count === 1 ? 'file' : 'files';
  write(errors === 0 ? `checked ${count} ${noun}: no problems\n` : `checked ${count} ${noun}: ${errors} error${errors === 1 ? '' : 's'}\n`);
  return { files: count, errors, diagnostics: all };
}
