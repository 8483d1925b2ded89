// The integrity check of the review state carried between runs. The summary comment is written
// where other accounts write too: apps on the same pull request, and every other action of the
// repository that posts with the same GITHUB_TOKEN identity (`github-actions[bot]`). Any of them
// may echo attacker text that looks like our state; a state whose `reviewedHead` is the
// attacker's commit would make the next incremental review skip it. So the state is believed
// only with an HMAC-SHA256 that only this workflow can compute.
//
// The key is derived (HKDF-SHA256) from the OpenAI API key: a secret every run of the workflow
// has, stable across runs (GITHUB_TOKEN changes every run, so it cannot be the key), and
// unknown to other apps, other accounts and the commands Codex runs. Rotating the API key makes
// the states written before unverifiable: the next run then reviews the whole change once (never
// fewer commits) and signs a fresh state. Without an API key (Codex already logged in through
// `codex-home`) nothing can be signed: every run reviews the whole change.
import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';

/** Fixed and public: they separate this use of the API key from any other. */
const SALT = 'codex-review review-state';
const INFO = 'hmac-sha256 v1';

/** Base64url of a 32-byte HMAC-SHA256. */
export const MAC_PATTERN = '[A-Za-z0-9_-]{43}';

export class StateKey {
  private constructor(private readonly key: Buffer) {}

  /** undefined without a secret: states are then written unsigned and never believed. */
  static fromSecret(secret: string | undefined): StateKey | undefined {
    if (!secret) return undefined;
    return new StateKey(Buffer.from(hkdfSync('sha256', secret, SALT, INFO, 32)));
  }

  /**
   * `scope` binds the state to where it was written (one pull request, one audit's issue): a
   * genuine state copied onto another pull request does not verify there.
   */
  sign(scope: string, payload: string): string {
    return createHmac('sha256', this.key)
      .update(`${scope.length}:${scope}\n${payload}`)
      .digest('base64url');
  }

  verify(scope: string, payload: string, mac: string): boolean {
    const expected = Buffer.from(this.sign(scope, payload));
    const given = Buffer.from(mac);
    return given.length === expected.length && timingSafeEqual(given, expected);
  }
}
