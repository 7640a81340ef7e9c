// The trigger of a Jac Cloud scheduled walker (the trigger keys of its `schedule` option), read
// with the meaning APScheduler 3.11 gives the keys Jac Cloud hands to add_job, always in UTC, and
// the ticks it makes. Specs are plain data so they can cross to a worker thread.
import { Cron } from 'croner';
import { CRON_FIELDS, CRON_OPTIONS, type CronField, cronPattern } from './cron-fields.ts';
import { TriggerError, fail, show } from './trigger-error.ts';

export { TriggerError };

/** A trigger as plain data. Dates are ISO 8601 UTC strings. */
export type TriggerSpec =
  | { kind: 'cron'; pattern: string /* croner 7-part */; start: string | null; end: string | null }
  | { kind: 'interval'; ms: number; start: string | null; end: string | null }
  | { kind: 'date'; at: string };

type Kind = TriggerSpec['kind'];

/** The keys each trigger kind accepts (for error messages and docs). */
export const TRIGGER_KEYS: Record<Kind, readonly string[]> = {
  cron: [...CRON_FIELDS, 'start_date', 'end_date'],
  interval: ['weeks', 'days', 'hours', 'minutes', 'seconds', 'start_date', 'end_date'],
  date: ['run_date'],
};

const UNIT_MS = { weeks: 604_800_000, days: 86_400_000, hours: 3_600_000, minutes: 60_000, seconds: 1000 } as const;
/** The last instant a Date can hold. */
const MAX_TIME = 8.64e15;

/**
 * Reads `trigger` ("cron" | "interval" | "date") and its fields from `options` (the other keys of
 * the schedule dict, with node/args/kwargs/save already removed by the caller).
 */
export function readTrigger(trigger: unknown, options: Record<string, unknown>): TriggerSpec {
  if (trigger === undefined || trigger === null) fail('trigger', 'is required: "cron", "interval" or "date"');
  if (trigger !== 'cron' && trigger !== 'interval' && trigger !== 'date') fail('trigger', `must be "cron", "interval" or "date", not ${show(trigger)}`);
  const kind = trigger as Kind;
  const keys = TRIGGER_KEYS[kind];
  const given = new Map<string, unknown>();
  for (const [key, v] of Object.entries(options)) {
    if (key === 'trigger') continue;
    if (!keys.includes(key)) fail(key, `is not an option of ${kind === 'interval' ? 'an' : 'a'} ${kind} trigger (${keys.join(', ')})`);
    if (v !== undefined) given.set(key, v);
  }
  if (kind === 'date') {
    const at = given.get('run_date');
    if (at === undefined || at === null) fail('run_date', 'is required: the date and time to run at, such as "2026-01-02T03:04:05Z"');
    return { kind, at: readDate('run_date', at).toISOString() };
  }
  const { start, end } = readBounds(given);
  if (kind === 'interval') return { kind, ms: readInterval(given), start, end };
  const fields: Partial<Record<CronField, string>> = {};
  for (const f of CRON_FIELDS) {
    const v = given.get(f);
    // None is how APScheduler spells "not given" for a cron field.
    if (v !== undefined && v !== null) fields[f] = cronValue(f, v);
  }
  return { kind, pattern: cronPattern(fields), start, end };
}

/**
 * The first tick strictly after `after`, or null when there is none. `origin` is when the schedule
 * was first registered: an interval without start_date ticks at origin + k*interval, k >= 1; with
 * start_date, at start_date + k*interval, k >= 0.
 */
export function nextTick(spec: TriggerSpec, after: Date, origin: Date): Date | null {
  const now = after.getTime();
  if (spec.kind === 'date') return Date.parse(spec.at) > now ? new Date(spec.at) : null;
  const end = spec.end === null ? Infinity : Date.parse(spec.end);
  if (spec.kind === 'interval') {
    const base = spec.start === null ? origin.getTime() + spec.ms : Date.parse(spec.start);
    let t = base > now ? base : base + (Math.floor((now - base) / spec.ms) + 1) * spec.ms;
    // Float division can land one interval off for huge counts.
    if (t <= now) t += spec.ms;
    else if (t - spec.ms > now && t - spec.ms >= base) t -= spec.ms;
    return t > end || t > MAX_TIME ? null : new Date(t);
  }
  // start_date is inclusive: a tick exactly at it counts.
  const start = spec.start === null ? -Infinity : Date.parse(spec.start);
  const next = cronOf(spec.pattern).nextRun(start > now ? new Date(start - 1) : after);
  return next && next.getTime() <= end ? next : null;
}

/**
 * The last tick at or before `at`, or null when there was none yet: what a scheduler that was not
 * running at `at` missed last. Same `origin` as nextTick.
 */
