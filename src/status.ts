import type { Db } from './store/index.ts';
import { SCHEMA_VERSION } from './store/index.ts';

export const STATUS_TABLES = [
  'programs', 'staff', 'clients', 'client_pii', 'client_identities', 'identity_reviews', 'cases', 'goals', 'services',
  'followups', 'assessments', 'surveys', 'notes', 'ingest_runs', 'ingest_rejects', 'score_runs', 'note_tags', 'tag_citations', 'tag_checks', 'audit_log',
];

export interface Status {
  database: string;
  schemaVersion: number;
  tables: Array<{ table: string; rows: number }>;
  lastRuns: Array<Record<string, unknown>>;
  rejectsByReason: Array<{ run_id: number; pipeline: string; source: string; code: string; rows: number; example: string }>;
  openIdentityReviews: number;
}

export async function readStatus(db: Db): Promise<Status> {
  const counts = await db.all<{ table: string; rows: number }>(
    STATUS_TABLES.map((t) => `SELECT '${t}' AS "table", count(*) AS rows FROM ${t}`).join(' UNION ALL '),
  );
  const order = new Map(STATUS_TABLES.map((t, i) => [t, i]));
  counts.sort((a, b) => order.get(a.table)! - order.get(b.table)!);
  const lastRuns = await db.all(`
    SELECT run_id, pipeline, status, started_at, round(epoch(finished_at - started_at), 2) AS seconds, status = 'succeeded' AS applied,
           rows_read AS read, rows_inserted AS inserted, rows_updated AS updated, rows_unchanged AS unchanged, rows_rejected AS rejected, message
    FROM ingest_runs ORDER BY run_id DESC LIMIT 10`);
  // Rejects of the latest run of each pipeline: what is wrong now.
  const rejectsByReason = await db.all<Status['rejectsByReason'][number]>(`
    WITH latest AS (SELECT pipeline, max(run_id) AS run_id FROM ingest_runs GROUP BY pipeline)
    SELECT r.run_id, l.pipeline, r.source, r.code, count(*) AS rows, any_value(r.reason) AS example
    FROM ingest_rejects r JOIN latest l USING (run_id)
    GROUP BY ALL ORDER BY rows DESC, r.source, r.code`);
  const openIdentityReviews = await db.value<number>(`SELECT count(*) FROM identity_reviews WHERE status = 'open'`);
  return { database: db.path, schemaVersion: SCHEMA_VERSION, tables: counts, lastRuns, rejectsByReason, openIdentityReviews };
}
