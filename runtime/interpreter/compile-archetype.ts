// `obj`/`node`/`edge`/`walker` and `enum` declarations: a class object is built when the
// module reaches the declaration (so field-order errors happen then, as in jaclang 0.8.0).
import type * as A from '../../grammar/ast.ts';
import { PyError } from '../values/errors.ts';
import type { Value } from '../values/value.ts';
import { type Field, PyClass, PyEnum, PyEnumMember } from './archetypes.ts';
import type { Exec, PyFunction } from './callables.ts';
import { compileTypes } from './compile-spatial.ts';
import { NotSupported, type Runtime, compileExpr, compileFunction, compileStoreName, type Eval } from './compile-expr.ts';
import type { Frame, Scope } from './scope.ts';

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

/** Evaluates to the class object of a declaration. */
function compileClass(rt: Runtime, scope: Scope, s: A.Archetype, qualname = s.name): Eval {
  if (s.archKind === 'class') throw new NotSupported("'class' archetypes");
  if (s.body === null) throw new NotSupported('forward declarations with impl');
  const bases = s.bases.map((b) => compileExpr(rt, scope, b));
  const owner: { cls: unknown } = { cls: null }; // the class, once built, for `super` in its methods
  const fields: { name: string; makeDefault: Eval | null; byPostinit: boolean }[] = [];
  const members: Member[] = [];
  for (const m of s.body) {
    switch (m.kind) {
      case 'Has':
        for (const v of m.vars) {
          const value = v.value ? compileExpr(rt, scope, v.value) : null;
          if (m.isStatic) {
            const name = v.name;
            members.push({ define: (cls, f) => void cls.attributes.set(name, value ? value(f) : null) });
          } else {
            fields.push({ name: v.name, makeDefault: value, byPostinit: v.byPostinit });
          }
        }
        break;
      case 'Function': {
        if (m.body?.kind !== 'Block') throw new NotSupported('a method without a body');
        const params = m.signature?.params ?? [];
        const withSelf: A.Param[] = m.isStatic ? params : [{ name: 'self', variadic: null, type: m.signature?.returns ?? { kind: 'Constant', value: null, span: m.span }, default: null, span: m.span }, ...params];
        const make = compileFunction(rt, scope, m.name, withSelf, m.body.stmts, m.doc, owner);
        const name = m.name;
        const isStatic = m.isStatic;
        members.push({
          define: (cls, f) => {
            cls.attributes.set(name, methodFunction(cls, name, make(f)));
            if (isStatic) cls.staticMethods.add(name);
          },
        });
        break;
      }
      case 'Archetype':
      case 'Enum': {
        // A nested declaration (e.g. a walker's `__specs__`) becomes a class attribute.
        const nested = m.kind === 'Archetype' ? compileClass(rt, scope, m, `${qualname}.${m.name}`) : compileEnumValue(rt, scope, m);
        const name = m.name;
        members.push({ define: (cls, f) => void cls.attributes.set(name, nested(f)) });
        break;
      }
      case 'Ability': {
        if (m.body?.kind !== 'Block') throw unsupportedAt(m, 'an ability without a body');
        // A walker's ability sees the node as `here`; a node's sees the walker as `visitor`.
        const other = s.archKind === 'walker' ? 'here' : 'visitor';
        const param = (name: string): A.Param => ({ name, variadic: null, type: { kind: 'Constant', value: null, span: m.span }, default: null, span: m.span });
        const make = compileFunction(rt, scope, m.name, [param('self'), param(other)], m.body.stmts, m.doc, owner);
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
      default:
        throw unsupportedAt(m, `${m.kind} in an archetype body`);
    }
  }
  const kind = s.archKind;
  const name = s.name;
  const doc = s.doc;
  return (f: Frame): PyClass => {
    const baseClasses = bases.map((b) => {
      const v = b(f);
      if (!(v instanceof PyClass)) throw new PyError('TypeError', `${name} can only inherit from archetypes`);
      return v;
    });
    const own: Field[] = fields.map((x) => ({ name: x.name, byPostinit: x.byPostinit, makeDefault: x.makeDefault ? () => x.makeDefault!(f) : null }));
    const cls = new PyClass(name, qualname, kind, baseClasses, own);
    owner.cls = cls;
    cls.doc = doc;
    for (const m of members) m.define(cls, f);
    return cls;
  };
}

export function compileEnum(rt: Runtime, scope: Scope, s: A.Enum): Exec {
  const make = compileEnumValue(rt, scope, s);
  const store = compileStoreName(rt, scope, s.name);
  return (f) => void store(f, make(f));
}

function compileEnumValue(rt: Runtime, scope: Scope, s: A.Enum): Eval {
  if (s.members === null) throw new NotSupported('forward declarations with impl');
  if (s.body.length > 0) throw new NotSupported('enum bodies with methods');
  const members = s.members.map((m) => ({ name: m.name, value: m.value ? compileExpr(rt, scope, m.value) : null }));
  const name = s.name;
  return (f) => {
    const e = new PyEnum(name);
    let auto = 0;
    for (const m of members) {
      const value: Value = m.value ? m.value(f) : ++auto;
      e.members.set(m.name, new PyEnumMember(name, m.name, value));
    }
    return e;
  };
}
