// Who besides its owner may reach a data dir (lowdb-store.ts makes a new one 0700).
import { statSync } from 'node:fs';

/**
 * The permission bits of `dir` when users other than its owner may reach into it, else null. A
 * data dir holds the token secret and the webhook secrets' master key; one jac-serve makes is
 * its owner's alone, and one that exists keeps the mode its operator gave it, so the operator is
 * told of one that others can read. (Windows has no such bits: never.)
 */
export function dataDirOpenToOthers(dir: string): number | null {
  if (process.platform === 'win32') return null;
  const mode = statSync(dir).mode & 0o777;
  return (mode & 0o077) !== 0 ? mode : null;
}
