import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { runCli } from '../support/cli.ts';
import { CLEAN, cleanPipeline, snapshot, tempDir, withDb, writeFiles, writePipeline } from '../helpers.ts';


function bigNotes(n: number): string {
  const lines = ['note_key,case_key,author_key,written_at,text'];
  const cases = ['K1', 'K2', 'K3', 'K4'];
  for (let i = 0; i < n; i++) {
    lines.push(`B${i},${cases[i % 4]},S2,2024-06-01 10:00:00,"Met with client about housing and income, note ${i}.\nFollow-up booked for next week; client reports feeling more settled."`);
  }
  return lines.join('\n') + '\n';
}

describe('a load killed half-way', () => {
  it('leaves the database exactly as it was before the load, and the next run completes', async () => {
    const dir = tempDir();
    writeFiles(dir, CLEAN);
    writePipeline(dir, 'crm', cleanPipeline());
    fs.writeFileSync(path.join(dir, 'caselens.config.yaml'), YAML.stringify({ database: 'db.duckdb', identity: { keyFile: 'identity.key' }, paths: { pipelines: '.' } }));
    const first = await runCli(['ingest', 'crm'], dir);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    const dbPath = path.join(dir, 'db.duckdb');
    const before = await withDb(dbPath, snapshot);

    // A much bigger load with a changed case, killed while it checks the notes.
    writeFiles(dir, {
      'notes.csv': bigNotes(300_000),
      'cases.csv': CLEAN['cases.csv'].replace('K2,C2,P1,S2,2024-03-01,,', 'K2,C2,P1,S3,2024-03-01,2024-07-01,goals_met'),
    });
    let killedAt = '';
    const killed = await runCli(['ingest', 'crm', '--progress'], dir, { onStderr: (stderr, kill) => {
      if (!killedAt && /checking notes/.test(stderr)) {
        killedAt = stderr.trim().split('\n').at(-1)!;
        kill();
      }
    } });
    expect(killed.signal).toBe('SIGKILL');
    // it was killed after earlier sources of the same job had been merged
    expect(killed.stderr).toMatch(/merging cases/);
    expect(killedAt).toMatch(/checking notes/);

    const after = await withDb(dbPath, async (db) => {
      expect(await db.value('SELECT count(*) FROM ingest_runs')).toBe(1);
      return snapshot(db);
    });
    expect(after).toBe(before);

    const again = await runCli(['ingest', 'crm', '--json'], dir);
    expect(again.code).toBe(0);
    const [report] = JSON.parse(again.stdout);
    expect(report.sources.find((s: { source: string }) => s.source === 'notes')).toMatchObject({ read: 300_000, loaded: 300_000, rejected: 0 });
    expect(report.sources.find((s: { source: string }) => s.source === 'cases')).toMatchObject({ updated: 1 });
  }, 120_000);
});
