// `obj`/`node`/`edge`/`walker` and `enum` declarations: a class object is built when the
// module reaches the declaration (so field-order errors happen then, as in jaclang 0.8.0).
import type * as A from '../../grammar/ast.ts';
import { PyError, PyExceptionClass } from '../values/errors.ts';
import type { Value } from '../values/value.ts';
import { type Field, PyClass, PyEnum, PyEnumMember } from './archetypes.ts';
import type { Exec, PyFunction } from './callables.ts';
import { compileTypes } from './compile-spatial.ts';
import { NotSupported, type Runtime, compileExpr, compileFunction, compileStoreName, type Eval } from './compile-expr.ts';
import type { Frame, Scope } from './scope.ts';
import { inlinePython } from './inline-python.ts';

/** Python names methods in errors by class: `N.__init__`, `Point.move`. */
function methodFunction(cls: PyClass, name: string, fn: Value): PyFunction {
  const special: Record<string, string> = { init: '__init__', postinit: '__post_init__' };
  const f = fn as PyFunction;
  f.qualname = `${cls.qualname}.${special[name] ?? name}`;
  return f;
}

function unsupportedAt(node: A.Stmt, what: string): NotSupported {
  const e = new NotSupported(what);
  e.span = node.span;
  return e;
}

interface Member {
  define(cls: PyClass, f: Frame): void;
}

export function compileArchetype(rt: Runtime, scope: Scope, s: A.Archetype): Exec {
  const make = compileClass(rt, scope, s);
  const store = compileStoreName(rt, scope, s.name);
  return (f) => void store(f, make(f));
}

/** What compiling a class body needs to know about the class. */
interface ClassContext {
  kind: A.ArchetypeKind;
  qualname: string;
  /** The class, once built, for `super` in its methods. */
  owner: { cls: unknown };
}

interface FieldSpec {
  name: string;
  makeDefault: Eval | null;
  byPostinit: boolean;
}

/** Declarations seen so far in each runtime, so `impl X.m` knows what X.m is. */
interface Declaration {
  ctx: ClassContext;
  abilities: Set<string>;
}
const declarations = new WeakMap<Runtime, Map<string, Declaration>>();
function declared(rt: Runtime): Map<string, Declaration> {
  let d = declarations.get(rt);
  if (!d) declarations.set(rt, (d = new Map()));
  return d;
}

const param = (name: string, at: A.Span): A.Param => ({ name, variadic: null, type: { kind: 'Constant', value: null, span: at }, default: null, span: at });

/** A method: `self` comes first, implicitly, unless static or in a `class` (which lists it). */
function compileMethod(rt: Runtime, scope: Scope, ctx: ClassContext, name: string, sig: A.Signature | null, isStatic: boolean, body: A.Stmt[], doc: string | null, at: A.Span): Eval {
  const params = sig?.params ?? [];
  const implicitSelf = !isStatic && ctx.kind !== 'class';
  return compileFunction(rt, scope, name, implicitSelf ? [param('self', at), ...params] : params, body, doc, ctx.owner);
}

/** An ability: a walker's sees the node as `here`; a node's sees the walker as `visitor`. */
function compileAbilityFn(rt: Runtime, scope: Scope, ctx: ClassContext, name: string, body: A.Stmt[], doc: string | null, at: A.Span): Eval {
  const other = ctx.kind === 'walker' ? 'here' : 'visitor';
  return compileFunction(rt, scope, name, [param('self', at), param(other, at)], body, doc, ctx.owner);
}

function defineMethod(cls: PyClass, name: string, fn: Value, isStatic: boolean): void {
  cls.attributes.set(name, methodFunction(cls, name, fn));
  if (isStatic) cls.staticMethods.add(name);
}

