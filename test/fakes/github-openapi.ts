// GitHub's published REST description (@octokit/openapi, api.github.com) as the fake GitHub's
// gatekeeper: a request must name a documented operation, and its path and query parameters
// and its JSON body must fit that operation's schemas, or it gets the answer GitHub gives.
//
// What GitHub does that the description does not say, and how it is modelled here:
// - GitHub refuses keys a body schema does not list, although the description never says
//   `additionalProperties: false`: "Invalid request.\n\n\"enabled\" is not a permitted key."
//   (PUT immutable-releases, 2026), the same for `head_sha` on a check run update, `per_page`
//   in a milestone body (emilyriederer/projmgr#43, 2020), `fileName` in a gist file
//   (exuanbo/actions-deploy-gist#98, 2023) and `in_reply_to` in a review comment reply. So every
//   object schema with `properties` is closed here; keys declared by its oneOf/anyOf branches
//   count as listed. An operation with no documented body refuses every key of a body sent to it.
// - Real wordings: `"x" is not a permitted key.`, `"body" wasn't supplied.`,
//   `For 'properties/active', "true" is not a boolean.` (hub4j/github-api#245, 2016), and
//   `For 'links/0/schema', nil is not an object.` for a required body that is missing
//   (jcabi/jcabi-github#1540, 2020). Other wordings (enum, oneOf, limits) are plausible, and so
//   is the path in `For '...'` below the top level (GitHub names its own schema's path).
// - A path parameter of the wrong type (`/pulls/abc`) matches no route: 404, as on GitHub.
// - Query parameters GitHub does not document are ignored, as GitHub ignores them. A documented
//   one of the wrong type or outside its enum gets 422 "Validation Failed" (plausible: GitHub
//   may instead ignore some malformed query values; the fake is stricter there).
// - Which draft: OpenAPI 3.0 schemas are read as JSON Schema draft-07 with `nullable` turned
//   into a null alternative. Formats ajv-formats does not know are not checked.
//
// Cost, measured with tsx on the 2-core machine under load (npx tsx, ten runs): building the
// request-side cache from the 13 MB description ~0.25-0.35 s, once per @octokit/openapi version;
// loading the cache ~40 ms per process; compiling the validators of the 18 operations the fake
// models ~0.15-0.2 s per process (Ajv's first compile ~40 ms, issues/update ~60 ms), done in
// FakeGitHub.start(); then a check costs ~0.1 ms (a 200-comment review) or less.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { createAjv, type AnyAjv } from '../../src/core/exec/ajv.js';

type Schema = Record<string, unknown>;

interface OpenApiParameter {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  required?: boolean;
  schema?: Schema;
  'x-multi-segment'?: boolean;
}

interface OpenApiOperation {
  operationId?: string;
  parameters?: Array<OpenApiParameter | { $ref: string }>;
  requestBody?: { required?: boolean; content?: Record<string, { schema?: Schema }> };
  externalDocs?: { url?: string };
}

interface OpenApiDocument {
  info: { version: string };
  paths: Record<string, Record<string, OpenApiOperation>>;
  components: { schemas: Record<string, Schema>; parameters: Record<string, OpenApiParameter> };
}

type Segment = { literal: string } | { param: string; multi: boolean };

/** One documented operation, with its validators compiled on first use. */
export interface DocumentedOperation {
  readonly id: string;
  readonly method: string;
  /** The path template, e.g. /repos/{owner}/{repo}/pulls/{pull_number}. */
  readonly template: string;
  readonly docs: string;
}

interface Route extends DocumentedOperation {
  segments: Segment[];
  /** Literal segments first: `/issues/comments` wins over `/issues/{issue_number}`. */
  specificity: string;
  operation: OpenApiOperation;
  compiled?: Compiled;
}

interface Compiled {
  path: ValidateFunction;
  query: ValidateFunction;
  /** undefined: the operation documents no body. */
  body: { required: boolean; validate: ValidateFunction | undefined } | undefined;
  queryNames: Set<string>;
}

