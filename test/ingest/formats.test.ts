import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLEAN, cleanPipeline, ingest, tableCounts, tempDir, withDb, writeFiles, writePipeline } from '../helpers.ts';

describe('source formats and paths', () => {
  it('reads JSON lines and Parquet, a folder of files and a glob, with lines/rows in rejects', async () => {
    const dir = tempDir();
    writeFiles(dir, CLEAN);
    // notes as JSON lines in a folder, split over two files; items as a real JSON array
    writeFiles(dir, {
      'notes-json/2024-01.jsonl': '{"note_key":"N1","case_key":"K1","written_at":"2024-01-05 10:00:00","text":"Signed a lease.\\nMoved in."}\n{"note_key":"N2","case_key":"K404","written_at":"2024-01-06 10:00:00","text":"orphan"}\n',
      'notes-json/2024-02.jsonl': '{"note_key":"N3","case_key":"K2","written_at":"2024-02-05 10:00:00","text":"Denies any substance use."}\n',
      'goals/a.csv': 'goal_key,case_key,domain,set_on,status,achieved_on\nG1,K1,housing,2024-01-02,achieved,2024-01-30\n',
      'goals/b.csv': 'goal_key,case_key,domain,set_on,status,achieved_on\nG2,K2,income,2024-03-02,active,\nG1,K3,food,2024-05-01,active,\n',
    });
    // surveys as Parquet, written by DuckDB itself
    await withDb(path.join(dir, 'scratch.duckdb'), async (db) => {
      await db.run(`COPY (SELECT * FROM (VALUES ('Q1', 'K1', DATE '2024-02-01', 5, true), ('Q2', 'K2', DATE '2024-04-01', 11, false), ('Q3', 'K404', DATE '2024-04-01', 3, false)) v(survey_key, case_key, responded_on, satisfaction, recommend)) TO '${path.join(dir, 'surveys.parquet')}' (FORMAT parquet)`);
    });
    const pipeline = cleanPipeline();
    const sources = (pipeline.sources as Array<Record<string, unknown>>).map((s) => {
      if (s.name === 'notes') return { ...s, path: 'notes-json', format: 'jsonl', fields: { note_key: 'note_key', case_key: 'case_key', written_at: 'written_at', text: 'text' } };
      if (s.name === 'goals') return { ...s, path: 'goals/*.csv' };
      if (s.name === 'surveys') return { ...s, path: 'surveys.parquet', fields: { ...(s.fields as object), satisfaction: { from: 'satisfaction', allowed: ['1', '2', '3', '4', '5'] } } };
      return s;
    });
    const file = writePipeline(dir, 'crm', { ...pipeline, sources });
    await withDb(path.join(dir, 'db.duckdb'), async (db) => {
      const report = await ingest(db, dir, file, { rejectLimit: 1 });
      const by = Object.fromEntries(report.sources.map((s) => [s.source, s]));
      expect(by.notes).toMatchObject({ read: 3, loaded: 2, rejected: 1, files: ['notes-json/2024-01.jsonl', 'notes-json/2024-02.jsonl'] });
      expect(by.goals).toMatchObject({ read: 3, loaded: 2, rejected: 1, files: ['goals/a.csv', 'goals/b.csv'] });
      expect(by.surveys).toMatchObject({ read: 3, loaded: 1, rejected: 2 });
      const rejects = await db.all('SELECT source, file, line, code FROM ingest_rejects ORDER BY source, file, line');
      expect(rejects).toEqual([
        // duplicate across files of one source: the first file's row wins
        { source: 'goals', file: 'goals/b.csv', line: 3, code: 'duplicate_key' },
        { source: 'notes', file: 'notes-json/2024-01.jsonl', line: 2, code: 'unknown_reference' },
        { source: 'surveys', file: 'surveys.parquet', line: 2, code: 'not_allowed' },
        { source: 'surveys', file: 'surveys.parquet', line: 3, code: 'unknown_reference' },
      ]);
      expect(await db.value("SELECT text FROM notes WHERE note_id = 'crm:N1'")).toBe('Signed a lease.\nMoved in.');
      expect(await db.value("SELECT responded_at::VARCHAR FROM surveys WHERE survey_id = 'crm:Q1'")).toBe('2024-02-01');
      expect((await tableCounts(db)).notes).toBe(2);
    });
  });

  it('reads a semicolon-delimited Latin-1 file when the pipeline says so', async () => {
    const dir = tempDir();
    writeFiles(dir, { ...CLEAN, 'programs.csv': Buffer.from('program_key;name;program_type\nP1;Logement d\'abord;housing\nP2;Emploi;workforce\n', 'latin1') });
    const pipeline = cleanPipeline();
    const sources = (pipeline.sources as Array<Record<string, unknown>>).map((s) => (s.name === 'programs' ? { ...s, csv: { delimiter: ';', encoding: 'latin-1' } } : s));
    const file = writePipeline(dir, 'crm', { ...pipeline, sources });
    fs.appendFileSync(path.join(dir, 'programs.csv'), Buffer.from('P3;Santé mentale;behavioural_health\n', 'latin1'));
    await withDb(path.join(dir, 'db.duckdb'), async (db) => {
      const report = await ingest(db, dir, file);
      expect(report.sources.find((s) => s.source === 'programs')).toMatchObject({ read: 3, loaded: 3 });
      expect(await db.value("SELECT name FROM programs WHERE program_id = 'crm:P3'")).toBe('Santé mentale');
    });
  });
});
