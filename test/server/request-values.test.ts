// Request values a hostile but ordinary client sends: integers beyond 2^53 (kept exact, as Jac
// Cloud's pydantic keeps them), numbers that are not finite (422), and "__proto__" as an
// ordinary dict key, both ways. Black-box through inject() on the real app.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { harness, type Harness } from './harness.ts';

const PROGRAM = `
obj Pt { has x: int, y: float = 0.0; }
enum Big { HUGE = 1e20 }

walker ints {
    has n: int, xs: list[int] = [], d: dict[str, int] = {}, p: Pt | None = None, f: float = 0.0,
        a: any = None, u: str | float = "", t: tuple[int, int] = (0, 0), k: dict[int, int] = {};
    obj __specs__ { static has auth: bool = False; }
    can go with \`root entry {
        report [self.n, self.xs, self.d, self.p.x if self.p else None, self.f, self.a, self.u, list(self.t), self.k];
        report [self.n + 1, type(self.n).__name__, type(self.f).__name__, type(self.u).__name__];
    }
}

walker queried {
    has n: int = 0, f: float = 0.0, xs: list[int] = [], s: str = "", a: any = None;
    obj __specs__ { static has auth: bool = False, as_query: str = "*", methods: list = ["get"]; }
    can go with \`root entry { report [self.n, self.f, self.xs, self.s, self.a, type(self.n).__name__]; }
}

walker by_path {
    has n: int;
    obj __specs__ { static has auth: bool = False, path: str = "/{n}", methods: list = ["get"]; }
    can go with \`root entry { report self.n; }
}

walker by_float_path {
    has f: float;
    obj __specs__ { static has auth: bool = False, path: str = "/{f}", methods: list = ["get"]; }
    can go with \`root entry { report self.f; }
}

walker enum_value {
    has b: Big;
    obj __specs__ { static has auth: bool = False; }
    can go with \`root entry { report self.b; }
}

walker protos {
    has d: dict[str, int] = {}, a: any = None;
    obj __specs__ { static has auth: bool = False; }
    can go with \`root entry {
        report [list(self.d.keys()), self.d.get("__proto__"), type(self.a).__name__];
        report {"__proto__": 1, "a": 2};
        report {"x": {"__proto__": [3]}};
        report self.d;
    }
}
`;

const BIG = '12345678901234567890123';

let h: Harness;
test.before(async () => {
  h = await harness(PROGRAM, { maxMillis: 2_000 });
});
test.after(async () => h.close());

const postText = (url: string, text: string) => h.app.inject({ method: 'POST', url, payload: text, headers: { 'content-type': 'application/json' } });
const get = (url: string) => h.app.inject({ method: 'GET', url });

test('an int beyond 2^53 in a body reaches the walker exactly and is reported with every digit', async () => {
  const r = await postText('/walker/ints', `{"n": ${BIG}}`);
  assert.is(r.statusCode, 200, r.body);
  assert.ok(r.body.includes(`"reports":[[${BIG},[],{},null,0,null,"",[0,0],{}],`), r.body);
  assert.ok(r.body.includes(`[12345678901234567890124,"int","float","str"]`), r.body);
});

test('big ints stay exact inside lists, dicts, nested objs, any, tuples; negative ones too', async () => {
  const text = `{"n": -${BIG}, "xs": [1, ${BIG}9, -9007199254740993], "d": {"k": 9007199254740993}, "p": {"x": ${BIG}}, "a": {"z": [${BIG}]}, "t": [${BIG}, 2], "k": {"1": ${BIG}}}`;
  const r = await postText('/walker/ints', text);
  assert.is(r.statusCode, 200, r.body);
  assert.ok(r.body.includes(`"reports":[[-${BIG},[1,${BIG}9,-9007199254740993],{"k":9007199254740993},${BIG},0,{"z":[${BIG}]},"",[${BIG},2],{"1":${BIG}}],`), r.body);
});

test('floats stay floats: a big integer literal for a float field is a float; 1e3 is 1000.0; a float field in a union takes an int as a float', async () => {
  const r = await postText('/walker/ints', `{"n": 1, "f": ${BIG}, "u": ${BIG}}`);
  assert.is(r.statusCode, 200, r.body);
  const [values, kinds] = r.json().reports;
  assert.is(values[4], 1.2345678901234568e22);
  assert.is(values[6], 1.2345678901234568e22);
  assert.equal(kinds.slice(2), ['float', 'float']);
  const e = await postText('/walker/ints', '{"n": 1, "f": 1e3}');
  assert.is(e.json().reports[0][4], 1000);
  assert.equal(e.json().reports[1][2], 'float');
});

test('an int field given a number with a fraction or exponent: 3.0 and 1e30 are ints (as pydantic), 2.5 is a 422', async () => {
  const three = await postText('/walker/ints', '{"n": 3.0}');
  assert.equal(three.json().reports[1].slice(0, 2), [4, 'int']);
  const e30 = await postText('/walker/ints', '{"n": 1e30}');
  assert.ok(e30.body.includes('[1000000000000000019884624838657,"int"'), e30.body);
  const half = await postText('/walker/ints', '{"n": 2.5}');
  assert.is(half.statusCode, 422);
  assert.equal(half.json().detail[0].loc, ['body', 'n']);
});

