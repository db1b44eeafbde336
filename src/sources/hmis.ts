/**
 * HUD HMIS CSV exports: find the export (a folder or a zip), read Export.csv, check the CSV
 * version, fill in files the export lacks, and run `pipelines/hmis-csv.yaml` through the
 * ingestion engine. Exit rows, which the pipeline joins onto enrolments, are accounted for
 * here: each is applied, deleted, or rejected with its line and a reason.
 */
import { isUtf8 } from 'node:buffer';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CaselensError, ConfigError, exitCodes } from '../errors.ts';
import { parsePipelineFile, runPipeline, type IngestProgress, type IngestReport, type Pipeline, type Source, type SourceReport } from '../ingest/index.ts';
import { mapLines, recordLines } from '../ingest/csv-lines.ts';
import { neededColumns, normaliseMappings, placeholders } from '../ingest/validate.ts';
import { lit, type Db } from '../store/index.ts';
import { dataQualityAfterLoad, type DqSummary } from './hmis-dq.ts';
import { prepareManagers } from './hmis-managers.ts';
import { HMIS_DATE_FORMATS, HMIS_EXPORT_ENV, HMIS_FILES_READ, HMIS_PIPELINE_FILES } from './hmis-pipeline.ts';
import { HUD, type HmisFiscalYear } from './hmis-values.ts';
import { extractZip, isZipFile } from './zip.ts';

export const PROJECT_ROOT = path.resolve(import.meta.dirname, '..', '..');

/** CSV versions this build reads: HUD's FY2024 and FY2026 formats, every release of each (2024 v1 … v1.x, 2026 v1 … v1.x). */
export const HMIS_SUPPORTED = {
  fiscalYears: [2024, 2026] as readonly HmisFiscalYear[],
  label: 'FY2026 (CSVVersion "2026 v1" … "2026 v1.x") and FY2024 ("2024 v1" … "2024 v1.x")',
} as const;

const isSupported = (fy: number | null): fy is HmisFiscalYear => fy !== null && (HMIS_SUPPORTED.fiscalYears as readonly number[]).includes(fy);

export class HmisExportError extends CaselensError {
  constructor(message: string) {
    super(message, { exitCode: exitCodes.rejected, status: 422 });
    this.name = 'HmisExportError';
  }
}

export class UnsupportedHmisVersionError extends HmisExportError {
  readonly csvVersion: string | null;
  readonly fiscalYear: number | null;
  constructor(csvVersion: string | null, fiscalYear: number | null, evidence: string) {
    super(
      `HMIS CSV ${fiscalYear ? `FY${fiscalYear}` : 'version'} ${csvVersion ? `("${csvVersion}") ` : ''}is not supported: caselens reads the ${HMIS_SUPPORTED.label} formats (${evidence}). ` +
        'Export the data from your HMIS in the FY2026 format (or FY2024), or convert it; nothing was loaded',
    );
    this.name = 'UnsupportedHmisVersionError';
    this.csvVersion = csvVersion;
    this.fiscalYear = fiscalYear;
  }
}

export interface HmisExportInfo {
  /** folder holding the export's CSV files (a temporary folder for a zip) */
  dir: string;
  /** what the user pointed at */
  input: string;
  zipped: boolean;
  csvVersion: string | null;
  fiscalYear: number;
  exportId: string | null;
  sourceName: string | null;
  softwareName: string | null;
  exportDate: string | null;
  exportStartDate: string | null;
  exportEndDate: string | null;
  /** 1 full refresh? see HUD list 1.2: 1 delta, 2 full, 3 other */
  exportDirective: string | null;
  /** HUD list 1.5: 1 unhashed, 2-4 hashed names and SSNs */
  hashStatus: string | null;
  /** file name (as HUD spells it, e.g. "Client.csv") → actual path */
  files: Map<string, string>;
  /** removes the temporary folder of a zipped export */
  cleanup(): void;
}

/** Splits CSV text into records of fields (RFC 4180 quotes, CRLF or LF, BOM dropped). */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cur = '';
  let quoted = false;
  const s = text.replace(/^\uFEFF/, '');
  for (let i = 0; i < s.length; i++) {
    const ch = s[i]!;
    if (quoted) {
      if (ch === '"') {
        if (s[i + 1] === '"') {
          cur += '"';
          i++;
        } else quoted = false;
      } else cur += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      row.push(cur);
      cur = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && s[i + 1] === '\n') i++;
      row.push(cur);
      rows.push(row);
      row = [];
      cur = '';
    } else cur += ch;
  }
  if (cur !== '' || row.length) {
    row.push(cur);
    rows.push(row);
  }
  return rows.filter((r) => !(r.length === 1 && r[0] === ''));
}

/** The first line of a CSV file, split into column names (enough for version fingerprints). */
function headerOf(file: string): string[] {
  const fd = fs.openSync(file, 'r');
  try {
    const buf = Buffer.alloc(64 * 1024);
    const n = fs.readSync(fd, buf, 0, buf.length, 0);
    const first = buf.subarray(0, n).toString('utf8').split(/\r?\n/)[0] ?? '';
    return parseCsv(first)[0]?.map((h) => h.trim()) ?? [];
  } finally {
    fs.closeSync(fd);
  }
}

/** Finds the folder with Export.csv: the folder itself or its only sub-folder that has one. */
function findExportFolder(dir: string, shown: string): string {
  const has = (d: string) => fs.readdirSync(d).some((f) => f.toLowerCase() === 'export.csv');
  if (has(dir)) return dir;
  const subs = fs.readdirSync(dir, { withFileTypes: true }).filter((d) => d.isDirectory() && !d.name.startsWith('__MACOSX')).map((d) => path.join(dir, d.name)).filter(has);
  if (subs.length === 1) return subs[0]!;
  if (subs.length > 1) throw new HmisExportError(`${shown}: holds ${subs.length} HMIS exports (${subs.map((s) => path.basename(s)).join(', ')}); point at one of them`);
  throw new HmisExportError(`${shown}: no Export.csv found; an HMIS CSV export always has one (is this the right folder or zip?)`);
}