export interface RequestToCheck {
  method: string;
  /** The path as sent (percent-encoded), without the query string. */
  pathname: string;
  query: URLSearchParams;
  /** Parsed JSON body; undefined when the request has none. */
  body: unknown;
}

export type Verdict =
  | { ok: true; operation: DocumentedOperation; params: Record<string, string> }
  | {
      ok: false;
      status: 404 | 422;
      message: string;
      documentationUrl: string;
      errors?: unknown[];
      operation: DocumentedOperation | undefined;
    };

const ROOT_DOCS = 'https://docs.github.com/rest';
const METHODS = new Set(['get', 'put', 'post', 'delete', 'patch', 'head', 'options']);

export class GitHubRestDescription {
  private readonly byLength = new Map<number, Route[]>();
  private readonly multiSegment: Route[] = [];
  private readonly byId = new Map<string, Route>();
  /** One Ajv for bodies (types as sent), one that reads URL strings as the types they name. */
  private readonly bodyAjv: AnyAjv = createAjv('draft-07', { verbose: true });
  private readonly paramAjv: AnyAjv = createAjv('draft-07', { coerceTypes: true });

  private constructor(private readonly doc: OpenApiDocument) {
    for (const [template, item] of Object.entries(doc.paths)) {
      for (const [method, operation] of Object.entries(item)) {
        if (!METHODS.has(method) || !operation.operationId) continue;
        const segments: Segment[] = template
          .split('/')
          .slice(1)
          .map((s) => {
            const m = /^\{(.+)\}$/.exec(s);
            if (!m) return { literal: s };
            const multi = this.parameters(operation).some(
              (p) => p.name === m[1] && p['x-multi-segment'] === true,
            );
            return { param: m[1]!, multi };
          });
        const route: Route = {
          id: operation.operationId,
          method: method.toUpperCase(),
          template,
          docs: operation.externalDocs?.url ?? ROOT_DOCS,
          segments,
          specificity: segments.map((s) => ('literal' in s ? '0' : '1')).join(''),
          operation,
        };
        this.byId.set(route.id, route);
        if (segments.some((s) => 'param' in s && s.multi)) this.multiSegment.push(route);
        else {
          const list = this.byLength.get(segments.length) ?? [];
          list.push(route);
          this.byLength.set(segments.length, list);
        }
      }
    }
    for (const list of this.byLength.values()) list.sort(bySpecificity);
    this.multiSegment.sort(bySpecificity);
  }

  /** The description for api.github.com, read once per process. */
  static get(): GitHubRestDescription {
    loaded ??= new GitHubRestDescription(readDescription());
    return loaded;
  }

  /**
   * Compiles the validators of these operations now rather than on their first request (a few
   * to tens of milliseconds each), so that a test's or the bench's timings do not carry them.
   * Throws for an operation GitHub does not document.
   */
  warm(operationIds: Iterable<string>): void {
    for (const id of operationIds) {
      const route = this.byId.get(id);
      if (!route) throw new Error(`GitHub's REST description has no operation ${id}`);
      this.compiled(route);
    }
  }

  get version(): string {
    return this.doc.info.version;
  }

  /** The documented operation for this method and path, with its path parameters. */
  find(
    method: string,
    pathname: string,
  ): { route: DocumentedOperation; params: Record<string, string> } | undefined {
    const parts = pathname.split('/').slice(1);
    const candidates = [...(this.byLength.get(parts.length) ?? []), ...this.multiSegment];
    const upper = method.toUpperCase();
    for (const route of candidates) {
      if (route.method !== upper) continue;
      const params = matchSegments(route.segments, parts);
      if (!params) continue;
      // A value of the wrong type matches no route on GitHub either (`/pulls/abc` is a 404).
      if (!this.compiled(route).path({ ...params })) continue;
      return { route, params };
    }
    return undefined;
  }

