// The result as a person reads it in a terminal (`codex-review local`).
import type { ReviewResult } from '../review/result.js';
import { countByPriority, location, priorityLabel } from './priority.js';

export function renderTerminal(result: ReviewResult, options: { color?: boolean } = {}): string {
  const c = (code: string, text: string) =>
    options.color ? `\u001b[${code}m${text}\u001b[0m` : text;
  const colorOf = (p: number | null) => (p === 0 ? '1;31' : p === 1 ? '31' : p === 2 ? '33' : '36');
  const out: string[] = [];
  if (result.incomplete) out.push(c('33', `! ${result.incomplete}`), '');
  if (result.verdict.correctness) out.push(c('1', `Verdict: ${result.verdict.correctness}`));
  if (result.verdict.explanation) out.push(result.verdict.explanation);
  out.push('');
  const n = result.findings.length;
  out.push(
    c(
      '1',
      n === 0
        ? 'No findings.'
        : `${n} finding${n === 1 ? '' : 's'} (${countByPriority(result.findings)})`,
    ),
  );
  for (const f of result.findings) {
    out.push('');
    const conf = f.confidence === null ? '' : c('2', ` (confidence ${f.confidence.toFixed(2)})`);
    out.push(
      `${c(colorOf(f.priority), `[${priorityLabel(f.priority)}]`)} ${c('1', f.title)}${conf}`,
    );
    out.push(`  ${c('4', location(f))}${f.inRepo ? '' : ' (outside the repository)'}`);
    for (const line of f.body.split('\n')) out.push(`  ${line}`);
  }
  if (result.structured !== undefined && n === 0) {
    out.push('', JSON.stringify(result.structured, null, 2));
  }
  return `${out.join('\n')}\n`;
}
