// `create_task(walker, node, date=None)` (jac-cloud-runtime.md §5), imported as Jac Cloud apps
// import it: `import from jac_cloud.plugin.implementation { create_task }`. It answers the
// walker id `w:<Walker>:<hex>` at once; the run is queued when the run that asked for it is
// committed (a run whose changes are not saved queues nothing), then runs in the background on
// the same root, entering at `node`, no earlier than `date`, like any queued walker.
import { PyInstance } from '../../runtime/interpreter/archetypes.ts';
import { PyBuiltin } from '../../runtime/interpreter/callables.ts';
import { idOf } from '../../runtime/interpreter/tracking.ts';
import { websocketManager } from '../../runtime/interpreter/jac-cloud-models.ts';
import type { HostModules } from '../../runtime/interpreter/stdlib/index.ts';
import { newId } from '../../runtime/store/ids.ts';
import type { Json } from '../../runtime/store/store.ts';
import { PyError } from '../../runtime/values/errors.ts';
import { repr } from '../../runtime/values/repr.ts';
import type { Value } from '../../runtime/values/value.ts';
import { serialize } from '../serialize.ts';
import { jsonChars } from '../../runtime/store/queued-chars.ts';
import { sizeText } from '../queue-limit.ts';
import { parseUtcDate } from './triggers.ts';

/** A task a run asked for, until its run is committed. */
interface Asked {
  id: string;
  walker: PyInstance;
  node: PyInstance;
  runAfter: string | null;
}

/** A task as the main thread queues it (plain data). */
export interface QueuedTask {
  id: string;
  walker: string;
  /** The entry node's id, or null for the root. */
  node: string | null;
  /** JSON, but for ints beyond 2^53, which stay exact (bigint). */
  fields: Record<string, unknown>;
  runAfter: string | null;
}

/** A node's id as a field holds it, for measuring a node made by the run (its id comes at commit). */
const NODE_ID_CHARS = 'n:Node:000000000000000000000000'.length;

/** The tasks asked for by the run under way (runs in a worker are one at a time). */
export class TaskSink {
  private asked: Asked[] = [];
  /** How many runs the run under way may queue. */
  private room = Infinity;
  /** How many characters of fields they may hold in all, and how many those asked for hold. */
  private charsRoom = Infinity;
  private chars = 0;

  /**
   * Forgets what an earlier run asked for; the next may queue at most `room` runs, whose fields
   * hold at most `charsRoom` characters (its root's room under the queue limit).
   */
  reset(room = Infinity, charsRoom = Infinity): void {
    this.asked = [];
    this.room = room;
    this.charsRoom = charsRoom;
    this.chars = 0;
  }

  /**
   * The tasks of the run that just ended, as plain data: after its changes were taken, so that a
   * node it created has its id. A field holding a node is sent as the node's id. Fields that grew
   * after they were asked for, past the room, are the run's error (RuntimeError): nothing is queued.
   */
  take(root: PyInstance): QueuedTask[] {
    const tasks = this.asked.map(({ id, walker, node, runAfter }) => {
      const fields: Record<string, Json> = {};
      for (const f of walker.cls.fields) {
        const v = walker.get(f.name);
        if (v === undefined) continue;
        fields[f.name] = v instanceof PyInstance && v.cls.kind === 'node' && v.id !== null ? v.id : (serialize(v) as Json);
      }
      // A node not connected to the graph is not saved: its task ends 'Node not found'.
      return { id, walker: walker.cls.name, node: node === root ? null : idOf(node), fields, runAfter };
    });
    this.asked = [];
    if (this.charsRoom !== Infinity) {
      const chars = tasks.reduce((n, t) => n + jsonChars(t.fields), 0);
      if (chars > this.charsRoom) throw this.tooMuchData(chars);
    }
    return tasks;
  }

  private tooMuchData(chars: number): PyError {
    return new PyError('RuntimeError', `create_task(): the background runs waiting on this root would hold too much data; this run may queue ${sizeText(this.charsRoom)} of fields and asked for ${sizeText(chars)}`);
  }

  private ask(args: Value[], kwargs: Map<string, Value>): string {
    const names = ['walker', 'node', 'date'];
    const given = new Map<string, Value>();
    if (args.length > 3) throw new PyError('TypeError', `create_task() takes from 2 to 3 positional arguments but ${args.length} were given`);
    args.forEach((v, i) => given.set(names[i], v));
    for (const [k, v] of kwargs) {
      if (!names.includes(k)) throw new PyError('TypeError', `create_task() got an unexpected keyword argument '${k}'`);
      if (given.has(k)) throw new PyError('TypeError', `create_task() got multiple values for argument '${k}'`);
      given.set(k, v);
    }
    const walker = given.get('walker');
    const node = given.get('node');
    const date = given.get('date') ?? null;
    if (!(walker instanceof PyInstance) || walker.cls.kind !== 'walker') throw new PyError('TypeError', `create_task() walker must be a walker, not ${walker === undefined ? 'nothing' : repr(walker)}`);
    if (!(node instanceof PyInstance) || node.cls.kind !== 'node') throw new PyError('TypeError', `create_task() node must be a node, not ${node === undefined ? 'nothing' : repr(node)}`);
    let runAfter: string | null = null;
    if (date !== null) {
      if (typeof date !== 'string') throw new PyError('TypeError', `create_task() date must be an ISO 8601 string or None, not ${repr(date)}`);
      // Read as the scheduler reads dates: ISO 8601, UTC without an offset.
      const at = parseUtcDate(date);
      if (!(at instanceof Date)) throw new PyError('ValueError', `create_task() date is not an ISO 8601 date: ${repr(date)}`);
      runAfter = at.toISOString();
    }
    // Fields that cannot be stored are the caller's error now, not a lost task later. What they
    // take is measured as a task's fields (a node as its id; braces, and a comma between two).
    let fieldChars = 1;
    for (const f of walker.cls.fields) {
      const v = walker.get(f.name);
      if (v === undefined) continue;
      if (v instanceof PyInstance && v.cls.kind === 'node') {
        fieldChars += f.name.length + 4 + NODE_ID_CHARS + 2;
        continue;
      }
      try {
        fieldChars += f.name.length + 4 + jsonChars(serialize(v));
      } catch (e) {
        throw new PyError('TypeError', `create_task() cannot store ${walker.cls.name}.${f.name}: ${(e as Error).message}`);
      }
    }
    // A walker that queues runs in a loop would otherwise fill the queue (and the server's memory) without bound.
    if (this.asked.length >= this.room) throw new PyError('RuntimeError', `create_task(): too many background runs are waiting on this root; this run may queue ${this.room} and asked for more`);
    if (this.charsRoom !== Infinity) {
      const chars = this.chars + Math.max(fieldChars, 2);
      if (chars > this.charsRoom) throw this.tooMuchData(chars);
      this.chars = chars;
    }
    const id = newId('w', walker.cls.name);
    this.asked.push({ id, walker, node, runAfter });
    return id;
  }

  /** The modules a served program may import. */
  modules(): HostModules {
    return {
      'jac_cloud.plugin.implementation': () =>
        new Map<string, Value>([
          ['create_task', new PyBuiltin('create_task', (a, kw) => this.ask(a, kw))],
          ['WEBSOCKET_MANAGER', websocketManager()],
        ]),
    };
  }
}
