// Runs the mutation fuzz loop off the main thread, so a hang shows as a timeout in the test.
import { readFileSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { formatDiagnostic, parse } from '../../grammar/index.ts';
import { syntaxCodes } from '../../grammar/diagnostics.ts';
import { jacLexer } from '../../grammar/tokens.ts';

interface Job {
  files: string[];
  mutations: number;
  seed: number;
}

const { files, mutations, seed } = workerData as Job;

// A small deterministic PRNG (mulberry32), so a failure can be replayed from its seed.
let state = seed >>> 0;
function random(): number {
  state = (state + 0x6d2b79f5) >>> 0;
  let t = state;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const pick = <T>(xs: T[]): T => xs[Math.floor(random() * xs.length)];

type Range = [number, number];
const sources = files.map((f) => readFileSync(f, 'utf8'));
const ranges = sources.map((s) => jacLexer.tokenize(s).tokens.map((t): Range => [t.startOffset, t.endOffset! + 1]));

function mutate(source: string, tokens: Range[]): { text: string; how: string } {
  const [s, e] = pick(tokens);
  const other = pick(tokens);
  const piece = source.slice(other[0], other[1]);
  switch (Math.floor(random() * 6)) {
    case 0:
      return { text: source.slice(0, s) + source.slice(e), how: `delete ${s}-${e}` };
    case 1:
      return { text: source.slice(0, e) + ' ' + source.slice(s, e) + source.slice(e), how: `duplicate ${s}-${e}` };
    case 2: {
      // swap this token with the next one
      const i = tokens.findIndex((r) => r[0] === s);
      const next = tokens[i + 1];
      if (!next) return { text: source.slice(0, s), how: `truncate ${s}` };
      const a = source.slice(s, e);
      const b = source.slice(next[0], next[1]);
      return { text: source.slice(0, s) + b + source.slice(e, next[0]) + a + source.slice(next[1]), how: `swap ${s}` };
    }
    case 3:
      return { text: source.slice(0, s) + piece + ' ' + source.slice(s), how: `insert ${piece} at ${s}` };
    case 4:
      return { text: source.slice(0, s), how: `truncate ${s}` };
    default: {
      const junk = pick(['"', "'", '{', '}', '(', ')', '[', ']', '`', '#*', '!', '\\', '\u0000', 'f"{', '::py::', ':g:', '<-:', '+>:']);
      return { text: source.slice(0, s) + junk + source.slice(s), how: `junk ${JSON.stringify(junk)} at ${s}` };
    }
  }
}

let withErrors = 0;
for (let n = 0; n < mutations; n++) {
  const k = Math.floor(random() * sources.length);
  if (ranges[k].length === 0) continue;
  const { text, how } = mutate(sources[k], ranges[k]);
  const where = `${files[k]} (${how}, mutation ${n}, seed ${seed})`;
  let result;
  try {
    result = parse(text, 'fuzz.jac');
  } catch (error) {
    parentPort!.postMessage({ ok: false, problem: `parse threw on ${where}: ${(error as Error).stack}` });
    process.exit(0);
  }
  const problem =
    result.module && result.diagnostics.length > 0
      ? 'an AST came back with diagnostics'
      : !result.module && result.diagnostics.length === 0
        ? 'no AST and no diagnostic'
        : result.diagnostics.find((d) => !(d.code in syntaxCodes) || !d.message || d.span.line < 1 || d.span.col < 1 || d.span.offset > text.length)
          ? 'a diagnostic with an unknown code, no message, or a position outside the file'
          : null;
  if (problem) {
    parentPort!.postMessage({ ok: false, problem: `${problem} on ${where}` });
    process.exit(0);
  }
  for (const d of result.diagnostics) formatDiagnostic(d, text); // must not throw either
  if (!result.module) withErrors++;
}
parentPort!.postMessage({ ok: true, withErrors });
