// Checks an `exec` output schema before Codex starts. `codex exec --output-schema FILE` sends the
// schema verbatim as a strict `json_schema` response format, and the Responses API rejects a
// schema outside the strict subset only once the run is under way (400 → `turn.failed`, tokens
// already spent). So the schema is checked twice here, and every problem comes back with the JSON
// path of the offending node and a concrete fix:
//
// 1. Meta-validation with Ajv (a real JSON Schema implementation): the schema must be valid JSON
//    Schema for the draft it declares in `$schema` (2020-12 when it declares none; 2019-09 and
//    draft-07 are accepted too), and Ajv must be able to compile it.
// 2. The strict structured-output rules of the Responses API, from OpenAI's guide "Structured
//    model outputs", section "Supported schemas":
//    https://platform.openai.com/docs/guides/structured-outputs#supported-schemas
//    (now served at https://developers.openai.com/api/docs/guides/structured-outputs):
//    - "Root objects must not be `anyOf` and must be an object".
//    - "`additionalProperties: false` must always be set in objects" — every object, including
//      nested ones, array items, `anyOf` branches and `$defs`/`definitions` entries.
//    - "All fields must be `required`"; an optional field is emulated "by using a union type with
//      `null`", e.g. `"type": ["string", "null"]`.
//    - Supported types: string, number, boolean, integer, object, array, enum, anyOf (plus null in
//      a type union). Supported constraints: strings `pattern` and `format` (date-time, time, date,
//      duration, email, hostname, ipv4, ipv6, uuid); numbers `multipleOf`, `maximum`,
//      `exclusiveMaximum`, `minimum`, `exclusiveMinimum`; arrays `minItems`, `maxItems`.
//      `minLength`/`maxLength` are listed as unsupported only "for fine-tuned models", so they are
//      accepted here. "Definitions are supported" (`$defs`, `$ref`) and "Recursive schemas are
//      supported" (`"$ref": "#"`).
//    - "Some type-specific keywords are not yet supported": `allOf`, `not`, `dependentRequired`,
//      `dependentSchemas`, `if`, `then`, `else` (and, in earlier versions of the guide,
//      `patternProperties`, `unevaluatedProperties`, `propertyNames`, `minProperties`,
//      `maxProperties`, `unevaluatedItems`, `contains`, `minContains`, `maxContains`,
//      `uniqueItems`). Anything outside the supported list is reported, because the API answers an
//      unknown keyword with "'<keyword>' is not permitted" (reported for `oneOf` in
//      https://community.openai.com/t/932422 and for `default`).
//    - Limits: "up to 5000 object properties total, with up to 10 levels of nesting"; "total
//      string length of all property names, definition names, enum values, and const values
//      cannot exceed 120,000 characters"; "up to 1000 enum values across all enum properties";
//      for one string enum with more than 250 values, at most 15,000 characters in total.
//    Beyond the guide's wording: a `$ref` must stand alone (OpenAI's own SDK, openai-python
//    `src/openai/lib/_pydantic.py`, inlines any `$ref` with sibling keys because "we can't use
//    `$ref`s if there are also other properties defined"); `required` must not name a key missing
//    from `properties` (with `additionalProperties: false` no instance could satisfy it); and every
//    subschema must say what it generates (a "type", or `enum`/`const`/`anyOf`/`$ref`), arrays
//    with one `items` schema, since "Supported types" has no "any value" and no tuples.
import type { ErrorObject } from 'ajv';
import {
  SUPPORTED_SCHEMA_URIS,
  createAjv,
  draftOf,
  pointerSegment,
  type AnyAjv,
  type Draft,
} from './ajv.js';

export interface SchemaViolation {
  /** JSON-pointer-like path into the schema, e.g. "#/properties/findings/items". */
  path: string;
  /** What is wrong, in one sentence. */
  problem: string;
  /** How to fix it, concretely. */
  fix: string;
}

type Json = Record<string, unknown>;

