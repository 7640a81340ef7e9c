// A walker's `has` fields are a request's fields (http-api.md §2). Each field's annotation is read
// once into a type shape; from the shape come the JSON Schema that Fastify's Ajv validates the
// request value with, and the conversion of the validated JSON into the Jac value the walker gets
// (an int stays an int, a float field given 3 gets 3.0, an enum is taken by value, an obj is built
// by its own constructor).
//
// Recursive obj types (an obj holding a list of itself) are not cut at a depth: the obj that
// recurs gets a draft-07 plain-name `$id` (`"#jac-Tree-3"`) and the places it recurs are
// `{"$ref": "#jac-Tree-3"}`. The anchor is unique per schema built, so a field schema is
// self-contained and can be placed anywhere in a route schema, next to other fields that hold
// the same type.
import type * as A from '../grammar/ast.ts';
import { PyClass, PyEnum, type PyEnumMember } from '../runtime/interpreter/archetypes.ts';
import { isUploadedFile, UPLOAD_FILE_TYPE, UploadFileValue } from '../runtime/interpreter/fastapi-module.ts';
import { PyDict, PySet, PyTuple } from '../runtime/values/containers.ts';
import { PyError } from '../runtime/values/errors.ts';
import { float, int, PyFloat } from '../runtime/values/numbers.ts';
import { repr } from '../runtime/values/repr.ts';
import type { Value } from '../runtime/values/value.ts';

export type JsonSchema = Record<string, unknown>;

/** The program's types by (dotted) name: its archetype classes and enums. Builtins are not in it. */
export type TypeResolver = (name: string) => Value | undefined;

/** The declaration of an archetype class (where its fields' annotations are). */
export type DeclarationOf = (cls: PyClass) => A.Archetype | undefined;

/** Builds an obj instance from keyword fields (runs the program's code: the caller provides it). */
export type Construct = ((cls: PyClass, fields: Map<string, Value>) => Value) & {
  /** The node of the caller's graph with this id and type; throws NodeNotFound when there is none. */
  node?: (cls: PyClass, id: string) => Value;
};

/** A field typed as a node was given an id that is not a node of that type in the caller's graph. */
export class NodeNotFound extends Error {}

/** A field type the server cannot take from a request; reported as a load error at `span`. */
export class SchemaError extends Error {
  readonly code = 'JAC_LOAD_FIELD_TYPE';

  constructor(
    message: string,
    readonly span: A.Span,
  ) {
    super(message);
  }
}

/** JSON Schema (draft-07, as Ajv in Fastify uses) for a value of this annotation. */
export function schemaForType(type: A.Expr, types: TypeResolver, declarationOf: DeclarationOf): JsonSchema {
  return toSchema(shapeOf(type, types, declarationOf), new Map());
}

/**
 * The validated JSON value as the Jac value of a field with this annotation. Objs are built with
 * `construct` from the fields the request gave (the others get their defaults from it).
 */
export function jacValue(json: unknown, type: A.Expr, types: TypeResolver, construct: Construct, declarationOf: DeclarationOf): Value {
  return toJac(json, shapeOf(type, types, declarationOf), construct);
}

/** How a walker field takes files: one file or a list of them, and whether it may be left out. */
export interface FileField {
  list: boolean;
  /** `| None`: a request without the part gives None. */
  nullable: boolean;
}

/**
 * Whether a field's annotation is `UploadFile`, `list[UploadFile]`, or either `| None` (its
 * value is then file parts, not JSON), or null for a JSON field. A file anywhere else in a type
 * (inside a dict, an obj, a union with other types) is a SchemaError: no request can carry it.
 */
export function fileFieldOf(type: A.Expr, types: TypeResolver, declarationOf: DeclarationOf): FileField | null {
  const shape = shapeOf(type, types, declarationOf);
  const nullable = shape.kind === 'union' && shape.options.includes(NONE);
  const rest = shape.kind === 'union' ? shape.options.filter((o) => o !== NONE) : [shape];
  if (rest.length === 1 && rest[0].kind === 'upload') return { list: false, nullable };
  if (rest.length === 1 && rest[0].kind === 'list' && rest[0].item.kind === 'upload') return { list: true, nullable };
  if (holdsUpload(shape, new Set())) throw new SchemaError('UploadFile can be a field of its own (UploadFile, list[UploadFile], or either | None), not part of another type', type.span);
  return null;
}

