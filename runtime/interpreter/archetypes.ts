// Archetypes (obj, node, edge, walker) as Python dataclasses: fields in declaration order with
// inherited ones first, per-instance defaults, `postinit`, methods, static fields, identity
// equality unless the class defines `__eq__`, and the `Name(f=v, ...)` repr unless it defines
// `__repr__`.
import { PyError, PyException, type PyExceptionClass } from '../values/errors.ts';
import { truthy } from '../values/compare.ts';
import { repr } from '../values/repr.ts';
import { NOT_IMPLEMENTED, typeName, type PyObject, type RichOp, type Value } from '../values/value.ts';
import { NO_KWARGS, PyFunction } from './callables.ts';
import type { GraphTracker } from './tracking.ts';
import type { Access } from './access.ts';

export type ArchetypeKind = 'obj' | 'node' | 'edge' | 'walker' | 'class';

/** What a walker carries while it walks: the FIFO of nodes to visit, the ignored nodes. */
export interface WalkState {
  /** The queue: `next[head]` is visited next (an index, so taking from the front is O(1)). */
  next: PyInstance[];
  head: number;
  ignores: Set<PyInstance>;
  disengaged: boolean;
}

/** `can NAME with TYPES entry|exit`: an ability of a walker or node class. */
export interface Ability {
  name: string;
  event: 'entry' | 'exit';
  /** The types it fires for, evaluated when a walk needs them; null when untyped. */
  types: (() => Value[]) | null;
  fn: PyFunction;
}

export interface Field {
  name: string;
  /** Evaluates the default for each new instance; null when the field is required. */
  makeDefault: (() => Value) | null;
  byPostinit: boolean;
}

/**
 * Bumped whenever any class gains, changes or loses an attribute, so that the special methods
 * and methods each class caches (`PyClass.special`, `PyClass.method`) are looked up again.
 */
let attributeVersion = 0;

/** Whether any class has defined `__eq__`: until then, equal objects are always the same object. */
let eqDefined = false;

export function someClassDefinesEq(): boolean {
  return eqDefined;
}

class AttributeMap extends Map<string, Value> {
  override set(name: string, value: Value): this {
    attributeVersion++;
    if (name === '__eq__') eqDefined = true;
    return super.set(name, value);
  }

  override delete(name: string): boolean {
    attributeVersion++;
    return super.delete(name);
  }
}

/** A special method a class disables: `__hash__` after an `__eq__` (the class is unhashable). */
export const DISABLED = false;

const RICH_METHODS: Record<RichOp, string> = { '==': '__eq__', '!=': '__ne__', '<': '__lt__', '<=': '__le__', '>': '__gt__', '>=': '__ge__' };

export class PyClass implements PyObject {
  /** Instance fields, inherited ones first (a redefined field keeps its first position). */
  readonly fields: Field[] = [];
  /** Methods and static values defined on this class itself. */
  readonly attributes: Map<string, Value> = new AttributeMap();
  readonly staticMethods = new Set<string>();
  /** The docstring (`__doc__`). */
  doc: string | null = null;
  /** Abilities, inherited ones first; an override keeps the inherited position. */
  readonly abilities: Ability[] = [];
  /**
   * Where each instance attribute lives in `PyInstance.values`: the fields in order, then names
   * first set later (`self.x = 1` in an `init`). Shared by all instances, so an instance is one
   * small array rather than a map of its own.
   */
  readonly slots = new Map<string, number>();
  /** The built-in exception class this one derives from (`class AppError(Exception)`), if any. */
  readonly exceptionBase: PyExceptionClass | null;

