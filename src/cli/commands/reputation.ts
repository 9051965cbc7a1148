// `provenant reputation add | show`: provider reputation events signed and appended to the log, and a provider's
// score with one line per event (docs/reputation.md). Both work on the embedded log (--data) or a service (--server).
import type { Command } from 'commander';
import { ProvenantError } from '../../core/errors.js';
import { isUtcTimestamp } from '../../log/entries/strict-object.js';
import {
  DEFAULT_HALF_LIFE_DAYS,
  parseReputationEvent,
  proposeReputationEvent,
  REPUTATION_EVENT_TYPES,
  ReputationBook,
  reputationJson,
  SEVERITIES,
  type ProviderReputation,
  type ReputationEventType,
} from '../../reputation/index.js';
import { appendVerified } from '../append-entry.js';
import { addLogOptions, withLog, type LogOptions } from '../log-session.js';
import { collect, loadSignerFile, loadVerifierFiles } from '../options.js';
import { printJson, type Io } from '../run.js';

/** Options of `add` that fill a field of the event, by the event types they belong to. */
const FIELD_OPTIONS = {
  vulnerability: { field: 'vulnerability', types: ['vulnerability'] },
  severity: { field: 'severity', types: ['vulnerability', 'incident'] },
  publishedAt: { field: 'publishedAt', types: ['vulnerability'], date: true },
  fixedAt: { field: 'fixedAt', types: ['vulnerability'], date: true },
  image: { field: 'image', types: ['vulnerability'] },
  auditor: { field: 'auditor', types: ['audit'] },
  result: { field: 'result', types: ['audit'] },
  record: { field: 'record', types: ['audit'] },
  title: { field: 'title', types: ['incident'] },
  rating: { field: 'rating', types: ['feedback'], integer: true },
  name: { field: 'name', types: ['certification'] },
  issuer: { field: 'issuer', types: ['certification'] },
  expiresAt: { field: 'expiresAt', types: ['certification'], date: true },
} as const satisfies Record<string, { field: string; types: readonly ReputationEventType[]; date?: true; integer?: true }>;

type FieldOption = keyof typeof FIELD_OPTIONS;

interface AddOptions extends LogOptions, Partial<Record<FieldOption, string>> {
  provider: string;
  type: string;
  reporter: string;
  occurredAt?: string;
  note?: string;
  key: string;
  json?: boolean;
}

interface ShowOptions extends LogOptions {
  at?: string;
  halfLife?: string;
  trustKey?: string[];
  json?: boolean;
}

export function installReputation(program: Command, io: Io): void {
  const reputation = program.command('reputation').description('provider reputation: signed events in the log, and scores explained by them');

  addLogOptions(
    reputation
      .command('add')
      .description('sign a reputation event about a provider and append it to the log')
      .requiredOption('--provider <id>', 'a registry namespace (registry.example.com/acme), key:sha256:<hex> or identity:<issuer>#<subject>')
      .requiredOption('--type <type>', REPUTATION_EVENT_TYPES.join(', '))
      .requiredOption('--reporter <id>', 'who reports the event')
      .option('--occurred-at <date>', 'when it happened (RFC 3339 UTC or YYYY-MM-DD; default now)')
      .option('--note <text>', 'a note kept in the event')
      .option('--vulnerability <id>', 'vulnerability: its OSV, CVE or GHSA id')
      .option('--severity <level>', `vulnerability, incident: ${SEVERITIES.join(', ')}`)
      .option('--published-at <date>', 'vulnerability: when it was disclosed')
      .option('--fixed-at <date>', 'vulnerability: when the provider shipped the fix')
      .option('--image <ref>', 'vulnerability: the affected image')
      .option('--auditor <id>', 'audit: who audited')
      .option('--result <result>', 'audit: pass or fail')
      .option('--record <digest>', 'audit: entry digest of the audited record')
      .option('--title <text>', 'incident: what happened')
      .option('--rating <n>', 'feedback: 1 to 5')
      .option('--name <name>', 'certification: its name')
      .option('--issuer <id>', 'certification: who issued it')
      .option('--expires-at <date>', 'certification: when it lapses')
      .requiredOption('--key <file>', "the reporter's private key")
      .option('--json', 'print JSON'),
  ).action(async (opts: AddOptions) => {
    const event = parseReputationEvent(eventFromOptions(opts));
    const signer = await loadSignerFile(opts.key, io);
    const proposal = await proposeReputationEvent(event, signer);
    await withLog(opts, io, { mode: 'write' }, async ({ log }) => {
      const result = await appendVerified(log, proposal);
      const out = { index: result.index.toString(), entryDigest: result.entryDigest, provider: event.provider, type: event.type, signer: signer.keyId, duplicate: result.duplicate };
      if (opts.json === true) printJson(io, out);
      else io.stdout.write(`${out.type} event about ${out.provider} appended\nindex:        ${out.index}\nentry digest: ${out.entryDigest}\nsigner:       ${out.signer}\n`);
    });
  });

  addLogOptions(
    reputation
      .command('show')
      .description("a provider's score and the events behind it, each line its contribution")
      .argument('<provider>', 'the provider')
      .option('--at <date>', 'score as of this instant (RFC 3339 UTC or YYYY-MM-DD; default now)')
      .option('--half-life <days>', 'days after which an event weighs half', String(DEFAULT_HALF_LIFE_DAYS))
      .option('--trust-key <pem>', 'public key whose events count (repeatable); events of other keys are listed as ignored', collect)
      .option('--json', 'print JSON'),
  ).action(async (provider: string, opts: ShowOptions) => {
    const at = opts.at === undefined ? new Date() : cliDate(opts.at, '--at');
    const halfLifeDays = parseHalfLife(opts.halfLife ?? String(DEFAULT_HALF_LIFE_DAYS));
    const trustedSigners = opts.trustKey === undefined ? [] : (await loadVerifierFiles(opts.trustKey)).map((v) => v.keyId);
    if (trustedSigners.length === 0) io.stderr.write('warning: no --trust-key given; no event counts, every one is listed as ignored\n');
    await withLog(opts, io, { mode: 'read' }, async ({ log }) => {
      const rep = await new ReputationBook(log, { trustedSigners }).score(provider, { at, halfLifeDays });
      if (opts.json === true) printJson(io, { ...reputationJson(rep), trustedSigners });
      else io.stdout.write(table(rep));
    });
  });
}

