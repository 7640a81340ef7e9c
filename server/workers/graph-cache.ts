// The root graphs a run worker holds between jobs, so the next job on a root starts at once
// instead of reading it again. Bounded: a graph idle longer than `idleMs` is dropped, and when
// the graphs held weigh more than `maxBytes` the least recently used go first (the one in use
// stays). A dropped graph is read again from the store on its next job: the store has every
// committed change, so dropping costs a read, never data.
import type { PersistentGraph } from '../../runtime/store/persistent-graph.ts';

/** What one stored node or edge costs in memory, roughly (measured: about 1.5 KB per node with its edge). */
export const BYTES_PER_RECORD = 1_500;

export interface HeldGraph {
  graph: PersistentGraph;
  /** The tag of its state (see pool.ts). */
  tag: string;
  /** Its version in a shared store, else null. */
  version: number | null;
}

interface Entry extends HeldGraph {
  lastUsed: number;
}

export class GraphCache {
  private readonly entries = new Map<string, Entry>();
  /** Graphs dropped so far (tests and the log read it). */
  evictions = 0;

  constructor(
    private readonly maxBytes: number,
    private readonly idleMs: number,
    /** Told of each root dropped (the store forgets what it knows of it too). */
    private readonly onDrop: (root: string) => void = () => undefined,
    private readonly now: () => number = Date.now,
  ) {}

  get(root: string): HeldGraph | undefined {
    const e = this.entries.get(root);
    if (e) {
      // Moved to the end: the Map's order is the order of use, least recent first.
      this.entries.delete(root);
      this.entries.set(root, e);
      e.lastUsed = this.now();
    }
    return e;
  }

  set(root: string, held: HeldGraph): void {
    this.entries.delete(root); // re-inserted: the Map's order is the order of use
    this.entries.set(root, Object.assign({}, held, { lastUsed: this.now() }));
  }

  delete(root: string): void {
    this.entries.delete(root);
  }

  get size(): number {
    return this.entries.size;
  }

  /** The memory the graphs held take, estimated from their records. */
  get bytes(): number {
    let records = 0;
    for (const e of this.entries.values()) records += e.graph.tracker.byId.size;
    return records * BYTES_PER_RECORD;
  }

  /** Drops idle graphs, then the least recently used until within budget, never `inUse`. */
  trim(inUse: string | null = null): void {
    const now = this.now();
    for (const [root, e] of this.entries) if (root !== inUse && now - e.lastUsed > this.idleMs) this.drop(root);
    let bytes = this.bytes;
    for (const [root, e] of this.entries) {
      if (bytes <= this.maxBytes) break;
      if (root === inUse) continue;
      bytes -= e.graph.tracker.byId.size * BYTES_PER_RECORD;
      this.drop(root);
    }
  }

  private drop(root: string): void {
    this.entries.delete(root);
    this.evictions++;
    this.onDrop(root);
  }
}
