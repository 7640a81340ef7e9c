// Request fields from `has` annotations (http-api.md §2): the JSON Schema a real Ajv (configured
// as Fastify's) validates with, the 422 items errors.ts makes of its errors, and the Jac values
// the walker gets, checked through their repr.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Ajv } from 'ajv';
import type * as A from '../../grammar/ast.ts';
import { parse } from '../../grammar/index.ts';
import { PyClass } from '../../runtime/interpreter/archetypes.ts';
import { call } from '../../runtime/interpreter/protocols.ts';
import { runModule } from '../../runtime/interpreter/run.ts';
import { repr } from '../../runtime/values/repr.ts';
import type { Value } from '../../runtime/values/value.ts';
import { type DetailItem, toDetail } from '../../server/errors.ts';
import { type JsonSchema, jacValue, SchemaError, schemaForType, type TypeResolver } from '../../server/schema.ts';

const TYPES = `
enum Color { RED = 'r', GREEN = 'g' }
enum Level { LOW = 1, HIGH = 2 }
obj Point { has x: int, y: float = 0.0; }
obj Labeled(Point) { has label: str = ''; }
obj Tree { has v: int, kids: list[Tree] = []; }
obj Line { has a: Point, b: Point | None = None, tags: dict[str, Color] = {}; }
obj Pin { has at: Spot; }
obj Trip { has via: Road; }
node Spot { has n: int = 0; }
edge Road { has km: float = 0.0; }
def helper() -> int { return 1; }
`;

/** A program of `TYPES` plus `extra`; `field(name)` is the annotation of walker W's field. */
function program(extra: string) {
  const parsed = parse(TYPES + extra, 'app.jac');
  assert.equal(parsed.diagnostics, []);
  const module = parsed.module!;
  const run = runModule(module, () => {});
  assert.is(run.error, null);
  const declarations = new Map<PyClass, A.Archetype>();
  const declare = (decl: A.Stmt, cls: Value | undefined) => {
    if (decl.kind !== 'Archetype' || !(cls instanceof PyClass)) return;
    declarations.set(cls, decl);
    for (const inner of decl.body ?? []) if (inner.kind === 'Archetype') declare(inner, cls.lookup(inner.name));
  };
  for (const d of module.body) if (d.kind === 'Archetype') declare(d, run.globals.get(d.name));
  // As the loader resolves names: `Outer.Inner` through the outer class.
  const types: TypeResolver = (name) => {
    const [first, ...rest] = name.split('.');
    let v = run.globals.get(first);
    for (const part of rest) v = v instanceof PyClass ? v.lookup(part) : undefined;
    return v;
  };
  const declarationOf = (cls: PyClass) => declarations.get(cls);
  const walker = module.body.find((d): d is A.Archetype => d.kind === 'Archetype' && d.name === 'W')!;
  const field = (name: string): A.Expr => {
    for (const s of walker.body ?? []) if (s.kind === 'Has') for (const v of s.vars) if (v.name === name) return v.type;
    throw new Error(`no field ${name}`);
  };
  const construct = (cls: PyClass, fields: Map<string, Value>) => call(cls, [], fields);
  return {
    field,
    schema: (name: string) => schemaForType(field(name), types, declarationOf),
    value: (name: string, json: unknown) => repr(jacValue(json, field(name), types, construct, declarationOf)),
  };
}

const warnings: string[] = [];
const logger = { log: () => {}, warn: (...m: unknown[]) => warnings.push(m.join(' ')), error: (...m: unknown[]) => warnings.push(m.join(' ')) };
// As server/validators.ts configures them: query strings and path parameters are coerced
// (`"3"` → 3), JSON bodies are taken as sent. (Ajv's strict mode stays on here, so that a schema
// it would warn about fails the last test.)
const options = { useDefaults: false, removeAdditional: false, allErrors: true, logger } as const;
const queryAjv = new Ajv({ ...options, coerceTypes: 'array' });
const bodyAjv = new Ajv({ ...options, coerceTypes: false });

