// Request validation with Ajv, as Fastify does it, but two ways: query strings and path
// parameters are text, so their values are coerced to the declared types (`?limit=3` is 3);
// JSON bodies are taken as sent, so `null` for an int field is a 422 rather than 0. JSON bodies
// are also refused when they nest deeper than any walker field needs, or hold a number too
// large for a float (`1e400`), which JSON.parse turns into Infinity and Ajv would accept.
import { Ajv, type Options } from 'ajv';
import addFormats from 'ajv-formats';
import type { FastifyInstance } from 'fastify';

const common: Options = { allErrors: true, useDefaults: false, removeAdditional: false, strict: false };

/** Deeper JSON than this is refused before validation (it would only exhaust the stack later). */
export const MAX_JSON_DEPTH = 64;

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

export function installValidators(app: FastifyInstance): void {
  const parse = app.getDefaultJsonParser('error', 'error');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    parse(request, body as string, (err: Error | null, value?: unknown) => {
      if (err) return done(err, undefined);
      const problem = problemIn(value);
      if (problem) return done(Object.assign(new SyntaxError(problem), { statusCode: 422 }), undefined);
      done(null, value);
    });
  });
  const strict = new Ajv({ ...common, coerceTypes: false });
  const coercing = new Ajv({ ...common, coerceTypes: 'array' });
  for (const ajv of [strict, coercing]) addFormats.default(ajv);
  app.setValidatorCompiler(({ schema, httpPart }) => (httpPart === 'body' ? strict : coercing).compile(schema));
}