export function previousTick(spec: TriggerSpec, at: Date, origin: Date): Date | null {
  const now = at.getTime();
  if (spec.kind === 'date') return Date.parse(spec.at) <= now ? new Date(spec.at) : null;
  const end = spec.end === null ? Infinity : Date.parse(spec.end);
  const upTo = Math.min(now, end);
  if (spec.kind === 'interval') {
    const base = spec.start === null ? origin.getTime() + spec.ms : Date.parse(spec.start);
    if (upTo < base) return null;
    let t = base + Math.floor((upTo - base) / spec.ms) * spec.ms;
    if (t > upTo) t -= spec.ms; // float division, as in nextTick
    return new Date(t);
  }
  const start = spec.start === null ? -Infinity : Date.parse(spec.start);
  // previousRuns gives runs strictly before its reference: a tick exactly at upTo counts.
  const [last] = cronOf(spec.pattern).previousRuns(1, new Date(upTo + 1));
  return last && last.getTime() >= start ? last : null;
}

const crons = new Map<string, Cron>();
/** Patterns repeat across ticks, so each is parsed once (the cache is small and rarely full). */
function cronOf(pattern: string): Cron {
  let cron = crons.get(pattern);
  if (!cron) {
    if (crons.size >= 1000) crons.clear();
    cron = new Cron(pattern, CRON_OPTIONS);
    crons.set(pattern, cron);
  }
  return cron;
}

/** A cron field as APScheduler reads it: str() of an int, or the string itself. */
function cronValue(f: CronField, v: unknown): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'bigint' || (typeof v === 'number' && Number.isInteger(v))) return String(v);
  return fail(f, `must be an int or a string such as "*/5", not ${show(v)}`);
}

function readInterval(given: Map<string, unknown>): number {
  let total = 0;
  for (const [unit, size] of Object.entries(UNIT_MS)) {
    if (!given.has(unit)) continue;
    const v = given.get(unit);
    const n = typeof v === 'number' ? v : typeof v === 'bigint' ? Number(v) : fail(unit, `must be a number, not ${show(v)}`);
    if (!Number.isFinite(n) || n < 0) fail(unit, `must be a number of at least 0, not ${show(v)}`);
    total += n * size;
  }
  // APScheduler quietly turns a zero interval into one second; here it is a mistake to report.
  if (total === 0) fail('interval', 'must be longer than 0: give weeks, days, hours, minutes or seconds');
  const ms = Math.round(total);
  if (ms < 1) fail('interval', `must be at least 1 millisecond, not ${total} ms`);
  if (ms > MAX_TIME) fail('interval', `is too long (${total} ms)`);
  return ms;
}

function readBounds(given: Map<string, unknown>): { start: string | null; end: string | null } {
  const read = (key: string): Date | null => {
    const v = given.get(key);
    return v === undefined || v === null ? null : readDate(key, v);
  };
  const [start, end] = [read('start_date'), read('end_date')];
  if (start && end && end < start) fail('end_date', `is before start_date (${show(given.get('end_date'))} < ${show(given.get('start_date'))})`);
  return { start: start?.toISOString() ?? null, end: end?.toISOString() ?? null };
}

// APScheduler's date form (util.py _DATE_REGEX), also allowing minutes without seconds and +hhmm.
const DATE = /^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ](\d{1,2}):(\d{1,2})(?::(\d{1,2})(?:\.(\d{1,9}))?)?(Z|[+-]\d\d:?\d\d)?)?$/i;

/** An ISO 8601 date; without an offset it is UTC, the scheduler's time zone. */
function readDate(key: string, v: unknown): Date {
  const form = 'an ISO 8601 date such as "2026-01-02" or "2026-01-02T03:04:05Z"';
  if (typeof v !== 'string') return fail(key, `must be ${form}, not ${show(v)}`);
  const date = parseUtcDate(v);
  if (date === 'malformed') return fail(key, `must be ${form}, not ${show(v)}`);
  if (date === 'unreal') return fail(key, `is not a real date and time: ${show(v)}`);
  return date;
}

/**
 * An ISO 8601 date in APScheduler's forms (also `create_task`'s date): without an offset it is
 * UTC; `malformed` when it is not of the form, `unreal` when it names no real time (Feb 30, 24:00).
 */
export function parseUtcDate(text: string): Date | 'malformed' | 'unreal' {
  const m = DATE.exec(text.trim());
  if (!m) return 'malformed';
  const [y, mo, d, h, mi, s] = m.slice(1, 7).map((x) => Number(x ?? 0));
  const ms = Number((m[7] ?? '').padEnd(3, '0').slice(0, 3));
  const t = new Date(0);
  t.setUTCFullYear(y, mo - 1, d);
  t.setUTCHours(h, mi, s, ms);
  const real = t.getUTCFullYear() === y && t.getUTCMonth() === mo - 1 && t.getUTCDate() === d && h < 24 && mi < 60 && s < 60;
  const zone = m[8]?.toUpperCase() ?? 'Z';
  const [oh, om] = zone === 'Z' ? [0, 0] : [Number(zone.slice(1, 3)), Number(zone.slice(-2))];
  if (!real || oh > 23 || om > 59) return 'unreal';
  return new Date(t.getTime() - (zone.startsWith('-') ? -1 : 1) * (oh * 60 + om) * 60_000);
}
