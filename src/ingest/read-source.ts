import fs from 'node:fs';
import path from 'node:path';
import { CaselensError, errorMessage, exitCodes } from '../errors.ts';
import { verifyCompressedFiles } from './compressed.ts';
import { ident, lit, type Db } from '../store/index.ts';
import { csvOptionsSchema, inferFormat, type Source } from './pipeline.ts';

/** A row DuckDB's reader itself refused (wrong number of columns, bad encoding, stray quote). */
export interface ReaderReject {
  fileIndex: number;
  line: number;
  field: string | null;
  value: string | null;
  code: 'encoding' | 'malformed_row';
  reason: string;
}

/**
 * A source's files as one relation (`_file`, `_rec`, then one text column per needed source
 * column): every file read by DuckDB with its header's columns declared, all as text. The
 * check query lands it in the typed staging table in one pass.
 */
export interface OpenedSource {
  relation: string;
  files: string[];
  /** source column -> relation column */
  columns: Map<string, string>;
  /** rows the reader refused; call after the relation has been scanned */
  readerRejects(): Promise<ReaderReject[]>;
  lineBase: 'csv' | 'row';
}

export class SourceFileError extends CaselensError {
  constructor(file: string, message: string) {
    super(`${file}: ${message}`, { exitCode: exitCodes.rejected, status: 422 });
    this.name = 'SourceFileError';
  }
}

/** A file, every file of the right kind in a folder, or a glob (expanded by DuckDB). */
export async function expandSourcePath(db: Db, source: Source, baseDir: string): Promise<string[]> {
  const p = path.resolve(baseDir, source.path);
  const format = source.format ?? inferFormat(source.path);
  if (/[*?[]/.test(source.path)) {
    const rows = await db.all<{ file: string }>(`SELECT file FROM glob(${lit(p)}) ORDER BY file`);
    if (rows.length === 0) throw new SourceFileError(source.path, 'no file matches this pattern');
    return verifyCompressedFiles(rows.map((r) => r.file));
  }
  let stat: fs.Stats;
  try {
    stat = fs.statSync(p);
  } catch {
    throw new SourceFileError(p, 'file not found (check the source path in the pipeline)');
  }
  if (stat.isDirectory()) {
    const files = fs
      .readdirSync(p)
      .filter((f) => (format ? inferFormat(f) === format : inferFormat(f) !== undefined))
      .sort()
      .map((f) => path.join(p, f));
    if (files.length === 0) throw new SourceFileError(p, `folder has no ${format ?? 'csv/jsonl/parquet'} files`);
    return verifyCompressedFiles(files);
  }
  try {
    fs.accessSync(p, fs.constants.R_OK);
  } catch {
    throw new SourceFileError(p, 'file is not readable (check its permissions)');
  }
  return verifyCompressedFiles([p]);
}

/** Splits a CSV header line; headers are simple enough that quoting is the only subtlety. */
function splitHeader(line: string, delimiter: string, quote: string): string[] {
  const out: string[] = [];
  let cur = '';
  let inQuotes = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (quote && ch === quote) {
      if (inQuotes && line[i + 1] === quote) {
        cur += quote;
        i++;
      } else inQuotes = !inQuotes;
    } else if (!inQuotes && line.startsWith(delimiter, i)) {
      out.push(cur);
      cur = '';
      i += delimiter.length - 1;
    } else cur += ch;
  }
  out.push(cur);
  return out.map((h) => h.replace(/^\uFEFF/, '').trim());
}

function csvDialect(source: Source): string {
  const o = csvOptionsSchema.parse(source.csv ?? {});
  return [
    `delim=${lit(o.delimiter)}`,
    `quote=${lit(o.quote)}`,
    `escape=${lit(o.escape)}`,
    `encoding=${lit(o.encoding)}`,
    `strict_mode=${o.strict}`,
  ].join(', ');
}

