// The HTTP app: users, one route per walker endpoint (http-api.md §2), OpenAPI, health, and the
// error shapes of errors.ts. `buildApp` returns a Fastify instance that is not yet listening, so
// tests can call it with `inject()` and the CLI can `listen()`.
import Fastify, { type FastifyInstance, type FastifyRequest, LogController } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { JobRecord, Store } from '../runtime/store/store.ts';
import { frameworkError, installErrorHandling } from './errors.ts';
import { installValidators } from './validators.ts';
import type { LoginLimitOptions } from './login-limits.ts';
import type { ServedApp } from './manifest.ts';
import type { HashingLimits } from './password-hashing.ts';
import type { UploadLimitOptions } from './uploads/multipart-body.ts';
import { Users } from './users.ts';
import userRoutes from './user-routes.ts';
import { documentedSchema, walkerRoutes, webhookScheme } from './walker-routes.ts';
import { MAX_KEYS_PER_USER, WebhookKeys } from './webhook-keys.ts';
import { webhookRoutes } from './webhook-routes.ts';
import type { WorkerPool } from './workers/pool.ts';
import { DOCS_LOGO_SVG } from './docs-logo.svg.ts';
import { asyncWalkerRoutes } from './async-walker-routes.ts';
import { OperationExtras } from './openapi-extras.ts';
import { type DispatcherOptions, JobDispatcher } from './job-dispatcher.ts';
import { Scheduler } from './schedule/scheduler.ts';
import { keyPlacement } from './webhooks/webhook-spec.ts';
import { DELIVERY_RETRY_MS, deliveryRunHours, deliveryRunRecordId } from './webhooks/deliveries.ts';
import { deliveryRoutes } from './webhooks/delivery-routes.ts';
import { DeliveryLogBatch } from './webhooks/log-batch.ts';
import { MAX_QUEUED_RUNS, QueueLimit } from './queue-limit.ts';

/** With the login limits (login-limits.ts), password hashing limits (password-hashing.ts) and upload limits (uploads/multipart-body.ts). */
export interface AppOptions extends LoginLimitOptions, HashingLimits, UploadLimitOptions {
  /** TOKEN_SECRET; else the data dir's own. */
  tokenSecret?: string;
  /** TOKEN_TIMEOUT, hours (default 12). */
  tokenTimeoutHours?: number;
  /** pino level, or false for no log. */
  logLevel?: string | false;
  /** Where log lines go (default stdout). */
  logStream?: NodeJS.WritableStream;
  /** Largest request body, bytes (default 1 MiB). */
  bodyLimit?: number;
  /** The longest a webhook key may live, days (default 365). */
  maxKeyLifetimeDays?: number;
  /** The most webhook keys one user may hold (default MAX_KEYS_PER_USER; 0: no limit). */
  maxKeysPerUser?: number;
  /** Failed webhook key attempts allowed per client per minute (default 10). */
  maxKeyFailures?: number;
  /** How async walkers' queued jobs are run (job-dispatcher.ts). */
  jobs?: DispatcherOptions;
  /** The retry delays of signed deliveries answered 202, ms (default DELIVERY_RETRY_MS). */
  deliveryRetryMs?: number[];
  /** Background runs one user's root may have queued or running before async walkers and deliveries answered 202 get 429 (default MAX_QUEUED_RUNS; 0: no limit). */
  maxQueuedRuns?: number;
  /**
   * On the data dir, which holds its queue in memory: the characters of fields one user's root's
   * open runs may hold (default MAX_QUEUED_CHARS_PER_ROOT) and all open runs (default MAX_QUEUED_CHARS).
   */
  maxQueuedChars?: { root?: number; all?: number };
}

/** Paths of request parts that can carry a secret; the log shows them as [redacted]. */
const REDACT = ['req.headers.authorization', 'req.headers.cookie', 'req.headers["x-api-key"]'];

/**
 * The app for `program`, whose walkers run in `runs` (the worker pool that loaded it) and whose
 * users and keys live in `store`.
 */
