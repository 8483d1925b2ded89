// GitLab Code Quality report of all findings: the file `artifacts:reports:codequality` uploads, shown
// in the merge request widget (every tier), the pipeline's Code Quality tab (Premium) and the
// diff gutter (Ultimate).
//
// The format and what the choices rest on:
// - GitLab's "Code Quality report format" (gitlabhq doc/ci/testing/code_quality.md): one JSON array
//   of objects with `description`, `check_name`, `fingerprint`, `severity` (`info`, `minor`, `major`,
//   `critical` or `blocker`), `location.path` (relative to the repository) and
//   `location.lines.begin`. It is a subset of the Code Climate issue (codeclimate/platform
//   spec/analyzers/SPEC.md); GitLab ignores every other property, and rejects a byte order mark.
// - GitLab's parser (lib/gitlab/ci/parsers/codequality/code_climate.rb) checks each entry against
//   app/validators/json_schemas/codeclimate.json and *stops at the first invalid one*, so every
//   entry must be valid or the rest of the report is lost. Entries are stored by fingerprint
//   (lib/gitlab/ci/reports/codequality_reports.rb): a second entry with the same fingerprint
//   replaces the first, and the widget's "new"/"resolved" lists compare fingerprints between the
//   target branch's report and the merge request's (codequality_reports_comparer.rb).
// - Description: one line (the Code Climate spec: "a single line of text (no newlines)"), the
//   title and the start of the body, at most DESCRIPTION_LIMIT characters. The full text stays in
//   the findings file and the posted comments.
// - check_name: the SARIF rule id of the title (ruleIdOf), so both reports name a problem alike and
//   the name stays the same for as long as the finding's fingerprint does.
// - fingerprint: a hash of the finding's own fingerprint (path + title, never line numbers), so a
//   finding that moves keeps it and the widget does not report it as fixed and new again. It is
//   namespaced ("codex-review/codequality") because GitLab merges the reports of all jobs of a
//   pipeline by fingerprint, and made unique within the report (see uniqueFingerprints).
// - severity: P0 blocker, P1 critical, P2 major, P3 minor, no priority info. GitLab has five
//   levels (it sorts them blocker, critical, major, minor, info) and Codex four priorities plus
//   "none", so each priority keeps its own level; a finding Codex gave no priority makes no claim
//   about its impact, which is what `info` says.
// - location: the repository-relative POSIX path; lines.begin is the first line, lines.end the
//   last when the finding spans several (the Code Climate `lines` range; GitLab reads only
//   `begin`). A finding on a file without lines gets line 1: GitLab requires a line.
// - Findings with no file in the repository (no path, or a path outside the checkout) are left
//   out and returned in `skipped` with the reason, for the caller to log. GitLab links every entry
//   to the file at the pipeline's commit (`web_url` in the parser) and marks its line in the diff,
//   so a placeholder path would be a broken link and a false location. These findings are not
//   lost: they are in the summary comment, the job log and the findings file like every other.
import { createHash } from 'node:crypto';
import type { Redactor } from '../redact.js';
import { writeFileSafely, type WriteScope } from '../safe-write.js';
import { compareFindings, type Finding } from '../review/finding.js';
import type { ReviewResult } from '../review/result.js';
import { ruleIdOf } from './sarif.js';

export type CodeQualitySeverity = 'blocker' | 'critical' | 'major' | 'minor' | 'info';

export interface CodeQualityIssue {
  description: string;
  check_name: string;
  fingerprint: string;
  severity: CodeQualitySeverity;
  location: { path: string; lines: { begin: number; end?: number } };
}

export interface SkippedFinding {
  title: string;
  fingerprint: string;
  reason: string;
}

export interface CodeQualityReport {
  issues: CodeQualityIssue[];
  /** Findings left out of the report, each with the reason. */
  skipped: SkippedFinding[];
}

export interface WrittenCodeQuality extends CodeQualityReport {
  file: string;
}

/** The Code Climate spec's advice is under 70 characters; the title alone is often longer. */
export const DESCRIPTION_LIMIT = 240;
const FINGERPRINT_NAMESPACE = 'codex-review/codequality';

export function severityOf(priority: number | null): CodeQualitySeverity {
  switch (priority) {
    case 0:
      return 'blocker';
    case 1:
      return 'critical';
    case 2:
      return 'major';
    case 3:
      return 'minor';
    default:
      return 'info';
  }
}

const oneLine = (text: string) => text.replace(/\s+/g, ' ').trim();

function truncate(text: string, limit: number): string {
  const chars = [...text];
  return chars.length <= limit ? text : `${chars.slice(0, limit - 1).join('')}…`;
}

