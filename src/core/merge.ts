// `mode: merge`: the findings files of the shards of one run (`shard: i/n`) → one ReviewResult.
// Pure: reading the files and publishing are src/core/pipeline/merge.ts.
//
// - Findings: every shard's own findings (never those it set aside as `out-of-shard`), deduped
//   by fingerprint (a finding no shard owns — an unchanged file, no path — may come from several).
// - One verdict: "patch is incorrect" if any shard says so, "patch is correct" if all do; the
//   explanations, each under its shard's name; the lowest confidence.
// - Usage summed; Codex's time is the slowest shard's (they run side by side).
// - A shard that is missing or failed makes the result incomplete, by name: the publishing path
//   then writes no SARIF or Code Quality report and leaves a tracking issue as it was, because a
//   report without that shard's findings would mark them fixed.
import { z } from 'zod';
import type { ReviewTarget } from './codex/argv.js';
import type { CodexUsage } from './codex/events.js';
import { ConfigurationError } from './errors.js';
import { compareFindings, type Finding } from './review/finding.js';
import { countBlocking } from './review/gate.js';
import type { ReviewResult } from './review/result.js';
import type { ReviewSource } from './review/review-output.js';
import type { FailOn } from './settings.js';

const nullableString = z.string().nullable();
const nullableNumber = z.number().nullable();

const FindingRecord = z.object({
  title: z.string(),
  body: z.string(),
  priority: nullableNumber,
  confidence: nullableNumber,
  path: nullableString,
  startLine: nullableNumber,
  endLine: nullableNumber,
  inRepo: z.boolean(),
  fingerprint: z.string().min(1),
  placement: z.string(),
});

const Usage = z.object({
  input_tokens: z.number(),
  cached_input_tokens: z.number(),
  output_tokens: z.number(),
  reasoning_output_tokens: z.number(),
});

/** The parts of a findings file (src/core/report/findings-file.ts) the merge reads. */
export const ShardFileSchema = z.looseObject({
  version: z.literal(1),
  mode: z.enum(['review', 'exec']),
  shard: z
    .object({
      index: z.number().int().min(1),
      total: z.number().int().min(1),
      status: z.enum(['completed', 'failed']),
      reason: nullableString,
      files: nullableNumber,
    })
    .refine((s) => s.index <= s.total, { message: 'index must be at most total' })
    .nullable(),
  headSha: nullableString,
  target: z.unknown().optional(),
  verdict: z
    .object({
      correctness: nullableString,
      explanation: nullableString,
      confidence: nullableNumber,
    })
    .optional(),
  source: z.enum(['session-file', 'rendered-text', 'exec-json', 'none']).optional(),
  incomplete: nullableString.optional(),
  findings: z.array(FindingRecord),
  usage: Usage.nullable(),
  codex: z
    .object({ version: z.string(), durationMs: z.number(), fromCache: z.boolean() })
    .optional(),
  structured: z.unknown().optional(),
  finalMessage: z.string().optional(),
});

export type ShardFile = z.infer<typeof ShardFileSchema>;

export interface ShardDocument {
  /** Where it was read from (for messages). */
  file: string;
  doc: ShardFile;
}

export interface ShardStatus {
  index: number;
  total: number;
  /** `missing`: no findings file of this shard matched `merge-from`. */
  status: 'completed' | 'failed' | 'missing';
  reason: string | undefined;
  file: string | undefined;
  findings: number;
  outOfShard: number;
}

export interface MergedShards {
  result: ReviewResult;
  shards: ShardStatus[];
  /** Why the merged result is incomplete (missing or failed shards), by name; else undefined. */
  incomplete: string | undefined;
}

/** Validate one parsed findings file; the error names the file and the key. */
export function readShardFile(file: string, json: unknown): ShardDocument {
  const parsed = ShardFileSchema.safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues
      .slice(0, 5)
      .map((i) => `\`${i.path.join('.') || '(root)'}\`: ${i.message}`)
      .join('; ');
    throw new ConfigurationError(
      `${file} is not a codex-review findings file this version can merge: ${problems}.`,
    );
  }
  if (!parsed.data.shard) {
    throw new ConfigurationError(
      `${file} was not written by a sharded job (its \`shard\` is null): run the jobs with \`shard: i/n\`, or point \`merge-from\` at their findings files only.`,
    );
  }
  return { file, doc: parsed.data };
}

const shardName = (index: number, total: number) => `shard ${index}/${total}`;