function holdsUpload(shape: Shape, seen: Set<Shape>): boolean {
  if (seen.has(shape)) return false;
  seen.add(shape);
  switch (shape.kind) {
    case 'upload':
      return true;
    case 'list':
    case 'set':
      return holdsUpload(shape.item, seen);
    case 'tuple':
      return [...(shape.items ?? []), shape.item].some((s) => holdsUpload(s, seen));
    case 'dict':
      return holdsUpload(shape.value, seen);
    case 'union':
      return shape.options.some((s) => holdsUpload(s, seen));
    case 'obj':
      return shape.fields.some((f) => holdsUpload(f.shape, seen));
    default:
      return false;
  }
}

// ---- type shapes ------------------------------------------------------------------------

type Shape =
  | { kind: 'any' | 'none' | 'str' | 'int' | 'float' | 'bool' }
  | { kind: 'list'; item: Shape }
  | { kind: 'set'; item: Shape; frozen: boolean }
  /** `tuple[A, B]` has `items`; `tuple[T, ...]` and a bare `tuple` have `item`. */
  | { kind: 'tuple'; items: Shape[] | null; item: Shape }
  | { kind: 'dict'; intKeys: boolean; value: Shape }
  | { kind: 'union'; options: Shape[] }
  | { kind: 'enum'; enumType: PyEnum; values: { json: string | number | boolean | null; member: PyEnumMember }[] }
  /** A node of the caller's graph, given by its id. */
  | { kind: 'node'; cls: PyClass }
  /** `UploadFile`: a file part of a multipart request. */
  | { kind: 'upload' }
  | ObjShape;

interface ObjShape {
  kind: 'obj';
  cls: PyClass;
  /** Filled after the shape is registered, so a field can hold the obj itself. */
  fields: { name: string; shape: Shape; required: boolean }[];
}

const ANY: Shape = { kind: 'any' };
const UPLOAD: Shape = { kind: 'upload' };
const NONE: Shape = { kind: 'none' };
const SCALARS = new Map<string, Shape>([
  ['str', { kind: 'str' }],
  ['int', { kind: 'int' }],
  ['float', { kind: 'float' }],
  ['bool', { kind: 'bool' }],
  ['any', ANY],
  ['object', ANY],
  ['NoneType', NONE],
]);
/** Generic builtins, and what `typing` calls them (used when the program defines no such name). */
const GENERICS = new Set(['list', 'set', 'frozenset', 'tuple', 'dict']);
const TYPING = new Map(Object.entries({ List: 'list', Set: 'set', FrozenSet: 'frozenset', Tuple: 'tuple', Dict: 'dict', Any: 'any', Optional: 'Optional', Union: 'Union' }));

/** Shapes already read, per annotation (a shape that failed is not kept: it fails again). */
const shapes = new WeakMap<A.Expr, { types: TypeResolver; declarationOf: DeclarationOf; shape: Shape }>();

function shapeOf(type: A.Expr, types: TypeResolver, declarationOf: DeclarationOf): Shape {
  const known = shapes.get(type);
  if (known && known.types === types && known.declarationOf === declarationOf) return known.shape;
  const shape = new ShapeReader(types, declarationOf).read(type);
  shapes.set(type, { types, declarationOf, shape });
  return shape;
}

class ShapeReader {
  /** The objs read so far: a class met again (in its own fields, say) is the same shape. */
  private readonly objs = new Map<PyClass, ObjShape>();

  constructor(
    private readonly types: TypeResolver,
    private readonly declarationOf: DeclarationOf,
  ) {}

  read(e: A.Expr): Shape {
    switch (e.kind) {
      case 'Name':
      case 'TypeRef':
        return this.named(e.name, e);
      case 'Str': // a forward reference: `has next: "Item" | None`
        return this.named(e.value.trim(), e);
      case 'Attribute': {
        const name = dottedName(e);
        if (name === null) break;
        return this.named(name, e);
      }
      case 'Constant':
        if (e.value === null) return NONE;
        break;
      case 'Binary':
        if (e.op === '|') return this.union([...unionMembers(e)]);
        break;
      case 'Index':
        return this.generic(e);
      case 'Special':
        if (e.name === 'root') throw new SchemaError('a request cannot carry a node: root is a node (take a node id as a str field instead)', e.span);
        break;
    }
    throw new SchemaError('this annotation is not a type a request can carry', e.span);
  }

