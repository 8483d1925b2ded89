// When nothing can be posted (a fork's read-only token), findings become workflow annotations
// at their file and line, so reviewers still see them on the pull request's "Files" tab.
import * as core from '@actions/core';
import type { Redactor } from '../core/redact.js';
import { oneLine } from '../core/render/markdown-escape.js';
import { priorityLabel } from '../core/render/priority.js';
import { sanitizeForJobLog, stripTerminalControls } from '../core/render/sanitize.js';
import type { Finding } from '../core/review/finding.js';

/**
 * @actions/core writes each annotation as one `::error file=…,title=…::message` line and
 * percent-encodes what would end it early (CR, LF, `%` everywhere; `:` and `,` in properties),
 * so a finding cannot add a property or a second command. The runner decodes that and prints
 * the message into the log, so the text is also made inert there (sanitizeForJobLog), and the
 * title is one line, as the annotation shows it.
 */
export function annotate(findings: Finding[], redactor: Redactor): void {
  for (const f of findings) {
    const properties: core.AnnotationProperties = {
      title: sanitizeForJobLog(
        redactor.redact(
          oneLine(stripTerminalControls(`[${priorityLabel(f.priority)}] ${f.title}`)),
        ),
      ),
    };
    if (f.inRepo && f.path) {
      properties.file = f.path;
      if (f.startLine !== null) properties.startLine = f.startLine;
      if (f.endLine !== null) properties.endLine = f.endLine;
    }
    const message = sanitizeForJobLog(redactor.redact(stripTerminalControls(f.body || f.title)));
    if (f.priority !== null && f.priority <= 1) core.error(message, properties);
    else core.warning(message, properties);
  }
}
