// The error every problem with a scheduled walker's trigger options becomes, naming the option.

/** A problem with one option of a schedule's trigger: its message is `${key} ${why}`. */
export class TriggerError extends Error {
  constructor(
    readonly key: string,
    why: string,
  ) {
    super(`${key} ${why}`);
    this.name = 'TriggerError';
  }
}

/** Throws a TriggerError; typed to fit where a value is expected. */
export const fail = (key: string, why: string): never => {
  throw new TriggerError(key, why);
};

/** A value as Python would print it, since the options were written in Jac. */
export const show = (v: unknown): string => {
  if (v === null || v === undefined) return 'None';
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (typeof v === 'string') return `'${v.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  if (Array.isArray(v)) return `[${v.map(show).join(', ')}]`;
  if (typeof v === 'number' || typeof v === 'bigint') return String(v);
  return Object.prototype.toString.call(v);
};
