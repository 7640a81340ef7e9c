// `jac-serve <path>`: load the program, open the data dir, listen, and stop cleanly. With
// `--watch`, a changed .jac file reloads the program; the HTTP server stays and dispatches to the
// newest app that loaded (Fastify cannot add routes to an app that is running), and a reload
// that fails keeps the last good one.
import { type FSWatcher, watch } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { formatDiagnostic } from '../grammar/index.ts';
import { LowStore } from '../runtime/store/lowdb-store.ts';
import { StoreError } from '../runtime/store/store.ts';
import { jacFilesIn, UsageError } from '../cli/files.ts';
import { type AppOptions, buildApp } from './app.ts';
import { loadApp, LoadFailure, type LoadedApp } from './loader.ts';

export interface ServeOptions extends AppOptions {
  path: string;
  host: string;
  port: number;
  data: string;
  watch?: boolean;
}

export interface Streams {
  out: (text: string) => void;
  err: (text: string) => void;
}

/** A running server: where it listens, and how to stop it. */
export interface Running {
  url: string;
  /** Stops accepting, lets requests under way finish, then flushes and releases the store. */
  close(): Promise<void>;
}

function describeFailure(e: LoadFailure): string {
  return e.diagnostics.map(({ diagnostic, source }) => formatDiagnostic(diagnostic, source)).join('\n');
}

function routesOf(program: LoadedApp, base: string): string[] {
  const lines: string[] = [];
  for (const w of program.walkers.values()) {
    if (w.specs.private) continue;
    const prefix = w.specs.webhook ? `${base}/webhook/walker` : `${base}/walker`;
    const path = w.specs.path;
    const key = w.specs.webhook ? `   (API key in the ${w.specs.webhook.type}: ${w.specs.webhook.name})` : '';
    for (const m of w.specs.methods) {
      if (w.specs.entryType !== 'NODE') lines.push(`  ${m.toUpperCase().padEnd(6)} ${prefix}/${w.name}${path}${key}`);
      if (w.specs.entryType !== 'ROOT') lines.push(`  ${m.toUpperCase().padEnd(6)} ${prefix}/${w.name}/{node}${path}${key}`);
    }
  }
  return lines;
}

/** Loads, listens, and prints the routes; throws UsageError for what the operator must fix. */
export async function serve(options: ServeOptions, streams: Streams): Promise<Running> {
  const files = jacFilesIn(options.path);
  const load = () => loadApp(files, (text) => streams.out(text), { collectReturns: options.showReturns });
  let program: LoadedApp;
  try {
    program = load();
  } catch (e) {
    if (e instanceof LoadFailure) throw new UsageError(`the program did not load:\n${describeFailure(e)}`);
    throw e;
  }
  let store: LowStore;
  try {
    store = await LowStore.open(options.data);
  } catch (e) {
    if (e instanceof StoreError) throw new UsageError(e.message);
    throw e;
  }
  let app: FastifyInstance = await buildApp({ program, store, options });
  await app.ready();
  const server: Server = createServer((req, res) => app.routing(req, res));
  server.requestTimeout = 120_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) => reject(e.code === 'EADDRINUSE' ? new UsageError(`port ${options.port} on ${options.host} is in use`) : e));
    server.listen(options.port, options.host, resolve);
  });
  const address = server.address() as AddressInfo;
  const url = `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`;
  streams.out(`jac-serve: ${files.length} file${files.length === 1 ? '' : 's'}, data in ${options.data}, listening on ${url}\n${routesOf(program, url).join('\n')}\n`);

  let watcher: FSWatcher | null = null;
  if (options.watch) {
    let timer: NodeJS.Timeout | null = null;
    const reload = async () => {
      try {
        const next = load();
        const nextApp = await buildApp({ program: next, store, options });
        await nextApp.ready();
        const previous = app;
        app = nextApp;
        await previous.close();
        streams.out(`jac-serve: reloaded\n${routesOf(next, url).join('\n')}\n`);
      } catch (e) {
        if (!(e instanceof LoadFailure)) throw e;
        streams.err(`jac-serve: the change did not load; still serving the last good program\n${describeFailure(e)}\n`);
      }
    };
    watcher = watch(options.path, (_event, name) => {
      if (name && !String(name).endsWith('.jac')) return;
      if (timer) clearTimeout(timer);
      timer = setTimeout(() => void reload().catch((e) => streams.err(`jac-serve: reload failed: ${(e as Error).message}\n`)), 100);
    });
  }

  let closing: Promise<void> | null = null;
  return {
    url,
    close: () =>
      (closing ??= (async () => {
        watcher?.close();
        await new Promise<void>((resolve) => server.close(() => resolve()));
        await app.close();
        await store.close();
      })()),
  };
}
