// Scheduled walkers' triggers: the ticks of each kind as APScheduler 3.11 gives them for Jac
// Cloud's schedule keys (in UTC), worked out by hand from its documented meaning, and every way a
// schedule can be wrong, each reported at the key. 2026-01-01 is a Thursday.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { TRIGGER_KEYS, TriggerError, type TriggerSpec, nextTick, previousTick, readTrigger } from '../../server/schedule/triggers.ts';

const ORIGIN = new Date('2026-01-01T00:00:00Z');
const at = (iso: string) => new Date(iso);

/** The tick after `after` (ISO) as ISO, or null. */
function tick(trigger: string, options: Record<string, unknown>, after: string, origin = ORIGIN): string | null {
  return nextTick(readTrigger(trigger, options), at(after), origin)?.toISOString() ?? null;
}

/** The ticks one after the other from `after`. */
function ticks(trigger: string, options: Record<string, unknown>, after: string, n: number): (string | null)[] {
  const spec = readTrigger(trigger, options);
  const out: (string | null)[] = [];
  let t: Date | null = at(after);
  for (let i = 0; i < n && t; i++) out.push((t = nextTick(spec, t, ORIGIN))?.toISOString() ?? null);
  return out;
}

function rejects(trigger: unknown, options: Record<string, unknown>, key: string, why: RegExp): void {
  try {
    readTrigger(trigger, options);
  } catch (e) {
    assert.instance(e, TriggerError);
    const err = e as TriggerError;
    assert.is(err.key, key, err.message);
    assert.ok(err.message.startsWith(`${key} `), err.message);
    assert.match(err.message, why);
    return;
  }
  assert.unreachable(`${JSON.stringify(options, (_, v) => (typeof v === 'bigint' ? `${v}n` : v))} was accepted`);
}

test('cron: a step in the least significant field given, with the fields below it at 0', () => {
  assert.is(tick('cron', { minute: '*/15' }, '2026-01-05T10:07:30Z'), '2026-01-05T10:15:00.000Z');
  // Strictly after: a tick at `after` itself is the one already run.
  assert.is(tick('cron', { minute: '*/15' }, '2026-01-05T10:15:00Z'), '2026-01-05T10:30:00.000Z');
  assert.is(tick('cron', { minute: 5 }, '2026-01-05T10:07:00Z'), '2026-01-05T11:05:00.000Z');
  assert.is(tick('cron', { minute: '5/20' }, '2026-01-05T10:30:00Z'), '2026-01-05T10:45:00.000Z');
  assert.is(tick('cron', { hour: '1-10/4' }, '2026-01-05T05:00:00Z'), '2026-01-05T09:00:00.000Z');
  assert.is(tick('cron', { hour: '1-10/4' }, '2026-01-05T09:00:00Z'), '2026-01-06T01:00:00.000Z');
  assert.is(tick('cron', { minute: ' 1 , 31 ' }, '2026-01-05T10:07:00Z'), '2026-01-05T10:31:00.000Z');
});

test('cron: fields more significant than those given are *, less significant ones their minimum', () => {
  assert.is(tick('cron', { hour: 3 }, '2026-01-05T03:00:00Z'), '2026-01-06T03:00:00.000Z');
  assert.is(tick('cron', { month: 6 }, '2026-01-05T00:00:00Z'), '2026-06-01T00:00:00.000Z');
  assert.is(tick('cron', { year: 2027 }, '2026-01-05T00:00:00Z'), '2027-01-01T00:00:00.000Z');
  assert.is(tick('cron', { day: 15, second: 30 }, '2026-01-05T00:00:00Z'), '2026-01-15T00:00:30.000Z');
  // None means not given, as in APScheduler.
  assert.is(tick('cron', { hour: 3, minute: null }, '2026-01-05T03:00:00Z'), '2026-01-06T03:00:00.000Z');
  // week "*" restricts nothing but still counts as given for the defaults.
  assert.is(tick('cron', { week: '*' }, '2026-01-05T10:00:00Z'), '2026-01-06T00:00:00.000Z');
});

test('cron: every second, whether asked for or with no field at all', () => {
  assert.equal(ticks('cron', { second: '*' }, '2026-01-05T10:07:30.500Z', 3), ['2026-01-05T10:07:31.000Z', '2026-01-05T10:07:32.000Z', '2026-01-05T10:07:33.000Z']);
  assert.is(tick('cron', {}, '2026-01-05T10:07:59Z'), '2026-01-05T10:08:00.000Z');
});