/** Every keyword the strict subset accepts (see the header comment for the source). */
const SUPPORTED_KEYWORDS = new Set([
  'type',
  'properties',
  'required',
  'additionalProperties',
  'items',
  'enum',
  'const',
  'anyOf',
  '$ref',
  '$defs',
  'definitions',
  'description',
  'title',
  'pattern',
  'format',
  'minLength',
  'maxLength',
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'exclusiveMaximum',
  'multipleOf',
  'minItems',
  'maxItems',
]);

/** Formats the guide lists as supported for strings. */
const SUPPORTED_FORMATS = [
  'date-time',
  'time',
  'date',
  'duration',
  'email',
  'hostname',
  'ipv4',
  'ipv6',
  'uuid',
];

const MAX_NESTING = 10;
const MAX_PROPERTIES = 5000;
const MAX_STRING_CHARS = 120_000;
const MAX_ENUM_VALUES = 1000;
const LARGE_ENUM_VALUES = 250;
const MAX_LARGE_ENUM_CHARS = 15_000;

const FREE_FORM_FIX =
  'remove it and declare a fixed set of keys under "properties" (for a free-form map, use an array of {"key", "value"} objects)';
const ARRAY_SHAPE_FIX =
  'remove it; describe every element with one "items" schema (and bound the length with "minItems"/"maxItems")';
const IDENTIFIER_FIX =
  'remove it; name reusable schemas under "$defs" and reference them with "$ref": "#/$defs/<name>" (or "#" for the root)';

/** Specific advice for keywords people reach for that the strict subset does not accept. */
const UNSUPPORTED_FIXES: Record<string, string> = {
  allOf:
    'merge the "allOf" branches into this schema (one object whose "properties" and "required" list every field)',
  oneOf: 'replace "oneOf" with "anyOf" (each branch must follow these rules too)',
  not: 'remove "not"; state the allowed values positively ("enum", "anyOf") or check the rule after the run',
  if: 'remove the conditional; list the alternative shapes under "anyOf" or check the rule after the run',
  then: 'remove the conditional; list the alternative shapes under "anyOf" or check the rule after the run',
  else: 'remove the conditional; list the alternative shapes under "anyOf" or check the rule after the run',
  dependentRequired:
    'remove it; every property is always required (make optional ones nullable: "type": ["<type>", "null"])',
  dependentSchemas: 'remove it; list the alternative shapes under "anyOf" instead',
  dependencies:
    'remove it; every property is always required (make optional ones nullable: "type": ["<type>", "null"])',
  patternProperties: FREE_FORM_FIX,
  propertyNames: FREE_FORM_FIX,
  unevaluatedProperties: FREE_FORM_FIX,
  minProperties: FREE_FORM_FIX,
  maxProperties: FREE_FORM_FIX,
  prefixItems: ARRAY_SHAPE_FIX,
  additionalItems: ARRAY_SHAPE_FIX,
  unevaluatedItems: ARRAY_SHAPE_FIX,
  contains: ARRAY_SHAPE_FIX,
  minContains: ARRAY_SHAPE_FIX,
  maxContains: ARRAY_SHAPE_FIX,
  uniqueItems: 'remove "uniqueItems" and de-duplicate the array after the run',
  default:
    'remove "default": the model always generates every property; mention the default in "description" instead',
  examples: 'remove it; put an example in "description" instead',
  example: 'remove it; put an example in "description" instead',
  nullable:
    'remove "nullable" (an OpenAPI keyword, not JSON Schema); allow null with "type": ["<type>", "null"]',
  $id: IDENTIFIER_FIX,
  $anchor: IDENTIFIER_FIX,
  $dynamicRef: IDENTIFIER_FIX,
  $dynamicAnchor: IDENTIFIER_FIX,
  $recursiveRef: IDENTIFIER_FIX,
  $recursiveAnchor: IDENTIFIER_FIX,
  $vocabulary: 'remove it',
};

/**
 * Every way `schema` breaks JSON Schema or the Responses API's strict structured-output rules,
 * in document order (meta-validation first, size limits last). Empty means it can be sent.
 */
