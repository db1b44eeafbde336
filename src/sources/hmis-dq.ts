/**
 * A data-quality report of an HMIS CSV export, in the spirit of HUD's data-quality tool (Eva), for
 * the files and fields caselens maps. It reads the export's raw CSV files with DuckDB (every
 * column as text, so it sees exactly what the export holds, whatever the load kept or rejected)
 * and stores one row per (run, file, field, check) in `data_quality`: how many rows were checked,
 * how many have the problem, and up to five example record ids. Only HMIS record ids are stored
 * (PersonalID, EnrollmentID, ExitID, …), never names, SSNs, dates of birth or other values of a
 * person: the report is shown to managers. Rows marked deleted (DateDeleted) are not checked.
 *
 * Checks (severity as Eva words them where it has the check):
 * - per file: rows; duplicate record ids (error);
 * - per coded field caselens maps: missing (empty, or HUD's 8 "client doesn't know", 9 "prefers
 *   not to answer", 99 "data not collected" where the field's list has them) and unlisted codes
 *   (not in HUD's list, src/sources/hmis-values.ts); dates that cannot be read (error);
 * - references: enrolments naming a client or project the export lacks, exits, services and
 *   assessments naming an enrolment it lacks (error);
 * - dates out of order: exit before entry, exit after the export date, service before entry or
 *   after the exit, client born after the entry, age over 100 at entry, information date outside
 *   its enrolment;
 * - long stayers: enrolments without an exit open longer than their project type's expected stay
 *   (LONG_STAY_DAYS, as of the export's end date);
 * - duplicate enrolments (same client, project and entry date) and overlapping stays in
 *   residential projects (ES entry/exit, TH, SH).
 * A check whose file (or column) the export lacks is stored as "not checked".
 */
import fs from 'node:fs';
import path from 'node:path';
import { CaselensError, exitCodes, UsageError } from '../errors.ts';
import { table } from '../format.ts';
import { ident, lit, type Db } from '../store/index.ts';
import { HMIS_DATE_FORMATS } from './hmis-pipeline.ts';
import {
  GENDER_COLUMNS, HUD, HUD_FY2026, hudLists, RACE_COLUMNS, RACE_COLUMNS_FY2026, TYPE_PROVIDED_LIST, TYPE_PROVIDED_LIST_FY2026, type HmisFiscalYear, type HudList,
} from './hmis-values.ts';

export type DqSeverity = 'error' | 'warning' | 'info';

/**
 * Expected longest stay in days by HUD project type (list 2.02.6), for the long-stayers check: an
 * enrolment without an exit that has been open longer (to the export's end date) is reported.
 * null: no expected end (permanent housing). These are caselens defaults in the spirit of Eva's
 * "Long Stayers (Local Settings)"; pass `longStayDays` to change them.
 */
export const LONG_STAY_DAYS: Readonly<Record<string, number | null>> = {
  '0': 90, // Emergency Shelter - Entry Exit
  '1': 90, // Emergency Shelter - Night-by-Night
  '2': 730, // Transitional Housing (HUD: up to 24 months)
  '3': null, // PH - Permanent Supportive Housing
  '4': 180, // Street Outreach
  '6': 365, // Services Only
  '7': 365, // Other
  '8': 365, // Safe Haven
  '9': null, // PH - Housing Only
  '10': null, // PH - Housing with Services
  '11': 90, // Day Shelter
  '12': 365, // Homelessness Prevention
  '13': 730, // PH - Rapid Re-Housing (HUD: up to 24 months of assistance)
  '14': 180, // Coordinated Entry
};

/** Residential project types whose stays of one client should not overlap (Eva "Project Overlaps"). */
const OVERLAP_TYPES = ['0', '2', '8'];

/** The files the report covers and each one's record id. */
export const DQ_FILES = {
  'Project.csv': 'ProjectID',
  'Client.csv': 'PersonalID',
  'Enrollment.csv': 'EnrollmentID',
  'Exit.csv': 'ExitID',
  'Services.csv': 'ServicesID',
  'IncomeBenefits.csv': 'IncomeBenefitsID',
  'HealthAndDV.csv': 'HealthAndDVID',
  'EmploymentEducation.csv': 'EmploymentEducationID',
} as const;
type DqFile = keyof typeof DQ_FILES;
const ASSESSMENT_FILES: DqFile[] = ['IncomeBenefits.csv', 'HealthAndDV.csv', 'EmploymentEducation.csv'];

export interface DqRow {
  file: string;
  field: string;
  check: string;
  severity: DqSeverity;
  status: 'checked' | 'not_checked';
  rowsChecked: number | null;
  problems: number | null;
  idField: string | null;
  exampleIds: string[];
  message: string;
}

export interface DqSummary {
  runId: number;
  /** rows with a problem, summed over the checks of that severity */
  errors: number;
  warnings: number;
  /** checks that found at least one problem */
  checksWithErrors: number;
  checksWithWarnings: number;
  /** checks not run (a file or column the export lacks) */
  notChecked: number;
}

export interface DqOptions {
  runId: number;
  system: string;
  /** override the expected stay (days) of project types; null: no limit */
  longStayDays?: Readonly<Record<string, number | null>>;
  /** reference date (YYYY-MM-DD) for long stayers when Export.csv gives no ExportEndDate (default today) */
  asOf?: string;
  /** HUD format of the export (default: FY2026 when Client.csv has the Sex column, else FY2024) */
  fiscalYear?: HmisFiscalYear;
}

const EXAMPLES = 5;
/** A column as read from a file: trimmed, NULL when empty. */
const raw = (c: string, alias = '') => `nullif(trim(${alias}${ident(c)}), '')`;
/** A column of a loaded file (loadFile stores every column as `raw` reads it: trimmed, NULL when empty). */
const v = (c: string, alias = '') => `${alias}${ident(c)}`;
const FORMATS = `[${HMIS_DATE_FORMATS.map(lit).join(', ')}]`;
/** A date column as a DATE (NULL when empty or unreadable, or outside 1900-2100 as the loader treats it). */
const dateOf = (c: string, alias = '') =>
  `(CASE WHEN year(CAST(try_strptime(${raw(c, alias)}, ${FORMATS}) AS DATE)) BETWEEN 1900 AND 2100 THEN CAST(try_strptime(${raw(c, alias)}, ${FORMATS}) AS DATE) END)`;
