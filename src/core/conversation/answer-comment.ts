// The comments the conversation posts: an answer, and the acknowledgement of a dismissal.
// The answer is model text, so it goes through the same escaping as a finding (no mention
// notifies, no control character survives, no marker can be forged) and is cut to fit.
import { markdownBlock, markdownInline } from '../render/markdown-escape.js';
import { neutralizeMarkers } from '../state/markers.js';
import { ANSWER_MARKER, dismissalMarker, type DismissalRecord } from './markers.js';

export function renderAnswer(
  answer: string,
  options: { maxLength: number; resumed: boolean },
): string {
  const text = answer.trim() === '' ? '_Codex gave no answer._' : answer.trim();
  const footer = `<sub>Codex review · answer${options.resumed ? ' (continuing the review’s session)' : ''}</sub>\n${ANSWER_MARKER}`;
  let body = neutralizeMarkers(markdownBlock(text));
  const room = options.maxLength - footer.length - 2;
  if (body.length > room) {
    const note = '\n\n… (cut to fit a comment)';
    body = body.slice(0, Math.max(0, room - note.length)) + note;
  }
  return `${body}\n\n${footer}`;
}

/** The reply that confirms a `dismiss` command and records it for later reviews. */
export function renderDismissal(record: DismissalRecord): string {
  const by = record.by ? ` by ${markdownInline(record.by)}` : '';
  const reason = record.reason ? `: ${markdownInline(record.reason)}` : '.';
  return [
    neutralizeMarkers(`Dismissed${by}${reason}`),
    '',
    '<sub>Codex review · later reviews will not raise this finding again</sub>',
    dismissalMarker(record),
  ].join('\n');
}
