// Jac Cloud's runtime interface as programs reach it: `_` in every module (jaclang 0.8.0 compiles
// each module with `from jaclang import JacMachineInterface as _`), the same object as `Jac` after
// `import from jaclang { JacMachineInterface as Jac }`, `jid(x)` / `jobj(id)` / `&id`, and each
// archetype's `x.__jac__` anchor (shared/spec/jac-cloud-runtime.md §0-§2).
import { PyDict } from '../values/containers.ts';
import { PyError } from '../values/errors.ts';
import { typeName, type Value } from '../values/value.ts';
import { type Access, accessChanged, castLevel, NO_ACCESS, READ } from './access.ts';
import { PyInstance } from './archetypes.ts';
import { destroy, GenericEdge, isEdge, isNode, RootClass } from './graph.ts';
import { HostObject } from './host-object.ts';
import { activeRun, type RunContext } from './run-context.ts';
import { idOf } from './tracking.ts';

const truthyArg = (v: Value | undefined) => v !== undefined && v !== null && v !== false && v !== 0;

/**
 * `_.get_context().status = N`: the answer's HTTP status. A status whose answer cannot carry the
 * JSON envelope (1xx, 204, 3xx: the clients Jac Cloud's tests use fail on them) is refused, so the
 * walker fails with a message instead of sending a broken answer.
 */
function checkStatus(v: Value): number {
  if (typeof v !== 'number' || !Number.isInteger(v)) throw new PyError('TypeError', `status must be an int, not ${typeName(v)}`);
  if (v < 200 || v > 599 || v === 204 || (v >= 300 && v < 400)) throw new PyError('ValueError', `status ${v} cannot be answered with a JSON body: use 200-203, 205-299 or 400-599`);
  return v;
}

/** The anchor of an archetype (`x.__jac__`): its id, type, owner, and `apply()`. */
export function anchorOf(x: PyInstance): HostObject {
  const kind = x.cls.kind;
  const typeNameOf = kind === 'node' ? 'NodeAnchor' : kind === 'edge' ? 'EdgeAnchor' : kind === 'walker' ? 'WalkerAnchor' : 'ObjectAnchor';
  const hex = () => idOf(x).split(':')[2];
  const get: Record<string, () => Value> = {
    id: hex,
    ref_id: () => idOf(x),
    name: () => (x.cls === RootClass || x.cls === GenericEdge ? '' : x.cls.name),
    archetype: () => x,
    persistent: () => x.graph !== null,
    // The owner root's id (bare, as Jac Cloud's ObjectId prints; another user's for a shared node); a user's root has none.
    root: () => (x.cls === RootClass || x.graph === null ? null : (x.graph.rootId ?? activeRun().root.id ?? '').split(':')[2] ?? null),
  };
  if (kind === 'node') get.edges = () => (x.edges ?? []).map((e) => anchorOf(e));
  if (kind === 'edge') {
    get.source = () => (x.source ? anchorOf(x.source) : null);
    get.target = () => (x.target ? anchorOf(x.target) : null);
    get.is_undirected = () => x.undirected === true;
  }
  return new HostObject(
    typeNameOf,
    {
      get,
      methods: {
        apply: () => {
          activeRun().graph?.apply(x);
          return null;
        },
        report: () => {
          const d = new PyDict();
          d.set('id', idOf(x));
          d.set('context', fieldsOf(x));
          return d;
        },
      },
    },
    () => `${typeNameOf}(name=${x.cls.name}, id=${hex()})`,
  );
}

function fieldsOf(x: PyInstance): PyDict {
  const d = new PyDict();
  for (const f of x.cls.fields) {
    const v = x.get(f.name);
    if (v !== undefined) d.set(f.name, v);
  }
  return d;
}

/** `_.get_context()`: the run's status, reports, custom answer, root and entry node, and `mem`. */
export function contextOf(run: RunContext): HostObject {
  const discard = new HostObject('dict', { get: {}, methods: { clear: () => (run.graph?.discardPending(), null) } }, () => '{...}');
  const mem = new HostObject('MongoDB', {
    get: { __mem__: () => discard, __gc__: () => discard },
    methods: {
      find_by_id: (args) => {
        try {
          return anchorOf(run.lookup(args[0] instanceof HostObject ? (args[0].attribute('ref_id') ?? null) : (args[0] ?? null)));
        } catch {
          return null;
        }
      },
    },
  });
  return new HostObject('JaseciContext', {
    get: {
      status: () => run.status,
      reports: () => run.reports,
      custom: () => (run.custom === undefined ? null : run.custom),
      root_state: () => anchorOf(run.root),
      entry_node: () => anchorOf(run.entry),
      mem: () => mem,
      // The HTTP request is not a Python object here: programs that read it get None.
      connection: () => null,
    },
    set: { status: (v) => void (run.status = checkStatus(v)) },
  });
}

