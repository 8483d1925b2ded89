// One place that turns a user's JSON Schema into an Ajv instance for the draft it declares, shared
// by the strict-schema lint (meta-validation before the run) and the reply check (after the run).
import { Ajv, type Options } from 'ajv';
import { Ajv2019 } from 'ajv/dist/2019.js';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';

export type Draft = '2020-12' | '2019-09' | 'draft-07';

export type AnyAjv = Ajv | Ajv2019 | Ajv2020;

/**
 * The draft a schema without `$schema` is read as. 2020-12 is the current draft, and the OpenAI
 * structured-outputs guide writes its examples with `$defs` and `"$ref": "#"`, which are
 * 2019-09/2020-12 vocabulary (Ajv still resolves draft-07's `definitions` under 2020-12, since a
 * `$ref` is a plain JSON pointer). A schema that needs draft-07 semantics can say so in `$schema`.
 */
export const DEFAULT_DRAFT: Draft = '2020-12';

const DRAFT_URIS = new Map<string, Draft>([
  ['https://json-schema.org/draft/2020-12/schema', '2020-12'],
  ['https://json-schema.org/draft/2019-09/schema', '2019-09'],
  ['http://json-schema.org/draft-07/schema', 'draft-07'],
]);

export const SUPPORTED_SCHEMA_URIS = [...DRAFT_URIS.keys()];

/**
 * The draft a schema declares in `$schema` (a trailing `#` ignored), the default when
 * it declares none, or `undefined` when it declares a draft Ajv is not set up for here.
 */
export function draftOf(schema: unknown): Draft | undefined {
  if (schema === null || typeof schema !== 'object' || Array.isArray(schema)) return DEFAULT_DRAFT;
  const declared = (schema as Record<string, unknown>).$schema;
  if (declared === undefined) return DEFAULT_DRAFT;
  if (typeof declared !== 'string') return undefined;
  // Exactly the meta-schema ids Ajv registers (an empty fragment is the same URI).
  return DRAFT_URIS.get(declared.replace(/#$/, ''));
}

/**
 * A fresh Ajv for one draft, with the standard formats. `strict: false` because unknown keywords
 * are reported by the strict-schema lint with a fix, not thrown by Ajv; `logger: false` keeps Ajv's
 * warnings out of the job log.
 */
export function createAjv(draft: Draft, options: Options = {}): AnyAjv {
  const opts: Options = { allErrors: true, strict: false, logger: false, ...options };
  const ajv =
    draft === '2020-12'
      ? new Ajv2020(opts)
      : draft === '2019-09'
        ? new Ajv2019(opts)
        : new Ajv(opts);
  // ajv-formats is CommonJS: under NodeNext the default import is the module object, and at run
  // time (Node or a bundler) `.default` is the plugin function either way.
  addFormats.default(ajv);
  return ajv;
}

/** Escapes one JSON-pointer segment (RFC 6901). */
export function pointerSegment(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}
