// Walker throughput: a walker builds a tree of N nodes under root (fan-out 10), another visits
// every node and sums a field; the same work written directly in TypeScript over plain objects
// runs in the same process, and the ratio of the two is printed.
// Run: npm run bench:walk   (targets: 100,000 nodes built and walked in under 1 s; ratio ≤ 20×)
import { parse } from '../grammar/index.ts';
import { runModule } from '../runtime/interpreter/run.ts';

const program = (n: number) => `
node Item { has value: int; }

walker Build {
    has total: int;
    has made: int = 0;
    can grow with \`root | Item entry {
        for i in range(10) {
            if self.made >= self.total { disengage; }
            self.made += 1;
            here ++> Item(value=self.made);
        }
        visit [-->];
    }
}

walker Sum {
    has sum: int = 0;
    has seen: int = 0;
    can start with \`root entry { visit [-->]; }
    can add with Item entry {
        self.sum += here.value;
        self.seen += 1;
        visit [-->];
    }
}

with entry {
    b = root spawn Build(total=${n});
    s = root spawn Sum();
    print(b.made, s.seen, s.sum);
}
`;

interface Item {
  value: number;
  children: Item[];
}

/** The same work in plain TypeScript: breadth-first build, breadth-first sum. */
function direct(n: number): string {
  const root: Item = { value: 0, children: [] };
  let made = 0;
  const queue: Item[] = [root];
  let head = 0;
  build: while (head < queue.length) {
    const here = queue[head++];
    for (let i = 0; i < 10; i++) {
      if (made >= n) break build;
      made++;
      const child = { value: made, children: [] };
      here.children.push(child);
    }
    queue.push(...here.children);
  }
  let sum = 0;
  let seen = 0;
  const walk: Item[] = [...root.children];
  for (let i = 0; i < walk.length; i++) {
    const item = walk[i];
    sum += item.value;
    seen++;
    walk.push(...item.children);
  }
  return `${made} ${seen} ${sum}\n`;
}

function time<T>(f: () => T): [T, number] {
  const t = performance.now();
  const r = f();
  return [r, performance.now() - t];
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

// Three runs of each (the machine is shared); medians, and the ratio of the medians.
for (const n of [1_000, 100_000]) {
  const { module } = parse(program(n), 'walk.jac');
  if (!module) throw new Error('the bench program does not parse');
  const jacTimes: number[] = [];
  const tsTimes: number[] = [];
  let out = '';
  let expected = '';
  for (let round = 0; round < 3; round++) {
    out = '';
    jacTimes.push(time(() => runModule(module, (text) => (out += text)))[1]);
    const [result, ts] = time(() => direct(n));
    expected = result;
    tsTimes.push(ts);
  }
  if (out !== expected) throw new Error(`different results: ${out.trim()} vs ${expected.trim()}`);
  const jac = median(jacTimes);
  const ts = median(tsTimes);
  console.log(`${n.toLocaleString('en')} nodes: jac-serve ${jac.toFixed(0)} ms, plain TypeScript ${ts.toFixed(1)} ms, ratio ${(jac / ts).toFixed(1)}×  (${out.trim()})`);
}
