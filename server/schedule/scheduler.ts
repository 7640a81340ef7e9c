// Fires scheduled walkers' ticks (jac-cloud-runtime.md §5) into the job queue, from the main
// thread of every process serving the program. Each tick is fired once across all of them: the
// store records a schedule's last tick and queues the run in one step, so the processes whose
// timers go off for the same tick find it taken (`propagate: True` instead queues a run in every
// process). The run itself is an ordinary job: the dispatcher of any process takes it, on the
// system root, with the walker's fields from `args` and `kwargs`.
//
// Ticks missed while no process ran are handled as APScheduler handles a misfire, which is what
// Jac Cloud's `misfire_grace_time` and `coalesce` mean: a tick later than the grace time is
// skipped; of the missed ticks still within it, the last fires (coalesce) or each fires.
import { newId } from '../../runtime/store/ids.ts';
import type { NewJob, Store } from '../../runtime/store/store.ts';
import { JOB_ATTEMPTS } from '../job-dispatcher.ts';
import type { WalkerManifest } from '../manifest.ts';
import type { ScheduleSpec } from './schedule-spec.ts';
import { nextTick, previousTick } from './triggers.ts';

/** Jac Cloud's system root (`000000000000000000000000`): where scheduled walkers run. */
export const SYSTEM_ROOT_ID = 'n::000000000000000000000000';

/** Missed ticks fired one by one (`coalesce: False`) at most, on start. */
const MAX_MISSED = 1000;
/** setTimeout's longest delay; a later tick is waited for in steps. */
const MAX_DELAY = 2 ** 31 - 1;

export interface SchedulerLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  debug(obj: object, msg: string): void;
}

interface Schedule {
  walker: string;
  spec: ScheduleSpec;
  /** When the schedule began: an interval without start_date counts from here. */
  origin: Date;
  timer: NodeJS.Timeout | null;
}

export class Scheduler {
  private readonly schedules: Schedule[] = [];
  private stopped = false;
  private readonly underway = new Set<Promise<void>>();

  constructor(
    private readonly store: Store,
    walkers: Iterable<WalkerManifest>,
    /** A run was queued: the dispatcher looks now. */
    private readonly queued: () => void,
    private readonly log: SchedulerLog,
  ) {
    for (const w of walkers) if (w.specs.schedule) this.schedules.push({ walker: w.name, spec: w.specs.schedule, origin: new Date(), timer: null });
  }

  /** Registers every schedule, fires what was missed, and arms the timers. */
  async start(): Promise<void> {
    for (const s of this.schedules) {
      if (this.stopped) return;
      let since = new Date();
      if (!s.spec.propagate) {
        const state = await this.store.registerSchedule(s.walker);
        s.origin = new Date(state.registeredAt);
        since = new Date(state.lastTick ?? state.registeredAt);
        await this.fireMissed(s, since);
      }
      this.arm(s, new Date(Math.max(Date.now(), since.getTime())));
    }
  }

  /** Stops the timers; waits for the ticks being fired. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const s of this.schedules) if (s.timer) clearTimeout(s.timer);
    await Promise.all([...this.underway]);
  }

  /** The ticks after `since` that came while no process ran. */
  private async fireMissed(s: Schedule, since: Date): Promise<void> {
    const now = new Date();
    const graceMs = s.spec.misfireGraceSeconds === null ? Infinity : s.spec.misfireGraceSeconds * 1000;
    const inGrace = (t: Date) => now.getTime() - t.getTime() <= graceMs;
    const last = previousTick(s.spec.trigger, now, s.origin);
    if (!last || last <= since) return;
    if (!inGrace(last)) {
      this.log.info({ walker: s.walker, tick: last.toISOString() }, 'scheduled walker: ticks missed while no server ran are past misfire_grace_time; skipped');
      return;
    }
    const ticks: Date[] = [];
    if (s.spec.coalesce) ticks.push(last);
    else {
      for (let t = nextTick(s.spec.trigger, since, s.origin); t && t <= now && ticks.length < MAX_MISSED; t = nextTick(s.spec.trigger, t, s.origin)) if (inGrace(t)) ticks.push(t);
    }
    for (const t of ticks) await this.fire(s, t, true);
  }

  /** Waits for the first tick after `after`, fires it, and goes on. */
  private arm(s: Schedule, after: Date): void {
    if (this.stopped) return;
    const tick = nextTick(s.spec.trigger, after, s.origin);
    if (!tick) return; // a date trigger that fired, or past end_date
    const wait = () => {
      const delay = tick.getTime() - Date.now();
      if (delay > 0) {
        s.timer = setTimeout(wait, Math.min(delay, MAX_DELAY));
        return;
      }
      s.timer = null;
      const firing = this.fire(s, tick, false).finally(() => {
        this.underway.delete(firing);
        this.arm(s, tick);
      });
      this.underway.add(firing);
    };
    wait();
  }

  private async fire(s: Schedule, tick: Date, missed: boolean): Promise<void> {
    if (this.stopped) return;
    const where = { walker: s.walker, tick: tick.toISOString() };
    const lateMs = Date.now() - tick.getTime();
    if (!missed && s.spec.misfireGraceSeconds !== null && lateMs > s.spec.misfireGraceSeconds * 1000) {
      this.log.warn({ ...where, late_ms: lateMs }, 'scheduled walker: tick skipped, later than misfire_grace_time');
      return;
    }
    const job: NewJob = {
      id: newId('w', s.walker),
      walker: s.walker,
      root: SYSTEM_ROOT_ID,
      owner: null,
      node: s.spec.node,
      fields: s.spec.fields,
      allowedNodes: null,
      maxAttempts: JOB_ATTEMPTS,
      internal: true,
      keep: s.spec.save,
    };
    try {
      if (s.spec.propagate) {
        await this.store.enqueueJob({ ...job, schedule: s.walker });
        this.log.info({ ...where, walker_id: job.id }, 'scheduled walker queued');
      } else {
        const result = await this.store.fireSchedule(s.walker, tick.toISOString(), job, s.spec.maxInstances);
        if (result === 'fired') this.log.info({ ...where, walker_id: job.id, missed }, 'scheduled walker queued');
        else if (result === 'busy') this.log.warn({ ...where, max_instances: s.spec.maxInstances }, 'scheduled walker: tick skipped, its earlier runs are unfinished');
        else this.log.debug(where, 'scheduled walker: tick fired by another server');
        if (result !== 'fired') return;
      }
      this.queued();
    } catch (e) {
      this.log.warn({ ...where, err: e }, 'scheduled walker: cannot queue the tick');
    }
  }
}
