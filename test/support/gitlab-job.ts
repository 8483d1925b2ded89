// The variables every GitLab merge-request pipeline job has, as GitLab Runner sets them, for
// tests that run `codex-review gitlab` against the fake GitLab.
export function mergeRequestJob(apiUrl: string, projectDir: string): Record<string, string> {
  return {
    CI: 'true',
    GITLAB_CI: 'true',
    CI_API_V4_URL: apiUrl,
    CI_PROJECT_ID: '42',
    CI_PROJECT_DIR: projectDir,
    CI_PROJECT_URL: 'https://gitlab.example.com/group/demo',
    CI_PIPELINE_SOURCE: 'merge_request_event',
  };
}