const FY_FINGERPRINT: Array<{ fiscalYear: number; column: string }> = [
  { fiscalYear: 2026, column: 'Sex' },
  { fiscalYear: 2024, column: 'Woman' },
  { fiscalYear: 2022, column: 'Female' },
];

/**
 * Fiscal year of the format from its CSVVersion, read loosely: "2024 v1.3", "2026 v1", "2026 v1.0",
 * "FY2026", "FY 2026 v1", "HMIS CSV 2026", "FY26" → 2024 / 2026; null when it names no year.
 */
export function fiscalYearOf(csvVersion: string | null): number | null {
  const v = csvVersion ?? '';
  const full = /(?<!\d)(20\d\d)(?!\d)/.exec(v);
  if (full) return Number(full[1]);
  const short = /\bFY\s*-?\s*(\d\d)(?!\d)/i.exec(v);
  return short ? 2000 + Number(short[1]) : null;
}

/**
 * Opens an HMIS CSV export given as a folder or a zip, reads Export.csv and checks the CSV
 * version (CSVVersion, cross-checked with Client.csv's columns). Unsupported versions are refused
 * before anything is read further. Call `cleanup()` when done.
 */
export async function openHmisExport(input: string, opts: { tmpDir?: string } = {}): Promise<HmisExportInfo> {
  const abs = path.resolve(input);
  let stat: fs.Stats;
  try {
    stat = fs.statSync(abs);
  } catch {
    throw new HmisExportError(`${input}: not found; give an HMIS CSV export folder or zip`);
  }
  let dir: string;
  let tmp: string | undefined;
  const cleanup = () => {
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
    tmp = undefined;
  };
  try {
    if (stat.isFile()) {
      if (!isZipFile(abs)) throw new HmisExportError(`${input}: neither a folder nor a zip file; give the export folder or its zip`);
      tmp = fs.mkdtempSync(path.join(opts.tmpDir ?? os.tmpdir(), 'caselens-hmis-'));
      const extracted = await extractZip(abs, tmp, (name) => /\.csv$/i.test(name) && !name.startsWith('__MACOSX/'));
      if (extracted.length === 0) throw new HmisExportError(`${input}: the zip holds no CSV files`);
      dir = findExportFolder(tmp, input);
    } else {
      dir = findExportFolder(abs, input);
    }
    const files = new Map<string, string>();
    for (const f of fs.readdirSync(dir)) if (/\.csv$/i.test(f)) files.set(canonicalName(f), path.join(dir, f));
    const exportFile = files.get('Export.csv')!;
    const rows = parseCsv(fs.readFileSync(exportFile, 'utf8'));
    const header = rows[0]?.map((h) => h.trim()) ?? [];
    const records = rows.slice(1).filter((r) => r.some((f) => f.trim() !== ''));
    const record = records[0];
    if (!record) throw new HmisExportError(`${exportFile}: Export.csv has no data row; it must describe the export (ExportID, CSVVersion, …)`);
    const getIn = (r: string[], name: string): string | null => {
      const i = header.indexOf(name);
      const v = i >= 0 ? r[i]?.trim() : undefined;
      return v ? v : null;
    };
    const get = (name: string) => getIn(record, name);
    // Some systems write one Export.csv row per export run or source: they must agree on the format.
    const versions = [...new Set(records.map((r) => getIn(r, 'CSVVersion')).filter((v): v is string => v !== null))];
    const years = [...new Set(versions.map(fiscalYearOf))];
    if (years.length > 1) {
      throw new HmisExportError(
        `${exportFile}: Export.csv has ${records.length} rows that disagree on the format (CSVVersion ${versions.map((v) => `"${v}"`).join(', ')}); ` +
          'an export must be in one format: export it again, nothing was loaded',
      );
    }
    const csvVersion = versions.length === 0 ? null : versions.find((v) => fiscalYearOf(v) !== null) ?? versions[0]!;
    const declared = fiscalYearOf(csvVersion);
    const clientFile = files.get('Client.csv');
    const clientHeader = clientFile && fs.statSync(clientFile).size > 0 ? headerOf(clientFile) : [];
    const byColumns = FY_FINGERPRINT.find((f) => clientHeader.includes(f.column))?.fiscalYear ?? null;
    if (declared !== null && byColumns !== null && declared !== byColumns) {
      throw new HmisExportError(
        `${exportFile}: CSVVersion says "${csvVersion}" but Client.csv has the FY${byColumns} columns (${FY_FINGERPRINT.find((f) => f.fiscalYear === byColumns)!.column}); the export is inconsistent, nothing was loaded`,
      );
    }
    const fiscalYear = declared ?? byColumns;
    if (!isSupported(fiscalYear)) {
      throw new UnsupportedHmisVersionError(
        csvVersion,
        fiscalYear,
        csvVersion ? `Export.csv CSVVersion is "${csvVersion}"` : byColumns ? `Export.csv has no CSVVersion and Client.csv has the FY${byColumns} columns` : 'Export.csv has no CSVVersion and Client.csv does not tell',
      );
    }
    return {
      dir, input, zipped: tmp !== undefined, csvVersion, fiscalYear, files, cleanup,
      exportId: get('ExportID'), sourceName: get('SourceName'), softwareName: get('SoftwareName'), exportDate: get('ExportDate'),
      exportStartDate: get('ExportStartDate'), exportEndDate: get('ExportEndDate'), exportDirective: get('ExportDirective'), hashStatus: get('HashStatus'),
    };
  } catch (e) {
    cleanup();
    throw e;
  }
}

