import { test } from 'node:test';
import assert from 'node:assert/strict';
import { detectCi, sanitizeUrl } from '../../../src/analyze/environment/index.js';

const env = (vars: Record<string, string>) => new Map(Object.entries(vars));
const SHA = '9fceb02d0ae598e95dc970b74767f19372d61af8';

test('GitHub Actions: run URL from server, repository, run id and attempt; commit, ref and workflow ref', () => {
  const ci = detectCi(env({
    CI: 'true',
    GITHUB_ACTIONS: 'true',
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_REPOSITORY: 'octo-org/octo-repo',
    GITHUB_RUN_ID: '8190468471',
    GITHUB_RUN_ATTEMPT: '2',
    GITHUB_SHA: SHA,
    GITHUB_REF: 'refs/heads/main',
    GITHUB_WORKFLOW_REF: 'octo-org/octo-repo/.github/workflows/release.yml@refs/heads/main',
  }));
  assert.deepEqual(ci, {
    system: 'github-actions',
    repositoryUrl: 'https://github.com/octo-org/octo-repo',
    runId: '8190468471',
    runAttempt: '2',
    url: 'https://github.com/octo-org/octo-repo/actions/runs/8190468471/attempts/2',
    commit: SHA,
    ref: 'refs/heads/main',
    workflowRef: 'octo-org/octo-repo/.github/workflows/release.yml@refs/heads/main',
  });
});

test('GitHub Enterprise server URL with credentials: userinfo is stripped from every URL built on it', () => {
  const ci = detectCi(env({
    GITHUB_ACTIONS: 'true',
    GITHUB_SERVER_URL: 'https://svc-bot:ghes-pa55word@ghe.example.com/',
    GITHUB_REPOSITORY: 'team/app',
    GITHUB_RUN_ID: '77',
  }));
  assert.equal(ci?.repositoryUrl, 'https://ghe.example.com/team/app');
  assert.equal(ci?.url, 'https://ghe.example.com/team/app/actions/runs/77');
  assert.ok(!JSON.stringify(ci).includes('pa55word') && !JSON.stringify(ci).includes('svc-bot'));
});

test('GitLab CI: pipeline and job ids, job URL without credentials or query, project URL, commit and ref', () => {
  const ci = detectCi(env({
    GITLAB_CI: 'true',
    CI: 'true',
    CI_PIPELINE_ID: '1147720930',
    CI_JOB_ID: '5893224170',
    CI_JOB_URL: 'https://gitlab-ci-token:glcbt-64_Zx9yW8vU7@gitlab.example.com/group/project/-/jobs/5893224170?private_token=abc#top',
    CI_PROJECT_URL: 'https://gitlab.example.com/group/project',
    CI_REPOSITORY_URL: 'https://gitlab-ci-token:glcbt-64_Zx9yW8vU7@gitlab.example.com/group/project.git',
    CI_COMMIT_SHA: SHA,
    CI_COMMIT_REF_NAME: 'release/1.x',
  }));
  assert.deepEqual(ci, {
    system: 'gitlab-ci',
    repositoryUrl: 'https://gitlab.example.com/group/project',
    pipelineId: '1147720930',
    jobId: '5893224170',
    url: 'https://gitlab.example.com/group/project/-/jobs/5893224170',
    commit: SHA,
    ref: 'release/1.x',
  });
});

test('Jenkins: server, build id and URL, git commit, branch and remote, credentials removed', () => {
  const ci = detectCi(env({
    JENKINS_URL: 'https://jenkins.example.com/',
    BUILD_ID: '412',
    BUILD_URL: 'https://admin:11d2f5c9e0@jenkins.example.com/job/app/412/',
    GIT_COMMIT: SHA,
    GIT_BRANCH: 'origin/main',
    GIT_URL: 'https://builder:gitpass-123@git.example.com/app.git',
  }));
  assert.deepEqual(ci, {
    system: 'jenkins',
    serverUrl: 'https://jenkins.example.com/',
    repositoryUrl: 'https://git.example.com/app.git',
    runId: '412',
    url: 'https://jenkins.example.com/job/app/412/',
    commit: SHA,
    ref: 'origin/main',
  });
});

test('a generic CI=true is "unknown"; no CI variables is no CI; GitHub wins over the generic flag', () => {
  assert.deepEqual(detectCi(env({ CI: 'true' })), { system: 'unknown' });
  assert.deepEqual(detectCi(env({ CI: '1' })), { system: 'unknown' });
  assert.equal(detectCi(env({ CI: 'false', HOME: '/root' })), undefined);
  assert.equal(detectCi(env({ GITHUB_ACTIONS: 'false' })), undefined);
  assert.equal(detectCi(env({ GITHUB_ACTIONS: 'true', CI: 'true' }))?.system, 'github-actions');
});

test('values of the wrong shape are dropped rather than published', () => {
  const ci = detectCi(env({
    GITHUB_ACTIONS: 'true',
    GITHUB_SERVER_URL: 'javascript:alert(1)',
    GITHUB_REPOSITORY: 'a/b/../../c',
    GITHUB_RUN_ID: '1; rm -rf /',
    GITHUB_SHA: 'HEAD',
    GITHUB_REF: 'refs/heads/has space',
    GITHUB_WORKFLOW_REF: 'x\ny',
  }));
  assert.deepEqual(ci, { system: 'github-actions' });
});

test('sanitizeUrl: only absolute URLs of the allowed schemes, userinfo gone, tokens in the path refused', () => {
  assert.equal(sanitizeUrl('https://u:p@h.example/a?q=1#f', ['https:']), 'https://h.example/a');
  assert.equal(sanitizeUrl('https://u:p@h.example/a?q=1#f', 'any', true), 'https://h.example/a?q=1');
  assert.equal(sanitizeUrl('ftp://h.example/a', ['https:']), undefined);
  assert.equal(sanitizeUrl('/relative/path', ['https:']), undefined);
  assert.equal(sanitizeUrl(`https://h.example/hooks/ghp_${'Z9'.repeat(18)}`, ['https:']), undefined);
  assert.equal(sanitizeUrl('https://h.example/?api_key=abcdef', 'any', true), undefined);
});
