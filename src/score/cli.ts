import path from 'node:path';
import type { Config } from '../config/index.ts';
import { CaselensError, ConfigError, exitCodes, UsageError } from '../errors.ts';
import { findFramework, loadFrameworks, type Framework } from '../frameworks/index.ts';
import { Db } from '../store/index.ts';
import {
  citationValidity, findColumn, LEVELS, parseSdohGold, parseTruthGold, readGoldCsv, scoreSdoh, scoreSets, SDOH_DEFAULT_COLUMNS, SDOH_LABEL_TO_DOMAIN, storedPredictions, TRUTH_COLUMNS,
  type EvalReport, type Prediction, type RowProblem, type SdohColumnNames, type SdohColumns, type SdohScores,
} from './eval.ts';
import { createOfflineScorer } from './offline.ts';
import type { NoteInput, Pricing, Scorer } from './types.ts';
import type { Verifier } from './verify.ts';

/** Loads the framework a command names (or the configured one), failing with the problems found. */
export function resolveFramework(config: Config, id?: string): Framework {
  const { frameworks, problems } = loadFrameworks(config.paths.frameworks);
  const wanted = id ?? config.scoring.framework;
  const found = findFramework(frameworks, wanted);
  if (!found) {
    if (problems.length) throw new ConfigError(problems.map((p) => ({ file: p.file, path: p.path, message: p.message })));
    throw new UsageError(`no framework "${wanted}" in ${config.paths.frameworks}; available: ${frameworks.map((f) => f.framework.id).join(', ') || 'none'}`);
  }
  return found.framework;
}

export interface ScorerChoice {
  scorer: Scorer;
  concurrency: number;
  pricing?: Pricing;
  /** for a dry run: requests and prompt tokens one note would take, its messages built as they would be sent */
  estimate?: (note: Pick<NoteInput, 'text' | 'writtenAt' | 'noteType' | 'pii'>) => Promise<{ requests: number; promptTokens: number }>;
  /** the endpoint, for other LLM work such as written case summaries */
  llm?: { baseURL?: string; apiKey: string; model: string; timeoutMs: number; maxRetries: number };
}

/**
 * The configured scorer. The offline scorer is the default whenever no provider is configured;
 * an OpenAI-compatible provider needs a model and, for hosted services, a key.
 */
export async function chooseScorer(config: Config, framework: Framework, flags: { provider?: string; model?: string; concurrency?: number; baseURL?: string }): Promise<ScorerChoice> {
  const provider = flags.provider ?? (process.env.CASELENS_LLM_BASE_URL || process.env.CASELENS_LLM_MODEL ? 'openai' : config.scoring.provider);
  if (provider === 'offline') return { scorer: createOfflineScorer(framework), concurrency: 1 };
  if (provider !== 'openai') throw new UsageError(`--provider must be offline or openai, got "${provider}"`);
  const o = config.scoring.openai;
  const baseURL = flags.baseURL ?? process.env.CASELENS_LLM_BASE_URL ?? o.baseURL;
  const apiKey = process.env.CASELENS_LLM_API_KEY ?? o.apiKey ?? process.env.OPENAI_API_KEY ?? (baseURL ? 'not-needed' : undefined);
  if (!apiKey) throw new CaselensError('the openai provider needs an API key: set CASELENS_LLM_API_KEY (or scoring.openai.apiKey), or a local endpoint with --base-url', { exitCode: exitCodes.invalidConfig });
  const model = flags.model ?? process.env.CASELENS_LLM_MODEL ?? o.model;
  const { createLlmScorer, estimateRequest } = await import('./llm.ts');
  const scorer = createLlmScorer({
    framework, model, apiKey, timeoutMs: o.timeoutMs, maxRetries: o.maxRetries,
    ...(baseURL ? { baseURL } : {}), ...(o.pricing ? { pricing: o.pricing } : {}),
  });
  return {
    scorer,
    concurrency: flags.concurrency ?? o.concurrency,
    ...(o.pricing ? { pricing: o.pricing } : {}),
    estimate: (note) => estimateRequest(framework, note),
    llm: { ...(baseURL ? { baseURL } : {}), apiKey, model, timeoutMs: o.timeoutMs, maxRetries: o.maxRetries },
  };
}