interface Checked {
  ok: boolean;
  /** The value as Ajv left it (coerced). */
  data: unknown;
  detail: DetailItem[];
}

/** Validates `{[name]: value}` as a body holding one field of `schema`. */
function check(schema: JsonSchema, name: string, value: unknown, options: { ajv?: Ajv; where?: string } = {}): Checked {
  const where = options.where ?? 'body';
  const ajv = options.ajv ?? (where === 'body' ? bodyAjv : queryAjv);
  const body = { type: 'object', properties: { [name]: schema }, required: [name] };
  const validate = ajv.compile(body);
  const data: Record<string, unknown> = { [name]: structuredClone(value) };
  const ok = validate(data);
  const detail = ok ? [] : toDetail(validate.errors as never, where === 'query' ? 'querystring' : where, data).map(({ input: _input, ...rest }) => rest);
  return { ok, data: data[name], detail };
}

/** Validates, then converts: the repr of what the walker gets. */
function accept(p: ReturnType<typeof program>, name: string, value: unknown, options: { ajv?: Ajv; where?: string } = {}): string {
  const { ok, data, detail } = check(p.schema(name), name, value, options);
  assert.ok(ok, `${name} = ${JSON.stringify(value)} rejected: ${JSON.stringify(detail)}`);
  return p.value(name, data);
}

function reject(p: ReturnType<typeof program>, name: string, value: unknown, options: { ajv?: Ajv; where?: string } = {}): DetailItem[] {
  const { ok, data, detail } = check(p.schema(name), name, value, options);
  assert.not.ok(ok, `${name} = ${JSON.stringify(value)} accepted as ${JSON.stringify(data)}`);
  return detail;
}

function schemaError(extra: string, name: string): SchemaError {
  const p = program(extra);
  try {
    p.schema(name);
  } catch (e) {
    if (e instanceof SchemaError) return e;
    throw e;
  }
  throw new Error(`no SchemaError for ${name}`);
}

const at = (e: SchemaError) => `${e.span.file}:${e.span.line}:${e.span.col}`;
/** The line of TYPES + extra that `extra`'s first line is on. */
const firstLine = TYPES.split('\n').length;

test('scalars: str, int, float, bool', () => {
  const p = program('walker W { has s: str, i: int, f: float, b: bool; }');
  assert.equal(p.schema('s'), { type: 'string' });
  assert.equal(p.schema('i'), { type: 'integer' });
  assert.equal(p.schema('f'), { type: 'number' });
  assert.equal(p.schema('b'), { type: 'boolean' });
  assert.is(accept(p, 's', 'hi'), "'hi'");
  assert.is(accept(p, 'i', 42), '42');
  assert.is(accept(p, 'i', -7), '-7');
  assert.is(accept(p, 'f', 3), '3.0');
  assert.is(accept(p, 'f', 2.5), '2.5');
  assert.is(accept(p, 'b', true), 'True');
});

test('ints beyond 2^53 are ints, exactly the number JSON gave', () => {
  const p = program('walker W { has i: int, a: any = None; }');
  assert.is(accept(p, 'i', 2 ** 60), '1152921504606846976');
  assert.is(accept(p, 'i', 1e20), '100000000000000000000');
  assert.is(accept(p, 'a', 2 ** 60), '1152921504606846976');
});

test('wrong scalar types are readable 422 items', () => {
  const p = program('walker W { has s: str, i: int, f: float, b: bool; }');
  assert.equal(reject(p, 'i', 'abc'), [{ type: 'int_type', loc: ['body', 'i'], msg: 'Input should be a valid integer' }]);
  assert.equal(reject(p, 'i', 2.5), [{ type: 'int_type', loc: ['body', 'i'], msg: 'Input should be a valid integer' }]);
  assert.equal(reject(p, 'f', 'x'), [{ type: 'float_type', loc: ['body', 'f'], msg: 'Input should be a valid number' }]);
  assert.equal(reject(p, 'b', 'maybe'), [{ type: 'bool_type', loc: ['body', 'b'], msg: 'Input should be a valid boolean' }]);
  assert.equal(reject(p, 's', { a: 1 }), [{ type: 'string_type', loc: ['body', 's'], msg: 'Input should be a valid string' }]);
});

