// Checks Codex's final message against the output schema after an `exec` run. Codex passes the
// model's reply through without looking at it, so a reply that is not JSON, or JSON of another
// shape, would otherwise flow on silently.
import type { ErrorObject } from 'ajv';
import { createAjv, draftOf, DEFAULT_DRAFT } from './ajv.js';

export type ReplyCheck =
  { ok: true; value: unknown } | { ok: false; value: unknown | undefined; errors: string[] };

/**
 * Parses `message` as JSON and validates it against `schema` (the draft its `$schema` declares,
 * 2020-12 by default, with the standard formats). On a mismatch `value` is the parsed reply and
 * each error reads `<instancePath or "(root)">: <message>`; when the message is not JSON, `value`
 * is undefined and the single error carries the parse error.
 */
export function validateReply(message: string, schema: object): ReplyCheck {
  let value: unknown;
  try {
    value = JSON.parse(message);
  } catch (error) {
    const reason = message.trim() === '' ? 'it is empty' : errorText(error);
    return { ok: false, value: undefined, errors: [`(root): the reply is not JSON: ${reason}`] };
  }

  let validate;
  try {
    // A `$schema` this module does not know was already reported by the strict-schema lint;
    // validate against the default draft rather than not at all.
    const ajv = createAjv(draftOf(schema) ?? DEFAULT_DRAFT, { verbose: true });
    validate = ajv.compile(stripUnknownMeta(schema));
  } catch (error) {
    return {
      ok: false,
      value,
      errors: [`(schema): the output schema cannot be compiled: ${errorText(error)}`],
    };
  }
  if (validate(value)) return { ok: true, value };
  const errors = unique((validate.errors ?? []).map(renderError));
  return { ok: false, value, errors };
}

function renderError(error: ErrorObject): string {
  const where = error.instancePath === '' ? '(root)' : error.instancePath;
  const params = error.params as Record<string, unknown>;
  let message = error.message ?? `fails "${error.keyword}"`;
  switch (error.keyword) {
    case 'enum':
      message = `must be one of ${list(params.allowedValues)} (got ${json(error.data)})`;
      break;
    case 'const':
      message = `must be ${json(params.allowedValue)} (got ${json(error.data)})`;
      break;
    case 'type':
      message = `${message} (got ${typeName(error.data)})`;
      break;
    case 'additionalProperties':
      message = `must NOT have the additional property ${json(params.additionalProperty)}`;
      break;
    case 'required':
      message = `must have the required property ${json(params.missingProperty)}`;
      break;
  }
  return `${where}: ${message}`;
}

/** Ajv refuses a `$schema` it has no meta-schema for; the reply check only needs the keywords. */
function stripUnknownMeta(schema: object): object {
  const record = schema as Record<string, unknown>;
  if (record.$schema === undefined || draftOf(schema) !== undefined) return schema;
  const copy = { ...record };
  delete copy.$schema;
  return copy;
}

function list(values: unknown): string {
  return Array.isArray(values) ? values.map(json).join(', ') : json(values);
}

function json(value: unknown): string {
  const text = JSON.stringify(value);
  if (text === undefined) return String(value);
  return text.length > 80 ? `${text.slice(0, 77)}…` : text;
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}
