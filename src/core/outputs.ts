// Output names of SPEC.md, in one place; the adapters only decide where they are written.
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

export function buildOutputs(
  result: ReviewResult,
  files: { findingsFile: string; sarifFile?: string; reviewUrl?: string },
): Record<OutputName, string> {
  return {
    'final-message': result.finalMessage,
    findings: JSON.stringify(result.findings),
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
  };
}
