// APScheduler 3.11's CronTrigger fields (triggers/cron/fields.py and expressions.py) as a croner
// 7-part pattern. APScheduler's defaulting and range checks are repeated here so that what it
// rejects is rejected too, naming the option, before croner sees the pattern.
import { Cron } from 'croner';
import { fail, show } from './trigger-error.ts';

/** Most significant first, as APScheduler walks them when it fills in defaults. */
export const CRON_FIELDS = ['year', 'month', 'day', 'week', 'day_of_week', 'hour', 'minute', 'second'] as const;
export type CronField = (typeof CRON_FIELDS)[number];

const MIN: Record<CronField, number> = { year: 1970, month: 1, day: 1, week: 1, day_of_week: 0, hour: 0, minute: 0, second: 0 };
const MAX: Record<CronField, number> = { year: 9999, month: 12, day: 31, week: 53, day_of_week: 6, hour: 23, minute: 59, second: 59 };
/** What a field less significant than every given one becomes (more significant ones become `*`). */
const DEFAULTS: Record<CronField, string> = { year: '*', month: '1', day: '1', week: '*', day_of_week: '*', hour: '0', minute: '0', second: '0' };

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
/** APScheduler counts weekdays from Monday = 0; croner from Sunday = 0. */
const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
const POSITIONS = ['1st', '2nd', '3rd', '4th', '5th'];

const ALL = /^\*(?:\/(\d+))?$/;
const NUMBERS = /^(\d+)(?:-(\d+))?(?:\/(\d+))?$/;
const NAMES = /^([a-z]+)(?:-([a-z]+))?$/i;
const POSITION = /^(1st|2nd|3rd|4th|5th|last) +(\w+)$/i;

/** How croner must read the pattern: in UTC, and with day and day_of_week both required. */
export const CRON_OPTIONS = { mode: '7-part', timezone: 'UTC', domAndDow: true, paused: true } as const;

/** The values first, first + step, ... up to last, inclusive. */
interface Range {
  first: number;
  last: number;
  step: number;
}
/** `day: "2nd mon"` or `"last fri"`: an nth weekday of the month (croner's `#`). */
interface Position {
  nth: string;
  weekday: number;
}
type Part = Range | Position | 'L';

const FORMS: Partial<Record<CronField, string>> = {
  month: ', or month names jan..dec',
  day_of_week: ', or weekday names mon..sun (0 is Monday)',
  day: ', "last", or "1st".."5th"/"last" and a weekday name, as in "last fri"',
};

/** The croner pattern for the given fields (strings, as APScheduler reads them with str()). */
export function cronPattern(given: Partial<Record<CronField, string>>): string {
  const lastGiven = CRON_FIELDS.findLastIndex((f) => given[f] !== undefined);
  // With no field at all APScheduler leaves every one at `*`, which is every second.
  const exprOf = (f: CronField, i: number): string => given[f] ?? (lastGiven >= 0 && i > lastGiven ? DEFAULTS[f] : '*');
  const parts = {} as Record<CronField, Part[]>;
  CRON_FIELDS.forEach((f, i) => {
    const expr = exprOf(f, i).trim();
    if (f === 'week') {
      if (expr !== '*') fail('week', 'is not supported: ISO week numbers cannot be expressed in the cron patterns jac-serve runs; use day and month, or leave week out');
      return;
    }
    parts[f] = expr.split(/ *, */).map((p) => readPart(f, p));
  });
  const dow = weekdays(parts.day_of_week as Range[]);
  const day = parts.day.filter((p): p is Range | 'L' => typeof p !== 'object' || !('nth' in p));
  const positions = parts.day.filter((p): p is Position => typeof p === 'object' && 'nth' in p);
  let domText = day.map((p) => (p === 'L' ? 'L' : rangeText('day', p))).join(',');
  let dowText = dow;
  if (positions.length > 0) {
    // croner puts nth weekdays in the day-of-week field, so only a day made of them alone fits.
    if (day.length > 0) fail('day', `cannot mix weekday positions with days of the month in ${show(given.day)}`);
    if (dow !== '*') fail('day', `cannot be a weekday position (${show(given.day)}) while day_of_week is also given`);
    domText = '*';
    dowText = positions.map((p) => `${(p.weekday + 1) % 7}#${p.nth}`).join(',');
  }
  const one = (f: CronField): string => (parts[f] as Range[]).map((p) => rangeText(f, p)).join(',');
  const slots: [CronField, string][] = [
    ['second', one('second')],
    ['minute', one('minute')],
    ['hour', one('hour')],
    ['day', domText],
    ['month', one('month')],
    ['day_of_week', dowText],
    ['year', one('year')],
  ];
  checkWithCroner(slots);
  return slots.map(([, text]) => text).join(' ');
}

