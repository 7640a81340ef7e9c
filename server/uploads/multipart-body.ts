// Reading the multipart/form-data body of a walker with UploadFile fields (jac-cloud-runtime.md
// §6): each file part is named after its field (a list field repeats the part), and the other
// fields travel as JSON in one more part named `body`. Files are read into memory within
// limits; a limit passed is a 413 that names it, a body that is not well-formed multipart is a
// 400, and neither ever shows a stack.
import multipart from '@fastify/multipart';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { UploadedFile } from '../../runtime/interpreter/fastapi-module.ts';
import { HttpError } from '../errors.ts';

/** How much a multipart request may carry; the CLI's --max-upload-* flags set them. */
export interface UploadLimitOptions {
  /** Largest file part, bytes (default 10 MiB). */
  maxUploadBytes?: number;
  /** File parts in one request (default 20). */
  maxUploadFiles?: number;
  /** Parts that are not files (the `body` part among them) in one request (default 20). */
  maxUploadFields?: number;
}

export const DEFAULT_UPLOAD_LIMITS: Required<UploadLimitOptions> = { maxUploadBytes: 10 * 1024 * 1024, maxUploadFiles: 20, maxUploadFields: 20 };

/** The part that carries the walker's other fields as JSON. */
export const BODY_PART = 'body';

/** What a multipart request held: the file parts by name, and the `body` part. */
export interface MultipartRequest {
  files: Map<string, UploadedFile[]>;
  /** The `body` part: its text, or the value when it came as a field declared application/json. */
  body: { text: string } | { value: unknown } | null;
  /** Names of parts sent as text where a file was expected. */
  textParts: Set<string>;
}

interface Limits {
  bytes: number;
  files: number;
  fields: number;
  /** Largest `body` part, bytes: the server's limit on a JSON body. */
  bodyBytes: number;
}

function limitsOf(options: UploadLimitOptions & { bodyLimit?: number }): Limits {
  return {
    bytes: options.maxUploadBytes ?? DEFAULT_UPLOAD_LIMITS.maxUploadBytes,
    files: options.maxUploadFiles ?? DEFAULT_UPLOAD_LIMITS.maxUploadFiles,
    fields: options.maxUploadFields ?? DEFAULT_UPLOAD_LIMITS.maxUploadFields,
    bodyBytes: options.bodyLimit ?? 1024 * 1024,
  };
}

/** Lets the routes of `scope` take multipart bodies (other scopes keep answering them 415). */
export async function acceptMultipart(scope: FastifyInstance, options: UploadLimitOptions & { bodyLimit?: number }): Promise<void> {
  const limits = limitsOf(options);
  await scope.register(multipart, { limits: { fileSize: limits.bytes, files: limits.files, fields: limits.fields, fieldSize: limits.bodyBytes } });
}

/** A byte count as people write it: 10 MiB, 512 KiB, 100 bytes. */
function sized(bytes: number): string {
  if (bytes >= 1024 * 1024 && bytes % (1024 * 1024) === 0) return `${bytes / (1024 * 1024)} MiB`;
  if (bytes >= 1024 && bytes % 1024 === 0) return `${bytes / 1024} KiB`;
  return `${bytes} bytes`;
}

/** A part's bytes in an array of their own: a Buffer may be a view into a shared pool, which a clone would copy whole. */
function ownBytes(buf: Buffer): Uint8Array {
  return buf.byteOffset === 0 && buf.byteLength === buf.buffer.byteLength ? new Uint8Array(buf.buffer) : new Uint8Array(buf);
}

/** The error a multipart failure is answered with: which limit was passed, or what is malformed. */
function answerFor(e: unknown, limits: Limits): HttpError {
  if (e instanceof HttpError) return e;
  const error = e as { code?: string; message?: string; part?: { fieldname?: string } };
  switch (error.code) {
    case 'FST_REQ_FILE_TOO_LARGE':
      return new HttpError(413, `the file in part '${error.part?.fieldname ?? '?'}' is larger than the limit of ${sized(limits.bytes)} per file`);
    case 'FST_FILES_LIMIT':
      return new HttpError(413, `more than ${limits.files} files in one request`);
    case 'FST_FIELDS_LIMIT':
      return new HttpError(413, `more than ${limits.fields} parts that are not files in one request`);
    case 'FST_PARTS_LIMIT':
      return new HttpError(413, 'too many parts in one request');
    case 'FST_INVALID_JSON_FIELD_ERROR':
      return new HttpError(422, [{ type: 'json_invalid', loc: ['body', BODY_PART], msg: `the '${BODY_PART}' part is declared application/json but is not valid JSON` }]);
    case 'FST_PROTO_VIOLATION':
      return new HttpError(400, 'malformed multipart/form-data: a part is named after a property every object has');
    default:
      return new HttpError(400, `malformed multipart/form-data: ${error.message ?? 'the body cannot be read'}`);
  }
}

/**
 * Reads every part of `request`: the files named in `fileFields` into memory, the `body` part,
 * and nothing else (other parts are read past). Throws HttpError 400, 413 or 422.
 */
export async function readMultipart(request: FastifyRequest, fileFields: Set<string>, options: UploadLimitOptions & { bodyLimit?: number }): Promise<MultipartRequest> {
  const limits = limitsOf(options);
  const read: MultipartRequest = { files: new Map(), body: null, textParts: new Set() };
  try {
    for await (const part of request.parts()) {
      const name = part.fieldname;
      if (part.type === 'file') {
        if (fileFields.has(name)) {
          const data = ownBytes(await part.toBuffer());
          const headers = { 'content-disposition': `form-data; name="${name}"; filename="${part.filename}"`, 'content-type': part.mimetype };
          const list = read.files.get(name) ?? [];
          list.push({ filename: part.filename, contentType: part.mimetype, headers, data });
          read.files.set(name, list);
        } else if (name === BODY_PART) {
          const data = await part.toBuffer();
          if (data.length > limits.bodyBytes) throw new HttpError(413, `the '${BODY_PART}' part is larger than the limit of ${sized(limits.bodyBytes)}`);
          read.body = { text: data.toString('utf8') };
        } else {
          for await (const _ of part.file); // not a field of the walker: read past it
        }
      } else if (name === BODY_PART) {
        if (part.valueTruncated) throw new HttpError(413, `the '${BODY_PART}' part is larger than the limit of ${sized(limits.bodyBytes)}`);
        read.body = typeof part.value === 'string' ? { text: part.value } : { value: part.value };
      } else if (fileFields.has(name)) {
        read.textParts.add(name);
      }
    }
  } catch (e) {
    throw answerFor(e, limits);
  }
  return read;
}
