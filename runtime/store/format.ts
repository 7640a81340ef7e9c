// The format every data file of a lowdb data dir declares, and the check that refuses a file
// that is not one of ours or was written by a newer jac-serve.
import { StoreError } from './store.ts';

/**
 * 2: a root is a snapshot plus a journal, and a node's edges are its edge records in creation
 * order (format 1 files are read as they are; their nodes' edge lists are not needed).
 * 3: the system file is a snapshot plus a journal too (system-journal.ts); format 2 files are
 * read as they are.
 * 4: a line of the job files' journals may leave out a run's fields, or a logged delivery's fields
 * kept for replay, that an earlier line holds, or the job's of a delivery answered 202
 * (job-journal.ts); format 3 files are read as they are, and an older jac-serve refuses the dir
 * rather than misreading such a line.
 */
export const FORMAT_VERSION = 4;

export function checkFormat(json: unknown, file: string): Record<string, unknown> {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new StoreError(`${file}: not a jac-serve data file (expected a JSON object)`, 'JAC_STORE_CORRUPT');
  const format = (json as { format?: unknown }).format;
  if (typeof format !== 'number') throw new StoreError(`${file}: not a jac-serve data file (no "format" field)`, 'JAC_STORE_CORRUPT');
  if (format > FORMAT_VERSION) throw new StoreError(`${file}: written by a newer jac-serve (format ${format}; this one reads up to ${FORMAT_VERSION})`, 'JAC_STORE_VERSION');
  return json as Record<string, unknown>;
}
