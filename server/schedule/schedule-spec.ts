// A scheduled walker's `schedule` option (`__specs__`), read with Jac Cloud's keys and defaults
// (jac-cloud-runtime.md §5): `trigger` and its fields (triggers.ts), `node`, `args`, `kwargs`,
// `misfire_grace_time`, `coalesce`, `max_instances`, `propagate`, `save`. What it reads is plain
// data, sent from the worker that loaded the program to the main thread, which fires the ticks.
import { PyDict, PyTuple } from '../../runtime/values/containers.ts';
import { PyFloat } from '../../runtime/values/numbers.ts';
import { repr } from '../../runtime/values/repr.ts';
import type { Value } from '../../runtime/values/value.ts';
import type { Json } from '../../runtime/store/store.ts';
import { readTrigger, TriggerError, type TriggerSpec } from './triggers.ts';
import { literalJson } from '../literal-json.ts';

export interface ScheduleSpec {
  trigger: TriggerSpec;
  /** The entry node's id, or null for the root it runs on. */
  node: string | null;
  /** The walker's fields, from `args` (in field order) and `kwargs`. */
  fields: Record<string, Json>;
  /** Ticks missed by more than this many seconds are skipped (null: never skipped). */
  misfireGraceSeconds: number | null;
  /** Several missed ticks fire once. */
  coalesce: boolean;
  /** Runs of the schedule unfinished at once; a tick that finds this many is skipped. */
  maxInstances: number;
  /** Every process runs each tick (Jac Cloud's `propagate: True`), instead of one of them. */
  propagate: boolean;
  /** Keep the record of a run that completed (a failed one is always kept). */
  save: boolean;
}

const OPTIONS = ['trigger', 'node', 'args', 'kwargs', 'misfire_grace_time', 'coalesce', 'max_instances', 'next_run_time', 'propagate', 'save'];

/** A trigger field's value as triggers.ts takes it: numbers, strings, bools, None, and lists of them. */
function plain(v: Value): unknown {
  if (v instanceof PyFloat) return v.value;
  if (Array.isArray(v)) return v.map(plain);
  if (v instanceof PyTuple) return v.items.map(plain);
  return v;
}

/**
 * Reads `schedule` for walker `name`, whose fields are `fields` (in order, with whether each has
 * a default); `fail` reports a problem at the option's line.
 */
export function readSchedule(v: Value, name: string, fields: { name: string; hasDefault: boolean }[], fail: (why: string) => never): ScheduleSpec {
  if (!(v instanceof PyDict)) return fail(`must be a dict like {"trigger": "interval", "seconds": 10}, not ${repr(v)}`);
  const options = new Map<string, Value>();
  const triggerFields: Record<string, unknown> = {};
  for (const [k, x] of v.items()) {
    if (typeof k !== 'string') return fail(`has the key ${repr(k)}: keys must be strings`);
    if (OPTIONS.includes(k)) options.set(k, x);
    else triggerFields[k] = plain(x);
  }
  let trigger: TriggerSpec;
  try {
    trigger = readTrigger(plain(options.get('trigger') ?? null), triggerFields);
  } catch (e) {
    if (e instanceof TriggerError) return fail((e as TriggerError).message);
    throw e;
  }
  const bool = (key: string, dflt: boolean): boolean => {
    const x = options.get(key) ?? dflt;
    return typeof x === 'boolean' ? x : fail(`${key} must be True or False, not ${repr(x)}`);
  };
  if (options.has('next_run_time')) fail('next_run_time is not supported: start_date says when an interval or cron schedule begins');
  const node = options.get('node') ?? null;
  if (node !== null && (typeof node !== 'string' || !/^n:[A-Za-z0-9_.]*:[0-9a-f]{24}$/.test(node))) fail(`node must be a node id ("n:Type:<24 hex digits>", or "n::<hex>" for a root), not ${repr(node)}`);

  // The walker is built as W(*args, **kwargs): args fill its fields in order.
  const values: Record<string, Json> = {};
  const args = options.get('args') ?? [];
  const argList = Array.isArray(args) ? args : args instanceof PyTuple ? args.items : fail(`args must be a list, not ${repr(args)}`);
  if (argList.length > fields.length) fail(`args has ${argList.length} values, but ${name} has ${fields.length} field${fields.length === 1 ? '' : 's'}`);
  argList.forEach((x, i) => (values[fields[i].name] = literalJson(x, (why) => fail(`args ${why}`))));
  const kwargs = options.get('kwargs') ?? null;
  if (kwargs !== null && !(kwargs instanceof PyDict)) fail(`kwargs must be a dict, not ${repr(kwargs)}`);
  for (const [k, x] of kwargs instanceof PyDict ? kwargs.items() : []) {
    if (typeof k !== 'string' || !fields.some((f) => f.name === k)) fail(`kwargs names ${repr(k)}, which is not a field of ${name}`);
    if (Object.hasOwn(values, k as string)) fail(`kwargs gives '${k}' a second value (args gave it one)`);
    values[k as string] = literalJson(x, (why) => fail(`kwargs ${why}`));
  }
  for (const f of fields) if (!f.hasDefault && !Object.hasOwn(values, f.name)) fail(`gives no value for '${f.name}', a field of ${name} without a default (use args or kwargs)`);

  const grace = options.has('misfire_grace_time') ? options.get('misfire_grace_time')! : 1; // None: no limit
  const graceSeconds = grace === null ? null : typeof grace === 'number' && grace > 0 ? grace : grace instanceof PyFloat && grace.value > 0 ? grace.value : fail(`misfire_grace_time must be a positive number of seconds or None, not ${repr(grace)}`);
  const max = options.get('max_instances') ?? 1;
  if (typeof max !== 'number' || !Number.isInteger(max) || max < 1) fail(`max_instances must be a whole number of at least 1, not ${repr(max)}`);
  return {
    trigger,
    node: node as string | null,
    fields: values,
    misfireGraceSeconds: graceSeconds,
    coalesce: bool('coalesce', true),
    maxInstances: max as number,
    propagate: bool('propagate', false),
    save: bool('save', false),
  };
}