/**
 * A date column of a loaded file, read once at load time as `dateOf` reads it (see DATE_COLUMNS):
 * the checks compare these rather than parse every date again.
 */
const dt = (c: string, alias = '') => `${alias}${ident(`_date_${c}`)}`;
const inList = (expr: string, codes: string[]) => `${expr} IN (${codes.map(lit).join(', ')})`;
const REASON_CODES = ['8', '9', '99'];
const HUD_FY2026_SEX: HudList = HUD_FY2026.sex;
const tbl = (f: DqFile) => ident(`_dq_${f.replace('.csv', '')}`);

/** Columns the enrolment context (enrolmentContext) reads. */
const CONTEXT_COLUMNS: Partial<Record<DqFile, string[]>> = {
  'Enrollment.csv': ['EnrollmentID', 'PersonalID', 'ProjectID', 'EntryDate'],
  'Exit.csv': ['EnrollmentID', 'ExitDate'],
};

/** The date columns of each file the checks compare, read once when the file is loaded (`dt`). */
const DATE_COLUMNS: Partial<Record<DqFile, string[]>> = {
  'Client.csv': ['DOB'],
  'Enrollment.csv': ['EntryDate'],
  'Exit.csv': ['ExitDate'],
  'Services.csv': ['DateProvided'],
  'IncomeBenefits.csv': ['InformationDate'],
  'HealthAndDV.csv': ['InformationDate'],
  'EmploymentEducation.csv': ['InformationDate'],
};

interface FileState {
  path?: string;
  /** why it was not read */
  absent?: string;
  columns: Set<string>;
  rows: number;
  deleted: number;
}

interface Check {
  file: DqFile;
  field: string;
  check: string;
  severity: DqSeverity;
  /** files and their columns the check needs */
  needs: Partial<Record<DqFile, string[]>>;
  /** the record id shown as example (a column of `file`, as `id` in `sql`) */
  idField: string;
  /** SELECT yielding one row per checked record: `id` and `bad` (boolean) */
  sql: () => string;
  /**
   * A check over the rows of `file` alone (id: `idField`): `bad` over a row, and which rows are
   * checked (`where`, default all). Such checks of one file are counted together in one pass;
   * `sql` says the same for one check.
   */
  rowCheck?: { bad: string; where?: string };
  message: string;
  /** extra words for the message once counted (e.g. which codes were unlisted) */
  detail?: (db: Db) => Promise<string>;
}

async function findFiles(exportDir: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const f of fs.readdirSync(exportDir)) out.set(f.toLowerCase(), path.join(exportDir, f));
  return out;
}

/** Options of every read of an export file: each column as text, HUD's CSV dialect, unparseable rows skipped. */
const readCsv = (file: string) => `read_csv(${lit(file)}, header=true, all_varchar=true, delim=',', quote='"', escape='"', ignore_errors=true)`;

/** The columns of a file, as its header names them. */
async function fileColumns(db: Db, file: string, name: DqFile): Promise<Set<string>> {
  return new Set((await db.all<{ column_name: string }>(`DESCRIBE SELECT * FROM ${readCsv(file)}`, undefined, `data quality: cannot read ${name}`)).map((c) => c.column_name));
}

/**
 * Reads a file once into a temp table of the rows not marked deleted: the columns the checks use
 * (`needed`), trimmed and NULL when empty (`v`), and the dates of DATE_COLUMNS, read once (`dt`).
 */
async function loadFile(db: Db, file: string, name: DqFile, columns: Set<string>, needed: Set<string>): Promise<FileState> {
  const del = columns.has('DateDeleted') ? `${raw('DateDeleted')} IS NOT NULL` : 'false';
  const kept = [...columns].filter((c) => needed.has(c));
  const dates = (DATE_COLUMNS[name] ?? []).filter((c) => columns.has(c));
  const select = [...kept.map((c) => `${raw(c)} AS ${ident(c)}`), ...dates.map((c) => `${dateOf(c)} AS ${dt(c)}`), `${del} AS _deleted`];
  await db.run(`CREATE OR REPLACE TEMP TABLE ${tbl(name)} AS SELECT ${select.join(', ')} FROM ${readCsv(file)}`, undefined, `data quality: cannot read ${name}`);
  const c = (await db.one<{ rows: number; deleted: number }>(`SELECT count(*) FILTER (WHERE NOT _deleted) AS rows, count(*) FILTER (WHERE _deleted) AS deleted FROM ${tbl(name)}`))!;
  if (c.deleted > 0) await db.run(`DELETE FROM ${tbl(name)} WHERE _deleted`);
  return { path: file, columns, rows: c.rows, deleted: c.deleted };
}

/** Counts a file's row checks in one pass over its table: rows checked, rows with the problem and example ids, per check. */
async function countRowChecks(db: Db, name: DqFile, group: Check[]): Promise<Map<Check, { n: number; bad: number; ex: string[] | null }>> {
  const id = DQ_FILES[name];
  const inner = [`${v(id)} AS id`];
  const outer: string[] = [];
  group.forEach((c, i) => {
    const { bad, where } = c.rowCheck!;
    inner.push(`(${bad}) AS b${i}`);
    if (where) inner.push(`(${where}) AS w${i}`);
    const when = where ? `w${i} AND b${i}` : `b${i}`;
    outer.push(`${where ? `count(*) FILTER (WHERE w${i})` : 'count(*)'} AS n${i}`, `count(*) FILTER (WHERE ${when}) AS bad${i}`,
      `(list(id ORDER BY id) FILTER (WHERE ${when} AND id IS NOT NULL))[1:${EXAMPLES}] AS ex${i}`);
  });
  const r = (await db.one<Record<string, unknown>>(`SELECT ${outer.join(', ')} FROM (SELECT ${inner.join(', ')} FROM ${tbl(name)})`, undefined,
    `data quality: checks of ${name} failed`))!;
  return new Map(group.map((c, i) => [c, { n: r[`n${i}`] as number, bad: r[`bad${i}`] as number, ex: (r[`ex${i}`] as string[] | null) ?? null }]));
}

