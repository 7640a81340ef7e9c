// Sharing between users (jac-cloud-runtime.md §3): the access levels an anchor grants other
// roots, how a caller's level on another root's anchor is worked out, and the guard that a graph
// a run reaches but does not own carries, so that traversal, connect and the commit see only
// what the caller may.
import { PyError } from '../values/errors.ts';
import { str } from '../values/repr.ts';
import { PyFloat } from '../values/numbers.ts';
import type { Value } from '../values/value.ts';
import type { PyInstance } from './archetypes.ts';

/** Jac Cloud's AccessLevel: read needs > NO_ACCESS, connect > READ, write > CONNECT. */
export const NO_ACCESS = -1;
export const READ = 0;
export const CONNECT = 1;
export const WRITE = 2;

export const LEVEL_NAMES = ['NO_ACCESS', 'READ', 'CONNECT', 'WRITE'] as const;
export type LevelName = (typeof LEVEL_NAMES)[number];

export const levelName = (level: number): LevelName => LEVEL_NAMES[level + 1];

/** What an anchor grants: every root (`all`), and single roots by id, which replace `all`. */
export interface Access {
  all: number;
  roots: Map<string, number>;
}

/** An anchor's access as stored: levels by name, as Jac Cloud stores them. */
export interface StoredAccess {
  all: LevelName;
  roots: Record<string, LevelName>;
}

export function encodeAccess(a: Access): StoredAccess {
  const roots: Record<string, LevelName> = {};
  for (const [id, level] of a.roots) roots[id] = levelName(level);
  return { all: levelName(a.all), roots };
}

export function decodeAccess(s: StoredAccess): Access {
  const level = (name: string) => Math.max(NO_ACCESS, LEVEL_NAMES.indexOf(name as LevelName) - 1);
  return { all: level(s.all), roots: new Map(Object.entries(s.roots ?? {}).map(([id, name]) => [id, level(name)])) };
}

/**
 * `AccessLevel.cast`: an int through `AccessLevel(int)` (-1 to 2), a str by its exact name
 * (`"WRITE"`; `"write"` is a KeyError, as there).
 */
export function castLevel(v: Value): number {
  if (typeof v === 'bigint') v = Number(v);
  if (typeof v === 'boolean') v = v ? 1 : 0;
  if (typeof v === 'number' && Number.isInteger(v)) {
    if (v < NO_ACCESS || v > WRITE) throw new PyError('ValueError', `${v} is not a valid AccessLevel`);
    return v;
  }
  if (typeof v === 'string') {
    const i = LEVEL_NAMES.indexOf(v as LevelName);
    if (i === -1) throw new PyError('KeyError', str(v));
    return i - 1;
  }
  if (v instanceof PyFloat) throw new PyError('ValueError', `${str(v)} is not a valid AccessLevel`);
  throw new PyError('ValueError', `${str(v)} is not a valid AccessLevel`);
}

/**
 * The level root `caller` has on anchor `x` of another root's graph whose root is `owner`
 * (§3 "Check"): x's `all`, raised to the owner root's `all`; then the owner root's entry for the
 * caller replaces it, and x's own entry replaces that (a specific grant can also lower access).
 */
export function levelOf(caller: string, x: PyInstance, owner: PyInstance): number {
  const own = x.access;
  const root = owner.access;
  let level = Math.max(own?.all ?? NO_ACCESS, root?.all ?? NO_ACCESS);
  const byRoot = root?.roots.get(caller);
  if (byRoot !== undefined) level = byRoot;
  const byAnchor = x === owner ? undefined : own?.roots.get(caller);
  if (byAnchor !== undefined) level = byAnchor;
  return level;
}

/**
 * What a graph owned by another root carries while a run reaches it: the caller's root id and the
 * owner's root, so each anchor's level is worked out when it is met.
 */
export class AccessGuard {
  constructor(
    readonly caller: string,
    readonly owner: PyInstance,
  ) {}

  level(x: PyInstance): number {
    return levelOf(this.caller, x, this.owner);
  }
}

/**
 * The caller's level on `x` in the run under way: WRITE on its own graph, on what is not stored,
 * and on what the run itself added to another root's graph.
 */
export function levelIn(x: PyInstance): number {
  const g = x.graph;
  if (g === null || g.guard === null || g.adoptedNow.has(x)) return WRITE;
  return g.guard.level(x);
}

/** Anchors whose access a run changed (perm_grant and the rest): their share hints are written with the commit. */
export const accessChanged = new WeakSet<PyInstance>();

/** Who may see an anchor (a share hint: `all`, or the root ids granted more than NO_ACCESS). */
export function granteesOf(a: Access | null): string[] | 'all' {
  if (a === null) return [];
  if (a.all > NO_ACCESS) return 'all';
  return [...a.roots].filter(([, level]) => level > NO_ACCESS).map(([id]) => id);
}