function readPart(f: CronField, part: string): Part {
  const all = ALL.exec(part);
  if (all) return range(f, part, MIN[f], null, all[1] === undefined ? null : Number(all[1]), true);
  const numbers = NUMBERS.exec(part);
  if (numbers) {
    const [, first, last, step] = numbers;
    return range(f, part, Number(first), last === undefined ? null : Number(last), step === undefined ? null : Number(step), false);
  }
  if (f === 'day' && /^last$/i.test(part)) return 'L';
  const position = f === 'day' ? POSITION.exec(part) : null;
  if (position) {
    const weekday = WEEKDAYS.indexOf(position[2].toLowerCase());
    if (weekday < 0) fail(f, `has ${show(part)}, but ${show(position[2])} is not a weekday name (mon..sun)`);
    const nth = position[1].toLowerCase();
    return { nth: nth === 'last' ? 'L' : String(POSITIONS.indexOf(nth) + 1), weekday };
  }
  const names = f === 'month' ? MONTHS : f === 'day_of_week' ? WEEKDAYS : null;
  const named = names ? NAMES.exec(part) : null;
  if (names && named) {
    const number = (name: string): number => {
      const i = names.indexOf(name.toLowerCase());
      return i < 0 ? fail(f, `has ${show(part)}, but ${show(name)} is not a ${f === 'month' ? 'month name (jan..dec)' : 'weekday name (mon..sun)'}`) : i + MIN[f];
    };
    return range(f, part, number(named[1]), named[2] === undefined ? null : number(named[2]), null, false);
  }
  return fail(f, `cannot be ${show(part)}: use *, */n, a, a-b, a-b/n${FORMS[f] ?? ''}, or a comma-separated list of these`);
}

/** A checked range, with APScheduler's rules (expressions.py RangeExpression.validate_range). */
function range(f: CronField, part: string, first: number, last: number | null, step: number | null, wildcard: boolean): Range {
  const [min, max] = [MIN[f], MAX[f]];
  if (step === 0) fail(f, `has ${show(part)}, but a step must be at least 1`);
  if (last !== null && first > last) fail(f, `has ${show(part)}, a range that ends before it starts`);
  for (const v of [first, last ?? first]) if (v < min || v > max) fail(f, `has ${Number.isSafeInteger(v) ? v : show(part)}, which is outside ${min}-${max}`);
  // APScheduler measures a step against the range it steps through (`last or max`, as it writes it).
  const span = wildcard ? max - min : (last || max) - first;
  if (step !== null && step > span) fail(f, `has ${show(part)}, whose step ${step} is larger than the range it steps through (${span})`);
  return { first, last: last ?? (step === null && !wildcard ? first : max), step: step ?? 1 };
}

/** A range in croner's syntax; a step always gets an explicit start, as APScheduler counts from it. */
function rangeText(f: CronField, r: Range): string {
  if (r.step === 1) return r.first === MIN[f] && r.last === MAX[f] ? '*' : r.first === r.last ? `${r.first}` : `${r.first}-${r.last}`;
  return `${r.first}-${r.last}/${r.step}`;
}

/** day_of_week as croner numbers: spelled out, since Monday-based ranges can wrap past Sunday. */
function weekdays(ranges: Range[]): string {
  const days = new Set<number>();
  for (const r of ranges) for (let d = r.first; d <= r.last; d += r.step) days.add((d + 1) % 7);
  return days.size === 7 ? '*' : [...days].sort((a, b) => a - b).join(',');
}

/** Lets croner read the pattern; its complaint is pinned on the first field it has with that slot alone. */
function checkWithCroner(slots: [CronField, string][]): void {
  const tryPattern = (texts: string[]): string | null => {
    try {
      new Cron(texts.join(' '), CRON_OPTIONS);
      return null;
    } catch (e) {
      return (e as Error).message.replace(/^CronPattern: /, '');
    }
  };
  const problem = tryPattern(slots.map(([, text]) => text));
  if (problem === null) return;
  // Alone: that slot with every other left wide open.
  const culprit = slots.find(([, text], i) => tryPattern(slots.map((_, j) => (j === i ? text : j === 0 ? '0' : '*'))) !== null);
  fail(culprit?.[0] ?? 'trigger', `is not accepted by croner: ${problem}`);
}
