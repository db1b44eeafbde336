import fs from 'node:fs';
import path from 'node:path';
import { UsageError } from '../errors.ts';
import { ident, lit, type Db } from './db.ts';

/** Canonical tables that leave the machine by export. client_pii only on explicit request. */
export const EXPORTABLE_TABLES = [
  'programs', 'staff', 'clients', 'client_identities', 'cases', 'goals', 'services', 'followups',
  'assessments', 'surveys', 'notes', 'ingest_runs', 'ingest_rejects',
] as const;

export interface ExportOptions {
  format: 'parquet' | 'csv';
  outDir: string;
  /** Parquet only: column to partition by (hive style), for tables that have it; e.g. program_id. */
  partitionBy?: string;
  includePii?: boolean;
  tables?: string[];
}

export interface ExportResult {
  table: string;
  rows: number;
  path: string;
  partitionedBy?: string;
}

export async function exportTables(db: Db, opts: ExportOptions): Promise<ExportResult[]> {
  const tables: string[] = opts.tables ?? [...EXPORTABLE_TABLES, ...(opts.includePii ? ['client_pii'] : [])];
  const known = new Set<string>([...EXPORTABLE_TABLES, 'client_pii']);
  for (const t of tables) if (!known.has(t)) throw new UsageError(`unknown table "${t}" for export; choose from ${[...known].join(', ')}`);
  if (tables.includes('client_pii') && !opts.includePii) throw new UsageError('client_pii holds personal data: add --include-pii to export it');
  if (opts.partitionBy && opts.format !== 'parquet') throw new UsageError('--partition-by works with --format parquet only');
  fs.mkdirSync(opts.outDir, { recursive: true });
  const results: ExportResult[] = [];
  for (const table of tables) {
    const columns = (await db.all<{ column_name: string }>(
      'SELECT column_name FROM information_schema.columns WHERE table_name = $1 ORDER BY ordinal_position', [table],
    )).map((c) => c.column_name);
    const rows = await db.value<number>(`SELECT count(*) FROM ${ident(table)}`);
    const partition = opts.partitionBy && columns.includes(opts.partitionBy) ? opts.partitionBy : undefined;
    let target: string;
    if (opts.format === 'csv') {
      target = path.join(opts.outDir, `${table}.csv`);
      await db.run(`COPY ${ident(table)} TO ${lit(target)} (FORMAT csv, HEADER true)`, undefined, `export of ${table} failed`);
    } else if (partition) {
      target = path.join(opts.outDir, table);
      fs.rmSync(target, { recursive: true, force: true });
      await db.run(
        `COPY ${ident(table)} TO ${lit(target)} (FORMAT parquet, PARTITION_BY (${ident(partition)}), OVERWRITE_OR_IGNORE true)`,
        undefined,
        `export of ${table} failed`,
      );
    } else {
      target = path.join(opts.outDir, `${table}.parquet`);
      await db.run(`COPY ${ident(table)} TO ${lit(target)} (FORMAT parquet)`, undefined, `export of ${table} failed`);
    }
    results.push({ table, rows, path: target, ...(partition ? { partitionedBy: partition } : {}) });
  }
  return results;
}
