// The __specs__ options Jac Cloud apps use that only describe an endpoint (FastAPI's status_code,
// response_description, responses, name, openapi_extra), the TRACE method, and walkers Jac Cloud
// serves over WebSocket: each app loads as written, its OpenAPI says what the options say, and
// answers are as they were.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { harness, type Harness } from './harness.ts';

const PROGRAM = `
walker documented {
    has a: int = 1;
    obj __specs__ {
        static has status_code: int | None = "201";
        static has response_description: str = "the thing made";
        static has responses: dict = {404: {"description": "no such thing"}, "409": {"description": "made already"}};
        static has name: str = "make_thing";
        static has openapi_extra: dict = {"x-rate": {"per": "minute"}, "summary": "Make a thing"};
        static has entry_type: str = "ROOT";
    }
    can go with \`root entry { report self.a; }
}

walker made_custom {
    obj __specs__ { static has status_code: int = 201; static has entry_type: str = "ROOT"; }
    can go with \`root entry { _.report({"made": True}, True); }
}

walker traced {
    has q: int = 0;
    obj __specs__ { static has methods: list = ["post", "trace"]; static has entry_type: str = "ROOT"; }
    can go with \`root entry { report self.q; }
}

walker socket_only {
    obj __specs__ { static has methods: list = ["websocket"]; }
    can go with \`root entry { report 1; }
}

walker socket_and_post {
    obj __specs__ { static has methods: list = ["websocket", "post"]; static has entry_type: str = "ROOT"; }
    can go with \`root entry { report 2; }
}
`;

let h: Harness;
let auth: { authorization: string };

test.before(async () => {
  h = await harness(PROGRAM);
  auth = { authorization: (await h.login()).authorization };
});
test.after(async () => h.close());

test('status_code, response_description, responses, name and openapi_extra describe the operation', async () => {
  const doc = (await h.app.inject({ method: 'GET', url: '/openapi.json' })).json();
  const op = doc.paths['/walker/documented'].post;
  assert.is(op.operationId, 'make_thing');
  assert.is(op.responses['201'].description, 'the thing made');
  assert.not.ok(op.responses['200'], 'the success answer is documented under its code');
  assert.is(op.responses['404'].description, 'no such thing');
  assert.is(op.responses['409'].description, 'made already');
  assert.equal(op['x-rate'], { per: 'minute' });
  assert.is(op.summary, 'Make a thing');
});

test('the options describe only: the walker answers as before', async () => {
  const r = await h.app.inject({ method: 'POST', url: '/walker/documented', payload: { a: 3 }, headers: auth });
  assert.is(r.statusCode, 200);
  assert.equal(r.json(), { status: 200, reports: [3] });
});

test('a custom response is sent with the walker\'s status_code, as FastAPI sends a plain value', async () => {
  const r = await h.app.inject({ method: 'POST', url: '/walker/made_custom', headers: auth });
  assert.is(r.statusCode, 201);
  assert.equal(r.json(), { made: true });
});

test('TRACE is served, its fields from the query string', async () => {
  const r = await h.app.inject({ method: 'TRACE', url: '/walker/traced?q=5', headers: auth });
  assert.is(r.statusCode, 200);
  assert.equal(r.json().reports, [5]);
  const doc = (await h.app.inject({ method: 'GET', url: '/openapi.json' })).json();
  assert.ok(doc.paths['/walker/traced'].trace, 'documented');
});

test('a walker Jac Cloud serves only over WebSocket gets no HTTP route; one with HTTP methods too keeps them', async () => {
  assert.is((await h.app.inject({ method: 'POST', url: '/walker/socket_only', headers: auth })).statusCode, 404);
  const doc = (await h.app.inject({ method: 'GET', url: '/openapi.json' })).json();
  assert.not.ok(Object.keys(doc.paths).some((p) => p.includes('socket_only')));
  const both = await h.app.inject({ method: 'POST', url: '/walker/socket_and_post', headers: auth });
  assert.equal(both.json().reports, [2]);
});

test('a bad option value is a load error at its line', async () => {
  for (const [option, value, message] of [
    ['status_code', '"abc"', 'must be an HTTP status'],
    ['responses', '[1]', 'must be a dict like'],
    ['openapi_extra', '"x"', 'must be a dict'],
    ['methods', '["fetch"]', "has 'fetch', which is not an HTTP method"],
  ]) {
    const bad = `walker w {\n    obj __specs__ { static has ${option}: object = ${value}; }\n    can go with \`root entry { report 1; }\n}\n`;
    let error: unknown;
    try {
      const failing = await harness(bad);
      await failing.close();
    } catch (e) {
      error = e;
    }
    assert.ok(error instanceof Error && error.message.includes(message), `${option}: ${String(error)}`);
    assert.match(String((error as Error).message), /:2:/, `${option}: at its line`);
  }
});

test.run();