/** A check over the rows of `file` alone: its `sql`, and the same as a `rowCheck` (counted with the file's others in one pass). */
function overRows(file: DqFile, idField: string, bad: string, where?: string): Pick<Check, 'sql' | 'rowCheck'> {
  return {
    sql: () => `SELECT ${v(idField)} AS id, (${bad}) AS bad FROM ${tbl(file)}${where ? ` WHERE ${where}` : ''}`,
    rowCheck: where ? { bad, where } : { bad },
  };
}

/** "2 empty, 1 Data not collected (99)" for the missing values of a coded column. */
function breakdown(label: (code: string) => string) {
  return (rows: Array<{ v: string | null; n: number }>) =>
    rows.map((r) => `${r.n} ${r.v === null ? 'empty' : `${label(r.v)} (${r.v})`}`).join(', ');
}

/** Unlisted values shown only when they look like codes (a shifted column could hold anything). */
function unlistedDetail(rows: Array<{ v: string; n: number }>, code = /^-?\d{1,4}$/): string {
  const codes = rows.filter((r) => code.test(r.v));
  const other = rows.filter((r) => !code.test(r.v)).reduce((s, r) => s + r.n, 0);
  const parts = codes.slice(0, 10).map((r) => `${r.v} (${r.n})`);
  if (codes.length > 10) parts.push(`${codes.length - 10} more code(s)`);
  if (other) parts.push(`${other} value(s) that are not codes (not shown)`);
  return parts.length ? `; seen: ${parts.join(', ')}` : '';
}

function codedChecks(file: DqFile, column: string, list: HudList, missingSeverity: DqSeverity, what: string): Check[] {
  const id = DQ_FILES[file];
  const reasons = REASON_CODES.filter((c) => c in list.values);
  const codes = Object.keys(list.values);
  const val = v(column);
  const missingWhen = `${val} IS NULL${reasons.length ? ` OR ${inList(val, reasons)}` : ''}`;
  return [
    {
      file, field: column, check: 'missing', severity: missingSeverity, needs: { [file]: [column, id] }, idField: id,
      ...overRows(file, id, missingWhen),
      message: `${what} missing: empty${reasons.length ? ` or ${reasons.map((r) => `${r} "${list.values[r]}"`).join(', ')}` : ''}`,
      detail: async (db) => {
        const rows = await db.all<{ v: string | null; n: number }>(`SELECT ${val} AS v, count(*) AS n FROM ${tbl(file)} WHERE ${missingWhen} GROUP BY 1 ORDER BY 1 NULLS FIRST`);
        return rows.length ? ` (${breakdown((c) => list.values[c] ?? c)(rows)})` : '';
      },
    },
    {
      file, field: column, check: 'unlisted', severity: 'error', needs: { [file]: [column, id] }, idField: id,
      ...overRows(file, id, `${val} IS NOT NULL AND NOT ${inList(val, codes)}`),
      message: `${what}: code not in HUD list ${list.id} (${list.name})`,
      detail: async (db) => unlistedDetail(await db.all<{ v: string; n: number }>(`SELECT ${val} AS v, count(*) AS n FROM ${tbl(file)} WHERE ${val} IS NOT NULL AND NOT ${inList(val, codes)} GROUP BY 1 ORDER BY 2 DESC, 1`)),
    },
  ];
}

function dateChecks(file: DqFile, column: string, what: string): Check[] {
  const id = DQ_FILES[file];
  return [
    {
      file, field: column, check: 'missing', severity: 'error', needs: { [file]: [column, id] }, idField: id,
      ...overRows(file, id, `${v(column)} IS NULL`),
      message: `${what} missing (empty)`,
    },
    {
      file, field: column, check: 'invalid_date', severity: 'error', needs: { [file]: [column, id] }, idField: id,
      ...overRows(file, id, `${v(column)} IS NOT NULL AND ${dt(column)} IS NULL`),
      message: `${what} is not a date caselens can read (HUD writes YYYY-MM-DD), or is before 1900 or after 2100`,
    },
  ];
}

/** Gender or race: one 0/1 column per option and a "none" column with the reason missing. */
function multiSelectChecks(what: string, columns: ReadonlyArray<readonly [string, string]>, noneColumn: string): Check[] {
  const file: DqFile = 'Client.csv';
  const id = DQ_FILES[file];
  const cols = columns.map(([c]) => c);
  const field = `${what} (${cols[0]}…${noneColumn})`;
  const anyYes = cols.map((c) => `${v(c)} = '1'`).join(' OR ');
  const badOption = cols.map((c) => `(${v(c)} IS NOT NULL AND ${v(c)} NOT IN ('0', '1'))`).join(' OR ');
  const badNone = `(${v(noneColumn)} IS NOT NULL AND NOT ${inList(v(noneColumn), REASON_CODES)})`;
  return [
    {
      file, field, check: 'missing', severity: 'warning', needs: { [file]: [...cols, noneColumn, id] }, idField: id,
      ...overRows(file, id, `NOT coalesce(${anyYes}, false)`),
      message: `${what} missing: none of ${cols.join(', ')} is 1 (${noneColumn} empty, or 8 "Client doesn't know", 9 "Client prefers not to answer", 99 "Data not collected")`,
      detail: async (db) => {
        const rows = await db.all<{ v: string | null; n: number }>(`SELECT ${v(noneColumn)} AS v, count(*) AS n FROM ${tbl(file)} WHERE NOT coalesce(${anyYes}, false) GROUP BY 1 ORDER BY 1 NULLS FIRST`);
        return rows.length ? ` (${breakdown((c) => HUD.raceGenderNone.values[c] ?? `${noneColumn} code`)(rows)})` : '';
      },
    },
    {
      file, field, check: 'unlisted', severity: 'error', needs: { [file]: [...cols, noneColumn, id] }, idField: id,
      ...overRows(file, id, `${badOption} OR ${badNone}`),
      message: `${what}: an option column other than 0 or 1 (HUD list 1.10), or ${noneColumn} other than 8, 9, 99 (HUD list 1.6)`,
      detail: async (db) => unlistedDetail(await db.all<{ v: string; n: number }>(`
        SELECT v, count(*) AS n FROM (
          ${[...cols.map((c) => `SELECT ${v(c)} AS v FROM ${tbl(file)} WHERE ${v(c)} IS NOT NULL AND ${v(c)} NOT IN ('0', '1')`),
            `SELECT ${v(noneColumn)} AS v FROM ${tbl(file)} WHERE ${badNone}`].join(' UNION ALL ')}
        ) GROUP BY 1 ORDER BY 2 DESC, 1`)),
    },
  ];
}