/** The fields and members of a class body (also of an `impl X { ... }` body). */
function compileMembers(rt: Runtime, scope: Scope, body: A.Stmt[], ctx: ClassContext): { fields: FieldSpec[]; members: Member[]; abilities: Set<string> } {
  const fields: FieldSpec[] = [];
  const members: Member[] = [];
  const abilities = new Set<string>();
  for (const m of body) {
    switch (m.kind) {
      case 'Has':
        for (const v of m.vars) {
          const value = v.value ? compileExpr(rt, scope, v.value) : null;
          // In a `class`, `has` declares a class attribute, shared until an instance sets its own.
          if (m.isStatic || ctx.kind === 'class') {
            const name = v.name;
            members.push({ define: (cls, f) => void cls.attributes.set(name, value ? value(f) : null) });
          } else {
            fields.push({ name: v.name, makeDefault: value, byPostinit: v.byPostinit });
          }
        }
        break;
      case 'Function': {
        if (m.body === null) break; // declared here, defined by `impl`
        if (m.body.kind !== 'Block') throw unsupportedAt(m, "'by' bodies");
        const make = compileMethod(rt, scope, ctx, m.name, m.signature, m.isStatic, m.body.stmts, m.doc, m.span);
        const { name, isStatic } = m;
        members.push({ define: (cls, f) => defineMethod(cls, name, make(f), isStatic) });
        break;
      }
      case 'Archetype':
      case 'Enum': {
        // A nested declaration (e.g. a walker's `__specs__`) becomes a class attribute.
        const nested = m.kind === 'Archetype' ? compileClass(rt, scope, m, `${ctx.qualname}.${m.name}`) : compileEnumValue(rt, scope, m);
        const name = m.name;
        members.push({ define: (cls, f) => void cls.attributes.set(name, nested(f)) });
        break;
      }
      case 'Ability': {
        if (m.body !== null && m.body.kind !== 'Block') throw unsupportedAt(m, "'by' bodies");
        abilities.add(m.name);
        // Declared without a body: it keeps its place; `impl` gives it a body later.
        const make = compileAbilityFn(rt, scope, ctx, m.name, m.body?.stmts ?? [], m.doc, m.span);
        const types = m.event.type ? compileTypes(rt, scope, m.event.type) : null;
        const ability = { name: m.name, event: m.event.event };
        members.push({
          define: (cls, f) => {
            let resolved: Value[] | null = null; // event types resolve on first use, then stay
            // An ability is also a method (so one named `init` becomes the constructor).
            const fn = methodFunction(cls, ability.name, make(f));
            cls.addAbility({ ...ability, types: types ? () => (resolved ??= types()) : null, fn });
            cls.attributes.set(ability.name, fn);
          },
        });
        break;
      }
      case 'PyInline':
        throw inlinePython(m, ctx.qualname);
      default:
        throw unsupportedAt(m, `${m.kind} in an archetype body`);
    }
  }
  return { fields, members, abilities };
}

const toField = (x: FieldSpec, f: Frame): Field => ({ name: x.name, byPostinit: x.byPostinit, makeDefault: x.makeDefault ? () => x.makeDefault!(f) : null });

/** Evaluates to the class object of a declaration. */
function compileClass(rt: Runtime, scope: Scope, s: A.Archetype, qualname = s.name): Eval {
  const bases = s.bases.map((b) => compileExpr(rt, scope, b));
  const ctx: ClassContext = { kind: s.archKind, qualname, owner: { cls: null } };
  const { fields, members, abilities } = compileMembers(rt, scope, s.body ?? [], ctx);
  declared(rt).set(qualname, { ctx, abilities });
  const { archKind: kind, name, doc } = s;
  return (f: Frame): PyClass => {
    const baseClasses: PyClass[] = [];
    let exceptionBase: PyExceptionClass | null = null;
    for (const b of bases) {
      const v = b(f);
      if (v instanceof PyClass) baseClasses.push(v);
      else if (v instanceof PyExceptionClass && !exceptionBase) exceptionBase = v;
      else throw new PyError('TypeError', `${name} can only inherit from archetypes and one exception class`);
    }
    const cls = new PyClass(name, qualname, kind, baseClasses, fields.map((x) => toField(x, f)), exceptionBase);
    ctx.owner.cls = cls;
    cls.doc = doc;
    for (const m of members) m.define(cls, f);
    return cls;
  };
}

