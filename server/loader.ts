// Loading what `jac-serve <path>` serves: every .jac file of a folder parsed, compiled and run
// once (defining its archetypes and walkers), then each walker's endpoint read from its
// `__specs__`. Anything wrong is a list of diagnostics with file:line:col; a program that does
// not load is never half-served.
import { TaskSink } from './schedule/create-task.ts';
import { readFileSync } from 'node:fs';
import type * as A from '../grammar/ast.ts';
import type { Diagnostic } from '../grammar/diagnostics.ts';
import { parse } from '../grammar/index.ts';
import type { Value } from '../runtime/values/value.ts';
import { PyClass, PyInstance } from '../runtime/interpreter/archetypes.ts';
import { RootClass } from '../runtime/interpreter/graph.ts';
import { type CompileOptions, errorText, Program } from '../runtime/interpreter/run.ts';
import { UPLOAD_FILE_TYPE } from '../runtime/interpreter/fastapi-module.ts';
import { fieldDeclaration, fileFieldOf, SchemaError, schemaForType } from './schema.ts';
import { checkFileField } from './uploads/file-fields.ts';
import { isExcluded, readSpecs, SpecsError, type WalkerSpecs } from './specs.ts';
import type { UserFieldManifest } from './user-fields.ts';
import { readUserModel } from './user-model.ts';

export interface WalkerField {
  name: string;
  /** Its annotation, from the declaring archetype. */
  type: A.Expr;
  hasDefault: boolean;
}

export interface WalkerEndpoint {
  name: string;
  cls: PyClass;
  /** The program (file) that defines it: walkers run in their own program. */
  program: Program;
  declaration: A.Archetype;
  /** The `has` fields a request can set (`by postinit` fields are not among them). */
  fields: WalkerField[];
  specs: WalkerSpecs;
}

export interface LoadedApp {
  files: string[];
  walkers: Map<string, WalkerEndpoint>;
  /** An archetype or enum of any loaded file, by (qualified) name. */
  resolveType(name: string): Value | undefined;
  /** The declaration of an archetype class. */
  declarationOf(cls: PyClass): A.Archetype | undefined;
  /** The (qualified) names of the node types of every loaded file. */
  nodeTypes: string[];
  /** The fields of the app's own user model (`class User(BaseUser)`), or null when it has none. */
  userFields: UserFieldManifest[] | null;
}

/** Why a program did not load: diagnostics, each with the source it points into. */
export class LoadFailure extends Error {
  constructor(readonly diagnostics: { diagnostic: Diagnostic; source: string }[]) {
    super(diagnostics.map((d) => d.diagnostic.message).join('; '));
  }
}