function duplicateIdCheck(file: DqFile): Check {
  const id = DQ_FILES[file];
  return {
    file, field: id, check: 'duplicate_id', severity: 'error', needs: { [file]: [id] }, idField: id,
    sql: () => `SELECT ${v(id)} AS id, count(*) OVER (PARTITION BY ${v(id)}) > 1 AND ${v(id)} IS NOT NULL AS bad FROM ${tbl(file)}`,
    message: `${id} used by more than one row (each counted); every record must have its own id`,
  };
}

function referenceCheck(file: DqFile, column: string, target: DqFile): Check {
  const id = DQ_FILES[file];
  const targetId = DQ_FILES[target];
  return {
    file, field: column, check: 'unknown_reference', severity: 'error', needs: { [file]: [column, id], [target]: [targetId] }, idField: id,
    sql: () => `SELECT ${v(id, 'r.')} AS id, (${v(column, 'r.')} IS NOT NULL AND NOT EXISTS (SELECT 1 FROM ${tbl(target)} t WHERE ${v(targetId, 't.')} = ${v(column, 'r.')})) AS bad FROM ${tbl(file)} r`,
    message: `${column} not found in ${target} (or marked deleted there)`,
  };
}

/** Enrolments with entry date, latest exit, project type: temp tables the cross-file checks read. */
async function enrolmentContext(db: Db, files: Map<DqFile, FileState>): Promise<void> {
  const enr = files.get('Enrollment.csv');
  if (!enr?.path || !['EnrollmentID', 'PersonalID', 'ProjectID', 'EntryDate'].every((c) => enr.columns.has(c))) return;
  await db.run(`CREATE OR REPLACE TEMP TABLE _dqctx_enr AS
    SELECT ${v('EnrollmentID')} AS eid, any_value(${v('PersonalID')}) AS pid, any_value(${v('ProjectID')}) AS prj, any_value(${dt('EntryDate')}) AS entry
    FROM ${tbl('Enrollment.csv')} WHERE ${v('EnrollmentID')} IS NOT NULL GROUP BY 1`);
  const exit = files.get('Exit.csv');
  if (exit?.path && ['EnrollmentID', 'ExitDate'].every((c) => exit.columns.has(c))) {
    await db.run(`CREATE OR REPLACE TEMP TABLE _dqctx_exit AS
      SELECT ${v('EnrollmentID')} AS eid, max(${dt('ExitDate')}) AS exit FROM ${tbl('Exit.csv')} WHERE ${v('EnrollmentID')} IS NOT NULL GROUP BY 1`);
  }
}

