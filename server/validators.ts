// Request validation with Ajv, as Fastify does it, but two ways: query strings and path
// parameters are text, so their values are coerced to the declared types (`?limit=3` is 3);
// JSON bodies are taken as sent, so `null` for an int field is a 422 rather than 0. JSON bodies
// are also refused when they nest deeper than any walker field needs, or hold a number too
// large for a float (`1e400`), which JSON.parse turns into Infinity; a query or path value that
// is not a finite number (`?n=Infinity`, `?n=1e400`) is a 422 too, though Ajv's coercion would
// let it through.
//
// On walker routes, whose values become Jac values, two things differ: integers beyond 2^53
// reach the route as exact bigints (exact-integers.ts), and "__proto__" or "constructor" in a
// body is an ordinary key (Jac dicts take any key; nothing there copies a body into an object
// by assignment). Other routes keep Fastify's refusal of those keys.
import { Ajv, type ErrorObject, type Options, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import type { FastifyInstance } from 'fastify';
import { type DetailItem, HttpError } from './errors.ts';
import { type ExactIntegers, exactIntegersInJson, exactIntegersInText, type Path, restoreExactIntegers } from './exact-integers.ts';

const common: Options = { allErrors: true, useDefaults: false, removeAdditional: false, strict: false, strictNumbers: true };

/** Deeper JSON than this is refused before validation (it would only exhaust the stack later). */
export const MAX_JSON_DEPTH = 64;

/** Whether a route's request values become a walker's Jac values (http-api.md §2 and §6.5). */
export function carriesJacValues(url: string | undefined): boolean {
  return url !== undefined && (url.startsWith('/walker/') || url.startsWith('/webhook/walker/'));
}

/** Why a parsed body is refused, or null: checked without recursion, so depth costs no stack. */
function problemIn(value: unknown): string | null {
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!;
    if (typeof v === 'number' && !Number.isFinite(v)) return 'a number is too large';
    if (v === null || typeof v !== 'object') continue;
    if (depth >= MAX_JSON_DEPTH) return `the JSON nests deeper than ${MAX_JSON_DEPTH} levels`;
    for (const x of Object.values(v)) stack.push([x, depth + 1]);
  }
  return null;
}

/** The exact integers of each parsed walker body, until its validation puts them in place. */
const bodyIntegers = new WeakMap<object, ExactIntegers>();

/**
 * A walker body parsed by a route of its own (a signed delivery's raw bytes): what is wrong with
 * it, or null, with its integers beyond 2^53 kept for its validation to put back.
 */
export function acceptParsedBody(value: unknown, text: string): string | null {
  const problem = problemIn(value);
  if (problem) return problem;
  if (value !== null && typeof value === 'object') {
    const exact = exactIntegersInJson(text);
    if (exact) bodyIntegers.set(value, exact);
  }
  return null;
}

export function installValidators(app: FastifyInstance): void {
  const guarded = app.getDefaultJsonParser('error', 'error');
  const open = app.getDefaultJsonParser('ignore', 'ignore');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const jac = carriesJacValues(request.routeOptions.url);
    (jac ? open : guarded)(request, body as string, (err: Error | null, value?: unknown) => {
      if (err) return done(err, undefined);
      const problem = problemIn(value);
      if (problem) return done(Object.assign(new SyntaxError(problem), { statusCode: 422 }), undefined);
      const exact = jac && value !== null && typeof value === 'object' ? exactIntegersInJson(body as string) : null;
      if (exact) bodyIntegers.set(value as object, exact);
      done(null, value);
    });
  });
  const strict = new Ajv({ ...common, coerceTypes: false });
  const coercing = new Ajv({ ...common, coerceTypes: 'array' });
  for (const ajv of [strict, coercing]) addFormats.default(ajv);
  app.setValidatorCompiler(({ schema, httpPart, url }) => {
    if (httpPart === 'body') {
      const validate = strict.compile(schema);
      return carriesJacValues(url) ? exactBody(validate) : validate;
    }
    return coercedText(coercing.compile(schema), httpPart === 'params' ? 'path' : httpPart === 'querystring' ? 'query' : String(httpPart), carriesJacValues(url));
  });
}

/** Validation result in Fastify's terms: true, or the errors (Ajv's, or an HttpError). */
type Outcome = true | { error: ErrorObject[] | HttpError };

/** A walker body's validation, which then puts back its integers beyond 2^53. */
function exactBody(validate: ValidateFunction): (data: unknown) => Outcome {
  return (data) => {
    if (!validate(data)) return { error: validate.errors ?? [] };
    const exact = data !== null && typeof data === 'object' ? bodyIntegers.get(data) : undefined;
    if (exact) restoreExactIntegers(data, exact);
    return true;
  };
}

/**
 * A query string's or path's validation with coercion. Ajv coerces "Infinity" and "1e400" to
 * Infinity without checking the result; a second pass (only when a value came out that way)
 * finds them, and they are answered as pydantic answers: not a valid integer, or not a finite
 * number. On walker routes integers beyond 2^53 are then put back exactly.
 */
function coercedText(validate: ValidateFunction, where: string, exact: boolean): (data: unknown) => Outcome {
  return (data) => {
    // What was sent, for the 422's `input` (coercion rewrites the values, arrays in place).
    const given = data !== null && typeof data === 'object' ? Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Array.isArray(v) ? [...v] : v])) : data;
    const integers = exact ? exactIntegersInText(data) : null;
    if (!validate(data)) return { error: validate.errors ?? [] };
    const infinite = nonFinitePaths(data);
    if (infinite.length > 0 && !validate(data)) return { error: new HttpError(422, infinite.map((path) => notFinite(path, validate.errors ?? [], where, given))) };
    if (integers) restoreExactIntegers(data, integers);
    return true;
  };
}

/** The places of the numbers that are not finite, in a (flat) coerced query or path. */
function nonFinitePaths(data: unknown): Path[] {
  const paths: Path[] = [];
  if (data === null || typeof data !== 'object') return paths;
  for (const [k, v] of Object.entries(data)) {
    if (typeof v === 'number' && !Number.isFinite(v)) paths.push([k]);
    else if (Array.isArray(v)) v.forEach((x, i) => typeof x === 'number' && !Number.isFinite(x) && paths.push([k, i]));
  }
  return paths;
}

/** The 422 item for a value that is not finite: an int field's or a float field's (by the error there). */
function notFinite(path: Path, errors: ErrorObject[], where: string, given: unknown): DetailItem {
  const pointer = path.map((p) => `/${String(p).replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');
  const integer = errors.some((e) => e.instancePath === pointer && e.keyword === 'type' && String(e.params.type).split(',').includes('integer'));
  let input: unknown = given;
  for (const p of path) input = input !== null && typeof input === 'object' ? (input as Record<string | number, unknown>)[p] : undefined;
  const loc = [where, ...path];
  return integer
    ? { type: 'int_type', loc, msg: 'Input should be a valid integer', input }
    : { type: 'finite_number', loc, msg: 'Input should be a finite number', input };
}