export interface SdohEval {
  file: string;
  columns: SdohColumns;
  /** data rows in the file */
  rows: number;
  /** sentences scored: the rows without a problem */
  sentences: number;
  labels: number;
  negatives: number;
  byLabel: Record<string, number>;
  /** rows left out, with file, line and value */
  problems: RowProblem[];
  mapping: Record<string, string>;
  /** all judged rows */
  reports: EvalReport[];
  /** the odd rows (used while tuning) and the even rows (held out) */
  halves: SdohScores['halves'];
}

/**
 * Labelled sentences (text, label, adverse; other column names by option): each judged row is
 * a unit; its labels, mapped to domains, are the gold; a prediction is any tag's domain.
 * Adverse → concern, nonadverse → strength for the polarity level.
 */
export async function evalSdoh(file: string, scorer: Scorer, columns: SdohColumnNames = {}, verifier?: Verifier): Promise<SdohEval> {
  const gold = parseSdohGold(await readGoldCsv(file), columns);
  const predicted: Prediction[] = [];
  for (const u of gold.units) {
    const outcome = await scorer.scoreNote({ noteId: u.unit, text: u.text, textSha256: '' });
    // judged as stored: after the verifier, as runScoring does
    const tags = verifier ? (await verifier.verifyNote(u.text, outcome.tags)).tags : outcome.tags;
    for (const t of tags) {
      // a denied problem ("denies any trouble getting to appointments") is a non-adverse mention of the domain
      const denied = t.status === 'negated' && (t.direction === 'concern' || t.direction === 'deterioration');
      predicted.push({ unit: u.unit, domain: t.domainId, direction: denied ? 'strength' : t.direction, status: t.status === 'negated' ? 'current' : t.status });
    }
  }
  const scores = scoreSdoh(gold, predicted);
  return {
    file: gold.file, columns: gold.columns, rows: gold.rows, sentences: gold.units.length, labels: gold.labels, negatives: gold.negatives,
    byLabel: gold.byLabel, problems: gold.problems, mapping: SDOH_LABEL_TO_DOMAIN, reports: scores.reports, halves: scores.halves,
  };
}

/** The caselens truth file (note_key, domain, direction, status, evidence) against stored tags. */
export async function evalTruth(db: Db, file: string, system: string, scorer: Scorer, framework: Framework) {
  const domains = framework.domains.map((d) => d.id);
  const gold = parseTruthGold(await readGoldCsv(path.resolve(file)), system, domains);
  const { predictions, units } = await storedPredictions(db, scorer, framework, `${system}:`);
  if (units.length === 0) throw new CaselensError(`no notes of system "${system}" have been scored by ${scorer.kind} (${scorer.promptVersion}); run caselens score first`, { exitCode: exitCodes.usage });
  const scored = new Set(units);
  const g = gold.filter((x) => scored.has(x.unit));
  const validity = await citationValidity(db, `${system}:`);
  return {
    notes: units.length,
    goldRows: g.length,
    reports: (['domain', 'polarity', 'full'] as const).map((level) => scoreSets(g, predictions, LEVELS[level].key, domains, level, units.length)),
    citations: validity,
  };
}

/**
 * Which kind of gold a file is, from its columns (read by DuckDB): labelled sentences when it has
 * a label column (or any column option is given), planted truth when it has note_key and domain.
 */
export async function goldKind(file: string, columns: SdohColumnNames = {}): Promise<'sdoh' | 'truth'> {
  const { columns: found } = await readGoldCsv(file, { headerOnly: true });
  if (Object.values(columns).some((c) => c !== undefined) || findColumn(found, columns.label ?? SDOH_DEFAULT_COLUMNS.label)) return 'sdoh';
  if (findColumn(found, 'note_key') && findColumn(found, 'domain')) return 'truth';
  throw new UsageError(
    `${file}: not a gold file caselens can read: no "${SDOH_DEFAULT_COLUMNS.label}" column (labelled sentences: text,label[,adverse]; another name with --label-column NAME) ` +
    `and no note_key and domain columns (planted truth: ${TRUTH_COLUMNS.join(', ')}); columns found: ${found.map((c) => JSON.stringify(c)).join(', ')}`,
  );
}
