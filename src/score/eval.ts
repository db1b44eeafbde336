import fs from 'node:fs';
import { z } from 'zod';
import { CaselensError, errorMessage, exitCodes, UsageError } from '../errors.ts';
import { Db } from '../store/index.ts';
import { directionSchema, tagStatusSchema, type Direction, type Scorer, type TagStatus } from './types.ts';

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
  /** means over the domains that have gold items (a domain nobody labelled has no recall to average) */
  macro: { precision: number; recall: number; f1: number; domains: number };
  /** from the counts summed over all domains */
  micro: { tp: number; fp: number; fn: number; precision: number; recall: number; f1: number };
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
  const mean = (f: (d: DomainScore) => number) => safe(withSupport.reduce((a, d) => a + f(d), 0), withSupport.length);
  const macroF1 = mean((d) => d.f1);
  const microF1 = safe(2 * p * r, p + r);
  return {
    level, units, perDomain, macroF1, microF1,
    macro: { precision: mean((d) => d.precision), recall: mean((d) => d.recall), f1: macroF1, domains: withSupport.length },
    micro: { tp, fp, fn, precision: p, recall: r, f1: microF1 },
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

/** A sentence file's way of saying "this sentence has no SDOH evidence": a negative, not a missing label. */
export const SDOH_NO_LABEL = '<NO_SDOH>';
/** The `adverse` column's values and the direction each one stands for at the polarity level. */
export const SDOH_ADVERSE_TO_DIRECTION: Record<string, Direction> = { adverse: 'concern', nonadverse: 'strength' };

// -----------------------------------------------------------------------------------------------
// Gold files

/** One problem on one row of a gold file, in the form ingest rejects use: `file:line: column = "value": message`. */
export interface RowProblem {
  file: string;
  line: number;
  column: string;
  value: string;
  message: string;
}

export function formatRowProblem(p: RowProblem): string {
  return `${p.file}:${p.line}: ${p.column} = ${JSON.stringify(p.value)}: ${p.message}`;
}

export interface GoldRow {
  /** position among the data rows, from 1 (the first row after the header); decides odd and even halves */
  row: number;
  /** the physical line an editor shows, for messages */
  line: number;
  values: Record<string, string | null>;
}

export interface GoldCsv {
  file: string;
  columns: string[];
  rows: GoldRow[];
}

// Dialect pinned so that a ragged row is an error instead of the sniffer quietly choosing another
// header row or delimiter (it did both on test files), and so a sentence starting with # is data.
const GOLD_CSV = `header = true, all_varchar = true, delim = ',', quote = '"', escape = '"', skip = 0, comment = ''`;

function unreadable(file: string, why: string, details: string[] = []): CaselensError {
  // 4, not 5: the file is at fault, not the database
  return new CaselensError(`gold file ${file} ${why}`, { exitCode: exitCodes.rejected, status: 400, details });
}

/** The lines DuckDB could not read, from a second, forgiving read of a file the strict read refused. */
async function rejectedLines(db: Db, file: string): Promise<string[]> {
  try {
    await db.all(`SELECT * FROM read_csv($1, ${GOLD_CSV}, store_rejects = true, ignore_errors = true)`, [file]);
    const rows = await db.all<{ line: number; error_message: string; csv_line: string | null }>('SELECT line, error_message, csv_line FROM reject_errors ORDER BY line LIMIT 10');
    return rows.map((r) => `${file}:${r.line}: ${r.error_message.split('\n')[0]}${r.csv_line ? `: ${r.csv_line.slice(0, 200)}` : ''}`);
  } catch {
    return [];
  }
}

/**
 * A gold CSV read by DuckDB, every value as text. With `headerOnly`, just its columns. A file
 * DuckDB cannot read is an input error (exit 4), never a database error.
 */
export async function readGoldCsv(file: string, opts: { headerOnly?: boolean } = {}): Promise<GoldCsv> {
  let raw: string;
  try {
    raw = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw unreadable(file, `cannot be read: ${errorMessage(e)}`);
  }
  if (raw.replace(/^\uFEFF/, '').trim() === '') throw unreadable(file, 'is empty; its first line must name the columns');
  const db = await Db.open(':memory:');
  try {
    const columns = (await db.all<{ column_name: string }>(`DESCRIBE SELECT * FROM read_csv($1, ${GOLD_CSV})`, [file])).map((c) => c.column_name);
    if (opts.headerOnly) return { file, columns, rows: [] };
    const records = await db.all<Record<string, string | null>>(`SELECT * FROM read_csv($1, ${GOLD_CSV})`, [file]);
    const lines = recordLines(raw, records);
    return { file, columns, rows: records.map((values, i) => ({ row: i + 1, line: lines[i]!, values })) };
  } catch (e) {
    if (e instanceof CaselensError && e.exitCode !== exitCodes.database) throw e;
    const cause = e instanceof Error && e.cause !== undefined ? e.cause : e;
    const bad = await rejectedLines(db, file);
    throw unreadable(
      file,
      `is not comma-separated CSV that can be read: every row needs as many values as the header has columns, and a value holding a comma, quote or line break must be in double quotes${bad.length ? '' : ` (${errorMessage(cause).split('\n')[0]})`}`,
      bad,
    );
  } finally {
    db.close();
  }
}

/**
 * The physical line each record starts on. DuckDB numbers records, not lines: it skips blank
 * lines, and a quoted value may span several lines. Walking the file's line breaks alongside
 * the records (not parsing it again) gives the line an editor shows.
 */
function recordLines(raw: string, records: Array<Record<string, string | null>>): number[] {
  const lines = raw.split('\n');
  const blank = (i: number) => lines[i]!.replace(/\r$/, '') === '';
  let i = 0;
  while (i < lines.length && blank(i)) i++;
  i++; // the header
  return records.map((r) => {
    while (i < lines.length && blank(i)) i++;
    const at = i + 1;
    for (const v of Object.values(r)) if (v) i += v.split('\n').length - 1;
    i++;
    return at;
  });
}

/** Header names match regardless of case and surrounding spaces, as a person reading the file would. */
export function findColumn(columns: string[], name: string): string | undefined {
  const want = name.trim().toLowerCase();
  return columns.find((c) => c.trim().toLowerCase() === want);
}

// -----------------------------------------------------------------------------------------------
// Labelled sentences (text, label, adverse)

export interface SdohColumnNames {
  text?: string | undefined;
  label?: string | undefined;
  adverse?: string | undefined;
}

export interface SdohColumns {
  text: string;
  label: string;
  /** absent: only the domain level can be judged */
  adverse: string | null;
}

export const SDOH_DEFAULT_COLUMNS = { text: 'text', label: 'label', adverse: 'adverse' } as const;

function columnsFound(columns: string[]): string {
  return `columns found: ${columns.map((c) => JSON.stringify(c)).join(', ') || 'none'}`;
}

/** The columns a sentence file is read from; a usage error naming the file, its columns and the option when one is missing. */
export function sdohColumns(gold: Pick<GoldCsv, 'file' | 'columns'>, names: SdohColumnNames = {}): SdohColumns {
  const { file, columns } = gold;
  const labelName = names.label ?? SDOH_DEFAULT_COLUMNS.label;
  const label = findColumn(columns, labelName);
  if (!label) throw new UsageError(`${file}: no label column "${labelName}"; ${columnsFound(columns)}; name the column that holds the labels with --label-column NAME`);
  const textName = names.text ?? SDOH_DEFAULT_COLUMNS.text;
  const text = findColumn(columns, textName);
  if (!text) {
    const likely = columns.filter((c) => c !== label && /sentence|text|note/i.test(c));
    const hint = likely.length ? ` (perhaps --text-column ${likely[0]})` : '';
    throw new UsageError(`${file}: no text column "${textName}"; ${columnsFound(columns)}; name the column that holds the sentences with --text-column NAME${hint}`);
  }
  const adverseName = names.adverse ?? SDOH_DEFAULT_COLUMNS.adverse;
  const adverse = findColumn(columns, adverseName) ?? null;
  if (!adverse && names.adverse) throw new UsageError(`${file}: no adverse column "${adverseName}"; ${columnsFound(columns)}; name it with --adverse-column NAME, or leave the option out to judge domains only`);
  return { text, label, adverse };
}

const cell = z.string().nullish().transform((v) => v ?? '');
/** "RELATIONSHIP, parent" → ["RELATIONSHIP", "PARENT"]: a comma-separated list, each item in canonical form; an empty cell is an empty list. */
const listOf = (canonical: (item: string) => string) => cell.transform((v) => (v.trim() === '' ? [] : v.split(',').map((item) => canonical(item.trim()))));
const canonicalLabel = (s: string) => {
  const u = s.toUpperCase();
  return u === 'NO_SDOH' ? SDOH_NO_LABEL : u;
};
// "Non-adverse", "non_adverse" and "NONADVERSE" are one value
const canonicalAdverse = (s: string) => s.toLowerCase().replace(/[\s_-]+/g, '');

const sdohRowSchema = z.object({
  text: cell,
  labels: listOf(canonicalLabel),
  adverse: listOf(canonicalAdverse),
});

export interface SdohGoldItem {
  label: string;
  domain: string;
  /** from the adverse column, when the file has one */
  direction?: Direction;
}

export interface SdohUnit {
  unit: string;
  row: number;
  line: number;
  text: string;
  /** empty for a <NO_SDOH> sentence */
  gold: SdohGoldItem[];
}

export interface SdohGold {
  file: string;
  columns: SdohColumns;
  /** data rows in the file */
  rows: number;
  /** rows judged: every row without a problem */
  units: SdohUnit[];
  /** rows left out, each with its line and value */
  problems: RowProblem[];
  /** label items on the judged rows, <NO_SDOH> not counted */
  labels: number;
  /** judged rows labelled <NO_SDOH> */
  negatives: number;
  /** label items per label on the judged rows, <NO_SDOH> included */
  byLabel: Record<string, number>;
}

const MAX_LISTED = 20;

/**
 * The gold in a sentence file. Labels and adverse values are read into canonical form first;
 * then a label nobody knows stops the evaluation (a usage error: the figures would be wrong),
 * while a row that cannot be read as intended (label and adverse lists of different lengths, no
 * text, no label) is left out and reported with its line.
 */
export function parseSdohGold(gold: GoldCsv, names: SdohColumnNames = {}): SdohGold {
  const columns = sdohColumns(gold, names);
  const known = Object.keys(SDOH_LABEL_TO_DOMAIN);
  const unknown: RowProblem[] = [];
  const problems: RowProblem[] = [];
  const units: SdohUnit[] = [];
  const byLabel: Record<string, number> = {};
  let labels = 0;
  let negatives = 0;
  for (const r of gold.rows) {
    const rawLabel = r.values[columns.label] ?? '';
    const rawAdverse = columns.adverse ? r.values[columns.adverse] ?? '' : '';
    const parsed = sdohRowSchema.parse({ text: r.values[columns.text], labels: rawLabel, adverse: rawAdverse });
    const at = { file: gold.file, line: r.line };
    const problem = (column: string, value: string, message: string) => problems.push({ ...at, column, value, message });
    const strange = parsed.labels.filter((l) => l !== '' && l !== SDOH_NO_LABEL && !known.includes(l));
    if (strange.length) {
      unknown.push({ ...at, column: columns.label, value: rawLabel, message: `${strange.map((l) => JSON.stringify(l)).join(', ')} ${strange.length === 1 ? 'is not a label' : 'are not labels'} caselens knows; known labels: ${[...known, SDOH_NO_LABEL].join(', ')}` });
      continue;
    }
    const negative = parsed.labels.includes(SDOH_NO_LABEL);
    const oddAdverse = negative || !columns.adverse ? [] : parsed.adverse.filter((a) => a !== '' && !(a in SDOH_ADVERSE_TO_DIRECTION));
    if (oddAdverse.length) {
      unknown.push({ ...at, column: columns.adverse!, value: rawAdverse, message: `${oddAdverse.map((a) => JSON.stringify(a)).join(', ')} is not one of ${Object.keys(SDOH_ADVERSE_TO_DIRECTION).join(', ')}` });
      continue;
    }
    if (parsed.text.trim() === '') problem(columns.text, parsed.text, 'no text to score');
    else if (parsed.labels.length === 0) problem(columns.label, rawLabel, `no label; a sentence without SDOH evidence is labelled ${SDOH_NO_LABEL}`);
    else if (parsed.labels.includes('')) problem(columns.label, rawLabel, 'an empty item in the list of labels');
    else if (negative && parsed.labels.length > 1) problem(columns.label, rawLabel, `${SDOH_NO_LABEL} together with other labels`);
    else if (!negative && columns.adverse && parsed.adverse.length !== parsed.labels.length) {
      problem(columns.label, rawLabel, `${parsed.labels.length} label(s) but ${parsed.adverse.length} ${columns.adverse} value(s) (${columns.adverse} = ${JSON.stringify(rawAdverse)}); they pair up by position, so the lists must be the same length`);
    } else if (!negative && columns.adverse && parsed.adverse.includes('')) problem(columns.adverse, rawAdverse, 'an empty item in the list of adverse values');
    else {
      const items: SdohGoldItem[] = negative ? [] : parsed.labels.map((label, i) => ({
        label,
        domain: SDOH_LABEL_TO_DOMAIN[label]!,
        ...(columns.adverse ? { direction: SDOH_ADVERSE_TO_DIRECTION[parsed.adverse[i]!]! } : {}),
      }));
      for (const l of parsed.labels) byLabel[l] = (byLabel[l] ?? 0) + 1;
      if (negative) negatives++;
      labels += items.length;
      units.push({ unit: String(r.row), row: r.row, line: r.line, text: parsed.text, gold: items });
    }
  }
  if (unknown.length) {
    const lines = unknown.map(formatRowProblem);
    throw new UsageError(
      unknown.length === 1 ? lines[0]! : `${unknown.length} rows of ${gold.file} have values caselens does not know:`,
      unknown.length === 1 ? [] : [...lines.slice(0, MAX_LISTED), ...(lines.length > MAX_LISTED ? [`… and ${lines.length - MAX_LISTED} more`] : [])],
    );
  }
  return { file: gold.file, columns, rows: gold.rows.length, units, problems, labels, negatives, byLabel };
}

export type SdohHalf = 'odd' | 'even';
export const SDOH_HALVES: Record<SdohHalf, string> = {
  odd: 'odd rows (used while tuning): data rows 1, 3, 5, … counting from the first row after the header',
  even: 'even rows (held out): data rows 2, 4, 6, …',
};

export interface SdohScores {
  reports: EvalReport[];
  halves: Record<SdohHalf, { describe: string; units: number; reports: EvalReport[] }>;
}

/**
 * Scores predictions on sentence units, over all judged rows and over the odd and even halves.
 * Only the mapped domains are judged: a sentence is labelled for what it was written about, so
 * a second, true domain in it (transport in a housing sentence) would otherwise count as wrong.
 * A <NO_SDOH> sentence is a unit with no gold, so any in-scope tag on it is a false positive.
 */
export function scoreSdoh(gold: SdohGold, predicted: Prediction[]): SdohScores {
  const domains = [...new Set(Object.values(SDOH_LABEL_TO_DOMAIN))];
  const goldItems: Prediction[] = gold.units.flatMap((u) => u.gold.map((g) => ({ unit: u.unit, domain: g.domain, ...(g.direction ? { direction: g.direction } : {}), status: 'current' as const })));
  const inScope = predicted.filter((p) => domains.includes(p.domain));
  const levels = gold.columns.adverse ? (['domain', 'polarity'] as const) : (['domain'] as const);
  const score = (keep: (u: SdohUnit) => boolean) => {
    const units = new Set(gold.units.filter(keep).map((u) => u.unit));
    const g = goldItems.filter((x) => units.has(x.unit));
    const p = inScope.filter((x) => units.has(x.unit));
    return { units: units.size, reports: levels.map((level) => scoreSets(g, p, LEVELS[level].key, domains, level, units.size)) };
  };
  return {
    reports: score(() => true).reports,
    halves: {
      odd: { describe: SDOH_HALVES.odd, ...score((u) => u.row % 2 === 1) },
      even: { describe: SDOH_HALVES.even, ...score((u) => u.row % 2 === 0) },
    },
  };
}

// -----------------------------------------------------------------------------------------------
// Planted truth (note_key, domain, direction, status, evidence)

export const TRUTH_COLUMNS = ['note_key', 'domain', 'direction', 'status'] as const;

const truthRowSchema = z.object({
  note_key: cell.transform((v) => v.trim()),
  domain: cell.transform((v) => v.trim().toLowerCase()),
  direction: cell.transform((v) => v.trim().toLowerCase()),
  status: cell.transform((v) => v.trim().toLowerCase()),
});

/**
 * The planted evidence rows of a truth file as gold items on units `${system}:${note_key}`.
 * Missing columns and values caselens does not know are usage errors naming the file and line.
 */
export function parseTruthGold(gold: GoldCsv, system: string, domains: string[]): Prediction[] {
  const cols = Object.fromEntries(TRUTH_COLUMNS.map((c) => [c, findColumn(gold.columns, c)]));
  const missing = TRUTH_COLUMNS.filter((c) => !cols[c]);
  if (missing.length) {
    throw new UsageError(`${gold.file}: a planted-truth file needs the columns ${TRUTH_COLUMNS.join(', ')}; missing ${missing.join(', ')}; ${columnsFound(gold.columns)} (a labelled-sentence file needs a label column: --label-column NAME)`);
  }
  const allowed: Record<string, readonly string[]> = { domain: domains, direction: directionSchema.options, status: tagStatusSchema.options };
  const problems: RowProblem[] = [];
  const out: Prediction[] = [];
  for (const r of gold.rows) {
    const v = truthRowSchema.parse(Object.fromEntries(TRUTH_COLUMNS.map((c) => [c, r.values[cols[c]!]])));
    const bad = (['domain', 'direction', 'status'] as const).find((c) => !allowed[c]!.includes(v[c]));
    if (v.note_key === '') problems.push({ file: gold.file, line: r.line, column: cols.note_key!, value: '', message: 'no note key' });
    else if (bad) problems.push({ file: gold.file, line: r.line, column: cols[bad]!, value: r.values[cols[bad]!] ?? '', message: `not a ${bad} caselens knows; known: ${allowed[bad]!.join(', ')}` });
    else out.push({ unit: `${system}:${v.note_key}`, domain: v.domain, direction: v.direction as Direction, status: v.status as TagStatus });
  }
  if (problems.length) {
    const lines = problems.map(formatRowProblem);
    throw new UsageError(
      problems.length === 1 ? lines[0]! : `${problems.length} rows of ${gold.file} cannot be used:`,
      problems.length === 1 ? [] : [...lines.slice(0, MAX_LISTED), ...(lines.length > MAX_LISTED ? [`… and ${lines.length - MAX_LISTED} more`] : [])],
    );
  }
  return out;
}

// -----------------------------------------------------------------------------------------------
// Figures for machines

export interface LevelFigures {
  describe: string;
  units: number;
  domains: Record<string, Omit<DomainScore, 'domain'>>;
  macro: EvalReport['macro'];
  micro: EvalReport['micro'];
}

/** Reports keyed by level, each domain keyed by id: what `caselens eval --json` prints. */
export function figuresByLevel(reports: EvalReport[]): Record<string, LevelFigures> {
  return Object.fromEntries(reports.map((r) => [r.level, {
    describe: LEVELS[r.level as keyof typeof LEVELS]?.describe ?? '',
    units: r.units,
    domains: Object.fromEntries(r.perDomain.map(({ domain, ...d }) => [domain, d])),
    macro: r.macro,
    micro: r.micro,
  }]));
}
