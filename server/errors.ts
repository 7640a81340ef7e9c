// One place decides what a failed request looks like, in the shapes Jac Cloud clients parse:
// validation failures are 422 with FastAPI's `detail` list, deliberate errors are
// `{"detail": "..."}`, and anything unexpected is a 500 with an error id that points into the
// log, never a stack trace. A store that cannot be reached (a lost database connection) is a 503
// of the same shape, with Retry-After: nothing of the request was saved, and it may be retried.
import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { StoreError } from '../runtime/store/store.ts';

/** Response schemas of the shapes above, for routes to document (and Fastify to serialize). */
export const messageBody = { type: 'object', properties: { message: { type: 'string' } }, required: ['message'] } as const;
export const detailBody = { type: 'object', properties: { detail: { type: 'string' } }, required: ['detail'] } as const;
/** FastAPI's 422 body; every field is listed, or Fastify's serializer would drop it. */
export const validationErrorBody = {
  description: 'Validation Error',
  type: 'object',
  properties: {
    detail: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          type: { type: 'string' },
          loc: { type: 'array', items: { anyOf: [{ type: 'string' }, { type: 'integer' }] } },
          msg: { type: 'string' },
          input: {},
        },
        required: ['type', 'loc', 'msg'],
      },
    },
  },
} as const;

/** One item of FastAPI's 422 `detail` list. */
export interface DetailItem {
  type: string;
  loc: (string | number)[];
  msg: string;
  input?: unknown;
}

/** An error a handler throws on purpose: its status and `detail` go to the client as they are. */
export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    readonly detail: unknown,
  ) {
    super(typeof detail === 'string' ? detail : `HTTP ${statusCode}`);
  }
}

const LOCATION: Record<string, string> = { body: 'body', querystring: 'query', params: 'path', headers: 'header' };

interface AjvError {
  keyword: string;
  instancePath: string;
  params: Record<string, unknown>;
  message?: string;
}

/** Fastify's (Ajv's) validation errors in FastAPI's shape. */
export function toDetail(errors: AjvError[], context: string, input: unknown): DetailItem[] {
  const where = LOCATION[context] ?? context;
  return errors
    .filter((e) => !['anyOf', 'oneOf', 'if'].includes(e.keyword) || errors.length === 1)
    .map((e) => {
      const path: (string | number)[] = e.instancePath
        .split('/')
        .slice(1)
        .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'))
        .map((p) => (/^\d+$/.test(p) ? Number(p) : p));
      const at = valueAt(input, path);
      switch (e.keyword) {
        case 'required':
          return { type: 'missing', loc: [where, ...path, String(e.params.missingProperty)], msg: 'Field required' };
        case 'type':
          return typeItem(String(e.params.type), [where, ...path], at);
        case 'enum':
          return { type: 'enum', loc: [where, ...path], msg: `Input should be ${(e.params.allowedValues as unknown[]).filter((v) => v !== null).map((v) => JSON.stringify(v).replace(/^"|"$/g, "'")).join(', ').replace(/, ([^,]*)$/, ' or $1')}`, input: at };
        case 'minLength':
          return { type: 'string_too_short', loc: [where, ...path], msg: `String should have at least ${e.params.limit} character${e.params.limit === 1 ? '' : 's'}`, input: at };
        case 'maxLength':
          return { type: 'string_too_long', loc: [where, ...path], msg: `String should have at most ${e.params.limit} character${e.params.limit === 1 ? '' : 's'}`, input: at };
        case 'minItems':
          return { type: 'too_short', loc: [where, ...path], msg: `List should have at least ${e.params.limit} item${e.params.limit === 1 ? '' : 's'}`, input: at };
        case 'minimum':
        case 'exclusiveMinimum':
          return { type: 'greater_than', loc: [where, ...path], msg: `Input should be ${e.keyword === 'minimum' ? 'greater than or equal to' : 'greater than'} ${e.params.limit}`, input: at };
        case 'format':
          return { type: 'value_error', loc: [where, ...path], msg: `value is not a valid ${e.params.format === 'email' ? 'email address' : e.params.format}`, input: at };
        default:
          return { type: 'value_error', loc: [where, ...path], msg: e.message ?? 'Invalid value', input: at };
      }
    });
}