/** HUD's spelling of a file name, whatever case the export used ("client.CSV" → "Client.csv"). */
const HUD_FILE_NAMES = [
  'Affiliation', 'Assessment', 'AssessmentQuestions', 'AssessmentResults', 'CEParticipation', 'Client', 'CurrentLivingSituation', 'Disabilities', 'EmploymentEducation',
  'Enrollment', 'Event', 'Exit', 'Export', 'Funder', 'HealthAndDV', 'HMISParticipation', 'IncomeBenefits', 'Inventory', 'Organization', 'Project', 'ProjectCoC', 'Services',
  'User', 'YouthEducationStatus',
];
function canonicalName(file: string): string {
  const base = file.replace(/\.csv$/i, '');
  return `${HUD_FILE_NAMES.find((n) => n.toLowerCase() === base.toLowerCase()) ?? base}.csv`;
}

export interface HmisIngestOptions {
  db: Db;
  /** export folder or zip */
  input: string;
  identityKey: string;
  rejectLimit: number;
  memoryLimit?: string;
  /** one pipeline for whatever version the export is (default: the bundled pipeline of its version, see pipelineFiles) */
  pipelineFile?: string;
  /** the pipeline of each version (default: pipelines/hmis-csv.yaml for FY2024, pipelines/hmis-csv-fy2026.yaml for FY2026, of the project) */
  pipelineFiles?: Partial<Record<HmisFiscalYear, string>>;
  /**
   * CSV mapping enrolments to their case managers, columns EnrollmentID,UserID (UserID as in User.csv).
   * HMIS CSV has no case-manager field: without this, cases get no manager.
   */
  managers?: string;
  /** folder the pipeline's relative paths resolve against (default: the project root) */
  baseDir?: string;
  progress?: IngestProgress;
  /** where file names in rejects are shown relative to (default: the export folder) */
  displayRoot?: string;
  env?: NodeJS.ProcessEnv;
  /** source system (default: the pipeline's, "hmis"); give each HMIS implementation its own */
  system?: string;
  /** text encoding of the export's files (default auto: UTF-8, UTF-16 by its mark, else Windows-1252, said in the notes) */
  encoding?: HmisEncoding;
  /** filled in with where the time went (benchmarks); nothing is measured without it */
  timings?: HmisTimings;
  /** make the data-quality report after the load (default true; `caselens dq` shows it) */
  dataQuality?: boolean;
}

/** Milliseconds spent in the parts of `ingestHmis` (the rest: opening, file preparation and scans, notes, clean-up). */
export interface HmisTimings {
  totalMs?: number;
  /** opening the export (unzip, version check) and preparing its files (scans, exit pre-filter, stand-ins), files not loaded */
  prepareMs?: number;
  /** runPipeline: the load itself, one transaction */
  loadMs?: number;
  /** the data-quality report after the load */
  dataQualityMs?: number;
}

export interface HmisIngestResult {
  report: IngestReport;
  export: Omit<HmisExportInfo, 'files' | 'cleanup'> & { files: string[] };
  /** HUD files the export lacks or has empty, that the pipeline reads: treated as having no rows */
  missingFiles: string[];
  /** export files caselens has no table for, with their row counts: not loaded */
  notLoaded: Array<{ file: string; rows: number }>;
  /** what a person should know about this load, in sentences */
  notes: string[];
  /** the data-quality report stored for this load (caselens dq): problems by severity */
  dataQuality?: DqSummary;
}

/**
 * Loads an HMIS CSV export (folder or zip) through `pipelines/hmis-csv.yaml` as one job. Throws
 * UnsupportedHmisVersionError for other versions, IngestFailedError when the job fails (nothing
 * loaded; its report says why).
 */
export async function ingestHmis(opts: HmisIngestOptions): Promise<HmisIngestResult> {
  const t0 = performance.now();
  const info = await openHmisExport(opts.input);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'caselens-hmis-work-'));
  try {
    const baseDir = opts.baseDir ?? PROJECT_ROOT;
    const fy = info.fiscalYear as HmisFiscalYear;
    const pipelineFile = opts.pipelineFile ?? opts.pipelineFiles?.[fy] ?? path.join(PROJECT_ROOT, HMIS_PIPELINE_FILES[fy]);
    const env = { ...(opts.env ?? process.env), [HMIS_EXPORT_ENV]: info.dir };
    const parsed = parsePipelineFile(pipelineFile, { baseDir, env, checkFiles: false });
    if (!parsed.pipeline) throw new ConfigError(parsed.problems);
    const notes: string[] = [];
    const managed = opts.managers ? await prepareManagers(opts.db, parsed.pipeline, opts.managers, info.files.get('User.csv'), work, notes) : parsed.pipeline;
    const prepared = await prepareFiles(opts.db, opts.system ? { ...managed, system: opts.system } : managed, info, work, baseDir, opts.encoding);
    const { pipeline, missing } = prepared;
    for (const m of missing) {
      const kept = prepared.kept.get(m);
      notes.push(
        `${m}: ${info.files.has(m) ? 'empty (0 bytes)' : 'not in the export'}; nothing loaded from it` +
          (kept ? `, and what it feeds was left as it was (${kept.join(', ')})` : ', and records it would have fed are unchanged'),
      );
    }
    notes.push(...prepared.notes);
    if (info.hashStatus && info.hashStatus !== '1') {
      let dropped = false;
      for (const s of pipeline.sources) {
        if (s.identity?.rules.some((r) => r.rule === 'name_dob')) {
          s.identity = { rules: s.identity.rules.filter((r) => r.rule !== 'name_dob') };
          dropped = true;
        }
      }
      if (dropped) notes.push(`names and SSNs in this export are hashed (HashStatus ${info.hashStatus}: ${HUD.hashStatus.values[info.hashStatus] ?? 'unknown'}): the name_dob identity rule was not applied, so clients are not linked to other sources by name`);
    }
    const notLoaded = await filesNotLoaded(info, pipeline);
    const t1 = performance.now();
    const report = await runPipeline({
      db: opts.db, pipeline, identityKey: opts.identityKey, rejectLimit: opts.rejectLimit,
      ...(opts.memoryLimit ? { memoryLimit: opts.memoryLimit } : {}),
      ...(opts.progress ? { progress: opts.progress } : {}),
      displayRoot: opts.displayRoot ?? info.dir,
      ...(prepared.exitFile
        ? { afterSources: (db: Db, runId: number) => accountExits(db, runId, prepared.exitFile!, info.files.get('Exit.csv')!, pipeline.system, opts.displayRoot ?? info.dir, prepared.enrollmentFile) }
        : {}),
    });
    const t2 = performance.now();
    await addUserNotes(opts.db, report, pipeline.system, notes, opts.managers);
    const t3 = performance.now();
    const dataQuality = opts.dataQuality === false ? undefined : await dataQualityAfterLoad(opts.db, info.dir, report, pipeline.system, notes);
    if (opts.timings) Object.assign(opts.timings, { prepareMs: t1 - t0, loadMs: t2 - t1, dataQualityMs: performance.now() - t3 });
    const { files, cleanup: _cleanup, ...rest } = info;
    return { report, export: { ...rest, files: [...files.keys()].sort() }, missingFiles: missing, notLoaded, notes, ...(dataQuality ? { dataQuality } : {}) };
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
    info.cleanup();
    if (opts.timings) opts.timings.totalMs = performance.now() - t0;
  }
}

