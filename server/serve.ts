// `jac-serve <path>`: open the store (a data dir, or a PostgreSQL database), start the run workers (which load the program), listen,
// and stop cleanly. With `--watch`, a changed .jac file is loaded by a new set of workers; the
// HTTP server stays and dispatches to the newest app that loaded (Fastify cannot add routes to an
// app that is running), and a reload that fails keeps the last good one.
import { type FSWatcher, existsSync, readFileSync, rmSync, watch } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import type { Store } from '../runtime/store/store.ts';
import { jacFilesIn, UsageError } from '../cli/files.ts';
import { openStore } from '../cli/store-target.ts';
import { dataDirOpenToOthers } from '../runtime/store/data-dir-mode.ts';
import { type AppOptions, buildApp } from './app.ts';
import { type ServedApp, servedApp } from './manifest.ts';
import { type PoolOptions, PoolLoadError, WorkerPool } from './workers/pool.ts';
import { terminalLogStream } from './log-stream.ts';
import type { WebhookSpec } from './webhooks/webhook-spec.ts';
import { guardHttpServer } from './client-errors.ts';

export interface ServeOptions extends AppOptions, Omit<PoolOptions, 'files' | 'dataDir' | 'print'> {
  path: string;
  host: string;
  port: number;
  /** The data dir, unless `store` names a PostgreSQL database. */
  data: string;
  /** A PostgreSQL URL: users, keys, secrets and graphs there, shared with other processes. */
  store?: string;
  watch?: boolean;
  /** Open connections allowed at once (default: what the file descriptor limit leaves room for). */
  maxConnections?: number;
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

/** File descriptors kept free of connections: for data dir writes, logs and the workers. */
const FD_HEADROOM = 512;

/** The process's soft limit on open files (Linux), or null where it cannot be read. */
function openFilesLimit(): number | null {
  try {
    const m = /^Max open files\s+(\d+)/m.exec(readFileSync('/proc/self/limits', 'utf8'));
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

/**
 * How many connections to accept at once: what was asked, but never so many that connections
 * take the descriptors a commit needs. Connections past it are closed as they are accepted.
 */
export function connectionCap(asked: number | undefined, fdLimit = openFilesLimit()): number {
  const room = fdLimit === null ? Infinity : Math.max(16, fdLimit - FD_HEADROOM);
  return Math.min(asked ?? room, room === Infinity ? 10_000 : room);
}

/** How a webhook walker's caller proves who it is, as the route list shows it. */
function webhookNote(spec: WebhookSpec | null): string {
  if (!spec) return '';
  if (spec.type === 'signature') return `   (signed: ${spec.scheme}; ?key_id=<key id>${spec.ack === 'async' ? '; answered 202' : ''})`;
  if (spec.type === 'bearer') return '   (API key as Authorization: Bearer)';
  return `   (API key in the ${spec.type}: ${spec.name})`;
}

function routesOf(program: ServedApp, base: string): string[] {
  const lines: string[] = [];
  for (const w of program.walkers.values()) {
    if (w.specs.private) continue;
    const prefix = w.specs.webhook ? `${base}/webhook/walker` : `${base}/walker`;
    const path = w.specs.path;
    const key = webhookNote(w.specs.webhook);
    for (const m of w.specs.methods) {
      if (w.specs.entryType !== 'NODE') lines.push(`  ${m.toUpperCase().padEnd(6)} ${prefix}/${w.name}${path}${key}`);
      if (w.specs.entryType !== 'ROOT') lines.push(`  ${m.toUpperCase().padEnd(6)} ${prefix}/${w.name}/{node}${path}${key}`);
    }
  }
  return lines;
}

/** Loads, listens, and prints the routes; throws UsageError for what the operator must fix. */
export async function serve(options: ServeOptions, streams: Streams): Promise<Running> {
  options = { ...options, logStream: options.logStream ?? terminalLogStream() };
  const files = jacFilesIn(options.path);
  // A start that fails leaves no data dir behind that it made itself.
  const dataDirExisted = options.store !== undefined || existsSync(options.data);
  const undo = async (store: Store) => {
    await store.close();
    if (!dataDirExisted) rmSync(options.data, { recursive: true, force: true });
  };
  const store = await openStore(options.store !== undefined ? { url: options.store } : { data: options.data });
  const openMode = options.store === undefined ? dataDirOpenToOthers(options.data) : null;
  if (openMode !== null) {
    const mode = openMode.toString(8).padStart(3, '0');
    streams.err(`jac-serve: warning: other users can reach the data dir ${options.data} (mode ${mode}); it holds the token secret and the webhook secrets' master key: chmod 700 ${options.data}\n`);
  }
  let runs: WorkerPool;
  try {
    runs = await WorkerPool.start({ ...options, files, dataDir: options.data, storeUrl: options.store ?? null, print: true });
  } catch (e) {
    await undo(store);
    if (e instanceof PoolLoadError) throw new UsageError(`the program did not load:\n${e.message}`);
    throw e;
  }
  let program = servedApp(runs.manifest);
  let app!: FastifyInstance;
  const server: Server = createServer((req, res) => app.routing(req, res));
  guardHttpServer(server);
  try {
    app = await buildApp({ program, runs, store, options });
    await app.ready();
    server.requestTimeout = 120_000;
    server.headersTimeout = 30_000;
    server.maxConnections = connectionCap(options.maxConnections);
    await new Promise<void>((resolve, reject) => {
      server.once('error', (e: NodeJS.ErrnoException) => reject(e.code === 'EADDRINUSE' ? new UsageError(`port ${options.port} on ${options.host} is in use`) : e));
      server.listen(options.port, options.host, resolve);
    });
  } catch (e) {
    await runs.close();
    await (app as FastifyInstance | undefined)?.close();
    await undo(store);
    throw e;
  }
  const address = server.address() as AddressInfo;
  const url = `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`;
  const plural = (n: number, what: string) => `${n} ${what}${n === 1 ? '' : 's'}`;
  streams.out(
    `jac-serve: ${plural(files.length, 'file')}, data in ${store.location}, ${plural(runs.workers, 'run worker')}, up to ${plural(server.maxConnections, 'connection')}, listening on ${url}\n${routesOf(program, url).join('\n')}\n`,
  );

  let watcher: FSWatcher | null = null;
  if (options.watch) {
    let timer: NodeJS.Timeout | null = null;
    const reload = async () => {
      try {
        program = servedApp(await runs.reload(jacFilesIn(options.path)));
        const nextApp = await buildApp({ program, runs, store, options });
        await nextApp.ready();
        const previous = app;
        app = nextApp;
        await previous.close();
        streams.out(`jac-serve: reloaded\n${routesOf(program, url).join('\n')}\n`);
      } catch (e) {
        if (!(e instanceof PoolLoadError)) throw e;
        streams.err(`jac-serve: the change did not load; still serving the last good program\n${e.message}\n`);
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
        await runs.close();
        await store.close();
      })()),
  };
}