function typeItem(type: string, loc: (string | number)[], input: unknown): DetailItem {
  const kinds: Record<string, [string, string]> = {
    integer: ['int_type', 'Input should be a valid integer'],
    number: ['float_type', 'Input should be a valid number'],
    string: ['string_type', 'Input should be a valid string'],
    boolean: ['bool_type', 'Input should be a valid boolean'],
    array: ['list_type', 'Input should be a valid list'],
    object: ['dict_type', 'Input should be a valid dictionary'],
    null: ['none_required', 'Input should be None'],
  };
  const first = type.split(',')[0];
  const [t, msg] = kinds[first] ?? ['type_error', `Input should be of type ${type}`];
  return { type: t, loc, msg, input };
}

function valueAt(input: unknown, path: (string | number)[]): unknown {
  let v = input;
  for (const p of path) v = v !== null && typeof v === 'object' ? (v as Record<string | number, unknown>)[p] : undefined;
  return v;
}

/**
 * Fastify's `frameworkErrors`: a URL the router cannot take is answered in the API's shape, without
 * the URL (Fastify's own answer repeats it, query string and all).
 */
export function frameworkError(error: FastifyError, _request: FastifyRequest, reply: FastifyReply): void {
  if (error.code === 'FST_ERR_MAX_PARAM_LENGTH') return void reply.code(414).send({ detail: 'A part of the URL path is too long' });
  if (error.code === 'FST_ERR_BAD_URL') return void reply.code(400).send({ detail: 'The URL is not valid: a % in it does not start an escape' });
  const status = error.statusCode ?? 500;
  reply.code(status).send({ detail: STATUS_CODES[status] ?? 'Error' });
}

/** Installs the error and not-found handlers on `app`. */
export function installErrorHandling(app: FastifyInstance): void {
  app.setNotFoundHandler((_request, reply) => reply.code(404).send({ detail: 'Not Found' }));
  app.setErrorHandler((error: FastifyError & { validationContext?: string }, request, reply) => {
    if (error instanceof HttpError) return reply.code(error.statusCode).send({ detail: error.detail });
    if (error.validation) {
      const context = error.validationContext ?? 'body';
      const input = context === 'body' ? request.body : context === 'querystring' ? request.query : request.params;
      if (context === 'body' && (request.body === undefined || request.body === null)) {
        return reply.code(422).send({ detail: [{ type: 'missing', loc: ['body'], msg: 'Field required', input: null }] });
      }
      return reply.code(422).send({ detail: toDetail(error.validation as AjvError[], context, input) });
    }
    // The body could not be read as JSON (FastAPI answers 422 json_invalid).
    if (error instanceof SyntaxError || error.code === 'FST_ERR_CTP_EMPTY_JSON_BODY' || error.code === 'FST_ERR_CTP_INVALID_JSON_BODY') {
      return reply.code(422).send({ detail: [{ type: 'json_invalid', loc: ['body'], msg: `JSON decode error: ${error.message.replace(/ in JSON at position \d+.*/, '')}` }] });
    }
    const unavailable = error.statusCode === 503 || (error instanceof StoreError && error.code === 'JAC_STORE_UNAVAILABLE');
    const status = unavailable ? 503 : (error.statusCode ?? 500);
    if (status < 500) return reply.code(status).send({ detail: error.message });
    // A route that already named the failure (a delivery's log entry carries it) keeps that id.
    const named = (error as { errorId?: unknown }).errorId;
    const errorId = typeof named === 'string' ? named : randomUUID();
    if (unavailable) {
      request.log.warn({ err: error, error_id: errorId }, 'store unavailable');
      return reply.code(503).header('retry-after', '1').send({ detail: 'Service Unavailable: the store cannot be reached', error_id: errorId });
    }
    request.log.error({ err: error, error_id: errorId }, 'request failed');
    return reply.code(500).send({ detail: 'Internal Server Error', error_id: errorId });
  });
}
