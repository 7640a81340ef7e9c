// `jac-serve keys list|create|revoke` as functions, on a real data dir made by the real app: the
// same rules as the HTTP routes, the --app rule, a clear message for every mistake, and keys that
// the server then accepts.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { keysCreate, keysList, keysRevoke } from '../../cli/keys.ts';
import { UsageError } from '../../cli/files.ts';
import { LowStore } from '../../runtime/store/lowdb-store.ts';
import { harness } from '../server/harness.ts';
import { WEBHOOK_PROGRAM } from '../server/webhook-program.ts';

const PROGRAM = WEBHOOK_PROGRAM;
const KEY = /jacwh_[0-9a-f]{16}_[A-Za-z0-9_-]{43}[0-9a-f]{8}/;
const EMAIL = 'alice@example.com';

const dir = mkdtempSync(join(tmpdir(), 'jac-keys-cli-'));
const app = join(dir, 'app.jac');
writeFileSync(app, PROGRAM);
const data = join(dir, 'data');
let itemId = '';

/** The UsageError `promise` rejects with (fails the test if it resolves or throws anything else). */
async function usageError(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (e) {
    assert.instance(e, UsageError);
    return (e as Error).message;
  }
  assert.unreachable('expected a UsageError');
  return '';
}

test.before(async () => {
  // A user and a node of their graph, made through the server, which is then stopped.
  const h = await harness(PROGRAM, { logLevel: false }, data);
  const alice = await h.login(EMAIL);
  itemId = (await h.app.inject({ method: 'POST', url: '/walker/make', headers: { authorization: alice.authorization } })).json().reports[0].id;
  await h.close();
});

test('list: a user without keys', async () => {
  assert.is(await keysList({ data, email: EMAIL }), `${EMAIL} has no webhook keys\n`);
});

test('create: prints the key once, with a line saying it is shown only now', async () => {
  const out = await keysCreate({ data, email: EMAIL, name: 'ci', walkers: ['hook'], nodes: ['root', 'Item', itemId], count: 30, interval: 'days', app });
  assert.match(out, KEY);
  assert.match(out, /shown only now/);
  assert.match(out, /"ci"/);
  const key = KEY.exec(out)![0];
  // The listing names it, and never shows the key or its hash.
  const listed = await keysList({ data, email: EMAIL });
  const id = key.slice(6, 22);
  assert.match(listed, /^ID\s+NAME\s+PREVIEW\s+EXPIRES\s+LAST USED\s+WALKERS\s+NODES\n/);
  assert.ok(listed.includes(id) && listed.includes(`jacwh_${id}_…`) && listed.includes('ci'), listed);
  assert.ok(listed.includes('never') && listed.includes('hook') && listed.includes(`root,Item,${itemId}`), listed);
  assert.not.ok(listed.includes(key));
  const store = await LowStore.open(data);
  const secretHash = (await store.findKey(id))!.secretHash;
  await store.close();
  assert.not.ok(listed.includes(secretHash));
});

test('create: the defaults (all walkers, all nodes, 60 days); "root" and node ids need no --app', async () => {
  const out = await keysCreate({ data, email: EMAIL, name: 'plain' });
  assert.match(out, KEY);
  const days = (Date.parse(/expires (\S+)/.exec(out)![1]) - Date.now()) / 86_400_000;
  assert.ok(Math.abs(days - 60) < 0.01, `${days} days`);
  assert.match(await keysCreate({ data, email: EMAIL, name: 'by-id', nodes: ['root', itemId] }), KEY);
  assert.match(await keysList({ data, email: EMAIL }), /plain\s.*\*\s+\*\n/);
});

test('create: walker or node type names without --app are refused, saying to pass --app', async () => {
  assert.match(await usageError(keysCreate({ data, email: EMAIL, name: 'w', walkers: ['hook'] })), /--app/);
  assert.match(await usageError(keysCreate({ data, email: EMAIL, name: 'n', nodes: ['root', 'Item'] })), /--app/);
  assert.not.match(await keysList({ data, email: EMAIL }), /\sw\s|\sn\s/);
});