test('query and path strings are coerced', () => {
  const p = program('walker W { has i: int, f: float, b: bool, xs: list[int] = [], lv: Level = Level.LOW, o: int | None = None; }');
  assert.is(accept(p, 'i', '3', { where: 'query' }), '3');
  assert.is(accept(p, 'f', '3', { where: 'query' }), '3.0');
  assert.is(accept(p, 'b', 'true', { where: 'query' }), 'True');
  assert.is(accept(p, 'xs', ['1', '2'], { where: 'query' }), '[1, 2]');
  assert.is(accept(p, 'xs', '5', { where: 'query' }), '[5]');
  assert.is(accept(p, 'lv', '2', { where: 'query' }), '<Level.HIGH: 2>');
  assert.is(accept(p, 'o', '7', { where: 'query' }), '7');
  assert.equal(reject(p, 'i', 'x', { where: 'query' }), [{ type: 'int_type', loc: ['query', 'i'], msg: 'Input should be a valid integer' }]);
});

test('list[T], nested lists and a bare list', () => {
  const p = program('walker W { has a: list[str] = [], b: list[list[int]] = [], c: list = [], d: List[int] = []; }');
  assert.equal(p.schema('a'), { type: 'array', items: { type: 'string' } });
  assert.equal(p.schema('c'), { type: 'array' });
  assert.is(accept(p, 'a', ['x', 'y']), "['x', 'y']");
  assert.is(accept(p, 'a', []), '[]');
  assert.is(accept(p, 'b', [[1, 2], [], [3]]), '[[1, 2], [], [3]]');
  assert.is(accept(p, 'c', [1, 2.5, 'z', null, { k: [true] }]), "[1, 2.5, 'z', None, {'k': [True]}]");
  assert.is(accept(p, 'd', [4]), '[4]');
  assert.equal(reject(p, 'b', [[1, 'x']]), [{ type: 'int_type', loc: ['body', 'b', 0, 1], msg: 'Input should be a valid integer' }]);
  assert.equal(reject(p, 'a', { x: 1 }), [{ type: 'list_type', loc: ['body', 'a'], msg: 'Input should be a valid list' }]);
});

test('dict[str, T] keeps its key order; dict[int, T] takes integer keys', () => {
  const p = program('walker W { has d: dict[str, float] = {}, e: dict = {}, n: dict[int, str] = {}, c: dict[str, Color] = {}; }');
  assert.equal(p.schema('d'), { type: 'object', additionalProperties: { type: 'number' } });
  assert.equal(p.schema('e'), { type: 'object' });
  assert.is(accept(p, 'd', { b: 1, a: 2.5 }), "{'b': 1.0, 'a': 2.5}");
  assert.is(accept(p, 'e', { a: 1, z: [1.5] }), "{'a': 1, 'z': [1.5]}");
  assert.is(accept(p, 'n', { '1': 'one', '-2': 'minus two' }), "{1: 'one', -2: 'minus two'}");
  assert.is(accept(p, 'c', { x: 'g' }), "{'x': <Color.GREEN: 'g'>}");
  assert.equal(reject(p, 'd', { a: 'x' }), [{ type: 'float_type', loc: ['body', 'd', 'a'], msg: 'Input should be a valid number' }]);
  assert.equal(reject(p, 'd', [1]), [{ type: 'dict_type', loc: ['body', 'd'], msg: 'Input should be a valid dictionary' }]);
  assert.ok(reject(p, 'n', { one: 'x' }).length > 0);
});

