// An app's own user fields as the HTTP side holds them (plain data, read by the run workers from
// the program's user model, user-model.ts): the register body's extra properties, the values a
// new user is stored with, and what login gives back.
import type { Json } from '../runtime/store/store.ts';
import type { JsonSchema } from './schema.ts';

export interface UserFieldManifest {
  name: string;
  /** Declared without a default: registration must give it. */
  required: boolean;
  /** The JSON Schema a registration's value is validated with. */
  schema: JsonSchema;
  /** The default, as JSON (when not required). */
  default?: Json;
}

export class UserFields {
  constructor(readonly fields: readonly UserFieldManifest[] = []) {}

  /** The register body's properties and required names for these fields. */
  bodySchema(): { properties: Record<string, JsonSchema>; required: string[] } {
    return {
      properties: Object.fromEntries(this.fields.map((f) => [f.name, f.schema])),
      required: this.fields.filter((f) => f.required).map((f) => f.name),
    };
  }

  /** A new user's fields: each as the (validated) body gives it, else its default. Other keys are ignored. */
  fromRegistration(body: Record<string, unknown>): Record<string, Json> | undefined {
    if (this.fields.length === 0) return undefined;
    const out: Record<string, Json> = {};
    for (const f of this.fields) {
      if (Object.hasOwn(body, f.name)) out[f.name] = body[f.name] as Json;
      else if (f.default !== undefined) out[f.name] = structuredClone(f.default);
    }
    return out;
  }

  /**
   * What login shows of a user's fields: the stored values of the model's fields, defaults for
   * the ones a user registered before the field existed (a required one is then left out).
   */
  forLogin(stored: Record<string, Json> | undefined): Record<string, Json> {
    const out: Record<string, Json> = {};
    for (const f of this.fields) {
      if (stored && Object.hasOwn(stored, f.name)) out[f.name] = stored[f.name];
      else if (f.default !== undefined) out[f.name] = f.default;
    }
    return out;
  }
}
