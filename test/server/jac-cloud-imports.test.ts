// The Python modules a Jac Cloud app imports (jac-cloud-runtime.md §0): `typing`, `dataclasses`,
// `jac_cloud.jaseci.models`, `jac_cloud.plugin` load; a name jac-serve does not provide is a load
// error naming the module and the name, at the name.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { loadApp, LoadFailure } from '../../server/loader.ts';
import { harness } from './harness.ts';

/** Loads `source` as app.jac: what its top-level code printed, or its diagnostics as `line:col: [CODE] message`. */
function load(source: string): { printed: string; failures: string[] } {
  const file = join(mkdtempSync(join(tmpdir(), 'jac-imports-')), 'app.jac');
  writeFileSync(file, source);
  let printed = '';
  try {
    loadApp([file], (text) => (printed += text));
    return { printed, failures: [] };
  } catch (e) {
    if (!(e instanceof LoadFailure)) throw e;
    return { printed, failures: e.diagnostics.map(({ diagnostic: d }) => `${d.span.line}:${d.span.col}: [${d.code}] ${d.message}`) };
  }
}

const IMPORTS = `
import from jac_cloud.jaseci.models { User as BaseUser, NO_PASSWORD }
import from jac_cloud.plugin { WEBSOCKET_MANAGER as socket }
import from jac_cloud.plugin.implementation { create_task, WEBSOCKET_MANAGER }
import from jac_cloud.jaseci.utils { SendGridEmailer }
import from dataclasses { dataclass, asdict }
import from typing { Any, Optional, Union, List, Dict, Callable, TYPE_CHECKING, cast }
import typing;
`;

test("a Jac Cloud app's imports load, and what runs of them works", () => {
  const { printed, failures } = load(`${IMPORTS}
obj Point { has x: int = 1, y: Optional[int] = None, tags: List[str] = []; }
with entry {
    print(TYPE_CHECKING, cast(int, 3), typing.Any, asdict(Point()), dataclass(Point) is Point, NO_PASSWORD);
    print(socket.notify_self({"a": 1}), WEBSOCKET_MANAGER.notify_users([], {}), socket.notify_channels(["c"], {}), socket.notify_clients(["x"], {}));
    try { SendGridEmailer.send_reset_code("123", "a@b.c"); } except NotImplementedError as e { print(e); }
}
`);
  assert.equal(failures, []);
  assert.is(printed, "False 3 typing.Any {'x': 1, 'y': None, 'tags': []} True b'\\x00'\nNone None None None\nSendGridEmailer.send_reset_code: jac-serve sends no email\n");
});

test('a name a provided module lacks is JAC_LOAD_IMPORT naming the module and the name, at the name', () => {
  assert.equal(load('import from dataclasses { dataclass, field }\n').failures, [
    "1:38: [JAC_LOAD_IMPORT] cannot import name 'field' from 'dataclasses': jac-serve provides only dataclass, asdict, is_dataclass of it",
  ]);
  const [typing] = load('import from typing {\n    Any,\n    Protocol\n}\n').failures;
  assert.match(typing, /^3:5: \[JAC_LOAD_IMPORT\] cannot import name 'Protocol' from 'typing': jac-serve provides only Any, Optional, /);
  assert.match(load('import from jac_cloud.jaseci.models { User, Webhook }\n').failures[0], /^1:45: \[JAC_LOAD_IMPORT\] cannot import name 'Webhook' from 'jac_cloud.jaseci.models'/);
  assert.match(load('import from jac_cloud.jaseci.utils { SendGridEmailer, Emailer }\n').failures[0], /^1:55: \[JAC_LOAD_IMPORT\] cannot import name 'Emailer' from 'jac_cloud.jaseci.utils'/);
  assert.match(load('import from jac_cloud.jaseci.routers { user_router }\n').failures[0], /^1:13: \[JAC_LOAD_IMPORT\] cannot import 'jac_cloud.jaseci.routers'/);
});

test('over HTTP, a walker that notifies WebSocket clients answers as usual (no socket is connected)', async () => {
  const h = await harness(`${IMPORTS}
walker ping {
    can go with \`root entry { socket.notify_self({"ping": 1}); socket.notify_users([root], {"x": 1}); report "pong"; }
}
`, { logLevel: false });
  try {
    const { authorization } = await h.login();
    const r = await h.app.inject({ method: 'POST', url: '/walker/ping', headers: { authorization }, payload: {} });
    assert.is(r.statusCode, 200);
    assert.equal(r.json().reports, ['pong']);
  } finally {
    await h.close();
  }
});

test.run();