export interface CsvScan {
  /** record terminators outside quoted values */
  crlf: number;
  lf: number;
  firstCrlfLine: number | null;
  firstLfLine: number | null;
  /** data records (after the header) */
  records: number;
  /** records whose number of fields differs from the header's */
  wrongFieldCount: number;
  /** the first byte that is not UTF-8, with its line (null: the file is UTF-8) */
  notUtf8: { line: number; byte: number } | null;
  /** the file ends inside a row: an open quote, or a last row short of fields with no line end */
  truncated: { line: number; why: string } | null;
}

/**
 * One pass over a CSV file's bytes: line endings (CRLF and bare LF outside quoted values; a file
 * with both cannot be parsed strictly), data records, and records with the wrong number of fields.
 */
export async function scanCsv(file: string): Promise<CsvScan> {
  let quoted = false;
  let prevCr = false;
  let line = 1;
  let fields = 1;
  let headerFields = -1;
  let recordHasBytes = false;
  let recordLine = 1;
  let utf8Need = 0;
  let lead = 0;
  const out: CsvScan = { crlf: 0, lf: 0, firstCrlfLine: null, firstLfLine: null, records: 0, wrongFieldCount: 0, notUtf8: null, truncated: null };
  const endRecord = () => {
    if (headerFields < 0) headerFields = fields;
    else if (recordHasBytes) {
      out.records++;
      if (fields !== headerFields) out.wrongFieldCount++;
    }
    fields = 1;
    recordHasBytes = false;
    recordLine = line + 1;
  };
  for await (const chunk of fs.createReadStream(file, { highWaterMark: 1 << 20 })) {
    const buf = chunk as Buffer;
    // A chunk that is valid UTF-8 as a whole (and starts no sequence midway) needs no byte-by-byte UTF-8 check.
    const checkUtf8 = out.notUtf8 === null && (utf8Need > 0 || !isUtf8(buf));
    const len = buf.length;
    for (let i = 0; i < len; i++) {
      const b = buf[i]!;
      // the bytes that matter here (quote, comma, CR, LF) are all below 0x2d: a run of others is part of a value
      if (b > 0x2c && !checkUtf8) {
        recordHasBytes = true;
        prevCr = false;
        while (i + 1 < len && buf[i + 1]! > 0x2c) i++;
        continue;
      }
      if (checkUtf8 && (b >= 0x80 || utf8Need > 0) && out.notUtf8 === null) {
        // UTF-8: a lead byte announces 1-3 continuation bytes (10xxxxxx)
        if (utf8Need > 0 && (b & 0xc0) === 0x80) utf8Need--;
        else if (utf8Need === 0 && b >= 0xc2 && b <= 0xdf) [utf8Need, lead] = [1, b];
        else if (utf8Need === 0 && (b & 0xf0) === 0xe0) [utf8Need, lead] = [2, b];
        else if (utf8Need === 0 && b >= 0xf0 && b <= 0xf4) [utf8Need, lead] = [3, b];
        else out.notUtf8 = { line, byte: utf8Need > 0 ? lead : b };
      }
      if (b === 0x22) {
        quoted = !quoted;
        recordHasBytes = true;
      } else if (b === 0x0a) {
        if (!quoted) {
          if (prevCr) {
            out.crlf++;
            out.firstCrlfLine ??= line;
          } else {
            out.lf++;
            out.firstLfLine ??= line;
          }
          endRecord();
        }
        line++;
      } else if (b === 0x2c && !quoted) {
        fields++;
        recordHasBytes = true;
      } else if (b !== 0x0d) recordHasBytes = true;
      prevCr = b === 0x0d;
    }
  }
  if (quoted) out.truncated = { line: recordLine, why: 'a quoted value is still open at the end of the file' };
  else if (recordHasBytes && headerFields > 0 && fields < headerFields) {
    out.truncated = { line: recordLine, why: `its last row has ${fields} of the header's ${headerFields} fields and no line end` };
  }
  if (utf8Need > 0 && out.notUtf8 === null) out.notUtf8 = { line, byte: lead };
  if (recordHasBytes || fields > 1) endRecord();
  return out;
}


