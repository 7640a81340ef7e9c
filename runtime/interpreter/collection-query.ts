// The subset of MongoDB filters Jac Cloud apps pass to `NodeAnchor.Collection.find / find_one /
// count` (jac-cloud-runtime.md §8), evaluated over documents shaped as Jac Cloud stores anchors:
// {_id, name, root, archetype: {fields}, edges | source, target}. Equality, $eq $ne $gt $gte $lt
// $lte $in $nin $exists $regex, and $and $or $nor; a dotted path reaches into nested values, and
// a path through a list matches when any item does, as in MongoDB. Anything else is refused
// with a message naming it, never silently matched.
import { PyError } from '../values/errors.ts';

export type Doc = null | boolean | number | bigint | string | Doc[] | { [key: string]: Doc };

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Whether `doc` matches `filter`. */
export function matches(doc: Doc, filter: Record<string, unknown>): boolean {
  for (const [key, cond] of Object.entries(filter)) {
    if (key === '$and' || key === '$or' || key === '$nor') {
      if (!Array.isArray(cond)) throw new PyError('ValueError', `${key} takes a list of filters`);
      const each = cond.map((c) => {
        if (!isObject(c)) throw new PyError('ValueError', `${key} takes a list of filters`);
        return matches(doc, c);
      });
      if (key === '$and' && !each.every(Boolean)) return false;
      if (key === '$or' && !each.some(Boolean)) return false;
      if (key === '$nor' && each.some(Boolean)) return false;
      continue;
    }
    if (key.startsWith('$')) throw new PyError('ValueError', `the query operator ${key} is not supported`);
    if (!fieldMatches(valuesAt(doc, key.split('.')), cond)) return false;
  }
  return true;
}

/** The values a dotted path reaches (several through lists); `missing` when it reaches none. */
function valuesAt(doc: Doc, path: string[]): Doc[] | 'missing' {
  let current: Doc[] = [doc];
  for (const part of path) {
    const next: Doc[] = [];
    for (const v of current) {
      if (isObject(v) && Object.hasOwn(v, part)) next.push(v[part] as Doc);
      else if (Array.isArray(v)) for (const item of v) if (isObject(item) && Object.hasOwn(item, part)) next.push(item[part] as Doc);
    }
    if (next.length === 0) return 'missing';
    current = next;
  }
  return current;
}

function fieldMatches(found: Doc[] | 'missing', cond: unknown): boolean {
  const operators = isObject(cond) && Object.keys(cond).length > 0 && Object.keys(cond).every((k) => k.startsWith('$'));
  if (!operators) return found !== 'missing' && found.some((v) => equalsOrContains(v, cond));
  for (const [op, arg] of Object.entries(cond as Record<string, unknown>)) {
    if (!operatorMatches(found, op, arg)) return false;
  }
  return true;
}

function operatorMatches(found: Doc[] | 'missing', op: string, arg: unknown): boolean {
  const values = found === 'missing' ? [] : found;
  switch (op) {
    case '$eq':
      return values.some((v) => equalsOrContains(v, arg));
    case '$ne':
      return !values.some((v) => equalsOrContains(v, arg));
    case '$in':
      if (!Array.isArray(arg)) throw new PyError('ValueError', '$in takes a list');
      return values.some((v) => arg.some((a) => equalsOrContains(v, a)));
    case '$nin':
      if (!Array.isArray(arg)) throw new PyError('ValueError', '$nin takes a list');
      return !values.some((v) => arg.some((a) => equalsOrContains(v, a)));
    case '$exists':
      return (found !== 'missing') === Boolean(arg);
    case '$gt':
    case '$gte':
    case '$lt':
    case '$lte':
      return values.some((v) => compareOrdered(op, v, arg));
    case '$regex': {
      if (typeof arg !== 'string') throw new PyError('ValueError', '$regex takes a string');
      let re: RegExp;
      try {
        re = new RegExp(arg);
      } catch {
        throw new PyError('ValueError', `$regex: ${JSON.stringify(arg)} is not a valid pattern`);
      }
      return values.some((v) => typeof v === 'string' && re.test(v));
    }
    default:
      throw new PyError('ValueError', `the query operator ${op} is not supported`);
  }
}

/** MongoDB equality: equal values, or a list holding the value. */
function equalsOrContains(v: Doc, want: unknown): boolean {
  if (same(v, want)) return true;
  return Array.isArray(v) && !Array.isArray(want) && v.some((x) => same(x, want));
}

function same(a: unknown, b: unknown): boolean {
  if ((typeof a === 'number' || typeof a === 'bigint') && (typeof b === 'number' || typeof b === 'bigint')) return BigInt(a) === BigInt(b) || Number(a) === Number(b);
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => same(x, b[i]));
  if (isObject(a) && isObject(b)) {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => same(a[k], b[k]));
  }
  return a === b;
}

function compareOrdered(op: string, v: Doc, arg: unknown): boolean {
  const bothNumbers = (typeof v === 'number' || typeof v === 'bigint') && (typeof arg === 'number' || typeof arg === 'bigint');
  const bothStrings = typeof v === 'string' && typeof arg === 'string';
  if (!bothNumbers && !bothStrings) return false; // MongoDB compares only within a type
  const c = bothNumbers ? Number(v) - Number(arg) : (v as string) < (arg as string) ? -1 : (v as string) > (arg as string) ? 1 : 0;
  return op === '$gt' ? c > 0 : op === '$gte' ? c >= 0 : op === '$lt' ? c < 0 : c <= 0;
}
