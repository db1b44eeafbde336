/**
 * Deletes that cascade: a deleted case takes what hangs off it (down to note scores), a deleted client
 * leaves no personal data, a programme still in use is not deleted, and no row ever points at nothing.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadFramework } from '../../src/frameworks/index.ts';
import { danglingReferences, NOTE_DEPENDANTS, storedReferences } from '../../src/ingest/deletes.ts';
import { createOfflineScorer, runScoring } from '../../src/score/index.ts';
import type { Db } from '../../src/store/index.ts';
import { CLEAN, cleanPipeline, ingest, tempDir, withDb, writeFiles, writePipeline } from '../helpers.ts';

const ROOT = path.resolve(import.meta.dirname, '..', '..');
const loaded = loadFramework(path.join(ROOT, 'frameworks', 'self-sufficiency.yaml'));
if (!loaded.ok) throw new Error('framework does not load');
const framework = loaded.framework;

/** CLEAN with a `deleted` column on every file (empty: nothing deleted). */
function withDeletedColumn(files: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(files).map(([name, text]) => {
    const [header, ...rows] = text.trimEnd().split('\n');
    // notes hold quoted line breaks: the column goes first so every record gets it
    return [name, [`deleted,${header}`, ...rows.map((r) => (/^[A-Z]\d+,/.test(r) ? `,${r}` : r))].join('\n') + '\n'];
  }));
}

function deletingPipeline(): Record<string, unknown> {
  const p = cleanPipeline();
  return { ...p, sources: (p.sources as Array<Record<string, unknown>>).map((s) => ({ ...s, deleteWhen: "{{deleted}} = 'yes'" })) };
}

function markDeleted(files: Record<string, string>, file: string, key: string): Record<string, string> {
  return { ...files, [file]: files[file]!.replace(new RegExp(`^,${key},`, 'm'), `yes,${key},`) };
}

async function project(): Promise<{ dir: string; pipeline: string; files: Record<string, string> }> {
  const dir = tempDir();
  const files = withDeletedColumn(CLEAN);
  writeFiles(dir, files);
  return { dir, pipeline: writePipeline(dir, 'crm', deletingPipeline()), files };
}

const ids = async (db: Db, table: string, col: string) => (await db.all<{ id: string }>(`SELECT ${col} AS id FROM ${table} ORDER BY 1`)).map((r) => r.id);

