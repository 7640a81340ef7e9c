// Runs a child script that prints a line for each step it has made durable, and kills it with
// SIGKILL at a random moment, up to `maxDelayMs` after `enough` first holds of the lines so far:
// the crash tests' way of cutting a process off mid-write. Resolves with every whole line it
// printed (a line cut by the kill is not one); rejects if the child ended any other way.
import { spawn } from 'node:child_process';

export function killedMidway(script: string, args: string[], enough: (lines: string[]) => boolean, maxDelayMs: number): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ['--import', 'tsx', script, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    const printed: string[] = [];
    let buffer = '';
    let stderr = '';
    let killing = false;
    p.stderr.on('data', (d) => (stderr += d));
    p.stdout.on('data', (d) => {
      buffer += d;
      const lines = buffer.split('\n');
      buffer = lines.pop()!;
      printed.push(...lines);
      if (!killing && enough(printed)) {
        killing = true;
        setTimeout(() => p.kill('SIGKILL'), Math.floor(Math.random() * maxDelayMs));
      }
    });
    p.on('exit', (code, signal) => {
      if (signal !== 'SIGKILL') reject(new Error(`child ended with ${code}: ${stderr}`));
      else resolve(printed);
    });
  });
}
