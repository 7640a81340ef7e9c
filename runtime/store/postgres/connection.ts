// Connecting to PostgreSQL: a pool per process (or run worker) for one `postgres://` URL, and the
// translation of the driver's errors into StoreErrors. A message names the server (host, port,
// database) and never the password; a lost or refused connection is JAC_STORE_UNAVAILABLE.
import pg from 'pg';
import { StoreError } from '../store.ts';

/** Where a URL points, for messages: `postgres://user@host:port/db`, without the password. */
export function describeUrl(url: string): string {
  const u = parseUrl(url);
  return `postgres://${u.username ? `${decodeURIComponent(u.username)}@` : ''}${u.host || 'localhost'}${u.pathname}`;
}

function parseUrl(url: string): URL {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new StoreError('the store must be a URL like postgres://user:password@host:5432/db', 'JAC_STORE_VALUE');
  }
  if (u.protocol !== 'postgres:' && u.protocol !== 'postgresql:') {
    throw new StoreError(`the store must be a postgres:// URL, not a ${u.protocol.replace(/:$/, '')}: one`, 'JAC_STORE_VALUE');
  }
  return u;
}

/** A pool for `url`; its idle connections that fail are dropped, never an uncaught error. */
export function openPool(url: string, max: number, connectTimeoutMs = 10_000): pg.Pool {
  parseUrl(url);
  const pool = new pg.Pool({ connectionString: url, max, connectionTimeoutMillis: connectTimeoutMs, idleTimeoutMillis: 30_000 });
  pool.on('error', () => undefined); // an idle client lost its connection: the pool drops it
  return pool;
}

/** SQLSTATE classes and codes of a connection that is gone, refused or not ready. */
const UNAVAILABLE_STATES = /^(08...|57P0[1-3]|53300|55P03)$/;
const UNAVAILABLE_ERRNOS = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'ENOENT']);

/** Whether `e` says the database could not be reached or the connection was lost. */
export function isConnectionError(e: unknown): boolean {
  if (!(e instanceof Error)) return false;
  const code = (e as { code?: unknown }).code;
  if (typeof code === 'string' && (UNAVAILABLE_STATES.test(code) || UNAVAILABLE_ERRNOS.has(code))) return true;
  return /Connection terminated|connection error|not queryable|timeout exceeded when trying to connect|Client was closed/i.test(e.message);
}

/** A driver error as a StoreError that says where and why (the password is never in it). */
export function storeFailure(e: unknown, where: string, doing: string): StoreError {
  if (e instanceof StoreError) return e;
  const message = e instanceof Error ? e.message || (e as { code?: string }).code || e.name : String(e);
  const reason = message.replace(/postgres(ql)?:\/\/[^@\s]*@/g, 'postgres://');
  if (isConnectionError(e)) return new StoreError(`${doing}: the database at ${where} cannot be reached: ${reason}`, 'JAC_STORE_UNAVAILABLE');
  return new StoreError(`${doing} at ${where}: ${reason}`, 'JAC_STORE_IO');
}
