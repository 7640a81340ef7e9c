// What does not load is refused with file:line:col, before anything is served.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { loadApp, LoadFailure } from '../../server/loader.ts';

/** The load failures of a program made of `files` (name → source), as `line:col: message`. */
function failures(files: Record<string, string>): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'jac-load-'));
  const paths = Object.entries(files).map(([name, source]) => {
    writeFileSync(join(dir, name), source);
    return join(dir, name);
  });
  try {
    loadApp(paths, () => undefined);
    return [];
  } catch (e) {
    if (!(e instanceof LoadFailure)) throw e;
    return e.diagnostics.map(({ diagnostic: d }) => `${d.span.file.slice(dir.length + 1)}:${d.span.line}:${d.span.col}: ${d.message}`);
  }
}

const walker = (specs: string, fields = 'has b: str, a: int = 1;') => ({ 'w.jac': `walker W {\n    ${fields}\n    obj __specs__ { ${specs} }\n}\n` });

test('a program with good specs loads; both ways of writing __specs__ are read', () => {
  assert.equal(failures(walker('static has methods: list = ["GET"], path: str = "x/{b}";')), []);
  assert.equal(failures({ 'w.jac': 'walker W {\n    has a: int = 1;\n    class __specs__ { has auth: bool = False; }\n}\n' }), []);
});

test('unknown options and wrong value types are errors at the option', () => {
  assert.equal(failures(walker('static has methodz: list = ["get"];')), [
    'w.jac:3:32: walker W: __specs__ methodz is not an option jac-serve knows (path, methods, as_query, excluded, auth, private, entry_type, webhook, tags, summary, description, deprecated, schedule, status_code, response_description, responses, name, openapi_extra)',
  ]);
  assert.match(failures(walker('static has auth: str = "no";'))[0], /^w\.jac:3:\d+: walker W: __specs__ auth must be True or False, not 'no'$/);
  assert.match(failures(walker('static has methods: list = ["fetch"];'))[0], /methods has 'fetch', which is not an HTTP method/);
  assert.match(failures(walker('static has entry_type: str = "EDGE";'))[0], /entry_type must be "ROOT", "NODE" or "BOTH", not 'EDGE'/);
  assert.match(failures(walker('static has as_query: list = ["c"];'))[0], /as_query names 'c', which is not a field of W/);
  assert.match(failures(walker('static has path: str = "/{c}";'))[0], /path has \{c\}, which is not a field of W/);
  assert.match(failures(walker('static has path: str = "/{node}";', 'has node: str;'))[0], /path cannot use \{node\}/);
});

test('an excluded field needs a default; webhook with auth False is refused', () => {
  assert.match(failures(walker('static has excluded: list = ["b"];'))[0], /excluded hides 'b', which has no default/);
  assert.match(failures(walker('static has excluded: str = "*";'))[0], /excluded hides 'b'/);
  assert.match(failures(walker('static has auth: bool = False, webhook: dict = {"type": "header"};'))[0], /webhook cannot be combined with auth: False/);
  assert.match(failures(walker('static has webhook: dict = {"type": "cookie"};'))[0], /type must be "header", "query", "path", "body", "bearer" or "signature", not 'cookie'/);
});

test('a field a request cannot carry, a name used twice, a module that fails to run', () => {
  assert.equal(failures({ 'w.jac': 'edge E {}\nwalker W {\n    has e: E;\n}\n' }), ["w.jac:3:12: walker W: a request cannot carry an edge: 'E' is an edge type (take its id as a str field instead)"]);
  assert.match(failures({ 'a.jac': 'walker W {}\n', 'b.jac': 'walker W {}\n' })[0], /^b\.jac:1:1: W is defined in two files/);
  assert.match(failures({ 'w.jac': 'with entry {\n    x = 1 / 0;\n}\n' })[0], /^w\.jac:2:5: ZeroDivisionError: division by zero \(while loading the module\)$/);
  assert.match(failures({ 'w.jac': 'walker W {\n    has a: int\n}\n' })[0], /^w\.jac:2:\d+: expected/);
});

