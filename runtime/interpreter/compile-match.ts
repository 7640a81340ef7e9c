// `match` statements with Python's pattern semantics: literals, captures, `_`, `|`, `as`,
// sequences with `*rest`, mappings with `**rest`, class patterns (positional sub-patterns
// follow the dataclass fields), dotted values, and guards.
import type * as A from '../../grammar/ast.ts';
import { compareOperator, equals, truthy } from '../values/compare.ts';
import { PyDict, PyTuple } from '../values/containers.ts';
import { PyError } from '../values/errors.ts';
import { typeName as rtTypeName, type Value } from '../values/value.ts';
import { PyClass, PyInstance } from './archetypes.ts';
import type { Exec } from './callables.ts';
import { type Eval, type Runtime, compileExpr, compileStoreName } from './compile-expr.ts';
import { PyType, getAttribute } from './protocols.ts';
import type { Frame, Scope } from './scope.ts';

/** Tests a value against a pattern, binding names on success. */
export type Matcher = (f: Frame, v: Value) => boolean;

export function compileMatch(rt: Runtime, scope: Scope, s: A.Match, block: (b: A.Stmt[]) => Exec): Exec {
  const subject = compileExpr(rt, scope, s.subject);
  const cases = s.cases.map((c) => ({
    matches: compilePattern(rt, scope, c.pattern),
    guard: c.guard ? compileExpr(rt, scope, c.guard) : null,
    body: block(c.body),
  }));
  return (f) => {
    const v = subject(f);
    for (const c of cases) {
      if (c.matches(f, v) && (!c.guard || truthy(c.guard(f)))) return c.body(f);
    }
    return undefined;
  };
}

/** A literal or value pattern tests `subject == value`, the operator (a class's __eq__ runs even on itself). */
const matchesValue = (v: Value, value: Value): boolean => truthy(compareOperator('==', v, value));

const sequenceOf = (v: Value): readonly Value[] | null => (Array.isArray(v) ? v : v instanceof PyTuple ? v.items : null);

export function compilePattern(rt: Runtime, scope: Scope, p: A.Pattern): Matcher {
  switch (p.kind) {
    case 'PLiteral': {
      const value = compileExpr(rt, scope, p.value);
      return (f, v) => matchesValue(v, value(f));
    }
    case 'PSingleton': {
      const value = p.value;
      return (_f, v) => v === value;
    }
    case 'PCapture': {
      if (p.name === '_') return () => true;
      const store = compileStoreName(rt, scope, p.name);
      return (f, v) => (store(f, v), true);
    }
    case 'PValue': {
      const value = dotted(rt, scope, p.path, p.span);
      return (f, v) => matchesValue(v, value(f));
    }
    case 'POr': {
      const options = p.options.map((o) => compilePattern(rt, scope, o));
      return (f, v) => options.some((o) => o(f, v));
    }
    case 'PAs': {
      const inner = compilePattern(rt, scope, p.pattern);
      const store = compileStoreName(rt, scope, p.name);
      return (f, v) => inner(f, v) && (store(f, v), true);
    }
    case 'PStar':
      throw new PyError('SyntaxError', 'a starred pattern must be inside a sequence pattern');
    case 'PSequence': {
      const star = p.items.findIndex((x) => x.kind === 'PStar');
      const items = p.items.map((x) => (x.kind === 'PStar' ? null : compilePattern(rt, scope, x)));
      const rest = star === -1 ? null : (p.items[star] as Extract<A.Pattern, { kind: 'PStar' }>).name;
      const storeRest = rest && rest !== '_' ? compileStoreName(rt, scope, rest) : null;
      return (f, v) => {
        const seq = sequenceOf(v);
        if (!seq) return false;
        if (star === -1) return seq.length === items.length && items.every((m, i) => m!(f, seq[i]));
        const after = items.length - star - 1;
        if (seq.length < items.length - 1) return false;
        for (let i = 0; i < star; i++) if (!items[i]!(f, seq[i])) return false;
        for (let i = 0; i < after; i++) if (!items[star + 1 + i]!(f, seq[seq.length - after + i])) return false;
        storeRest?.(f, seq.slice(star, seq.length - after));
        return true;
      };
    }
    case 'PMapping': {
      const keys = p.keys.map((k) => compileExpr(rt, scope, k));
      const values = p.values.map((x) => compilePattern(rt, scope, x));
      const storeRest = p.rest ? compileStoreName(rt, scope, p.rest) : null;
      return (f, v) => {
        if (!(v instanceof PyDict)) return false;
        const used: Value[] = [];
        for (let i = 0; i < keys.length; i++) {
          const k = keys[i](f);
          const x = v.get(k);
          if (x === undefined || !values[i](f, x)) return false;
          used.push(k);
        }
        if (storeRest) {
          const rest = new PyDict();
          for (const [k, x] of v.items()) if (!used.some((u) => equals(u, k))) rest.set(k, x);
          storeRest(f, rest);
        }
        return true;
      };
    }
    case 'PClass': {
      const cls = dotted(rt, scope, p.path, p.span);
      const args = p.args.map((x) => compilePattern(rt, scope, x));
      const kws = p.kwNames.map((name, i) => ({ name, match: compilePattern(rt, scope, p.kwPatterns[i]) }));
      return (f, v) => {
        const c = cls(f);
        if (!isInstance(v, c)) return false;
        if (args.length > 0) {
          // Positional sub-patterns match the fields in order (a dataclass's __match_args__);
          // a builtin type (`int(x)`) matches the value itself.
          if (c instanceof PyType) {
            if (args.length > 1) throw new PyError('TypeError', `${c.name}() accepts 1 positional sub-pattern (${args.length} given)`);
            if (!args[0](f, v)) return false;
          } else {
            const fields = (c as PyClass).fields.filter((x) => !x.byPostinit);
            if (args.length > fields.length) throw new PyError('TypeError', `${(c as PyClass).name}() accepts ${fields.length} positional sub-patterns (${args.length} given)`);
            for (let i = 0; i < args.length; i++) if (!args[i](f, getAttribute(v, fields[i].name))) return false;
          }
        }
        for (const kw of kws) {
          let x: Value;
          try {
            x = getAttribute(v, kw.name);
          } catch (e) {
            if (e instanceof PyError && e.pyType === 'AttributeError') return false;
            throw e;
          }
          if (!kw.match(f, x)) return false;
        }
        return true;
      };
    }
  }
}

function isInstance(v: Value, cls: Value): boolean {
  if (cls instanceof PyClass) return v instanceof PyInstance && v.cls.isSubclassOf(cls);
  if (cls instanceof PyType) {
    const name = cls.name;
    if (name === 'int') return typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean';
    return rtTypeName(v) === name;
  }
  throw new PyError('TypeError', 'called match pattern must be a class');
}

/** A dotted name (`Color.RED`, `mod.Type`) evaluated as an expression. */
function dotted(rt: Runtime, scope: Scope, path: string[], span: A.Span): Eval {
  let e: A.Expr = { kind: 'Name', name: path[0], span };
  for (const name of path.slice(1)) e = { kind: 'Attribute', object: e, name, nullSafe: false, op: '.', span };
  return compileExpr(rt, scope, e);
}

