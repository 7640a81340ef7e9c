// `import from fastapi { UploadFile }` (jac-cloud-runtime.md §6): the type a walker's `has` field
// names to take a file from a multipart request, and the file object the walker then holds.
// Walkers run synchronously here, so `read()`, `seek()` and `close()` answer at once instead of
// returning coroutines as starlette's do; `.file` is the same bytes with the same position.
import { PyBytes } from '../values/bytes.ts';
import { PyDict } from '../values/containers.ts';
import { PyError } from '../values/errors.ts';
import { repr } from '../values/repr.ts';
import type { Value } from '../values/value.ts';
import { HostObject } from './host-object.ts';

/** A file as it crosses from the HTTP side to a run worker: plain data, cloned with the job. */
export interface UploadedFile {
  filename: string;
  contentType: string;
  /** The part's headers, names in lower case. */
  headers: Record<string, string>;
  data: Uint8Array;
}

/** Whether a request value is a file the HTTP side read (not JSON that looks like one). */
export function isUploadedFile(v: unknown): v is UploadedFile {
  if (typeof v !== 'object' || v === null) return false;
  const f = v as Partial<UploadedFile>;
  return f.data instanceof Uint8Array && typeof f.filename === 'string' && typeof f.contentType === 'string' && typeof f.headers === 'object';
}

/** `UploadFile` itself: a type for annotations; calling it is not how a walker gets a file. */
export const UPLOAD_FILE_TYPE = new HostObject(
  'type',
  {
    get: { __name__: () => 'UploadFile', __module__: () => 'fastapi' },
    methods: {},
  },
  () => "<class 'fastapi.UploadFile'>",
);

/** How many bytes a `read(size)` call asks for: all that is left for a missing, None or negative size. */
function wanted(args: Value[], kwargs: Map<string, Value>, left: number): number {
  const size = args[0] ?? kwargs.get('size') ?? -1;
  if (size === null) return left;
  if (typeof size !== 'number' || !Number.isInteger(size)) throw new PyError('TypeError', `read() size must be an int, not ${repr(size)}`);
  return size < 0 ? left : Math.min(size, left);
}

/** The file object a walker's UploadFile field holds. */
export class UploadFileValue extends HostObject {
  constructor(readonly upload: UploadedFile) {
    let position = 0;
    const data = upload.data;
    const read = (args: Value[], kwargs: Map<string, Value>): Value => {
      const n = wanted(args, kwargs, data.length - position);
      const chunk = data.slice(position, position + n);
      position += n;
      return new PyBytes(chunk);
    };
    const seek = (args: Value[], kwargs: Map<string, Value>): Value => {
      const offset = args[0] ?? kwargs.get('offset');
      if (typeof offset !== 'number' || !Number.isInteger(offset) || offset < 0) throw new PyError('ValueError', `seek() offset must be an int of 0 or more, not ${repr(offset ?? null)}`);
      position = Math.min(offset, data.length);
      return position;
    };
    const file = new HostObject('SpooledTemporaryFile', { get: { closed: () => false }, methods: { read, seek, tell: () => position } });
    const headers = new PyDict();
    for (const [k, v] of Object.entries(upload.headers)) headers.set(k, v);
    super(
      'UploadFile',
      {
        get: {
          filename: () => upload.filename,
          content_type: () => upload.contentType,
          size: () => data.length,
          headers: () => headers,
          file: () => file,
        },
        methods: { read, seek, close: () => null },
      },
      () => `UploadFile(filename=${repr(upload.filename)}, size=${data.length}, headers=${repr(headers)})`,
    );
  }

  /** What a report of the file sends: its name, type and size, never its bytes. */
  summary(): { filename: string; content_type: string; size: number } {
    return { filename: this.upload.filename, content_type: this.upload.contentType, size: this.upload.data.length };
  }
}

/** The `fastapi` module: only `UploadFile`. */
export function fastapiModule(): Map<string, Value> {
  return new Map<string, Value>([['UploadFile', UPLOAD_FILE_TYPE]]);
}
