// `jac-serve run file.jac`: run a program; stdout as the reference's `jac run` writes it,
// errors as `file:line:col: Type: message` with a code frame and the Jac-level trace.
import { readFileSync } from 'node:fs';
import { codeFrame, formatDiagnostic, parse } from '../grammar/index.ts';
import { runModule, type RunOptions } from '../runtime/interpreter/run.ts';
import { UsageError } from './files.ts';

export interface RunStreams {
  out: (text: string) => void;
  err: (text: string) => void;
}

/** Runs `file`; returns the exit status (0 when the program ended normally). */
export function runFile(file: string, streams: RunStreams, options: RunOptions = {}): number {
  let source: string;
  try {
    source = readFileSync(file, 'utf8');
  } catch {
    throw new UsageError(`cannot read ${file}`);
  }
  const { module, diagnostics } = parse(source, file);
  if (!module) {
    for (const d of diagnostics) streams.err(formatDiagnostic(d, source) + '\n');
    return 1;
  }
  const result = runModule(module, streams.out, options, file);
  if (result.unsupported) {
    streams.err(formatDiagnostic(result.unsupported, source) + '\n');
    return 1;
  }
  const error = result.errorDetail;
  if (!error) return 0;
  const where = error.span ? `${file}:${error.span.line}:${error.span.col}: ` : `${file}: `;
  streams.err(`${where}${result.error}\n`);
  if (error.span) streams.err(codeFrame(source, error.span) + '\n');
  for (const name of error.trace) streams.err(`  in ${name}\n`);
  return 1;
}