describe('deletes that cascade', () => {
  it('a deleted case takes its services, goals, follow-ups, assessments, surveys, notes and the notes\' scores, tags and citations', async () => {
    const { dir, pipeline, files } = await project();
    await withDb(path.join(dir, 'db.duckdb'), async (db) => {
      await ingest(db, dir, pipeline);
      await runScoring({ db, scorer: createOfflineScorer(framework), framework });
      expect(await db.value('SELECT count(*) FROM note_tags WHERE note_id = $1', ['crm:N1'])).toBeGreaterThan(0);
      writeFiles(dir, markDeleted(files, 'cases.csv', 'K1'));
      const r = await ingest(db, dir, pipeline, { rejectLimit: 1 });
      expect(r.status).toBe('succeeded');
      expect(r.sources.find((s) => s.source === 'cases')).toMatchObject({ deleted: 1 });
      expect(await ids(db, 'cases', 'case_id')).toEqual(['crm:K2', 'crm:K3', 'crm:K4']);
      // K1 had G1, V1, F1, A1, A2, Q1 and N1 (see CLEAN); the rows of K1 in the later files are now unknown references
      expect(await ids(db, 'goals', 'goal_id')).toEqual(['crm:G2']);
      expect(await ids(db, 'services', 'service_id')).toEqual(['crm:V2']);
      expect(await ids(db, 'followups', 'followup_id')).toEqual(['crm:F2']);
      expect(await ids(db, 'assessments', 'assessment_id')).toEqual([]);
      expect(await ids(db, 'surveys', 'survey_id')).toEqual([]);
      expect(await ids(db, 'notes', 'note_id')).toEqual(['crm:N2', 'crm:N3']);
      for (const t of NOTE_DEPENDANTS) expect({ t, n: await db.value(`SELECT count(*) FROM ${t} WHERE note_id = 'crm:N1'`) }).toEqual({ t, n: 0 });
      expect(await danglingReferences(db)).toEqual([]);
    });
  });

  it('a deleted client leaves no personal data: the person, their identities, cases and everything under them go', async () => {
    const { dir, pipeline, files } = await project();
    await withDb(path.join(dir, 'db.duckdb'), async (db) => {
      await ingest(db, dir, pipeline);
      const ana = await db.value<string>(`SELECT client_id FROM client_identities WHERE source_key = 'C1'`);
      writeFiles(dir, markDeleted(files, 'clients.csv', 'C1'));
      const r = await ingest(db, dir, pipeline, { rejectLimit: 1 });
      expect(r.sources.find((s) => s.source === 'clients')).toMatchObject({ deleted: 1 });
      for (const t of ['clients', 'client_pii', 'client_identities', 'cases', 'assessments', 'surveys', 'notes']) {
        expect({ t, n: await db.value(`SELECT count(*) FROM ${t} WHERE client_id = $1`, [ana]) }).toEqual({ t, n: 0 });
      }
      expect(await db.value(`SELECT count(*) FROM client_pii WHERE first_name = 'Ana'`)).toBe(0);
      // Ana's cases K1 and K4 (still in cases.csv) are now rejected as naming an unknown client
      const rejects = await db.all<{ source: string; value: string; code: string }>('SELECT source, value, code FROM ingest_rejects WHERE run_id = $1 AND source = $2 ORDER BY value', [r.runId, 'cases']);
      expect(rejects).toEqual([{ source: 'cases', value: 'C1', code: 'unknown_reference' }, { source: 'cases', value: 'C1', code: 'unknown_reference' }]);
      expect(await ids(db, 'cases', 'case_id')).toEqual(['crm:K2', 'crm:K3']);
      expect(await danglingReferences(db)).toEqual([]);
    });
  });

  it('a programme still in use is kept and its deletion rejected with the file\'s line; once its cases are gone it is deleted', async () => {
    const { dir, pipeline, files } = await project();
    await withDb(path.join(dir, 'db.duckdb'), async (db) => {
      await ingest(db, dir, pipeline);
      writeFiles(dir, markDeleted(files, 'programs.csv', 'P2'));
      const r = await ingest(db, dir, pipeline, { rejectLimit: 1 });
      expect(r.sources.find((s) => s.source === 'programs')).toMatchObject({ read: 2, deleted: 0, rejected: 1, rejectsByCode: { still_referenced: 1 } });
      expect(await db.all('SELECT file, line, field, value, code FROM ingest_rejects WHERE run_id = $1', [r.runId])).toEqual([
        { file: 'programs.csv', line: 3, field: 'program_key', value: 'P2', code: 'still_referenced' },
      ]);
      expect(await db.value(`SELECT reason FROM ingest_rejects WHERE run_id = $1`, [r.runId])).toMatch(/2 stored record\(s\).*still point at it: it was kept/);
      expect(await ids(db, 'programs', 'program_id')).toEqual(['crm:P1', 'crm:P2']);
      // the same export also deleting P2's cases (K3, K4): now the programme goes too
      let next = markDeleted(files, 'programs.csv', 'P2');
      next = markDeleted(markDeleted(next, 'cases.csv', 'K3'), 'cases.csv', 'K4');
      writeFiles(dir, next);
      const r2 = await ingest(db, dir, pipeline, { rejectLimit: 1 });
      expect(r2.sources.find((s) => s.source === 'programs')).toMatchObject({ deleted: 1, rejected: 0 });
      expect(await ids(db, 'programs', 'program_id')).toEqual(['crm:P1']);
      expect(await danglingReferences(db)).toEqual([]);
    });
  });

  it('every stored column that names a client, case or note is covered by the cascade (a new table cannot be forgotten)', async () => {
    const dir = tempDir();
    writeFiles(dir, CLEAN);
    await withDb(path.join(dir, 'db.duckdb'), async (db) => {
      await ingest(db, dir, writePipeline(dir, 'crm', cleanPipeline()));
      const covered = new Set(storedReferences().map((r) => `${r.table}.${r.column}`));
      // history and derived tables: logs keep what happened; KPI facts are rebuilt after every load
      const exempt = /^(kpi_|identity_events|identity_reviews|audit_log)/;
      const cols = await db.all<{ t: string; c: string }>(`
        SELECT table_name AS t, column_name AS c FROM information_schema.columns
        WHERE column_name IN ('client_id', 'case_id', 'note_id') AND table_name NOT IN ('clients', 'cases', 'notes') AND table_catalog <> 'temp'`);
      const missing = cols.filter((x) => !exempt.test(x.t) && !covered.has(`${x.t}.${x.c}`)).map((x) => `${x.t}.${x.c}`);
      expect(missing).toEqual([]);
    });
  });

  it('rows that pointed at nothing before a load (an older database) do not block it, and are found by the check', async () => {
    const { dir, pipeline } = await project();
    await withDb(path.join(dir, 'db.duckdb'), async (db) => {
      await ingest(db, dir, pipeline);
      // a row pointing at nothing, written behind the loader's back, is the database's past, not this load's doing
      await db.run(`INSERT INTO services (service_id, case_id, status) VALUES ('crm:ghost', 'crm:nowhere', 'delivered')`);
      expect((await ingest(db, dir, pipeline)).status).toBe('succeeded');
      expect(await danglingReferences(db)).toMatchObject([{ table: 'services', column: 'case_id', target: 'cases', rows: 1 }]);
    });
  });
});
