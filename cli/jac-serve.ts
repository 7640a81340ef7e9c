// The jac-serve command line. This file is the only place that exits the process.
import { existsSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import yargs, { type Argv } from 'yargs';
import { hideBin } from 'yargs/helpers';
import { check } from './check.ts';
import { runFile, runFileWithStore } from './run.ts';
import { UsageError } from './files.ts';
import { storeTarget } from './store-target.ts';
import { MAX_QUEUED_CHARS, MAX_QUEUED_CHARS_PER_ROOT, MAX_QUEUED_RUNS } from '../server/queue-limit.ts';
import { MAX_KEYS_PER_USER } from '../server/webhook-keys.ts';

// The server (Fastify and its plugins) and the key commands are loaded only by the commands
// that use them: `run` and `check` start without them.
const keys = () => import('./keys.ts');
const jobs = () => import('./jobs.ts');

/** The data dir `serve` uses when no store is named. */
const DEFAULT_DATA = './.jac-data';

function fail(error: unknown): never {
  if (error instanceof UsageError) {
    process.stderr.write(`jac-serve: ${error.message}\n`);
    process.exit(1);
  }
  throw error;
}

/** Throws, saying what is wrong, when a flag given is not a whole number from `min` (to `max`). */
function wholeNumber(name: string, v: unknown, min: number, max = Number.MAX_SAFE_INTEGER): void {
  if (typeof v === 'number' && !(Number.isInteger(v) && v >= min && v <= max)) {
    throw new Error(`--${name} must be a whole number from ${min}${max === Number.MAX_SAFE_INTEGER ? ' up' : ` to ${max}`}${Number.isNaN(v) ? '' : `, not ${v}`}`);
  }
}

/** The store a `jobs` command reads: --data or --store (else DATABASE_URL), not both. */
function jobStore<T>(c: Argv<T>) {
  return c
    .option('data', { type: 'string', describe: 'the data dir' })
    .option('store', { type: 'string', describe: 'a PostgreSQL URL (else DATABASE_URL), instead of --data' })
    .check((argv) => {
      storeTarget(argv);
      return true;
    });
}

const printLine = (text: string) => void process.stdout.write(`${text}\n`);

function positiveNumber(name: string, v: unknown): void {
  if (typeof v === 'number' && !(Number.isFinite(v) && v > 0)) throw new Error(`--${name} must be a positive number${Number.isNaN(v) ? '' : `, not ${v}`}`);
}

/** Throws when the data dir flag names an existing file rather than a folder. */
function dataDir(v: unknown): void {
  if (typeof v === 'string' && existsSync(v) && !statSync(v).isDirectory()) throw new Error(`--data must name a folder; ${v} is a file`);
}

await yargs(hideBin(process.argv))
  .scriptName('jac-serve')
  .command(
    'check <paths..>',
    'Parse .jac files (a file, or every .jac file in a folder) and report every syntax error',
    (y) => y.positional('paths', { type: 'string', array: true, demandOption: true, describe: 'files or folders' }),
    (argv) => {
      try {
        const result = check(argv.paths as string[], (text) => process.stderr.write(text));
        process.exitCode = result.errors > 0 ? 1 : 0;
      } catch (error) {
        fail(error);
      }
    },
  )
  .command(
    'run <file>',
    'Run a Jac program: its output on stdout, an uncaught error on stderr (exit 1)',
    (y) =>
      y
        .positional('file', { type: 'string', demandOption: true, describe: 'the .jac file' })
        .option('max-steps', { type: 'number', default: 50_000_000, describe: 'loop iterations and ability runs allowed' })
        .option('max-seconds', { type: 'number', default: 60, describe: 'wall-clock time allowed' })
        .option('data', { type: 'string', describe: 'a data dir: run against its stored graph and save what the run changes' })
        .option('store', { type: 'string', describe: 'a PostgreSQL URL (postgres://user:password@host:5432/db): as --data, in that database' })
        .check((argv) => {
          wholeNumber('max-steps', argv.maxSteps, 1);
          positiveNumber('max-seconds', argv.maxSeconds);
          positiveNumber('job-lease-seconds', argv.jobLeaseSeconds);
          if (typeof argv.jobRetentionDays === 'number' && !(Number.isFinite(argv.jobRetentionDays) && argv.jobRetentionDays >= 0)) throw new Error(`--job-retention-days must be a number of days, 0 or more, not ${argv.jobRetentionDays}`);
          dataDir(argv.data);
          if (argv.store !== undefined && argv.data !== undefined) storeTarget(argv);
          return true;
        }),
    async (argv) => {
      try {
        const streams = { out: (t: string) => void process.stdout.write(t), err: (t: string) => void process.stderr.write(t) };
        const options = { maxSteps: argv.maxSteps, maxMillis: argv.maxSeconds * 1000 };
        const file = argv.file as string;
        const target = argv.store !== undefined || argv.data !== undefined ? storeTarget(argv) : null;
        process.exitCode = target ? await runFileWithStore(file, target, streams, options) : runFile(file, streams, options);
      } catch (error) {
        fail(error);
      }
    },
  )
  .command(
    'jobs',
    "Show async walker runs: on a stopped server's data dir, or in a PostgreSQL store",
    (y) =>
      y
        .command('list', 'List every run, oldest first, one line each', jobStore, (argv) => jobs().then((j) => j.jobsList(storeTarget(argv))).then(printLine, fail))
        .command(
          'retry <id>',
          'Run a job that ended in ERROR or CANCELLED again, its attempts counted afresh',
          (c) => jobStore(c).positional('id', { type: 'string', demandOption: true, describe: 'the walker_id' }),
          (argv) => jobs().then((j) => j.jobsChange(storeTarget(argv), argv.id as string, 'retry')).then(printLine, fail),
        )
        .command(
          'cancel <id>',
          'Take a PENDING job off the queue (a started one runs to its end)',
          (c) => jobStore(c).positional('id', { type: 'string', demandOption: true, describe: 'the walker_id' }),
          (argv) => jobs().then((j) => j.jobsChange(storeTarget(argv), argv.id as string, 'cancel')).then(printLine, fail),
        )
        .demandCommand(1, 'name a jobs command: list, retry or cancel'),
  )
  .command(
    'keys',
    "Manage a user's webhook API keys: on a stopped server's data dir, or in a PostgreSQL store",
    (y) => {
      const target = (c: typeof y) =>
        c
          .option('data', { type: 'string', describe: 'the data dir' })
          .option('store', { type: 'string', describe: 'a PostgreSQL URL (else DATABASE_URL), instead of --data' })
          .option('email', { type: 'string', demandOption: true, describe: 'the user whose keys these are' })
          .check((argv) => {
            storeTarget(argv);
            return true;
          });
      const print = (text: Promise<string>) => text.then((t) => void process.stdout.write(t.endsWith('\n') ? t : `${t}\n`), fail);
      return y
        .command('list', "List the user's keys (never their secrets)", (c) => target(c), (argv) => print(keys().then((k) => k.keysList({ ...storeTarget(argv), email: argv.email }))))
        .command(
          'create',
          'Create a key and print it (shown only this once)',
          (c) =>
            target(c)
              .option('name', { type: 'string', demandOption: true, describe: 'a name unique among the user\'s keys' })
              .option('walkers', { type: 'string', array: true, default: [], describe: 'webhook walkers it may call (none: all)' })
              .option('nodes', { type: 'string', array: true, default: [], describe: 'node types, "root" or node ids it may start at (none: any)' })
              .option('count', { type: 'number', default: 60, describe: 'lifetime, in intervals' })
              .option('interval', { type: 'string', default: 'days', choices: ['seconds', 'minutes', 'hours', 'days'] })
              .option('app', { type: 'string', describe: 'the .jac file or folder served, to check walker and node type names' })
              .option('scheme', { type: 'string', describe: 'a signing key for this sender (github, stripe, slack, shopify, standard, hmac) instead of an API key' })
              .option('secret-file', { type: 'string', describe: "with --scheme: a file holding the sender's own secret to import (else one is made and shown once)" })
              .option('max-keys-per-user', { type: 'number', default: MAX_KEYS_PER_USER, describe: 'refuse the key when the user already holds this many (as the server does; 0: no limit)' })
              .check((argv) => {
                wholeNumber('max-keys-per-user', argv.maxKeysPerUser, 0);
                return true;
              }),
          (argv) =>
            print(
              keys().then((k) =>
                k.keysCreate({
                ...storeTarget(argv),
                email: argv.email,
                name: argv.name,
                walkers: argv.walkers as string[],
                nodes: argv.nodes as string[],
                count: argv.count,
                interval: argv.interval as 'seconds' | 'minutes' | 'hours' | 'days',
                app: argv.app,
                scheme: argv.scheme,
                secretFile: argv.secretFile,
                maxKeysPerUser: argv.maxKeysPerUser,
              }),
              ),
            ),
        )
        .command(
          'revoke <ids..>',
          'Delete keys by id (all or nothing)',
          (c) => target(c).positional('ids', { type: 'string', array: true, demandOption: true }),
          (argv) => print(keys().then((k) => k.keysRevoke({ ...storeTarget(argv), email: argv.email, ids: argv.ids as string[] }))),
        )
        .demandCommand(1, 'name a keys command: list, create or revoke');
    },
  )
  .command(
    ['serve <path>', '$0 <path>'],
    'Serve the walkers of a .jac file, or of every .jac file in a folder, over HTTP',
    (y) =>
      y
        .positional('path', { type: 'string', demandOption: true, describe: 'a .jac file or a folder' })
        .option('host', { type: 'string', default: process.env.HOST ?? '127.0.0.1', describe: 'address to listen on' })
        .option('port', { type: 'number', default: Number(process.env.PORT ?? 8000), describe: 'port to listen on (0: any free port)' })
        .option('data', { type: 'string', describe: 'data dir: graphs, users, keys, secrets (default ./.jac-data)' })
        .option('store', { type: 'string', describe: 'a PostgreSQL URL (postgres://user:password@host:5432/db; else DATABASE_URL): graphs, users, keys and secrets there, shared by every jac-serve on it' })
        .option('watch', { type: 'boolean', default: false, describe: 'reload when a .jac file changes' })
        .option('log-level', { type: 'string', default: 'info', choices: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], describe: 'log level' })
        .option('max-steps', { type: 'number', default: 50_000_000, describe: 'per request: loop iterations and ability runs allowed' })
        .option('max-seconds', { type: 'number', default: 30, describe: 'per request: wall-clock time allowed; a run past it is stopped, even inside one long operation' })
        .option('workers', { type: 'number', default: availableParallelism(), describe: 'worker threads that run walkers' })
        .option('max-memory-mb', { type: 'number', default: 1024, describe: "each worker's heap limit: a run that exhausts it ends that worker only" })
        .option('max-connections', { type: 'number', describe: 'open connections allowed at once (default: what the open-files limit leaves room for)' })
        .option('cache-mb', { type: 'number', default: 256, describe: "each worker's root graphs kept in memory between requests, MB (estimated); the least recently used go first" })
        .option('cache-idle-seconds', { type: 'number', default: 600, describe: 'a root graph unused this long is dropped from memory (read again on its next request)' })
        .option('job-lease-seconds', { type: 'number', default: 30, describe: 'a background run holds its job this long, renewed while it runs: how soon another server takes the jobs of one that died' })
        .option('background-runs', { type: 'number', describe: 'background runs (async walkers, webhook deliveries answered 202, scheduled walkers) at once (default: --workers)' })
        .option('max-queued-runs', { type: 'number', default: MAX_QUEUED_RUNS, describe: "background runs one user's root may have queued or running; past it, async walkers and webhook deliveries answered 202 get 429 with Retry-After (0: no limit)" })
        .option('max-queued-mb', { type: 'number', default: MAX_QUEUED_CHARS_PER_ROOT / 2 ** 20, describe: "MiB of request fields one user's queued or running background runs may hold on a data dir, which keeps its queue in memory; past it, async walkers and webhook deliveries answered 202 get 429 with Retry-After" })
        .option('max-queued-total-mb', { type: 'number', default: MAX_QUEUED_CHARS / 2 ** 20, describe: "MiB of request fields all users' queued or running background runs may hold on a data dir; past it, they get 503 with Retry-After" })
        .option('max-keys-per-user', { type: 'number', default: MAX_KEYS_PER_USER, describe: 'webhook keys one user may hold; past it, creating one is answered 422 (0: no limit)' })
        .option('max-upload-mb', { type: 'number', default: 10, describe: 'largest file a walker with UploadFile fields takes, per file, MiB (a larger one is answered 413)' })
        .option('max-upload-files', { type: 'number', default: 20, describe: 'file parts allowed in one multipart request' })
        .option('max-upload-fields', { type: 'number', default: 20, describe: 'parts that are not files allowed in one multipart request' })
        .option('job-retention-days', { type: 'number', default: 7, describe: 'records of background runs that ended longer ago are removed (0: kept for ever)' })
        .check((argv) => {
          wholeNumber('port', argv.port, 0, 65535);
          for (const name of ['workers', 'max-memory-mb', 'max-steps', 'max-connections', 'max-upload-files', 'max-upload-fields', 'background-runs'] as const) wholeNumber(name, argv[name], 1);
          positiveNumber('max-upload-mb', argv.maxUploadMb);
          positiveNumber('max-queued-mb', argv.maxQueuedMb);
          positiveNumber('max-queued-total-mb', argv.maxQueuedTotalMb);
          for (const name of ['cache-mb', 'cache-idle-seconds', 'max-queued-runs', 'max-keys-per-user'] as const) wholeNumber(name, argv[name], 0);
          positiveNumber('max-seconds', argv.maxSeconds);
          positiveNumber('job-lease-seconds', argv.jobLeaseSeconds);
          if (typeof argv.jobRetentionDays === 'number' && !(Number.isFinite(argv.jobRetentionDays) && argv.jobRetentionDays >= 0)) throw new Error(`--job-retention-days must be a number of days, 0 or more, not ${argv.jobRetentionDays}`);
          dataDir(argv.data);
          storeTarget(argv, DEFAULT_DATA);
          return true;
        }),
    async (argv) => {
      try {
        const { serve } = await import('../server/serve.ts');
        const target = storeTarget(argv, DEFAULT_DATA);
        const running = await serve(
          {
            path: argv.path as string,
            host: argv.host,
            port: argv.port,
            data: 'data' in target ? target.data : DEFAULT_DATA,
            store: 'url' in target ? target.url : undefined,
            watch: argv.watch,
            logLevel: argv.logLevel,
            maxSteps: argv.maxSteps,
            maxMillis: argv.maxSeconds * 1000,
            workers: argv.workers,
            maxMemoryMb: argv.maxMemoryMb,
            maxConnections: argv.maxConnections,
            cacheMb: argv.cacheMb,
            cacheIdleSeconds: argv.cacheIdleSeconds,
            maxUploadBytes: Math.round(argv.maxUploadMb * 1024 * 1024),
            maxUploadFiles: argv.maxUploadFiles,
            maxUploadFields: argv.maxUploadFields,
            maxQueuedRuns: argv.maxQueuedRuns,
            maxQueuedChars: { root: Math.round(argv.maxQueuedMb * 2 ** 20), all: Math.round(argv.maxQueuedTotalMb * 2 ** 20) },
            maxKeysPerUser: argv.maxKeysPerUser,
            jobs: { leaseMs: argv.jobLeaseSeconds * 1000, retentionMs: argv.jobRetentionDays * 86_400_000, ...(argv.backgroundRuns !== undefined ? { concurrency: argv.backgroundRuns } : {}) },
            showReturns: process.env.SHOW_ENDPOINT_RETURNS === 'true',
            tokenSecret: process.env.TOKEN_SECRET || undefined,
            tokenTimeoutHours: process.env.TOKEN_TIMEOUT ? Number(process.env.TOKEN_TIMEOUT) : undefined,
          },
          { out: (t) => void process.stdout.write(t), err: (t) => void process.stderr.write(t) },
        );
        const stop = (signal: string) => {
          process.stderr.write(`jac-serve: ${signal}: finishing requests under way, then stopping\n`);
          running.close().then(
            () => process.exit(0),
            (e: unknown) => {
              process.stderr.write(`jac-serve: stopping failed: ${(e as Error).message}\n`);
              process.exit(1);
            },
          );
        };
        process.once('SIGINT', () => stop('SIGINT'));
        process.once('SIGTERM', () => stop('SIGTERM'));
      } catch (error) {
        fail(error);
      }
    },
  )
  .demandCommand(1, 'name a command: serve (the default), check, run, keys or jobs')
  .strict()
  .help()
  // A usage mistake gets one line and the way to the help, never the whole help or a stack trace.
  .fail((message, error, parser) => {
    if (hideBin(process.argv).length === 0) {
      // `jac-serve` alone: what it can do.
      parser.showHelp();
      process.exit(1);
    }
    if (error instanceof UsageError || (error && !message)) {
      // What the operator must fix (a used port, a locked data dir), or a fault of jac-serve's own: one line each.
      process.stderr.write(`jac-serve: ${error instanceof UsageError ? '' : `${error.name}: `}${error.message}\n`);
      process.exit(1);
    }
    process.stderr.write(`jac-serve: ${message || error?.message}\n(jac-serve --help lists the commands and flags)\n`);
    process.exit(2);
  })
  .parseAsync();
