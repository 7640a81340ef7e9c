// Used by job-crash.test.ts: works the job files in a loop as an async delivery does (queued with
// its log entry sharing its fields, claimed, finished with its outcome, then repeated), several at
// a time, with ended runs leaving and folds often, and prints each step once the store says it is
// durable. It is killed mid-write.
import { JobFile } from '../../runtime/store/job-file.ts';
import type { JobResult } from '../../runtime/store/store.ts';

const [dir, startText] = process.argv.slice(2);
const done: JobResult = { httpStatus: 200, reports: [1], returns: null, errorId: null, error: null };
const jobId = (i: number) => `w:later:${i.toString(16).padStart(24, '0')}`;
// Few ended runs kept: they leave the files as others end (their log entries stay), and what they
// took makes the files fold often.
const jobs = await JobFile.open(dir, { foldMinBytes: 32 * 1024, maxEndedJobs: 50 });
let n = Number(startText);
for (;;) {
  const batch = Array.from({ length: 1 + (n % 4) }, () => n++);
  await Promise.all(
    batch.map(async (i) => {
      const id = jobId(i);
      // Fields large enough that a write takes a while, so kills land mid-write too.
      const fields = { i, pad: 'x'.repeat(2000) };
      const at = new Date().toISOString();
      await jobs.enqueueJob(
        { id, walker: 'later', root: 'n::0000000000000000000000c0', owner: 'u1', node: null, fields, allowedNodes: null, maxAttempts: 3 },
        { id, keyId: 'k1', owner: 'u1', walker: 'later', receivedAt: at, verified: true, deliveryId: `g-${i}`, event: 'push', status: 'pending', code: 202, ms: null, errorId: null, reason: null, duplicates: 0, replay: { fields, node: null, allowedNodes: null }, replayUntil: '2999-01-01T00:00:00.000Z' },
      );
      process.stdout.write(`queued ${i}\n`);
      const c = await jobs.claimJob(60_000);
      if (!c) return;
      await jobs.finishJob(c.job.id, c.attempt, 'COMPLETED', done, { status: 'ok', code: 200, ms: 1, errorId: null });
      process.stdout.write(`finished ${(c.job.fields as { i: number }).i}\n`);
      const logged = await jobs.findDelivery(c.job.id);
      await jobs.tellDeliveries([{ record: logged!, repeat: true }]);
      process.stdout.write(`repeated ${(c.job.fields as { i: number }).i}\n`);
    }),
  );
}