/** Each item of `_.destroy(x)` / `_.destroy([x, y])`: nodes (with their edges), edges, saved objs. */
function destroyAll(objs: Value): void {
  const items = Array.isArray(objs) ? objs : [objs];
  for (const item of items) {
    const x = item instanceof HostObject ? item.attribute('archetype') : item;
    if (!(x instanceof PyInstance)) return; // Jac Cloud's loop stops at the first item that is not an archetype
    if (isNode(x) || isEdge(x)) destroy(x);
    else (x as PyInstance).graph?.remove(x as PyInstance); // a saved obj
  }
}

/** The archetype a sharing call names: an archetype, or its anchor. */
function archetypeArg(v: Value | undefined, fn: string): PyInstance {
  const x = v instanceof HostObject ? v.attribute('archetype') : v;
  if (!(x instanceof PyInstance)) throw new PyError('TypeError', `${fn}() takes an archetype, not ${typeName(v ?? null)}`);
  return x;
}

/** The root a grant names: an anchor (`BaseAnchor.ref("n::<hex>")`, `r.__jac__`), as in Jac Cloud. */
function rootRefArg(v: Value | undefined): string {
  const id = v instanceof HostObject ? v.attribute('ref_id') : undefined;
  if (typeof id !== 'string') throw new PyError('AttributeError', `'${typeName(v ?? null)}' object has no attribute 'ref_id'`);
  return id;
}

/**
 * Changes what `x` grants other roots. The change is stored with x's next commit, only if the
 * caller may write x (another root's node needs WRITE); share hints follow it (access.ts).
 */
function changeAccess(x: PyInstance, change: (a: Access) => void): null {
  const access: Access = x.access ? { all: x.access.all, roots: new Map(x.access.roots) } : { all: NO_ACCESS, roots: new Map() };
  change(access);
  x.access = access;
  accessChanged.add(x);
  x.graph?.touch(x);
  return null;
}

const levelArg = (v: Value | undefined) => (v === undefined ? READ : castLevel(v));

/** The `_` object (JacMachineInterface) every module sees; each call acts on the run under way. */
export function machineObject(): HostObject {
  return new HostObject(
    'JacMachine',
    {
      get: {},
      methods: {
        report: (args, kw) => {
          const run = activeRun();
          if (args.length === 0) throw new PyError('TypeError', "report() missing 1 required positional argument: 'expr'");
          if (truthyArg(args[1] ?? kw.get('custom'))) run.custom = args[0];
          else run.reports.push(args[0]);
          return null;
        },
        get_context: () => contextOf(activeRun()),
        destroy: (args, kw) => (destroyAll(args[0] ?? kw.get('objs') ?? null), null),
        save: (args, kw) => {
          const x = args[0] ?? kw.get('obj');
          if (!(x instanceof PyInstance)) throw new PyError('TypeError', `save() takes an archetype, not ${typeName(x ?? null)}`);
          activeRun().graph?.save(x);
          return null;
        },
        reset_graph: () => activeRun().graph?.reset() ?? 0,
        get_object: (args, kw) => activeRun().lookup(args[0] ?? kw.get('id') ?? null),
        object_ref: (args) => {
          const x = args[0];
          if (!(x instanceof PyInstance)) throw new PyError('TypeError', `object_ref() takes an archetype, not ${typeName(x ?? null)}`);
          return activeRun().refOf(x);
        },
        root: () => activeRun().root,
        perm_grant: (a, kw) => {
          const level = levelArg(a[1] ?? kw.get('level'));
          return changeAccess(archetypeArg(a[0] ?? kw.get('archetype'), 'perm_grant'), (x) => void (x.all = level));
        },
        perm_revoke: (a, kw) => changeAccess(archetypeArg(a[0] ?? kw.get('archetype'), 'perm_revoke'), (x) => void (x.all = NO_ACCESS)),
        allow_root: (a, kw) => {
          const x = archetypeArg(a[0] ?? kw.get('archetype'), 'allow_root');
          const root = rootRefArg(a[1] ?? kw.get('root_id'));
          const level = levelArg(a[2] ?? kw.get('level'));
          return changeAccess(x, (acc) => void acc.roots.set(root, level));
        },
        disallow_root: (a, kw) => {
          const x = archetypeArg(a[0] ?? kw.get('archetype'), 'disallow_root');
          const root = rootRefArg(a[1] ?? kw.get('root_id'));
          return changeAccess(x, (acc) => void acc.roots.delete(root));
        },
        elevate_root: () => {
          throw new PyError('NotImplementedError', '_.elevate_root: jac-serve has no system root to elevate to; an operator grants access with perm_grant or allow_root');
        },
      },
    },
    () => "<class 'jaclang.JacMachineInterface'>",
  );
}
