// What the HTTP side needs to know of a loaded program, as plain data: its walkers with their
// specs and request fields (each with the JSON Schema of its annotation), and its node types.
// A program is loaded, and its code run, only in the run workers (workers/); they send this to
// the main thread, which builds routes from it and never holds a Jac value.
import type { LoadedApp } from './loader.ts';
import { type FileField, fileFieldOf, type JsonSchema, schemaForType } from './schema.ts';
import { isExcluded, type WalkerSpecs } from './specs.ts';
import { type UserFieldManifest, UserFields } from './user-fields.ts';

export interface FieldManifest {
  name: string;
  hasDefault: boolean;
  /** The JSON Schema a request value of this field is validated with. */
  schema: JsonSchema;
  /** An UploadFile field: its value is file parts of a multipart body, not JSON. */
  file?: FileField;
}

export interface WalkerManifest {
  name: string;
  specs: WalkerSpecs;
  /** `async walker`: a request is answered with its walker id at once and runs afterwards. */
  isAsync: boolean;
  /** The fields a request can set (excluded ones are left out), inherited ones first. */
  fields: FieldManifest[];
}

export interface AppManifest {
  files: string[];
  walkers: WalkerManifest[];
  /** Node type names (`Outer.Inner` for nested ones), for webhook key restrictions. */
  nodeTypes: string[];
  /** The app's own user fields (none: null or absent). */
  userFields?: UserFieldManifest[] | null;
}

/** A program as the routes see it. */
export interface ServedApp {
  files: string[];
  walkers: Map<string, WalkerManifest>;
  isNodeType(name: string): boolean;
  /** The app's own user fields (empty when it has no user model). */
  userFields: UserFields;
}

export function manifestOf(app: LoadedApp): AppManifest {
  const walkers = [...app.walkers.values()].map((w) => ({
    name: w.name,
    specs: w.specs,
    isAsync: w.declaration.isAsync,
    fields: w.fields
      .filter((f) => !isExcluded(w.specs, f.name))
      .map((f) => {
        const file = fileFieldOf(f.type, app.resolveType, app.declarationOf);
        return { name: f.name, hasDefault: f.hasDefault, schema: schemaForType(f.type, app.resolveType, app.declarationOf), ...(file ? { file } : {}) };
      }),
  }));
  return { files: app.files, walkers, nodeTypes: app.nodeTypes, userFields: app.userFields };
}

export function servedApp(manifest: AppManifest): ServedApp {
  const nodeTypes = new Set(manifest.nodeTypes);
  return {
    files: manifest.files,
    walkers: new Map(manifest.walkers.map((w) => [w.name, w])),
    isNodeType: (name) => nodeTypes.has(name),
    userFields: new UserFields(manifest.userFields ?? []),
  };
}