/** Loads `files`; what their top-level code prints goes to `write`. */
export function loadApp(files: string[], write: (text: string) => void, options: CompileOptions = {}): LoadedApp {
  const failures: { diagnostic: Diagnostic; source: string }[] = [];
  const fail = (source: string, message: string, span: A.Span, code: Diagnostic['code'] = 'JAC_LOAD_ERROR') =>
    failures.push({ diagnostic: { code, severity: 'error', message, span }, source });
  const types = new Map<string, Value>();
  const declarations = new Map<PyClass, A.Archetype>();
  const walkers = new Map<string, WalkerEndpoint>();
  const loaded: { file: string; source: string; module: A.Module; program: Program }[] = [];

  for (const file of files) {
    const source = readFileSync(file, 'utf8');
    const { module, diagnostics } = parse(source, file);
    if (!module) {
      for (const d of diagnostics) failures.push({ diagnostic: d, source });
      continue;
    }
    // The Jac Cloud modules are known to every load (so `check` accepts their imports); the
    // worker passes the ones whose calls it collects.
    const program = Program.compile(module, file, write, { hostModules: new TaskSink().modules(), ...options });
    if (!(program instanceof Program)) {
      failures.push({ diagnostic: program, source });
      continue;
    }
    // Top-level code runs once, against a scratch root: it defines the program's types.
    const { error } = program.runMain(new PyInstance(RootClass), { maxMillis: 10_000 });
    if (error) {
      fail(source, `${errorText(error)} (while loading the module)`, error.span ?? module.span, 'JAC_LOAD_RUNTIME');
      continue;
    }
    loaded.push({ file, source, module, program });
  }
  if (failures.length > 0) throw new LoadFailure(failures);

  // Every file's archetypes and enums, each bound to its declaration.
  for (const { source, module, program } of loaded) {
    for (const decl of module.body) {
      if (decl.kind !== 'Archetype' && decl.kind !== 'Enum') continue;
      const value = program.globals.get(decl.name);
      if (value === undefined) continue;
      const known = types.get(decl.name);
      if (known !== undefined && known !== value) {
        fail(source, `${decl.name} is defined in two files; every archetype, enum and walker name must be unique`, decl.span);
        continue;
      }
      types.set(decl.name, value);
      if (decl.kind === 'Archetype' && value instanceof PyClass) {
        declarations.set(value, decl);
        for (const inner of decl.body ?? []) {
          const nested = inner.kind === 'Archetype' ? value.lookup(inner.name) : undefined;
          if (nested instanceof PyClass) declarations.set(nested, inner as A.Archetype);
        }
      }
    }
    // `import from fastapi { UploadFile }` (under its name or an alias) makes it a field type.
    for (const [name, value] of program.globals) if (value === UPLOAD_FILE_TYPE && !types.has(name)) types.set(name, value);
  }

  const resolveType = (name: string): Value | undefined => {
    const [first, ...rest] = name.split('.');
    let v = types.get(first);
    for (const part of rest) v = v instanceof PyClass ? v.lookup(part) : undefined;
    return v;
  };
  for (const { source, module, program } of loaded) {
    for (const decl of module.body) {
      if (decl.kind !== 'Archetype' || decl.archKind !== 'walker') continue;
      const cls = program.globals.get(decl.name);
      if (!(cls instanceof PyClass) || walkers.has(decl.name)) continue;
      const fields = walkerFields(cls, declarations);
      try {
        const specs = readSpecs(cls, decl, fields);
        // Every field a request can set must have a type a request can carry.
        for (const f of fields) {
          if (isExcluded(specs, f.name)) continue;
          schemaForType(f.type, resolveType, (c) => declarations.get(c));
          if (fileFieldOf(f.type, resolveType, (c) => declarations.get(c))) checkFileField(decl.name, specs, decl.isAsync, f.name, f.type);
        }
        walkers.set(decl.name, { name: decl.name, cls, program, declaration: decl, fields, specs });
      } catch (e) {
        if (!(e instanceof SpecsError) && !(e instanceof SchemaError)) throw e;
        fail(source, e instanceof SchemaError ? `walker ${decl.name}: ${e.message}` : e.message, e.span);
      }
    }
  }
  const userFields = readUserModel(loaded, (c) => declarations.get(c), resolveType, (p) => fail(p.source, p.message, p.span));
  if (failures.length > 0) throw new LoadFailure(failures);
  const nodeTypes = [...declarations.keys()].filter((cls) => cls.kind === 'node').map((cls) => cls.qualname);
  return { files, walkers, resolveType, declarationOf: (cls) => declarations.get(cls), nodeTypes, userFields };
}

/** A walker's request fields with their annotations, inherited ones first. */
function walkerFields(cls: PyClass, declarations: Map<PyClass, A.Archetype>): WalkerField[] {
  const out: WalkerField[] = [];
  for (const f of cls.fields) {
    if (f.byPostinit) continue;
    const v = fieldDeclaration(cls, f.name, (c) => declarations.get(c));
    if (v) out.push({ name: f.name, type: v.type, hasDefault: f.makeDefault !== null });
  }
  return out;
}
