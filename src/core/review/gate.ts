import type { FailOn } from '../settings.js';
import type { Finding } from './finding.js';

/** Does this finding block the run under `fail-on`? ("any" counts findings with no priority too.) */
export function isBlocking(finding: Finding, failOn: FailOn): boolean {
  if (failOn === 'none') return false;
  if (failOn === 'any') return true;
  const threshold = Number(failOn.slice(1));
  return finding.priority !== null && finding.priority <= threshold;
}

export function countBlocking(findings: Finding[], failOn: FailOn): number {
  return findings.filter((f) => isBlocking(f, failOn)).length;
}
