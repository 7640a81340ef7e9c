// `jac-serve run file.jac`: run a program; stdout as the reference's `jac run` writes it,
// errors as `file:line:col: Type: message` with a code frame and the Jac-level trace.
import { readFileSync } from 'node:fs';
import { codeFrame, formatDiagnostic, parse } from '../grammar/index.ts';
import { runModule, type RunOptions } from '../runtime/interpreter/run.ts';
import { PersistentGraph, SUPER_ROOT_ID } from '../runtime/store/persistent-graph.ts';
import { type GraphStore, type RootLease, StoreError } from '../runtime/store/store.ts';
import { UsageError } from './files.ts';
import { openStore, type StoreTarget } from './store-target.ts';

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

/**
 * `jac-serve run --data DIR file.jac`: runs against the data dir's root (Jac Cloud's super root),
 * so a second run sees the graph the first one left. What the run changed is committed when it
 * ends, also when it ends in an error (as Jac Cloud commits a failed request's changes).
 * `--store URL` does the same in a PostgreSQL store, holding the root (lockRoot) from its read
 * to its commit, so servers on that store do not interleave with it.
 */
export async function runFileWithStore(file: string, target: StoreTarget, streams: RunStreams, options: RunOptions = {}): Promise<number> {
  const store = await openStore(target);
  let lease: RootLease | null = null;
  try {
    lease = store.lockRoot ? await store.lockRoot(SUPER_ROOT_ID) : null;
    const held = lease;
    const source: GraphStore = held ? { location: store.location, loadGraph: () => held.load(), commitGraph: async (_root, change) => void (await held.commit(change)) } : store;
    const graph = await PersistentGraph.open(source, SUPER_ROOT_ID);
    let status: number;
    try {
      status = runFile(file, streams, { ...options, root: graph.root, graph, bindTypes: (resolve) => graph.bindTypes(resolve) });
    } catch (e) {
      if (e instanceof StoreError) throw new UsageError(e.message);
      throw e;
    }
    try {
      await graph.commit();
    } catch (e) {
      if (!(e instanceof StoreError)) throw e;
      streams.err(`${file}: the graph was not saved: ${e.message}\n`);
      return 1;
    }
    return status;
  } catch (e) {
    if (e instanceof StoreError) throw new UsageError(e.message);
    throw e;
  } finally {
    await lease?.release();
    await store.close();
  }
}
