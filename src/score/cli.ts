import fs from 'node:fs';
import path from 'node:path';
import type { Config } from '../config/index.ts';
import { CaselensError, ConfigError, exitCodes, UsageError } from '../errors.ts';
import { findFramework, loadFrameworks, type Framework } from '../frameworks/index.ts';
import { Db } from '../store/index.ts';
import { citationValidity, LEVELS, scoreSets, SDOH_LABEL_TO_DOMAIN, storedPredictions, type EvalReport, type Prediction } from './eval.ts';
import { createOfflineScorer } from './offline.ts';
import type { Pricing, Scorer } from './types.ts';

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
  /** for a dry run: estimated requests and prompt tokens for one note's text */
  estimate?: (text: string) => { requests: number; promptTokens: number };
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
    estimate: (text: string) => estimateRequest(framework, text),
    llm: { ...(baseURL ? { baseURL } : {}), apiKey, model, timeoutMs: o.timeoutMs, maxRetries: o.maxRetries },
  };
}

export interface SdohEval {
  sentences: number;
  mapping: Record<string, string>;
  reports: EvalReport[];
}

/**
 * The public SDOH sentences (text,label,adverse): each sentence is a unit; its label, mapped to a
 * domain, is the gold; a prediction is any tag's domain. Adverse → concern for the polarity level.
 */
export async function evalSdoh(file: string, scorer: Scorer): Promise<SdohEval> {
  const db = await Db.open(':memory:');
  let rows: Array<{ text: string; label: string; adverse: string }>;
  try {
    rows = await db.all(`SELECT text, label, adverse FROM read_csv(${`'${file.replaceAll("'", "''")}'`}, header = true, all_varchar = true)`);
  } finally {
    db.close();
  }
  const gold: Prediction[] = [];
  const predicted: Prediction[] = [];
  for (const [i, r] of rows.entries()) {
    const domain = SDOH_LABEL_TO_DOMAIN[r.label.trim().toUpperCase()];
    if (domain) gold.push({ unit: String(i), domain, direction: r.adverse === 'adverse' ? 'concern' : 'strength', status: 'current' });
    const outcome = await scorer.scoreNote({ noteId: String(i), text: r.text, textSha256: '' });
    for (const t of outcome.tags) predicted.push({ unit: String(i), domain: t.domainId, direction: t.direction, status: t.status === 'negated' ? 'current' : t.status });
  }
  const domains = [...new Set(Object.values(SDOH_LABEL_TO_DOMAIN))];
  // Only the mapped domains are judged: the sentences carry one label each, so a second, true
  // domain in a sentence (say transport in a housing sentence) would otherwise count as wrong.
  const inScope = predicted.filter((p) => domains.includes(p.domain));
  return {
    sentences: rows.length,
    mapping: SDOH_LABEL_TO_DOMAIN,
    reports: [
      scoreSets(gold, inScope, LEVELS.domain.key, domains, 'domain', rows.length),
      scoreSets(gold, inScope, LEVELS.polarity.key, domains, 'polarity', rows.length),
    ],
  };
}

/** The caselens truth file (note_key, domain, direction, status, evidence) against stored tags. */
export async function evalTruth(db: Db, file: string, system: string, scorer: Scorer, framework: Framework) {
  const gold = await db.all<Prediction>(
    `SELECT $2 || ':' || note_key AS unit, domain, direction, status FROM read_csv($1, header = true, all_varchar = true)`, [path.resolve(file), system],
  );
  const { predictions, units } = await storedPredictions(db, scorer, framework, `${system}:`);
  if (units.length === 0) throw new CaselensError(`no notes of system "${system}" have been scored by ${scorer.kind} (${scorer.promptVersion}); run caselens score first`, { exitCode: exitCodes.usage });
  const scored = new Set(units);
  const g = gold.filter((x) => scored.has(x.unit));
  const domains = framework.domains.map((d) => d.id);
  const validity = await citationValidity(db, `${system}:`);
  return {
    notes: units.length,
    goldRows: g.length,
    reports: (['domain', 'polarity', 'full'] as const).map((level) => scoreSets(g, predictions, LEVELS[level].key, domains, level, units.length)),
    citations: validity,
  };
}

export function goldKind(file: string): 'sdoh' | 'truth' {
  const head = fs.readFileSync(file, 'utf8').slice(0, 200).split('\n')[0]!.toLowerCase();
  return head.startsWith('text,label') ? 'sdoh' : 'truth';
}
