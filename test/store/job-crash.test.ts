// Kill -9 at a random moment loses nothing the job files acknowledged and never leaves them
// unable to load: a child queues, claims, finishes and repeats async deliveries in a loop (their
// later lines leave out the fields an earlier line holds, ended runs leave the files while their
// log entries stay, and the files fold often), and is killed with SIGKILL at random times,
// several rounds over one dir, which is reopened and checked after each.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { JobFile } from '../../runtime/store/job-file.ts';
import { killedMidway } from '../helpers/killed-child.ts';

const child = fileURLToPath(new URL('./job-crash-child.ts', import.meta.url));
const jobId = (i: number) => `w:later:${i.toString(16).padStart(24, '0')}`;

interface Acked {
  queued: number[];
  finished: number[];
  repeated: number[];
}

/** Runs the child until it has repeated a few deliveries, then kills it after a random delay. */
async function round(dir: string, start: number): Promise<Acked> {
  const lines = await killedMidway(child, [dir, String(start)], (printed) => printed.filter((l) => l.startsWith('repeated ')).length >= 3, 200);
  const acked: Acked = { queued: [], finished: [], repeated: [] };
  for (const line of lines) {
    const [step, i] = line.split(' ');
    acked[step as keyof Acked].push(Number(i));
  }
  return acked;
}

test('SIGKILL at random moments, five rounds: every acknowledged run, outcome and repeat is there with its fields, and the files load', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'jac-job-crash-'));
  const acked: Acked = { queued: [], finished: [], repeated: [] };
  let next = 0;
  for (let r = 0; r < 5; r++) {
    const got = await round(dir, next);
    for (const step of ['queued', 'finished', 'repeated'] as const) acked[step].push(...got[step]);
    next = Math.max(...got.queued) + 100;
    const jobs = await JobFile.open(dir);
    for (const i of acked.queued) {
      const fields = { i, pad: 'x'.repeat(2000) };
      const logged = await jobs.findDelivery(jobId(i));
      assert.equal(logged?.replay?.fields, fields, `round ${r}: delivery ${i} acknowledged as queued, logged with its fields`);
      const job = await jobs.findJob(jobId(i));
      // A run leaves the files only once it has ended (its outcome logged in the same line).
      if (job) assert.equal(job.fields, fields, `round ${r}: run ${i} with its fields`);
      else assert.is(logged!.status, 'ok', `round ${r}: run ${i} left the files before it ended`);
    }
    for (const i of acked.finished) {
      assert.is((await jobs.findDelivery(jobId(i)))!.status, 'ok', `round ${r}: delivery ${i} acknowledged as finished`);
      assert.ok([undefined, 'COMPLETED'].includes((await jobs.findJob(jobId(i)))?.status), `round ${r}: run ${i} completed, or gone`);
    }
    for (const i of acked.repeated) assert.ok((await jobs.findDelivery(jobId(i)))!.duplicates >= 1, `round ${r}: delivery ${i} acknowledged as repeated`);
    await jobs.close();
  }
  const snapshot = JSON.parse(readFileSync(join(dir, 'jobs.json'), 'utf8')) as { generation: number };
  assert.ok(snapshot.generation >= 1, 'the files folded meanwhile');
});

test.run();
