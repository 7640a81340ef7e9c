// Jac ints are exact at any size, and so are Jac Cloud's (pydantic keeps a JSON integer beyond
// 2^53 as it was sent). JSON.parse and Ajv's query coercion round such an integer to a float,
// which Ajv then validates as it should; these functions find the integers a request gave
// beyond 2^53 before that happens, and put them back as bigints once the request is valid, at
// the places they came from. A bigint survives a structured clone, so the values stay exact on
// their way to wherever the walker runs.

/** Where an integer sits in a parsed value: object keys and array indexes from the top. */
export type Path = (string | number)[];

/** Integers beyond 2^53, by the path where each was given (the last one given wins). */
export type ExactIntegers = Map<string, { path: Path; value: bigint }>;

const INTEGER = /^\s*[+-]?[0-9]+\s*$/;
/** An integer with fewer digits is safe, and JSON text without such a run has none beyond 2^53. */
const UNSAFE_DIGITS = /[0-9]{16}/;

/**
 * The integer literals beyond 2^53 in `text`, which JSON.parse has just read without error:
 * one pass over the text, with a stack of the object keys and array indexes it is inside.
 * Null when there are none (almost always, and then without scanning).
 */
export function exactIntegersInJson(text: string): ExactIntegers | null {
  if (!UNSAFE_DIGITS.test(text)) return null;
  const found: ExactIntegers = new Map();
  const path: Path = [];
  /** For each open container: true for an object (whose next string is a key). */
  const inObject: boolean[] = [];
  let expectKey = false;
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === '"') {
      const end = stringEnd(text, i);
      if (expectKey) {
        path[path.length - 1] = JSON.parse(text.slice(i, end)) as string;
        expectKey = false;
      }
      i = end;
    } else if (c === '{' || c === '[') {
      inObject.push(c === '{');
      path.push(0);
      expectKey = c === '{';
      i++;
    } else if (c === '}' || c === ']') {
      inObject.pop();
      path.pop();
      i++;
    } else if (c === ',') {
      if (inObject[inObject.length - 1]) expectKey = true;
      else (path[path.length - 1] as number)++;
      i++;
    } else if (c === '-' || (c >= '0' && c <= '9')) {
      let end = i + 1;
      while (end < text.length && /[0-9.eE+-]/.test(text[end])) end++;
      const literal = text.slice(i, end);
      if (/^-?[0-9]+$/.test(literal) && !Number.isSafeInteger(Number(literal))) {
        found.set(JSON.stringify(path), { path: [...path], value: BigInt(literal) });
      } else if (found.size > 0) {
        found.delete(JSON.stringify(path)); // a later duplicate key that is not one
      }
      i = end;
    } else {
      i++; // whitespace, ':', and the letters of true, false and null
    }
  }
  return found.size > 0 ? found : null;
}

/** The index just past the string that starts at `start` (a `"`). */
function stringEnd(text: string, start: number): number {
  let from = start + 1;
  for (;;) {
    const quote = text.indexOf('"', from);
    let backslashes = 0;
    while (text[quote - 1 - backslashes] === '\\') backslashes++;
    if (backslashes % 2 === 0) return quote + 1;
    from = quote + 1;
  }
}

/**
 * The integers beyond 2^53 among the strings of a query string or a path's parameters (a
 * flat object of strings and arrays of strings), before Ajv coerces them to numbers.
 */
export function exactIntegersInText(params: unknown): ExactIntegers | null {
  if (params === null || typeof params !== 'object') return null;
  let found: ExactIntegers | null = null;
  const note = (path: Path, v: unknown) => {
    if (typeof v !== 'string' || !UNSAFE_DIGITS.test(v) || !INTEGER.test(v)) return;
    const value = BigInt(v.trim());
    if (Number.isSafeInteger(Number(value))) return;
    (found ??= new Map()).set(JSON.stringify(path), { path, value });
  };
  for (const [k, v] of Object.entries(params)) {
    if (Array.isArray(v)) v.forEach((x, i) => note([k, i], x));
    else note([k], v);
  }
  return found;
}

/**
 * Puts each exact integer back where validation left its rounded number (as Ajv's coercion
 * left it: a number, or a number wrapped in a one-item list). A place that holds anything else
 * now (a string field's text, a later duplicate key) is left alone.
 */
export function restoreExactIntegers(data: unknown, found: ExactIntegers): void {
  for (const { path, value } of found.values()) {
    const rounded = Number(value);
    let parent: unknown = data;
    for (const p of path.slice(0, -1)) parent = isContainer(parent) && Object.hasOwn(parent, p) ? (parent as Record<string | number, unknown>)[p] : undefined;
    const key = path[path.length - 1];
    if (!isContainer(parent) || !Object.hasOwn(parent, key)) continue;
    const at = parent as Record<string | number, unknown>;
    const v = at[key];
    if (v === rounded) at[key] = value;
    else if (Array.isArray(v) && v.length === 1 && v[0] === rounded) v[0] = value;
  }
}

function isContainer(v: unknown): v is object {
  return typeof v === 'object' && v !== null;
}
