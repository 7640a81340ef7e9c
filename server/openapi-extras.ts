// The OpenAPI-only `__specs__` options of FastAPI (`status_code`, `response_description`,
// `responses`, `openapi_extra`), applied to the generated document rather than to the routes:
// a route's response schemas would also change how Fastify serializes its answers, and these
// options only describe them.
import type { Json } from '../runtime/store/store.ts';
import type { WalkerSpecs } from './specs.ts';

type Operation = Record<string, unknown> & { operationId?: string; responses?: Record<string, unknown> };

export class OperationExtras {
  private readonly byOperation = new Map<string, WalkerSpecs>();

  /** Notes the specs of the route documented as `operationId`, when they describe it further. */
  add(operationId: string, specs: WalkerSpecs): void {
    if (specs.statusCode !== null || specs.responseDescription !== null || specs.responses !== null || specs.openapiExtra !== null) this.byOperation.set(operationId, specs);
  }

  /** The document with each noted operation's answers and extra fields. */
  apply<T>(document: T): T {
    if (this.byOperation.size === 0) return document;
    const paths = (document as { paths?: Record<string, Record<string, Operation>> }).paths ?? {};
    for (const methods of Object.values(paths)) {
      for (const operation of Object.values(methods)) {
        const specs = operation.operationId === undefined ? undefined : this.byOperation.get(operation.operationId);
        if (specs) describe(operation, specs);
      }
    }
    return document;
  }
}

function describe(operation: Operation, specs: WalkerSpecs): void {
  const responses = (operation.responses ??= {});
  const success = String(specs.statusCode ?? 200);
  // The default answer Fastify documents for a route without a success schema moves to the code.
  const current = (responses[success] ?? responses['200'] ?? { description: 'Successful Response' }) as Record<string, unknown>;
  if (success !== '200' && responses['200'] && specs.statusCode !== null) delete responses['200'];
  responses[success] = { ...current, description: specs.responseDescription ?? (current.description as string | undefined) ?? 'Successful Response' };
  for (const [code, answer] of Object.entries(specs.responses ?? {})) {
    responses[code] = { description: 'Additional Response', ...(responses[code] as object | undefined), ...(answer as Record<string, Json>) };
  }
  if (specs.openapiExtra) deepMerge(operation, specs.openapiExtra);
}

/** FastAPI merges `openapi_extra` into the operation, nested dicts key by key. */
function deepMerge(target: Record<string, unknown>, extra: Record<string, Json>): void {
  for (const [k, v] of Object.entries(extra)) {
    const have = target[k];
    if (typeof v === 'object' && v !== null && !Array.isArray(v) && typeof have === 'object' && have !== null && !Array.isArray(have)) deepMerge(have as Record<string, unknown>, v);
    else target[k] = v;
  }
}
