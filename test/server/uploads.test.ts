// Walkers with UploadFile fields over real HTTP (jac-cloud-runtime.md §6): multipart bodies with
// a part per file and the other fields as JSON in a `body` part; the file objects a walker gets;
// the answers for missing parts, limits passed, malformed bodies and JSON sent instead; the
// OpenAPI description; and the walkers that cannot take files, refused at load.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { loadApp, LoadFailure } from '../../server/loader.ts';
import { harness, type Harness } from './harness.ts';

const PROGRAM = `
import from fastapi { UploadFile }
import from jac_cloud.plugin.implementation { create_task }

walker post_with_file {
    has single: UploadFile;
    has multiple: list[UploadFile];
    has singleOptional: UploadFile | None = None;

    can enter with \`root entry {
        multiple = [];
        for file in self.multiple {
            multiple.append({"name": file.filename, "content_type": file.content_type, "size": file.size});
        }
        single = {"single": {"name": self.single.filename, "content_type": self.single.content_type, "size": self.single.size}};
        report {"single": single, "multiple": multiple, "singleOptional": self.singleOptional};
    }
}

walker upload_with_fields {
    has doc: UploadFile;
    has title: str;
    has extra: list[UploadFile] | None;
    has count: int = 1;

    can enter with \`root entry {
        data = self.doc.read();
        self.doc.seek(0);
        first = self.doc.file.read(3);
        report {
            "title": self.title, "count": self.count, "text": data.decode("utf-8"), "bytes": len(data),
            "first": first.decode("utf-8"), "rest": len(self.doc.read()), "headers": self.doc.headers,
            "extra": self.extra
        };
        report self.doc;
    }
}

walker plain {
    has title: str;
    can go with \`root entry { report self.title; }
}

walker hook_with_file {
    has f: UploadFile;
    obj __specs__ { static has webhook: dict = {"type": "header", "name": "X-API-KEY"}; }
    can go with \`root entry { report [self.f.filename, self.f.size]; }
}

walker keep_file {
    has f: UploadFile | None = None;
    obj __specs__ { static has private: bool = True; }
    can go with \`root entry { report self.f.size; }
}

walker queue_file {
    has f: UploadFile;
    can go with \`root entry { report create_task(keep_file(f=self.f), root); }
}
`;

const SIMPLE_JSON = '{"hello": "world", "n": 1}'.slice(0, 25); // 25 bytes, as Jac Cloud's simple.json

let h: Harness;
let base: string;
let authorization: string;

test.before(async () => {
  h = await harness(PROGRAM, { maxUploadBytes: 1024, maxUploadFiles: 4 });
  base = await h.app.listen({ port: 0, host: '127.0.0.1' });
  ({ authorization } = await h.login());
});
test.after(async () => h.close());

const jsonFile = () => new Blob([SIMPLE_JSON], { type: 'application/json' });

async function post(walker: string, body: FormData | string, headers: Record<string, string> = {}): Promise<{ status: number; json: any }> {
  const r = await fetch(`${base}/walker/${walker}`, { method: 'POST', body, headers: { authorization, ...headers } });
  return { status: r.status, json: await r.json() };
}

test('single, repeated and left-out file parts, as Jac Cloud test_10 sends them', async () => {
  assert.is(SIMPLE_JSON.length, 25);
  const form = new FormData();
  form.append('single', jsonFile(), 'simple.json');
  form.append('multiple', jsonFile(), 'simple.json');
  form.append('multiple', jsonFile(), 'simple.json');
  const r = await post('post_with_file', form);
  assert.is(r.status, 200);
  const file = { name: 'simple.json', content_type: 'application/json', size: 25 };
  assert.equal(r.json, { status: 200, reports: [{ single: { single: file }, multiple: [file, file], singleOptional: null }] });
});

