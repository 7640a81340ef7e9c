// Signing secrets at rest: sealed with AES-256-GCM under the master key, bound to their key id,
// opened only by the same master key; the master key made once and kept, or given by the operator.
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { LowStore } from '../../runtime/store/lowdb-store.ts';
import { Sealer } from '../../server/webhooks/sealing.ts';
import { secretPreview } from '../../server/webhook-keys.ts';

test('a sealed secret opens with its master key and key id only; tampering is detected', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'jac-seal-'));
  const store = await LowStore.open(dir);
  const sealer = await Sealer.open(store, '');
  const sealed = sealer.seal('whsec_abc', 'k1');
  assert.not.ok(sealed.includes('whsec_abc'));
  assert.is.not(sealer.seal('whsec_abc', 'k1'), sealed, 'a fresh nonce each time');
  assert.is(sealer.open(sealed, 'k1'), 'whsec_abc');
  assert.is(sealer.open(sealed, 'k2'), null, 'bound to its key id');
  const parts = sealed.split('.');
  parts[3] = Buffer.from('tampered').toString('base64url');
  assert.is(sealer.open(parts.join('.'), 'k1'), null);
  assert.is(sealer.open('garbage', 'k1'), null);
  const again = await Sealer.open(store, '');
  assert.is(again.open(sealed, 'k1'), 'whsec_abc', 'the master key made once is kept in the store');
  await store.close();
  const systemFiles = readdirSync(dir).filter((f) => f.startsWith('system.'));
  assert.ok(systemFiles.length >= 2, 'the snapshot and its journal');
  const system = systemFiles.map((f) => readFileSync(join(dir, f), 'utf8')).join('\n');
  assert.ok(system.includes('"secret":'), 'the master key was written');
  assert.not.ok(system.includes('whsec_abc'));
  const other = await Sealer.open(store, 'ab'.repeat(32));
  assert.is(other.open(sealed, 'k1'), null, 'another master key does not open it');
  const env = await Sealer.open(store, Buffer.alloc(32, 7).toString('base64'));
  assert.is(env.open(env.seal('s', 'k'), 'k'), 's');
  try {
    await Sealer.open(store, 'short');
    assert.unreachable('a bad master key is refused');
  } catch (e) {
    assert.match((e as Error).message, /JAC_SERVE_MASTER_KEY must be 32 bytes/);
  }
});

test('a preview shows 4 characters after the prefix a kind of secret shares', () => {
  assert.is(secretPreview('whsec_MfKQ9r8GKYq'), 'whsec_MfKQ');
  assert.is(secretPreview('whpk_abcdefgh'), 'whpk_abcd');
  assert.is(secretPreview('plainsecret'), 'plai');
});

test.run();
