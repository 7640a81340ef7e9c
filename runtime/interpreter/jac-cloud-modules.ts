// The Jac Cloud modules apps import for the runtime (jac-cloud-runtime.md §0, §1.5, §2.4, §8):
//   jac_cloud.core.archetype { BaseAnchor, NodeAnchor, EdgeAnchor, WalkerAnchor, ObjectAnchor }
//     `X.ref(id)` (the anchor of an object by id) and `X.Collection.find / find_one / count /
//     find_by_id` (MongoDB filters over the anchors of that kind);
//   jac_cloud.core.context { JaseciContext }: `JaseciContext.get()` and `.get_root()`;
//   fastapi { UploadFile } (fastapi-module.ts).
// Queries see the caller's own graph only: Jac Cloud's span every user's data, which would let
// any walker read anyone's nodes.
import { PyDict, PySet, PyTuple } from '../values/containers.ts';
import { PyError } from '../values/errors.ts';
import { PyFloat } from '../values/numbers.ts';
import { str } from '../values/repr.ts';
import { typeName, type Value } from '../values/value.ts';
import { PyEnumMember, PyInstance } from './archetypes.ts';
import { type Doc, matches } from './collection-query.ts';
import { GenericEdge, RootClass } from './graph.ts';
import { castLevel, CONNECT, NO_ACCESS, READ, WRITE } from './access.ts';
import { fastapiModule } from './fastapi-module.ts';
import { HostObject } from './host-object.ts';
import { jacCloudModelModules } from './jac-cloud-models.ts';
import { anchorOf, contextOf } from './machine.ts';
import { activeRun } from './run-context.ts';
import { idOf } from './tracking.ts';

type Kind = 'node' | 'edge' | 'walker' | 'obj' | null;

const hexOf = (id: string) => id.split(':')[2] ?? id;

/** A Jac value as MongoDB holds it: objs as documents, enums by name, anchors by id. */
function toDoc(v: Value, depth = 0): Doc {
  if (depth > 50) throw new PyError('ValueError', 'the query nests too deep');
  if (v === null || typeof v === 'boolean' || typeof v === 'number' || typeof v === 'bigint' || typeof v === 'string') return v;
  if (v instanceof PyFloat) return v.value;
  if (Array.isArray(v)) return v.map((x) => toDoc(x, depth + 1));
  if (v instanceof PyTuple) return v.items.map((x) => toDoc(x, depth + 1));
  if (v instanceof PySet) return [...v.values()].map((x) => toDoc(x, depth + 1));
  if (v instanceof PyDict) {
    const o: { [k: string]: Doc } = {};
    for (const [k, x] of v.items()) o[typeof k === 'string' ? k : str(k)] = toDoc(x, depth + 1);
    return o;
  }
  if (v instanceof PyEnumMember) return v.name;
  if (v instanceof HostObject) {
    const id = v.attribute('id');
    if (typeof id === 'string') return id; // an anchor (or its id, an ObjectId in Jac Cloud)
  }
  if (v instanceof PyInstance) {
    if (v.cls.kind === 'obj') return fieldsDoc(v, depth + 1);
    return idOf(v);
  }
  throw new PyError('TypeError', `a value of type '${typeName(v)}' cannot be part of a query`);
}

function fieldsDoc(x: PyInstance, depth = 0): { [k: string]: Doc } {
  const o: { [k: string]: Doc } = {};
  for (const f of x.cls.fields) {
    const v = x.get(f.name);
    if (v !== undefined) o[f.name] = toDoc(v, depth);
  }
  return o;
}

/** An anchor's document as Jac Cloud stores it. */
function documentOf(x: PyInstance, rootHex: string): Doc {
  const doc: { [k: string]: Doc } = {
    _id: hexOf(idOf(x)),
    name: x.cls === RootClass || x.cls === GenericEdge ? '' : x.cls.name,
    root: x.cls === RootClass ? null : rootHex,
    archetype: fieldsDoc(x),
  };
  if (x.cls.kind === 'node') doc.edges = (x.edges ?? []).map((e) => idOf(e));
  if (x.cls.kind === 'edge') {
    doc.source = x.source ? idOf(x.source) : null;
    doc.target = x.target ? idOf(x.target) : null;
    doc.is_undirected = x.undirected === true;
  }
  return doc;
}