/** `impl X { members }`, `impl E { A = 1 }`, `impl X.method(...) { }`, `impl W.ability { }`. */
export function compileImpl(rt: Runtime, scope: Scope, s: A.Impl): Exec {
  const [target, member, ...rest] = s.target;
  if (rest.length > 0) throw new NotSupported('impl of a nested declaration');
  const load = compileExpr(rt, scope, { kind: 'Name', name: target, span: s.span });
  const decl = declared(rt).get(target);
  const lookup = (f: Frame): Value => load(f);
  if (s.body?.kind === 'EnumBody') {
    const values = s.body.members.map((m) => ({ name: m.name, value: m.value ? compileExpr(rt, scope, m.value) : null }));
    return (f) => {
      const e = lookup(f);
      if (!(e instanceof PyEnum)) throw new PyError('TypeError', `impl ${target}: not an enum`);
      let auto = e.members.size;
      for (const m of values) e.members.set(m.name, new PyEnumMember(e, m.name, m.value ? m.value(f) : ++auto));
      return undefined;
    };
  }
  if (s.body?.kind !== 'Block') throw new NotSupported("impl without a body, or with 'by'");
  if (!decl) throw new NotSupported(`impl of '${target}' declared in another module`);
  const body = s.body.stmts;
  if (member === undefined) {
    const { fields, members } = compileMembers(rt, scope, body, decl.ctx);
    return (f) => {
      const cls = lookup(f) as PyClass;
      for (const x of fields) cls.addField(toField(x, f));
      for (const m of members) m.define(cls, f);
      return undefined;
    };
  }
  if (decl.abilities.has(member)) {
    const make = compileAbilityFn(rt, scope, decl.ctx, member, body, s.doc, s.span);
    return (f) => {
      const cls = lookup(f) as PyClass;
      const fn = methodFunction(cls, member, make(f));
      const ability = cls.abilities.find((a) => a.name === member)!;
      cls.addAbility({ ...ability, fn });
      cls.attributes.set(member, fn);
      return undefined;
    };
  }
  const sig = s.spec?.kind === 'Signature' ? s.spec.signature : null;
  const make = compileMethod(rt, scope, decl.ctx, member, sig, false, body, s.doc, s.span);
  return (f) => void defineMethod(lookup(f) as PyClass, member, make(f), false);
}

export function compileEnum(rt: Runtime, scope: Scope, s: A.Enum): Exec {
  const make = compileEnumValue(rt, scope, s);
  const store = compileStoreName(rt, scope, s.name);
  return (f) => void store(f, make(f));
}

function compileEnumValue(rt: Runtime, scope: Scope, s: A.Enum): Eval {
  const members = (s.members ?? []).map((m) => ({ name: m.name, value: m.value ? compileExpr(rt, scope, m.value) : null }));
  const methods = compileEnumMethods(rt, scope, s);
  const name = s.name;
  return (f) => {
    const e = new PyEnum(name);
    let auto = 0;
    for (const m of members) {
      const value: Value = m.value ? m.value(f) : ++auto;
      e.members.set(m.name, new PyEnumMember(e, m.name, value));
    }
    for (const m of methods) {
      e.attributes.set(m.name, m.make(f));
      if (m.isStatic) e.staticMethods.add(m.name);
    }
    return e;
  };
}

/** Methods in an enum's `with entry { }` body; as in a `class`, they list `self` themselves. */
function compileEnumMethods(rt: Runtime, scope: Scope, s: A.Enum): { name: string; isStatic: boolean; make: Eval }[] {
  const ctx: ClassContext = { kind: 'class', qualname: s.name, owner: { cls: null } };
  const methods: { name: string; isStatic: boolean; make: Eval }[] = [];
  for (const block of s.body) {
    if (block.kind !== 'ModuleEntry') throw unsupportedAt(block, `${block.kind} in an enum body`);
    for (const m of block.body) {
      if (m.kind !== 'Function' || m.body?.kind !== 'Block') throw unsupportedAt(m, 'statements other than methods in an enum body');
      const make = compileMethod(rt, scope, ctx, m.name, m.signature, m.isStatic, m.body.stmts, m.doc, m.span);
      methods.push({ name: m.name, isStatic: m.isStatic, make });
    }
  }
  return methods;
}
