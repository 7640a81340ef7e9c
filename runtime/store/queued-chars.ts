// What the open runs (PENDING, STARTED) of the data dir's queue hold: the characters of each one's
// fields, by root and in all. The data dir keeps its whole queue in memory, and a run queued for a
// request (an async walker, a delivery answered 202) keeps the request's fields, up to the body
// limit each: counted by runs alone, one user's flood of large bodies behind a slow walker grew
// the heap by 403 MB per 400 runs, toward the heap's limit for everyone. The queue limit
// (server/queue-limit.ts) admits a run by these figures.

/** About the characters `v` takes as JSON (strings without their escapes: what they hold in memory). */
export function jsonChars(v: unknown): number {
  switch (typeof v) {
    case 'string':
      return v.length + 2;
    case 'number':
    case 'bigint':
      return String(v).length;
    case 'boolean':
      return v ? 4 : 5;
    case 'object': {
      if (v === null) return 4;
      // Brackets, and a comma between two items.
      let n = 1;
      if (Array.isArray(v)) {
        for (const x of v) n += jsonChars(x) + 1;
        return Math.max(n, 2);
      }
      for (const k of Object.keys(v)) n += k.length + 4 + jsonChars((v as Record<string, unknown>)[k]);
      return Math.max(n, 2);
    }
    default:
      return 0; // not JSON
  }
}

/** The open runs' characters: each run's, each root's sum (and count of runs), and the sum of all. */
export class QueuedChars {
  private readonly runs = new Map<string, { root: string; chars: number }>();
  private readonly roots = new Map<string, { chars: number; runs: number }>();
  private all = 0;

  /** The run `id` is open on `root`; `chars` measures its fields when it was not counted yet. */
  open(id: string, root: string, chars: () => number): void {
    if (this.runs.has(id)) return;
    const run = { root, chars: chars() };
    this.runs.set(id, run);
    const sum = this.roots.get(root);
    if (sum) {
      sum.chars += run.chars;
      sum.runs++;
    } else this.roots.set(root, { chars: run.chars, runs: 1 });
    this.all += run.chars;
  }

  /** The run `id` is not open (ended, or not in the queue). */
  close(id: string): void {
    const run = this.runs.get(id);
    if (!run) return;
    this.runs.delete(id);
    const sum = this.roots.get(run.root)!;
    sum.chars -= run.chars;
    if (--sum.runs === 0) this.roots.delete(run.root);
    this.all -= run.chars;
  }

  /** What `id` was counted at, if it is open. */
  charsOf(id: string): number | undefined {
    return this.runs.get(id)?.chars;
  }

  /** `root`'s open runs' characters, and all open runs'. */
  of(root: string): { root: number; all: number } {
    return { root: this.roots.get(root)?.chars ?? 0, all: this.all };
  }

  /** How many runs of `root` are open. */
  runsOf(root: string): number {
    return this.roots.get(root)?.runs ?? 0;
  }
}
