// Hidden HTML comments that let a later run find its own comments again. The summary carries
// the state of the review (the head reviewed, the findings and their status) so that the next
// run can review incrementally, avoid duplicates and mark findings resolved. The state is
// signed (state-key.ts) and believed only when its signature verifies; it is kept within a size
// budget so that the comment carrying it stays within the platform's limit.
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { z } from 'zod';
import { MAC_PATTERN, type StateKey } from './state-key.js';

export const SUMMARY_MARKER = '<!-- codex-review:summary -->';
const STATE_PATTERN = new RegExp(
  `<!-- codex-review:state ([A-Za-z0-9+/=]+)(?: (${MAC_PATTERN}))? -->`,
  'g',
);
const FINDING_PATTERN = /<!-- codex-review:finding ([0-9a-f]{16}(?:-[0-9a-f]+)?) -->/g;

/** Keyed by workflow and job, so each scheduled audit keeps its own issue. */
export function auditMarker(key: string): string {
  return `<!-- codex-review:audit ${key.replace(/[^\w./@ -]/g, '_').replace(/--+/g, '-')} -->`;
}

export function findingMarker(fingerprint: string): string {
  return `<!-- codex-review:finding ${fingerprint} -->`;
}

export function fingerprintsIn(body: string): string[] {
  return [...body.matchAll(FINDING_PATTERN)].map((m) => m[1]!);
}

export const StoredFindingSchema = z.object({
  fingerprint: z.string(),
  title: z.string(),
  path: z.string().nullable(),
  startLine: z.number().nullable(),
  endLine: z.number().nullable(),
  priority: z.number().nullable(),
  status: z.enum(['open', 'resolved']),
  /** Where it was shown when last reported. */
  placement: z.string(),
});

export const SummaryStateSchema = z.object({
  /** 2: signed and bounded. A version-1 state (unsigned) is never believed. */
  version: z.literal(2),
  /** The head commit the last run reviewed: the base of the next incremental review. */
  reviewedHead: z.string(),
  findings: z.array(StoredFindingSchema),
  /** The Codex session of the review that wrote this state, for answers to resume. */
  session: z.object({ threadId: z.string(), digest: z.string().optional() }).optional(),
  /** Open findings left out of `findings` to keep the state within its size budget. */
  untracked: z.number().int().nonnegative().optional(),
});

export type StoredFinding = z.infer<typeof StoredFindingSchema>;
export type SummaryState = z.infer<typeof SummaryStateSchema>;

/** What signs a state and where it belongs (one pull request, one audit). */
export interface StateSeal {
  /** undefined: no secret to sign with; the state is written unsigned and never believed. */
  key: StateKey | undefined;
  scope: string;
}

/** A title longer than this is cut in the state (the findings file keeps it whole). */
export const STATE_TITLE_LIMIT = 200;
/** A finding whose path is longer than this is not tracked at all (its lines could not match). */
const STATE_PATH_LIMIT = 1_024;
/** Inflating more than this is refused: a state is never that large, a forged one might be. */
const MAX_INFLATED_BYTES = 16 * 1024 * 1024;

export interface EncodedState {
  /** The hidden marker that carries the state. */
  marker: string;
  /** The state as written: what fits. */
  state: SummaryState;
  /** Open findings that did not fit and are not tracked into the next run. */
  untracked: number;
}

/**
 * Compressed and signed, within `maxLength` characters: resolved findings go first (the next
 * run does not read them back), the oldest first; then open findings, the least severe first.
 * What is left out is counted in the state's `untracked`.
 */