test('cron: day_of_week counts from Monday = 0, by number or name', () => {
  assert.is(tick('cron', { day_of_week: 'mon-fri', hour: 9 }, '2026-01-03T10:00:00Z'), '2026-01-05T09:00:00.000Z');
  assert.is(tick('cron', { day_of_week: '0-4', hour: 9 }, '2026-01-03T10:00:00Z'), '2026-01-05T09:00:00.000Z');
  assert.is(tick('cron', { day_of_week: 6 }, '2026-01-01T10:00:00Z'), '2026-01-04T00:00:00.000Z');
  assert.equal(ticks('cron', { day_of_week: 'SAT,sun', hour: 9 }, '2026-01-05T00:00:00Z', 3), ['2026-01-10T09:00:00.000Z', '2026-01-11T09:00:00.000Z', '2026-01-17T09:00:00.000Z']);
  assert.equal(ticks('cron', { day_of_week: 'sat-sun' }, '2026-01-05T00:00:00Z', 2), ['2026-01-10T00:00:00.000Z', '2026-01-11T00:00:00.000Z']);
  // Every other day from Monday: Mon, Wed, Fri, Sun.
  assert.equal(ticks('cron', { day_of_week: '*/2' }, '2026-01-04T00:00:00Z', 4), ['2026-01-05T00:00:00.000Z', '2026-01-07T00:00:00.000Z', '2026-01-09T00:00:00.000Z', '2026-01-11T00:00:00.000Z']);
});

test('cron: month names, and year steps counted from 1970', () => {
  assert.is(tick('cron', { month: 'JUN-Aug', day: 15 }, '2026-01-05T00:00:00Z'), '2026-06-15T00:00:00.000Z');
  assert.is(tick('cron', { month: 'jun-aug', day: 15 }, '2026-08-15T00:00:00Z'), '2027-06-15T00:00:00.000Z');
  assert.is(tick('cron', { month: 'feb,nov' }, '2026-03-01T00:00:00Z'), '2026-11-01T00:00:00.000Z');
  assert.is(tick('cron', { year: '*/4' }, '2026-01-05T00:00:00Z'), '2030-01-01T00:00:00.000Z');
});

test('cron: the last day of the month and nth weekdays', () => {
  assert.is(tick('cron', { day: 'last' }, '2026-02-03T00:00:00Z'), '2026-02-28T00:00:00.000Z');
  assert.is(tick('cron', { day: 'LAST' }, '2028-02-03T00:00:00Z'), '2028-02-29T00:00:00.000Z');
  assert.is(tick('cron', { day: '1,last' }, '2026-01-31T10:00:00Z'), '2026-02-01T00:00:00.000Z');
  assert.is(tick('cron', { day: 'last fri' }, '2026-02-03T00:00:00Z'), '2026-02-27T00:00:00.000Z');
  assert.is(tick('cron', { day: '2nd mon' }, '2026-01-13T00:00:00Z'), '2026-02-09T00:00:00.000Z');
  // Only months with five Fridays have a 5th: after January 2026, the next is May.
  assert.is(tick('cron', { day: '5th fri' }, '2026-02-03T00:00:00Z'), '2026-05-29T00:00:00.000Z');
  assert.equal(ticks('cron', { day: '1st mon, 3rd mon' }, '2026-01-01T00:00:00Z', 3), ['2026-01-05T00:00:00.000Z', '2026-01-19T00:00:00.000Z', '2026-02-02T00:00:00.000Z']);
});

test('cron: day and day_of_week both given must both match', () => {
  // The 13th that is a Friday, not every 13th and every Friday.
  assert.is(tick('cron', { day: 13, day_of_week: 'fri' }, '2026-01-01T00:00:00Z'), '2026-02-13T00:00:00.000Z');
  assert.is(tick('cron', { day: 13, day_of_week: 'fri' }, '2026-02-13T00:00:00Z'), '2026-03-13T00:00:00.000Z');
  assert.is(tick('cron', { day: 'last', day_of_week: 'fri' }, '2026-01-01T00:00:00Z'), '2026-07-31T00:00:00.000Z');
});

