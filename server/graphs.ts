// The roots' graphs the server has read, kept in memory: each is read from the store on its
// first request and then shared by every request on that root.
import type { Value } from '../runtime/values/value.ts';
import { PersistentGraph } from '../runtime/store/persistent-graph.ts';
import type { Store } from '../runtime/store/store.ts';

/** Jac Cloud's public root: where walkers with `auth: False` run. */
export const PUBLIC_ROOT_ID = 'n::000000000000000000000001';

export class RootGraphs {
  private readonly graphs = new Map<string, Promise<PersistentGraph>>();

  constructor(
    private readonly store: Store,
    private readonly resolveType: (name: string) => Value | undefined,
  ) {}

  get(rootId: string): Promise<PersistentGraph> {
    let graph = this.graphs.get(rootId);
    if (!graph) {
      graph = PersistentGraph.open(this.store, rootId).then((g) => {
        g.bindTypes(this.resolveType);
        g.loadNow();
        return g;
      });
      this.graphs.set(rootId, graph);
      graph.catch(() => this.graphs.delete(rootId)); // a failed read is tried again next time
    }
    return graph;
  }
}