  private named(name: string, at: A.Expr): Shape {
    const scalar = SCALARS.get(name);
    if (scalar) return scalar;
    if (GENERICS.has(name)) return this.container(name, [], at);
    const value = this.types(name);
    if (value === undefined) {
      const alias = TYPING.get(name);
      if (alias === 'any') return ANY;
      if (alias && GENERICS.has(alias)) return this.container(alias, [], at);
      if (name === 'root') throw new SchemaError('a request cannot carry a node: root is a node (take a node id as a str field instead)', at.span);
      throw new SchemaError(`unknown type '${name}'`, at.span);
    }
    if (value === UPLOAD_FILE_TYPE) return UPLOAD;
    if (value instanceof PyEnum) return this.enumShape(value, at);
    if (value instanceof PyClass) {
      if (value.kind === 'node') return { kind: 'node', cls: value };
      if (value.kind === 'edge' || value.kind === 'walker') {
        const a = value.kind === 'edge' ? 'an' : 'a';
        throw new SchemaError(`a request cannot carry ${a} ${value.kind}: '${name}' is ${a} ${value.kind} type (take its id as a str field instead)`, at.span);
      }
      return this.obj(value, at);
    }
    throw new SchemaError(`'${name}' is not a type`, at.span);
  }

  private generic(e: A.Index): Shape {
    const head = e.object.kind === 'Name' || e.object.kind === 'TypeRef' ? e.object.name : e.object.kind === 'Attribute' ? dottedName(e.object) : null;
    const args = e.index.kind === 'Tuple' ? e.index.elts : [e.index];
    if (head !== null) {
      const name = GENERICS.has(head) ? head : this.types(head) === undefined ? TYPING.get(head) : undefined;
      if (name === 'Optional') {
        if (args.length !== 1) throw new SchemaError('Optional takes one type argument', e.span);
        return this.union([args[0], { kind: 'Constant', value: null, span: e.span }]);
      }
      if (name === 'Union') return this.union(args);
      if (name !== undefined && GENERICS.has(name)) return this.container(name, args, e);
    }
    throw new SchemaError(`${head ?? 'this type'} takes no type arguments a request can carry`, e.span);
  }

  private container(name: string, args: A.Expr[], at: A.Expr): Shape {
    const one = (): Shape => {
      if (args.length > 1) throw new SchemaError(`${name} takes one type argument`, at.span);
      return args.length === 0 ? ANY : this.read(args[0]);
    };
    switch (name) {
      case 'list':
        return { kind: 'list', item: one() };
      case 'set':
      case 'frozenset':
        return { kind: 'set', item: one(), frozen: name === 'frozenset' };
      case 'tuple':
        if (args.length === 0) return { kind: 'tuple', items: null, item: ANY };
        if (args.length === 2 && args[1].kind === 'Constant' && args[1].value === 'Ellipsis') return { kind: 'tuple', items: null, item: this.read(args[0]) };
        return { kind: 'tuple', items: args.map((a) => this.read(a)), item: ANY };
      default: {
        // dict
        if (args.length === 0) return { kind: 'dict', intKeys: false, value: ANY };
        if (args.length !== 2) throw new SchemaError('dict takes two type arguments: dict[str, T]', at.span);
        const key = this.read(args[0]);
        if (key.kind !== 'str' && key.kind !== 'int' && key.kind !== 'any') {
          throw new SchemaError('the keys of a JSON object are strings: use dict[str, T] (or dict[int, T])', args[0].span);
        }
        return { kind: 'dict', intKeys: key.kind === 'int', value: this.read(args[1]) };
      }
    }
  }

  private union(members: A.Expr[]): Shape {
    const options: Shape[] = [];
    for (const m of members) {
      const s = this.read(m);
      for (const o of s.kind === 'union' ? s.options : [s]) if (!options.includes(o)) options.push(o);
    }
    if (options.includes(ANY)) return ANY;
    return options.length === 1 ? options[0] : { kind: 'union', options };
  }

  private enumShape(enumType: PyEnum, at: A.Expr): Shape {
    const values: { json: string | number | boolean | null; member: PyEnumMember }[] = [];
    for (const member of enumType.members.values()) {
      const json = jsonScalar(member.value);
      if (json === undefined) throw new SchemaError(`${enumType.name}.${member.name} has a value no request can carry: ${repr(member.value)}`, at.span);
      values.push({ json, member });
    }
    return { kind: 'enum', enumType, values };
  }

