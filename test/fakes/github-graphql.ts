// The fake GitHub's GraphQL endpoint (POST /graphql): every document is parsed and validated
// against GitHub's published schema (@octokit/graphql-schema, the introspection result GitHub
// serves), so a field, argument or type GitHub does not have fails here as it fails there;
// then it is executed by graphql-js over the fake's pull requests, review threads and their
// comments. Only the fields the product reads are backed by data; any other field of those
// types resolves to null, which graphql-js reports as an error where the schema says non-null.
//
// GitHub's behaviour modelled here (the real wordings come from public reports and GitHub's
// docs; "(plausible)" marks the ones no real answer was found for):
// - Errors are answered with HTTP 200 and an `errors` array next to whatever `data` resolved;
//   a resolver's error carries GitHub's `type` (NOT_FOUND, FORBIDDEN) at the top level.
// - Connections need `first` or `last` ("You must provide a `first` or `last` value to properly
//   paginate the `reviewThreads` connection.") and take at most 100 ("Requesting 101 records on
//   the `reviewThreads` connection exceeds the `first` limit of 100 records.").
// - "Could not resolve to a Repository with the name 'o/r'." / "Could not resolve to a
//   PullRequest with the number of 9." / "Could not resolve to a node with the global id of
//   'x'." (type NOT_FOUND), and a mutation with a read-only token: "Resource not accessible by
//   integration" (type FORBIDDEN), with the mutation's field null.
// - A bot is named without the `[bot]` suffix REST gives its login: `github-actions`, typed Bot.
// - `resolvedBy` is typed `User`, which a Bot is not: a thread a bot resolved has resolvedBy
//   null (unconfirmed; it is what the schema allows).
// - Validation and parse messages are graphql-js's, which differ in wording from GitHub's
//   ("Field 'x' doesn't exist on type 'Y'"); the refusal itself is faithful (plausible wording).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  buildClientSchema,
  execute,
  GraphQLError,
  parse,
  validate,
  type DocumentNode,
  type GraphQLSchema,
  type IntrospectionQuery,
  type OperationDefinitionNode,
} from 'graphql';

/** One review comment as the thread view needs it. */
export interface GraphqlComment {
  id: number;
  nodeId: string;
  body: string;
  /** The REST login (`github-actions[bot]` for a bot). */
  login: string;
  url: string;
  createdAt: string;
  path: string;
  line: number;
  startLine: number | null;
  side: 'LEFT' | 'RIGHT';
  replyTo: number | undefined;
}

export interface GraphqlThread {
  id: string;
  resolved: boolean;
  /** REST login of whoever resolved it, or null. */
  resolvedBy: string | null;
  outdated: boolean;
  comments: GraphqlComment[];
}

/** What the GraphQL side reads from and writes to the fake's store. */
export interface GraphqlStore {
  owner: string;
  repo: string;
  /** The REST login every token authenticates as. */
  viewer: string;
  hasPull(number: number): boolean;
  threads(pull: number): GraphqlThread[];
  /** Sets the thread's resolution; undefined when there is no such thread. */
  setResolved(threadId: string, resolved: boolean, by: string): GraphqlThread | undefined;
}

export interface GraphqlAnswer {
  status: number;
  body: unknown;
  /** What was asked, for the request log: undefined when the document did not parse. */
  operation: { type: 'query' | 'mutation' | 'subscription'; name: string | undefined } | undefined;
}

export const GRAPHQL_DOCS = 'https://docs.github.com/graphql';

let cachedSchema: GraphQLSchema | undefined;

/** GitHub's schema, built once per process (~0.3 s from the 5 MB introspection result). */
export function githubSchema(): GraphQLSchema {
  if (!cachedSchema) {
    // The package exports only its entry, which parses the JSON on import; read it beside that.
    const entry = fileURLToPath(import.meta.resolve('@octokit/graphql-schema'));
    const file = path.join(path.dirname(entry), 'schema.json');
    const json = JSON.parse(fs.readFileSync(file, 'utf8')) as
      IntrospectionQuery | { data: IntrospectionQuery };
    cachedSchema = buildClientSchema('data' in json ? json.data : json);
  }
  return cachedSchema;
}

