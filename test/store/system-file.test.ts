// The system file's changes are all or nothing: lowdb over an adapter whose writes the test
// lets succeed or fail one by one, so a write can be held while other changes queue behind it.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { type Adapter, Low } from 'lowdb';
import { SystemFile } from '../../runtime/store/system-file.ts';

interface Data {
  names: string[];
}

/** Writes wait until the test settles them; `written` is what each successful write held. */
class HeldAdapter implements Adapter<Data> {
  readonly written: string[][] = [];
  readonly waiting: { data: string[]; ok(): void; fail(e: Error): void }[] = [];

  async read(): Promise<Data | null> {
    return null;
  }

  write(data: Data): Promise<void> {
    const snapshot = [...data.names]; // captured when called, as the durable adapter encodes
    return new Promise((resolve, reject) => {
      this.waiting.push({
        data: snapshot,
        ok: () => {
          this.written.push(snapshot);
          resolve();
        },
        fail: reject,
      });
    });
  }

  /** Settles the oldest write. */
  async settle(ok: boolean): Promise<string[]> {
    const w = this.waiting.shift();
    if (!w) throw new Error('no write is waiting');
    if (ok) w.ok();
    else w.fail(Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' }));
    await flush();
    return w.data;
  }
}

const flush = () => new Promise<void>((r) => setImmediate(r));

async function open(lazyMs?: number) {
  const adapter = new HeldAdapter();
  const db = new Low<Data>(adapter, { names: [] });
  await db.read();
  return { adapter, file: new SystemFile(db, lazyMs) };
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

const add = (name: string) => (d: Data) => {
  if (d.names.includes(name)) throw new Error(`${name} is taken`);
  d.names.push(name);
};

/** Settled outcome of a change, without an unhandled rejection in the meantime. */
const outcome = (p: Promise<void>) => p.then(() => 'ok', (e: Error) => e.message);

test('a change is seen at once and resolves when its write succeeds', async () => {
  const { adapter, file } = await open();
  const a = outcome(file.change(add('a')));
  assert.equal(file.data.names, ['a']);
  assert.equal(await adapter.settle(true), ['a']);
  assert.is(await a, 'ok');
  assert.equal(file.data.names, ['a']);
  assert.is(file.writes, 1);
});

test('a failed write rejects its changes and memory returns to the last written state', async () => {
  const { adapter, file } = await open();
  const a = outcome(file.change(add('a'))); // written alone
  const b = outcome(file.change(add('b'))); // b and c wait for a's write, then share one
  const c = outcome(file.change(add('c')));
  assert.equal(file.data.names, ['a', 'b', 'c']);
  assert.equal(await adapter.settle(true), ['a']);
  assert.is(await a, 'ok');
  assert.equal(await adapter.settle(false), ['a', 'b', 'c']);
  assert.is(await b, 'ENOSPC: no space left on device');
  assert.is(await c, 'ENOSPC: no space left on device');
  assert.equal(file.data.names, ['a']);
  assert.is(adapter.waiting.length, 0, 'nothing left to write');
  assert.is(file.writes, 2);
  // The names are free again.
  const b2 = outcome(file.change(add('b')));
  await adapter.settle(true);
  assert.is(await b2, 'ok');
  assert.equal(adapter.written, [['a'], ['a', 'b']]);
});

test('a change made during a failing write is kept, written next, and not built on what failed', async () => {
  const { adapter, file } = await open();
  const a = outcome(file.change(add('a')));
  const b = outcome(file.change(add('b'))); // queued behind the write of a
  assert.equal(file.data.names, ['a', 'b']);
  assert.equal(await adapter.settle(false), ['a']);
  assert.is(await a, 'ENOSPC: no space left on device');
  assert.equal(file.data.names, ['b'], 'b stays, a is gone');
  assert.equal(await adapter.settle(true), ['b'], 'the next write holds b alone');
  assert.is(await b, 'ok');
  assert.equal(file.data.names, ['b']);
  assert.equal(adapter.written, [['b']]);
});

test('a queued change that cannot apply without the failed one is rejected with its own error', async () => {
  const { adapter, file } = await open();
  const a = outcome(file.change(add('a')));
  const dependent = outcome(
    file.change((d) => {
      const i = d.names.indexOf('a');
      if (i === -1) throw new Error('no a to rename');
      d.names[i] = 'A';
    }),
  );
  const z = outcome(file.change(add('z')));
  assert.equal(file.data.names, ['A', 'z']);
  await adapter.settle(false);
  assert.is(await a, 'ENOSPC: no space left on device');
  assert.is(await dependent, 'no a to rename');
  assert.equal(file.data.names, ['z']);
  await adapter.settle(true);
  assert.is(await z, 'ok');
  assert.equal(adapter.written, [['z']]);
});

test('a change that throws changes nothing and writes nothing', async () => {
  const { adapter, file } = await open();
  const a = outcome(file.change(add('a')));
  const again = outcome(file.change(add('a')));
  assert.is(await again, 'a is taken');
  assert.equal(file.data.names, ['a']);
  await adapter.settle(true);
  assert.is(await a, 'ok');
  assert.is(file.writes, 1);
  assert.is(adapter.waiting.length, 0);
});

test('idle waits for the queued changes and the write under way, whatever their outcome', async () => {
  const { adapter, file } = await open();
  const a = outcome(file.change(add('a')));
  const b = outcome(file.change(add('b')));
  let idle = false;
  const waited = file.idle().then(() => void (idle = true));
  await adapter.settle(false);
  assert.not.ok(idle, 'b is still to be written');
  await adapter.settle(true);
  await waited;
  assert.ok(idle);
  assert.equal([await a, await b], ['ENOSPC: no space left on device', 'ok']);
});

test('lazy changes are seen at once and written together once the wait is over', async () => {
  const { adapter, file } = await open(30);
  const a = outcome(file.change(add('a'), { lazy: true }));
  const b = outcome(file.change(add('b'), { lazy: true }));
  assert.equal(file.data.names, ['a', 'b'], 'in memory at once');
  await flush();
  assert.is(adapter.waiting.length, 0, 'no write yet');
  const deadline = Date.now() + 5_000;
  while (adapter.waiting.length === 0 && Date.now() < deadline) await sleep(5);
  assert.equal(await adapter.settle(true), ['a', 'b'], 'one write carries both');
  assert.equal([await a, await b], ['ok', 'ok']);
  assert.is(file.writes, 1);
});

test('a change that is not lazy writes at once, carrying the lazy ones queued before it', async () => {
  const { adapter, file } = await open(60_000);
  const a = outcome(file.change(add('a'), { lazy: true }));
  const b = outcome(file.change(add('b')));
  await flush();
  assert.equal(await adapter.settle(true), ['a', 'b']);
  assert.equal([await a, await b], ['ok', 'ok']);
});

test('lazy changes queued behind a write wait for the next one; idle writes them at once', async () => {
  const { adapter, file } = await open(60_000);
  const a = outcome(file.change(add('a')));
  const b = outcome(file.change(add('b'), { lazy: true }));
  assert.equal(await adapter.settle(true), ['a']);
  assert.is(adapter.waiting.length, 0, 'b waits (the wait is a minute here)');
  const waited = file.idle();
  await flush();
  assert.equal(await adapter.settle(true), ['a', 'b'], 'idle did not wait the minute');
  await waited;
  assert.equal([await a, await b], ['ok', 'ok']);
});

test('a lazy change whose write fails is undone and rejected like any other', async () => {
  const { adapter, file } = await open(1);
  const a = outcome(file.change(add('a'), { lazy: true }));
  const deadline = Date.now() + 5_000;
  while (adapter.waiting.length === 0 && Date.now() < deadline) await sleep(2);
  await adapter.settle(false);
  assert.is(await a, 'ENOSPC: no space left on device');
  assert.equal(file.data.names, []);
});

test.run();
