// What a run posts, from `post` and what the front door found: a change request to post on, a
// token to post with, a tracker for audits.
import type { Logger } from '../logger.js';
import type { ChangeRequest } from '../platform.js';
import type { PostTarget } from '../settings.js';

export type ResolvedPostTarget = 'review' | 'summary' | 'issue' | 'none';

export function choosePostTarget(
  post: PostTarget,
  venue: {
    noun: string;
    changeRequest: ChangeRequest | undefined;
    platform: unknown;
    tracker: unknown;
  },
  logger: Logger,
): ResolvedPostTarget {
  switch (post) {
    case 'none':
      return 'none';
    case 'auto':
    case 'review':
    case 'summary': {
      if (!venue.changeRequest) {
        if (post === 'auto')
          logger.info(
            `No ${venue.noun} here: nothing is posted; the findings file and reports are written.`,
          );
        else
          logger.warning(
            `post: ${post} needs a ${venue.noun} event; this run posts nothing (the findings are in the log and the findings file).`,
          );
        return 'none';
      }
      if (!venue.platform) {
        logger.warning(
          `No API token to post on the ${venue.noun}: the findings are in the log, the step summary and the findings file only.`,
        );
        return 'none';
      }
      return post === 'summary' ? 'summary' : 'review';
    }
    case 'issue':
      if (!venue.tracker) {
        logger.warning(
          'No API token to keep the tracking issue: the findings are in the log, the step summary and the findings file only.',
        );
        return 'none';
      }
      return 'issue';
  }
}