export function combineShards(docs: ShardDocument[], options: { failOn: FailOn }): MergedShards {
  if (docs.length === 0) throw new ConfigurationError('No findings files to merge.');
  const total = docs[0]!.doc.shard!.total;
  const byIndex = new Map<number, ShardDocument>();
  for (const d of docs) {
    const s = d.doc.shard!;
    if (s.total !== total) {
      throw new ConfigurationError(
        `The findings files are not from one sharded run: ${docs[0]!.file} is ${shardName(docs[0]!.doc.shard!.index, total)}, ` +
          `${d.file} is ${shardName(s.index, s.total)}. Point \`merge-from\` at one run's files.`,
      );
    }
    const twin = byIndex.get(s.index);
    if (twin) {
      throw new ConfigurationError(
        `Two findings files for ${shardName(s.index, total)}: ${twin.file} and ${d.file}. Point \`merge-from\` at one run's files.`,
      );
    }
    byIndex.set(s.index, d);
  }
  const mode = docs[0]!.doc.mode;
  for (const d of docs) {
    if (d.doc.mode !== mode) {
      throw new ConfigurationError(
        `The shards ran in different modes: ${docs[0]!.file} is "${mode}", ${d.file} is "${d.doc.mode}".`,
      );
    }
  }
  const shas = new Map<string, string>();
  for (const d of docs) if (d.doc.headSha) shas.set(d.doc.headSha, d.file);
  if (shas.size > 1) {
    throw new ConfigurationError(
      `The shards reviewed different commits: ${[...shas].map(([sha, file]) => `${sha.slice(0, 12)} (${file})`).join(', ')}. ` +
        'Merge the shards of one run, all on the same commit.',
    );
  }

  const shards: ShardStatus[] = [];
  const present: ShardDocument[] = [];
  for (let index = 1; index <= total; index++) {
    const d = byIndex.get(index);
    if (!d) {
      shards.push({
        index,
        total,
        status: 'missing',
        reason: 'no findings file of this shard matched `merge-from`',
        file: undefined,
        findings: 0,
        outOfShard: 0,
      });
      continue;
    }
    present.push(d);
    const s = d.doc.shard!;
    shards.push({
      index,
      total,
      status: s.status,
      reason: s.reason ?? undefined,
      file: d.file,
      findings: d.doc.findings.filter((f) => f.placement !== 'out-of-shard').length,
      outOfShard: d.doc.findings.filter((f) => f.placement === 'out-of-shard').length,
    });
  }

  const unfinished = shards.filter((s) => s.status !== 'completed');
  const incomplete =
    unfinished.length === 0
      ? undefined
      : `The merged result is incomplete: ${unfinished
          .map((s) =>
            s.status === 'missing'
              ? `${shardName(s.index, s.total)} is missing (${s.reason})`
              : `${shardName(s.index, s.total)} failed (${s.reason ?? 'no reason given'})`,
          )
          .join('; ')}.`;

  const findings = new Map<string, Finding>();
  for (const d of present) {
    for (const record of d.doc.findings) {
      if (record.placement === 'out-of-shard' || findings.has(record.fingerprint)) continue;
      findings.set(record.fingerprint, {
        title: record.title,
        body: record.body,
        priority: record.priority,
        confidence: record.confidence,
        path: record.path,
        startLine: record.startLine,
        endLine: record.endLine,
        inRepo: record.inRepo,
        fingerprint: record.fingerprint,
      });
    }
  }
  const merged = [...findings.values()].sort(compareFindings);

  const completed = present.filter((d) => d.doc.shard!.status === 'completed');
  const structured = present
    .filter((d) => d.doc.structured !== undefined && d.doc.structured !== null)
    .map((d) => ({ shard: `${d.doc.shard!.index}/${total}`, result: d.doc.structured }));
  const findingsShaped = structured.every(
    (s) =>
      typeof s.result === 'object' &&
      s.result !== null &&
      Array.isArray((s.result as { findings?: unknown }).findings),
  );
  const first = present[0];
  const result: ReviewResult = {
    mode,
    target: (first?.doc.target ?? undefined) as ReviewTarget | undefined,
    headSha: first?.doc.headSha ?? undefined,
    threadId: undefined,
    finalMessage: present
      .filter((d) => d.doc.finalMessage)
      .map((d) => `Shard ${d.doc.shard!.index}/${total}:\n${d.doc.finalMessage}`)
      .join('\n\n'),
    findings: merged,
    verdict: verdictOf(completed, total),
    structured: structured.length > 0 ? structured : undefined,
    source: (first?.doc.source ?? 'none') as ReviewSource,
    incomplete,
    usage: sumUsage(present.map((d) => d.doc.usage)),
    blockingCount: countBlocking(merged, options.failOn),
    codex: {
      version: first?.doc.codex?.version ?? '',
      durationMs: Math.max(0, ...present.map((d) => d.doc.codex?.durationMs ?? 0)),
      fromCache: present.every((d) => d.doc.codex?.fromCache ?? true),
    },
    exec:
      mode === 'exec'
        ? {
            schema: findingsShaped ? 'built-in' : 'custom',
            replyErrors: [],
            findingsShaped,
          }
        : undefined,
  };
  return { result, shards, incomplete };
}

function verdictOf(completed: ShardDocument[], total: number): ReviewResult['verdict'] {
  const verdicts = completed.map((d) => d.doc.verdict).filter((v) => v !== undefined);
  const correctness = verdicts.map((v) => v.correctness).filter((c): c is string => !!c);
  const confidences = verdicts.map((v) => v.confidence).filter((c): c is number => c !== null);
  const explanations = completed
    .filter((d) => d.doc.verdict?.explanation)
    .map((d) => `Shard ${d.doc.shard!.index}/${total}: ${d.doc.verdict!.explanation}`);
  return {
    correctness:
      correctness.find((c) => c === 'patch is incorrect') ??
      (correctness.length > 0 && correctness.every((c) => c === 'patch is correct')
        ? 'patch is correct'
        : (correctness[0] ?? null)),
    explanation: explanations.length > 0 ? explanations.join('\n\n') : null,
    confidence: confidences.length > 0 ? Math.min(...confidences) : null,
  };
}

function sumUsage(usages: Array<CodexUsage | null>): CodexUsage {
  const sum: CodexUsage = {
    input_tokens: 0,
    cached_input_tokens: 0,
    output_tokens: 0,
    reasoning_output_tokens: 0,
  };
  for (const u of usages) {
    if (!u) continue;
    sum.input_tokens += u.input_tokens;
    sum.cached_input_tokens += u.cached_input_tokens;
    sum.output_tokens += u.output_tokens;
    sum.reasoning_output_tokens += u.reasoning_output_tokens;
  }
  return sum;
}