async function normaliseLineEndings(file: string, target: string): Promise<void> {
  const out = fs.openSync(target, 'w');
  try {
    let quoted = false;
    let pendingCr = false;
    for await (const chunk of fs.createReadStream(file, { highWaterMark: 1 << 20 })) {
      const buf = chunk as Buffer;
      const kept = Buffer.alloc(buf.length + 1);
      let n = 0;
      if (pendingCr && buf[0] !== 0x0a) kept[n++] = 0x0d;
      pendingCr = false;
      for (let i = 0; i < buf.length; i++) {
        const b = buf[i]!;
        if (b === 0x22) quoted = !quoted;
        if (b === 0x0d && !quoted) {
          if (i + 1 === buf.length) {
            pendingCr = true;
            continue;
          }
          if (buf[i + 1] === 0x0a) continue;
        }
        kept[n++] = b;
      }
      fs.writeSync(out, kept, 0, n);
    }
    if (pendingCr) fs.writeSync(out, Buffer.from([0x0d]));
  } finally {
    fs.closeSync(out);
  }
}

/** Text encodings an export may be read in; `auto`: UTF-8, else UTF-16 by its byte-order mark, else Windows-1252. */
export const HMIS_ENCODINGS = ['auto', 'utf-8', 'windows-1252', 'latin1', 'utf-16le', 'utf-16be'] as const;
export type HmisEncoding = (typeof HMIS_ENCODINGS)[number];

/** The encoding a file must be converted from, and why; null when it is read as it is (UTF-8). */
function sourceEncoding(file: string, scan: CsvScan, option: HmisEncoding): { encoding: Exclude<HmisEncoding, 'auto' | 'utf-8'>; why: string } | null {
  if (option === 'utf-8') {
    if (scan.notUtf8) throw new HmisExportError(`${path.basename(file)}: not UTF-8 (line ${scan.notUtf8.line}: byte 0x${scan.notUtf8.byte.toString(16).toUpperCase()}), though --encoding utf-8 was given; give the file's encoding (e.g. --encoding windows-1252). Nothing was loaded`);
    return null;
  }
  if (option !== 'auto') return { encoding: option, why: `--encoding ${option}` };
  const head = Buffer.alloc(2);
  const fd = fs.openSync(file, 'r');
  try {
    fs.readSync(fd, head, 0, 2, 0);
  } finally {
    fs.closeSync(fd);
  }
  if (head[0] === 0xff && head[1] === 0xfe) return { encoding: 'utf-16le', why: 'UTF-16 (little-endian byte-order mark)' };
  if (head[0] === 0xfe && head[1] === 0xff) return { encoding: 'utf-16be', why: 'UTF-16 (big-endian byte-order mark)' };
  if (!scan.notUtf8) return null;
  // Windows-1252 (a superset of Latin-1's printable characters) is what exports from Windows systems use.
  return { encoding: 'windows-1252', why: `not UTF-8 (first at line ${scan.notUtf8.line}: byte 0x${scan.notUtf8.byte.toString(16).toUpperCase()})` };
}

async function transcodeToUtf8(file: string, target: string, encoding: string): Promise<void> {
  const decoder = new TextDecoder(encoding === 'latin1' ? 'iso-8859-1' : encoding);
  const out = fs.openSync(target, 'w');
  try {
    for await (const chunk of fs.createReadStream(file, { highWaterMark: 1 << 20 })) {
      // the decoder drops a byte-order mark itself
      fs.writeSync(out, decoder.decode(chunk as Buffer, { stream: true }));
    }
    fs.writeSync(out, decoder.decode());
  } finally {
    fs.closeSync(out);
  }
}

interface PreparedFiles {
  pipeline: Pipeline;
  missing: string[];
  /** missing file → the fields (table.field) it would have fed, kept as they were */
  kept: Map<string, string[]>;
  notes: string[];
  /** Exit.csv as read (possibly a normalised copy), for accounting its rows */
  exitFile?: string;
  /** Enrollment.csv as read, for checking exits against entry dates */
  enrollmentFile?: string;
}

/**
 * Makes every file the pipeline reads readable, without touching the export:
 * - a file the export lacks (HUD requires all of them, but partial exports are common) or that is
 *   empty becomes a header-only stand-in with the columns the pipeline uses from it;
 * - a file with mixed line endings (CRLF and LF) is read from a copy with LF endings;
 * - a file only joined onto another (Exit, Organization, and Project/User for names) is joined
 *   from a copy without its malformed rows; those rows are reported (exits as rejects).
 */
