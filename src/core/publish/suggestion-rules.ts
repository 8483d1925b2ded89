// The output rules a suggested change must pass unchanged (src/core/suggest/validate.ts): the
// renderers would otherwise escape it, and an escaped suggestion commits different code. They
// live in the render and state layers, which the suggestion step cannot import, so this list
// hands them over.
import { neutralizeQuickActions } from '../render/markdown-escape.js';
import { stripTerminalControls } from '../render/sanitize.js';
import { neutralizeMarkers } from '../state/markers.js';
import type { OutputRule } from '../suggest/validate.js';

export const SUGGESTION_OUTPUT_RULES: readonly OutputRule[] = [
  {
    keepsOut: 'an HTML comment opener (`<!--`), which could forge a marker',
    apply: neutralizeMarkers,
  },
  { keepsOut: 'a line GitLab would run as a quick action', apply: neutralizeQuickActions },
  { keepsOut: 'terminal control characters', apply: stripTerminalControls },
];