test('a schedule is read with Jac Cloud\'s keys; a bad trigger, field or option is an error at its line', () => {
  const sched = (d: string, fields = 'has b: str, a: int = 1;') => walker(`static has schedule: dict = ${d};`, fields);
  assert.equal(failures(sched('{"trigger": "cron", "second": "*/5", "args": ["x"], "kwargs": {"a": 2}, "save": True, "propagate": False, "max_instances": 2, "misfire_grace_time": None}')), []);
  assert.equal(failures(sched('{"trigger": "interval", "minutes": 1, "kwargs": {"b": "y"}}')), []);
  assert.equal(failures(sched('{"trigger": "date", "run_date": "2030-01-01T00:00:00", "args": ["x"], "node": "n:Item:00000000000000000000000a"}')), []);
  const at = '3:32: walker W: __specs__ schedule ';
  const one = (d: string, fields?: string) => {
    const f = failures(sched(d, fields));
    assert.is(f.length, 1, `one failure for ${d}: ${f.join('; ')}`);
    assert.ok(f[0].startsWith(`w.jac:${at}`), f[0]);
    return f[0].slice(`w.jac:${at}`.length);
  };
  assert.is(one('{"trigger": "cron", "minute": "61", "args": ["x"]}'), 'minute has 61, which is outside 0-59');
  assert.match(one('{"trigger": "weekly", "args": ["x"]}'), /^trigger /);
  assert.match(one('{"trigger": "interval", "secs": 5, "args": ["x"]}'), /secs/);
  assert.match(one('{"trigger": "interval", "seconds": 5}'), /gives no value for 'b'/);
  assert.match(one('{"trigger": "interval", "seconds": 5, "args": ["x", 1, 2]}'), /args has 3 values, but W has 2 fields/);
  assert.match(one('{"trigger": "interval", "seconds": 5, "args": ["x"], "kwargs": {"c": 1}}'), /kwargs names 'c', which is not a field of W/);
  assert.match(one('{"trigger": "interval", "seconds": 5, "args": ["x"], "kwargs": {"b": "y"}}'), /kwargs gives 'b' a second value/);
  assert.match(one('{"trigger": "interval", "seconds": 5, "args": ["x"], "max_instances": 0}'), /max_instances must be a whole number of at least 1, not 0/);
  assert.match(one('{"trigger": "interval", "seconds": 5, "args": ["x"], "save": "yes"}'), /save must be True or False, not 'yes'/);
  assert.match(one('{"trigger": "interval", "seconds": 5, "args": ["x"], "node": "here"}'), /node must be a node id/);
  assert.match(one('{"trigger": "interval", "seconds": 5, "args": ["x"], "next_run_time": None}'), /next_run_time is not supported/);
  assert.match(one('"every minute"'), /must be a dict like/);
});

test('a signed webhook is read with its scheme and options; an unknown scheme, option or value is an error at its line', () => {
  const hook = (d: string, more = '') => walker(`static has webhook: dict = ${d}${more};`, 'has a: int = 1, webhook_event: str = "";');
  assert.equal(failures(hook('{"type": "signature", "scheme": "github"}')), []);
  assert.equal(failures(hook('{"type": "signature", "scheme": "stripe", "ack": "async", "tolerance": 600, "dedupe_hours": 24}')), []);
  assert.equal(failures(hook('{"type": "signature", "scheme": "hmac", "header": "X-Sig", "prefix": "sha512=", "algorithm": "sha512", "encoding": "base64", "timestamp_header": "X-Ts", "id_header": "X-Id"}')), []);
  assert.equal(failures(hook('{"type": "bearer"}')), []);
  const one = (d: string, more = '') => {
    const f = failures(hook(d, more));
    assert.is(f.length, 1, f.join('; '));
    assert.match(f[0], /^w\.jac:3:\d+: walker W: __specs__ /);
    return f[0];
  };
  assert.match(one('{"type": "signature", "scheme": "gitlab"}'), /webhook scheme must be "github", "stripe", "slack", "shopify", "standard" or "hmac", not 'gitlab'/);
  assert.match(one('{"type": "signature"}'), /webhook scheme must be/);
  assert.match(one('{"type": "signature", "scheme": "github", "ack": "later"}'), /webhook ack must be "sync" or "async", not 'later'/);
  assert.match(one('{"type": "signature", "scheme": "github", "tolerance": 0}'), /webhook tolerance must be a number of at least 1, not 0/);
  assert.match(one('{"type": "signature", "scheme": "github", "header": "X-Sig"}'), /webhook has the key 'header'; a signature webhook knows "type", "scheme", "ack", "tolerance", "dedupe_hours"/);
  assert.match(one('{"type": "signature", "scheme": "hmac"}'), /webhook header must name the header that carries the signature/);
  assert.match(one('{"type": "signature", "scheme": "hmac", "header": "X-Sig", "algorithm": "md5"}'), /webhook algorithm must be "sha256" or "sha512", not 'md5'/);
  assert.match(one('{"type": "bearer", "name": "x"}'), /webhook has the key 'name'; a bearer webhook knows "type"/);
  assert.match(one('{"type": "signature", "scheme": "github"}', ', methods: list = ["GET"]'), /methods of a signed webhook must carry a body/);
});

test('inline Python is refused at the block, with one diagnostic that says to rewrite it in Jac', () => {
  const top = failures({ 'p.jac': 'walker W {\n    can go with `root entry { report 1; }\n}\n\n  ::py::\ndef helper():\n    return 1\n::py::\n' });
  assert.equal(top, ['p.jac:5:3: inline Python (::py:: ... ::py::) cannot run in jac-serve: rewrite this block in Jac']);
  const inClass = failures({ 'u.jac': 'class User {\n    has name: str;\n    class Collection {\n        ::py::\n        @classmethod\n        def f(cls): pass\n        ::py::\n    }\n}\n' });
  assert.is(inClass.length, 1);
  assert.match(inClass[0], /^u\.jac:4:9: inline Python .* rewrite this block in Jac; a User model's Collection needs no code/);
  const inBody = failures({ 'f.jac': 'def f() -> int {\n    ::py::\nx = 1\n::py::\n    return 1;\n}\n' });
  assert.equal(inBody, ['f.jac:2:5: inline Python (::py:: ... ::py::) cannot run in jac-serve: rewrite this block in Jac']);
});

test.run();