  /** Whether GitHub would take this request as far as its handler, and if not its answer. */
  check(request: RequestToCheck): Verdict {
    const found = this.find(request.method, request.pathname);
    if (!found) {
      return {
        ok: false,
        status: 404,
        message: 'Not Found',
        documentationUrl: ROOT_DOCS,
        operation: undefined,
      };
    }
    const route = found.route as Route;
    const operation = publicView(route);
    const compiled = this.compiled(route);
    const refuse = (message: string, errors?: unknown[]): Verdict => ({
      ok: false,
      status: 422,
      message,
      documentationUrl: route.docs,
      operation,
      ...(errors ? { errors } : {}),
    });

    const query: Record<string, unknown> = {};
    for (const [name, value] of request.query) {
      if (compiled.queryNames.has(name)) query[name] = value;
    }
    if (!compiled.query(query)) {
      return refuse(
        'Validation Failed',
        (compiled.query.errors ?? []).map((e) => {
          const field = e.instancePath.split('/')[1] ?? String(e.params.missingProperty ?? '');
          return { field, code: 'invalid', value: request.query.get(field) };
        }),
      );
    }

    const { body } = request;
    if (!compiled.body) {
      if (body !== undefined && body !== null && typeof body === 'object') {
        const keys = Object.keys(body);
        if (keys.length > 0) return refuse(invalid(keys.map(notPermitted)));
      }
      return { ok: true, operation, params: found.params };
    }
    if (body === undefined) {
      if (!compiled.body.required) return { ok: true, operation, params: found.params };
      return refuse(invalid(["For 'links/0/schema', nil is not an object."]));
    }
    const validate = compiled.body.validate;
    if (validate && !validate(body)) return refuse(invalid(describe(validate.errors ?? [])));
    return { ok: true, operation, params: found.params };
  }

  private parameters(operation: OpenApiOperation): OpenApiParameter[] {
    return (operation.parameters ?? []).map((p) =>
      '$ref' in p ? this.doc.components.parameters[p.$ref.split('/').pop()!]! : p,
    );
  }

  private compiled(route: Route): Compiled {
    if (route.compiled) return route.compiled;
    const params = this.parameters(route.operation);
    const objectOf = (where: 'path' | 'query') => {
      const list = params.filter((p) => p.in === where);
      return this.paramAjv.compile({
        type: 'object',
        properties: Object.fromEntries(list.map((p) => [p.name, this.prepare(p.schema ?? {})])),
        required: list.filter((p) => p.required).map((p) => p.name),
      });
    };
    const requestBody = route.operation.requestBody;
    const json = requestBody?.content?.['application/json'];
    route.compiled = {
      path: objectOf('path'),
      query: objectOf('query'),
      queryNames: new Set(params.filter((p) => p.in === 'query').map((p) => p.name)),
      body: requestBody
        ? {
            required: requestBody.required === true,
            // A body documented only as text or bytes (markdown, uploads) is not checked.
            validate: json?.schema ? this.bodyAjv.compile(this.prepare(json.schema)) : undefined,
          }
        : undefined,
    };
    return route.compiled;
  }