test('create: the routes\' rules, each refused with what is wrong', async () => {
  const refused = (extra: object) => usageError(keysCreate({ data, email: EMAIL, name: 'bad', app, ...extra }));
  assert.match(await refused({ walkers: ['hokk'] }), /walkers\.0: .*hokk/);
  assert.match(await refused({ walkers: ['make'] }), /walkers\.0: .*make.*not a webhook walker/);
  assert.match(await refused({ nodes: ['Nope'] }), /nodes\.0: .*Nope/);
  assert.match(await refused({ nodes: ['n:Item:0123456789abcdef01234567'] }), /nodes\.0: /);
  assert.match(await refused({ count: 366 }), /expiration: .*365 days/);
  assert.match(await refused({ count: 0 }), /count/);
  assert.match(await refused({ count: 1.5 }), /count/);
  assert.match(await refused({ interval: 'weeks' }), /interval/);
  assert.match(await refused({ name: '' }), /name/);
  assert.match(await refused({ name: 'x'.repeat(101) }), /name/);
  assert.match(await refused({ name: 'a\u0000b' }), /may not hold control characters/);
  assert.match(await refused({ name: 'ci' }), /already has a key named "ci"/);
  assert.match(await refused({ name: 'one-more', maxKeysPerUser: 1 }), /holds \d+ keys, the most one user may \(1; --max-keys-per-user\): revoke one before creating another/);
  assert.match(await usageError(keysCreate({ data, email: EMAIL, name: 'x', app: join(dir, 'missing.jac') })), /no such file/);
  const broken = join(dir, 'broken.jac');
  writeFileSync(broken, 'walker w { can go with `root entry { report 1 } }');
  assert.match(await usageError(keysCreate({ data, email: EMAIL, name: 'x', walkers: ['w'], app: broken })), /does not load/);
  assert.not.match(await keysList({ data, email: EMAIL }), /\sbad\s/);
});

test('unknown email, missing data dir, and a data dir a server holds: clear messages', async () => {
  assert.match(await usageError(keysList({ data, email: 'nobody@example.com' })), /no user with email nobody@example\.com/);
  assert.match(await usageError(keysCreate({ data, email: 'nobody@example.com', name: 'x' })), /no user with email/);
  assert.match(await usageError(keysRevoke({ data, email: 'nobody@example.com', ids: ['0123456789abcdef'] })), /no user with email/);
  assert.match(await usageError(keysList({ data: join(dir, 'nope'), email: EMAIL })), /no data dir/);
  const h = await harness(PROGRAM, { logLevel: false }, data);
  try {
    assert.match(await usageError(keysList({ data, email: EMAIL })), /in use|already open/);
  } finally {
    await h.close();
  }
});

test('revoke: all or nothing, then gone', async () => {
  const ids = [...(await keysList({ data, email: EMAIL })).matchAll(/^([0-9a-f]{16})\s+(\S+)/gm)].map((m) => ({ id: m[1], name: m[2] }));
  const plain = ids.find((k) => k.name === 'plain')!.id;
  const byId = ids.find((k) => k.name === 'by-id')!.id;
  assert.match(await usageError(keysRevoke({ data, email: EMAIL, ids: [plain, 'ffffffffffffffff'] })), /ffffffffffffffff.*nothing was revoked/);
  assert.ok((await keysList({ data, email: EMAIL })).includes(plain));
  assert.match(await usageError(keysRevoke({ data, email: EMAIL, ids: [] })), /at least one/);
  const out = await keysRevoke({ data, email: EMAIL, ids: [plain, byId] });
  assert.is(out, `revoked 2 keys of ${EMAIL}: ${plain}, ${byId}\n`);
  const listed = await keysList({ data, email: EMAIL });
  assert.not.ok(listed.includes(plain) || listed.includes(byId));
});

test("another user's keys are not theirs to list or revoke", async () => {
  const h = await harness(PROGRAM, { logLevel: false }, data);
  await h.login('bob@example.com');
  await h.close();
  assert.is(await keysList({ data, email: 'bob@example.com' }), 'bob@example.com has no webhook keys\n');
  const aliceId = /^([0-9a-f]{16})\s/m.exec(await keysList({ data, email: EMAIL }))![1];
  assert.match(await usageError(keysRevoke({ data, email: 'bob@example.com', ids: [aliceId] })), /nothing was revoked/);
  assert.ok((await keysList({ data, email: EMAIL })).includes(aliceId));
});