  /** `qualname` names a nested class through its outer one (`Outer.Config`), as repr shows. */
  constructor(
    readonly name: string,
    readonly qualname: string,
    readonly kind: ArchetypeKind,
    readonly bases: PyClass[],
    ownFields: Field[],
    exceptionBase: PyExceptionClass | null = null,
  ) {
    this.exceptionBase = exceptionBase ?? bases.find((b) => b.exceptionBase)?.exceptionBase ?? null;
    for (const base of bases) for (const f of base.fields) this.addField(f);
    for (const base of bases) for (const a of base.abilities) this.addAbility(a);
    for (const f of ownFields) this.addField(f);
    let defaulted: string | null = null;
    for (const f of this.fields) {
      if (f.byPostinit) continue;
      if (f.makeDefault) defaulted ??= f.name;
      else if (defaulted) throw new PyError('TypeError', `non-default argument '${f.name}' follows default argument`);
    }
  }

  addAbility(a: Ability): void {
    const i = this.abilities.findIndex((x) => x.name === a.name);
    if (i === -1) this.abilities.push(a);
    else this.abilities[i] = a;
  }

  /** The fields the constructor takes (not `by postinit`), computed on first use. */
  private constructorFields: Field[] | null = null;

  /** The slot of an attribute, assigned on first use. */
  slotFor(name: string): number {
    let i = this.slots.get(name);
    if (i === undefined) this.slots.set(name, (i = this.slots.size));
    return i;
  }

  addField(f: Field): void {
    this.constructorFields = null;
    this.slotFor(f.name);
    const i = this.fields.findIndex((x) => x.name === f.name);
    if (i === -1) this.fields.push(f);
    else this.fields[i] = f;
  }

  /** An attribute of the class or its bases (depth first, left to right). */
  lookup(name: string): Value | undefined {
    const own = this.attributes.get(name);
    if (own !== undefined) return own;
    for (const base of this.bases) {
      const v = base.lookup(name);
      if (v !== undefined) return v;
    }
    return undefined;
  }

  /** Special methods found so far (by name), valid while `specialsVersion` is current. */
  private specials = new Map<string, PyFunction | null | typeof DISABLED>();
  private specialsVersion = -1;
  /** True when no class in the hierarchy defines a special method: every protocol is the default. */
  private plain = true;

  /**
   * The special method `name` (`__eq__`, `__add__`) a program defined for this class, null when
   * Python's default applies, DISABLED for a `__hash__` turned off by an `__eq__`.
   */
  special(name: string): PyFunction | null | typeof DISABLED {
    if (this.specialsVersion !== attributeVersion) {
      this.specials.clear();
      this.specialsVersion = attributeVersion;
      this.plain = !this.mro().some((c) => [...c.attributes.keys()].some((k) => k.startsWith('__') && k.endsWith('__') && k !== '__init__'));
    }
    if (this.plain) return null;
    let found = this.specials.get(name);
    if (found === undefined) this.specials.set(name, (found = this.findSpecial(name)));
    return found;
  }

  private findSpecial(name: string): PyFunction | null | typeof DISABLED {
    for (const c of this.mro()) {
      const own = c.attributes.get(name);
      if (own instanceof PyFunction) return own;
      // A dataclass generates its own __repr__, hiding one its base defined.
      if (name === '__repr__' && c.kind !== 'class') return null;
      // Defining __eq__ without __hash__ sets __hash__ to None, as a Python class body does.
      if (name === '__hash__' && c.attributes.get('__eq__') instanceof PyFunction) return DISABLED;
    }
    return null;
  }

  private methods = new Map<string, PyFunction | null>();
  private methodsVersion = -1;

  /**
   * The function `instance.name(...)` calls with the instance as `self` (a class attribute that
   * is a function, not static), or null when the attribute is anything else.
   */
  method(name: string): PyFunction | null {
    if (this.methodsVersion !== attributeVersion) {
      this.methods.clear();
      this.methodsVersion = attributeVersion;
    }
    let m = this.methods.get(name);
    if (m === undefined) {
      const attr = this.lookup(name);
      this.methods.set(name, (m = attr instanceof PyFunction && !this.isStatic(name) ? attr : null));
    }
    return m;
  }