  private obj(cls: PyClass, at: A.Expr): Shape {
    const known = this.objs.get(cls);
    if (known) return known;
    const shape: ObjShape = { kind: 'obj', cls, fields: [] };
    this.objs.set(cls, shape);
    for (const f of cls.fields) {
      if (f.byPostinit) continue;
      const declared = this.fieldDeclaration(cls, f.name);
      if (!declared) throw new SchemaError(`cannot find the declaration of ${cls.name}.${f.name}, so a request cannot give a ${cls.name}`, at.span);
      shape.fields.push({ name: f.name, shape: this.read(declared.type), required: f.makeDefault === null });
    }
    return shape;
  }

  private fieldDeclaration(cls: PyClass, name: string): A.HasVar | undefined {
    return fieldDeclaration(cls, name, this.declarationOf);
  }
}

/** The `has` that declares `name`, from the class or the nearest base that declares it. */
export function fieldDeclaration(cls: PyClass, name: string, declarationOf: DeclarationOf): A.HasVar | undefined {
  for (const c of cls.mro()) {
    for (const s of declarationOf(c)?.body ?? []) {
      if (s.kind !== 'Has' || s.isStatic) continue;
      const v = s.vars.find((x) => x.name === name);
      if (v) return v;
    }
  }
  return undefined;
}

function* unionMembers(e: A.Expr): Generator<A.Expr> {
  if (e.kind === 'Binary' && e.op === '|') {
    yield* unionMembers(e.left);
    yield* unionMembers(e.right);
  } else yield e;
}

function dottedName(e: A.Expr): string | null {
  if (e.kind === 'Name') return e.name;
  if (e.kind === 'Attribute' && e.op === '.' && !e.nullSafe) {
    const left = dottedName(e.object);
    return left === null ? null : `${left}.${e.name}`;
  }
  return null;
}

