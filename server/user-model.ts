// An app's own user model, read from the loaded program as Jac Cloud reads it (`User.model()`):
// `import from jac_cloud.jaseci.models { User as BaseUser }` and then `class User(BaseUser)` (or
// `obj User(BaseUser)`) with `has` fields. The last class that subclasses BaseUser directly wins.
// Its fields are what registration takes besides email and password (a field without a default
// is required) and what login gives back inside `user`; Jac Cloud's own user fields cannot be
// redefined.
import type * as A from '../grammar/ast.ts';
import { PyClass, PyEnumMember, PyInstance } from '../runtime/interpreter/archetypes.ts';
import { isUserModel } from '../runtime/interpreter/jac-cloud-models.ts';
import { RootClass } from '../runtime/interpreter/graph.ts';
import { errorText, type Program } from '../runtime/interpreter/run.ts';
import type { Json } from '../runtime/store/store.ts';
import type { Value } from '../runtime/values/value.ts';
import { type DeclarationOf, SchemaError, schemaForType, type TypeResolver } from './schema.ts';
import { NotSerializable, serialize, type Wire } from './serialize.ts';
import type { UserFieldManifest } from './user-fields.ts';

/** Jac Cloud's own user fields: the server sets them, so an app's model cannot declare them. */
export const RESERVED_USER_FIELDS = ['id', 'email', 'password', 'root_id', 'is_activated', 'is_admin', 'sso'];

/** A field of the model, as its `has` declares it. */
interface UserField {
  name: string;
  declared: A.HasVar;
}

/** A problem with the model, at its place in `source`. */
export interface UserModelProblem {
  source: string;
  message: string;
  span: A.Span;
}

/** The loaded files, in load order, with their top-level declarations. */
interface LoadedFile {
  source: string;
  module: A.Module;
  program: Program;
}

/**
 * The fields of the app's user model (null when it has none), each with its JSON Schema and its
 * default as JSON; problems go to `fail` (and the model then has none).
 */
export function readUserModel(
  loaded: LoadedFile[],
  declarationOf: DeclarationOf,
  resolveType: TypeResolver,
  fail: (p: UserModelProblem) => void,
): UserFieldManifest[] | null {
  let model: { cls: PyClass; file: LoadedFile } | null = null;
  for (const file of loaded) {
    for (const decl of file.module.body) {
      if (decl.kind !== 'Archetype') continue;
      const cls = file.program.globals.get(decl.name);
      if (cls instanceof PyClass && isUserModel(cls)) model = { cls, file };
    }
  }
  if (!model) return null;
  const { cls, file } = model;
  const out: UserFieldManifest[] = [];
  let ok = true;
  for (const { name, declared } of modelFields(cls, declarationOf)) {
    const at = (message: string, span = declared.span) => {
      ok = false;
      fail({ source: file.source, message: `user model ${cls.name}: ${message}`, span });
    };
    if (RESERVED_USER_FIELDS.includes(name)) {
      at(`'${name}' is one of the fields every user has (${RESERVED_USER_FIELDS.join(', ')}) and cannot be redefined`);
      continue;
    }
    let schema;
    try {
      schema = schemaForType(declared.type, resolveType, declarationOf);
    } catch (e) {
      if (!(e instanceof SchemaError)) throw e;
      at(`${name}: ${e.message}`, e.span);
      continue;
    }
    const field: UserFieldManifest = { name, required: declared.value === null, schema };
    if (declared.value !== null) {
      const value = defaultOf(cls, name, file.program);
      if ('problem' in value) {
        at(`the default of ${name} ${value.problem}`);
        continue;
      }
      field.default = value.json;
    }
    out.push(field);
  }
  return ok ? out : null;
}

/**
 * The model's fields: every instance `has` of it and of its own bases (BaseUser has none), base
 * fields first; a field declared again keeps its place and takes the new declaration, as
 * dataclass fields do.
 */
function modelFields(cls: PyClass, declarationOf: DeclarationOf): UserField[] {
  const fields: UserField[] = [];
  for (const c of [...cls.mro()].reverse()) {
    for (const s of declarationOf(c)?.body ?? []) {
      if (s.kind !== 'Has' || s.isStatic) continue;
      for (const v of s.vars) {
        if (v.byPostinit) continue;
        const i = fields.findIndex((f) => f.name === v.name);
        if (i === -1) fields.push({ name: v.name, declared: v });
        else fields[i] = { name: v.name, declared: v };
      }
    }
  }
  return fields;
}

/**
 * A field's default, as JSON: in a `class`, `has x = v` made a class attribute (evaluated when the
 * class was made); in an `obj`, a per-instance default, made here once.
 */
function defaultOf(cls: PyClass, name: string, program: Program): { json: Json } | { problem: string } {
  const field = cls.fields.find((f) => f.name === name);
  const outcome = program.run(new PyInstance(RootClass), { maxMillis: 1000 }, (): Value => (field?.makeDefault ? field.makeDefault() : (cls.lookup(name) ?? null)));
  if (outcome.error) return { problem: `could not be made: ${errorText(outcome.error)}` };
  // An enum default is stored as a registration gives it: by value.
  const value = outcome.value instanceof PyEnumMember ? outcome.value.value : outcome.value;
  let wire: Wire;
  try {
    wire = serialize(value as Value);
  } catch (e) {
    if (!(e instanceof NotSerializable)) throw e;
    return { problem: `cannot be stored as JSON: ${e.message}` };
  }
  const json = asJson(wire);
  return json === undefined ? { problem: 'cannot be stored as JSON: an integer beyond 2^53' } : { json };
}

/** A wire value as JSON, or undefined when it holds an integer too large for a JSON number. */
function asJson(w: Wire): Json | undefined {
  if (typeof w === 'bigint') return Number.isSafeInteger(Number(w)) ? Number(w) : undefined;
  if (Array.isArray(w)) {
    const items = w.map(asJson);
    return items.includes(undefined) ? undefined : (items as Json[]);
  }
  if (w !== null && typeof w === 'object') {
    const o: Record<string, Json> = {};
    for (const [k, v] of Object.entries(w)) {
      const j = asJson(v);
      if (j === undefined) return undefined;
      o[k] = j;
    }
    return o;
  }
  return w;
}
