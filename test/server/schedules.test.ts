// Scheduled walkers and create_task through the real app: ticks become queued runs on the system
// root, missed ticks are handled as misfire_grace_time says, and a walker's tasks are queued when
// its run is saved and run on its caller's root.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { LowStore } from '../../runtime/store/lowdb-store.ts';
import type { JobRecord } from '../../runtime/store/store.ts';
import { SYSTEM_ROOT_ID } from '../../server/schedule/scheduler.ts';
import { storedRoot } from '../helpers/stored.ts';
import { harness } from './harness.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits until `pick` finds what it looks for in the store's jobs (or 10 s passed). */
async function until<T>(jobs: () => Promise<JobRecord[]>, pick: (all: JobRecord[]) => T | undefined | false): Promise<T> {
  for (let i = 0; i < 200; i++) {
    const found = pick(await jobs());
    if (found) return found;
    await sleep(50);
  }
  throw new Error('the jobs never got there');
}

const COUNTER = `
node Counter { has n: int = 0; }
`;

test('an interval schedule queues a run per tick on the system root with its args and kwargs; a private walker has no route', async () => {
  const h = await harness(`${COUNTER}
walker Tick {
  has step: int;
  has label: str = "x";
  obj __specs__ {
    static has private: bool = True;
    static has schedule: dict = {"trigger": "interval", "seconds": 0.25, "args": [2], "kwargs": {"label": "t"}, "save": True};
  }
  can go with \`root entry {
    cs = [-->](\`?Counter);
    if not cs { c = Counter(); root ++> c; } else { c = cs[0]; }
    c.n += self.step;
    report [c.n, self.label];
  }
}
`);
  try {
    const runs = await until(() => h.store.listJobs(), (all) => {
      const done = all.filter((j) => j.schedule === 'Tick' && j.status === 'COMPLETED');
      return done.length >= 3 && done;
    });
    for (const j of runs) {
      assert.equal([j.walker, j.root, j.owner, j.internal, j.fields], ['Tick', SYSTEM_ROOT_ID, null, true, { step: 2, label: 't' }]);
    }
    assert.equal(runs.slice(0, 3).map((j) => j.result!.reports), [[[2, 't']], [[4, 't']], [[6, 't']]], 'one run per tick, in order, on one graph');
    const gaps = runs.slice(1, 3).map((j, i) => Date.parse(j.enqueuedAt) - Date.parse(runs[i].enqueuedAt));
    for (const g of gaps) assert.ok(g > 100 && g < 1000, `ticks 250 ms apart, not ${g} ms`);
    assert.ok(h.log.some((l) => l.includes('scheduled walker queued') && l.includes(runs[0].id)), 'a log line per queued tick');
    const user = await h.login();
    assert.is((await h.app.inject({ method: 'POST', url: '/walker/Tick', payload: { step: 1 }, headers: { authorization: user.authorization } })).statusCode, 404, 'private');
    assert.is((await h.app.inject({ method: 'GET', url: `/async-walker/${runs[0].id}`, headers: { authorization: user.authorization } })).statusCode, 404, "a user does not see the system root's runs");
  } finally {
    await h.close();
  }
});

test('a run that is not to be saved leaves no record once it completed', async () => {
  const h = await harness(`${COUNTER}
walker Quiet {
  obj __specs__ { static has private: bool = True; static has schedule: dict = {"trigger": "interval", "seconds": 0.2}; }
  can go with \`root entry { root ++> Counter(); }
}
`);
  try {
    await sleep(1000);
    const left = (await h.store.listJobs()).filter((j) => j.schedule === 'Quiet');
    assert.ok(left.every((j) => j.status === 'PENDING' || j.status === 'STARTED'), JSON.stringify(left.map((j) => j.status)));
    assert.ok(h.log.filter((l) => l.includes('scheduled walker queued')).length >= 3, 'it did run');
  } finally {
    await h.close();
  }
  await sleep(0);
});

/** A program whose date schedule fires at `runDate`, with the given misfire_grace_time. */
const dated = (runDate: string, grace: string) => `${COUNTER}
walker Once {
  obj __specs__ { static has private: bool = True; static has schedule: dict = {"trigger": "date", "run_date": "${runDate}", "misfire_grace_time": ${grace}, "save": True}; }
  can go with \`root entry { root ++> Counter(n=1); report "ran"; }
}
`;