  isStatic(name: string): boolean {
    if (this.attributes.has(name)) return this.staticMethods.has(name);
    return this.bases.some((b) => b.isStatic(name));
  }

  /** The method resolution order (depth first, left to right; enough for single inheritance). */
  mro(): PyClass[] {
    const out: PyClass[] = [];
    const visit = (c: PyClass) => {
      if (out.includes(c)) return;
      out.push(c);
      c.bases.forEach(visit);
    };
    visit(this);
    return out;
  }

  isSubclassOf(other: PyClass): boolean {
    return this === other || this.bases.some((b) => b.isSubclassOf(other));
  }

  /** `Name(args)`: a new instance, fields bound like a dataclass __init__, then `postinit`. */
  instantiate(args: Value[], kwargs: Map<string, Value>, callMethod: (self: PyInstance, fn: Value, args: Value[], kwargs: Map<string, Value>) => Value): PyInstance {
    const instance = new PyInstance(this);
    // As BaseException.__new__ does, the positional arguments become `args` before any init runs.
    if (this.exceptionBase) instance.exception = new PyException(this.exceptionBase, [...args], repr, instance);
    const init = this.lookup('init');
    if (init !== undefined) {
      callMethod(instance, init, args, kwargs);
      return instance;
    }
    // A `class` (not a dataclass) deriving from an exception keeps BaseException.__init__.
    if (this.exceptionBase && this.kind === 'class') {
      if (kwargs.size > 0) throw new PyError('TypeError', `${this.name}() takes no keyword arguments`);
      return instance;
    }
    const params = (this.constructorFields ??= this.fields.filter((f) => !f.byPostinit));
    if (args.length > params.length) {
      throw new PyError('TypeError', `${this.name}.__init__() takes ${params.length + 1} positional arguments but ${args.length + 1} were given`);
    }
    const missing: string[] = [];
    params.forEach((f, i) => {
      if (i < args.length) {
        if (kwargs.has(f.name)) throw new PyError('TypeError', `${this.name}.__init__() got multiple values for argument '${f.name}'`);
        instance.set(f.name, args[i]);
      } else if (kwargs.has(f.name)) instance.set(f.name, kwargs.get(f.name)!);
      else if (f.makeDefault) instance.set(f.name, f.makeDefault());
      else missing.push(`'${f.name}'`);
    });
    if (kwargs.size > 0) for (const k of kwargs.keys()) {
      if (!params.some((f) => f.name === k)) throw new PyError('TypeError', `${this.name}.__init__() got an unexpected keyword argument '${k}'`);
    }
    if (missing.length > 0) {
      const list = missing.length === 1 ? missing[0] : `${missing.slice(0, -1).join(', ')} and ${missing[missing.length - 1]}`;
      throw new PyError('TypeError', `${this.name}.__init__() missing ${missing.length} required positional argument${missing.length === 1 ? '' : 's'}: ${list}`);
    }
    const postinit = this.lookup('postinit');
    if (postinit !== undefined) callMethod(instance, postinit, [], new Map());
    return instance;
  }

  pyTypeName(): string {
    return 'type';
  }

  pyRepr(): string {
    return `<class '${this.name}'>`;
  }
}

class RareFields {
  walk: WalkState | null = null;
  returns: Value[] | null = null;
  pendingLoad: (() => void) | null = null;
  exception: PyException | null = null;
  access: Access | null = null;
}

export class PyInstance implements PyObject {
  /** Attribute values by the class's slots (`cls.slots`); a hole is an attribute not set. */
  readonly values: (Value | undefined)[];
  /** A node's edges, both directions, in creation order. */
  edges: PyInstance[] | null = null;
  /** An edge's ends; `undirected` for `<++>` edges (still stored source → target). */
  source: PyInstance | null = null;
  target: PyInstance | null = null;
  undirected = false;
  /** The number of the latest edge-reference hop that reached it (see graph.ts). */
  mark = 0;
  /** The persistent graph it belongs to (tracking.ts), and its id there. */
  graph: GraphTracker | null = null;
  id: string | null = null;
  /** What only walkers, roots and exceptions carry, kept aside so that nodes stay small. */
  private rare: RareFields | null = null;

