// A walker route with UploadFile fields (jac-cloud-runtime.md §6): its body is multipart, the
// file fields come from file parts and the others from the JSON of the `body` part, which the
// route's schema then validates as it validates any JSON body (a 422 where Jac Cloud answers 200).
import type { FastifyRequest } from 'fastify';
import type { UploadedFile } from '../../runtime/interpreter/fastapi-module.ts';
import { type DetailItem, HttpError } from '../errors.ts';
import type { FieldManifest } from '../manifest.ts';
import type { JsonSchema } from '../schema.ts';
import { acceptParsedBody } from '../validators.ts';
import { BODY_PART, readMultipart, type UploadLimitOptions } from './multipart-body.ts';

/** The body fields of a route that takes files: the file fields, and the ones the `body` part holds. */
export interface UploadPlan {
  files: (FieldManifest & { file: NonNullable<FieldManifest['file']> })[];
  json: FieldManifest[];
}

/** The plan of a route whose body fields are `body`, or null when none of them is a file. */
export function uploadPlan(body: FieldManifest[]): UploadPlan | null {
  const files = body.filter((f): f is UploadPlan['files'][number] => f.file !== undefined);
  return files.length === 0 ? null : { files, json: body.filter((f) => f.file === undefined) };
}

/** The multipart body as OpenAPI shows it: a binary property per file field, and `body` for the rest. */
export function multipartSchema(plan: UploadPlan): JsonSchema {
  const properties: JsonSchema = {};
  const required: string[] = [];
  for (const f of plan.files) {
    properties[f.name] = structuredClone(f.schema);
    if (!f.hasDefault && !f.file.nullable) required.push(f.name);
  }
  if (plan.json.length > 0) {
    properties[BODY_PART] = { type: 'string', format: 'binary', description: `JSON of the other fields: ${plan.json.map((f) => f.name).join(', ')}` };
    if (plan.json.some((f) => !f.hasDefault)) required.push(BODY_PART);
  }
  return { type: 'object', properties, ...(required.length > 0 ? { required } : {}) };
}

/** The `body` part as the JSON object the route's schema validates (422 when it is not JSON). */
function bodyValue(part: { text: string } | { value: unknown }): unknown {
  const invalid = (msg: string) => new HttpError(422, [{ type: 'json_invalid', loc: ['body', BODY_PART], msg }]);
  let value: unknown;
  let text: string;
  if ('text' in part) {
    text = part.text;
    try {
      value = JSON.parse(text);
    } catch (e) {
      throw invalid(`JSON decode error: ${(e as Error).message.replace(/ in JSON at position \d+.*/, '')}`);
    }
  } else {
    value = part.value;
    text = JSON.stringify(value);
  }
  const problem = acceptParsedBody(value, text);
  if (problem) throw invalid(problem);
  return value;
}

/**
 * Reads a multipart request to a route planned `plan`: puts the `body` part's JSON in
 * `request.body` (for the route's schema to validate) and answers the file fields' values (a
 * file, a list of them, or None). A request that is not multipart is a 415; a missing file part a 422.
 */
export async function takeUploads(request: FastifyRequest, walker: string, plan: UploadPlan, options: UploadLimitOptions & { bodyLimit?: number }): Promise<Record<string, UploadedFile | UploadedFile[] | null>> {
  if (!request.isMultipart()) {
    throw new HttpError(415, `walker ${walker} takes files: send multipart/form-data with a part per file, named after its field${plan.json.length > 0 ? `, and the other fields as JSON in a part named '${BODY_PART}'` : ''}`);
  }
  const read = await readMultipart(request, new Set(plan.files.map((f) => f.name)), options);
  if (read.body && plan.json.length > 0) request.body = bodyValue(read.body);
  const values: Record<string, UploadedFile | UploadedFile[] | null> = {};
  const problems: DetailItem[] = [];
  for (const f of plan.files) {
    const got = read.files.get(f.name);
    if (got) values[f.name] = f.file.list ? got : got[got.length - 1]; // as FastAPI, the last of repeated parts
    else if (read.textParts.has(f.name)) problems.push({ type: 'value_error', loc: ['body', f.name], msg: 'Expected UploadFile, received a text part', input: null });
    else if (f.file.nullable && !f.hasDefault) values[f.name] = null;
    else if (!f.hasDefault) problems.push({ type: 'missing', loc: ['body', f.name], msg: 'Field required', input: null });
  }
  if (problems.length > 0) throw new HttpError(422, problems);
  return values;
}