export function encodeState(
  state: SummaryState,
  seal: StateSeal,
  maxLength = Number.POSITIVE_INFINITY,
): EncodedState {
  const rest = { ...state };
  delete rest.untracked;
  const severity = (f: StoredFinding) => f.priority ?? 4;
  const storable = state.findings.filter((f) => (f.path?.length ?? 0) <= STATE_PATH_LIMIT);
  const open = storable.filter((f) => f.status === 'open');
  // Stable sort: among equals, this run's findings (listed first) stay before carried ones.
  const order = [
    ...[...open].sort((a, b) => severity(a) - severity(b)),
    ...storable.filter((f) => f.status !== 'open'),
  ].map((f) => ({ ...f, title: clip(f.title, STATE_TITLE_LIMIT) }));
  const openCount = state.findings.filter((f) => f.status === 'open').length;
  const build = (keep: number): EncodedState => {
    const findings = order.slice(0, keep);
    const kept = findings.filter((f) => f.status === 'open').length;
    const untracked = openCount - kept;
    // Every other field of the state is kept as it is (what later versions add to it).
    const written: SummaryState = {
      ...rest,
      version: 2,
      findings,
      ...(untracked > 0 ? { untracked } : {}),
    };
    const data = deflateRawSync(Buffer.from(JSON.stringify(written))).toString('base64');
    const mac = seal.key ? ` ${seal.key.sign(seal.scope, data)}` : '';
    return { marker: `<!-- codex-review:state ${data}${mac} -->`, state: written, untracked };
  };
  const all = build(order.length);
  if (all.marker.length <= maxLength) return all;
  // The largest prefix that fits: the encoded length grows with the number of findings.
  let low = 0;
  let high = order.length - 1;
  let best = build(0);
  while (low <= high) {
    const middle = Math.floor((low + high) / 2);
    const candidate = build(middle);
    if (candidate.marker.length <= maxLength) {
      best = candidate;
      low = middle + 1;
    } else {
      high = middle - 1;
    }
  }
  return best;
}

/**
 * Model-written text goes into comments next to our markers; an HTML comment opener in it is
 * neutralised so no finding can forge a marker or a state.
 */
export function neutralizeMarkers(text: string): string {
  return text.replace(/<!--/g, '&lt;!--');
}

export type StateReading =
  | { kind: 'trusted'; state: SummaryState }
  | { kind: 'absent' }
  /** A state is there but is not believed: the run reviews as if there were none. */
  | { kind: 'untrusted'; reason: string };

/** The state in `body`, believed only when its signature verifies for this seal. */
export function readState(body: string | undefined, seal: StateSeal): StateReading {
  // The state is written last, after all model text; a forged one earlier is ignored.
  const match = body ? [...body.matchAll(STATE_PATTERN)].at(-1) : undefined;
  if (!match) return { kind: 'absent' };
  const [, data, mac] = match;
  if (!seal.key) {
    return { kind: 'untrusted', reason: 'there is no key to verify it (no OpenAI API key)' };
  }
  if (!mac) {
    return {
      kind: 'untrusted',
      reason: 'it is not signed (written by an older version, or by someone else)',
    };
  }
  // Checked before anything is decompressed or parsed: a forged state is never inflated.
  if (!seal.key.verify(seal.scope, data!, mac)) {
    return {
      kind: 'untrusted',
      reason:
        'its signature does not verify (written by someone else, for another change, or before the OpenAI API key changed)',
    };
  }
  const state = parse(data!);
  return state
    ? { kind: 'trusted', state }
    : { kind: 'untrusted', reason: 'it cannot be read (an incompatible version)' };
}

/** The scope of a change request's state: its URL names the repository too (one API key may serve many). */
export function changeScope(cr: { number: number; url: string | undefined }): string {
  return `change ${cr.url ?? ''} #${cr.number}`;
}

/** The scope of an audit's state: one per tracking issue. */
export function auditScope(key: string): string {
  return `audit ${key}`;
}

/** The state the run may act on, saying why when one is there but not believed. */
export function believedState(
  body: string | undefined,
  seal: StateSeal,
  say: (message: string) => void,
): SummaryState | undefined {
  const reading = readState(body, seal);
  if (reading.kind === 'untrusted')
    say(
      `The review state in the existing summary is not believed: ${reading.reason}. This run starts afresh (a full review; nothing taken from that state).`,
    );
  return reading.kind === 'trusted' ? reading.state : undefined;
}

/** The state in `body` as written, unverified: for tests and for debugging, never for a decision. */
export function inspectState(body: string | undefined): SummaryState | undefined {
  const match = body ? [...body.matchAll(STATE_PATTERN)].at(-1) : undefined;
  return match ? parse(match[1]!) : undefined;
}

function parse(data: string): SummaryState | undefined {
  try {
    const json = JSON.parse(
      inflateRawSync(Buffer.from(data, 'base64'), {
        maxOutputLength: MAX_INFLATED_BYTES,
      }).toString('utf8'),
    ) as unknown;
    const parsed = SummaryStateSchema.safeParse(json);
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** At most `max` characters (never half a surrogate pair), marked with an ellipsis when cut. */
export function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = Math.max(0, max - 1);
  if (end > 0 && /[\ud800-\udbff]/.test(text[end - 1]!)) end--;
  return `${text.slice(0, end)}…`;
}