test('cron: start_date and end_date are inclusive bounds', () => {
  const bounded = { hour: 3, start_date: '2026-03-01', end_date: '2026-03-03T03:00:00' };
  assert.is(tick('cron', bounded, '2026-01-05T00:00:00Z'), '2026-03-01T03:00:00.000Z');
  assert.is(tick('cron', bounded, '2026-03-02T03:00:00Z'), '2026-03-03T03:00:00.000Z');
  assert.is(tick('cron', bounded, '2026-03-03T03:00:00Z'), null);
  assert.is(tick('cron', { hour: 3, start_date: '2026-03-01T03:00:00Z' }, '2026-01-05T00:00:00Z'), '2026-03-01T03:00:00.000Z');
  assert.is(tick('cron', { hour: 3, start_date: '2026-03-01T05:00:00+02:00' }, '2026-01-05T00:00:00Z'), '2026-03-01T03:00:00.000Z');
  assert.is(tick('cron', { hour: 3, end_date: '2026-01-05T02:59:59Z' }, '2026-01-04T03:00:00Z'), null);
  // A pattern that never matches again ends the schedule.
  assert.is(tick('cron', { year: 2026, month: 2, day: 29 }, '2026-01-01T00:00:00Z'), null);
});

test('interval: without start_date, from when the schedule was registered, k >= 1', () => {
  assert.equal(ticks('interval', { minutes: 10 }, '2026-01-01T00:00:00Z', 2), ['2026-01-01T00:10:00.000Z', '2026-01-01T00:20:00.000Z']);
  assert.is(tick('interval', { minutes: 10 }, '2026-01-01T00:10:00Z'), '2026-01-01T00:20:00.000Z');
  assert.is(tick('interval', { minutes: 10 }, '2025-06-01T00:00:00Z'), '2026-01-01T00:10:00.000Z');
  assert.is(tick('interval', { minutes: 10 }, '2999-01-01T00:00:01Z'), '2999-01-01T00:10:00.000Z');
  assert.is(tick('interval', { seconds: 10n }, '2026-01-01T00:00:05Z'), '2026-01-01T00:00:10.000Z');
  const spec = readTrigger('interval', { weeks: 1, days: 1, hours: 1, minutes: 1, seconds: 1.5 });
  assert.equal(spec, { kind: 'interval', ms: 604_800_000 + 86_400_000 + 3_600_000 + 60_000 + 1500, start: null, end: null });
});

test('interval: with start_date, from it, k >= 0, and never after end_date', () => {
  const hourly = { hours: 1, start_date: '2026-01-01T00:30:00+01:00' };
  assert.is(tick('interval', hourly, '2025-01-01T00:00:00Z'), '2025-12-31T23:30:00.000Z');
  assert.is(tick('interval', hourly, '2025-12-31T23:30:00Z'), '2026-01-01T00:30:00.000Z');
  assert.is(tick('interval', hourly, '9000-06-01T12:00:00.001Z'), '9000-06-01T12:30:00.000Z');
  assert.equal(ticks('interval', { seconds: 30, end_date: '2026-01-01T00:01:00Z' }, '2026-01-01T00:00:00Z', 3), ['2026-01-01T00:00:30.000Z', '2026-01-01T00:01:00.000Z', null]);
});

test('interval: far past origin, each tick is arithmetic, not a walk', () => {
  const spec = readTrigger('interval', { seconds: 1 });
  const started = performance.now();
  for (let i = 0; i < 10_000; i++) nextTick(spec, at('9999-01-01T00:00:00.500Z'), ORIGIN);
  assert.ok(performance.now() - started < 500);
  assert.is(nextTick(spec, at('9999-01-01T00:00:00.500Z'), ORIGIN)?.toISOString(), '9999-01-01T00:00:01.000Z');
});

test('date: once at run_date, then never', () => {
  assert.is(tick('date', { run_date: '2026-05-01T12:00:00' }, '2026-01-01T00:00:00Z'), '2026-05-01T12:00:00.000Z');
  assert.is(tick('date', { run_date: '2026-05-01T12:00:00' }, '2026-05-01T12:00:00Z'), null);
  assert.is(tick('date', { run_date: '2026-05-01T12:00:00' }, '2026-06-01T00:00:00Z'), null);
  assert.is(tick('date', { run_date: '2026-05-01' }, '2026-01-01T00:00:00Z'), '2026-05-01T00:00:00.000Z');
  assert.is(tick('date', { run_date: '2026-05-01 12:00:00.250-02:30' }, '2026-01-01T00:00:00Z'), '2026-05-01T14:30:00.250Z');
});

test('specs are plain data that survive a structured clone', () => {
  const specs: TriggerSpec[] = [
    readTrigger('cron', { day_of_week: 'mon-fri', hour: 9, start_date: '2026-01-01', end_date: '2027-01-01' }),
    readTrigger('interval', { minutes: 5 }),
    readTrigger('date', { run_date: '2026-05-01' }),
  ];
  for (const spec of specs) {
    const copy = structuredClone(spec);
    assert.equal(copy, spec);
    assert.equal(nextTick(copy, at('2026-01-03T00:00:00Z'), ORIGIN), nextTick(spec, at('2026-01-03T00:00:00Z'), ORIGIN));
  }
  assert.equal(specs[0], { kind: 'cron', pattern: '0 0 9 * * 1,2,3,4,5 *', start: '2026-01-01T00:00:00.000Z', end: '2027-01-01T00:00:00.000Z' });
});