test('a tick missed while no server ran fires once on start when misfire_grace_time allows it, and is skipped when it does not', async () => {
  for (const [grace, fires] of [['None', true], ['1', false]] as const) {
    const dir = mkdtempSync(join(tmpdir(), 'jac-missed-'));
    // A server that knew the schedule stopped before its date (starting one takes longer than
    // the dates here, so it is the store's record of the schedule that is made directly).
    const before = await LowStore.open(dir);
    const { registeredAt } = await before.registerSchedule('Once');
    await before.close();
    const runDate = new Date(Date.parse(registeredAt) + 100).toISOString();
    await sleep(Date.parse(runDate) - Date.now() + 1300); // more than the 1 s grace past the date
    const second = await harness(dated(runDate, grace), {}, dir);
    try {
      await sleep(600);
      const runs = (await second.store.listJobs()).filter((j) => j.schedule === 'Once');
      if (fires) {
        const done = await until(() => second.store.listJobs(), (all) => all.find((j) => j.schedule === 'Once' && j.status === 'COMPLETED'));
        assert.equal(done.result!.reports, ['ran']);
        assert.is(runs.length, 1, 'once');
      } else {
        assert.is(runs.length, 0, `grace ${grace}: skipped`);
        assert.ok(second.log.some((l) => l.includes('past misfire_grace_time')), 'the skip is logged');
      }
    } finally {
      await second.close();
    }
    const third = await harness(dated(runDate, grace), {}, dir);
    await sleep(300);
    assert.is((await third.store.listJobs()).filter((j) => j.schedule === 'Once').length, fires ? 1 : 0, 'a date fires at most once, restarts or not');
    await third.close();
  }
});

const TASKS = `${COUNTER}
import from jac_cloud.plugin.implementation { create_task }

walker Bump {
  has amount: int;
  obj __specs__ { static has private: bool = True; }
  can at_counter with Counter entry { here.n += self.amount; report here.n; }
  can at_root with \`root entry { report "at root"; }
}

walker Plan {
  can go with \`root entry {
    c = Counter(); root ++> c;
    report create_task(Bump(amount=5), c);
    report create_task(Bump(amount=1), root, "2030-01-01T00:00:00Z");
  }
}

walker PlanThenFail {
  can go with \`root entry { create_task(Bump(amount=1), root); x = 1 / 0; }
}

walker PlanThenSpin {
  can go with \`root entry { create_task(Bump(amount=1), root); while True { } }
}

walker BadTask {
  has which: int;
  can go with \`root entry {
    if self.which == 0 { create_task("Bump", root); }
    elif self.which == 1 { create_task(Bump(amount=1), "root"); }
    else { create_task(Bump(amount=1), root, "next week"); }
  }
}
`;

test("create_task queues a run on the caller's root, entering at the node, no earlier than its date; its owner sees it", async () => {
  const h = await harness(TASKS, { maxMillis: 500 });
  try {
    const alice = await h.login();
    const r = await h.app.inject({ method: 'POST', url: '/walker/Plan', headers: { authorization: alice.authorization } });
    assert.is(r.statusCode, 200, r.body);
    const [now, later] = r.json().reports as string[];
    assert.match(now, /^w:Bump:[0-9a-f]{24}$/);
    assert.match(later, /^w:Bump:[0-9a-f]{24}$/);
    // Queued before the answer was sent.
    const queued = (await h.store.findJob(later))!;
    assert.equal([queued.status, queued.root, queued.runAfter, queued.node], ['PENDING', alice.root, '2030-01-01T00:00:00.000Z', null]);
    const done = await until(() => h.store.listJobs(), (all) => all.find((j) => j.id === now && j.status === 'COMPLETED'));
    assert.equal(done.result!.reports, [5], 'entered at the counter the walker made');
    assert.equal(done.fields, { amount: 5 });
    const doc = (await h.app.inject({ method: 'GET', url: `/async-walker/${now}`, headers: { authorization: alice.authorization } })).json();
    assert.is(doc.schedule.status, 'COMPLETED');
    const bob = await h.login('bob@example.com');
    assert.is((await h.app.inject({ method: 'GET', url: `/async-walker/${now}`, headers: { authorization: bob.authorization } })).statusCode, 404);
    assert.match(await storedRoot(h.dataDir, alice.root), /"n:Counter:[0-9a-f]{24}"[^]*"n":5/, 'the counter is saved with the task\'s change');
  } finally {
    await h.close();
  }
});

