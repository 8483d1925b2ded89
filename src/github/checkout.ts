// A command reviews or answers about the pull request's head, whatever the workflow checked
// out: issue_comment runs on the default branch, pull_request_review_comment on the merge
// commit. The head is fetched when it is missing and checked out (detached), then verified;
// when that is impossible the step fails rather than look at the wrong commit.
import { ConfigurationError, errorMessage } from '../core/errors.js';
import { git, headSha, resolveCommit, tryGit } from '../core/git.js';
import type { Logger } from '../core/logger.js';
import type { ChangeRequest } from '../core/platform.js';

const HOW =
  'Check out the pull request head in the workflow: `actions/checkout` with ' +
  '`ref: refs/pull/<number>/head` and `fetch-depth: 0` (see the README, "Commands in comments").';

export async function checkoutPullRequestHead(
  workspace: string,
  cr: ChangeRequest,
  logger: Logger,
): Promise<void> {
  const head = await headSha(workspace);
  if (head === undefined)
    throw new ConfigurationError(`${workspace} is not a git checkout. ${HOW}`);
  if (head !== cr.headSha) {
    logger.info(
      `The checkout is at ${head.slice(0, 7)}, not the head of pull request #${cr.number} (${cr.headSha.slice(0, 7)}): checking the head out.`,
    );
    const changes = await tryGit(workspace, ['status', '--porcelain', '--untracked-files=no']);
    if (changes)
      throw new ConfigurationError(
        `The checkout has uncommitted changes, so the head of pull request #${cr.number} cannot be checked out over it. ${HOW}`,
      );
    await fetchMissing(workspace, cr.headSha, [`+refs/pull/${cr.number}/head`, cr.headSha]);
    await git(workspace, ['checkout', '--quiet', '--detach', cr.headSha]).catch((error) => {
      throw new ConfigurationError(
        `Could not check out ${cr.headSha.slice(0, 7)}, the head of pull request #${cr.number}: ${errorMessage(error)}. ${HOW}`,
      );
    });
  }
  const now = await headSha(workspace);
  if (now !== cr.headSha)
    throw new ConfigurationError(
      `The checkout is at ${now?.slice(0, 7) ?? 'nothing'} after checking out the head of pull request #${cr.number} (${cr.headSha.slice(0, 7)}). ${HOW}`,
    );
  // The base is needed for the merge base of the diff; a shallow default-branch checkout may lack it.
  await fetchMissing(workspace, cr.baseSha, [cr.baseSha]).catch((error: unknown) =>
    logger.warning(
      `The base commit ${cr.baseSha.slice(0, 7)} is not in the checkout: ${errorMessage(error)}`,
    ),
  );
}

/** Fetch from origin until `sha` is present, trying each refspec in turn. */
async function fetchMissing(workspace: string, sha: string, refspecs: string[]): Promise<void> {
  let lastError: unknown;
  for (const refspec of refspecs) {
    if (await resolveCommit(workspace, sha)) return;
    try {
      await git(workspace, ['fetch', '--no-tags', '--quiet', 'origin', refspec]);
    } catch (error) {
      lastError = error;
    }
  }
  if (await resolveCommit(workspace, sha)) return;
  throw new ConfigurationError(
    `Commit ${sha.slice(0, 7)} is not in the checkout and could not be fetched from origin` +
      (lastError ? ` (${errorMessage(lastError)})` : '') +
      `. ${HOW}`,
  );
}
