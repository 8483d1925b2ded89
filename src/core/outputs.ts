// Output names of SPEC.md, in one place; the adapters only decide where they are written.
// Outputs are bounded: GitHub keeps at most 1 MB of outputs per job (and 50 MB per workflow
// run), and a step that reads them through `${{ }}` or the environment must not get a model's
// 50 MB reply. The findings file is never cut; the outputs say where it is when they are.
import { compareFindings, type Finding } from './review/finding.js';
import type { ReviewResult } from './review/result.js';

export const OUTPUT_NAMES = [
  'final-message',
  'findings',
  'findings-file',
  'findings-count',
  'blocking-count',
  'review-url',
  'sarif-file',
  'thread-id',
  'usage',
] as const;

export type OutputName = (typeof OUTPUT_NAMES)[number];

/** In UTF-8 bytes; together well under GitHub's 1 MB of outputs per job. */
export const FINAL_MESSAGE_LIMIT = 256 * 1024;
export const FINDINGS_LIMIT = 512 * 1024;

export interface BuiltOutputs {
  outputs: Record<OutputName, string>;
  /** What was cut, for the log. */
  notes: string[];
}

export function buildOutputs(
  result: ReviewResult,
  files: { findingsFile: string; sarifFile?: string; reviewUrl?: string },
): BuiltOutputs {
  const notes: string[] = [];
  const message = boundedMessage(result.finalMessage, files.findingsFile);
  if (message !== result.finalMessage)
    notes.push(
      `The \`final-message\` output is cut to its first ${FINAL_MESSAGE_LIMIT.toLocaleString('en-US')} bytes (of ${Buffer.byteLength(result.finalMessage).toLocaleString('en-US')}); the whole message is \`finalMessage\` in the findings file ${files.findingsFile}.`,
    );
  const findings = boundedFindings(result.findings);
  if (findings.kept < result.findings.length)
    notes.push(
      `The \`findings\` output holds ${findings.kept} of ${result.findings.length} findings, the most severe that fit in ${FINDINGS_LIMIT.toLocaleString('en-US')} bytes; \`findings-count\` counts them all, and every finding is in the findings file ${files.findingsFile}.`,
    );
  return {
    outputs: {
      'final-message': message,
      findings: findings.json,
      'findings-file': files.findingsFile,
      'findings-count': String(result.findings.length),
      'blocking-count': String(result.blockingCount),
      'review-url': files.reviewUrl ?? '',
      'sarif-file': files.sarifFile ?? '',
      'thread-id': result.threadId ?? '',
      usage: JSON.stringify({
        input_tokens: result.usage.input_tokens,
        cached_input_tokens: result.usage.cached_input_tokens,
        output_tokens: result.usage.output_tokens,
        reasoning_output_tokens: result.usage.reasoning_output_tokens,
      }),
    },
    notes,
  };
}

/** The message, or its start and a last line that says it was cut and where the rest is. */
function boundedMessage(message: string, findingsFile: string): string {
  if (Buffer.byteLength(message) <= FINAL_MESSAGE_LIMIT) return message;
  const note = `\n\n[codex-review: the final message is cut here, at ${FINAL_MESSAGE_LIMIT.toLocaleString('en-US')} of ${Buffer.byteLength(message).toLocaleString('en-US')} bytes. The whole message is "finalMessage" in the findings file: ${findingsFile}]`;
  const room = FINAL_MESSAGE_LIMIT - Buffer.byteLength(note);
  // Whole characters only: cut the UTF-8 bytes, then drop a partial character at the end.
  const head = Buffer.from(message.slice(0, room), 'utf8')
    .subarray(0, room)
    .toString('utf8')
    .replace(/\ufffd$/, '');
  return head + note;
}

/**
 * A JSON array that always parses: whole findings only, the most severe that fit, in their
 * order. A cut string would break every consumer (`jq`, `fromJSON`) rather than one finding.
 */
function boundedFindings(findings: Finding[]): { json: string; kept: number } {
  const all = JSON.stringify(findings);
  if (Buffer.byteLength(all) <= FINDINGS_LIMIT) return { json: all, kept: findings.length };
  const keep = new Set<Finding>();
  let size = 2;
  for (const f of [...findings].sort(compareFindings)) {
    const bytes = Buffer.byteLength(JSON.stringify(f)) + 1;
    if (size + bytes > FINDINGS_LIMIT) continue;
    keep.add(f);
    size += bytes;
  }
  const kept = findings.filter((f) => keep.has(f));
  return { json: JSON.stringify(kept), kept: kept.length };
}