export function lintStrictSchema(schema: unknown): SchemaViolation[] {
  if (!isRecord(schema)) {
    return [
      {
        path: '#',
        problem: `the schema is ${describeValue(schema)}, not a JSON object`,
        fix: 'write the schema as a JSON object: {"type": "object", "properties": {…}, "required": […], "additionalProperties": false}',
      },
    ];
  }
  const out: SchemaViolation[] = [];
  const draft = draftOf(schema);
  let metaValid = false;
  if (draft === undefined) {
    out.push({
      path: '#/$schema',
      problem: `"$schema" is ${JSON.stringify(schema.$schema)}, not a meta-schema this check knows`,
      fix: `remove "$schema" (the schema is then read as JSON Schema 2020-12) or set it to one of ${SUPPORTED_SCHEMA_URIS.map((u) => JSON.stringify(u)).join(', ')}`,
    });
  } else {
    metaValid = metaValidate(schema, draft, out);
  }

  const ctx: Context = {
    root: schema,
    out,
    seen: new WeakSet(),
    compileProblems: 0,
    properties: 0,
    stringChars: 0,
    enumValues: 0,
  };
  checkRoot(schema, ctx);
  walk(schema, '#', 0, ctx, true);
  checkLimits(ctx);

  // Compiling finds what the meta-schema cannot (e.g. a `$ref` Ajv cannot resolve, a broken
  // regular expression); skip it when such a problem is already reported with its path.
  if (draft !== undefined && metaValid && ctx.compileProblems === 0) {
    try {
      // Already meta-validated above; a fresh instance keeps schemas of earlier calls out.
      createAjv(draft, { validateSchema: false }).compile(schema);
    } catch (error) {
      out.push({
        path: '#',
        problem: `Ajv cannot compile the schema: ${error instanceof Error ? error.message : String(error)}`,
        fix: 'correct the schema so a JSON Schema validator accepts it',
      });
    }
  }
  return out;
}

/** A readable multi-line message: a heading, then each violation with its path and fix. */
export function formatViolations(violations: SchemaViolation[], max = 20): string {
  if (violations.length === 0) return '';
  const n = violations.length;
  const lines = [
    `The output schema has ${n} problem${n === 1 ? '' : 's'}; the Responses API rejects such a schema for strict structured output, and only after the run has started:`,
  ];
  for (const v of violations.slice(0, Math.max(0, max))) {
    lines.push(`- ${v.path}: ${v.problem}`, `  fix: ${v.fix}`);
  }
  if (n > max) lines.push(`- … and ${n - Math.max(0, max)} more`);
  return lines.join('\n');
}

interface Context {
  root: Json;
  out: SchemaViolation[];
  seen: WeakSet<object>;
  compileProblems: number;
  properties: number;
  stringChars: number;
  enumValues: number;
}

/** Meta-validation never registers the schema it checks, so one Ajv per draft can be reused. */
const metaValidators = new Map<Draft, AnyAjv>();

function metaValidate(schema: Json, draft: Draft, out: SchemaViolation[]): boolean {
  let ajv = metaValidators.get(draft);
  if (ajv === undefined) {
    ajv = createAjv(draft);
    metaValidators.set(draft, ajv);
  }
  let valid: boolean;
  try {
    valid = ajv.validateSchema(schema) === true;
  } catch (error) {
    out.push({
      path: '#',
      problem: `Ajv cannot meta-validate the schema: ${error instanceof Error ? error.message : String(error)}`,
      fix: 'correct the schema so a JSON Schema validator accepts it',
    });
    return false;
  }
  if (valid) return true;
  // A single mistake can fail several branches of the meta-schema (e.g. "type" is neither one of
  // the simple types nor an array of them): one violation per path, with every reason joined.
  const byPath = new Map<string, ErrorObject[]>();
  for (const error of ajv.errors ?? []) {
    const list = byPath.get(error.instancePath) ?? [];
    list.push(error);
    byPath.set(error.instancePath, list);
  }
  for (const [instancePath, errors] of byPath) {
    const specific = errors.filter((e) => !['anyOf', 'oneOf', 'allOf', 'if'].includes(e.keyword));
    const shown = specific.length > 0 ? specific : errors;
    const reasons = unique(shown.map(metaReason));
    const keyword = lastSegment(instancePath);
    const allowed = shown.find((e) => e.keyword === 'enum')?.params as
      { allowedValues?: unknown[] } | undefined;
    const subject = keyword === undefined ? 'the schema' : `"${keyword}"`;
    out.push({
      path: `#${instancePath}`,
      problem: `not valid JSON Schema (${draft}): ${subject} ${reasons.join(' or ')}`,
      fix: allowed?.allowedValues
        ? `change ${subject} to one of ${allowed.allowedValues.map((v) => JSON.stringify(v)).join(', ')}`
        : `change ${subject} so it ${reasons.join(' or ')}`,
    });
  }
  return false;
}

