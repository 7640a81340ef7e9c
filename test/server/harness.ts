// Builds the real app (run workers that load the program, store on a temp data dir or on the
// PostgreSQL database `storeUrl` names, Fastify) for a Jac program given as text, and helps tests talk to it through `inject()`.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import type { JobFileLimits } from '../../runtime/store/job-file.ts';
import { LowStore } from '../../runtime/store/lowdb-store.ts';
import { PgStore } from '../../runtime/store/postgres/pg-store.ts';
import type { Store } from '../../runtime/store/store.ts';
import { type AppOptions, buildApp } from '../../server/app.ts';
import { servedApp } from '../../server/manifest.ts';
import { type PoolOptions, WorkerPool } from '../../server/workers/pool.ts';

/** The app's options and the run workers' (one worker unless asked). */
export type HarnessOptions = AppOptions & Omit<PoolOptions, 'files' | 'dataDir'> & { jobLimits?: JobFileLimits };

export interface Harness {
  app: FastifyInstance;
  store: Store;
  runs: WorkerPool;
  dataDir: string;
  file: string;
  /** Log lines written so far (JSON). */
  log: string[];
  /** Registers a user (if needed), logs in, and gives the bearer header and root id. */
  login(email?: string): Promise<{ authorization: string; root: string }>;
  close(): Promise<void>;
}

export async function harness(source: string, options: HarnessOptions = {}, dataDir = mkdtempSync(join(tmpdir(), 'jac-app-data-'))): Promise<Harness> {
  const dir = mkdtempSync(join(tmpdir(), 'jac-app-'));
  const file = join(dir, 'app.jac');
  writeFileSync(file, source);
  // On PostgreSQL when `storeUrl` names a database (the run workers then use it too), else the data dir.
  const store = options.storeUrl ? await PgStore.open(options.storeUrl) : await LowStore.open(dataDir, { jobs: options.jobLimits });
  const runs = await WorkerPool.start({ workers: 1, ...options, files: [file], dataDir });
  const log: string[] = [];
  const logStream = new Writable({
    write(chunk, _enc, done) {
      log.push(...String(chunk).split('\n').filter(Boolean));
      done();
    },
  });
  const app = await buildApp({ program: servedApp(runs.manifest), runs, store, options: { logLevel: 'info', logStream, ...options } });
  await app.ready(); // as listening would: the job dispatcher and the schedules start
  const login = async (email = 'alice@example.com') => {
    await app.inject({ method: 'POST', url: '/user/register', payload: { email, password: 'pw' } });
    const r = await app.inject({ method: 'POST', url: '/user/login', payload: { email, password: 'pw' } });
    const body = r.json();
    return { authorization: `Bearer ${body.token}`, root: `n::${body.user.root_id as string}` }; // root_id is the root's hex, as in Jac Cloud
  };
  return {
    app,
    store,
    runs,
    dataDir,
    file,
    log,
    login,
    close: async () => {
      await app.close();
      await runs.close();
      await store.close();
    },
  };
}