/** An error a resolver raises, carrying GitHub's `type`. */
class GitHubGraphqlError extends Error {
  constructor(
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

/** REST names a bot `name[bot]`; GraphQL names it `name` and types it Bot. */
export function actor(login: string): { __typename: 'Bot' | 'User'; login: string } {
  return login.endsWith('[bot]')
    ? { __typename: 'Bot', login: login.slice(0, -'[bot]'.length) }
    : { __typename: 'User', login };
}

interface ConnectionArgs {
  first?: number | null;
  last?: number | null;
  after?: string | null;
  before?: string | null;
}

const cursorOf = (index: number) => Buffer.from(`cursor:v2:${index}`).toString('base64');
const indexOf = (cursor: string): number => {
  const m = /^cursor:v2:(\d+)$/.exec(Buffer.from(cursor, 'base64').toString('utf8'));
  // (plausible)
  if (!m)
    throw new GitHubGraphqlError(
      'INVALID_CURSOR_ARGUMENTS',
      `\`${cursor}\` does not appear to be a valid cursor.`,
    );
  return Number(m[1]);
};

/** GitHub's cursor connection over a list, with its limits. */
function connection<T>(items: T[], args: ConnectionArgs, name: string) {
  const { first, last } = args;
  if ((first === undefined || first === null) && (last === undefined || last === null)) {
    throw new GitHubGraphqlError(
      'MISSING_PAGINATION_BOUNDARIES',
      `You must provide a \`first\` or \`last\` value to properly paginate the \`${name}\` connection.`,
    );
  }
  for (const [key, value] of [
    ['first', first],
    ['last', last],
  ] as const) {
    if (value === undefined || value === null) continue;
    if (value > 100) {
      throw new GitHubGraphqlError(
        'EXCESSIVE_PAGINATION',
        `Requesting ${value} records on the \`${name}\` connection exceeds the \`${key}\` limit of 100 records.`,
      );
    }
    if (value < 0) {
      // (plausible)
      throw new GitHubGraphqlError(
        'INVALID_PAGINATION',
        `\`${key}\` on the \`${name}\` connection cannot be less than zero.`,
      );
    }
  }
  let start = 0;
  let end = items.length;
  if (args.after) start = Math.max(start, indexOf(args.after) + 1);
  if (args.before) end = Math.min(end, indexOf(args.before));
  if (first !== undefined && first !== null) end = Math.min(end, start + first);
  if (last !== undefined && last !== null) start = Math.max(start, end - last);
  const slice = items.slice(start, Math.max(start, end));
  return {
    totalCount: items.length,
    nodes: slice,
    edges: slice.map((node, i) => ({ node, cursor: cursorOf(start + i) })),
    pageInfo: {
      hasNextPage: end < items.length,
      hasPreviousPage: start > 0,
      startCursor: slice.length > 0 ? cursorOf(start) : null,
      endCursor: slice.length > 0 ? cursorOf(start + slice.length - 1) : null,
    },
  };
}

export class GitHubGraphql {
  constructor(private readonly store: GraphqlStore) {}

  /** What a request body asks for, when its document parses (for the request log). */
  static operationOf(body: unknown): GraphqlAnswer['operation'] {
    const request = (body ?? {}) as { query?: unknown; operationName?: unknown };
    if (typeof request.query !== 'string') return undefined;
    try {
      const operations = parse(request.query).definitions.filter(
        (d): d is OperationDefinitionNode => d.kind === 'OperationDefinition',
      );
      const chosen =
        typeof request.operationName === 'string'
          ? operations.find((o) => o.name?.value === request.operationName)
          : operations.length === 1
            ? operations[0]
            : undefined;
      return chosen ? { type: chosen.operation, name: chosen.name?.value } : undefined;
    } catch {
      return undefined;
    }
  }

  /** Answers one POST /graphql of an authenticated token. */
  answer(body: unknown, scope: 'write' | 'read'): GraphqlAnswer {
    const request = (body ?? {}) as {
      query?: unknown;
      variables?: unknown;
      operationName?: unknown;
    };
    if (typeof request.query !== 'string') {
      // (plausible)
      return {
        status: 200,
        body: {
          errors: [{ message: 'A query attribute must be specified and must be a string.' }],
        },
        operation: undefined,
      };
    }
    let document: DocumentNode;
    try {
      document = parse(request.query);
    } catch (error) {
      return {
        status: 200,
        body: { errors: [formatError(error as GraphQLError)] },
        operation: undefined,
      };
    }
    const operationName =
      typeof request.operationName === 'string' ? request.operationName : undefined;
    const operations = document.definitions.filter(
      (d): d is OperationDefinitionNode => d.kind === 'OperationDefinition',
    );
    const chosen = operationName
      ? operations.find((o) => o.name?.value === operationName)
      : operations.length === 1
        ? operations[0]
        : undefined;
    const operation = chosen ? { type: chosen.operation, name: chosen.name?.value } : undefined;
    const schema = githubSchema();
    const invalid = validate(schema, document);
    if (invalid.length > 0) {
      return { status: 200, body: { errors: invalid.map(formatError) }, operation };
    }
    const result = execute({
      schema,
      document,
      rootValue: this.root(scope),
      variableValues: (request.variables ?? {}) as Record<string, unknown>,
      ...(operationName ? { operationName } : {}),
    });
    if (result instanceof Promise) throw new Error('fake GitHub GraphQL resolvers are synchronous');
    const out: Record<string, unknown> = {};
    if (result.data !== undefined) out.data = result.data;
    if (result.errors?.length) out.errors = result.errors.map(formatError);
    return { status: 200, body: out, operation };
  }

  private root(scope: 'write' | 'read') {
    const store = this.store;
    const thread = (t: GraphqlThread) => ({
      __typename: 'PullRequestReviewThread',
      id: t.id,
      isResolved: t.resolved,
      isOutdated: t.outdated,
      isCollapsed: t.resolved,
      path: t.comments[0]!.path,
      line: t.comments[0]!.line,
      startLine: t.comments[0]!.startLine,
      diffSide: t.comments[0]!.side,
      viewerCanResolve: scope === 'write' && !t.resolved,
      viewerCanUnresolve: scope === 'write' && t.resolved,
      viewerCanReply: scope === 'write',
      // A bot cannot be a User, the field's type (see the header).
      resolvedBy:
        t.resolvedBy === null || t.resolvedBy.endsWith('[bot]')
          ? null
          : { __typename: 'User', login: t.resolvedBy },
      comments: (args: ConnectionArgs) =>
        connection(
          t.comments.map((c) => comment(c)),
          args,
          'comments',
        ),
    });
    const comment = (c: GraphqlComment) => ({
      __typename: 'PullRequestReviewComment',
      id: c.nodeId,
      databaseId: c.id,
      fullDatabaseId: String(c.id),
      body: c.body,
      author: actor(c.login),
      url: c.url,
      createdAt: c.createdAt,
      path: c.path,
      line: c.line,
      replyTo: c.replyTo === undefined ? null : { databaseId: c.replyTo },
    });
    const mutate = (resolved: boolean) => (args: { input: { threadId: string } }) => {
      if (scope !== 'write')
        throw new GitHubGraphqlError('FORBIDDEN', 'Resource not accessible by integration');
      const updated = store.setResolved(args.input.threadId, resolved, store.viewer);
      if (!updated) {
        throw new GitHubGraphqlError(
          'NOT_FOUND',
          `Could not resolve to a node with the global id of '${args.input.threadId}'`,
        );
      }
      return { clientMutationId: null, thread: thread(updated) };
    };
    return {
      // Who the token posts as. GitHub answers it for every kind of token, installation tokens
      // included, with the REST login (`github-actions[bot]`, `<app-slug>[bot]`): public reports
      // show `viewer` returning `fullsend-ai-coder[bot]` for an app's installation token
      // (fullsend-ai/fullsend#1953).
      viewer: { __typename: 'User', login: store.viewer },
      repository: (args: { owner: string; name: string }) => {
        if (
          args.owner.toLowerCase() !== store.owner.toLowerCase() ||
          args.name.toLowerCase() !== store.repo.toLowerCase()
        ) {
          throw new GitHubGraphqlError(
            'NOT_FOUND',
            `Could not resolve to a Repository with the name '${args.owner}/${args.name}'.`,
          );
        }
        return {
          __typename: 'Repository',
          nameWithOwner: `${store.owner}/${store.repo}`,
          pullRequest: (a: { number: number }) => {
            if (!store.hasPull(a.number)) {
              throw new GitHubGraphqlError(
                'NOT_FOUND',
                `Could not resolve to a PullRequest with the number of ${a.number}.`,
              );
            }
            return {
              __typename: 'PullRequest',
              number: a.number,
              reviewThreads: (c: ConnectionArgs) =>
                connection(store.threads(a.number).map(thread), c, 'reviewThreads'),
            };
          },
        };
      },
      resolveReviewThread: mutate(true),
      unresolveReviewThread: mutate(false),
    };
  }
}

/** GitHub's error shape: message, locations, path, and its `type` at the top level. */
function formatError(error: GraphQLError): Record<string, unknown> {
  const original = error.originalError;
  const type = original instanceof GitHubGraphqlError ? original.type : undefined;
  return {
    ...(type ? { type } : {}),
    ...(error.path ? { path: error.path } : {}),
    ...(error.locations ? { locations: error.locations } : {}),
    message: error.message,
  };
}
