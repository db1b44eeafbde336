/**
 * Run bookkeeping that tells the truth: how long a load took, and a refused load's counts labelled
 * as not applied.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { IngestFailedError } from '../../src/ingest/index.ts';
import { readStatus } from '../../src/status.ts';
import { CLEAN, cleanPipeline, ingest, tempDir, withDb, writeFiles, writePipeline } from '../helpers.ts';
import { runMain } from '../support/main.ts';

describe('ingest run bookkeeping', () => {
  it('records the time a load took (not 0), and a refused load as not applied, in status and its printout', async () => {
    const dir = tempDir();
    writeFiles(dir, CLEAN);
    const pipeline = writePipeline(dir, 'crm', cleanPipeline());
    const dbPath = path.join(dir, 'db.duckdb');
    await withDb(dbPath, async (db) => {
      const t0 = Date.now();
      await ingest(db, dir, pipeline);
      const took = (Date.now() - t0) / 1000;
      const ok = await db.one<{ s: number }>('SELECT epoch(finished_at - started_at) AS s FROM ingest_runs WHERE run_id = 1');
      expect(ok!.s).toBeGreaterThan(0);
      expect(ok!.s).toBeLessThanOrEqual(took + 0.01);
      // every client row bad: over the reject limit, refused
      writeFiles(dir, { 'clients.csv': CLEAN['clients.csv']!.replace(/^(C\d),/gm, '$1X,').replace(/1990-01-02|1985-05-06|2000-12-31/g, 'not-a-date') });
      await expect(ingest(db, dir, pipeline, { rejectLimit: 0 })).rejects.toThrow(IngestFailedError);
      const s = await readStatus(db);
      expect(s.lastRuns[0]).toMatchObject({ run_id: 2, status: 'failed', applied: false });
      expect(s.lastRuns[1]).toMatchObject({ run_id: 1, status: 'succeeded', applied: true });
    });
    fs.writeFileSync(path.join(dir, 'caselens.config.yaml'), 'database: db.duckdb\n');
    const printed = await runMain(['status'], dir);
    expect(printed.code).toBe(0);
    const failedLine = printed.out.split('\n').find((l) => /^\s*2\s.*failed/.test(l));
    expect(failedLine).toMatch(/not applied/);
    expect(printed.out.split('\n').find((l) => /^\s*1\s.*succeeded/.test(l))).not.toMatch(/not applied/);
  });
});