  /**
   * A self-contained JSON Schema for Ajv: references inlined, `nullable` as a null alternative,
   * and objects closed to the keys they list (see the top of this file for why).
   */
  private prepare(schema: Schema, stack: string[] = []): Schema {
    if (typeof schema.$ref === 'string') {
      const name = schema.$ref.split('/').pop()!;
      // A schema that contains itself is left open rather than unrolled.
      if (stack.includes(name)) return {};
      return this.prepare(this.doc.components.schemas[name] ?? {}, [...stack, name]);
    }
    const out: Schema = {};
    for (const [key, value] of Object.entries(schema)) {
      if (key === 'description' || key === 'example' || key === 'examples') continue;
      if (key === 'properties') {
        out.properties = Object.fromEntries(
          Object.entries(value as Record<string, Schema>).map(([k, v]) => [
            k,
            this.prepare(v, stack),
          ]),
        );
      } else if (
        key === 'items' ||
        key === 'not' ||
        (key === 'additionalProperties' && typeof value === 'object')
      ) {
        out[key] = this.prepare(value as Schema, stack);
      } else if (key === 'oneOf' || key === 'anyOf' || key === 'allOf') {
        out[key] = (value as Schema[]).map((v) => this.prepare(v, stack));
      } else {
        out[key] = value;
      }
    }
    if (out.properties && out.additionalProperties === undefined) {
      const listed = { ...(out.properties as Record<string, Schema>) };
      for (const branch of [
        ...((out.oneOf as Schema[] | undefined) ?? []),
        ...((out.anyOf as Schema[] | undefined) ?? []),
      ]) {
        for (const key of Object.keys((branch.properties as Schema | undefined) ?? {})) {
          listed[key] ??= {};
        }
      }
      out.properties = listed;
      out.additionalProperties = false;
    }
    if (out.nullable === true) {
      delete out.nullable;
      if (typeof out.type === 'string') {
        out.type = [out.type, 'null'];
        if (Array.isArray(out.enum) && !out.enum.includes(null)) out.enum = [...out.enum, null];
        return out;
      }
      return { anyOf: [{ type: 'null' }, out] };
    }
    delete out.nullable;
    return out;
  }
}

let loaded: GitHubRestDescription | undefined;

/**
 * The request side of the description. The full file is 13 MB (~0.2 s to parse); what a request
 * check needs is under 1 MB (~10 ms), so that part is kept in node_modules/.cache, keyed by the
 * package's version, and the full file is read only when the cache is missing.
 */
function readDescription(): OpenApiDocument {
  const require = createRequire(import.meta.url);
  const packageJson = require.resolve('@octokit/openapi/package.json');
  const { version } = JSON.parse(fs.readFileSync(packageJson, 'utf8')) as { version: string };
  const cache = path.join(
    path.dirname(packageJson),
    '..',
    '..',
    '.cache',
    'codex-review',
    `github-rest-requests-1-${version}.json`,
  );
  try {
    return JSON.parse(fs.readFileSync(cache, 'utf8')) as OpenApiDocument;
  } catch {
    // Not there yet (or unreadable): build it.
  }
  // Not the package's main: that loads all ten descriptions (~400 MB).
  const full = JSON.parse(
    fs.readFileSync(
      path.join(path.dirname(packageJson), 'generated', 'api.github.com.json'),
      'utf8',
    ),
  ) as OpenApiDocument;
  const requests = requestSide(full);
  try {
    fs.mkdirSync(path.dirname(cache), { recursive: true });
    // Test files run in parallel workers: write aside, then rename into place in one step.
    const temporary = `${cache}.${process.pid}.tmp`;
    fs.writeFileSync(temporary, JSON.stringify(requests));
    fs.renameSync(temporary, cache);
  } catch {
    // A read-only node_modules only costs the parse next time.
  }
  return requests;
}

/** Operations with their parameters and bodies, and the components those refer to. */
function requestSide(doc: OpenApiDocument): OpenApiDocument {
  const schemas: Record<string, Schema> = {};
  const parameters: Record<string, OpenApiParameter> = {};
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) {
      value.forEach(visit);
      return;
    }
    if (value === null || typeof value !== 'object') return;
    for (const [key, inner] of Object.entries(value)) {
      if (key !== '$ref' || typeof inner !== 'string') {
        visit(inner);
        continue;
      }
      const [, , kind, name] = inner.split('/');
      if (kind === 'schemas' && name && !(name in schemas)) {
        schemas[name] = doc.components.schemas[name]!;
        visit(schemas[name]);
      } else if (kind === 'parameters' && name && !(name in parameters)) {
        parameters[name] = doc.components.parameters[name]!;
        visit(parameters[name]);
      }
    }
  };
  const paths: OpenApiDocument['paths'] = {};
  for (const [template, item] of Object.entries(doc.paths)) {
    paths[template] = {};
    for (const [method, operation] of Object.entries(item)) {
      if (!METHODS.has(method) || !operation.operationId) continue;
      const kept: OpenApiOperation = {
        operationId: operation.operationId,
        ...(operation.externalDocs ? { externalDocs: { url: operation.externalDocs.url } } : {}),
        ...(operation.parameters ? { parameters: operation.parameters } : {}),
        ...(operation.requestBody
          ? {
              requestBody: {
                required: operation.requestBody.required,
                content: Object.fromEntries(
                  Object.entries(operation.requestBody.content ?? {}).map(([type, media]) => [
                    type,
                    { schema: media.schema },
                  ]),
                ),
              },
            }
          : {}),
      };
      paths[template][method] = kept;
      visit(kept);
    }
  }
  return { info: { version: doc.info.version }, paths, components: { schemas, parameters } };
}

