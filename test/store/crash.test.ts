// Kill -9 at a random moment loses no acknowledged commit and never leaves a file that fails to
// load: a child commits in a loop and reports each acknowledged commit; it is killed with SIGKILL
// at a random time, several rounds over one data dir, and each time the dir is reopened and checked.
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { LowStore } from '../../runtime/store/lowdb-store.ts';
import { killedMidway } from '../helpers/killed-child.ts';

const child = fileURLToPath(new URL('./crash-child.ts', import.meta.url));
const root = 'n::0000000000000000000000c0';

/** Runs the child until it has acknowledged a few commits, then kills it after a random delay. */
async function roundOfCommits(dir: string, start: number): Promise<number[]> {
  const lines = await killedMidway(child, [dir, String(start)], (acked) => acked.length >= 3, 150);
  return lines.map((line) => Number(line.slice('acked '.length)));
}

test('SIGKILL at random moments, five rounds: every acknowledged commit is there and every file loads', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'jac-crash-'));
  const acked: number[] = [];
  let next = 0;
  for (let round = 0; round < 5; round++) {
    const got = await roundOfCommits(dir, next);
    assert.ok(got.length >= 3, `round ${round} acknowledged ${got.length}`);
    acked.push(...got);
    next = Math.max(...got) + 100;
    // Every file that is there parses (temp files from a killed write are not data files).
    for (const f of ['system.json', ...readdirSync(join(dir, 'roots')).filter((x) => x.endsWith('.json')).map((x) => join('roots', x))]) {
      JSON.parse(readFileSync(join(dir, f), 'utf8'));
    }
    const store = await LowStore.open(dir); // the dead child's lock is taken over
    const ids = new Set((await store.loadGraph(root))!.map((r) => r.id));
    const missing = acked.filter((i) => !ids.has(`n:Item:${i.toString(16).padStart(24, '0')}`));
    assert.equal(missing, [], `round ${round}: acknowledged but lost`);
    for (const i of acked.filter((x) => x % 7 === 0)) assert.is(await store.getSecret(`s${i}`), String(i));
    await store.close();
  }
});

test.run();