test("create_task past the root's room under the queue limit raises RuntimeError; what was queued before stays, and other roots have their own room", async () => {
  const flood = `${TASKS}
walker Flood {
  has n: int;
  can go with \`root entry {
    queued = 0;
    try {
      for i in range(self.n) { create_task(Bump(amount=1), root, "2030-01-01T00:00:00Z"); queued += 1; }
    } except RuntimeError as e { report str(e); }
    report queued;
  }
}
`;
  const h = await harness(flood, { maxQueuedRuns: 3 });
  try {
    const alice = await h.login();
    const bob = await h.login('bob@example.com');
    const run = async (who: { authorization: string }, n: number) => (await h.app.inject({ method: 'POST', url: '/walker/Flood', payload: { n }, headers: { authorization: who.authorization } })).json().reports;
    assert.equal(await run(alice, 2), [2]);
    const full = 'create_task(): too many background runs are waiting on this root; this run may queue 1 and asked for more';
    assert.equal(await run(alice, 5), [full, 1], 'one more fits, the next raises');
    assert.equal(await run(alice, 1), [full.replace('queue 1', 'queue 0'), 0]);
    assert.equal(await run(bob, 2), [2], "another root's room is its own");
    const open = (await h.store.listJobs()).filter((j) => j.status === 'PENDING');
    assert.equal([open.filter((j) => j.root === alice.root).length, open.filter((j) => j.root === bob.root).length], [3, 2]);
  } finally {
    await h.close();
  }
});

test("create_task past the data its root's runs may hold raises RuntimeError; fields grown past it after the call fail the run and queue nothing", async () => {
  const heavy = `${TASKS}
walker Carry {
  has text: str;
  obj __specs__ { static has private: bool = True; }
  can go with \`root entry { report len(self.text); }
}
walker Heavy {
  has n: int;
  has size: int;
  can go with \`root entry {
    queued = 0;
    try {
      for i in range(self.n) { create_task(Carry(text="x" * self.size), root, "2030-01-01T00:00:00Z"); queued += 1; }
    } except RuntimeError as e { report str(e); }
    report queued;
  }
}
walker Grow {
  can go with \`root entry {
    w = Carry(text="small");
    create_task(w, root, "2030-01-01T00:00:00Z");
    w.text = "y" * 4000;
    here ++> Counter(n=7);
  }
}
`;
  const h = await harness(heavy, { maxQueuedChars: { root: 3 * 1024, all: 100 * 1024 } });
  try {
    const alice = await h.login();
    const headers = { authorization: alice.authorization };
    const run = async (n: number, size: number) => (await h.app.inject({ method: 'POST', url: '/walker/Heavy', payload: { n, size }, headers })).json().reports;
    // Each task's fields, {"text":"x…x"}, take 1,111 characters: two fit in 3 KB (3,072), three do not.
    assert.equal(await run(5, 1100), ['create_task(): the background runs waiting on this root would hold too much data; this run may queue 3 KB of fields and asked for 3.3 KB', 2], 'two fit, the third raises');
    assert.equal(await run(1, 1100), ['create_task(): the background runs waiting on this root would hold too much data; this run may queue 850 bytes of fields and asked for 1.1 KB', 0], 'the runs queued before take their room');
    const before = (await h.store.listJobs()).length;
    const grown = await h.app.inject({ method: 'POST', url: '/walker/Grow', headers });
    assert.is(grown.statusCode, 500, 'fields grown past the room after create_task: the run fails');
    assert.ok(h.log.some((l) => /RuntimeError: create_task\(\): the background runs waiting on this root would hold too much data/.test(l)), 'the log says why');
    assert.is((await h.store.listJobs()).length, before, 'and queues nothing');
    assert.match(await storedRoot(h.dataDir, alice.root), /"n":7/, 'what the run changed is kept, as for any error');
  } finally {
    await h.close();
  }
});

test('a run that raises still queues its tasks (its changes are kept); one stopped by its budget queues none; a bad call is a TypeError', async () => {
  const h = await harness(TASKS, { maxMillis: 300 });
  try {
    const alice = await h.login();
    const headers = { authorization: alice.authorization };
    const before = (await h.store.listJobs()).length;
    assert.is((await h.app.inject({ method: 'POST', url: '/walker/PlanThenFail', headers })).statusCode, 500);
    assert.is((await h.store.listJobs()).length, before + 1);
    assert.is((await h.app.inject({ method: 'POST', url: '/walker/PlanThenSpin', headers })).statusCode, 500);
    assert.is((await h.store.listJobs()).length, before + 1, 'nothing of a stopped run is kept');
    for (const [which, message] of [[0, /create_task\(\) walker must be a walker, not 'Bump'/], [1, /create_task\(\) node must be a node, not 'root'/], [2, /create_task\(\) date is not an ISO 8601 date: 'next week'/]] as const) {
      const r = await h.app.inject({ method: 'POST', url: '/walker/BadTask', payload: { which }, headers });
      assert.is(r.statusCode, 500);
      assert.ok(h.log.some((l) => message.test(l)), `logged: ${message}`);
    }
    assert.is((await h.store.listJobs()).length, before + 1);
  } finally {
    await h.close();
  }
});

test.run();