test('files and the other fields as JSON in the body part; read(), seek(), .file.read(n), headers; a reported file', async () => {
  const form = new FormData();
  form.append('doc', new Blob(['héllo upload'], { type: 'text/plain' }), 'note.txt');
  form.append('body', JSON.stringify({ title: 'My note', count: 3 }));
  const r = await post('upload_with_fields', form);
  assert.is(r.status, 200);
  const [fields, reported] = r.json.reports;
  assert.equal(fields, {
    title: 'My note',
    count: 3,
    text: 'héllo upload',
    bytes: 13, // é is two bytes in UTF-8
    first: 'hé',
    rest: 10,
    headers: { 'content-disposition': 'form-data; name="doc"; filename="note.txt"', 'content-type': 'text/plain' },
    extra: null,
  });
  assert.equal(reported, { filename: 'note.txt', content_type: 'text/plain', size: 13 });
});

test('the body part may also come as a file part declared application/json; a field with a default may be left out', async () => {
  const form = new FormData();
  form.append('doc', new Blob(['x']), 'x.bin');
  form.append('body', new Blob([JSON.stringify({ title: 't' })], { type: 'application/json' }), 'body.json');
  form.append('extra', new Blob(['a']), 'a.txt');
  form.append('extra', new Blob(['bb']), 'b.txt');
  const r = await post('upload_with_fields', form);
  assert.is(r.status, 200);
  assert.is(r.json.reports[0].count, 1);
  assert.equal(r.json.reports[0].extra, [
    { filename: 'a.txt', content_type: 'application/octet-stream', size: 1 },
    { filename: 'b.txt', content_type: 'application/octet-stream', size: 2 },
  ]);
});

test('a missing required file part is a 422 at ["body", field], in the shape of every other 422', async () => {
  const form = new FormData();
  form.append('multiple', jsonFile(), 'simple.json');
  const r = await post('post_with_file', form);
  assert.is(r.status, 422);
  assert.equal(r.json, { detail: [{ type: 'missing', loc: ['body', 'single'], msg: 'Field required', input: null }] });
});

test('a text part where a file is expected is a 422 at that field', async () => {
  const form = new FormData();
  form.append('single', 'not a file');
  form.append('multiple', jsonFile(), 'simple.json');
  const r = await post('post_with_file', form);
  assert.is(r.status, 422);
  assert.equal(r.json.detail.map((d: { loc: unknown }) => d.loc), [['body', 'single']]);
});

test('the body part is validated as any JSON body: a wrong type or a missing field is a 422 (Jac Cloud answers 200)', async () => {
  const wrong = new FormData();
  wrong.append('doc', new Blob(['x']), 'x.txt');
  wrong.append('body', JSON.stringify({ title: 't', count: 'three' }));
  const r = await post('upload_with_fields', wrong);
  assert.is(r.status, 422);
  assert.equal(r.json.detail, [{ type: 'int_type', loc: ['body', 'count'], msg: 'Input should be a valid integer', input: 'three' }]);

  const missing = new FormData();
  missing.append('doc', new Blob(['x']), 'x.txt');
  missing.append('body', JSON.stringify({ count: 2 }));
  const m = await post('upload_with_fields', missing);
  assert.is(m.status, 422);
  assert.equal(m.json.detail.map((d: { loc: unknown }) => d.loc), [['body', 'title']]);

  const notJson = new FormData();
  notJson.append('doc', new Blob(['x']), 'x.txt');
  notJson.append('body', '{"title": ');
  const n = await post('upload_with_fields', notJson);
  assert.is(n.status, 422);
  assert.is(n.json.detail[0].type, 'json_invalid');
  assert.equal(n.json.detail[0].loc, ['body', 'body']);
});

test('a file over the per-file limit is a 413 that names the limit and the part', async () => {
  const form = new FormData();
  form.append('single', new Blob([new Uint8Array(5000)]), 'big.bin');
  form.append('multiple', jsonFile(), 'simple.json');
  const r = await post('post_with_file', form);
  assert.is(r.status, 413);
  assert.equal(r.json, { detail: "the file in part 'single' is larger than the limit of 1 KiB per file" });
});