async function prepareFiles(db: Db, pipeline: Pipeline, info: HmisExportInfo, work: string, baseDir: string, encodingOption: HmisEncoding = 'auto'): Promise<PreparedFiles> {
  const copy: Pipeline = structuredClone(pipeline);
  const needed = new Map<string, Set<string>>();
  const joined = new Set<string>();
  const need = (file: string, cols: Iterable<string>) => {
    const set = needed.get(file) ?? new Set<string>();
    for (const c of cols) set.add(c);
    needed.set(file, set);
  };
  for (const s of copy.sources) {
    const prefixes = (s.join ?? []).map((j) => j.prefix);
    need(s.path, [...neededColumns(s).filter((c) => !prefixes.some((p) => c.startsWith(p))), ...(s.join ?? []).map((j) => j.on)]);
    for (const j of s.join ?? []) {
      const own = neededColumns(s).filter((c) => c.startsWith(j.prefix)).map((c) => c.slice(j.prefix.length));
      need(j.path, [j.on, ...(j.latest ? [j.latest] : []), ...(j.where ? placeholders(j.where) : []), ...own]);
      joined.add(j.path);
    }
  }
  const missing: string[] = [];
  const notes: string[] = [];
  const asRead = new Map<string, string>();
  const asJoined = new Map<string, string>();
  const stubbed = new Set<string>();
  let exitFile: string | undefined;
  let enrollmentFile: string | undefined;
  let exitJoin: { p: string; file: string; malformed: number } | undefined;
  for (const [p, cols] of needed) {
    const abs = path.resolve(baseDir, p);
    const name = canonicalName(path.basename(abs));
    const actual = path.dirname(abs) === info.dir ? info.files.get(name) : fs.existsSync(abs) ? abs : undefined;
    if (!actual || fs.statSync(actual).size === 0) {
      if (!missing.includes(name)) missing.push(name);
      const stub = path.join(work, name);
      fs.writeFileSync(stub, [...cols].join(',') + '\n');
      stubbed.add(p);
      asRead.set(p, stub);
      asJoined.set(p, stub);
      continue;
    }
    let file = actual;
    let ends = await scanCsv(actual);
    const encoding = sourceEncoding(actual, ends, encodingOption);
    if (encoding) {
      file = path.join(work, `utf8-${name}`);
      await transcodeToUtf8(actual, file, encoding.encoding);
      notes.push(`${name}: ${encoding.why}; read as ${encoding.encoding} and converted to UTF-8${encodingOption === 'auto' ? ' (if names look wrong, give --encoding)' : ''}`);
      ends = await scanCsv(file);
    }
    if (ends.truncated) {
      throw new HmisExportError(
        `${name}: the file ends inside a row (line ${ends.truncated.line}: ${ends.truncated.why}): it is truncated, perhaps by an interrupted copy or download; ` +
          'export or copy it again. Nothing was loaded',
      );
    }
    if (ends.crlf > 0 && ends.lf > 0) {
      const from = file;
      file = path.join(work, name);
      await normaliseLineEndings(from, file);
      notes.push(
        `${name}: mixed line endings (${ends.crlf} line(s) end in CRLF, first at line ${ends.firstCrlfLine}; ${ends.lf} in LF, first at line ${ends.firstLfLine}): ` +
          'read from a copy with LF endings; ask the exporting system for one kind (HUD exports use CRLF)',
      );
    }
    asRead.set(p, file);
    asJoined.set(p, file);
    if (name === 'Exit.csv') {
      exitFile = file;
      if (joined.has(p)) exitJoin = { p, file, malformed: ends.wrongFieldCount };
    }
    if (name === 'Enrollment.csv') enrollmentFile = file;
    if (joined.has(p) && name !== 'Exit.csv') {
      const bad = ends.wrongFieldCount;
      if (bad > 0) {
        const clean = path.join(work, `joined-${name}`);
        const header = headerOf(file);
        await db.run(
          `COPY (SELECT * FROM read_csv(${lit(file)}, header=true, auto_detect=false, columns={${header.map((h) => `${lit(h)}: 'VARCHAR'`).join(', ')}}, ignore_errors=true)) TO ${lit(clean)} (FORMAT csv, HEADER true)`,
        );
        asJoined.set(p, clean);
        notes.push(`${name}: ${bad} malformed row(s) (wrong number of columns or a broken quote) could not be joined${name === 'Exit.csv' ? ' (rejected below, source "exit")' : ''}`);
      }
    }
  }
  // Exits join onto enrolments without the rows that cannot close a case: those are rejected at their own line.
  if (exitJoin) {
    const clean = path.join(work, 'joined-Exit.csv');
    const header = headerOf(exitJoin.file);
    const canCheck = header.includes('ExitDate') && header.includes('EnrollmentID');
    await db.run(`
      COPY (SELECT x.* FROM read_csv(${lit(exitJoin.file)}, header=true, auto_detect=false, columns={${header.map((h) => `${lit(h)}: 'VARCHAR'`).join(', ')}}, ignore_errors=true) x
            ${canCheck ? `LEFT JOIN ${entryDatesSql(enrollmentFile, DATE_FORMATS_SQL)} e ON e.enrollment_id = nullif(trim(x."EnrollmentID"), '') WHERE (${exitProblemSql(DATE_FORMATS_SQL)}) IS NULL` : ''})
      TO ${lit(clean)} (FORMAT csv, HEADER true)`);
    asJoined.set(exitJoin.p, clean);
    if (exitJoin.malformed > 0) notes.push(`Exit.csv: ${exitJoin.malformed} malformed row(s) (wrong number of columns or a broken quote) could not be joined (rejected below, source "exit")`);
  }
  // A source whose own file is missing has nothing to load: it is left out (its joins still run on stand-ins).
  copy.sources = copy.sources.filter((s) => !stubbed.has(s.path));
  // Fields fed by a missing joined file keep the values they have: absence is not deletion.
  const kept = new Map<string, string[]>();
  for (const s of copy.sources) {
    for (const j of s.join ?? []) {
      if (!stubbed.has(j.path)) continue;
      const fields = fieldsFedByJoin(s, j.prefix);
      if (!fields.length) continue;
      s.keepExisting = [...new Set([...(s.keepExisting ?? []), ...fields])];
      const name = canonicalName(path.basename(j.path));
      kept.set(name, [...(kept.get(name) ?? []), ...fields.map((f) => `${s.table}.${f}`)]);
    }
  }
  for (const s of copy.sources) {
    s.path = asRead.get(s.path) ?? s.path;
    for (const j of s.join ?? []) j.path = asJoined.get(j.path) ?? j.path;
  }
  return { pipeline: copy, missing: missing.sort(), kept, notes, ...(exitFile ? { exitFile } : {}), ...(enrollmentFile ? { enrollmentFile } : {}) };
}