test('T | None and None | T take null; a wrong value is one readable item', () => {
  const p = program('walker W { has a: int | None = None, b: None | str = None, c: list[int] | None = None, d: Optional[float] = None; }');
  assert.equal(p.schema('a'), { type: ['integer', 'null'] });
  assert.equal(p.schema('b'), { type: ['string', 'null'] });
  assert.equal(p.schema('c'), { type: ['array', 'null'], items: { type: 'integer' } });
  assert.is(accept(p, 'a', null), 'None');
  assert.is(accept(p, 'a', 5), '5');
  assert.is(accept(p, 'b', null), 'None');
  assert.is(accept(p, 'b', 'x'), "'x'");
  assert.is(accept(p, 'c', null), 'None');
  assert.is(accept(p, 'c', [1]), '[1]');
  assert.is(accept(p, 'd', 2), '2.0');
  assert.equal(reject(p, 'a', 'x'), [{ type: 'int_type', loc: ['body', 'a'], msg: 'Input should be a valid integer' }]);
  assert.equal(reject(p, 'c', { k: 1 }), [{ type: 'list_type', loc: ['body', 'c'], msg: 'Input should be a valid list' }]);
});

test('None where it is not allowed is rejected', () => {
  const p = program('walker W { has i: int, s: str, xs: list[int], p: Point, d: dict[str, int], c: Color; }');
  for (const name of ['i', 's', 'xs']) assert.ok(reject(p, name, null).length > 0, name);
  assert.equal(reject(p, 'i', null), [{ type: 'int_type', loc: ['body', 'i'], msg: 'Input should be a valid integer' }]);
  assert.equal(reject(p, 'xs', [1, null]), [{ type: 'int_type', loc: ['body', 'xs', 1], msg: 'Input should be a valid integer' }]);
  assert.equal(reject(p, 'p', null), [{ type: 'dict_type', loc: ['body', 'p'], msg: 'Input should be a valid dictionary' }]);
  assert.equal(reject(p, 'd', null), [{ type: 'dict_type', loc: ['body', 'd'], msg: 'Input should be a valid dictionary' }]);
  assert.ok(reject(p, 'c', null).length > 0);
  // A coercing Ajv (Fastify's default, for every part) would make null 0, "" or [0] for scalars
  // and lists; objects, dicts and enums stay safe even there.
  assert.equal(reject(p, 'p', null, { ajv: queryAjv }), [{ type: 'dict_type', loc: ['body', 'p'], msg: 'Input should be a valid dictionary' }]);
  assert.ok(reject(p, 'c', null, { ajv: queryAjv }).length > 0);
});

test('unions of several types: anyOf, and the value keeps its own type', () => {
  const p = program('walker W { has a: int | str = 0, b: float | int = 0, c: str | list[int] | None = None, d: Union[int, Point] = 0, e: int | any = 0; }');
  assert.equal(p.schema('a'), { anyOf: [{ type: 'integer' }, { type: 'string' }] });
  assert.equal(p.schema('c'), { if: { const: null }, else: { anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'integer' } }] } });
  assert.equal(p.schema('e'), {});
  assert.is(accept(p, 'a', 3), '3');
  assert.is(accept(p, 'a', 'x'), "'x'");
  assert.is(accept(p, 'a', '3'), "'3'");
  // From a query string, the first alternative that can take the text does (Ajv's coercion).
  assert.is(accept(p, 'a', '3', { where: 'query' }), '3');
  assert.is(accept(p, 'a', 'x', { where: 'query' }), "'x'");
  assert.is(accept(p, 'b', 3), '3');
  assert.is(accept(p, 'b', 3.5), '3.5');
  assert.is(accept(p, 'c', [1, 2]), '[1, 2]');
  assert.is(accept(p, 'c', 'x'), "'x'");
  assert.is(accept(p, 'c', null), 'None');
  assert.is(accept(p, 'd', { x: 1 }), 'Point(x=1, y=0.0)');
  assert.is(accept(p, 'd', 4), '4');
  assert.is(accept(p, 'e', { a: 1 }), "{'a': 1}");
  // One item per alternative, as FastAPI lists a union's failures.
  assert.equal(reject(p, 'c', { k: 1 }), [
    { type: 'string_type', loc: ['body', 'c'], msg: 'Input should be a valid string' },
    { type: 'list_type', loc: ['body', 'c'], msg: 'Input should be a valid list' },
  ]);
  // null never reaches an alternative that would coerce it ("" for str), nor "" one that makes it null.
  assert.is(accept(p, 'c', ''), "''");
  assert.is(accept(p, 'c', '', { where: 'query' }), "''");
  assert.is(accept(p, 'c', null, { ajv: queryAjv }), 'None');
});

