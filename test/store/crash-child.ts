// Used by crash.test.ts: commits to a data dir in a loop, several at a time, and prints
// `acked <n>` for each commit once the store says it is durable. It is killed mid-write.
import { LowStore } from '../../runtime/store/lowdb-store.ts';

const [dir, startText] = process.argv.slice(2);
const root = 'n::0000000000000000000000c0';
const store = await LowStore.open(dir);
let n = Number(startText);
await store.commitGraph(root, { upserts: [{ id: root, fields: {}, edges: [] }], deletes: [] });
for (;;) {
  const batch = Array.from({ length: 1 + (n % 5) }, () => n++);
  await Promise.all(
    batch.map(async (i) => {
      const id = `n:Item:${i.toString(16).padStart(24, '0')}`;
      // Fields large enough that a write takes a while, so kills land mid-write too.
      await store.commitGraph(root, { upserts: [{ id, fields: { i, pad: 'x'.repeat(2000) }, edges: [] }], deletes: [] });
      if (i % 7 === 0) await store.setSecret(`s${i}`, String(i));
      process.stdout.write(`acked ${i}\n`);
    }),
  );
}
