// Who a process is, beyond its pid. A pid alone names another process once its owner is gone
// (PID reuse), and every container's first process is PID 1. On Linux a process is its pid plus
// its start time (field 22 of /proc/<pid>/stat, clock ticks since boot), within one PID
// namespace of one kernel run (the boot id). Without /proc only the pid is known.
import { readFileSync, readlinkSync } from 'node:fs';
import { hostname } from 'node:os';

export interface ProcessIdentity {
  pid: number;
  /** Start time in clock ticks since boot; absent where /proc cannot tell. */
  start?: number;
  /** The kernel run: /proc/sys/kernel/random/boot_id. */
  boot?: string;
  /** The PID namespace, as `pid:[inode]`. */
  pidns?: string;
  host: string;
}

function read(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return undefined;
  }
}

/** State and start time of a /proc/<pid>/stat line, or undefined when it does not parse. */
export function parseStat(text: string): { state: string; start: number } | undefined {
  // Field 2 is `(comm)`, which may itself hold spaces and parentheses: the fields after it start
  // after the last ')'. There, field 3 (state) is at index 0 and field 22 (starttime) at 19.
  const close = text.lastIndexOf(')');
  if (close < 0) return undefined;
  const fields = text.slice(close + 1).trim().split(/\s+/);
  const start = Number(fields[19]);
  return fields[0] && Number.isSafeInteger(start) ? { state: fields[0], start } : undefined;
}

/**
 * Whether /proc/<n> names the process that has pid n in our own PID namespace: not so when
 * /proc is absent or was mounted for another namespace (`unshare --pid` without --mount-proc).
 */
function procIsOurs(): boolean {
  try {
    return readlinkSync('/proc/self') === String(process.pid);
  } catch {
    return false;
  }
}

let current: ProcessIdentity | undefined;

export function currentProcess(): ProcessIdentity {
  if (!current) {
    const stat = read('/proc/self/stat');
    let pidns: string | undefined;
    try {
      pidns = readlinkSync('/proc/self/ns/pid');
    } catch {
      pidns = undefined;
    }
    current = { pid: process.pid, start: stat === undefined ? undefined : parseStat(stat)?.start, boot: read('/proc/sys/kernel/random/boot_id'), pidns, host: hostname() };
  }
  return current;
}

/**
 * Whether the process `pid` of our PID namespace runs, and, when `start` is given and /proc can
 * tell, is the one that started then. A zombie has stopped: it only waits to be reaped.
 */
export function isRunning(pid: number, start?: number): boolean {
  if (procIsOurs()) {
    const text = read(`/proc/${pid}/stat`);
    const stat = text === undefined ? undefined : parseStat(text);
    if (!stat) return false;
    if (stat.state === 'Z' || stat.state === 'X') return false;
    return start === undefined || stat.start === start;
  }
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