test('enums are taken by value and become the member', () => {
  const p = program('walker W { has c: Color = Color.RED, l: Level = Level.LOW, o: Color | None = None, xs: list[Color] = []; }');
  assert.equal(p.schema('c'), { type: 'string', enum: ['r', 'g'] });
  assert.equal(p.schema('l'), { type: 'integer', enum: [1, 2] });
  assert.equal(p.schema('o'), { type: ['string', 'null'], enum: ['r', 'g', null] });
  assert.is(accept(p, 'c', 'g'), "<Color.GREEN: 'g'>");
  assert.is(accept(p, 'l', 2), '<Level.HIGH: 2>');
  assert.is(accept(p, 'o', null), 'None');
  assert.is(accept(p, 'o', 'r'), "<Color.RED: 'r'>");
  assert.is(accept(p, 'xs', ['r', 'g', 'r']), "[<Color.RED: 'r'>, <Color.GREEN: 'g'>, <Color.RED: 'r'>]");
  assert.equal(reject(p, 'c', 'RED'), [{ type: 'enum', loc: ['body', 'c'], msg: "Input should be 'r' or 'g'" }]);
  assert.equal(reject(p, 'l', 3), [{ type: 'enum', loc: ['body', 'l'], msg: 'Input should be 1 or 2' }]);
  assert.equal(reject(p, 'xs', ['r', 'b']), [{ type: 'enum', loc: ['body', 'xs', 1], msg: "Input should be 'r' or 'g'" }]);
});

test('obj types are nested objects built by their constructor', () => {
  const p = program('walker W { has p: Point, q: Labeled | None = None, line: Line | None = None, ps: list[Point] = []; }');
  assert.equal(p.schema('p'), { type: 'object', properties: { x: { type: 'integer' }, y: { type: 'number' } }, required: ['x'] });
  assert.is(accept(p, 'p', { x: 1, y: 2 }), 'Point(x=1, y=2.0)');
  assert.is(accept(p, 'p', { x: 1 }), 'Point(x=1, y=0.0)');
  assert.is(accept(p, 'p', { x: 1, extra: 'ignored' }), 'Point(x=1, y=0.0)');
  assert.is(accept(p, 'q', { x: 1, label: 'here' }), "Labeled(x=1, y=0.0, label='here')");
  assert.is(accept(p, 'q', null), 'None');
  assert.is(accept(p, 'ps', [{ x: 1 }, { x: 2, y: 0.5 }]), '[Point(x=1, y=0.0), Point(x=2, y=0.5)]');
  assert.is(
    accept(p, 'line', { a: { x: 1 }, b: { x: 2, y: 3 }, tags: { k: 'r' } }),
    "Line(a=Point(x=1, y=0.0), b=Point(x=2, y=3.0), tags={'k': <Color.RED: 'r'>})",
  );
  assert.equal(reject(p, 'p', { y: 1 }), [{ type: 'missing', loc: ['body', 'p', 'x'], msg: 'Field required' }]);
  assert.equal(reject(p, 'p', { x: 'one' }), [{ type: 'int_type', loc: ['body', 'p', 'x'], msg: 'Input should be a valid integer' }]);
  assert.equal(reject(p, 'line', { a: { x: 1 }, b: {} }), [{ type: 'missing', loc: ['body', 'line', 'b', 'x'], msg: 'Field required' }]);
  assert.equal(reject(p, 'q', 'x'), [{ type: 'dict_type', loc: ['body', 'q'], msg: 'Input should be a valid dictionary' }]);
});

