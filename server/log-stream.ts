// Where the server's log goes: on a terminal, one pretty coloured line per entry (pino-pretty);
// anywhere else (a file, a pipe, a log collector), pino's JSON lines as they are.
import pretty from 'pino-pretty';

/** A pretty stream when `out` is a terminal, else undefined (pino writes JSON to stdout). */
export function terminalLogStream(out: { isTTY?: boolean } = process.stdout): NodeJS.WritableStream | undefined {
  if (!out.isTTY) return undefined;
  return pretty({ colorize: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname', singleLine: true });
}
