// Which walkers can take files (jac-cloud-runtime.md §6). A file travels as a part of a
// multipart/form-data body, so a file field cannot come from the query string or the path, and
// a walker with one needs a method that carries a body. Runs queued for later (async walkers,
// signed deliveries answered 202) keep their fields as JSON in the job queue, where a file does
// not fit; a webhook key in the body is not read from a multipart body either. Each of these is
// a load error at the field, so an app never serves a route that could not take its files.
import type * as A from '../../grammar/ast.ts';
import { SchemaError } from '../schema.ts';
import { pathVariables, type WalkerSpecs } from '../specs.ts';

/** Methods whose requests carry no body. */
const BODILESS = ['get', 'head', 'trace'];

/** Throws a SchemaError when the walker cannot take the file field `name` (annotated at `type`). */
export function checkFileField(walker: string, specs: WalkerSpecs, isAsync: boolean, name: string, type: A.Expr): void {
  const fail = (why: string): never => {
    throw new SchemaError(`field '${name}' is an UploadFile: ${why}`, type.span);
  };
  if (specs.asQuery === '*' || specs.asQuery.includes(name)) fail('a file cannot come from the query string (as_query)');
  if (pathVariables(specs.path).includes(name)) fail('a file cannot come from the path');
  const bodiless = specs.methods.filter((m) => BODILESS.includes(m));
  if (bodiless.length > 0) fail(`files travel in a multipart body, which ${bodiless.map((m) => m.toUpperCase()).join(', ')} requests do not carry`);
  if (isAsync) fail(`async walker ${walker} queues its run with its fields as JSON, which cannot hold a file`);
  const webhook = specs.webhook;
  if (webhook?.type === 'signature') fail('a signed webhook delivery is a JSON body its signature covers, not a multipart one');
  if (webhook && webhook.type === 'body') fail('the webhook key is read from a JSON body; put it in a header, the query string or the path');
}