test('more files than allowed in one request is a 413 that says so', async () => {
  const form = new FormData();
  form.append('single', jsonFile(), 'simple.json');
  for (let i = 0; i < 5; i++) form.append('multiple', jsonFile(), 'simple.json');
  const r = await post('post_with_file', form);
  assert.is(r.status, 413);
  assert.equal(r.json, { detail: 'more than 4 files in one request' });
});

test('a malformed multipart body is a 400 with a JSON detail, never a stack', async () => {
  const cut = '--XYZ\r\nContent-Disposition: form-data; name="single"; filename="a.txt"\r\nContent-Type: text/plain\r\n\r\nabc';
  const r = await post('post_with_file', cut, { 'content-type': 'multipart/form-data; boundary=XYZ' });
  assert.is(r.status, 400);
  assert.match(r.json.detail, /^malformed multipart\/form-data: /);
  assert.not.match(JSON.stringify(r.json), /at .*\.(js|ts):\d+/);

  const noBoundary = await post('post_with_file', 'abc', { 'content-type': 'multipart/form-data' });
  assert.is(noBoundary.status, 400);
  assert.match(noBoundary.json.detail, /^malformed multipart\/form-data: /);
});

test('a webhook walker with a key in a header takes files; a bad key is refused before they are read', async () => {
  const made = await h.app.inject({ method: 'POST', url: '/webhook/generate-key', payload: { name: 'uploads' }, headers: { authorization } });
  const key = made.json().key as string;
  const form = () => {
    const f = new FormData();
    f.append('f', new Blob(['12345']), 'five.txt');
    return f;
  };
  const ok = await fetch(`${base}/webhook/walker/hook_with_file`, { method: 'POST', body: form(), headers: { 'x-api-key': key } });
  assert.is(ok.status, 200);
  assert.equal(((await ok.json()) as { reports: unknown }).reports, [['five.txt', 5]]);
  const bad = await fetch(`${base}/webhook/walker/hook_with_file`, { method: 'POST', body: form(), headers: { 'x-api-key': 'jacwh_nope' } });
  assert.is(bad.status, 401);
  assert.equal(await bad.json(), { detail: 'Unauthorized' });
});

test('a body part over the JSON body limit is a 413 that says so', async () => {
  const form = new FormData();
  form.append('doc', new Blob(['x']), 'x.txt');
  form.append('body', JSON.stringify({ title: 'x'.repeat(1024 * 1024) }));
  const r = await post('upload_with_fields', form);
  assert.is(r.status, 413);
  assert.equal(r.json, { detail: "the 'body' part is larger than the limit of 1 MiB" });
});

test('a walker without file fields still refuses a multipart body (415), and takes JSON', async () => {
  const form = new FormData();
  form.append('title', 'x');
  const r = await post('plain', form);
  assert.is(r.status, 415);
  assert.is((await post('plain', JSON.stringify({ title: 'x' }), { 'content-type': 'application/json' })).json.reports[0], 'x');
});

test('JSON sent to a walker that takes files is a 415 that says how to send them', async () => {
  const r = await post('upload_with_fields', JSON.stringify({ title: 't' }), { 'content-type': 'application/json' });
  assert.is(r.status, 415);
  assert.match(r.json.detail, /walker upload_with_fields takes files: send multipart\/form-data .* named 'body'/);
});

test('without a token the request is refused before its files are read', async () => {
  const form = new FormData();
  form.append('single', new Blob([new Uint8Array(5000)]), 'big.bin');
  const r = await fetch(`${base}/walker/post_with_file`, { method: 'POST', body: form });
  assert.is(r.status, 401);
  assert.equal(await r.json(), { detail: 'Not authenticated' });
});