function buildChecks(refDate: { date: string; source: string }, exportDate: string | null, longStay: Readonly<Record<string, number | null>>, fy: HmisFiscalYear): Check[] {
  const checks: Check[] = [];
  const L = hudLists(fy);
  const typeProvided = fy === 2026 ? TYPE_PROVIDED_LIST_FY2026 : TYPE_PROVIDED_LIST;
  // Per-field: what caselens maps.
  checks.push(...codedChecks('Project.csv', 'ProjectType', L.projectType, 'error', 'Project type'));
  checks.push(...dateChecks('Client.csv', 'DOB', 'Date of birth'));
  // DOB: the reason it is missing is in DOBDataQuality (8, 9, 99), which counts as missing as Eva does.
  const dob = checks.find((c) => c.file === 'Client.csv' && c.field === 'DOB' && c.check === 'missing')!;
  dob.needs = { 'Client.csv': ['DOB', 'DOBDataQuality', 'PersonalID'] };
  Object.assign(dob, overRows('Client.csv', 'PersonalID', `${v('DOB')} IS NULL OR ${inList(v('DOBDataQuality'), REASON_CODES)}`));
  dob.message = 'Date of birth missing: empty, or DOBDataQuality 8 "Client doesn\'t know", 9 "Client prefers not to answer", 99 "Data not collected"';
  dob.detail = async (db) => {
    const rows = await db.all<{ v: string | null; n: number }>(`SELECT CASE WHEN ${inList(v('DOBDataQuality'), REASON_CODES)} THEN ${v('DOBDataQuality')} END AS v, count(*) AS n FROM ${tbl('Client.csv')}
      WHERE ${v('DOB')} IS NULL OR ${inList(v('DOBDataQuality'), REASON_CODES)} GROUP BY 1 ORDER BY 1 NULLS FIRST`);
    return rows.length ? ` (${breakdown((c) => `DOBDataQuality ${HUD.raceGenderNone.values[c]}`)(rows)})` : '';
  };
  checks.push(...codedChecks('Client.csv', 'VeteranStatus', L.noYesReasons, 'warning', 'Veteran status'));
  // FY2026 replaced the gender columns with Sex (list 4.21)
  if (fy === 2026) checks.push(...codedChecks('Client.csv', 'Sex', HUD_FY2026_SEX, 'warning', 'Sex'));
  else checks.push(...multiSelectChecks('Gender', GENDER_COLUMNS, 'GenderNone'));
  checks.push(...multiSelectChecks('Race', fy === 2026 ? RACE_COLUMNS_FY2026 : RACE_COLUMNS, 'RaceNone'));
  checks.push(...dateChecks('Enrollment.csv', 'EntryDate', 'Project start date (EntryDate)'));
  checks.push(...codedChecks('Enrollment.csv', 'RelationshipToHoH', L.relationshipToHoH, 'error', 'Relationship to head of household'));
  checks.push(...dateChecks('Exit.csv', 'ExitDate', 'Project exit date'));
  checks.push(...codedChecks('Exit.csv', 'Destination', L.destination, 'warning', 'Destination'));
  checks.push(...dateChecks('Services.csv', 'DateProvided', 'Date of service'));
  checks.push(...codedChecks('Services.csv', 'RecordType', L.recordType, 'error', 'Record type'));
  {
    const tp = v('TypeProvided');
    const rt = v('RecordType');
    const listed = Object.keys(typeProvided);
    const ok = `CASE ${rt} ${Object.entries(typeProvided).map(([r, l]) => `WHEN ${lit(r)} THEN ${inList(tp, Object.keys(l.values))}`).join(' ')} ELSE true END`;
    checks.push({
      file: 'Services.csv', field: 'TypeProvided', check: 'missing', severity: 'error', needs: { 'Services.csv': ['TypeProvided', 'ServicesID'] }, idField: 'ServicesID',
      ...overRows('Services.csv', 'ServicesID', `${tp} IS NULL`),
      message: 'Type of service missing (empty)',
    }, {
      file: 'Services.csv', field: 'TypeProvided', check: 'unlisted', severity: 'error', needs: { 'Services.csv': ['TypeProvided', 'RecordType', 'ServicesID'] }, idField: 'ServicesID',
      ...overRows('Services.csv', 'ServicesID', `${tp} IS NOT NULL AND ${inList(rt, listed)} AND NOT (${ok})`),
      message: "Type of service: code not in the HUD list of its RecordType (not judged where the RecordType is itself unlisted)",
      detail: async (db) => unlistedDetail(await db.all<{ v: string; n: number }>(`SELECT ${rt} || '/' || ${tp} AS v, count(*) AS n FROM ${tbl('Services.csv')} WHERE ${tp} IS NOT NULL AND ${inList(rt, listed)} AND NOT (${ok}) GROUP BY 1 ORDER BY 2 DESC, 1`), /^\d{1,4}\/-?\d{1,4}$/),
    });
  }
  for (const f of ASSESSMENT_FILES) {
    checks.push(...dateChecks(f, 'InformationDate', 'Information date'));
    checks.push(...codedChecks(f, 'DataCollectionStage', L.dataCollectionStage, 'error', 'Data collection stage'));
  }

  // Record ids and references.
  for (const f of Object.keys(DQ_FILES) as DqFile[]) checks.push(duplicateIdCheck(f));
  checks.push(referenceCheck('Enrollment.csv', 'PersonalID', 'Client.csv'), referenceCheck('Enrollment.csv', 'ProjectID', 'Project.csv'));
  checks.push(referenceCheck('Exit.csv', 'EnrollmentID', 'Enrollment.csv'), referenceCheck('Services.csv', 'EnrollmentID', 'Enrollment.csv'));
  for (const f of ASSESSMENT_FILES) checks.push(referenceCheck(f, 'EnrollmentID', 'Enrollment.csv'));

  // Dates out of order.
  const enrNeeds = ['EnrollmentID', 'PersonalID', 'ProjectID', 'EntryDate'];
  checks.push({
    file: 'Exit.csv', field: 'ExitDate', check: 'exit_before_entry', severity: 'error', needs: { 'Exit.csv': ['ExitID', 'EnrollmentID', 'ExitDate'], 'Enrollment.csv': enrNeeds }, idField: 'ExitID',
    sql: () => `SELECT ${v('ExitID', 'x.')} AS id, ${dt('ExitDate', 'x.')} < e.entry AS bad FROM ${tbl('Exit.csv')} x JOIN _dqctx_enr e ON e.eid = ${v('EnrollmentID', 'x.')}
      WHERE e.entry IS NOT NULL AND ${dt('ExitDate', 'x.')} IS NOT NULL`,
    message: "Project exit before start: the exit date is before the enrolment's entry date",
  });
  if (exportDate) {
    checks.push({
      file: 'Exit.csv', field: 'ExitDate', check: 'future_exit', severity: 'error', needs: { 'Exit.csv': ['ExitID', 'ExitDate'] }, idField: 'ExitID',
      ...overRows('Exit.csv', 'ExitID', `${dt('ExitDate')} > DATE ${lit(exportDate)}`, `${dt('ExitDate')} IS NOT NULL`),
      message: `Future exit date: after the export was made (${exportDate})`,
    });
  }
  checks.push({
    file: 'Services.csv', field: 'DateProvided', check: 'service_before_entry', severity: 'error', needs: { 'Services.csv': ['ServicesID', 'EnrollmentID', 'DateProvided'], 'Enrollment.csv': enrNeeds }, idField: 'ServicesID',
    sql: () => `SELECT ${v('ServicesID', 's.')} AS id, ${dt('DateProvided', 's.')} < e.entry AS bad FROM ${tbl('Services.csv')} s JOIN _dqctx_enr e ON e.eid = ${v('EnrollmentID', 's.')}
      WHERE e.entry IS NOT NULL AND ${dt('DateProvided', 's.')} IS NOT NULL`,
    message: "Service dated before the enrolment's entry date",
  }, {
    file: 'Services.csv', field: 'DateProvided', check: 'service_after_exit', severity: 'error',
    needs: { 'Services.csv': ['ServicesID', 'EnrollmentID', 'DateProvided'], 'Enrollment.csv': enrNeeds, 'Exit.csv': ['EnrollmentID', 'ExitDate'] }, idField: 'ServicesID',
    sql: () => `SELECT ${v('ServicesID', 's.')} AS id, ${dt('DateProvided', 's.')} > x.exit AS bad FROM ${tbl('Services.csv')} s JOIN _dqctx_exit x ON x.eid = ${v('EnrollmentID', 's.')}
      WHERE x.exit IS NOT NULL AND ${dt('DateProvided', 's.')} IS NOT NULL`,
    message: "Service dated after the enrolment's exit date (its latest exit)",
  });
  checks.push({
    file: 'Enrollment.csv', field: 'EntryDate / Client.DOB', check: 'dob_after_entry', severity: 'error', needs: { 'Enrollment.csv': enrNeeds, 'Client.csv': ['PersonalID', 'DOB'] }, idField: 'EnrollmentID',
    sql: () => `SELECT e.eid AS id, c.dob > e.entry AS bad FROM _dqctx_enr e JOIN (SELECT ${v('PersonalID')} AS pid, any_value(${dt('DOB')}) AS dob FROM ${tbl('Client.csv')} GROUP BY 1) c USING (pid)
      WHERE e.entry IS NOT NULL AND c.dob IS NOT NULL`,
    message: 'Incorrect DOB or entry date: the client entered the project before being born',
  }, {
    file: 'Enrollment.csv', field: 'EntryDate / Client.DOB', check: 'age_over_100', severity: 'warning', needs: { 'Enrollment.csv': enrNeeds, 'Client.csv': ['PersonalID', 'DOB'] }, idField: 'EnrollmentID',
    sql: () => `SELECT e.eid AS id, date_diff('year', c.dob, e.entry) - CASE WHEN strftime(e.entry, '%m-%d') < strftime(c.dob, '%m-%d') THEN 1 ELSE 0 END > 100 AS bad
      FROM _dqctx_enr e JOIN (SELECT ${v('PersonalID')} AS pid, any_value(${dt('DOB')}) AS dob FROM ${tbl('Client.csv')} GROUP BY 1) c USING (pid) WHERE e.entry IS NOT NULL AND c.dob IS NOT NULL`,
    message: 'Possible incorrect DOB: the client was over 100 years old at entry',
  });
  for (const f of ASSESSMENT_FILES) {
    const id = DQ_FILES[f];
    checks.push({
      file: f, field: 'InformationDate', check: 'information_date_outside_enrollment', severity: 'warning',
      needs: { [f]: [id, 'EnrollmentID', 'InformationDate', 'DataCollectionStage'], 'Enrollment.csv': enrNeeds, 'Exit.csv': ['EnrollmentID', 'ExitDate'] }, idField: id,
      sql: () => `SELECT ${v(id, 'a.')} AS id, (${dt('InformationDate', 'a.')} < e.entry OR (${dt('InformationDate', 'a.')} > x.exit AND ${v('DataCollectionStage', 'a.')} IS DISTINCT FROM '6')) AS bad
        FROM ${tbl(f)} a JOIN _dqctx_enr e ON e.eid = ${v('EnrollmentID', 'a.')} LEFT JOIN _dqctx_exit x ON x.eid = e.eid
        WHERE e.entry IS NOT NULL AND ${dt('InformationDate', 'a.')} IS NOT NULL`,
      message: 'Information date before the enrolment\'s entry, or after its exit (post-exit records, stage 6, excepted)',
    });
  }

  // Long stayers, duplicates and overlaps.
  const limits = Object.entries(longStay).filter((e): e is [string, number] => typeof e[1] === 'number');
  const limitSql = `CASE p.ptype ${limits.map(([t, d]) => `WHEN ${lit(t)} THEN ${d}`).join(' ')} END`;
  const projects = `(SELECT ${v('ProjectID')} AS prj, any_value(${v('ProjectType')}) AS ptype FROM ${tbl('Project.csv')} GROUP BY 1)`;
  const typeName = (t: string) => ({ '0': 'ES entry/exit', '1': 'ES night-by-night', '2': 'TH', '4': 'SO', '6': 'SSO', '7': 'Other', '8': 'SH', '11': 'Day shelter', '12': 'HP', '13': 'RRH', '14': 'CE' })[t] ?? `type ${t}`;
  checks.push({
    file: 'Enrollment.csv', field: 'EntryDate', check: 'long_stay', severity: 'warning',
    needs: { 'Enrollment.csv': enrNeeds, 'Exit.csv': ['EnrollmentID', 'ExitDate'], 'Project.csv': ['ProjectID', 'ProjectType'] }, idField: 'EnrollmentID',
    sql: () => `SELECT e.eid AS id, date_diff('day', e.entry, DATE ${lit(refDate.date)}) > ${limitSql} AS bad
      FROM _dqctx_enr e JOIN ${projects} p USING (prj)
      WHERE e.entry IS NOT NULL AND ${limitSql} IS NOT NULL AND NOT EXISTS (SELECT 1 FROM ${tbl('Exit.csv')} x WHERE ${v('EnrollmentID', 'x.')} = e.eid)`,
    message: `Long stayer: no exit, and open longer than expected for the project type as of ${refDate.date} (${refDate.source}); days: ${limits.map(([t, d]) => `${typeName(t)} ${d}`).join(', ')}`,
  });
  checks.push({
    file: 'Enrollment.csv', field: 'PersonalID / ProjectID / EntryDate', check: 'duplicate_enrollment', severity: 'error', needs: { 'Enrollment.csv': enrNeeds }, idField: 'EnrollmentID',
    sql: () => `SELECT eid AS id, row_number() OVER (PARTITION BY pid, prj, entry ORDER BY eid) > 1 AS bad FROM _dqctx_enr WHERE pid IS NOT NULL AND prj IS NOT NULL AND entry IS NOT NULL`,
    message: 'Duplicate entries: another enrolment of the same client in the same project on the same entry date (each one after the first counted)',
  });
  checks.push({
    file: 'Enrollment.csv', field: 'EntryDate / Exit.ExitDate', check: 'overlapping_stays', severity: 'warning',
    needs: { 'Enrollment.csv': enrNeeds, 'Exit.csv': ['EnrollmentID', 'ExitDate'], 'Project.csv': ['ProjectID', 'ProjectType'] }, idField: 'EnrollmentID',
    sql: () => `WITH s AS (
        SELECT e.eid, e.pid, e.entry, coalesce(x.exit, DATE ${lit(refDate.date)}) AS leave FROM _dqctx_enr e JOIN ${projects} p USING (prj) LEFT JOIN _dqctx_exit x USING (eid)
        WHERE e.entry IS NOT NULL AND e.pid IS NOT NULL AND ${inList('p.ptype', OVERLAP_TYPES)})
      SELECT a.eid AS id, EXISTS (SELECT 1 FROM s b WHERE b.pid = a.pid AND b.eid <> a.eid AND b.entry < a.leave AND a.entry < b.leave) AS bad FROM s a`,
    message: 'Project overlaps: the client has another stay in a residential project (ES entry/exit, TH, SH) on the same nights',
  });
  return checks;
}