function metaReason(error: ErrorObject): string {
  const message = error.message ?? `fails "${error.keyword}"`;
  if (error.keyword === 'enum') {
    const allowed = (error.params as { allowedValues?: unknown[] }).allowedValues ?? [];
    return `${message} (${allowed.map((v) => JSON.stringify(v)).join(', ')})`;
  }
  return message;
}

function checkRoot(root: Json, ctx: Context): void {
  if (root.anyOf !== undefined) {
    ctx.out.push({
      path: '#/anyOf',
      problem: 'the root uses "anyOf"; the root must be a single object',
      fix: 'wrap the alternatives in a property: {"type": "object", "properties": {"result": {"anyOf": […]}}, "required": ["result"], "additionalProperties": false}',
    });
  }
  if (root.type === 'object') return;
  if (root.type === undefined && root.anyOf !== undefined) return; // reported just above
  ctx.out.push({
    path: root.type === undefined ? '#' : '#/type',
    problem:
      root.type === undefined
        ? 'the root declares no "type"; it must be "type": "object"'
        : `the root has "type": ${JSON.stringify(root.type)}; it must be "type": "object"`,
    fix:
      root.type === undefined
        ? 'add "type": "object" to the root (a "$ref" root is not accepted: inline the referenced object)'
        : 'make the root an object and put the value in a property, e.g. {"type": "object", "properties": {"result": <this schema>}, "required": ["result"], "additionalProperties": false}',
  });
}

/**
 * Visits one schema node and every subschema under it. `depth` is how many object schemas enclose
 * this node (array wrappers and `anyOf` alternatives add no level); `$defs` entries start over,
 * since where a definition ends up depends on the `$ref`s that use it.
 */