test('OpenAPI: a multipart/form-data body with binary file properties, a binary body part, and the required ones', async () => {
  const doc = (await h.app.inject({ method: 'GET', url: '/openapi.json' })).json();
  const files = doc.paths['/walker/post_with_file'].post.requestBody;
  assert.equal(Object.keys(files.content), ['multipart/form-data']);
  const schema = files.content['multipart/form-data'].schema;
  assert.equal(schema.properties.single, { type: 'string', format: 'binary' });
  assert.equal(schema.properties.multiple, { type: 'array', items: { type: 'string', format: 'binary' } });
  assert.equal(schema.properties.singleOptional, { type: 'string', format: 'binary', nullable: true });
  assert.equal(schema.required, ['single', 'multiple']);
  assert.not.ok('body' in schema.properties); // no fields besides files

  const mixed = doc.paths['/walker/upload_with_fields'].post.requestBody.content['multipart/form-data'].schema;
  assert.equal(mixed.properties.body.type, 'string');
  assert.equal(mixed.properties.body.format, 'binary');
  assert.equal(mixed.required, ['doc', 'body']);
  assert.equal(mixed.properties.extra, { type: 'array', items: { type: 'string', format: 'binary' }, nullable: true });
  assert.not.ok('title' in mixed.properties);
  assert.ok(doc.paths['/walker/upload_with_fields'].post.responses['413']);
});

test('a file handed to create_task: the queued run fails with a TypeError saying why, and the server goes on', async () => {
  const form = new FormData();
  form.append('f', new Blob(['abc']), 'a.txt');
  const r = await post('queue_file', form);
  assert.is(r.status, 200);
  const id = r.json.reports[0] as string;
  let job = await h.store.findJob(id);
  for (let i = 0; i < 200 && job?.status !== 'ERROR'; i++) {
    await new Promise((done) => setTimeout(done, 50));
    job = await h.store.findJob(id);
  }
  assert.is(job?.status, 'ERROR');
  assert.is(job?.result?.error, 'WalkerError');
  assert.ok(h.log.some((l) => l.includes(id) && l.includes('TypeError: an UploadFile field takes a file part of a multipart request')), 'the log says why');
  const again = new FormData();
  again.append('single', jsonFile(), 'simple.json');
  again.append('multiple', jsonFile(), 'simple.json');
  assert.is((await post('post_with_file', again)).status, 200);
});

/** The load failures of one file, as `line:col: message` (code in brackets). */
function failures(source: string): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'jac-load-'));
  const file = join(dir, 'w.jac');
  writeFileSync(file, source);
  try {
    loadApp([file], () => undefined);
    return [];
  } catch (e) {
    if (!(e instanceof LoadFailure)) throw e;
    return e.diagnostics.map(({ diagnostic: d }) => `${d.span.line}:${d.span.col}: [${d.code}] ${d.message}`);
  }
}

test('another name from fastapi is a JAC_LOAD_IMPORT error naming it and what fastapi provides', () => {
  assert.equal(failures('import from fastapi { UploadFile, Request }\n'), [
    "1:35: [JAC_LOAD_IMPORT] cannot import name 'Request' from 'fastapi': jac-serve provides only UploadFile of it",
  ]);
});

test('walkers that could never get their files are refused at load, at the field', () => {
  const up = 'import from fastapi { UploadFile as UF }\n';
  assert.equal(failures(`${up}walker W { has f: UF; }\n`), []); // an alias names the type too
  assert.match(failures(`${up}async walker W { has f: UF; }\n`)[0], /^2:25: .*walker W: field 'f' is an UploadFile: async walker W queues its run with its fields as JSON/);
  assert.match(failures(`${up}walker W { has f: UF; obj __specs__ { static has methods: list = ["get", "post"]; } }\n`)[0], /field 'f' is an UploadFile: files travel in a multipart body, which GET requests do not carry/);
  assert.match(failures(`${up}walker W { has f: UF; obj __specs__ { static has as_query: list = ["f"]; } }\n`)[0], /a file cannot come from the query string/);
  assert.match(failures(`${up}walker W { has f: UF; obj __specs__ { static has webhook: dict = {"type": "body"}; } }\n`)[0], /the webhook key is read from a JSON body/);
  assert.match(failures(`${up}walker W { has f: dict[str, UF]; }\n`)[0], /UploadFile can be a field of its own/);
});

test.run();
