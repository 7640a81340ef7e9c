// Jac Cloud's "User APIs" (http-api.md §1): POST /user/register and POST /user/login, plus the
// bearer-token check the other routes use. Ajv checks the bodies from the schemas below; the
// response schemas let @fastify/swagger document the routes. Failed logins are limited per
// client and per account (login-limits.ts, 429), and password hashing waits its turn
// (password-hashing.ts, 503 when too many wait); both answers carry Retry-After.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { UserRecord } from '../runtime/store/store.ts';
import { HttpError, detailBody, messageBody, validationErrorBody } from './errors.ts';
import type { SharedCounters } from '../runtime/store/store.ts';
import { type LoginLimitOptions, LoginLimited, LoginLimits } from './login-limits.ts';
import { HashingBusy } from './password-hashing.ts';
import type { UserFields } from './user-fields.ts';
import type { Users } from './users.ts';

const TAGS = ['User APIs'];

const message = messageBody;
const detail = detailBody;

const validationError = validationErrorBody;

const retryAfter = { 'retry-after': { type: 'integer', description: 'seconds to wait before trying again' } } as const;
const busy = { description: 'Too many password checks are waiting; retry after Retry-After seconds', headers: retryAfter, ...detail };
const limited = { description: 'Too many failed logins from this client or for this account; retry after Retry-After seconds', headers: retryAfter, ...detail };

/** The register route's schema: email and password, and the app's own user fields. */
function registerSchema(fields: UserFields) {
  const own = fields.bodySchema();
  return {
    tags: TAGS,
    summary: 'Register a user (and create their root node)',
    body: {
      type: 'object',
      properties: {
        email: { type: 'string', format: 'email' },
        password: { type: 'string', minLength: 1 },
        ...own.properties,
      },
      required: ['email', 'password', ...own.required],
    },
    response: {
      201: { description: 'Registered', ...message },
      409: { description: 'The email is taken', ...detail },
      422: validationError,
      503: busy,
    },
  };
}

const loginSchema = {
  tags: TAGS,
  summary: 'Log in: a bearer token and the user',
  body: {
    type: 'object',
    properties: {
      email: { type: 'string', format: 'email' },
      // No minLength: like Jac Cloud, an empty password is just a wrong one (400, not 422).
      password: { type: 'string' },
    },
    required: ['email', 'password'],
  },
  response: {
    200: {
      description: 'Logged in',
      type: 'object',
      properties: {
        token: { type: 'string' },
        user: {
          type: 'object',
          description: "The user, with the app's own user fields (those of its `class User(BaseUser)`)",
          properties: { id: { type: 'string' }, email: { type: 'string' }, root_id: { type: 'string' } },
          required: ['id', 'email', 'root_id'],
          additionalProperties: true,
        },
      },
      required: ['token', 'user'],
    },
    400: { description: 'Wrong email or password', ...message },
    422: validationError,
    429: limited,
    503: busy,
  },
} as const;

interface Credentials {
  email: string;
  password: string;
}

/** Throws the 503 for a hashing queue that is full, with its Retry-After. */
async function orBusy<T>(reply: FastifyReply, work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (e) {
    if (!(e instanceof HashingBusy)) throw e;
    reply.header('retry-after', e.retryAfterSeconds);
    throw new HttpError(503, 'Too many logins at once; retry later');
  }
}

export interface UserRouteOptions {
  users: Users;
  /** Failed-login limits (defaults: 10 a minute per client, 5 in 15 minutes per account). */
  limits?: LoginLimitOptions;
  /** A shared store's counters: the limits then hold across every process on it. */
  counters?: SharedCounters;
}

/** Registers /user/register and /user/login (use with `app.register(userRoutes, { users })`). */
export async function userRoutes(app: FastifyInstance, opts: UserRouteOptions): Promise<void> {
  const { users } = opts;
  const limits = await LoginLimits.install(app, opts.limits ?? {}, (request) => (request.body as Credentials).email, opts.counters);

  app.post<{ Body: Credentials }>('/user/register', { schema: registerSchema(users.fields) }, async (request, reply) => {
    const body = request.body;
    const outcome = await orBusy(reply, users.register(body.email, body.password, body as unknown as Record<string, unknown>));
    if (outcome === 'exists') throw new HttpError(409, 'Already Exists!');
    return reply.code(201).send({ message: 'Successfully Registered!' });
  });

  app.post<{ Body: Credentials }>('/user/login', { schema: loginSchema }, async (request, reply) => {
    let result;
    try {
      result = await orBusy(reply, limits.attempt(request, () => users.login(request.body.email, request.body.password)));
    } catch (e) {
      if (!(e instanceof LoginLimited)) throw e;
      reply.header('retry-after', e.retryAfterSeconds);
      throw new HttpError(429, 'Too many failed login attempts; retry later');
    }
    // Jac Cloud answers this one with `message`, not `detail`.
    if (!result) return reply.code(400).send({ message: 'Invalid Email/Password!' });
    return result;
  });
}

/**
 * The user a request's `Authorization: Bearer <token>` names; throws HttpError 401
 * {"detail":"Not authenticated"} when there is no bearer token, 401 {"detail":"Unauthorized"}
 * when it is bad, expired or forged (or a non-Bearer scheme).
 */
export async function requireUser(users: Users, request: FastifyRequest): Promise<UserRecord> {
  // Parsed as FastAPI's HTTPBearer does: "<scheme> <credentials>", scheme case-insensitive,
  // and a header without both parts counts as no token at all.
  const header = request.headers.authorization?.trim() ?? '';
  const space = header.indexOf(' ');
  const scheme = space === -1 ? header : header.slice(0, space);
  const credentials = space === -1 ? '' : header.slice(space + 1).trim();
  if (!scheme || !credentials) throw new HttpError(401, 'Not authenticated');
  if (scheme.toLowerCase() !== 'bearer') throw new HttpError(401, 'Unauthorized');
  const user = await users.authenticate(credentials);
  if (!user) throw new HttpError(401, 'Unauthorized');
  return user;
}

export default userRoutes;