/**
 * Computes the data-quality report of the HMIS export in `exportDir` and stores it in
 * `data_quality` under `runId` (replacing a report stored for that run), in its own transaction.
 */
export async function hmisDataQuality(db: Db, exportDir: string, opts: DqOptions): Promise<{ rows: DqRow[]; summary: DqSummary }> {
  const found = await findFiles(exportDir);
  const files = new Map<DqFile, FileState>();
  const rows: DqRow[] = [];
  const temp: string[] = [];
  try {
    // Each file's columns first (the format and which checks can run depend on them), then each file read once.
    for (const name of Object.keys(DQ_FILES) as DqFile[]) {
      const p = found.get(name.toLowerCase());
      if (!p) files.set(name, { absent: 'file absent', columns: new Set(), rows: 0, deleted: 0 });
      else if (fs.statSync(p).size === 0) files.set(name, { absent: 'file empty (0 bytes)', columns: new Set(), rows: 0, deleted: 0 });
      else {
        try {
          files.set(name, { path: p, columns: await fileColumns(db, p, name), rows: 0, deleted: 0 });
        } catch (e) {
          files.set(name, { absent: `file unreadable (${e instanceof Error ? e.message.split('\n')[0] : String(e)})`, columns: new Set(), rows: 0, deleted: 0 });
        }
      }
    }
    // Reference date: the export's end (Eva's long stayers count to it), else its date, else today.
    let exportEnd: string | null = null;
    let exportDate: string | null = null;
    const exportFile = found.get('export.csv');
    if (exportFile) {
      try {
        const e = await db.one<{ end: string | null; made: string | null }>(`SELECT strftime(${dateOf('ExportEndDate')}, '%Y-%m-%d') AS end, strftime(${dateOf('ExportDate')}, '%Y-%m-%d') AS made
          FROM read_csv(${lit(exportFile)}, header=true, all_varchar=true, delim=',', quote='"', escape='"') LIMIT 1`);
        exportEnd = e?.end ?? null;
        exportDate = e?.made ?? null;
      } catch {
        // no usable Export.csv: fall back below
      }
    }
    const refDate = exportEnd ? { date: exportEnd, source: 'the export end date' } : exportDate ? { date: exportDate, source: 'the export date' } : { date: opts.asOf ?? new Date().toISOString().slice(0, 10), source: 'today' };
    const fy = opts.fiscalYear ?? (files.get('Client.csv')!.columns.has('Sex') ? 2026 : 2024);
    const checks = buildChecks(refDate, exportDate, { ...LONG_STAY_DAYS, ...(opts.longStayDays ?? {}) }, fy);
    // The columns read: those the checks and the enrolment context use.
    const needed = new Map<DqFile, Set<string>>(Object.entries(CONTEXT_COLUMNS).map(([f, cols]) => [f as DqFile, new Set(cols)]));
    for (const c of checks) {
      for (const [file, cols] of Object.entries(c.needs) as Array<[DqFile, string[]]>) {
        const set = needed.get(file) ?? new Set<string>();
        for (const col of [...cols, c.idField]) set.add(col);
        needed.set(file, set);
      }
    }
    for (const name of Object.keys(DQ_FILES) as DqFile[]) {
      const f = files.get(name)!;
      if (f.absent) continue;
      try {
        files.set(name, await loadFile(db, f.path!, name, f.columns, needed.get(name) ?? new Set()));
        temp.push(tbl(name));
      } catch (e) {
        files.set(name, { absent: `file unreadable (${e instanceof Error ? e.message.split('\n')[0] : String(e)})`, columns: new Set(), rows: 0, deleted: 0 });
      }
    }
    await enrolmentContext(db, files);
    temp.push('_dqctx_enr', '_dqctx_exit');

    for (const [name, f] of files) {
      rows.push({
        file: name, field: '*', check: 'rows', severity: 'info', status: f.absent ? 'not_checked' : 'checked', rowsChecked: f.absent ? null : f.rows, problems: f.absent ? null : 0,
        idField: DQ_FILES[name], exampleIds: [], message: f.absent ? `not checked: ${f.absent}` : `${f.rows} row(s) checked${f.deleted ? `; ${f.deleted} marked deleted (DateDeleted), not checked` : ''}`,
      });
    }
    const whyNot = (c: Check): string | undefined => {
      for (const [file, cols] of Object.entries(c.needs) as Array<[DqFile, string[]]>) {
        const f = files.get(file)!;
        if (f.absent) return `not checked: ${f.absent} (${file})`;
        const gone = cols.filter((col) => !f.columns.has(col));
        if (gone.length) return `not checked: ${file} has no column ${gone.join(', ')}`;
      }
      return undefined;
    };
    // Checks over one file's rows alone: counted together, one pass per file.
    const counted = new Map<Check, { n: number; bad: number; ex: string[] | null }>();
    for (const name of Object.keys(DQ_FILES) as DqFile[]) {
      const group = checks.filter((c) => c.file === name && c.rowCheck && !whyNot(c));
      if (group.length) for (const [c, r] of await countRowChecks(db, name, group)) counted.set(c, r);
    }
    for (const c of checks) {
      const base = { file: c.file, field: c.field, check: c.check, severity: c.severity, idField: c.idField };
      const why = whyNot(c);
      if (why) {
        rows.push({ ...base, status: 'not_checked', rowsChecked: null, problems: null, exampleIds: [], message: `${why} (${c.message})` });
        continue;
      }
      const r = counted.get(c) ?? (await db.one<{ n: number; bad: number; ex: string[] | null }>(
        `SELECT count(*) AS n, count(*) FILTER (WHERE bad) AS bad, (list(id ORDER BY id) FILTER (WHERE bad AND id IS NOT NULL))[1:${EXAMPLES}] AS ex FROM (${c.sql()})`,
        undefined, `data quality: check ${c.file} ${c.field} ${c.check} failed`,
      ))!;
      const detail = r.bad && c.detail ? await c.detail(db) : '';
      rows.push({ ...base, status: 'checked', rowsChecked: r.n, problems: r.bad, exampleIds: r.ex ?? [], message: c.message + detail });
    }
  } finally {
    for (const t of temp) await db.run(`DROP TABLE IF EXISTS ${t}`).catch(() => undefined);
  }

  await db.transaction(async () => {
    await db.run('DELETE FROM data_quality WHERE run_id = $1', [opts.runId]);
    for (const r of rows) {
      await db.run(
        `INSERT INTO data_quality VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, ${r.exampleIds.length ? `[${r.exampleIds.map(lit).join(', ')}]` : '[]'}::VARCHAR[], $11, now()::TIMESTAMP)`,
        [opts.runId, opts.system, r.file, r.field, r.check, r.severity, r.status, r.rowsChecked, r.problems, r.idField, r.message],
        'could not store the data-quality report',
      );
    }
  });
  return { rows, summary: summarize(opts.runId, rows) };
}