function walk(node: unknown, path: string, depth: number, ctx: Context, isRoot = false): void {
  if (typeof node === 'boolean') {
    ctx.out.push({
      path,
      problem: `the boolean schema ${String(node)} is not accepted; Structured Outputs needs an explicit schema`,
      fix: 'replace it with a schema that has a "type" (or an "enum", "anyOf" or "$ref")',
    });
    return;
  }
  if (!isRecord(node) || ctx.seen.has(node)) return; // a non-object is reported by meta-validation
  ctx.seen.add(node);

  checkKeywords(node, path, isRoot, ctx);
  if (typeof node.$ref === 'string') checkRef(node, path, ctx);
  if (typeof node.format === 'string' && !SUPPORTED_FORMATS.includes(node.format)) {
    ctx.out.push({
      path: `${path}/format`,
      problem: `"format": ${JSON.stringify(node.format)} is not a format Structured Outputs supports`,
      fix: `use one of ${SUPPORTED_FORMATS.map((f) => JSON.stringify(f)).join(', ')}, or remove "format" and use "pattern"`,
    });
  }
  if (typeof node.pattern === 'string') checkPattern(node.pattern, `${path}/pattern`, ctx);
  countStrings(node, path, ctx);

  const types = typeList(node.type);
  const objectLike =
    types.includes('object') ||
    (node.type === undefined &&
      (node.properties !== undefined || node.additionalProperties !== undefined));
  if (
    !isRoot &&
    node.type === undefined &&
    node.anyOf === undefined &&
    node.$ref === undefined &&
    node.enum === undefined &&
    node.const === undefined &&
    !['allOf', 'oneOf', 'not', 'if'].some((k) => node[k] !== undefined) // reported as unsupported
  ) {
    ctx.out.push({
      path,
      problem: objectLike
        ? 'this object schema declares no "type"'
        : 'this schema declares no "type", so it allows any value, which strict mode cannot generate',
      fix: objectLike
        ? 'add "type": "object"'
        : 'add a "type" ("string", "number", "integer", "boolean", "object", "array" or "null"), or list the allowed values with "enum"',
    });
  }

  let childDepth = depth;
  if (objectLike) {
    childDepth = depth + 1;
    if (childDepth === MAX_NESTING + 1) {
      ctx.out.push({
        path,
        problem: `objects are nested ${childDepth} levels deep here; Structured Outputs allows at most ${MAX_NESTING}`,
        fix: 'flatten the schema: move deeply nested fields up a level, or split the result into fewer nested objects',
      });
    }
    checkObject(node, path, ctx);
  }
  if (types.includes('array') && node.items === undefined) {
    ctx.out.push({
      path,
      problem: 'this array declares no "items"',
      fix: 'add "items" with the schema of one element, e.g. "items": {"type": "string"}',
    });
  }

  if (isRecord(node.properties)) {
    for (const [key, child] of Object.entries(node.properties)) {
      walk(child, `${path}/properties/${pointerSegment(key)}`, childDepth, ctx);
    }
  }
  if (Array.isArray(node.items)) {
    ctx.out.push({
      path: `${path}/items`,
      problem:
        '"items" is an array (a tuple); Structured Outputs takes one schema for every element',
      fix: 'replace the array with a single schema, e.g. "items": {"type": "string"} (use an object with named properties for a fixed-length record)',
    });
    node.items.forEach((child, i) => walk(child, `${path}/items/${i}`, childDepth, ctx));
  } else if (node.items !== undefined) {
    walk(node.items, `${path}/items`, childDepth, ctx);
  }
  for (const keyword of ['anyOf', 'oneOf'] as const) {
    const branches = node[keyword];
    if (Array.isArray(branches)) {
      branches.forEach((child, i) => walk(child, `${path}/${keyword}/${i}`, depth, ctx));
    }
  }
  for (const keyword of ['$defs', 'definitions'] as const) {
    const defs = node[keyword];
    if (isRecord(defs)) {
      for (const [name, child] of Object.entries(defs)) {
        ctx.stringChars += name.length;
        walk(child, `${path}/${keyword}/${pointerSegment(name)}`, 0, ctx);
      }
    }
  }
}

function checkKeywords(node: Json, path: string, isRoot: boolean, ctx: Context): void {
  for (const key of Object.keys(node)) {
    if (SUPPORTED_KEYWORDS.has(key)) continue;
    if (key === '$schema' && isRoot) continue;
    const at = `${path}/${pointerSegment(key)}`;
    if (key === '$schema') {
      ctx.out.push({
        path: at,
        problem: '"$schema" is only accepted at the root',
        fix: 'remove "$schema" here',
      });
      continue;
    }
    const guess = closestKeyword(key);
    ctx.out.push({
      path: at,
      problem: `"${key}" is not a keyword Structured Outputs supports`,
      fix:
        UNSUPPORTED_FIXES[key] ??
        (guess
          ? `did you mean "${guess}"? Otherwise remove "${key}"`
          : `remove "${key}" (supported keywords: ${[...SUPPORTED_KEYWORDS].join(', ')})`),
    });
  }
}

