// CI detection from well-known variables. Only the documented, non-secret variables below are read, and each
// value must have the shape its field promises (numeric ids, hex commits, http(s) URLs) or it is dropped:
// URLs lose userinfo, query and fragment, so `https://user:pass@host` is recorded as `https://host/`.
// GitLab's CI_REPOSITORY_URL is deliberately not read: it embeds the job token.
import { scrubSecrets } from './secrets.js';

export type CiSystem = 'github-actions' | 'gitlab-ci' | 'jenkins' | 'unknown';

export type CiInfo = {
  system: CiSystem;
  /** Web address of the CI server (Jenkins). */
  serverUrl?: string;
  repositoryUrl?: string;
  runId?: string;
  runAttempt?: string;
  pipelineId?: string;
  jobId?: string;
  /** Web page of this run or job. */
  url?: string;
  commit?: string;
  ref?: string;
  workflowRef?: string;
};

export type Env = ReadonlyMap<string, string>;

const ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const COMMIT = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;
/** Git refuses spaces, control characters and ~^:?*[\ in ref names. */
const REF = /^[^\s\p{Cc}~^:?*[\\]{1,255}$/u;
const WORKFLOW_REF = /^[^\s\p{Cc}]{1,512}$/u;
const REPOSITORY = /^[A-Za-z0-9_.-]{1,100}\/[A-Za-z0-9_.-]{1,100}$/;

/** The CI system the build runs in, or undefined outside CI. */
export function detectCi(env: Env): CiInfo | undefined {
  if (env.get('GITHUB_ACTIONS') === 'true') return githubActions(env);
  if (env.get('GITLAB_CI') === 'true') return gitlabCi(env);
  if ((env.get('JENKINS_URL') ?? '') !== '') return jenkins(env);
  if (/^(?:true|1|yes)$/i.test(env.get('CI') ?? '')) return { system: 'unknown' };
  return undefined;
}

function githubActions(env: Env): CiInfo {
  const server = webUrl(env.get('GITHUB_SERVER_URL'));
  const repository = matching(env.get('GITHUB_REPOSITORY'), REPOSITORY);
  const runId = matching(env.get('GITHUB_RUN_ID'), ID);
  const runAttempt = matching(env.get('GITHUB_RUN_ATTEMPT'), ID);
  const repositoryUrl = server !== undefined && repository !== undefined ? webUrl(`${server.replace(/\/$/, '')}/${repository}`) : undefined;
  const runPath = runId === undefined ? undefined : `/actions/runs/${runId}${runAttempt === undefined ? '' : `/attempts/${runAttempt}`}`;
  return compact({
    system: 'github-actions',
    repositoryUrl,
    runId,
    runAttempt,
    url: repositoryUrl !== undefined && runPath !== undefined ? webUrl(`${repositoryUrl}${runPath}`) : undefined,
    commit: matching(env.get('GITHUB_SHA'), COMMIT),
    ref: matching(env.get('GITHUB_REF'), REF),
    workflowRef: matching(env.get('GITHUB_WORKFLOW_REF'), WORKFLOW_REF),
  });
}

function gitlabCi(env: Env): CiInfo {
  return compact({
    system: 'gitlab-ci',
    repositoryUrl: webUrl(env.get('CI_PROJECT_URL')),
    pipelineId: matching(env.get('CI_PIPELINE_ID'), ID),
    jobId: matching(env.get('CI_JOB_ID'), ID),
    url: webUrl(env.get('CI_JOB_URL')),
    commit: matching(env.get('CI_COMMIT_SHA'), COMMIT),
    ref: matching(env.get('CI_COMMIT_REF_NAME'), REF),
  });
}

function jenkins(env: Env): CiInfo {
  return compact({
    system: 'jenkins',
    serverUrl: webUrl(env.get('JENKINS_URL')),
    repositoryUrl: sanitizeUrl(env.get('GIT_URL'), ['http:', 'https:', 'ssh:', 'git:']),
    runId: matching(env.get('BUILD_ID'), ID),
    url: webUrl(env.get('BUILD_URL')),
    commit: matching(env.get('GIT_COMMIT'), COMMIT),
    ref: matching(env.get('GIT_BRANCH'), REF),
  });
}

/** The source a CI run builds: `git+<repository>@<ref>` and its commit, when the CI says so. */
export function ciSource(ci: CiInfo): { uri?: string; digest?: Record<string, string> } {
  const base = ci.repositoryUrl === undefined ? undefined : `git+${ci.repositoryUrl.replace(/\/$/, '')}`;
  return {
    ...(base === undefined ? {} : { uri: ci.ref === undefined ? base : `${base}@${ci.ref}` }),
    ...(ci.commit === undefined ? {} : { digest: { gitCommit: ci.commit } }),
  };
}

function webUrl(raw: string | undefined): string | undefined {
  return sanitizeUrl(raw, ['http:', 'https:']);
}

/**
 * An absolute URL with userinfo and fragment removed (and the query, unless kept), or undefined when `raw`
 * is not a URL of one of `schemes` (with a host) or still holds something credential-shaped once cleaned.
 */
export function sanitizeUrl(raw: string | undefined, schemes: readonly string[] | 'any', keepQuery = false): string | undefined {
  if (raw === undefined || raw.length > 2048) return undefined;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return undefined;
  }
  if (schemes !== 'any' && (!schemes.includes(url.protocol) || url.host === '')) return undefined;
  // Without a host there is no userinfo to strip, and an "@" in the path may be one the parser did not see.
  if (url.host === '' && url.href.includes('@')) return undefined;
  url.username = '';
  url.password = '';
  if (!keepQuery) url.search = '';
  url.hash = '';
  const out = url.href;
  return scrubSecrets(out) === out ? out : undefined;
}

function matching(value: string | undefined, shape: RegExp): string | undefined {
  return value !== undefined && shape.test(value) ? value : undefined;
}

/** Drops the fields that came out undefined, so none is serialised as null or missing-but-present. */
function compact(info: CiInfo): CiInfo {
  return Object.fromEntries(Object.entries(info).filter(([, v]) => v !== undefined)) as CiInfo;
}