  /** A walker's traversal state while it walks. */
  get walk(): WalkState | null {
    return this.rare === null ? null : this.rare.walk;
  }
  set walk(v: WalkState | null) {
    (this.rare ??= new RareFields()).walk = v;
  }

  /** A walker's ability return values from its latest spawn (Jac Cloud's `returns`). */
  get returns(): Value[] | null {
    return this.rare === null ? null : this.rare.returns;
  }
  set returns(v: Value[] | null) {
    (this.rare ??= new RareFields()).returns = v;
  }

  /** A root whose stored graph is read in on first use (once the program's types exist). */
  get pendingLoad(): (() => void) | null {
    return this.rare === null ? null : this.rare.pendingLoad;
  }
  set pendingLoad(v: (() => void) | null) {
    (this.rare ??= new RareFields()).pendingLoad = v;
  }

  /** For an instance of a class deriving from an exception: the exception it raises as. */
  get exception(): PyException | null {
    return this.rare === null ? null : this.rare.exception;
  }
  set exception(v: PyException | null) {
    (this.rare ??= new RareFields()).exception = v;
  }

  /** What a node grants other roots (sharing between users, access.ts); null: nothing. */
  get access(): Access | null {
    return this.rare === null ? null : this.rare.access;
  }
  set access(v: Access | null) {
    (this.rare ??= new RareFields()).access = v;
  }

  constructor(readonly cls: PyClass) {
    // Sized to the class's slots: an empty array would grow a 17-slot store on the first write.
    this.values = new Array(cls.slots.size);
    if (cls.kind === 'node') this.edges = [];
  }

  /** An attribute set on the instance (a field or a name set later), or undefined. */
  get(name: string): Value | undefined {
    const i = this.cls.slots.get(name);
    return i === undefined ? undefined : this.values[i];
  }

  set(name: string, value: Value): void {
    this.values[this.cls.slotFor(name)] = value;
    if (this.graph !== null) this.graph.touch(this);
  }

  pyTypeName(): string {
    return this.cls.name;
  }

  /** Calls the special method `fn` of this instance's class with `self` bound. */
  callSpecial(fn: PyFunction, args: Value[]): Value {
    return fn.call([this, ...args], NO_KWARGS as Map<string, Value>);
  }

  /** `__str__`, `__repr__`: a program's method must return a str. */
  private textFrom(name: '__str__' | '__repr__', fn: PyFunction): string {
    const text = this.callSpecial(fn, []);
    if (typeof text !== 'string') throw new PyError('TypeError', `${name} returned non-string (type ${typeName(text)})`);
    return text;
  }

  pyStr(): string {
    const fn = this.cls.special('__str__');
    if (fn) return this.textFrom('__str__', fn);
    if (this.exception) return this.exception.message();
    // object.__str__ calls the repr slot unchecked, so str() is the one to refuse a non-str.
    const reprFn = this.cls.special('__repr__');
    return reprFn ? this.textFrom('__str__', reprFn) : this.pyRepr();
  }

  pyTruth(): boolean {
    const fn = this.cls.special('__bool__');
    if (fn) {
      const v = this.callSpecial(fn, []);
      if (typeof v !== 'boolean') throw new PyError('TypeError', `__bool__ should return bool, returned ${typeName(v)}`);
      return v;
    }
    return this.cls.special('__len__') ? this.pyLength() > 0 : true;
  }

