// An in-memory ReviewPlatform for core publishing tests: it accepts what the diff allows and
// remembers what was posted.
import type {
  ChangeRequest,
  ExistingComment,
  ExistingState,
  InlineComment,
  PostedReview,
  ReviewPlatform,
} from '../../src/core/platform.js';
import { fingerprintsIn } from '../../src/core/state/markers.js';

export class FakePlatform implements ReviewPlatform {
  readonly name = 'Fake';
  readonly maxCommentLength = 65_536;
  readonly reviews: InlineComment[][] = [];
  summary: ExistingComment | undefined;

  constructor(
    private readonly diff: string,
    private readonly earlierInline: string[] = [],
  ) {}

  async loadDiff(): Promise<string> {
    return this.diff;
  }

  async loadExisting(): Promise<ExistingState> {
    const posted = this.reviews.flat().flatMap((c) => fingerprintsIn(c.body));
    return {
      summary: this.summary,
      inlineFingerprints: new Set([...this.earlierInline, ...posted]),
    };
  }

  async postReview(_cr: ChangeRequest, comments: InlineComment[]): Promise<PostedReview> {
    this.reviews.push(comments);
    return { url: 'https://example.test/review', posted: comments, rejected: [] };
  }

  async upsertSummary(_cr: ChangeRequest, body: string): Promise<{ url: string }> {
    this.summary = { id: '1', body, url: 'https://example.test/summary' };
    return { url: this.summary.url };
  }

  fileUrl(_cr: ChangeRequest, path: string): string {
    return `https://example.test/${path}`;
  }
}
