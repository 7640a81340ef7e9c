// Ids as Jac Cloud writes them (http-api.md §4): `<kind>:<Type>:<24 hex>`, with an empty type
// for the root (`n::<hex>`) and generic edges (`e::<hex>`).
import { randomBytes } from 'node:crypto';

export type IdKind = 'n' | 'e' | 'w' | 'o';

export function newId(kind: IdKind, type: string): string {
  return `${kind}:${type}:${randomBytes(12).toString('hex')}`;
}

const ID = /^([neow]):([A-Za-z_][A-Za-z0-9_]*)?:([0-9a-f]{24})$/;

/** The parts of a well-formed id, or null. */
export function parseId(id: string): { kind: IdKind; type: string; hex: string } | null {
  const m = ID.exec(id);
  return m ? { kind: m[1] as IdKind, type: m[2] ?? '', hex: m[3] } : null;
}

/** What Jac Cloud calls a user's `root_id`: the root's hex alone (apps build `n::<root_id>` from it). */
export function rootIdOf(rootId: string): string {
  return rootId.slice(rootId.lastIndexOf(':') + 1);
}