  /** `len(x)` through the class's `__len__` (a TypeError when it has none). */
  pyLength(): number {
    const fn = this.cls.special('__len__');
    if (!fn) throw new PyError('TypeError', `object of type '${this.cls.name}' has no len()`);
    const n = this.callSpecial(fn, []);
    if (typeof n !== 'number' && typeof n !== 'bigint' && typeof n !== 'boolean') throw new PyError('TypeError', `'${typeName(n)}' object cannot be interpreted as an integer`);
    if (Number(n) < 0) throw new PyError('ValueError', '__len__() should return >= 0');
    if (typeof n === 'bigint') throw new PyError('OverflowError', 'cannot fit \'int\' into an index-sized integer');
    return Number(n);
  }

  pyCompare(op: RichOp, other: Value): Value {
    const fn = this.cls.special(RICH_METHODS[op]);
    if (fn) return this.callSpecial(fn, [other]);
    // object.__ne__ inverts __eq__ (unless that declined); object.__eq__ is identity.
    if (op === '!=') {
      const eq = this.pyCompare('==', other);
      return eq === NOT_IMPLEMENTED ? eq : !truthy(eq);
    }
    if (op === '==' && this === other) return true;
    return NOT_IMPLEMENTED;
  }

  pyHashText(): string | null {
    const fn = this.cls.special('__hash__');
    if (fn === null) return null;
    if (fn === DISABLED) throw new PyError('TypeError', `unhashable type: '${this.cls.name}'`);
    const h = this.callSpecial(fn, []);
    if (typeof h === 'boolean') return h ? '1' : '0';
    if (typeof h !== 'number' && typeof h !== 'bigint') throw new PyError('TypeError', '__hash__ method should return an integer');
    return String(h);
  }

  pyRepr(): string {
    const fn = this.cls.special('__repr__');
    if (fn) return this.textFrom('__repr__', fn);
    if (this.exception) return this.exception.pyRepr();
    const shown: string[] = [];
    for (const f of this.cls.fields) {
      const v = this.get(f.name);
      if (v !== undefined) shown.push(`${f.name}=${repr(v)}`);
    }
    return `${this.cls.qualname}(${shown.join(', ')})`;
  }
}

/** `super`: attribute lookups start after `cls` in the instance's class hierarchy. */
export class PySuper implements PyObject {
  constructor(
    readonly self: Value,
    readonly cls: PyClass,
  ) {}

  lookup(name: string): Value | undefined {
    for (const base of this.cls.bases) {
      const v = base.lookup(name);
      if (v !== undefined) return v;
    }
    return undefined;
  }

  pyTypeName(): string {
    return 'super';
  }

  pyRepr(): string {
    return `<super: <class '${this.cls.name}'>>`;
  }
}

/** `instance.method`: the method with `self` bound. */
export class PyBoundMethod implements PyObject {
  constructor(
    readonly self: Value,
    readonly fn: PyFunction,
  ) {}

  pyTypeName(): string {
    return 'method';
  }

  pyRepr(): string {
    return `<bound method ${this.fn.name} of ${repr(this.self)}>`;
  }
}

/** An enum member: `Color.RED`, with `.name` and `.value`. */
export class PyEnumMember implements PyObject {
  constructor(
    readonly enumType: PyEnum,
    readonly name: string,
    readonly value: Value,
  ) {}

  pyTypeName(): string {
    return this.enumType.name;
  }

  pyRepr(): string {
    return `<${this.enumType.name}.${this.name}: ${repr(this.value)}>`;
  }

  pyStr(): string {
    return `${this.enumType.name}.${this.name}`;
  }
}

/** An enum type: its members in order, reachable as attributes. */
export class PyEnum implements PyObject {
  readonly members = new Map<string, PyEnumMember>();
  /** Methods defined in the enum's `with entry` body, and other class attributes. */
  readonly attributes: Map<string, Value> = new AttributeMap();
  readonly staticMethods = new Set<string>();

  constructor(readonly name: string) {}

  pyTypeName(): string {
    return 'EnumType';
  }

  pyRepr(): string {
    return `<enum '${this.name}'>`;
  }
}