/** The title, then as much of the body as fits, on one line. */
export function descriptionOf(finding: Finding): string {
  const title = oneLine(finding.title) || 'Codex review finding';
  const body = oneLine(finding.body);
  if (!body) return truncate(title, DESCRIPTION_LIMIT);
  const separator = /[.!?:]$/.test(title) ? ' ' : ': ';
  return truncate(`${title}${separator}${body}`, DESCRIPTION_LIMIT);
}

/** Repo-relative POSIX path without `./` or empty segments; '' when there is none. */
function repoPath(finding: Finding): string {
  if (!finding.inRepo || finding.path === null) return '';
  return finding.path
    .split('/')
    .filter((segment) => segment !== '' && segment !== '.')
    .join('/');
}

function skipReason(finding: Finding): string {
  if (finding.path === null || finding.path.trim() === '') {
    return 'Codex gave no file for it; GitLab Code Quality needs a file in the repository';
  }
  return `its file is outside the repository (${finding.path}); GitLab Code Quality needs a file in the repository`;
}

function hash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 32);
}

/**
 * One fingerprint per finding, unique within the report. Findings from toFindings() already have
 * distinct fingerprints; should two still share one, they are told apart by what they point at
 * (lines, then text), never by the order Codex reported them in, so each keeps its fingerprint
 * from run to run.
 */
function uniqueFingerprints(findings: Finding[]): Map<Finding, string> {
  const groups = new Map<string, Finding[]>();
  for (const f of findings) groups.set(f.fingerprint, [...(groups.get(f.fingerprint) ?? []), f]);
  const result = new Map<Finding, string>();
  const used = new Set<string>();
  for (const [base, group] of groups) {
    const ordered = [...group].sort(
      (a, b) =>
        (a.startLine ?? 0) - (b.startLine ?? 0) ||
        (a.endLine ?? 0) - (b.endLine ?? 0) ||
        a.title.localeCompare(b.title) ||
        a.body.localeCompare(b.body),
    );
    ordered.forEach((f, i) => {
      let fingerprint = hash(`${FINGERPRINT_NAMESPACE}\n${base}${i > 0 ? `\n${i + 1}` : ''}`);
      for (let n = 2; used.has(fingerprint); n += 1) {
        fingerprint = hash(`${FINGERPRINT_NAMESPACE}\n${base}\n${i + 1}\n${n}`);
      }
      used.add(fingerprint);
      result.set(f, fingerprint);
    });
  }
  return result;
}

function issueOf(finding: Finding, filePath: string, fingerprint: string): CodeQualityIssue {
  const begin = finding.startLine ?? 1;
  const end = finding.startLine === null ? null : finding.endLine;
  return {
    description: descriptionOf(finding),
    check_name: ruleIdOf(finding.title.trim() || 'Codex review finding'),
    fingerprint,
    severity: severityOf(finding.priority),
    location: {
      path: filePath,
      lines: end !== null && end > begin ? { begin, end } : { begin },
    },
  };
}

/** The report and the findings it leaves out; issues ordered by priority, then file and line. */
export function buildCodeQualityReport(result: ReviewResult): CodeQualityReport {
  const findings = [...result.findings].sort(compareFindings);
  const fingerprints = uniqueFingerprints(findings);
  const issues: CodeQualityIssue[] = [];
  const skipped: SkippedFinding[] = [];
  for (const finding of findings) {
    const filePath = repoPath(finding);
    if (!filePath) {
      skipped.push({
        title: finding.title,
        fingerprint: finding.fingerprint,
        reason: skipReason(finding),
      });
      continue;
    }
    issues.push(issueOf(finding, filePath, fingerprints.get(finding)!));
  }
  return { issues, skipped };
}

/** The Code Quality report's entries (the JSON array GitLab reads). */
export function buildCodeQuality(result: ReviewResult): CodeQualityIssue[] {
  return buildCodeQualityReport(result).issues;
}

/**
 * Writes the report (UTF-8 without a byte order mark). Findings are redacted before the report is
 * built, so no check name or shortened description can keep part of a secret, and every string of
 * the report is redacted again before it is written. Returns what was written and what was left
 * out, for the caller to log.
 */
export function writeCodeQualityFile(
  file: string,
  result: ReviewResult,
  redactor: Redactor,
  scope: WriteScope,
): WrittenCodeQuality {
  const redacted: ReviewResult = { ...result, findings: redactor.redactValue(result.findings) };
  const report = buildCodeQualityReport(redacted);
  const issues = redactor.redactValue(report.issues);
  writeFileSafely(
    file,
    `${JSON.stringify(issues, null, 2)}\n`,
    scope,
    'setting `codequality-file`',
  );
  return { file, issues, skipped: report.skipped };
}
