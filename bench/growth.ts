// A committing walker on a root that grows: every request adds a node to the caller's root and
// waits for its commit, at 50 connections for 60 s (six 10 s windows back to back), on each
// store: the lowdb data dir and PostgreSQL (DATABASE_URL, else a throwaway cluster as the tests
// start one). When a commit rewrote the root's whole file, requests/s fell from 970 to 220 within
// 30 s as the root grew; a commit that costs what it changes keeps its pace.
// Run: npm run bench:growth   (target: the last window at least 70% of the first's requests/s)
import autocannon from 'autocannon';
import { LowStore } from '../runtime/store/lowdb-store.ts';
import { PgStore } from '../runtime/store/postgres/pg-store.ts';
import { freshDatabase } from '../test/helpers/postgres.ts';
import { login, post } from './lib/client.ts';
import { freshDir, removeFreshDirs } from './lib/temp.ts';
import { type BenchStore, withServer } from './lib/serve.ts';

const CONNECTIONS = 50;
const WINDOWS = 6;
const WINDOW_SECONDS = 10;

const program = `
node Item { has v: int = 0; }
walker grow {
    can go with \`root entry { root ++> Item(v=1); report 1; }
}
walker size {
    can go with \`root entry { report len([-->]); }
}
`;


/** Six windows of load on the grow walker: requests/s of each, and how many were not 2xx. */
async function grow(name: string, open: () => Promise<BenchStore>): Promise<void> {
  await withServer(program, freshDir('jac-bench-growth-'), open, async (base) => {
    const authorization = await login(base, `${name.toLowerCase()}@example.com`);
    const windows: number[] = [];
    let failures = 0;
    for (let w = 0; w < WINDOWS; w++) {
      const r = await autocannon({
        url: `${base}/walker/grow`,
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization },
        body: '{}',
        connections: CONNECTIONS,
        pipelining: 1,
        workers: 1,
        duration: WINDOW_SECONDS,
      });
      windows.push(r.requests.average);
      failures += r.non2xx + r.errors + r.timeouts;
    }
    const size = await post(`${base}/walker/size`, {}, authorization);
    const ratio = windows[WINDOWS - 1] / windows[0];
    console.log(
      `${name.padEnd(10)} req/s per ${WINDOW_SECONDS} s: ${windows.map((x) => x.toFixed(0)).join(', ')}; the root grew to ${size.body.reports?.[0]?.toLocaleString('en')} nodes;` +
        ` last / first ${(100 * ratio).toFixed(0)}% (target: at least 70%)${failures > 0 ? `; !!! ${failures} requests failed: not to be trusted` : ''}`,
    );
  });
}

try {
  await grow('lowdb', async () => {
    const dataDir = freshDir('jac-bench-growth-data-');
    return { store: await LowStore.open(dataDir), dataDir, storeUrl: null };
  });
  await grow('PostgreSQL', async () => {
    const url = process.env.DATABASE_URL || (await freshDatabase());
    return { store: await PgStore.open(url), dataDir: freshDir('jac-bench-growth-unused-'), storeUrl: url };
  });
} finally {
  removeFreshDirs();
}
