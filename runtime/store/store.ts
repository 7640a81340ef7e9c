// What the rest of jac-serve needs from persistent storage, independent of how it is stored:
// each root's graph as records, changed one walker run at a time, plus users, webhook keys and
// server secrets. `LowStore` (lowdb-store.ts) keeps it in JSON files in a data dir; a backend
// shared by several processes would implement the same interface.

/** A value as stored: JSON, with tagged objects for what JSON cannot say (see codec.ts). */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/**
 * A node or edge of a root's graph. The id says what it is (http-api.md §4): `n:<Type>:<hex>`,
 * `n::<hex>` for the root, `e:<Type>:<hex>`, `e::<hex>` for a generic edge.
 */
export interface GraphRecord {
  id: string;
  /** The `has` fields (and attributes set later), encoded. */
  fields: Record<string, Json>;
  /**
   * Format 1 only: a node's edges (ids). A node's edges are the edge records naming it, in
   * creation order, so adding an edge writes the edge alone.
   */
  edges?: string[];
  /** For an edge: its ends (ids) and whether it was made undirected (`<++>`). */
  source?: string;
  target?: string;
  undirected?: boolean;
}

/** What one walker run changed in a root's graph, committed as one unit. */
export interface GraphChange {
  /** Created or updated records. A new edge comes after the nodes it joins. */
  upserts: GraphRecord[];
  /** Ids of deleted nodes and edges. */
  deletes: string[];
}

export interface UserRecord {
  id: string;
  email: string;
  /** `scrypt$N$r$p$<salt>$<hash>` (never the password). */
  passwordHash: string;
  /** The id of the user's root node. */
  root: string;
  createdAt: string;
}

export interface KeyRecord {
  /** The non-secret key id (also in the key text). */
  id: string;
  owner: string;
  name: string;
  /** SHA-256 of the secret part, hex. */
  secretHash: string;
  walkers: string[];
  nodes: string[];
  createdAt: string;
  expiresAt: string;
  lastUsedAt: string | null;
}

/** The graphs half of a store: what a run worker reads and commits. */
export interface GraphStore {
  /** Where the data lives, for messages. */
  readonly location: string;
  /** A root's records in creation order, or null for a root never committed. */
  loadGraph(rootId: string): Promise<GraphRecord[] | null>;
  /**
   * Applies one run's changes; resolves once they are durable. When it fails, nothing of the
   * change stays in memory: the next load reads what is durable.
   */
  commitGraph(rootId: string, change: GraphChange): Promise<void>;
}

export interface Store extends GraphStore {
  /** A named server secret (`TOKEN_SECRET`), or null. */
  getSecret(name: string): Promise<string | null>;
  setSecret(name: string, value: string): Promise<void>;
  findUser(by: { email: string } | { id: string }): Promise<UserRecord | null>;
  addUser(user: UserRecord): Promise<void>;
  listKeys(owner: string): Promise<KeyRecord[]>;
  findKey(id: string): Promise<KeyRecord | null>;
  putKey(key: KeyRecord): Promise<void>;
  deleteKeys(ids: string[]): Promise<void>;
  /** Waits for every write under way, then releases the data dir. */
  close(): Promise<void>;
}

/** A store problem a person must act on: a data dir in use, a file that does not load. */
export class StoreError extends Error {
  constructor(
    message: string,
    readonly code: 'JAC_STORE_LOCKED' | 'JAC_STORE_CORRUPT' | 'JAC_STORE_VERSION' | 'JAC_STORE_VALUE' | 'JAC_STORE_IO',
  ) {
    super(message);
    this.name = 'StoreError';
  }
}
