// Function-call cost: recursive fib, a method called in a loop and calls with keyword
// arguments, each run through the interpreter (parse + compile + run) and written in plain JS
// in the same process; the ratio of the two is printed.
// Run: npm run bench:calls   (target: fib within 10× plain JS)
import { parse } from '../grammar/index.ts';
import { runModule } from '../runtime/interpreter/run.ts';

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

/** Parse, compile and run `source`, returning what it printed. */
function runJac(source: string): string {
  const { module, diagnostics } = parse(source, 'calls.jac');
  if (!module) throw new Error(`the bench program does not parse: ${diagnostics[0]?.message}`);
  let out = '';
  const result = runModule(module, (text) => (out += text));
  if (result.error || result.unsupported) throw new Error(`the bench program failed: ${result.error ?? result.unsupported?.message}`);
  return out;
}

// The first run of each case counts JIT warm-up ("cold"); then the median of 5 runs ("warm"),
// alternating with the plain JS so both see the same machine load.
const rounds = 5;
for (const c of cases) {
  const [first, cold] = time(() => runJac(c.jac));
  const jacTimes: number[] = [];
  const jsTimes: number[] = [];
  let expected = '';
  for (let r = 0; r < rounds; r++) {
    const [out, jac] = time(() => runJac(c.jac));
    const [js, ms] = time(c.js);
    if (out !== first || js !== first) throw new Error(`${c.name}: different results: ${out.trim()} / ${js.trim()}`);
    expected = js;
    jacTimes.push(jac);
    jsTimes.push(ms);
  }
  const jac = median(jacTimes);
  const js = median(jsTimes);
  console.log(
    `${c.name.padEnd(24)} jac-serve cold ${cold.toFixed(0).padStart(5)} ms, warm ${jac.toFixed(0).padStart(5)} ms; plain JS ${js.toFixed(1).padStart(6)} ms; ratio ${(jac / js).toFixed(1)}× warm, ${(cold / js).toFixed(1)}× cold  (${expected.trim()})`,
  );
}
