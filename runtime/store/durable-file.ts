// A lowdb adapter that survives a crash at any moment: the new text goes to a temporary file
// that is fsynced, renamed over the old one, and then the folder is fsynced so the rename
// itself is durable. (lowdb's own TextFile adapter renames without fsync.) Reading reports a
// file that is not valid JSON with its name and line:col instead of starting empty.
import { open, readFile, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Adapter } from 'lowdb';
import { StoreError } from './store.ts';

let tempCounter = 0;

/** Writes `text` to `file` atomically and durably. */
export function writeDurably(file: string, text: string): Promise<number> {
  return writeDurablyInParts(file, [text]);
}

/**
 * Writes the text of `parts`, one after another, to `file` atomically and durably; resolves with
 * its bytes. Each part is made only once the previous one was written, so a large file made in
 * parts never holds the event loop for the whole of it.
 */
export async function writeDurablyInParts(file: string, parts: Iterable<string>): Promise<number> {
  const temp = join(dirname(file), `.${basename(file)}.${process.pid}.${++tempCounter}.tmp`);
  let bytes = 0;
  try {
    const handle = await open(temp, 'w');
    try {
      for (const part of parts) {
        const buffer = Buffer.from(part, 'utf8');
        // A write may take fewer bytes than given (a disk filling up): the rest is written again.
        for (let done = 0; done < buffer.length; ) done += (await handle.write(buffer, done, buffer.length - done)).bytesWritten;
        bytes += buffer.length;
      }
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, file);
  } catch (e) {
    await rm(temp, { force: true });
    throw new StoreError(`cannot write ${file}: ${(e as Error).message}`, 'JAC_STORE_IO');
  }
  await syncFolder(dirname(file));
  return bytes;
}

export async function syncFolder(folder: string): Promise<void> {
  const handle = await open(folder, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** `JSON.parse`, with a failure named by file and line:col. */
export function parseJson(text: string, file: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    const message = (e as Error).message;
    const at = /position (\d+)/.exec(message);
    const offset = at ? Number(at[1]) : text.length;
    const before = text.slice(0, offset);
    const line = before.split('\n').length;
    const col = offset - before.lastIndexOf('\n');
    const what = at ? message.replace(/ in JSON at position \d+.*$/, '') : 'the file ends too early (truncated?)';
    throw new StoreError(`${file}:${line}:${col}: not valid JSON: ${what}. The file was left as it is; restore it from a backup or fix it by hand.`, 'JAC_STORE_CORRUPT');
  }
}

/** A JSON file's value and size in bytes; null when there is no such file. */
export async function readJsonFile(file: string): Promise<{ json: unknown; bytes: number } | null> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new StoreError(`cannot read ${file}: ${(e as Error).message}`, 'JAC_STORE_IO');
  }
  return { json: parseJson(text, file), bytes: Buffer.byteLength(text) };
}

/**
 * A lowdb adapter over one file. `encode` turns the data into the file's text, so a caller can
 * keep pieces of it already encoded; `decode` checks what was read.
 */
export class DurableFile<T> implements Adapter<T> {
  constructor(
    readonly file: string,
    private readonly encode: (data: T) => string,
    private readonly decode: (json: unknown, file: string) => T,
  ) {}

  async read(): Promise<T | null> {
    const read = await readJsonFile(this.file);
    return read === null ? null : this.decode(read.json, this.file);
  }

  async write(data: T): Promise<void> {
    // Encoded now, before anything is awaited: later changes belong to the next write.
    await writeDurably(this.file, this.encode(data));
  }
}
