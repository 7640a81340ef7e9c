// `jac-serve keys list|create|revoke`: an operator manages a user's webhook keys on the data dir
// of a stopped server (a running server holds the dir's lock, and the store refuses to share
// it), or in a PostgreSQL store (shared: servers may be running). The rules are the HTTP routes' own (server/webhook-routes.ts); each command returns the
// text to print, and a mistake is a UsageError with a message saying what to do.
import { existsSync, readFileSync } from 'node:fs';
import { formatDiagnostic } from '../grammar/index.ts';
import { parseId } from '../runtime/store/ids.ts';
import type { Store, UserRecord } from '../runtime/store/store.ts';
import { LoadFailure, loadApp } from '../server/loader.ts';
import { manifestOf, servedApp } from '../server/manifest.ts';
import type { DetailItem } from '../server/errors.ts';
import { importedSecretProblem, type Interval, INTERVAL_MS, keyPreview, MAX_KEYS_PER_USER, WebhookKeys } from '../server/webhook-keys.ts';
import { SCHEMES, type Scheme } from '../server/webhooks/signatures.ts';
import { DEFAULT_EXPIRATION, durationMs, lifetimeProblem, nameProblem, newKeyProblem, nodeProblems, type ProgramTypes, walkerProblems } from '../server/webhook-routes.ts';
import { jacFilesIn, UsageError } from './files.ts';
import { openStore, type StoreTarget } from './store-target.ts';

/** The store (--data, or --store / DATABASE_URL) and whose keys (--email). */
export type KeysTarget = StoreTarget & { email: string };

export type KeysCreateOptions = KeysTarget & {
  name: string;
  walkers?: string[];
  nodes?: string[];
  count?: number;
  interval?: Interval;
  /** The app's .jac file or folder (--app): needed to check walker and node type names. */
  app?: string;
  /** The longest a key may live, days (default 365, as the server's). */
  maxLifetimeDays?: number;
  /** The most keys one user may hold (default MAX_KEYS_PER_USER, as the server's; 0: no limit). */
  maxKeysPerUser?: number;
  /** A signing key of this sender's scheme (--scheme) instead of an API key. */
  scheme?: string;
  /** A file holding the sender's own secret to import (--secret-file); else one is made. */
  secretFile?: string;
};

export type KeysRevokeOptions = KeysTarget & { ids: string[] };

const INTERVALS = Object.keys(INTERVAL_MS) as Interval[];

/** Runs `work` on the stopped server's store and the user of `email`, then closes the store. */
async function withUser<T>(target: KeysTarget, work: (store: Store, user: UserRecord) => Promise<T>): Promise<T> {
  // LowStore.open would create a missing dir: a mistyped --data must not become a new empty one.
  if ('data' in target && !existsSync(target.data)) throw new UsageError(`no data dir at ${target.data} (pass the --data dir the server uses)`);
  let store: Store;
  try {
    store = await openStore('data' in target ? { data: target.data } : { url: target.url });
  } catch (e) {
    if ((e as { code?: string }).code === 'JAC_STORE_LOCKED') throw new UsageError(`${(e as Error).message} (keys commands work on the data dir of a stopped server)`);
    throw e;
  }
  try {
    const user = await store.findUser({ email: target.email });
    if (!user) throw new UsageError(`no user with email ${target.email} in ${store.location}`);
    return await work(store, user);
  } finally {
    await store.close();
  }
}

/** The routes' 422 items as lines an operator reads. */
function problemLines(problems: DetailItem[]): string {
  return problems.map((p) => `  ${p.loc.slice(1).join('.')}: ${p.msg.replace(/^Value error, /, '')}`).join('\n');
}

/** The webhook keys of the user of `email`, one line each; never a key or its hash. */
export async function keysList(options: KeysTarget): Promise<string> {
  return withUser(options, async (store, user) => {
    const keys = new WebhookKeys(store);
    const records = await keys.list(user);
    if (records.length === 0) return `${user.email} has no webhook keys\n`;
    const now = Date.now();
    const rows = records.map((k) => [
      k.id,
      k.name,
      keyPreview(k),
      `${k.expiresAt}${Date.parse(k.expiresAt) <= now ? ' (expired)' : ''}`,
      keys.lastUsedAt(k) ?? 'never',
      k.walkers.length > 0 ? k.walkers.join(',') : '*',
      k.nodes.length > 0 ? k.nodes.join(',') : '*',
    ]);
    return table([['ID', 'NAME', 'PREVIEW', 'EXPIRES', 'LAST USED', 'WALKERS', 'NODES'], ...rows]);
  });
}