/** Fields of a source whose value comes from a joined file (columns named with the join's prefix). */
function fieldsFedByJoin(source: Source, prefix: string): string[] {
  return normaliseMappings(source)
    .filter((m) => (m.from ?? '').startsWith(prefix) || (m.expr !== undefined && placeholders(m.expr).some((c) => c.startsWith(prefix))))
    .map((m) => m.field);
}

async function countRows(file: string): Promise<number> {
  if (fs.statSync(file).size === 0) return 0;
  return (await scanCsv(file)).records;
}

/** Export files caselens does not load (Funder, Inventory, …), with their row counts. */
async function filesNotLoaded(info: HmisExportInfo, pipeline: Pipeline): Promise<Array<{ file: string; rows: number }>> {
  const read = new Set<string>(['Export.csv', ...HMIS_FILES_READ.map((f) => `${f}.csv`)]);
  for (const s of pipeline.sources) {
    read.add(canonicalName(path.basename(s.path)));
    for (const j of s.join ?? []) read.add(canonicalName(path.basename(j.path)));
  }
  const out: Array<{ file: string; rows: number }> = [];
  for (const [name, file] of [...info.files].sort()) {
    if (read.has(name)) continue;
    out.push({ file: name, rows: await countRows(file) });
  }
  return out;
}

/**
 * Why an exit row cannot close its case, as SQL over an Exit.csv relation `x` and the enrolments'
 * entry dates `e` (NULL when it can): its ExitDate is not a date, or falls before the entry date.
 * Such an exit is rejected at its own line and the enrolment loads without it.
 */
function exitProblemSql(formats: string): string {
  const date = `try_strptime(trim(x."ExitDate"), ${formats})`;
  return `CASE
    WHEN nullif(trim(x."ExitDate"), '') IS NOT NULL AND (${date} IS NULL OR year(${date}) NOT BETWEEN 1900 AND 2100) THEN 'bad_date'
    WHEN e.entry_date IS NOT NULL AND CAST(${date} AS DATE) < e.entry_date THEN 'closed_before_opened' END`;
}

/** Entry dates of the enrolments in Enrollment.csv (as read), for exit checks. */
function entryDatesSql(enrollmentFile: string | undefined, formats: string): string {
  if (!enrollmentFile) return `(SELECT NULL::VARCHAR AS enrollment_id, NULL::DATE AS entry_date WHERE false)`;
  const header = headerOf(enrollmentFile);
  if (!['EnrollmentID', 'EntryDate'].every((c) => header.includes(c))) return entryDatesSql(undefined, formats);
  return `(SELECT trim("EnrollmentID") AS enrollment_id, min(CAST(try_strptime(trim("EntryDate"), ${formats}) AS DATE)) AS entry_date
    FROM read_csv(${lit(enrollmentFile)}, header=true, auto_detect=false, columns={${header.map((h) => `${lit(h)}: 'VARCHAR'`).join(', ')}}, ignore_errors=true)
    ${header.includes('DateDeleted') ? `WHERE nullif(trim("DateDeleted"), '') IS NULL` : ''} GROUP BY 1)`;
}

const DATE_FORMATS_SQL = `[${HMIS_DATE_FORMATS.map(lit).join(', ')}]`;

/**
 * Exit.csv rows are joined onto their enrolment (the latest non-deleted exit per enrolment closes
 * the case). Here each exit row is accounted for: applied, deleted (DateDeleted), superseded by a
 * later exit of the same enrolment, or naming an enrolment that was not loaded.
 */