/** An enum member's value as JSON, when it is a JSON scalar. */
function jsonScalar(v: Value): string | number | boolean | null | undefined {
  if (v === null || typeof v === 'string' || typeof v === 'boolean' || typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number.isSafeInteger(Number(v)) ? Number(v) : undefined;
  if (v instanceof PyFloat) return Number.isFinite(v.value) ? v.value : undefined;
  return undefined;
}

// ---- JSON Schema ------------------------------------------------------------------------

/** Anchors are numbered across the process so that no two in one route schema are the same. */
let anchors = 0;

/** `open` holds the objs being written (outermost first), each with its anchor once it recurs. */
function toSchema(shape: Shape, open: Map<ObjShape, { anchor: string | null }>): JsonSchema {
  switch (shape.kind) {
    case 'any':
      return {};
    case 'none':
      return { type: 'null' };
    case 'str':
      return { type: 'string' };
    case 'int':
      return { type: 'integer' };
    case 'float':
      return { type: 'number' };
    case 'bool':
      return { type: 'boolean' };
    case 'list':
    case 'set':
      return shape.item.kind === 'any' ? { type: 'array' } : { type: 'array', items: toSchema(shape.item, open) };
    case 'tuple':
      if (shape.items === null) return shape.item.kind === 'any' ? { type: 'array' } : { type: 'array', items: toSchema(shape.item, open) };
      if (shape.items.length === 0) return { type: 'array', maxItems: 0 };
      return { type: 'array', items: shape.items.map((s) => toSchema(s, open)), minItems: shape.items.length, maxItems: shape.items.length };
    case 'dict': {
      const schema: JsonSchema = { type: 'object' };
      if (shape.value.kind !== 'any') schema.additionalProperties = toSchema(shape.value, open);
      if (shape.intKeys) schema.propertyNames = { pattern: '^-?[0-9]+$' };
      return schema;
    }
    case 'enum': {
      const kinds = [...new Set(shape.values.map((v) => jsonKind(v.json)))];
      const values = shape.values.map((v) => v.json);
      if (values.length === 0) return { not: {} }; // an enum without members: nothing is one
      // A single type lets Ajv coerce query strings ("1" → 1); Ajv's strict mode wants no more.
      const nonNull = kinds.filter((k) => k !== 'null');
      const type = nonNull.includes('number') ? nonNull.filter((k) => k !== 'integer') : nonNull;
      if (type.length !== 1) return { enum: values };
      return { type: kinds.includes('null') ? [type[0], 'null'] : type[0], enum: values };
    }
    case 'union': {
      const nullable = shape.options.includes(NONE);
      const schemas = shape.options.filter((o) => o !== NONE).map((o) => toSchema(o, open));
      if (schemas.length === 0) return { type: 'null' };
      const one = schemas.length === 1 ? schemas[0] : { anyOf: schemas };
      return nullable ? orNull(one) : one;
    }
    case 'node':
      return { type: 'string', description: `the id of a node of type ${shape.cls.name} in your graph` };
    case 'upload':
      return { type: 'string', format: 'binary' };
    case 'obj': {
      const recurring = open.get(shape);
      if (recurring) {
        recurring.anchor ??= `jac-${shape.cls.name}-${++anchors}`;
        return { $ref: `#${recurring.anchor}` };
      }
      const frame: { anchor: string | null } = { anchor: null };
      open.set(shape, frame);
      const properties: JsonSchema = {};
      const required: string[] = [];
      for (const f of shape.fields) {
        properties[f.name] = toSchema(f.shape, open);
        if (f.required) required.push(f.name);
      }
      open.delete(shape);
      const schema: JsonSchema = { type: 'object', properties };
      if (required.length > 0) schema.required = required;
      return frame.anchor === null ? schema : { $id: `#${frame.anchor}`, ...schema };
    }
  }
}

function jsonKind(v: string | number | boolean | null): string {
  if (v === null) return 'null';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

/**
 * `schema` that also takes null. A plain `type` gets `"null"` added (OpenAPI shows it as
 * nullable), so a wrong value is one `type` error: "Input should be a valid integer". Anything
 * else (a union, an anchored obj whose `$ref`s must not take null) becomes
 * `{"if": {"const": null}, "else": schema}`: the 422 then lists only what is wrong with the
 * value (errors.ts drops the `if` item), where `anyOf` would add "Input should be None" at every
 * level; and `const` never coerces, where `{"type": "null"}` would turn a query's "" into null.
 */
function orNull(schema: JsonSchema): JsonSchema {
  if (Object.keys(schema).length === 0) return schema;
  if (schema.type !== undefined && schema.$id === undefined) {
    const types = Array.isArray(schema.type) ? (schema.type as string[]) : [schema.type as string];
    if (types.includes('null')) return schema;
    const out: JsonSchema = { ...schema, type: [...types, 'null'] };
    if (Array.isArray(schema.enum)) out.enum = [...schema.enum, null];
    return out;
  }
  if (Array.isArray(schema.enum)) return schema.enum.includes(null) ? schema : { ...schema, enum: [...schema.enum, null] };
  return { if: { const: null }, else: schema };
}

// ---- JSON → Jac -------------------------------------------------------------------------

function toJac(json: unknown, shape: Shape, construct: Construct): Value {
  switch (shape.kind) {
    case 'any':
      return fromJson(json);
    case 'none':
      if (json === null) return null;
      break;
    case 'str':
      if (typeof json === 'string') return json;
      break;
    case 'int':
      if (isInteger(json)) return toInt(json);
      break;
    case 'float':
      if (typeof json === 'number') return float(json);
      if (typeof json === 'bigint') return float(Number(json));
      break;
    case 'bool':
      if (typeof json === 'boolean') return json;
      break;
    case 'list':
      if (Array.isArray(json)) return json.map((x) => toJac(x, shape.item, construct));
      break;
    case 'set':
      if (Array.isArray(json)) {
        const set = new PySet(json.map((x) => toJac(x, shape.item, construct)));
        set.frozen = shape.frozen;
        return set;
      }
      break;
    case 'tuple':
      if (Array.isArray(json) && (shape.items === null || shape.items.length === json.length)) {
        return new PyTuple(json.map((x, i) => toJac(x, shape.items?.[i] ?? shape.item, construct)));
      }
      break;
    case 'dict':
      if (isPlainObject(json)) {
        const dict = new PyDict();
        for (const [k, v] of Object.entries(json)) dict.set(shape.intKeys ? int(BigInt(k)) : k, toJac(v, shape.value, construct));
        return dict;
      }
      break;
    case 'enum': {
      const found = shape.values.find((v) => sameJson(v.json, json));
      if (found) return found.member;
      break;
    }
    case 'upload':
      if (isUploadedFile(json)) return new UploadFileValue(json);
      break;
    case 'node':
      if (typeof json === 'string') {
        if (!construct.node) throw new NodeNotFound(json);
        return construct.node(shape.cls, json);
      }
      break;
    case 'obj':
      if (isPlainObject(json)) {
        const fields = new Map<string, Value>();
        for (const f of shape.fields) if (Object.hasOwn(json, f.name)) fields.set(f.name, toJac(json[f.name], f.shape, construct));
        return construct(shape.cls, fields);
      }
      break;
    case 'union':
      // As pydantic's smart unions: the first option the value is exactly (3 is an int before it
      // is a float), then the first it fits at all.
      for (const exact of [true, false]) for (const o of shape.options) if (fits(json, o, exact)) return toJac(json, o, construct);
      break;
  }
  // A run queued from the program (create_task, a schedule) has JSON fields: a file cannot be one.
  if (holdsUpload(shape, new Set())) throw new PyError('TypeError', 'an UploadFile field takes a file part of a multipart request; a run queued by create_task or a schedule cannot carry one');
  throw new TypeError(`a request value does not fit its field type: ${JSON.stringify(json)}`);
}

/** Whether `json` is a value of `shape`; `exact` takes an integer for an int only, not a float. */
function fits(json: unknown, shape: Shape, exact: boolean): boolean {
  switch (shape.kind) {
    case 'any':
      return true;
    case 'none':
      return json === null;
    case 'str':
      return typeof json === 'string';
    case 'int':
      return isInteger(json);
    case 'float':
      return typeof json === 'bigint' ? !exact : typeof json === 'number' && !(exact && Number.isInteger(json));
    case 'bool':
      return typeof json === 'boolean';
    case 'list':
    case 'set':
      return Array.isArray(json) && json.every((x) => fits(x, shape.item, exact));
    case 'tuple':
      if (!Array.isArray(json)) return false;
      if (shape.items === null) return json.every((x) => fits(x, shape.item, exact));
      return json.length === shape.items.length && json.every((x, i) => fits(x, shape.items![i], exact));
    case 'dict':
      return isPlainObject(json) && Object.entries(json).every(([k, v]) => (!shape.intKeys || /^-?[0-9]+$/.test(k)) && fits(v, shape.value, exact));
    case 'enum':
      return shape.values.some((v) => sameJson(v.json, json));
    case 'node':
      return typeof json === 'string';
    case 'upload':
      return isUploadedFile(json);
    case 'obj':
      return isPlainObject(json) && shape.fields.every((f) => (Object.hasOwn(json, f.name) ? fits(json[f.name], f.shape, exact) : !f.required));
    case 'union':
      return shape.options.some((o) => fits(json, o, exact));
  }
}

/** Any JSON as Jac: objects are dicts, arrays lists, integral numbers ints, the rest floats. */
function fromJson(json: unknown): Value {
  if (json === null || typeof json === 'string' || typeof json === 'boolean') return json;
  if (isInteger(json)) return toInt(json);
  if (typeof json === 'number') return float(json);
  if (Array.isArray(json)) return json.map(fromJson);
  if (isPlainObject(json)) {
    const dict = new PyDict();
    for (const [k, v] of Object.entries(json)) dict.set(k, fromJson(v));
    return dict;
  }
  throw new TypeError(`not a JSON value: ${String(json)}`);
}

/** An enum member's JSON value and a request's are equal (an exact big int equals the float of its value). */
function sameJson(member: string | number | boolean | null, json: unknown): boolean {
  return member === json || (typeof json === 'bigint' && typeof member === 'number' && Number.isInteger(member) && BigInt(member) === json);
}

function isInteger(json: unknown): json is number | bigint {
  return typeof json === 'bigint' || (typeof json === 'number' && Number.isInteger(json));
}

/**
 * An integral JSON number as an int: a bigint is exact as the client wrote it; a number beyond
 * 2^53 came from a float literal (`1e30`), and is that float's exact value, as Python's int(1e30).
 */
function toInt(n: number | bigint): Value {
  return typeof n === 'bigint' ? int(n) : Number.isSafeInteger(n) ? n : int(BigInt(n));
}

function isPlainObject(json: unknown): json is Record<string, unknown> {
  return typeof json === 'object' && json !== null && !Array.isArray(json);
}
