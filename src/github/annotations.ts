// When nothing can be posted (a fork's read-only token), findings become workflow annotations
// at their file and line, so reviewers still see them on the pull request's "Files" tab.
import * as core from '@actions/core';
import type { Redactor } from '../core/redact.js';
import { priorityLabel } from '../core/render/priority.js';
import type { Finding } from '../core/review/finding.js';

export function annotate(findings: Finding[], redactor: Redactor): void {
  for (const f of findings) {
    const properties: core.AnnotationProperties = {
      title: redactor.redact(`[${priorityLabel(f.priority)}] ${f.title}`),
    };
    if (f.inRepo && f.path) {
      properties.file = f.path;
      if (f.startLine !== null) properties.startLine = f.startLine;
      if (f.endLine !== null) properties.endLine = f.endLine;
    }
    const message = redactor.redact(f.body || f.title);
    if (f.priority !== null && f.priority <= 1) core.error(message, properties);
    else core.warning(message, properties);
  }
}
