// The CPU time the main thread (the server's event loop) has used: what a route costs the
// server, apart from the load generator and the run workers that share the machine's cores.
// Requests/s on a machine whose cores are shared swing with what else runs; the CPU a request
// takes on the thread that answers it swings much less. Read from Linux's /proc, where each
// thread has its own counters (process.cpuUsage sums every thread); elsewhere there is none.
import { readFileSync } from 'node:fs';

/** Clock ticks per second of /proc's counters (USER_HZ: 100 on every Linux architecture Node runs on). */
const TICKS_PER_SECOND = 100;

/** Microseconds of CPU (user + system) the main thread has used so far, or null where /proc cannot tell. */
export function mainThreadCpuMicros(): number | null {
  try {
    const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
    // The name (field 2) is in parentheses and may hold spaces: the fields are counted after it.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime and stime are fields 14 and 15 of the line: the 12th and 13th after the name.
    const ticks = Number(fields[11]) + Number(fields[12]);
    return Number.isFinite(ticks) ? (ticks * 1_000_000) / TICKS_PER_SECOND : null;
  } catch {
    return null;
  }
}
