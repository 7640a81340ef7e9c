// What the store benchmarks serve on: a program in run workers and the real app, listening on
// 127.0.0.1, on a store each of them opens its own way; closed in order whatever the run did.
import { writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Store } from '../../runtime/store/store.ts';
import { buildApp } from '../../server/app.ts';
import { servedApp } from '../../server/manifest.ts';
import { WorkerPool } from '../../server/workers/pool.ts';

/** A store, and where its run workers find the graphs (a data dir, or the database's URL). */
export interface BenchStore {
  store: Store;
  dataDir: string;
  storeUrl: string | null;
}

/** Serves `program` (written into `appDir`) on the store `open` gives; runs `body` with the base URL. */
export async function withServer<T>(program: string, appDir: string, open: () => Promise<BenchStore>, body: (base: string, store: Store) => Promise<T>): Promise<T> {
  const file = join(appDir, 'app.jac');
  writeFileSync(file, program);
  const { store, dataDir, storeUrl } = await open();
  const runs = await WorkerPool.start({ files: [file], dataDir, storeUrl });
  let app: FastifyInstance | undefined;
  try {
    app = await buildApp({ program: servedApp(runs.manifest), runs, store, options: { logLevel: false } });
    await app.listen({ port: 0, host: '127.0.0.1' });
    return await body(`http://127.0.0.1:${(app.server.address() as AddressInfo).port}`, store);
  } finally {
    await app?.close();
    await runs.close();
    await store.close();
  }
}