test('the trigger kind must be given and known', () => {
  rejects(undefined, {}, 'trigger', /is required: "cron", "interval" or "date"/);
  rejects(null, {}, 'trigger', /is required/);
  rejects('weekly', {}, 'trigger', /must be "cron", "interval" or "date", not 'weekly'/);
  rejects(5, {}, 'trigger', /not 5$/);
});

test('a key the trigger kind does not have is named, with the ones it has', () => {
  rejects('cron', { minutes: 5 }, 'minutes', /is not an option of a cron trigger \(year, month, day, week, day_of_week, hour, minute, second, start_date, end_date\)/);
  rejects('interval', { minute: 5 }, 'minute', /is not an option of an interval trigger \(weeks, days, hours, minutes, seconds, start_date, end_date\)/);
  rejects('date', { start_date: '2026-01-01' }, 'start_date', /is not an option of a date trigger \(run_date\)/);
  assert.equal(TRIGGER_KEYS.date, ['run_date']);
});

test('cron: a value of the wrong type', () => {
  rejects('cron', { hour: true }, 'hour', /must be an int or a string such as "\*\/5", not True/);
  rejects('cron', { hour: 1.5 }, 'hour', /not 1\.5/);
  rejects('cron', { hour: [1, 2] }, 'hour', /not \[1, 2\]/);
});

test('cron: values outside a field', () => {
  rejects('cron', { second: 60 }, 'second', /has 60, which is outside 0-59/);
  rejects('cron', { minute: 60 }, 'minute', /has 60, which is outside 0-59/);
  rejects('cron', { hour: 24 }, 'hour', /has 24, which is outside 0-23/);
  rejects('cron', { day: 32 }, 'day', /has 32, which is outside 1-31/);
  rejects('cron', { day: 0 }, 'day', /has 0, which is outside 1-31/);
  rejects('cron', { month: 13 }, 'month', /has 13, which is outside 1-12/);
  rejects('cron', { year: 1969 }, 'year', /has 1969, which is outside 1970-9999/);
  rejects('cron', { day_of_week: 7 }, 'day_of_week', /has 7, which is outside 0-6/);
  rejects('cron', { hour: '1-30' }, 'hour', /has 30, which is outside 0-23/);
  rejects('cron', { hour: 10n ** 30n }, 'hour', /outside 0-23/);
});

test('cron: malformed expressions', () => {
  rejects('cron', { minute: '*/0' }, 'minute', /has '\*\/0', but a step must be at least 1/);
  rejects('cron', { minute: '*/60' }, 'minute', /whose step 60 is larger than the range it steps through \(59\)/);
  rejects('cron', { hour: '1-5/5' }, 'hour', /whose step 5 is larger than the range it steps through \(4\)/);
  rejects('cron', { hour: '5-3' }, 'hour', /has '5-3', a range that ends before it starts/);
  rejects('cron', { day_of_week: 'sun-mon' }, 'day_of_week', /a range that ends before it starts/);
  rejects('cron', { second: -1 }, 'second', /cannot be '-1': use \*, \*\/n, a, a-b, a-b\/n, or a comma-separated list/);
  rejects('cron', { minute: '' }, 'minute', /cannot be ''/);
  rejects('cron', { minute: 'mon' }, 'minute', /cannot be 'mon'/);
  rejects('cron', { month: 'foo' }, 'month', /has 'foo', but 'foo' is not a month name \(jan\.\.dec\)/);
  rejects('cron', { day_of_week: 'mon-funday' }, 'day_of_week', /'funday' is not a weekday name \(mon\.\.sun\)/);
  rejects('cron', { day_of_week: 'mon-fri/2' }, 'day_of_week', /cannot be 'mon-fri\/2'.*weekday names mon\.\.sun/);
  rejects('cron', { day: 'last friday' }, 'day', /'friday' is not a weekday name/);
  rejects('cron', { day: '2nd 1' }, 'day', /'1' is not a weekday name/);
  rejects('cron', { day: '6th mon' }, 'day', /cannot be '6th mon'.*"last fri"/);
});

