// Which store a command uses: a data dir (`--data`, the embedded default) or a PostgreSQL URL
// (`--store`, else the DATABASE_URL environment variable when no `--data` is given). Naming both
// flags is a usage mistake. A store that does not open is one line saying why, for the operator.
import { type Store, StoreError } from '../runtime/store/store.ts';
import { UsageError } from './files.ts';

export type StoreTarget = { data: string } | { url: string };

/**
 * The target of the flags: `--store`, or `--data`, or DATABASE_URL, or `fallbackData` (the
 * default data dir; undefined: none, a usage error). Throws (a yargs check) when both are given.
 */
export function storeTarget(flags: { data?: string; store?: string }, fallbackData?: string, env = process.env): StoreTarget {
  if (flags.store !== undefined && flags.data !== undefined) throw new Error('--store and --data name two stores: give one of them');
  if (flags.store !== undefined) return { url: flags.store };
  if (flags.data !== undefined) return { data: flags.data };
  if (env.DATABASE_URL) return { url: env.DATABASE_URL };
  if (fallbackData !== undefined) return { data: fallbackData };
  throw new Error('name the store: --data DIR or --store postgres://… (or set DATABASE_URL)');
}

/** Opens the target's store; what the operator must fix is a UsageError of one line (with the StoreError's code). */
export async function openStore(target: StoreTarget): Promise<Store> {
  try {
    if ('url' in target) {
      const { PgStore } = await import('../runtime/store/postgres/pg-store.ts');
      return await PgStore.open(target.url);
    }
    const { LowStore } = await import('../runtime/store/lowdb-store.ts');
    return await LowStore.open(target.data);
  } catch (e) {
    if (e instanceof StoreError) throw Object.assign(new UsageError(e.message), { code: e.code });
    throw e;
  }
}

