// SPEC's Finding: one model for both modes and both platforms.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { ReviewFinding } from './review-output.js';

export interface Finding {
  title: string;
  body: string;
  /** 0 (most severe) to 3, or null when Codex gave none. */
  priority: number | null;
  confidence: number | null;
  /** Repo-relative POSIX path; for a file outside the repo, the path as Codex reported it. */
  path: string | null;
  startLine: number | null;
  endLine: number | null;
  /** False when the path lies outside the repository: such a finding is never posted inline. */
  inRepo: boolean;
  /** Stable across runs: depends on the path and the title, never on line numbers. */
  fingerprint: string;
  /** A change of exactly the lines of its inline comment, checked before it is posted. */
  suggestion?: Suggestion;
}

/**
 * A committable suggested change (`suggestions`): it replaces exactly the lines its inline
 * comment covers, on the new side, as they read at the reviewed head (src/core/suggest).
 */
export interface Suggestion {
  /** First and last replaced line (new side, 1-based, inclusive). */
  startLine: number;
  endLine: number;
  /** Those lines at the reviewed head, without their line endings. */
  original: string[];
  /** The lines that replace them (at least one), without line endings. */
  replacement: string[];
  /**
   * Length of the last replaced line in UTF-16 code units (where the replaced text ends), kept
   * apart from `original` because redaction may shorten that text in files and posts.
   */
  lastLineLength: number;
  /** The line ending of the replaced lines, which the replacement keeps. */
  lineEnding: '\n' | '\r\n';
}

const PRIORITY_TAG = /^\s*\[P([0-3])\]\s*/;

export interface ToFindingsOptions {
  /** Absolute repository root; paths are made relative to it. */
  repoRoot: string;
  /** Directory Codex worked in; relative paths from Codex are resolved against it. */
  workingDirectory: string;
}

export function toFindings(items: ReviewFinding[], options: ToFindingsOptions): Finding[] {
  const findings = items.map((item) => {
    const tag = PRIORITY_TAG.exec(item.title);
    const title = item.title.replace(PRIORITY_TAG, '').trim() || item.title.trim();
    const priority = normalizePriority(item.priority ?? (tag ? Number(tag[1]) : null));
    const location = item.code_location;
    const resolved = location ? relativePath(location.absolute_file_path, options) : undefined;
    let start = location?.line_range?.start ?? null;
    let end = location?.line_range?.end ?? start;
    if (start !== null && end !== null && end < start) [start, end] = [end, start];
    if (start !== null && start < 1) start = 1;
    if (end !== null && end < 1) end = 1;
    return {
      title,
      body: item.body.trim(),
      priority,
      confidence: typeof item.confidence_score === 'number' ? clamp01(item.confidence_score) : null,
      path: resolved?.path ?? null,
      startLine: resolved ? start : null,
      endLine: resolved ? end : null,
      inRepo: resolved?.inRepo ?? false,
      fingerprint: fingerprintOf(resolved?.path ?? null, title),
    };
  });
  disambiguate(findings, options.repoRoot);
  return findings;
}

/**
 * Two findings with the same title in the same file need distinct fingerprints that do not
 * depend on where they are. The code they point at moves with them, so its text tells them
 * apart; only when it cannot (file unreadable, same text) does their order in the file.
 * The order Codex reported them in is never used: it changes from run to run.
 */
function disambiguate(findings: Finding[], repoRoot: string): void {
  const groups = new Map<string, Finding[]>();
  for (const f of findings) groups.set(f.fingerprint, [...(groups.get(f.fingerprint) ?? []), f]);
  for (const [base, group] of groups) {
    if (group.length < 2) continue;
    const texts = group.map((f) => lineText(repoRoot, f));
    const distinct = texts.every((t) => t !== undefined) && new Set(texts).size === texts.length;
    if (distinct) {
      group.forEach((f, i) => {
        f.fingerprint = `${base}-${createHash('sha256').update(texts[i]!).digest('hex').slice(0, 8)}`;
      });
      continue;
    }
    [...group]
      .sort((a, b) => (a.startLine ?? 0) - (b.startLine ?? 0))
      .forEach((f, i) => {
        if (i > 0) f.fingerprint = `${base}-${i + 1}`;
      });
  }
}

function lineText(repoRoot: string, f: Finding): string | undefined {
  if (!f.inRepo || !f.path || f.startLine === null) return undefined;
  try {
    const line = fs.readFileSync(path.join(repoRoot, f.path), 'utf8').split('\n')[f.startLine - 1];
    return line === undefined ? undefined : line.replace(/\s+/g, ' ').trim();
  } catch {
    return undefined;
  }
}

function normalizePriority(value: number | null): number | null {
  if (value === null || !Number.isFinite(value)) return null;
  return Math.min(3, Math.max(0, Math.round(value)));
}

function clamp01(value: number): number {
  return Math.min(1, Math.max(0, value));
}

export function relativePath(
  reported: string,
  options: ToFindingsOptions,
): { path: string; inRepo: boolean } | undefined {
  const trimmed = reported.trim();
  if (trimmed === '') return undefined;
  const absolute = path.resolve(options.workingDirectory, trimmed);
  const relative = path.relative(options.repoRoot, absolute);
  // `..` or `../x` leaves the repository; a file named `..x` inside it does not.
  if (
    relative === '' ||
    relative === '..' ||
    relative.startsWith(`..${path.sep}`) ||
    path.isAbsolute(relative)
  ) {
    return { path: trimmed.split(path.sep).join('/'), inRepo: false };
  }
  return { path: relative.split(path.sep).join('/'), inRepo: true };
}

/**
 * Line numbers are left out on purpose: code that moves keeps its fingerprint, so a finding
 * already posted is recognised on the next run even after edits above it.
 */
export function fingerprintOf(filePath: string | null, title: string): string {
  const normalizedTitle = title
    .replace(PRIORITY_TAG, '')
    .toLowerCase()
    .replace(/[`'"*_]/g, '')
    .replace(/\s+/g, ' ')
    .trim();
  return createHash('sha256')
    .update(`${filePath ?? ''}\n${normalizedTitle}`)
    .digest('hex')
    .slice(0, 16);
}

export function compareFindings(a: Finding, b: Finding): number {
  const pa = a.priority ?? 4;
  const pb = b.priority ?? 4;
  if (pa !== pb) return pa - pb;
  return (a.path ?? '').localeCompare(b.path ?? '') || (a.startLine ?? 0) - (b.startLine ?? 0);
}
