// What one run of a program has besides its code: its root and entry node, its reports, the HTTP
// status and custom response Jac Cloud lets a walker set, and the graph it runs on as the host
// (the server's store) keeps it. Runs are synchronous, so the run under way is one value that
// the runtime API (`_`, `&id`, `x.__jac__`) reads; it is set for each run by Program.run.
import { PyError } from '../values/errors.ts';
import type { Value } from '../values/value.ts';
import type { PyInstance } from './archetypes.ts';
import { idOf } from './tracking.ts';

/** The graph a run works on, as its host stores it (null host: an in-memory graph only). */
export interface GraphHost {
  /** The node, edge or saved obj of this root with this id, or null. */
  find(id: string): PyInstance | null;
  /** `_.save(x)`: `x` (a node, edge or obj) is stored with the root from now on. */
  save(x: PyInstance): void;
  /** `_.reset_graph()`: removes every node, edge and saved obj of the root but the root; how many went. */
  reset(): number;
  /** `x.__jac__.apply()`: `x` is written with the commit even if the run's other writes are discarded. */
  apply(x: PyInstance): void;
  /** `mem.__mem__.clear()`: the run's writes are discarded, but for what `apply()` wrote. */
  discardPending(): void;
  /** Whether the instance with this id was destroyed in this run. */
  wasDeleted(id: string): boolean;
  /** Every node, edge and saved obj of the root (the root too). */
  all(): Iterable<PyInstance>;
  /**
   * An id not in this root's graph: the instance of another root's graph that the run holds and
   * may read, null when there is none, or (a host that can bring more roots to the run) a
   * ReachElsewhere thrown to have the run tried again with the root that holds the id (`root`,
   * when known: the far end of a remote edge).
   */
  elsewhere?(id: string, root?: string): PyInstance | null;
}

/**
 * Thrown out of a run that met an id its host does not hold (sharing between users): the run is
 * dropped, and the host runs it again holding the root the id belongs to, or knowing it is in none.
 * Not a Python exception: a program cannot catch it.
 */
export class ReachElsewhere extends Error {
  constructor(
    readonly id: string,
    /** The root that holds it, when the run knows (a remote edge names it). */
    readonly root?: string,
  ) {
    super(`the run reached ${id}, which is in a graph it does not hold`);
    this.name = 'ReachElsewhere';
  }
}

export class RunContext {
  /** The HTTP status of the answer (`_.get_context().status = N`). */
  status = 200;
  /** `_.report(x, True)`: the whole answer's body; undefined until set. */
  custom: Value | undefined = undefined;
  /** Instances whose id a program asked for (`jid(x)`), so that `&id` finds them in any graph. */
  private readonly known = new Map<string, PyInstance>();

  constructor(
    readonly reports: Value[],
    readonly root: PyInstance,
    /** The node the walker was sent to (the root when none). */
    readonly entry: PyInstance,
    readonly graph: GraphHost | null,
  ) {}

  /** `jid(x)`: x's id, by which `&id` finds it again. */
  refOf(x: PyInstance): string {
    const id = idOf(x);
    this.known.set(id, x);
    return id;
  }

  /**
   * `&id`: the node, edge or saved obj with that id that this run can reach. As in jaclang 0.8.0,
   * an id that names nothing raises ValueError (Jac Cloud falls through to jaclang's UUID parse):
   * Jac Cloud apps catch it to tell a deleted object apart. Another user's object is nothing here.
   */
  lookup(id: Value): PyInstance {
    if (id === 'root') return this.root;
    if (typeof id === 'string') {
      if (id === this.root.id) return this.root;
      const stored = this.graph?.find(id);
      if (stored) return stored;
      // One the program made and asked the id of, stored or not, unless it was destroyed since.
      const made = this.known.get(id);
      if (made && !this.graph?.wasDeleted(id)) return made;
      // Another user's, shared with this root (and only then).
      const shared = this.graph && !this.graph.wasDeleted(id) ? (this.graph.elsewhere?.(id) ?? null) : null;
      if (shared) return shared;
    }
    throw new PyError('ValueError', 'badly formed hexadecimal UUID string');
  }
}

let active: RunContext | null = null;

/** The run under way; outside one (a module's own top-level code), an error a program can see. */
export function activeRun(): RunContext {
  if (active === null) throw new PyError('RuntimeError', 'no run is under way');
  return active;
}

export function setActiveRun(run: RunContext | null): void {
  active = run;
}
