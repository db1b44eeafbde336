import type { Db } from '../store/index.ts';
import type { Direction, Scorer, TagStatus } from './types.ts';

export interface Prediction {
  unit: string;
  domain: string;
  direction?: Direction;
  status?: TagStatus;
}

export interface DomainScore {
  domain: string;
  tp: number;
  fp: number;
  fn: number;
  precision: number;
  recall: number;
  f1: number;
  support: number;
}

export interface EvalReport {
  /** what a match means at this level */
  level: string;
  units: number;
  perDomain: DomainScore[];
  macroF1: number;
  microF1: number;
}

const safe = (a: number, b: number) => (b === 0 ? 0 : a / b);

/**
 * Precision, recall and F1 per domain over a set of units (notes or sentences). `key` decides
 * what must agree for a prediction to count: the domain alone, or also direction and status.
 * Every unit without gold rows is a true negative, so admin notes with no tags count in favour.
 */
export function scoreSets(gold: Prediction[], predicted: Prediction[], key: (p: Prediction) => string, domains: string[], level: string, units: number): EvalReport {
  const goldSet = new Set(gold.map((g) => `${g.unit}\u001f${key(g)}`));
  const predSet = new Set(predicted.map((p) => `${p.unit}\u001f${key(p)}`));
  const domainOf = (k: string) => k.split('\u001f')[1]!.split('|')[0]!;
  const perDomain: DomainScore[] = domains.map((domain) => {
    let tp = 0, fp = 0, fn = 0, support = 0;
    for (const k of goldSet) if (domainOf(k) === domain) { support++; if (predSet.has(k)) tp++; else fn++; }
    for (const k of predSet) if (domainOf(k) === domain && !goldSet.has(k)) fp++;
    const precision = safe(tp, tp + fp);
    const recall = safe(tp, tp + fn);
    return { domain, tp, fp, fn, support, precision, recall, f1: safe(2 * precision * recall, precision + recall) };
  });
  const withSupport = perDomain.filter((d) => d.support > 0);
  const tp = perDomain.reduce((a, d) => a + d.tp, 0);
  const fp = perDomain.reduce((a, d) => a + d.fp, 0);
  const fn = perDomain.reduce((a, d) => a + d.fn, 0);
  const p = safe(tp, tp + fp);
  const r = safe(tp, tp + fn);
  return {
    level, units, perDomain,
    macroF1: safe(withSupport.reduce((a, d) => a + d.f1, 0), withSupport.length),
    microF1: safe(2 * p * r, p + r),
  };
}

export const LEVELS = {
  domain: { key: (p: Prediction) => p.domain, describe: 'the note has evidence for the domain' },
  polarity: {
    key: (p: Prediction) => `${p.domain}|${p.status === 'negated' ? 'negated' : p.direction === 'strength' || p.direction === 'improvement' ? 'positive' : 'concern'}`,
    describe: 'domain and polarity agree (positive = strength/improvement, concern = concern/deterioration, or negated)',
  },
  full: { key: (p: Prediction) => `${p.domain}|${p.direction}|${p.status}`, describe: 'domain, direction and status all agree' },
} as const;

/** Predictions stored for one scoring configuration, on the current text of each note. */
export async function storedPredictions(db: Db, scorer: Pick<Scorer, 'kind' | 'model' | 'promptVersion'>, framework: { id: string; version: string }, noteIdPrefix = ''): Promise<{ predictions: Prediction[]; units: string[] }> {
  const params = [framework.id, framework.version, scorer.kind, scorer.model, scorer.promptVersion, `${noteIdPrefix}%`];
  const units = (await db.all<{ note_id: string }>(
    `SELECT s.note_id FROM note_scores s JOIN notes n ON n.note_id = s.note_id AND n.text_sha256 = s.text_sha256
     WHERE s.framework_id = $1 AND s.framework_version = $2 AND s.scorer = $3 AND s.model = $4 AND s.prompt_version = $5 AND s.status = 'ok' AND s.note_id LIKE $6`, params,
  )).map((r) => r.note_id);
  const predictions = await db.all<Prediction>(
    `SELECT t.note_id AS unit, t.domain_id AS domain, t.direction, t.status FROM note_tags t JOIN notes n ON n.note_id = t.note_id AND n.text_sha256 = t.text_sha256
     WHERE t.framework_id = $1 AND t.framework_version = $2 AND t.scorer = $3 AND t.model = $4 AND t.prompt_version = $5 AND t.note_id LIKE $6`, params,
  );
  return { predictions, units };
}

/** Re-checks every stored citation against the note text, in JavaScript (UTF-16 offsets). */
export async function citationValidity(db: Db, noteIdPrefix = ''): Promise<{ citations: number; exact: number; byMatch: Record<string, number> }> {
  const rows = await db.all<{ text: string; start_offset: number; end_offset: number; quote: string; match: string }>(
    `SELECT n.text, c.start_offset, c.end_offset, c.quote, c.match FROM tag_citations c JOIN notes n USING (note_id) WHERE c.note_id LIKE $1`, [`${noteIdPrefix}%`],
  );
  const byMatch: Record<string, number> = {};
  let exact = 0;
  for (const r of rows) {
    byMatch[r.match] = (byMatch[r.match] ?? 0) + 1;
    if (r.text.slice(r.start_offset, r.end_offset) === r.quote) exact++;
  }
  return { citations: rows.length, exact, byMatch };
}

/** The public SDOH sentences' labels, mapped to the self-sufficiency domains (documented in README). */
export const SDOH_LABEL_TO_DOMAIN: Record<string, string> = {
  HOUSING: 'housing',
  TRANSPORTATION: 'transport',
  EMPLOYMENT: 'employment',
  SUPPORT: 'family_social',
  RELATIONSHIP: 'family_social',
  PARENT: 'parenting',
};