function checkObject(node: Json, path: string, ctx: Context): void {
  const ap = node.additionalProperties;
  if (ap === undefined) {
    ctx.out.push({
      path,
      problem: 'this object does not set "additionalProperties": false',
      fix: 'add "additionalProperties": false to this object',
    });
  } else if (ap !== false) {
    ctx.out.push({
      path: `${path}/additionalProperties`,
      problem:
        ap === true
          ? '"additionalProperties" is true; strict mode only generates declared keys'
          : '"additionalProperties" is a schema; strict mode only generates declared keys',
      fix: 'set "additionalProperties": false and declare every allowed key under "properties" (for a free-form map, use an array of {"key", "value"} objects)',
    });
  }

  const properties = isRecord(node.properties) ? node.properties : {};
  const keys = Object.keys(properties);
  if (node.required !== undefined && !Array.isArray(node.required)) return; // meta-validation
  const required = (Array.isArray(node.required) ? node.required : []).filter(
    (r): r is string => typeof r === 'string',
  );
  if (node.required === undefined && keys.length > 0) {
    ctx.out.push({
      path,
      problem: `this object has no "required"; every property must be listed (${keys.map((k) => JSON.stringify(k)).join(', ')})`,
      fix: `add "required": ${JSON.stringify(keys)}; make the optional ones nullable, e.g. "type": ["string", "null"]`,
    });
  } else {
    for (const key of keys) {
      if (required.includes(key)) continue;
      ctx.out.push({
        path: `${path}/properties/${pointerSegment(key)}`,
        problem: `property "${key}" is not listed in "required"; strict mode requires every property`,
        fix: `add "${key}" to "required" at ${path}${nullableAdvice(properties[key])}`,
      });
    }
  }
  for (const key of unique(required)) {
    if (keys.includes(key)) continue;
    ctx.out.push({
      path: `${path}/required`,
      problem: `"required" lists "${key}", which is not under "properties"`,
      fix: `declare "${key}" under "properties" or remove it from "required"`,
    });
  }
}

/** How to keep a property optional once it is required: let it be null. */
function nullableAdvice(property: unknown): string {
  if (!isRecord(property)) return '';
  const types = typeList(property.type);
  if (types.includes('null')) return ' (it already allows null, so it stays optional)';
  if (types.length > 0) {
    const nullable = [...types, 'null'].map((t) => JSON.stringify(t)).join(', ');
    return ` and, to keep it optional, make it nullable: "type": [${nullable}]`;
  }
  return ' and, to keep it optional, make it nullable: "anyOf": [<its schema>, {"type": "null"}]';
}

function checkRef(node: Json, path: string, ctx: Context): void {
  const ref = node.$ref as string;
  const siblings = Object.keys(node).filter(
    (k) => k !== '$ref' && k !== '$defs' && k !== 'definitions',
  );
  if (siblings.length > 0) {
    ctx.out.push({
      path,
      problem: `"$ref" has sibling keywords (${siblings.map((k) => JSON.stringify(k)).join(', ')}); strict mode needs a "$ref" on its own`,
      fix: `move ${siblings.map((k) => JSON.stringify(k)).join(', ')} into the referenced definition, or inline the definition here instead of "$ref"`,
    });
  }
  if (ref === '#') return;
  const fix = 'move the referenced schema under "$defs" and point to it: "$ref": "#/$defs/<name>"';
  if (!ref.startsWith('#/')) {
    ctx.compileProblems++;
    ctx.out.push({
      path: `${path}/$ref`,
      problem: `"$ref": ${JSON.stringify(ref)} points outside the schema; only "#" and "#/$defs/…" (or "#/definitions/…") are resolved`,
      fix,
    });
    return;
  }
  const segments = ref
    .slice(2)
    .split('/')
    .map((s) => {
      try {
        return decodeURIComponent(s).replace(/~1/g, '/').replace(/~0/g, '~');
      } catch {
        return s;
      }
    });
  if (segments[0] !== '$defs' && segments[0] !== 'definitions') {
    ctx.compileProblems++;
    ctx.out.push({
      path: `${path}/$ref`,
      problem: `"$ref": ${JSON.stringify(ref)} does not point at a definition; Structured Outputs resolves "#" and "#/$defs/…" (or "#/definitions/…")`,
      fix,
    });
    return;
  }
  let target: unknown = ctx.root;
  for (const segment of segments) {
    target = isRecord(target) ? target[segment] : undefined;
  }
  if (target === undefined) {
    ctx.compileProblems++;
    ctx.out.push({
      path: `${path}/$ref`,
      problem: `"$ref": ${JSON.stringify(ref)} does not resolve to anything in the schema`,
      fix: `define "${segments.slice(1).join('/')}" under "${segments[0]}" at the root, or correct the reference`,
    });
  }
}

