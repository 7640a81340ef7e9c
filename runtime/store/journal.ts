// A root's journal: one line per write, each line one GraphChange (`{"u":[records],"d":[ids]}`),
// appended and fsynced. A line counts once it is whole: it ends with a newline and parses. A
// crash mid-append leaves a torn last line, which was never acknowledged; it is dropped, and the
// file cut back to the last whole line before anything is appended after it.
import { type FileHandle, open, readFile, truncate } from 'node:fs/promises';
import { dirname } from 'node:path';
import { syncFolder } from './durable-file.ts';
import { type GraphChange, StoreError } from './store.ts';

export interface JournalRead {
  changes: GraphChange[];
  /** The bytes of whole lines (where the next append goes). */
  bytes: number;
}

export function journalLine(change: GraphChange): string {
  return `{"u":${JSON.stringify(change.upserts)},"d":${JSON.stringify(change.deletes)}}\n`;
}

/** The whole lines of `file` (none when it does not exist); a torn tail is cut off the file. */
export async function readJournal(file: string): Promise<JournalRead> {
  let buffer: Buffer;
  try {
    buffer = await readFile(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { changes: [], bytes: 0 };
    throw new StoreError(`cannot read ${file}: ${(e as Error).message}`, 'JAC_STORE_IO');
  }
  const changes: GraphChange[] = [];
  let start = 0;
  for (let end = buffer.indexOf(10, start); end !== -1; end = buffer.indexOf(10, start)) {
    const change = parseLine(buffer.toString('utf8', start, end));
    if (change === null) break;
    changes.push(change);
    start = end + 1;
  }
  if (start < buffer.length) {
    // A whole line after the bad one means the bad one is not a torn tail: refuse, cut nothing.
    for (let from = start, end = buffer.indexOf(10, from); end !== -1; end = buffer.indexOf(10, from)) {
      if (from !== start && parseLine(buffer.toString('utf8', from, end)) !== null) throw corrupt(file);
      from = end + 1;
    }
    // What follows the last whole line was never acknowledged.
    try {
      await truncate(file, start);
    } catch (e) {
      throw new StoreError(`cannot cut the torn end off ${file}: ${(e as Error).message}`, 'JAC_STORE_IO');
    }
  }
  return { changes, bytes: start };
}

function parseLine(text: string): GraphChange | null {
  try {
    const o = JSON.parse(text) as { u?: unknown; d?: unknown };
    if (!Array.isArray(o.u) || !Array.isArray(o.d)) return null;
    return { upserts: o.u, deletes: o.d } as GraphChange;
  } catch {
    return null;
  }
}

const corrupt = (file: string) => new StoreError(`${file}: a journal line in the middle does not parse. The file was left as it is; restore it from a backup.`, 'JAC_STORE_CORRUPT');

/**
 * Appends `text` at `at` (the end of the whole lines) and fsyncs it, opening and closing the file
 * around it (a root's journal: a process may hold many); a new file's folder is fsynced too.
 */
export async function appendJournal(file: string, at: number, text: string): Promise<number> {
  const journal = new OpenJournal(file);
  try {
    return await journal.append(at, text);
  } finally {
    await journal.close();
  }
}

/**
 * A journal that one writer appends to often (the embedded store's jobs and delivery log), kept
 * open between appends: each append is a write and an fsync, without an open and a close around
 * them. Under load every file operation waits its turn on a busy event loop, so two fewer per
 * append shorten every write that a queued job's answer waits for. A failed append is cut back
 * off, so the file never holds half a line that a later append would bury, and the file is
 * opened afresh for the next one.
 */
export class OpenJournal {
  private handle: FileHandle | null = null;

  constructor(readonly file: string) {}

  /** Appends `text` at `at` (the end of the whole lines) and fsyncs it; resolves with the new end. */
  async append(at: number, text: string): Promise<number> {
    const bytes = Buffer.from(text, 'utf8');
    if (!this.handle) {
      try {
        this.handle = await open(this.file, 'a');
      } catch (e) {
        throw new StoreError(`cannot write ${this.file}: ${(e as Error).message}`, 'JAC_STORE_IO');
      }
    }
    const handle = this.handle;
    try {
      // A write may take fewer bytes than given (a disk filling up): the rest is written again,
      // which then fails with the reason.
      for (let done = 0; done < bytes.length; ) done += (await handle.write(bytes, done, bytes.length - done)).bytesWritten;
      await handle.datasync();
    } catch (e) {
      await handle.truncate(at).catch(() => undefined);
      await this.close();
      throw new StoreError(`cannot write ${this.file}: ${(e as Error).message}`, 'JAC_STORE_IO');
    }
    if (at === 0) await syncFolder(dirname(this.file));
    return at + bytes.length;
  }

  async close(): Promise<void> {
    const handle = this.handle;
    this.handle = null;
    await handle?.close().catch(() => undefined);
  }
}
