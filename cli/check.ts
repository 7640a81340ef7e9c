// `jac-serve check`: parse files and print every diagnostic with its code frame.
import { readFileSync } from 'node:fs';
import { formatDiagnostic, parse, type Diagnostic } from '../grammar/index.ts';
import { jacFilesIn } from './files.ts';

export interface CheckResult {
  files: number;
  errors: number;
  diagnostics: Diagnostic[];
}

/** Checks every path; writes diagnostics and a summary line to `write`. */
export function check(paths: string[], write: (text: string) => void): CheckResult {
  const files = paths.flatMap((p) => jacFilesIn(p));
  const all: Diagnostic[] = [];
  for (const file of files) {
    const source = readFileSync(file, 'utf8');
    const { diagnostics } = parse(source, file);
    for (const d of diagnostics) write(formatDiagnostic(d, source) + '\n');
    all.push(...diagnostics);
  }
  const errors = all.filter((d) => d.severity === 'error').length;
  const noun = files.length === 1 ? 'file' : 'files';
  write(errors === 0 ? `checked ${files.length} ${noun}: no problems\n` : `checked ${files.length} ${noun}: ${errors} error${errors === 1 ? '' : 's'}\n`);
  return { files: files.length, errors, diagnostics: all };
}