/** Ajv compiles patterns as Unicode regular expressions; report a broken one where it is. */
function checkPattern(pattern: string, path: string, ctx: Context): void {
  try {
    new RegExp(pattern, 'u');
  } catch (error) {
    ctx.compileProblems++;
    ctx.out.push({
      path,
      problem: `"pattern" is not a valid regular expression: ${error instanceof Error ? error.message : String(error)}`,
      fix: 'correct the regular expression (escape literal characters such as "[", "(" and "\\\\")',
    });
  }
}

function countStrings(node: Json, path: string, ctx: Context): void {
  if (isRecord(node.properties)) {
    for (const key of Object.keys(node.properties)) {
      ctx.properties++;
      ctx.stringChars += key.length;
    }
  }
  if (node.const !== undefined) ctx.stringChars += valueChars(node.const);
  if (!Array.isArray(node.enum)) return;
  ctx.enumValues += node.enum.length;
  const chars = node.enum.reduce<number>((sum, v) => sum + valueChars(v), 0);
  ctx.stringChars += chars;
  const allStrings = node.enum.every((v) => typeof v === 'string');
  if (allStrings && node.enum.length > LARGE_ENUM_VALUES && chars > MAX_LARGE_ENUM_CHARS) {
    ctx.out.push({
      path: `${path}/enum`,
      problem: `this enum has ${node.enum.length} string values totalling ${chars} characters; above ${LARGE_ENUM_VALUES} values the total may be at most ${MAX_LARGE_ENUM_CHARS}`,
      fix: 'shorten the values, trim the list, or use a plain "type": "string" with a "description" of what is allowed',
    });
  }
}

function checkLimits(ctx: Context): void {
  if (ctx.properties > MAX_PROPERTIES) {
    ctx.out.push({
      path: '#',
      problem: `the schema declares ${ctx.properties} object properties; Structured Outputs allows at most ${MAX_PROPERTIES}`,
      fix: 'reduce the number of properties, e.g. by reusing definitions or moving detail into string fields',
    });
  }
  if (ctx.enumValues > MAX_ENUM_VALUES) {
    ctx.out.push({
      path: '#',
      problem: `the schema has ${ctx.enumValues} enum values in total; Structured Outputs allows at most ${MAX_ENUM_VALUES}`,
      fix: 'shorten the enums, or replace large ones with "type": "string" and a "description"',
    });
  }
  if (ctx.stringChars > MAX_STRING_CHARS) {
    ctx.out.push({
      path: '#',
      problem: `property names, definition names, enum and const values total ${ctx.stringChars} characters; Structured Outputs allows at most ${MAX_STRING_CHARS}`,
      fix: 'shorten property names and enum values, or drop large enums',
    });
  }
}

function valueChars(value: unknown): number {
  return typeof value === 'string' ? value.length : (JSON.stringify(value)?.length ?? 0);
}

function typeList(type: unknown): string[] {
  if (typeof type === 'string') return [type];
  if (Array.isArray(type)) return type.filter((t): t is string => typeof t === 'string');
  return [];
}

function closestKeyword(key: string): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of SUPPORTED_KEYWORDS) {
    const d = editDistance(key.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return bestDistance <= Math.max(1, Math.floor(key.length / 4)) ? best : undefined;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(
        previous[j] + 1,
        current[j - 1] + 1,
        previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    }
    previous = current;
  }
  return previous[b.length];
}

function lastSegment(pointer: string): string | undefined {
  if (pointer === '') return undefined;
  const segment = pointer.slice(pointer.lastIndexOf('/') + 1);
  return segment.replace(/~1/g, '/').replace(/~0/g, '~');
}

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return `a ${typeof value}`;
}

function unique<T>(values: T[]): T[] {
  return [...new Set(values)];
}

function isRecord(value: unknown): value is Json {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
