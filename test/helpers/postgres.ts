// A throwaway PostgreSQL cluster for the tests of one test process: made with initdb in a temp
// dir on first use, listening on a unix socket dir in /tmp and a free port on 127.0.0.1 with
// trust auth, and stopped and removed when the process exits. Each test asks for a database of
// its own. A machine without the PostgreSQL server binaries fails the tests that need them, with a
// message saying what to install (they are never skipped).
import { execFileSync, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

export interface Cluster {
  host: string;
  port: number;
  /** A new, empty database; its URL. */
  createDatabase(): Promise<string>;
}

/** Where initdb, pg_ctl and postgres are: `pg_config --bindir`, else the newest /usr/lib/postgresql/<v>/bin. */
function binDir(): string {
  const has = (dir: string) => ['initdb', 'pg_ctl', 'postgres'].every((b) => existsSync(join(dir, b)));
  try {
    const dir = execFileSync('pg_config', ['--bindir'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    if (has(dir)) return dir;
  } catch {
    // no pg_config: look in the usual place
  }
  const base = '/usr/lib/postgresql';
  const versions = existsSync(base) ? readdirSync(base).filter((v) => has(join(base, v, 'bin'))).sort((a, b) => Number(b) - Number(a)) : [];
  if (versions.length > 0) return join(base, versions[0], 'bin');
  throw new Error('the PostgreSQL server binaries (initdb, pg_ctl, postgres) are not installed: these tests need them (Debian: apt-get install postgresql)');
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** initdb and postgres refuse to run as root: as root they run as the `postgres` user. */
function asServerUser(command: string, args: string[]): void {
  const root = userInfo().uid === 0;
  const r = root ? spawnSync('runuser', ['-u', 'postgres', '--', command, ...args], { encoding: 'utf8' }) : spawnSync(command, args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${command} failed: ${(r.stderr || r.stdout || r.error?.message || '').trim()}`);
}

function chownToServerUser(path: string): void {
  if (userInfo().uid !== 0) return;
  const r = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
  const g = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error('running as root, the tests start PostgreSQL as the `postgres` user, and there is none (Debian: apt-get install postgresql)');
  chownSync(path, Number(r.stdout), Number(g.stdout));
}

let started: Promise<Cluster> | null = null;

async function start(): Promise<Cluster> {
  const bin = binDir();
  const dir = mkdtempSync('/tmp/jac-pg-');
  const data = join(dir, 'data');
  const sockets = join(dir, 'sockets');
  execFileSync('mkdir', ['-p', data, sockets]);
  for (const p of [dir, data, sockets]) chownToServerUser(p);
  const port = await freePort();
  asServerUser(join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync', '--no-instructions']);
  // The cluster is thrown away: durability of its own files is not what the tests check.
  const settings = `-c listen_addresses=127.0.0.1 -p ${port} -k ${sockets} -c fsync=off -c full_page_writes=off -c max_connections=200`;
  asServerUser(join(bin, 'pg_ctl'), ['start', '-w', '-s', '-D', data, '-l', join(dir, 'log'), '-o', settings]);
  process.once('exit', () => {
    spawnSync(userInfo().uid === 0 ? 'runuser' : join(bin, 'pg_ctl'), userInfo().uid === 0 ? ['-u', 'postgres', '--', join(bin, 'pg_ctl'), 'stop', '-s', '-m', 'immediate', '-D', data] : ['stop', '-s', '-m', 'immediate', '-D', data]);
    rmSync(dir, { recursive: true, force: true });
  });
  let count = 0;
  return {
    host: '127.0.0.1',
    port,
    async createDatabase() {
      const name = `jac_test_${process.pid}_${++count}`;
      const client = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', database: 'postgres' });
      await client.connect();
      try {
        await client.query(`CREATE DATABASE ${name}`);
      } finally {
        await client.end();
      }
      return `postgres://postgres:test-password@127.0.0.1:${port}/${name}`;
    },
  };
}

/** The test process's cluster, started on first use. */
export function postgres(): Promise<Cluster> {
  started ??= start();
  return started;
}

/** A fresh database's URL. */
export async function freshDatabase(): Promise<string> {
  return (await postgres()).createDatabase();
}