async function accountExits(db: Db, runId: number, exitFile: string, original: string, system: string, displayRoot: string, enrollmentFile: string | undefined): Promise<SourceReport[]> {
  const header = headerOf(exitFile);
  for (const c of ['ExitID', 'EnrollmentID', 'ExitDate', 'DateDeleted']) {
    if (!header.includes(c)) return [];
  }
  const rel = path.relative(displayRoot, original);
  const shown = rel.startsWith('..') || path.isAbsolute(rel) ? original : rel;
  const decl = header.map((h) => `${lit(h)}: 'VARCHAR'`).join(', ');
  await db.run(`
    CREATE OR REPLACE TEMP TABLE _exits_raw AS
      SELECT row_number() OVER () - 1 AS rec, nullif(trim("ExitID"), '') AS exit_id, nullif(trim("EnrollmentID"), '') AS enrollment_id,
             "ExitDate" AS exit_date, nullif(trim("DateDeleted"), '') IS NOT NULL AS deleted, ${exitProblemSql(DATE_FORMATS_SQL)} AS problem
      FROM read_csv(${lit(exitFile)}, header=true, auto_detect=false, columns={${decl}}, store_rejects=true, rejects_table='_exit_rj', rejects_scan='_exit_rs') x
      LEFT JOIN ${entryDatesSql(enrollmentFile, DATE_FORMATS_SQL)} e ON e.enrollment_id = nullif(trim(x."EnrollmentID"), '')`);
  // Physical lines of the exits read and of the rows the reader refused.
  const refusedLines = (await db.all<{ line: number }>('SELECT DISTINCT line FROM _exit_rj')).map((r) => Number(r.line));
  const lines = mapLines(await recordLines(exitFile), refusedLines);
  await db.run('CREATE OR REPLACE TEMP TABLE _exit_lines (rec BIGINT, line BIGINT)');
  const appender = await db.connection.createAppender('_exit_lines', 'main', 'temp');
  for (let rec = 0; rec < lines.accepted.length; rec++) {
    appender.appendBigInt(BigInt(rec));
    appender.appendBigInt(BigInt(lines.accepted[rec]!));
    appender.endRow();
  }
  for (const [readerLine, line] of lines.refused) {
    // refused rows: the reader's line, negated, so the same table maps them
    appender.appendBigInt(BigInt(-readerLine));
    appender.appendBigInt(BigInt(line));
    appender.endRow();
  }
  appender.closeSync();
  await db.run(`
    CREATE OR REPLACE TEMP TABLE _exits AS
    WITH lined AS (SELECT r.*, coalesce(l.line, r.rec + 2) AS line FROM _exits_raw r LEFT JOIN _exit_lines l USING (rec)),
    ranked AS (
      SELECT *, CASE WHEN NOT deleted AND problem IS NULL THEN row_number() OVER (PARTITION BY enrollment_id, deleted, problem IS NULL ORDER BY exit_date DESC NULLS LAST) END AS rank,
             first_value(line) OVER (PARTITION BY enrollment_id, deleted, problem IS NULL ORDER BY exit_date DESC NULLS LAST) AS used_line
      FROM lined
    )
    SELECT r.*, c.case_id IS NOT NULL AS has_case FROM ranked r LEFT JOIN cases c ON c.case_id = ${lit(system + ':')} || r.enrollment_id`);
  await db.run(`
    INSERT INTO ingest_rejects
    SELECT ${runId}, 'exit', ${lit(shown)}, line, 'EnrollmentID', enrollment_id, 'unknown_reference',
           'exit for enrolment "' || coalesce(enrollment_id, '') || '", which is not among the loaded enrolments (not in Enrollment.csv, deleted there, or rejected): the exit was not applied'
    FROM _exits WHERE NOT deleted AND rank = 1 AND NOT has_case`);
  await db.run(`
    INSERT INTO ingest_rejects
    SELECT ${runId}, 'exit', ${lit(shown)}, line, 'ExitDate', exit_date, problem,
           CASE problem WHEN 'bad_date' THEN 'ExitDate is not a valid date (expected YYYY-MM-DD, as HUD writes dates): the exit was not applied and enrolment "' || coalesce(enrollment_id, '') || '" loaded without it; fix the date'
                        ELSE 'exit dated before its enrolment''s entry date: the exit was not applied and enrolment "' || coalesce(enrollment_id, '') || '" loaded without it; check both dates' END
    FROM _exits WHERE NOT deleted AND problem IS NOT NULL`);
  await db.run(`
    INSERT INTO ingest_rejects
    SELECT ${runId}, 'exit', ${lit(shown)}, line, 'EnrollmentID', enrollment_id, 'duplicate_key',
           'enrolment "' || enrollment_id || '" has more than one exit: the one with the latest ExitDate (line ' || used_line || ') closed the case, this one was not used'
    FROM _exits WHERE NOT deleted AND rank > 1`);
  // Rows the reader could not parse (too many or too few columns, a broken quote).
  const malformed = await db.value<number>('SELECT count(DISTINCT line) FROM _exit_rj');
  await db.run(`
    INSERT INTO ingest_rejects
    SELECT ${runId}, 'exit', ${lit(shown)}, coalesce((SELECT l.line FROM _exit_lines l WHERE l.rec = -j.line), j.line), NULL, arg_min(left(replace(csv_line, chr(13), ''), 500), error_type::VARCHAR), 'malformed_row',
           'exit row cannot be parsed (' || lower(arg_min(error_type::VARCHAR, error_type::VARCHAR)) || '): it has a different number of columns than the header or a broken quote; the exit was not applied'
    FROM _exit_rj j GROUP BY j.line`);
  await db.run('DROP TABLE IF EXISTS _exit_rj');
  await db.run('DROP TABLE IF EXISTS _exit_rs');
  const c = (await db.one<{ read: number; deleted: number; applied: number; rejected: number }>(`
    SELECT count(*) AS read, count(*) FILTER (WHERE deleted) AS deleted,
           count(*) FILTER (WHERE NOT deleted AND rank = 1 AND has_case) AS applied,
           count(*) FILTER (WHERE NOT deleted AND (problem IS NOT NULL OR rank > 1 OR NOT has_case)) AS rejected
    FROM _exits`))!;
  c.read += malformed;
  c.rejected += malformed;
  const byCode = Object.fromEntries(
    (await db.all<{ code: string; n: number }>(`SELECT code, count(*) AS n FROM ingest_rejects WHERE run_id = $1 AND source = 'exit' GROUP BY code ORDER BY code`, [runId])).map((r) => [r.code, r.n]),
  );
  for (const t of ['_exits', '_exits_raw', '_exit_lines']) await db.run(`DROP TABLE ${t}`);
  return [{
    source: 'exit', table: 'cases', files: [shown], read: c.read, loaded: c.applied, deleted: c.deleted,
    inserted: 0, updated: 0, unchanged: c.applied, rejected: c.rejected, rejectsByCode: byCode,
  }];
}

/** Why cases have no manager: HMIS CSV has no case-manager field; a mapping file (managers) gives one. */
async function addUserNotes(db: Db, report: IngestReport, system: string, notes: string[], managers?: string): Promise<void> {
  if (report.status !== 'succeeded') return;
  const enrollment = report.sources.find((s) => s.source === 'enrollment');
  if (!enrollment) return;
  const unassigned = await db.value<number>(`SELECT count(*) FROM cases WHERE starts_with(case_id, ${lit(system + ':')}) AND manager_id IS NULL`);
  if (unassigned === 0) return;
  if (managers) {
    notes.push(`${unassigned} case(s) have no manager: their enrolment is not in ${path.basename(managers)}, or the UserID given there is empty or not listed in User.csv`);
  } else {
    notes.push(
      `${unassigned} case(s) have no manager: HMIS CSV has no case-manager field (an enrolment's UserID is only whoever last entered or updated it, ` +
        'so it is not used as the manager); to assign managers, give a mapping file with columns EnrollmentID,UserID (ingest-hmis --managers FILE)',
    );
  }
}