test('a big int that is not a valid value is still a 422: in a str field, out of an enum', async () => {
  const r = await postText('/walker/ints', `{"n": 1, "xs": ["x", ${BIG}]}`);
  assert.is(r.statusCode, 422);
  assert.equal(r.json().detail[0].loc, ['body', 'xs', 0]);
  const e = await postText('/walker/enum_value', `{"b": ${BIG}}`);
  assert.is(e.statusCode, 422);
  const ok = await postText('/walker/enum_value', '{"b": 100000000000000000000}');
  assert.is(ok.statusCode, 200, ok.body);
  assert.equal(ok.json().reports, ['HUGE']);
});

test('a big int in a string, or a duplicate key, does not disturb the exact values', async () => {
  const r = await postText('/walker/ints', `{"n": 5, "a": "${BIG}", "d": {"${BIG}": 1}, "n": ${BIG}}`);
  assert.is(r.statusCode, 200, r.body);
  assert.ok(r.body.includes(`[${BIG},[],{"${BIG}":1},null,`), r.body);
  assert.ok(r.body.includes(`,"${BIG}","",`), r.body);
  const again = await postText('/walker/ints', `{"n": ${BIG}, "n": 7}`);
  assert.equal(again.json().reports[1].slice(0, 2), [8, 'int']);
});

test('a big int in the query string or the path is exact too', async () => {
  const q = await get(`/walker/queried?n=${BIG}&f=${BIG}&xs=1&xs=${BIG}&s=${BIG}&a=${BIG}`);
  assert.is(q.statusCode, 200, q.body);
  assert.ok(q.body.includes(`[${BIG},1.2345678901234568e+22,[1,${BIG}],"${BIG}","${BIG}","int"]`), q.body);
  const one = await get(`/walker/queried?xs=-${BIG}`);
  assert.ok(one.body.includes(`[0,0,[-${BIG}],`), one.body);
  const p = await get(`/walker/by_path/${BIG}`);
  assert.is(p.statusCode, 200, p.body);
  assert.ok(p.body.includes(`"reports":[${BIG}]`), p.body);
});

test('Infinity, NaN and 1e400 in the query string or path are 422s, never 500s', async () => {
  for (const v of ['Infinity', '-Infinity', '1e400', '-1e400']) {
    const n = await get(`/walker/queried?n=${v}`);
    assert.is(n.statusCode, 422, `${v}: ${n.body}`);
    assert.equal(n.json().detail[0], { type: 'int_type', loc: ['query', 'n'], msg: 'Input should be a valid integer', input: v });
    const f = await get(`/walker/queried?f=${v}`);
    assert.is(f.statusCode, 422, `${v}: ${f.body}`);
    assert.equal(f.json().detail[0], { type: 'finite_number', loc: ['query', 'f'], msg: 'Input should be a finite number', input: v });
    const p = await get(`/walker/by_path/${v}`);
    assert.is(p.statusCode, 422, `${v}: ${p.body}`);
    assert.equal(p.json().detail[0].loc, ['path', 'n']);
    const pf = await get(`/walker/by_float_path/${v}`);
    assert.is(pf.statusCode, 422, `${v}: ${pf.body}`);
    assert.equal(pf.json().detail[0].loc, ['path', 'f']);
  }
  const listed = await get('/walker/queried?xs=1&xs=-Infinity');
  assert.equal(listed.json().detail, [{ type: 'int_type', loc: ['query', 'xs', 1], msg: 'Input should be a valid integer', input: '-Infinity' }]);
  const nan = await get('/walker/queried?f=NaN');
  assert.is(nan.statusCode, 422, nan.body);
  const both = await get('/walker/queried?n=Infinity&f=1e400&s=ok');
  assert.equal(
    both.json().detail.map((d: { loc: unknown[] }) => d.loc),
    [
      ['query', 'n'],
      ['query', 'f'],
    ],
  );
  const fine = await get('/walker/queried?f=1e300&n=-0');
  assert.is(fine.statusCode, 200, fine.body);
  assert.is(fine.json().reports[0][1], 1e300);
});

test('a body number too large for a float is a 422 for a float field and an int field alike', async () => {
  for (const text of ['{"n": 1, "f": 1e400}', `{"n": 1${'0'.repeat(400)}}`, `{"n": 1, "xs": [-1${'0'.repeat(400)}]}`]) {
    const r = await postText('/walker/ints', text);
    assert.is(r.statusCode, 422, r.body);
  }
});

test('"__proto__" is a key like any other: reported from a dict, and taken from a body', async () => {
  const r = await postText('/walker/protos', '{"d": {"__proto__": 5, "b": 6}, "a": {"__proto__": {"x": 1}}}');
  assert.is(r.statusCode, 200, r.body);
  assert.ok(r.body.includes('"reports":[[["__proto__","b"],5,"dict"],{"__proto__":1,"a":2},{"x":{"__proto__":[3]}},{"__proto__":5,"b":6}]'), r.body);
  const plain = await postText('/walker/protos', '{}');
  assert.ok(plain.body.includes('{"__proto__":1,"a":2}'), plain.body);
});

test('"__proto__" and "constructor" keys stay refused on routes that are not walkers', async () => {
  const r = await h.app.inject({ method: 'POST', url: '/user/register', payload: '{"email": "a@example.com", "password": "pw", "__proto__": {"admin": true}}', headers: { 'content-type': 'application/json' } });
  assert.is(r.statusCode, 422);
  assert.is(r.json().detail[0].type, 'json_invalid');
});

test.run();
