// SARIF 2.1.0 of all findings, in the subset GitHub code scanning reads
// (docs.github.com › code-security › "SARIF support for code scanning"), so the file can be
// uploaded with github/codeql-action/upload-sarif and still be read by any SARIF viewer.
//
// Choices and what they rest on:
// - Rules: one rule per finding *title*, id `codex-review/<slug>-<hash>` where the hash is
//   fingerprintOf(null, title): the same title normalisation as the finding's fingerprint, so the
//   id is stable for as long as the fingerprint is. GitHub identifies an alert by repository, path,
//   rule and the `primaryLocationLineHash` that upload-sarif computes from the flagged line's
//   content (github/codeql-action src/fingerprints.ts; the docs: "Code scanning only uses the
//   primaryLocationLineHash"). With one rule per priority level, two different P1 findings on the
//   same line would share all of those and GitHub would merge them into one alert; findings
//   anchored without a file (below) would all collapse into one. A Codex review has no fixed rule
//   set, so the title is the closest thing to "the kind of problem".
// - Levels: P0 and P1 → error, P2 → warning, P3 and no priority → note (`level` is what GitHub
//   filters severity by). No `security-severity`: Codex does not say whether a finding is a
//   security issue, and GitHub treats any rule with that property as a security rule.
// - Fingerprints: the finding's own fingerprint (path + title, never lines) under
//   `codexReviewFingerprint/v1`. GitHub itself matches on the line hash upload-sarif adds next to
//   it; our key keeps the finding's identity for other consumers and for our own runs.
// - Findings outside the repository or without a path stay results, but GitHub rejects the whole
//   upload when any result lacks a location ("locationFromSarifResult: expected at least one
//   location", github/codeql-action#1738 and #2459), and a path outside the checkout cannot be
//   shown. They are therefore anchored at the placeholder path "no file associated with this
//   alert" (the one OpenSSF Scorecard uses for repository-level results, which GitHub accepts and
//   displays), with no region, and their message says where Codex pointed.
// - Suggested changes (`suggestions`) are `fixes`: one replacement of exactly the commented lines,
//   from the first column of the first line to the end of the last line's text (its line ending
//   stays, so a last line without a newline keeps having none), with the replacement's lines joined
//   by the file's own line ending. Columns count UTF-16 code units (what a JavaScript string
//   counts), declared in `columnKind` because SARIF 2.1.0 leaves the unit to the run.
// - No `automationDetails`: upload-sarif only fills in the category (from the workflow, or its
//   `category` input) when the file has none, so setting one here would make two audits in one
//   repository overwrite each other. No `invocations`: nothing in them is shown by GitHub.
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Redactor } from '../redact.js';
import { writeFileSafely, type WriteScope } from '../safe-write.js';
import { fingerprintOf, type Finding, type Suggestion } from '../review/finding.js';
import type { ReviewResult } from '../review/result.js';

export const SARIF_VERSION = '2.1.0';
/** The `$schema` GitHub's own examples and the CodeQL CLI write. */
export const SARIF_SCHEMA_URI = 'https://json.schemastore.org/sarif-2.1.0.json';
export const TOOL_NAME = 'codex-review';
export const FINGERPRINT_KEY = 'codexReviewFingerprint/v1';
export const SRCROOT = '%SRCROOT%';
/** Where a finding with no file in the repository is anchored (see above). */
export const NO_FILE_PATH = 'no file associated with this alert';

/** GitHub's display limits on rule metadata ("SARIF support for code scanning"). */
export const RULE_NAME_LIMIT = 255;
export const RULE_DESCRIPTION_LIMIT = 1024;

export type SarifLevel = 'error' | 'warning' | 'note';

export interface SarifOptions {
  /** Version of codex-review; `semanticVersion` too when it is a SemVer 2.0 version. */
  toolVersion: string;
  /** Absolute URI with information about codex-review. */
  informationUri?: string;
  /** Absolute repository root; recorded as the `%SRCROOT%` base of every repository path. */
  repoRoot?: string;
}

export function levelOf(priority: number | null): SarifLevel {
  if (priority === 0 || priority === 1) return 'error';
  if (priority === 2) return 'warning';
  return 'note';
}