async function readCsvHeader(db: Db, file: string, source: Source): Promise<string[]> {
  const o = csvOptionsSchema.parse(source.csv ?? {});
  let rows: { line: string | null }[];
  try {
    rows = await db.all<{ line: string | null }>(
      `SELECT line FROM read_csv(${lit(file)}, header=false, auto_detect=false, columns={'line': 'VARCHAR'}, delim=E'\\x1f', quote='', escape='', encoding=${lit(o.encoding)}, strict_mode=false, ignore_errors=true) LIMIT 1`,
    );
  } catch (e) {
    throw new SourceFileError(file, `cannot read the header line: ${errorMessage(e).split('\n')[0]}`);
  }
  const line = rows[0]?.line;
  if (line == null || line.trim() === '') throw new SourceFileError(file, 'file is empty or its first line is blank; the first line must name the columns');
  const header = splitHeader(line.replace(/\r$/, ''), o.delimiter, o.quote);
  // Messages about the header never quote it: a file without a header row has a client's data there.
  const seen = new Map<string, number>();
  for (const [i, h] of header.entries()) {
    if (h === '') throw new SourceFileError(file, `the first line has an empty column name (column ${i + 1} of ${header.length}); the first line must name the columns`);
    if (seen.has(h)) throw new SourceFileError(file, `the first line names the same column twice (columns ${seen.get(h)! + 1} and ${i + 1}); column names must be unique`);
    seen.set(h, i);
  }
  return header;
}

/**
 * What to say when columns the pipeline needs are not in a file's header, without quoting the
 * header (it may be a data row): how many columns it has, which wanted ones are there, and the
 * near-misses of a missing name (differing in case, spaces or a letter or two), which are names.
 */
export function missingColumnsMessage(missing: string[], header: string[], wantedPresent: number): string {
  const squash = (s: string) => s.toLowerCase().replace(/[\s_.-]/g, '');
  const near = missing.flatMap((m) => {
    const hit = header.find((h) => h !== m && (squash(h) === squash(m) || (m.length > 5 && editDistance(squash(h), squash(m)) <= 1)));
    return hit ? [`"${hit}" for "${m}"?`] : [];
  });
  return `missing column${missing.length > 1 ? 's' : ''} ${missing.map((m) => `"${m}"`).join(', ')} named in the pipeline's fields; ` +
    `the file's first line has ${header.length} column(s), ${wantedPresent} of them named in the pipeline` +
    (near.length ? `; did you mean ${near.join(', ')}` : '; does the file start with a header row naming its columns?');
}

function editDistance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 1) return 2;
  const prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0]!;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const up = prev[j]!;
      prev[j] = Math.min(up + 1, prev[j - 1]! + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = up;
    }
  }
  return prev[b.length]!;
}

function describeReaderError(errorType: string, message: string): { code: ReaderReject['code']; reason: string } {
  switch (errorType) {
    case 'INVALID ENCODING':
    case 'INVALID UNICODE':
      return { code: 'encoding', reason: 'text is not valid in the file\'s declared encoding (utf-8 by default): save the file as UTF-8, or set csv.encoding in the pipeline' };
    case 'TOO MANY COLUMNS':
      return { code: 'malformed_row', reason: `row has more columns than the header (${message}): check for an unquoted delimiter in a value` };
    case 'MISSING COLUMNS':
      return { code: 'malformed_row', reason: `row has fewer columns than the header (${message}): check for a missing delimiter or a line break inside an unquoted value` };
    case 'UNQUOTED VALUE':
      return { code: 'malformed_row', reason: `quote problem (${message}): a quote inside a value must be doubled, and a quoted value must be closed` };
    case 'LINE SIZE OVER MAXIMUM':
      return { code: 'malformed_row', reason: `row is longer than the reader's maximum line size (${message}): check for an unclosed quote` };
    default:
      return { code: 'malformed_row', reason: `row cannot be parsed (${errorType.toLowerCase()}: ${message})` };
  }
}