test('cron: what croner cannot express is refused, not approximated', () => {
  rejects('cron', { week: 3 }, 'week', /is not supported/);
  rejects('cron', { week: '1-10', hour: 3 }, 'week', /is not supported/);
  rejects('cron', { day: 'last fri,15' }, 'day', /cannot mix weekday positions with days of the month/);
  rejects('cron', { day: 'last fri', day_of_week: 'mon' }, 'day', /cannot be a weekday position \('last fri'\) while day_of_week is also given/);
});

test('dates that are not dates, and bounds the wrong way round', () => {
  rejects('cron', { hour: 3, start_date: 5 }, 'start_date', /must be an ISO 8601 date such as "2026-01-02" or "2026-01-02T03:04:05Z", not 5/);
  rejects('cron', { hour: 3, end_date: 'tomorrow' }, 'end_date', /must be an ISO 8601 date .*, not 'tomorrow'/);
  rejects('interval', { hours: 1, start_date: '2026-13-01' }, 'start_date', /is not a real date and time: '2026-13-01'/);
  rejects('date', { run_date: '2026-02-30' }, 'run_date', /is not a real date and time/);
  rejects('date', { run_date: '2026-01-01T24:00:00' }, 'run_date', /is not a real date and time/);
  rejects('date', { run_date: '2026-01-01T10:00:00+25:00' }, 'run_date', /is not a real date and time/);
  rejects('cron', { hour: 3, start_date: '2026-02-01', end_date: '2026-01-01' }, 'end_date', /is before start_date/);
  rejects('interval', { hours: 1, start_date: '2026-02-01', end_date: '2026-01-31T23:59:59Z' }, 'end_date', /is before start_date/);
  rejects('date', {}, 'run_date', /is required/);
  rejects('date', { run_date: null }, 'run_date', /is required/);
});

test('interval: amounts must be numbers of at least 0 adding up to more than 0', () => {
  rejects('interval', { minutes: '5' }, 'minutes', /must be a number, not '5'/);
  rejects('interval', { minutes: null }, 'minutes', /must be a number, not None/);
  rejects('interval', { minutes: true }, 'minutes', /must be a number, not True/);
  rejects('interval', { seconds: -1 }, 'seconds', /must be a number of at least 0, not -1/);
  rejects('interval', { seconds: Number.NaN }, 'seconds', /at least 0/);
  rejects('interval', { seconds: Number.POSITIVE_INFINITY }, 'seconds', /at least 0/);
  rejects('interval', {}, 'interval', /must be longer than 0: give weeks, days, hours, minutes or seconds/);
  rejects('interval', { hours: 0, minutes: 0 }, 'interval', /must be longer than 0/);
  rejects('interval', { seconds: 0.0001 }, 'interval', /must be at least 1 millisecond/);
  rejects('interval', { weeks: 10n ** 30n }, 'interval', /is too long/);
});

test('the last tick at or before a time: what a scheduler that was not running missed last', () => {
  const last = (trigger: string, options: Record<string, unknown>, upTo: string) => previousTick(readTrigger(trigger, options), at(upTo), ORIGIN)?.toISOString() ?? null;
  assert.is(last('cron', { minute: '*/15' }, '2026-01-01T10:15:00Z'), '2026-01-01T10:15:00.000Z', 'a tick exactly then counts');
  assert.is(last('cron', { minute: '*/15' }, '2026-01-01T10:14:59Z'), '2026-01-01T10:00:00.000Z');
  assert.is(last('cron', { hour: 3, start_date: '2026-01-05' }, '2026-01-04T12:00:00Z'), null, 'none before start_date');
  assert.is(last('cron', { hour: 3, end_date: '2026-01-02T12:00:00Z' }, '2026-01-09T00:00:00Z'), '2026-01-02T03:00:00.000Z', 'none after end_date');
  assert.is(last('interval', { seconds: 10 }, '2026-01-01T00:00:25Z'), '2026-01-01T00:00:20.000Z', 'origin + k * interval, k >= 1');
  assert.is(last('interval', { seconds: 10 }, '2026-01-01T00:00:05Z'), null);
  assert.is(last('interval', { seconds: 10, start_date: '2026-01-01T00:00:03Z' }, '2026-01-01T00:00:05Z'), '2026-01-01T00:00:03.000Z', 'start_date itself is a tick');
  assert.is(last('date', { run_date: '2026-01-01T00:00:05Z' }, '2026-01-01T00:00:05Z'), '2026-01-01T00:00:05.000Z');
  assert.is(last('date', { run_date: '2026-01-01T00:00:05Z' }, '2026-01-01T00:00:04Z'), null);
});

test.run();
