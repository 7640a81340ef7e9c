// Registrations and webhook keys on a data dir whose disk is really full (a small tmpfs): a
// request whose write fails answers 500 and leaves nothing behind, in memory or on disk.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { LowStore } from '../../runtime/store/lowdb-store.ts';
import { mountSmallDisk } from '../helpers/small-disk.ts';
import { harness } from './harness.ts';
import { WEBHOOK_PROGRAM } from './webhook-program.ts';

test('a registration or key creation answered 500 does not exist afterwards; with room again it succeeds', async () => {
  const disk = mountSmallDisk(512);
  try {
    const dataDir = join(disk.path, 'data');
    const h = await harness(WEBHOOK_PROGRAM, { logLevel: false }, dataDir);
    let closed = false;
    try {
      const credentials = { email: 'bob@example.com', password: 'pw' };
      const register = () => h.app.inject({ method: 'POST', url: '/user/register', payload: credentials });
      const login = () => h.app.inject({ method: 'POST', url: '/user/login', payload: credentials });
      const alice = await h.login('alice@example.com');
      const generate = (name: string) => h.app.inject({ method: 'POST', url: '/webhook/generate-key', headers: { authorization: alice.authorization }, payload: { name } });
      const keyNames = async () => (await h.app.inject({ method: 'GET', url: '/webhook', headers: { authorization: alice.authorization } })).json().keys.map((k: { name: string }) => k.name);
      assert.is((await generate('ci')).statusCode, 201);
      /**
       * Registers throwaway users until the system file's journal has less room left in its last
       * block than one registration takes: a change appended there needs no new block, so on a
       * full disk it would be written. (Their emails are shorter than the ones to fail.)
       */
      let padded = 0;
      const useUpLastBlock = async () => {
        const journalBytes = () => {
          const f = readdirSync(dataDir).find((n) => /^system\.\d+\.journal$/.test(n));
          return f ? statSync(join(dataDir, f)).size : 0;
        };
        let line = 0;
        for (let tries = 0; tries < 100; tries++) {
          const at = journalBytes();
          const room = at % disk.blockSize === 0 ? 0 : disk.blockSize - (at % disk.blockSize);
          if (line > 0 && room < line) return;
          const r = await h.app.inject({ method: 'POST', url: '/user/register', payload: { email: `p${++padded}@e.co`, password: 'pw' } });
          assert.is(r.statusCode, 201, r.body);
          line = Math.max(line, journalBytes() - at);
        }
        throw new Error('the journal never came near the end of a block');
      };

      await useUpLastBlock();
      disk.fill();
      const failed = await register();
      assert.is(failed.statusCode, 500, failed.body);
      assert.is(failed.json().detail, 'Internal Server Error');
      assert.is((await login()).statusCode, 400, 'a registration answered 500 cannot log in');
      assert.is((await register()).statusCode, 500, 'nor does it hold the email: a retry is another write');
      assert.is((await generate('deploy')).statusCode, 500);
      assert.equal(await keyNames(), ['ci']);
      assert.is((await h.app.inject({ method: 'POST', url: '/user/login', payload: { email: 'alice@example.com', password: 'pw' } })).statusCode, 200, 'reads go on');

      disk.release('all');
      assert.is((await register()).statusCode, 201);
      assert.is((await login()).statusCode, 200);
      assert.is((await generate('deploy')).statusCode, 201, 'the name is free');
      assert.equal(await keyNames(), ['ci', 'deploy']);
      await useUpLastBlock();
      disk.fill();
      assert.is((await generate('nightly')).statusCode, 500);
      await h.close();
      closed = true;
    } finally {
      if (!closed) await h.close();
    }

    disk.release('all');
    const store = await LowStore.open(dataDir);
    try {
      const alice = await store.findUser({ email: 'alice@example.com' });
      assert.ok(alice);
      assert.ok(await store.findUser({ email: 'bob@example.com' }));
      assert.equal((await store.listKeys(alice!.id)).map((k) => k.name), ['ci', 'deploy'], 'exactly the acknowledged keys');
    } finally {
      await store.close();
    }
  } finally {
    disk.unmount();
  }
});

test.run();
