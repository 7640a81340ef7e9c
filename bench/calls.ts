// Function-call cost: recursive fib, a method called in a loop and calls with keyword
// arguments, each run through the interpreter and written in plain JS in the same process; the
// times are printed with their ratio to plain JS.
// Run: npm run bench:calls   (target: fib within 10× plain JS)
import { parse } from '../grammar/index.ts';
import { PyInstance } from '../runtime/interpreter/archetypes.ts';
import { RootClass } from '../runtime/interpreter/graph.ts';
import { Program } from '../runtime/interpreter/run.ts';

interface Case {
  name: string;
  jac: string;
  js: () => string;
}

const fibJac = (n: number) => `
def fib(n: int) -> int {
    if n < 2 { return n; }
    return fib(n - 1) + fib(n - 2);
}
with entry { print(fib(${n})); }
`;

function fibJs(n: number): number {
  if (n < 2) return n;
  return fibJs(n - 1) + fibJs(n - 2);
}

const LOOP = 1_000_000;

const methodJac = `
obj Counter {
    has total: int = 0;
    def add(k: int) -> int { self.total += k; return self.total; }
}
with entry {
    c = Counter();
    for i in range(${LOOP}) { c.add(i); }
    print(c.total);
}
`;

class Counter {
  total = 0;
  add(k: number): number {
    this.total += k;
    return this.total;
  }
}

function methodJs(): string {
  const c = new Counter();
  for (let i = 0; i < LOOP; i++) c.add(i);
  return `${c.total}\n`;
}

const keywordJac = `
def area(width: int, height: int = 1) -> int { return width * height; }
with entry {
    t = 0;
    for i in range(${LOOP}) { t += area(height=2, width=i); }
    print(t);
}
`;

function areaJs({ width, height = 1 }: { width: number; height?: number }): number {
  return width * height;
}

function keywordJs(): string {
  let t = 0;
  for (let i = 0; i < LOOP; i++) t += areaJs({ height: 2, width: i });
  return `${t}\n`;
}

const cases: Case[] = [
  { name: 'fib(25)', jac: fibJac(25), js: () => `${fibJs(25)}\n` },
  { name: 'fib(30)', jac: fibJac(30), js: () => `${fibJs(30)}\n` },
  { name: `method call ×${LOOP.toLocaleString('en')}`, jac: methodJac, js: methodJs },
  { name: `keyword call ×${LOOP.toLocaleString('en')}`, jac: keywordJac, js: keywordJs },
];

function time<T>(f: () => T): [T, number] {
  const t = performance.now();
  const r = f();
  return [r, performance.now() - t];
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Parses and compiles `source`; running the result gives what it printed. */
function compileJac(source: string): () => string {
  const { module, diagnostics } = parse(source, 'calls.jac');
  if (!module) throw new Error(`the bench program does not parse: ${diagnostics[0]?.message}`);
  let out = '';
  const program = Program.compile(module, 'calls.jac', (text) => (out += text));
  if (!(program instanceof Program)) throw new Error(`the bench program does not compile: ${program.message}`);
  return () => {
    out = '';
    const { error } = program.runMain(new PyInstance(RootClass));
    if (error) throw new Error(`the bench program failed: ${error.type}: ${error.message}`);
    return out;
  };
}

// Each case: its first parse + compile + run in this process ("cold", JIT warm-up included);
// then the median of 5 more runs of the same compiled program ("warm", as the server runs a
// walker per request); then the median of 5 parse + compile + runs of fresh copies
// ("recompiled": V8 has seen other copies of the same closures, so its calls are polymorphic).
// The plain JS runs between them, so both see the same machine load.
const rounds = 5;
const report = (ms: number, js: number) => `${ms.toFixed(0).padStart(4)} ms ${`(${(ms / js).toFixed(1)}×)`.padEnd(8)}`;
for (const c of cases) {
  const [[first], cold] = time(() => {
    const run = compileJac(c.jac);
    return [run(), run] as const;
  });
  const run = compileJac(c.jac);
  const warm: number[] = [];
  const fresh: number[] = [];
  const jsTimes: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const [out, ms] = time(run);
    const [again, ms2] = time(() => compileJac(c.jac)());
    const [js, msJs] = time(c.js);
    if (out !== first || again !== first || js !== first) throw new Error(`${c.name}: different results: ${out.trim()} / ${js.trim()}`);
    warm.push(ms);
    fresh.push(ms2);
    jsTimes.push(msJs);
  }
  const js = median(jsTimes);
  console.log(
    `${c.name.padEnd(23)} plain JS ${js.toFixed(1).padStart(5)} ms; jac-serve cold ${report(cold, js)} warm ${report(median(warm), js)} recompiled ${report(median(fresh), js)} (${first.trim()})`,
  );
}