function eventFromOptions(opts: AddOptions): Record<string, unknown> {
  if (!(REPUTATION_EVENT_TYPES as readonly string[]).includes(opts.type)) throw new ProvenantError('USAGE', `--type must be one of ${REPUTATION_EVENT_TYPES.join(', ')}`);
  const type = opts.type as ReputationEventType;
  const event: Record<string, unknown> = {
    provider: opts.provider,
    type,
    occurredAt: opts.occurredAt === undefined ? new Date().toISOString() : cliDate(opts.occurredAt, '--occurred-at'),
    reporter: opts.reporter,
    ...(opts.note === undefined ? {} : { note: opts.note }),
  };
  for (const [option, spec] of Object.entries(FIELD_OPTIONS) as [FieldOption, (typeof FIELD_OPTIONS)[FieldOption]][]) {
    const value = opts[option];
    if (value === undefined) continue;
    const flag = `--${option.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
    if (!(spec.types as readonly string[]).includes(type)) throw new ProvenantError('USAGE', `${flag} does not apply to a ${type} event`);
    // Values are passed on as typed; the event reader refuses what is out of range with its own code.
    event[spec.field] = 'date' in spec ? cliDate(value, flag) : 'integer' in spec && /^[0-9]{1,3}$/.test(value) ? Number(value) : value;
  }
  return event;
}

/** RFC 3339 UTC as given, or a calendar date meaning its midnight UTC. Errors: USAGE. */
function cliDate(value: string, flag: string): string {
  const text = /^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00Z` : value;
  if (!isUtcTimestamp(text)) throw new ProvenantError('USAGE', `${flag} must be an RFC 3339 UTC timestamp or YYYY-MM-DD, not ${JSON.stringify(value)}`);
  return text;
}

function parseHalfLife(value: string): number {
  const n = /^[0-9]+(\.[0-9]+)?$/.test(value) ? Number(value) : NaN;
  if (!(n > 0)) throw new ProvenantError('USAGE', `--half-life must be a positive number of days, not ${JSON.stringify(value)}`);
  return n;
}

function table(rep: ProviderReputation): string {
  const num = (n: number): string => n.toFixed(3);
  const signed = (n: number): string => (n < 0 ? '' : '+') + n.toFixed(3);
  const rows = [['index', 'type', 'r', 's', 'weight', 'contribution', 'reason']];
  for (const e of rep.events) rows.push([e.logIndex.toString(), e.type, num(e.r), num(e.s), num(e.weight), signed(e.contribution), e.reason]);
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  const lines = [
    `provider: ${rep.provider}`,
    `score:    ${rep.score.toFixed(1)} of 100 at ${rep.at} (half-life ${rep.halfLifeDays} d)`,
    `evidence: R = ${num(rep.positive)} positive, S = ${num(rep.negative)} negative; score = 100 * (R + 1) / (R + S + 2)`,
    '',
    ...(rep.events.length === 0 ? ['no event counts'] : rows.map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  '))),
  ];
  if (rep.ignored.length > 0) {
    lines.push('', 'ignored:');
    for (const i of rep.ignored) lines.push(`${i.logIndex}  ${i.reason}`);
  }
  return `${lines.join('\n')}\n`;
}