const publicView = (route: Route): DocumentedOperation => ({
  id: route.id,
  method: route.method,
  template: route.template,
  docs: route.docs,
});

function bySpecificity(a: Route, b: Route): number {
  return a.specificity < b.specificity ? -1 : a.specificity > b.specificity ? 1 : 0;
}

function matchSegments(segments: Segment[], parts: string[]): Record<string, string> | undefined {
  const params: Record<string, string> = {};
  let i = 0;
  for (let s = 0; s < segments.length; s++) {
    const segment = segments[s]!;
    if ('literal' in segment) {
      if (parts[i] !== segment.literal) return undefined;
      i++;
    } else if (segment.multi) {
      // A multi-segment parameter (a branch or a file path) takes what the rest leaves it.
      const rest = segments.length - s - 1;
      const take = parts.length - i - rest;
      if (take < 1) return undefined;
      params[segment.param] = parts
        .slice(i, i + take)
        .map(safeDecode)
        .join('/');
      i += take;
    } else {
      if (parts[i] === undefined || parts[i] === '') return undefined;
      params[segment.param] = safeDecode(parts[i]!);
      i++;
    }
  }
  return i === parts.length ? params : undefined;
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

const invalid = (lines: string[]) => `Invalid request.\n\n${[...new Set(lines)].join('\n')}`;

const notPermitted = (key: string) => `${JSON.stringify(key)} is not a permitted key.`;

/** A value as GitHub (Ruby) prints it. */
function ruby(value: unknown): string {
  return value === null || value === undefined ? 'nil' : JSON.stringify(value);
}

function article(type: string): string {
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}

/** The schema path GitHub names in "For '...'": properties/key, items for an array's entries. */
function schemaPath(instancePath: string): string {
  return instancePath
    .split('/')
    .slice(1)
    .map((part) =>
      /^\d+$/.test(part) ? 'items' : `properties/${part.replace(/~1/g, '/').replace(/~0/g, '~')}`,
    )
    .join('/');
}

function describe(errors: ErrorObject[]): string[] {
  const lines: string[] = [];
  for (const e of errors) {
    const where = schemaPath(e.instancePath);
    const value = e.data;
    switch (e.keyword) {
      case 'additionalProperties':
        lines.push(notPermitted(String(e.params.additionalProperty)));
        break;
      case 'required':
        lines.push(`${JSON.stringify(String(e.params.missingProperty))} wasn't supplied.`);
        break;
      case 'type': {
        const types = String(e.params.type).split(',');
        lines.push(`For '${where}', ${ruby(value)} is not ${types.map(article).join(' or ')}.`);
        break;
      }
      case 'enum':
        lines.push(
          `For '${where}', ${ruby(value)} is not one of ${JSON.stringify(e.params.allowedValues)}.`,
        );
        break;
      case 'oneOf':
      case 'anyOf':
        lines.push(`No subschema in "${e.keyword}" matched.`);
        break;
      default:
        lines.push(`For '${where}', ${ruby(value)} ${e.message ?? 'is not valid'}.`);
    }
  }
  return lines;
}
