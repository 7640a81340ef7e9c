// Builds the real app (loader, store on a temp data dir, Fastify) for a Jac program given as
// text, and helps tests talk to it through `inject()`.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { LowStore } from '../../runtime/store/lowdb-store.ts';
import { type AppOptions, buildApp } from '../../server/app.ts';
import { loadApp } from '../../server/loader.ts';

export interface Harness {
  app: FastifyInstance;
  store: LowStore;
  dataDir: string;
  file: string;
  /** Log lines written so far (JSON). */
  log: string[];
  /** Registers a user (if needed), logs in, and gives the bearer header and root id. */
  login(email?: string): Promise<{ authorization: string; root: string }>;
  close(): Promise<void>;
}

export async function harness(source: string, options: AppOptions = {}, dataDir = mkdtempSync(join(tmpdir(), 'jac-app-data-'))): Promise<Harness> {
  const dir = mkdtempSync(join(tmpdir(), 'jac-app-'));
  const file = join(dir, 'app.jac');
  writeFileSync(file, source);
  const program = loadApp([file], () => undefined, { collectReturns: options.showReturns });
  const store = await LowStore.open(dataDir);
  const log: string[] = [];
  const logStream = new Writable({
    write(chunk, _enc, done) {
      log.push(...String(chunk).split('\n').filter(Boolean));
      done();
    },
  });
  const app = await buildApp({ program, store, options: { logLevel: 'info', logStream, ...options } });
  const login = async (email = 'alice@example.com') => {
    await app.inject({ method: 'POST', url: '/user/register', payload: { email, password: 'pw' } });
    const r = await app.inject({ method: 'POST', url: '/user/login', payload: { email, password: 'pw' } });
    const body = r.json();
    return { authorization: `Bearer ${body.token}`, root: body.user.root_id as string };
  };
  return {
    app,
    store,
    dataDir,
    file,
    log,
    login,
    close: async () => {
      await app.close();
      await store.close();
    },
  };
}