test('a key made by the CLI works on the server; a revoked one does not', async () => {
  const key = KEY.exec(await keysCreate({ data, email: EMAIL, name: 'server', walkers: ['hook'], app }))![0];
  const revoked = KEY.exec(await keysCreate({ data, email: EMAIL, name: 'revoked' }))![0];
  await keysRevoke({ data, email: EMAIL, ids: [revoked.slice(6, 22)] });
  const h = await harness(PROGRAM, { logLevel: false }, data);
  try {
    const call = (k: string) => h.app.inject({ method: 'POST', url: '/webhook/walker/hook', headers: { 'x-api-key': k } });
    const ok = await call(key);
    assert.is(ok.statusCode, 200, ok.body);
    assert.is((await call(revoked)).statusCode, 401);
  } finally {
    await h.close();
  }
});

test('create --scheme: a signing key, its secret made and shown once or imported from a file, that verifies deliveries on the server', async () => {
  const signed = `${PROGRAM}
walker signed_push {
  has ref: str = "";
  obj __specs__ { static has webhook: dict = {"type": "signature", "scheme": "github"}; }
  can record with \`root entry { report self.ref; }
}
`;
  const signedApp = join(dir, 'signed.jac');
  writeFileSync(signedApp, signed);
  const out = await keysCreate({ data, email: EMAIL, name: 'gh-cli', walkers: ['signed_push'], app: signedApp, scheme: 'github' });
  assert.match(out, /created github signing key "gh-cli" \(id ([0-9a-f]{16})\)/);
  assert.match(out, /\/webhook\/walker\/signed_push\?key_id=[0-9a-f]{16}/);
  const secret = /the secret to give the sender: (\S+)/.exec(out)![1];
  const id = /\(id ([0-9a-f]{16})\)/.exec(out)![1];
  const file = join(dir, 'imported.txt');
  writeFileSync(file, 'imported-secret-value\n');
  const importedOut = await keysCreate({ data, email: EMAIL, name: 'gh-imported', scheme: 'github', secretFile: file });
  assert.not.match(importedOut, /imported-secret-value/, 'an imported secret is not printed');
  const importedId = /\(id ([0-9a-f]{16})\)/.exec(importedOut)![1];
  const listed = await keysList({ data, email: EMAIL });
  assert.ok(listed.includes(`${secret.slice(0, 4)}…`) && !listed.includes(secret), 'listed by preview only');
  for (const [options, message] of [
    [{ scheme: 'gitlab' }, /--scheme must be one of github, stripe, slack, shopify, standard, hmac, not gitlab/],
    [{ secretFile: file }, /--secret-file imports a signing secret: name its sender with --scheme/],
    [{ scheme: 'github', secretFile: join(dir, 'missing.txt') }, /cannot read the secret file .*missing\.txt: ENOENT/],
    [{ scheme: 'github', walkers: ['hook'], app }, /walker 'hook' takes an API key, not a github signature/],
  ] as const) {
    try {
      await keysCreate({ data, email: EMAIL, name: 'bad', ...options } as Parameters<typeof keysCreate>[0]);
      assert.unreachable(JSON.stringify(options));
    } catch (e) {
      assert.ok(e instanceof UsageError, String(e));
      assert.match((e as Error).message, message);
    }
  }
  const h = await harness(signed, { logLevel: false }, data);
  try {
    const { createHmac } = await import('node:crypto');
    const send = (keyId: string, key: string) => {
      const body = '{"ref":"main"}';
      return h.app.inject({ method: 'POST', url: `/webhook/walker/signed_push?key_id=${keyId}`, payload: body, headers: { 'content-type': 'application/json', 'x-hub-signature-256': `sha256=${createHmac('sha256', key).update(body).digest('hex')}` } });
    };
    const ok = await send(id, secret);
    assert.equal([ok.statusCode, ok.json().reports], [200, ['main']]);
    assert.is((await send(importedId, 'imported-secret-value')).statusCode, 200, 'the imported secret, without its line end');
    assert.is((await send(id, 'imported-secret-value')).statusCode, 401);
  } finally {
    await h.close();
  }
});

test.run();