export async function buildApp({ program, runs, store, options = {} }: { program: ServedApp; runs: WorkerPool; store: Store; options?: AppOptions }): Promise<FastifyInstance> {
  // Runs find the nodes other users shared with their caller through the store's share hints.
  runs.shares = store;
  // Webhook keys ride in headers the walkers name: those headers are redacted too.
  const webhookSpecs = [...program.walkers.values()].flatMap((w) => {
    const placement = w.specs.private ? null : keyPlacement(w.specs.webhook);
    return placement ? [placement] : [];
  });
  const redact = [...new Set([...REDACT, ...webhookSpecs.filter((s) => s.type === 'header').map((s) => `req.headers[${JSON.stringify(s.name.toLowerCase())}]`)])];
  const logger =
    options.logLevel === false
      ? false
      : { level: options.logLevel ?? 'info', redact: { paths: redact, censor: '[redacted]' }, ...(options.logStream ? { stream: options.logStream } : {}) };
  const app = Fastify({
    logger,
    logController: new LogController({ disableRequestLogging: true }), // one line per request, below
    bodyLimit: options.bodyLimit ?? 1024 * 1024,
    requestTimeout: 120_000,
    frameworkErrors: frameworkError,
  });
  installValidators(app);
  installErrorHandling(app);
  // One log line per request: what ran, on which root, how it ended, how long it took.
  app.addHook('onResponse', async (request, reply) => {
    const ctx = request as FastifyRequest & { jac?: { walker: string; root: string } };
    request.log.info({ method: request.method, route: request.routeOptions.url, walker: ctx.jac?.walker, root: ctx.jac?.root, status: reply.statusCode, ms: Math.round(reply.elapsedTime) }, 'request');
  });

  const extras = new OperationExtras();
  await app.register(swagger, {
    transform: ({ schema, url, route }) => ({ schema: documentedSchema(schema, route.config), url }),
    transformObject: (document) => extras.apply('openapiObject' in document ? document.openapiObject : document.swaggerObject),
    openapi: {
      info: { title: 'jac-serve', version: '0.1.0', description: 'Jac walkers served as HTTP endpoints (Jac Cloud compatible)' },
      components: {
        securitySchemes: {
          bearerAuth: { type: 'http', scheme: 'bearer' },
          // A webhook key in a header or the query string is an apiKey scheme; in the path or the
          // body it is documented as that parameter or property.
          ...Object.fromEntries(
            webhookSpecs.filter((s) => s.type === 'header' || s.type === 'query').map((s) => [webhookScheme(s), { type: 'apiKey', in: s.type, name: s.name }]),
          ),
        },
      },
    },
  });
  await app.register(swaggerUi, {
    routePrefix: '/docs',
    theme: { title: 'jac-serve API' },
    logo: { type: 'image/svg+xml', content: DOCS_LOGO_SVG, href: '/docs' },
  });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  // The same document as YAML, served as Jac Cloud serves it (text/yaml).
  app.get('/openapi.yaml', { schema: { hide: true } }, async (_request, reply) => reply.type('text/yaml; charset=utf-8').send(app.swagger({ yaml: true })));
  app.get('/healthz', { schema: { tags: ['Monitoring'], response: { 200: { type: 'object', properties: { status: { type: 'string' } } } } } }, async () => ({ status: 'ok' }));

  const users = await Users.open(store, { tokenSecret: options.tokenSecret, tokenTimeoutHours: options.tokenTimeoutHours ?? 12, hashing: options, fields: program.userFields });
  await app.register(userRoutes, { users, limits: options, counters: store.counters });
  const keys = new WebhookKeys(store);
  app.addHook('onClose', async () => keys.flush());
  runs.log = app.log;
  // The data dir folds its files in the background: a fold that fails (a full disk) is only ever heard of here.
  store.onProblem?.((problem) => app.log.warn({ problem }, 'the store could not do its upkeep'));
  await app.register(webhookRoutes, { program, users, runs, keys, maxLifetimeDays: options.maxKeyLifetimeDays ?? 365, maxKeysPerUser: options.maxKeysPerUser ?? MAX_KEYS_PER_USER });
  // Queued async walker runs: taken while the app is up; closing waits for the ones under way.
  // A signed delivery answered 202 is retried on the senders' own scale (minutes to hours).
  const answeredLater = new Map(
    [...program.walkers.values()].flatMap((w) => (w.specs.webhook?.type === 'signature' && w.specs.webhook.ack === 'async' ? [[w.name, w.specs.webhook] as const] : [])),
  );
  const deliveryRetries = options.deliveryRetryMs ?? DELIVERY_RETRY_MS;
  const isDelivery = (job: JobRecord) => answeredLater.has(job.walker) && !job.internal;
  // How many runs each root may have waiting: requests that queue more are refused, walkers' create_task raises.
  const limit = new QueueLimit(store, options.maxQueuedRuns ?? MAX_QUEUED_RUNS, { maxRootChars: options.maxQueuedChars?.root, maxAllChars: options.maxQueuedChars?.all });
  const dispatcher = new JobDispatcher(store, runs, app.log, {
    limit,
    backoffFor: (job) => (isDelivery(job) ? deliveryRetries : null),
    // A delivery's log entry says how its run ended (written with the job's end).
    loggedOutcome: (job, status, result, ms) => (isDelivery(job) ? { status: status === 'COMPLETED' ? 'ok' : 'failed', code: result.httpStatus, ms, errorId: result.errorId } : undefined),
    // Its run applies once, even when taken again after it committed (its end was not written).
    runOnce: (job) => (isDelivery(job) ? { record: deliveryRunRecordId(job.id), hours: deliveryRunHours(answeredLater.get(job.walker)!.dedupeHours), ifChanged: true } : null),
    ...options.jobs,
  });
  // Scheduled walkers' ticks become queued runs; the timers stop before the dispatcher does.
  const scheduler = new Scheduler(store, program.walkers.values(), () => dispatcher.wake(), app.log);
  app.addHook('onReady', async () => {
    dispatcher.start();
    await scheduler.start();
  });
  app.addHook('onClose', async () => {
    await scheduler.stop();
    await dispatcher.stop();
  });
  await app.register(asyncWalkerRoutes, { users, store });
  // Signed deliveries' log entries, told after their answers and written a batch at a time.
  const told = new DeliveryLogBatch(store, (e, entries) => app.log.warn({ err: e, entries }, 'cannot write the webhook delivery log'));
  app.addHook('onClose', async () => told.flush());
  await app.register(deliveryRoutes, { users, store, runs, program, told, wake: () => dispatcher.wake(), limit });
  await app.register(walkerRoutes, { program, users, runs, keys, options, counters: store.counters, jobs: { store, dispatcher, told, limit }, extras });
  return app;
}