/** A filter argument as a document (none: match all). */
function filterOf(arg: Value | undefined): Record<string, unknown> {
  const filter = arg === undefined || arg === null ? {} : toDoc(arg);
  if (typeof filter !== 'object' || filter === null || Array.isArray(filter)) throw new PyError('TypeError', 'a query filter is a dict');
  return filter;
}

/** The anchors of `kind` in the caller's graph that match `filter`. */
function query(kind: Kind, filter: Record<string, unknown>): PyInstance[] {
  const run = activeRun();
  const rootHex = hexOf(idOf(run.root));
  const out: PyInstance[] = [];
  for (const x of new Set([run.root, ...(run.graph?.all() ?? [])])) {
    if (kind !== null && x.cls.kind !== kind) continue;
    if (matches(documentOf(x, rootHex), filter)) out.push(x);
  }
  return out;
}

function anchorClass(name: string, kind: Kind): HostObject {
  const collection = new HostObject(`${name}.Collection`, {
    get: {},
    methods: {
      find: (a, kw) => query(kind, filterOf(a[0] ?? kw.get('filter'))).map(anchorOf),
      find_one: (a, kw) => {
        const [first] = query(kind, filterOf(a[0] ?? kw.get('filter')));
        return first ? anchorOf(first) : null;
      },
      count: (a, kw) => query(kind, filterOf(a[0] ?? kw.get('filter'))).length,
      find_by_id: (a, kw) => {
        const id = toDoc(a[0] ?? kw.get('id') ?? null);
        const [first] = typeof id === 'string' ? query(kind, { _id: hexOf(id) }) : [];
        return first ? anchorOf(first) : null;
      },
    },
  });
  return new HostObject(
    'type',
    {
      get: { Collection: () => collection, __name__: () => name },
      methods: {
        // `BaseAnchor.ref("n:T:<hex>")`: the anchor of the object with that id; a malformed id is a
        // ValueError as in Jac Cloud; one that names nothing this run can reach, too.
        ref: (a) => {
          const id = a[0];
          if (typeof id !== 'string' || !/^(n|e|w|o):([^:]*):([a-f\d]{24})$/i.test(id)) throw new PyError('ValueError', `${str(id ?? null)} is not a valid reference!`);
          if (kind === 'node' && !id.startsWith('n:')) throw new PyError('ValueError', `${id} is not a valid node reference!`);
          const run = activeRun();
          // Another user's root, named to grant it access: its anchor, without reading its graph.
          if (id.startsWith('n::') && id !== run.root.id) return rootAnchor(id);
          return anchorOf(run.lookup(id));
        },
      },
    },
    () => `<class '${name}'>`,
  );
}

/** The anchor of a root this run does not hold: enough to name it in a grant. */
function rootAnchor(id: string): HostObject {
  const hex = hexOf(id);
  return new HostObject('NodeAnchor', { get: { id: () => hex, ref_id: () => id, name: () => '', archetype: () => null, persistent: () => true } }, () => `NodeAnchor(name=, id=${hex})`);
}

/** `AccessLevel`, as its members' values (jac-cloud-runtime.md §3). */
const accessLevel = new HostObject(
  'type',
  { get: { __name__: () => 'AccessLevel', NO_ACCESS: () => NO_ACCESS, READ: () => READ, CONNECT: () => CONNECT, WRITE: () => WRITE }, methods: { cast: (a) => castLevel(a[0] ?? null) } },
  () => "<enum 'AccessLevel'>",
);

export function jacCloudModules(): Record<string, () => Map<string, Value>> {
  return {
    fastapi: fastapiModule,
    ...jacCloudModelModules(),
    'jac_cloud.core.archetype': () =>
      new Map<string, Value>([
        ['BaseAnchor', anchorClass('BaseAnchor', null)],
        ['NodeAnchor', anchorClass('NodeAnchor', 'node')],
        ['EdgeAnchor', anchorClass('EdgeAnchor', 'edge')],
        ['WalkerAnchor', anchorClass('WalkerAnchor', 'walker')],
        ['ObjectAnchor', anchorClass('ObjectAnchor', 'obj')],
        ['AccessLevel', accessLevel],
      ]),
    'jac_cloud.core.context': () =>
      new Map<string, Value>([
        [
          'JaseciContext',
          new HostObject('type', { get: { __name__: () => 'JaseciContext' }, methods: { get: () => contextOf(activeRun()), get_root: () => activeRun().root } }, () => "<class 'JaseciContext'>"),
        ],
      ]),
  };
}
