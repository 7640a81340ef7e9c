// GET /openapi.yaml: the document /openapi.json serves, as YAML (Jac Cloud serves both).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { harness, type Harness } from './harness.ts';

const PROGRAM = `
walker add_item {
    has name: str, count: int = 1;
    can go with \`root entry { report self.name; }
}
`;

let h: Harness;
test.before(async () => {
  h = await harness(PROGRAM, { logLevel: false });
});
test.after(async () => h.close());

test('/openapi.yaml is /openapi.json as YAML, served as text/yaml', async () => {
  const json = (await h.app.inject({ method: 'GET', url: '/openapi.json' })).json();
  const r = await h.app.inject({ method: 'GET', url: '/openapi.yaml' });
  assert.is(r.statusCode, 200);
  assert.match(String(r.headers['content-type']), /^text\/yaml/);
  const lines = r.body.split('\n');
  // Top-level keys and every path, each at its indentation, in the JSON document's order.
  const topKeys = lines.filter((l) => /^[a-zA-Z]\w*:/.test(l)).map((l) => l.slice(0, l.indexOf(':')));
  assert.equal(topKeys, Object.keys(json));
  const paths = lines.filter((l) => /^ {2}\/\S*:$/.test(l)).map((l) => l.trim().slice(0, -1));
  assert.equal(paths, Object.keys(json.paths));
  assert.ok(paths.includes('/walker/add_item') && paths.includes('/user/register'));
  assert.ok(lines.includes(`openapi: ${json.openapi}`));
  // Not itself an operation, like /openapi.json.
  assert.not.ok(paths.includes('/openapi.yaml'));
});

test.run();
