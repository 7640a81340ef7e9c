// `typing` and `dataclasses`, as far as Jac programs use them: names for annotations, which are
// never evaluated (as in jaclang, whose modules compile with `from __future__ import annotations`),
// so a special form only has to exist and print as Python prints it; `cast`, `TYPE_CHECKING` and
// `TypeVar` for code that runs; `dataclass` as a no-op, since a Jac `obj` already is a dataclass.
// A name left out is a load error naming it (compile-stmt.ts), never a silent None.
import { PyDict } from '../values/containers.ts';
import { PyError } from '../values/errors.ts';
import { repr } from '../values/repr.ts';
import type { Value } from '../values/value.ts';
import { PyInstance } from './archetypes.ts';
import { PyBuiltin } from './callables.ts';
import { HostObject } from './host-object.ts';

/** The special forms and generic aliases of `typing` that annotations name. */
const TYPING_FORMS = [
  'Any', 'Optional', 'Union', 'List', 'Dict', 'Set', 'FrozenSet', 'Tuple', 'Type', 'Callable',
  'Iterable', 'Iterator', 'Generator', 'Sequence', 'Mapping', 'MutableMapping', 'Awaitable',
  'Coroutine', 'Literal', 'ClassVar', 'Final', 'Annotated', 'NoReturn', 'Never', 'Self',
];

function specialForm(name: string): HostObject {
  return new HostObject('typing._SpecialForm', { get: { __name__: () => name } }, () => `typing.${name}`);
}

function typingModule(): Map<string, Value> {
  const m = new Map<string, Value>(TYPING_FORMS.map((name) => [name, specialForm(name)]));
  m.set('TYPE_CHECKING', false);
  // `cast(T, x)` only informs a type checker: x unchanged.
  m.set('cast', new PyBuiltin('cast', (a, kw) => (a.length === 2 ? a[1] : (kw.get('val') ?? null))));
  m.set(
    'TypeVar',
    new PyBuiltin('TypeVar', (a) => {
      const name = a[0];
      if (typeof name !== 'string') throw new PyError('TypeError', 'TypeVar name must be a string');
      return new HostObject('TypeVar', { get: { __name__: () => name } }, () => `~${name}`);
    }),
  );
  return m;
}

/** `dataclass`, `dataclass(cls)` and `dataclass(kw_only=True)(cls)`: the class as it is. */
const dataclass: PyBuiltin = new PyBuiltin('dataclass', (a) => (a.length === 0 ? dataclass : a[0]));

function dataclassesModule(): Map<string, Value> {
  return new Map<string, Value>([
    ['dataclass', dataclass],
    [
      'asdict',
      new PyBuiltin('asdict', (a) => {
        const x = a[0];
        if (!(x instanceof PyInstance) || x.cls.kind === 'class') throw new PyError('TypeError', `asdict() should be called on dataclass instances, not ${repr(x ?? null)}`);
        const d = new PyDict();
        for (const f of x.cls.fields) {
          const v = x.get(f.name);
          if (v !== undefined) d.set(f.name, v);
        }
        return d;
      }),
    ],
    ['is_dataclass', new PyBuiltin('is_dataclass', (a) => a[0] instanceof PyInstance && a[0].cls.kind !== 'class')],
  ]);
}

/** The Python standard modules above, by name (see stdlib/index.ts). */
export const pythonShims: Record<string, () => Map<string, Value>> = {
  typing: typingModule,
  dataclasses: dataclassesModule,
};
