// The result as a person reads it in a terminal (`codex-review local`). Every piece of model
// text is stripped of escape sequences and controls before the product adds its own colours.
import type { ReviewResult } from '../review/result.js';
import { countByPriority, location, priorityLabel } from './priority.js';
import { stripTerminalControls as plain } from './sanitize.js';

export function renderTerminal(result: ReviewResult, options: { color?: boolean } = {}): string {
  const c = (code: string, text: string) =>
    options.color ? `\u001b[${code}m${text}\u001b[0m` : text;
  const colorOf = (p: number | null) => (p === 0 ? '1;31' : p === 1 ? '31' : p === 2 ? '33' : '36');
  const out: string[] = [];
  if (result.incomplete) out.push(c('33', `! ${plain(result.incomplete)}`), '');
  if (result.verdict.correctness) out.push(c('1', `Verdict: ${plain(result.verdict.correctness)}`));
  if (result.verdict.explanation) out.push(plain(result.verdict.explanation));
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
      `${c(colorOf(f.priority), `[${priorityLabel(f.priority)}]`)} ${c('1', plain(f.title))}${conf}`,
    );
    out.push(`  ${c('4', plain(location(f)))}${f.inRepo ? '' : ' (outside the repository)'}`);
    for (const line of plain(f.body).split('\n')) out.push(`  ${line}`);
  }
  if (result.structured !== undefined && n === 0) {
    // JSON.stringify escapes C0 controls but leaves DEL and the C1 range (8-bit CSI) raw.
    out.push('', plain(JSON.stringify(result.structured, null, 2)));
  }
  return `${out.join('\n')}\n`;
}