/**
 * Lands every file of a source in one all-text staging table `stagingTable`, with the file
 * index and record number of each row. Rows the reader itself refuses come back as rejects.
 */
export async function openSource(db: Db, source: Source, files: string[], neededColumns: string[], name: string, baseDir = process.cwd()): Promise<OpenedSource> {
  const format = source.format ?? inferFormat(source.path) ?? 'csv';
  const columns = new Map(neededColumns.map((c, i) => [c, `c${i}`]));
  const selects: string[] = [];
  const rejectTables: Array<{ fileIndex: number; table: string; scan: string }> = [];
  for (const [fileIndex, file] of files.entries()) {
    let reader: string;
    let presentColumns: Set<string>;
    if (format === 'csv') {
      const header = await readCsvHeader(db, file, source);
      presentColumns = new Set(header);
      const decl = header.map((h) => `${lit(h)}: 'VARCHAR'`).join(', ');
      const rejects = { fileIndex, table: `${name}_rj${fileIndex}`, scan: `${name}_rs${fileIndex}` };
      rejectTables.push(rejects);
      reader = `read_csv(${lit(file)}, header=true, auto_detect=false, columns={${decl}}, ${csvDialect(source)}, store_rejects=true, rejects_table=${lit(rejects.table)}, rejects_scan=${lit(rejects.scan)})`;
    } else if (format === 'jsonl') {
      presentColumns = new Set(neededColumns);
      const decl = neededColumns.map((h) => `${lit(h)}: 'VARCHAR'`).join(', ');
      reader = `read_json(${lit(file)}, format='newline_delimited', columns={${decl || "'_none': 'VARCHAR'"}})`;
    } else {
      let described: { column_name: string }[];
      try {
        described = await db.all<{ column_name: string }>(`DESCRIBE SELECT * FROM read_parquet(${lit(file)})`);
      } catch (e) {
        throw new SourceFileError(file, `cannot read as Parquet: ${errorMessage(e).split('\n')[0]}`);
      }
      presentColumns = new Set(described.map((d) => d.column_name));
      reader = `read_parquet(${lit(file)})`;
    }
    const joins = source.join ?? [];
    const joinedColumn = (c: string) => joins.find((j) => c.startsWith(j.prefix) && !presentColumns.has(c));
    const missing = neededColumns.filter((c) => !presentColumns.has(c) && !joinedColumn(c));
    if (missing.length && format !== 'jsonl') {
      throw new SourceFileError(file, missingColumnsMessage(missing, [...presentColumns], neededColumns.filter((c) => presentColumns.has(c)).length));
    }
    const own = neededColumns.map((c, i) => [c, i] as const).filter(([c]) => !joinedColumn(c));
    const projections = own.map(([c, i]) => `CAST(${ident(c)} AS VARCHAR) AS c${i}`).join(', ');
    let select = `SELECT ${fileIndex} AS _file, row_number() OVER () - 1 AS _rec${projections ? ', ' + projections : ''}${joins.map((j) => `, CAST(${ident(j.on)} AS VARCHAR) AS ${ident('_on_' + j.prefix)}`).join('')} FROM ${reader}`;
    // Joined files: one row per key (the latest, if asked), their columns renamed prefix + column.
    for (const [ji, j] of joins.entries()) {
      const wanted = neededColumns.map((c, i) => [c, i] as const).filter(([c]) => joinedColumn(c) === j);
      select = await joinedSelect(db, source, select, ji, j, wanted, baseDir);
    }
    selects.push(`SELECT _file, _rec, ${neededColumns.map((_, i) => `c${i}`).join(', ') || 'NULL AS _none'} FROM (${select})`);
  }
  return {
    relation: `(${selects.join('\nUNION ALL\n')})`,
    files, columns, lineBase: format === 'csv' ? 'csv' : 'row',
    async readerRejects() {
      const out: ReaderReject[] = [];
      for (const t of rejectTables) {
        const rj = await db.all<{ line: number; column_name: string | null; error_type: string; csv_line: string | null; error_message: string }>(
          `SELECT line, column_name, error_type::VARCHAR AS error_type, csv_line, error_message FROM ${ident(t.table)} ORDER BY line`,
        );
        // One reject per line: DuckDB can report several errors for the same row.
        const seenLines = new Set<number>();
        for (const r of rj) {
          if (seenLines.has(r.line)) continue;
          seenLines.add(r.line);
          const { code, reason } = describeReaderError(r.error_type, r.error_message.split('\n')[0] ?? '');
          out.push({ fileIndex: t.fileIndex, line: r.line, field: r.column_name, value: r.csv_line?.replace(/^\r?\n/, '').slice(0, 500) ?? null, code, reason });
        }
        await db.run(`DROP TABLE IF EXISTS ${ident(t.table)}`);
        await db.run(`DROP TABLE IF EXISTS ${ident(t.scan)}`);
      }
      return out;
    },
  };
}