/** Creates a key by the routes' rules; the text shows the key, this once. */
export async function keysCreate(options: KeysCreateOptions): Promise<string> {
  const { name, walkers = [], nodes = [], count = DEFAULT_EXPIRATION.count, interval = DEFAULT_EXPIRATION.interval } = options;
  if (name.length < 1 || name.length > 100) throw new UsageError('a key name must have 1 to 100 characters');
  const badName = nameProblem(name);
  if (badName) throw new UsageError(badName);
  if (!Number.isInteger(count) || count < 1) throw new UsageError(`the expiration count must be a whole number of at least 1, not ${count}`);
  if (!INTERVALS.includes(interval)) throw new UsageError(`the expiration interval must be one of ${INTERVALS.join(', ')}, not ${interval}`);
  if (options.scheme !== undefined && !(SCHEMES as readonly string[]).includes(options.scheme)) throw new UsageError(`--scheme must be one of ${SCHEMES.join(', ')}, not ${options.scheme}`);
  if (options.secretFile !== undefined && options.scheme === undefined) throw new UsageError('--secret-file imports a signing secret: name its sender with --scheme');
  const scheme = options.scheme as Scheme | undefined;
  const imported = options.secretFile === undefined ? undefined : readSecretFile(options.secretFile);
  const secretProblem = scheme && imported !== undefined ? importedSecretProblem(scheme, imported) : null;
  if (secretProblem) throw new UsageError(`${options.secretFile}: ${secretProblem}`);
  const typeNames = nodes.filter((n) => n !== 'root' && parseId(n)?.kind !== 'n');
  if (!options.app && (walkers.length > 0 || typeNames.length > 0)) {
    const what = walkers.length > 0 ? `walker names (${walkers.join(', ')})` : `node type names (${typeNames.join(', ')})`;
    throw new UsageError(`checking ${what} needs the program: pass --app <file or folder> (the .jac app the server serves)`);
  }
  // Loaded before the store is opened, so a program that does not load leaves the dir untouched.
  const program: ProgramTypes = options.app ? loadProgram(options.app) : { walkers: new Map(), isNodeType: () => false };

  return withUser(options, async (store, user) => {
    const graph = await store.loadGraph(user.root);
    const isOwnNode = async (id: string) => parseId(id)?.kind === 'n' && (graph ?? []).some((r) => r.id === id);
    const now = Date.now();
    const expiresAt = now + durationMs(count, interval);
    const lifetime = lifetimeProblem(expiresAt, now, options.maxLifetimeDays ?? 365, ['body', 'expiration'], { count, interval });
    const problems = [...walkerProblems(program, walkers, scheme ?? null), ...(await nodeProblems(program, nodes, isOwnNode)), ...(lifetime ? [lifetime] : [])];
    if (problems.length > 0) throw new UsageError(`cannot create the key:\n${problemLines(problems)}`);
    const keys = new WebhookKeys(store);
    const maxKeys = options.maxKeysPerUser ?? MAX_KEYS_PER_USER;
    const problem = await newKeyProblem(keys, user, name, maxKeys);
    if (problem === 'taken') throw new UsageError(`${user.email} already has a key named ${JSON.stringify(name)}`);
    if (problem) throw new UsageError(`${user.email} holds ${problem.held} keys, the most one user may (${maxKeys}; --max-keys-per-user): revoke one before creating another`);
    const fields = { name, walkers, nodes, expiresAt: new Date(expiresAt) };
    if (scheme) {
      const { record, secret } = await keys.createSigning(user, fields, scheme, imported, now);
      const lines = [`created ${scheme} signing key ${JSON.stringify(record.name)} (id ${record.id}) for ${user.email}, expires ${record.expiresAt}`];
      lines.push(`the sender's URL: https://<your host>/webhook/walker/${walkers.length === 1 ? walkers[0] : '<walker>'}?key_id=${record.id}`);
      if (imported === undefined) lines.push(`the secret to give the sender: ${secret}`, 'It is shown only now: it cannot be shown again (rotate the key if it is lost).');
      return [...lines, ''].join('\n');
    }
    const { record, key } = await keys.create(user, fields, now);
    return [
      `created key ${JSON.stringify(record.name)} (id ${record.id}) for ${user.email}, expires ${record.expiresAt}`,
      key,
      'This key is shown only now: store it somewhere safe. It cannot be shown again (revoke it and create another if it is lost).',
      '',
    ].join('\n');
  });
}

/** Deletes keys of the user of `email`: all of them, or none if any id is not one of theirs. */
export async function keysRevoke(options: KeysRevokeOptions): Promise<string> {
  if (options.ids.length === 0) throw new UsageError('name at least one key id to revoke');
  return withUser(options, async (store, user) => {
    const keys = new WebhookKeys(store);
    const ids = [...new Set(options.ids)];
    const found = await Promise.all(ids.map((id) => keys.owned(user, id)));
    const unknown = ids.filter((_id, i) => found[i] === null);
    if (unknown.length > 0) throw new UsageError(`${user.email} has no key with id ${unknown.join(', ')}; nothing was revoked`);
    await keys.delete(ids);
    return `revoked ${ids.length} key${ids.length === 1 ? '' : 's'} of ${user.email}: ${ids.join(', ')}\n`;
  });
}

/** A secret from a file (so that it never appears in a command line or shell history), trimmed of its line end. */
function readSecretFile(file: string): string {
  try {
    return readFileSync(file, 'utf8').replace(/\r?\n$/, '');
  } catch (e) {
    throw new UsageError(`cannot read the secret file ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

function loadProgram(app: string): ProgramTypes {
  try {
    return servedApp(manifestOf(loadApp(jacFilesIn(app), () => {})));
  } catch (e) {
    if (!(e instanceof LoadFailure)) throw e;
    throw new UsageError(`the app at ${app} does not load:\n${e.diagnostics.map((d) => formatDiagnostic(d.diagnostic, d.source)).join('\n')}`);
  }
}

/** Rows as left-aligned columns. */
function table(rows: string[][]): string {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  return rows.map((r) => r.map((cell, c) => (c === r.length - 1 ? cell : cell.padEnd(widths[c]))).join('  ')).join('\n') + '\n';
}