const LEVEL_RANK: Record<SarifLevel, number> = { error: 0, warning: 1, note: 2 };
/** GitHub's `problem.severity` for non-security rules. */
const PROBLEM_SEVERITY: Record<SarifLevel, string> = {
  error: 'error',
  warning: 'warning',
  note: 'recommendation',
};

/** Stable rule id for a finding title; titles that fingerprint alike share it. */
export function ruleIdOf(title: string): string {
  const hash = fingerprintOf(null, title);
  // The same steps as the fingerprint's title normalisation, then ASCII words only.
  const slug = title
    .replace(/^\s*\[P[0-3]\]\s*/, '')
    .toLowerCase()
    .replace(/[`'"*_]/g, '')
    .replace(/[^a-z0-9]+/g, '-')
    .slice(0, 48)
    .replace(/^-+|-+$/g, '');
  return `${TOOL_NAME}/${slug ? `${slug}-` : ''}${hash}`;
}

/** A repo-relative POSIX path as a relative URI reference: each segment percent-encoded. */
export function pathToUri(repoPath: string): string {
  return repoPath
    .split('/')
    .filter((segment) => segment !== '' && segment !== '.')
    .map((segment) => encodeURIComponent(segment))
    .join('/');
}

const SEMVER =
  /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$/;

function truncate(text: string, limit: number): string {
  const chars = [...text];
  return chars.length <= limit ? text : `${chars.slice(0, limit - 1).join('')}…`;
}

function titleOf(finding: Finding): string {
  return finding.title.trim() || 'Codex review finding';
}

function linesOf(finding: Finding): string {
  if (finding.startLine === null) return '';
  if (finding.endLine === null || finding.endLine === finding.startLine) {
    return ` line ${finding.startLine}`;
  }
  return ` lines ${finding.startLine}–${finding.endLine}`;
}

function hasRepoFile(finding: Finding): finding is Finding & { path: string } {
  return finding.inRepo && finding.path !== null && pathToUri(finding.path) !== '';
}

/** Where Codex pointed, for a finding code scanning cannot show at a file of the repository. */
function elsewhereNote(finding: Finding): string {
  const where =
    finding.path === null || finding.path.trim() === ''
      ? 'Codex gave no file for this finding.'
      : `Codex pointed outside the repository: ${finding.path}${linesOf(finding)}.`;
  return `${where} Code scanning needs a file in the repository, so this alert is filed under "${NO_FILE_PATH}".`;
}

interface RuleEntry {
  id: string;
  title: string;
  body: string;
  level: SarifLevel;
  priorities: Set<number>;
}

function buildRule(rule: RuleEntry): object {
  const tags = [
    TOOL_NAME,
    ...[...rule.priorities].sort((a, b) => a - b).map((p) => `priority-P${p}`),
  ];
  const footer =
    'Reported by codex-review from an OpenAI Codex code review. Codex findings are model ' +
    'judgements, not the result of a fixed check: confirm the problem before acting on it.';
  return {
    id: rule.id,
    name: truncate(rule.title, RULE_NAME_LIMIT),
    shortDescription: { text: truncate(rule.title, RULE_DESCRIPTION_LIMIT) },
    fullDescription: { text: truncate(rule.body || rule.title, RULE_DESCRIPTION_LIMIT) },
    defaultConfiguration: { level: rule.level },
    help: {
      text: `${rule.title}\n\n${rule.body ? `${rule.body}\n\n` : ''}${footer}`,
      markdown: `**${rule.title}**\n\n${rule.body ? `${rule.body}\n\n` : ''}_${footer}_`,
    },
    properties: { tags, 'problem.severity': PROBLEM_SEVERITY[rule.level] },
  };
}

function buildResult(finding: Finding, ruleIndex: number, ruleId: string): object {
  const title = titleOf(finding);
  const headline = /[.!?]$/.test(title) ? title : `${title}.`;
  const parts = [headline];
  if (finding.body) parts.push(finding.body);
  let location: object;
  if (hasRepoFile(finding)) {
    const physicalLocation: Record<string, unknown> = {
      artifactLocation: { uri: pathToUri(finding.path), uriBaseId: SRCROOT },
    };
    if (finding.startLine !== null) {
      physicalLocation.region =
        finding.endLine === null
          ? { startLine: finding.startLine }
          : { startLine: finding.startLine, endLine: Math.max(finding.endLine, finding.startLine) };
    }
    location = { physicalLocation };
  } else {
    const note = elsewhereNote(finding);
    parts.push(note);
    location = {
      physicalLocation: { artifactLocation: { uri: pathToUri(NO_FILE_PATH), uriBaseId: SRCROOT } },
      message: { text: note },
    };
  }
  return {
    ruleId,
    ruleIndex,
    level: levelOf(finding.priority),
    message: { text: parts.join('\n\n') },
    locations: [location],
    ...(finding.suggestion && hasRepoFile(finding)
      ? { fixes: [fixOf(finding.path, finding.suggestion)] }
      : {}),
    partialFingerprints: { [FINGERPRINT_KEY]: finding.fingerprint },
    properties: {
      priority: finding.priority,
      confidence: finding.confidence,
      inRepository: hasRepoFile(finding),
    },
  };
}

/** A suggested change as a SARIF fix (see the header for the region it replaces). */
function fixOf(repoPath: string, suggestion: Suggestion): object {
  return {
    description: { text: 'Suggested change by Codex, checked against the reviewed commit.' },
    artifactChanges: [
      {
        artifactLocation: { uri: pathToUri(repoPath), uriBaseId: SRCROOT },
        replacements: [
          {
            deletedRegion: {
              startLine: suggestion.startLine,
              startColumn: 1,
              endLine: suggestion.endLine,
              endColumn: suggestion.lastLineLength + 1,
            },
            insertedContent: { text: suggestion.replacement.join(suggestion.lineEnding) },
          },
        ],
      },
    ],
  };
}

/** The SARIF log of one review: one run, one rule per distinct finding title. */
export function buildSarif(result: ReviewResult, options: SarifOptions): object {
  const rules = new Map<string, RuleEntry & { index: number }>();
  const results = result.findings.map((finding) => {
    const title = titleOf(finding);
    const id = ruleIdOf(title);
    const level = levelOf(finding.priority);
    let rule = rules.get(id);
    if (!rule) {
      rule = { id, title, body: finding.body, level, priorities: new Set(), index: rules.size };
      rules.set(id, rule);
    }
    if (LEVEL_RANK[level] < LEVEL_RANK[rule.level]) rule.level = level;
    if (finding.priority !== null) rule.priorities.add(finding.priority);
    return buildResult(finding, rule.index, id);
  });

  const driver: Record<string, unknown> = { name: TOOL_NAME, version: options.toolVersion };
  if (SEMVER.test(options.toolVersion)) driver.semanticVersion = options.toolVersion;
  if (options.informationUri) driver.informationUri = options.informationUri;
  driver.rules = [...rules.values()].map(buildRule);

  const run: Record<string, unknown> = { tool: { driver } };
  if (result.findings.some((f) => f.suggestion)) run.columnKind = 'utf16CodeUnits';
  if (options.repoRoot) {
    const base = pathToFileURL(path.resolve(options.repoRoot)).href;
    run.originalUriBaseIds = {
      [SRCROOT]: {
        uri: base.endsWith('/') ? base : `${base}/`,
        description: { text: 'The repository root.' },
      },
    };
  }
  run.results = results;
  run.properties = {
    codexVersion: result.codex.version,
    mode: result.mode,
    ...(result.headSha ? { headSha: result.headSha } : {}),
  };
  return { $schema: SARIF_SCHEMA_URI, version: SARIF_VERSION, runs: [run] };
}

/**
 * Writes the SARIF file. Findings are redacted before the log is built (so no rule id, truncated
 * description or percent-encoded path can keep part of a secret) and every string of the log is
 * redacted again before it is written.
 */
export function writeSarifFile(
  file: string,
  result: ReviewResult,
  redactor: Redactor,
  options: SarifOptions,
  scope: WriteScope,
): void {
  const redacted: ReviewResult = { ...result, findings: redactor.redactValue(result.findings) };
  const log = redactor.redactValue(buildSarif(redacted, options));
  writeFileSafely(file, `${JSON.stringify(log, null, 2)}\n`, scope, 'setting `sarif-file`');
}