export function summarize(runId: number, rows: DqRow[]): DqSummary {
  const sum = (s: DqSeverity) => rows.filter((r) => r.severity === s).reduce((t, r) => t + (r.problems ?? 0), 0);
  const withProblems = (s: DqSeverity) => rows.filter((r) => r.severity === s && (r.problems ?? 0) > 0).length;
  return {
    runId, errors: sum('error'), warnings: sum('warning'), checksWithErrors: withProblems('error'), checksWithWarnings: withProblems('warning'),
    notChecked: rows.filter((r) => r.status === 'not_checked').length,
  };
}

export interface DqReport {
  runId: number;
  system: string;
  checkedAt: string;
  /** the ingest run's pipeline and when it finished, when ingest_runs still has it */
  pipeline: string | null;
  summary: DqSummary;
  rows: DqRow[];
}

/** The stored report of run `runId`, or of the latest run that has one; null when there is none. */
export async function readDataQuality(db: Db, runId?: number): Promise<DqReport | null> {
  const exists = await db.value<number>("SELECT count(*) FROM information_schema.tables WHERE table_name = 'data_quality' AND table_schema = 'main'");
  if (!exists) return null;
  const run = runId ?? (await db.value<number | null>('SELECT max(run_id) FROM data_quality'));
  if (run === null || run === undefined) return null;
  const stored = await db.all<{
    system: string; file: string; field: string; check_id: string; severity: DqSeverity; status: 'checked' | 'not_checked'; rows_checked: number | null;
    problems: number | null; id_field: string | null; example_ids: string[] | null; message: string; checked_at: string;
  }>(`SELECT system, file, field, check_id, severity, status, rows_checked, problems, id_field, example_ids, message, strftime(checked_at, '%Y-%m-%d %H:%M:%S') AS checked_at
      FROM data_quality WHERE run_id = $1 ORDER BY file, check_id = 'rows' DESC, field, check_id`, [run]);
  if (!stored.length) return null;
  const order = Object.keys(DQ_FILES);
  const rows: DqRow[] = stored
    .map((r) => ({
      file: r.file, field: r.field, check: r.check_id, severity: r.severity, status: r.status, rowsChecked: r.rows_checked, problems: r.problems,
      idField: r.id_field, exampleIds: r.example_ids ?? [], message: r.message,
    }))
    .sort((a, b) => order.indexOf(a.file) - order.indexOf(b.file));
  const pipeline = await db.value<string | null>('SELECT pipeline FROM ingest_runs WHERE run_id = $1', [run]);
  return { runId: run, system: stored[0]!.system, checkedAt: stored[0]!.checked_at, pipeline: pipeline ?? null, summary: summarize(run, rows), rows };
}