/** Turns DuckDB's reader failures into a message about the file and what to do. */
export function explainReadError(e: unknown, files: string[], format: string): SourceFileError {
  const msg = errorMessage(e);
  const file = files.find((f) => msg.includes(f)) ?? (files.length === 1 ? files[0]! : files.join(', '));
  const hint = /state machine reached an invalid state/i.test(msg)
    ? 'the file is not valid CSV with these settings (often mixed line endings, e.g. CRLF and LF in one file, or a stray quote); fix the file or set csv.strict: false in the pipeline'
    : /JSON/i.test(msg) && format === 'jsonl'
      ? `not valid JSON lines: ${msg.split('\n')[0]}`
      : `cannot be read: ${msg.split('\n').slice(0, 2).join(' ')}`;
  return new SourceFileError(file, hint);
}

type JoinSpec = NonNullable<Source['join']>[number];

async function joinedSelect(db: Db, source: Source, select: string, index: number, j: JoinSpec, wanted: ReadonlyArray<readonly [string, number]>, baseDir: string): Promise<string> {
  const file = path.resolve(baseDir, j.path);
  if (!fs.existsSync(file)) throw new SourceFileError(file, `file to join (join.${index}.path) not found`);
  const header = await readCsvHeader(db, file, source);
  const cols = new Map(header.map((h, i) => [h, `j${i}`]));
  for (const need of [j.on, ...(j.latest ? [j.latest] : []), ...wanted.map(([c]) => c.slice(j.prefix.length))]) {
    if (!cols.has(need)) throw new SourceFileError(file, `${missingColumnsMessage([need], header, 0).replace(" named in the pipeline's fields", ' needed to join it')}`);
  }
  const decl = header.map((h) => `${lit(h)}: 'VARCHAR'`).join(', ');
  const reader = `read_csv(${lit(file)}, header=true, auto_detect=false, columns={${decl}}, ${csvDialect(source)})`;
  const renamed = `SELECT ${header.map((h) => `${ident(h)} AS ${cols.get(h)}`).join(', ')} FROM ${reader}`;
  const where = j.where ? `WHERE ${j.where.replace(/\{\{\s*([^}]+?)\s*\}\}/g, (_m, name: string) => cols.get(name.trim()) ?? 'NULL')}` : '';
  const order = j.latest ? `${cols.get(j.latest)} DESC NULLS LAST` : '1';
  const picked = `SELECT * FROM (${renamed}) ${where} QUALIFY row_number() OVER (PARTITION BY ${cols.get(j.on)} ORDER BY ${order}) = 1`;
  const keep = wanted.map(([c, i]) => `jn${index}.${cols.get(c.slice(j.prefix.length))} AS c${i}`).join(', ');
  return `SELECT m.*${keep ? ', ' + keep : ''} FROM (${select}) m LEFT JOIN (${picked}) jn${index} ON jn${index}.${cols.get(j.on)} = m.${ident('_on_' + j.prefix)}`;
}
