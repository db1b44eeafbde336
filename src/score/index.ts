export * from './types.ts';
export { alignQuote, type AlignOptions } from './align.ts';
export { segmentSentences, type Sentence } from './segment.ts';
export { redact, type Redacted } from './redact.ts';
export { createOfflineScorer, OFFLINE_MODEL, OFFLINE_PROMPT_VERSION } from './offline.ts';
export { runScoring, notesToScore, verifiedCitations, type ScoreRunOptions, type ScoreRunSummary } from './run.ts';
export { citationValidity, LEVELS, scoreSets, storedPredictions, SDOH_LABEL_TO_DOMAIN, type EvalReport, type Prediction } from './eval.ts';
export { summarizeCase, type CaseSummary, type DomainSummary } from './summary.ts';