/** One line: "run 3 (hmis): 12 error(s) in 3 check(s), 40 warning(s) in 5 check(s), 2 check(s) not run". */
export function summaryLine(r: Pick<DqReport, 'runId' | 'system' | 'summary'>): string {
  const s = r.summary;
  return `data quality of run ${r.runId} (${r.system}): ${s.errors} error(s) in ${s.checksWithErrors} check(s), ${s.warnings} warning(s) in ${s.checksWithWarnings} check(s)` +
    `${s.notChecked ? `, ${s.notChecked} check(s) not run` : ''}`;
}

/** `caselens dq [--run N] [--json]`: the stored report of the latest HMIS load (or run N), by file. */
export async function dataQualityCommand(db: Db, o: { run?: string | undefined; json: boolean; out: (s: string) => void }): Promise<number> {
  let runId: number | undefined;
  if (o.run !== undefined) {
    runId = Number(o.run);
    if (!Number.isInteger(runId) || runId < 1) throw new UsageError(`--run must be a run number (caselens status lists them), got "${o.run}"`);
  }
  const report = await readDataQuality(db, runId);
  if (!report) {
    if (runId !== undefined) throw new CaselensError(`run ${runId} has no data-quality report: only HMIS loads (caselens ingest-hmis) have one`, { exitCode: exitCodes.usage, status: 404 });
    if (o.json) o.out(JSON.stringify(null));
    else o.out('no data-quality report yet: load an HMIS export with caselens ingest-hmis <folder|zip>');
    return exitCodes.ok;
  }
  if (o.json) {
    o.out(JSON.stringify(report, null, 2));
    return exitCodes.ok;
  }
  for (const file of [...new Set(report.rows.map((r) => r.file))]) {
    const of = report.rows.filter((r) => r.file === file);
    const head = of.find((r) => r.check === 'rows');
    o.out(`\n${file}: ${head?.message ?? ''}`);
    const shown = of.filter((r) => r.check !== 'rows' && (head?.status !== 'not_checked' || r.status !== 'not_checked'));
    if (head?.status === 'not_checked') {
      o.out(`  ${of.filter((r) => r.check !== 'rows').length} check(s) not run`);
      continue;
    }
    o.out(table(shown.map((r) => ({
      field: r.field, check: r.check, severity: r.severity,
      problems: r.status === 'not_checked' ? 'not checked' : `${r.problems} of ${r.rowsChecked}`,
      examples: r.exampleIds.length ? `${r.idField} ${r.exampleIds.join(', ')}` : '',
    })), ['field', 'check', 'severity', 'problems', 'examples']));
  }
  o.out(`\n${summaryLine(report)}`);
  return exitCodes.ok;
}

/**
 * Called by `ingestHmis` once a load has been committed: computes and stores the report of the
 * export just loaded. A failure here does not undo the load: it becomes a note.
 */
export async function dataQualityAfterLoad(db: Db, exportDir: string, report: { status: string; runId: number }, system: string, notes: string[]): Promise<DqSummary | undefined> {
  if (report.status !== 'succeeded') return undefined;
  try {
    const { summary } = await hmisDataQuality(db, exportDir, { runId: report.runId, system });
    notes.push(`data quality: ${summary.errors} error(s) in ${summary.checksWithErrors} check(s), ${summary.warnings} warning(s) in ${summary.checksWithWarnings} check(s)${summary.notChecked ? `, ${summary.notChecked} check(s) not run (files the export lacks)` : ''}: caselens dq`);
    return summary;
  } catch (e) {
    notes.push(`data quality: the report could not be made (${e instanceof Error ? e.message.split('\n')[0] : String(e)}); the load itself is complete`);
    return undefined;
  }
}