test('a recursive obj type is anchored, not unrolled', () => {
  const p = program('walker W { has t: Tree, u: Tree | None = None, ts: list[Tree] = []; }');
  const schema = p.schema('t');
  const id = schema.$id as string;
  assert.match(id, /^#jac-Tree-\d+$/);
  assert.equal(schema, { $id: id, type: 'object', properties: { v: { type: 'integer' }, kids: { type: 'array', items: { $ref: id } } }, required: ['v'] });
  assert.is.not(p.schema('t').$id, id); // each schema its own anchor, so one route can hold many
  const nullable = p.schema('u');
  assert.equal(Object.keys(nullable), ['if', 'else']);
  assert.match((nullable.else as JsonSchema).$id as string, /^#jac-Tree-\d+$/);
  const tree = { v: 1, kids: [{ v: 2, kids: [{ v: 3 }] }, { v: 4 }] };
  assert.is(accept(p, 't', tree), 'Tree(v=1, kids=[Tree(v=2, kids=[Tree(v=3, kids=[])]), Tree(v=4, kids=[])])');
  assert.is(accept(p, 'u', null), 'None');
  assert.is(accept(p, 'u', { v: 9 }), 'Tree(v=9, kids=[])');
  assert.equal(reject(p, 't', { v: 1, kids: [{ v: 2, kids: [{ v: 'x' }] }] }), [
    { type: 'int_type', loc: ['body', 't', 'kids', 0, 'kids', 0, 'v'], msg: 'Input should be a valid integer' },
  ]);
  assert.equal(reject(p, 'u', { v: 1, kids: [null] }), [{ type: 'dict_type', loc: ['body', 'u', 'kids', 0], msg: 'Input should be a valid dictionary' }]);
  assert.equal(reject(p, 'u', 'x'), [{ type: 'dict_type', loc: ['body', 'u'], msg: 'Input should be a valid dictionary' }]);
  assert.not.ok(check(p.schema('u'), 'u', '').ok, '"" is not None');
  // Several fields of the type in one body schema compile together.
  const body = { type: 'object', properties: { t: p.schema('t'), u: p.schema('u'), ts: p.schema('ts') } };
  const validate = bodyAjv.compile(body);
  assert.ok(validate({ t: tree, u: tree, ts: [tree, tree] }));
  assert.not.ok(validate({ ts: [{ v: 1, kids: [{}] }] }));
});

test('any, object and bare containers take any JSON', () => {
  const p = program('walker W { has a: any = None, o: object = None, t: tuple[int, str] = (0, ""), h: tuple[float, ...] = (), s: set[int] = set(), fs: frozenset = frozenset(); }');
  assert.equal(p.schema('a'), {});
  assert.equal(p.schema('o'), {});
  assert.is(accept(p, 'a', { x: [1, 2.5, { y: null }], s: 'z', b: false }), "{'x': [1, 2.5, {'y': None}], 's': 'z', 'b': False}");
  assert.is(accept(p, 'a', 3), '3');
  assert.is(accept(p, 'a', 0.5), '0.5');
  assert.is(accept(p, 'o', 'text'), "'text'");
  assert.is(accept(p, 't', [1, 'a']), "(1, 'a')");
  assert.is(accept(p, 'h', [1, 2.5]), '(1.0, 2.5)');
  assert.is(accept(p, 's', [3, 1, 3]), '{1, 3}');
  assert.is(accept(p, 'fs', [1]), 'frozenset({1})');
  assert.equal(reject(p, 't', [1]), [{ type: 'too_short', loc: ['body', 't'], msg: 'List should have at least 2 items' }]);
  assert.ok(reject(p, 't', [1, 'a', 2]).length > 0);
  assert.equal(reject(p, 't', ['a', 'a']), [{ type: 'int_type', loc: ['body', 't', 0], msg: 'Input should be a valid integer' }]);
});

test('nested classes by dotted name, and forward references in quotes', () => {
  const p = program('obj Outer { obj Inner { has a: int; } }\nobj Item { has v: int = 0, next: "Item" | None = None; }\nwalker W { has x: Outer.Inner | None = None, y: "Item" | None = None; }');
  assert.equal(p.schema('x'), { type: ['object', 'null'], properties: { a: { type: 'integer' } }, required: ['a'] });
  assert.is(accept(p, 'x', { a: 5 }), 'Outer.Inner(a=5)');
  assert.is(accept(p, 'y', { v: 1, next: { v: 2 } }), 'Item(v=1, next=Item(v=2, next=None))');
  assert.equal(reject(p, 'y', { next: { v: 'x' } }), [{ type: 'int_type', loc: ['body', 'y', 'next', 'v'], msg: 'Input should be a valid integer' }]);
});

test('SchemaError: unknown names, with where they are', () => {
  let e = schemaError('walker W { has c: Colr; }', 'c');
  assert.is(e.message, "unknown type 'Colr'");
  assert.is(at(e), `app.jac:${firstLine}:19`);
  e = schemaError('walker W {\n  has xs: list[Pointt] = [];\n}', 'xs');
  assert.is(e.message, "unknown type 'Pointt'");
  assert.is(at(e), `app.jac:${firstLine + 1}:16`);
  e = schemaError('walker W { has f: helper; }', 'f');
  assert.is(e.message, "'helper' is not a type");
});

test('a node field is a string id, in an obj too (the worker resolves it in the caller graph)', () => {
  const nodeId = { type: 'string', description: 'the id of a node of type Spot in your graph' };
  assert.equal(program('walker W { has s: Spot; }').schema('s'), nodeId);
  assert.equal((program('walker W { has p: Pin; }').schema('p') as { properties: Record<string, unknown> }).properties.at, nodeId);
});

test('SchemaError: a request cannot carry root, an edge or a walker', () => {
  let e = schemaError('walker W { has r: `root | None = None; }', 'r');
  assert.match(e.message, /cannot carry a node: root is a node/);
  e = schemaError('walker W { has r: list[Road] = []; }', 'r');
  assert.match(e.message, /cannot carry an edge: 'Road' is an edge type/);
  e = schemaError('walker V { has n: int = 0; }\nwalker W { has v: V | None = None; }', 'v');
  assert.match(e.message, /walker/);
  assert.is(at(e), `app.jac:${firstLine + 1}:19`);
  // Inside an obj: the error points at the obj's field, where the type is written.
  e = schemaError('walker W { has t: Trip; }', 't');
  assert.match(e.message, /'Road' is an edge type/);
  const tripLine = TYPES.split('\n').findIndex((l) => l.startsWith('obj Trip')) + 1;
  assert.is(at(e), `app.jac:${tripLine}:21`);
});

test('SchemaError: types JSON cannot hold', () => {
  let e = schemaError('walker W { has d: dict[float, int] = {}; }', 'd');
  assert.match(e.message, /keys of a JSON object are strings/);
  assert.is(at(e), `app.jac:${firstLine}:24`);
  e = schemaError('walker W { has l: list[int, str] = []; }', 'l');
  assert.match(e.message, /list takes one type argument/);
  e = schemaError('walker W { has i: int[str] = 0; }', 'i');
  assert.match(e.message, /takes no type arguments/);
  e = schemaError('walker W { has x: 3 = 0; }', 'x');
  assert.match(e.message, /not a type a request can carry/);
  e = schemaError("enum Odd { A = (1, 2) }\nwalker W { has o: Odd = Odd.A; }", 'o');
  assert.match(e.message, /Odd\.A has a value no request can carry/);
});

test('the shape of an annotation is read once and reused', () => {
  const p = program('walker W { has p: Point, c: Color = Color.RED; }');
  for (let i = 0; i < 3; i++) {
    assert.is(p.value('p', { x: i }), `Point(x=${i}, y=0.0)`);
    assert.is(p.value('c', 'g'), "<Color.GREEN: 'g'>");
  }
});

test('Ajv logged no strict-mode warnings for any schema above', () => {
  assert.equal(warnings, []);
});

test.run();
