// The real `jac-serve` CLI started as a process for a test, as an operator starts it: on a free
// port, its output kept, ready once it says where it listens.
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const BIN = fileURLToPath(new URL('../../bin/jac-serve.js', import.meta.url));

export interface CliServer {
  process: ChildProcess;
  url: string;
  /** Everything it printed so far, stdout and stderr. */
  output: () => string;
}

/** Runs `jac-serve <args>` and resolves once it listens (rejects if it exits first, or after `timeoutMs`). */
export async function startCli(args: string[], env: NodeJS.ProcessEnv = process.env, timeoutMs = 30_000): Promise<CliServer> {
  const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no URL in: ${out}`)), timeoutMs);
    child.stdout!.on('data', () => {
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    child.on('exit', () => reject(new Error(`exited: ${out}`)));
  });
  return { process: child, url, output: () => out };
}

/** Resolves with the exit code once `child` has exited (at once if it has). */
export const exited = (child: ChildProcess) =>
  new Promise<number | null>((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve(child.exitCode) : child.once('exit', (code) => resolve(code))));
