/**
 * Loading Green River's HMIS importer fixtures (FY2024), shared by the two fixture test files
 * (split so vitest's two workers share the work).
 */
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'vitest';
import { IngestFailedError, type IngestReport } from '../../src/ingest/index.ts';
import { ingestHmis, parseCsv, type HmisIngestResult } from '../../src/sources/index.ts';
import { openStore, type Db } from '../../src/store/index.ts';
import { TEST_IDENTITY_KEY } from '../helpers.ts';
import { expectCountsAddUp, sharedDir } from './helpers.ts';

export const FIXTURES = sharedDir('hmis/importer-fixtures/importer_fixtures_fy2024');

export function exportsIn(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    if (fs.readdirSync(d).includes('Export.csv')) out.push(d);
    for (const e of fs.readdirSync(d, { withFileTypes: true })) if (e.isDirectory()) walk(path.join(d, e.name));
  };
  walk(dir);
  return out.sort();
}

export interface Outcome {
  name: string;
  result?: HmisIngestResult;
  failed?: IngestReport;
  rejects: Array<{ source: string; file: string; line: number | null; field: string | null; value: string | null; code: string; reason: string }>;
  rerun?: IngestReport;
}

export async function loadFixture(dir: string, name: string): Promise<Outcome> {
  const db: Db = await openStore(':memory:');
  try {
    const load = () => ingestHmis({ db, input: dir, identityKey: TEST_IDENTITY_KEY, rejectLimit: 0.05, displayRoot: dir, dataQuality: false });
    let result: HmisIngestResult | undefined;
    let failed: IngestReport | undefined;
    try {
      result = await load();
    } catch (e) {
      if (!(e instanceof IngestFailedError)) throw new Error(`${name}: ${String(e)}`, { cause: e });
      failed = e.report;
    }
    const report = result?.report ?? failed!;
    await expectCountsAddUp(db, report, expect);
    const rejects = await db.all<Outcome['rejects'][number]>('SELECT source, file, line, field, value, code, reason FROM ingest_rejects WHERE run_id = $1 ORDER BY source, file, line', [report.runId]);
    const rerun = result ? (await load()).report : undefined;
    return { name, ...(result ? { result } : {}), ...(failed ? { failed } : {}), rejects, ...(rerun ? { rerun } : {}) };
  } finally {
    db.close();
  }
}


/** Loads the fixtures whose names `pick` accepts (two at a time) and checks what holds for every one. */
export async function loadAndCheck(pick: (name: string) => boolean): Promise<Map<string, Outcome>> {
  const outcomes = new Map<string, Outcome>();
  const dirs = exportsIn(FIXTURES!).filter((d) => pick(nameOf(d)));
  const queue = [...dirs];
  const worker = async () => {
    for (let dir = queue.shift(); dir; dir = queue.shift()) outcomes.set(nameOf(dir), await loadFixture(dir, nameOf(dir)));
  };
  await Promise.all([worker(), worker()]);
  for (const o of outcomes.values()) {
    for (const r of o.rejects) {
      expect(r.file, `${o.name}: reject without a file`).toBeTruthy();
      expect(r.reason.length, `${o.name}: reject without a reason`).toBeGreaterThan(20);
    }
    if (o.failed) {
      expect(o.failed.message, o.name).toMatch(/rows rejected .* over the limit/);
      expect(o.rejects.length, o.name).toBeGreaterThan(0);
    } else {
      expect(o.rerun!.totals, `${o.name}: re-load`).toMatchObject({ inserted: 0, updated: 0, rejected: o.result!.report.totals.rejected });
    }
    // Each source read exactly the records of its file.
    const report = (o.result?.report ?? o.failed)!;
    const dir = path.join(FIXTURES!, o.name, 'source');
    const recordsIn = (file: string) => (fs.existsSync(path.join(dir, file)) ? Math.max(0, parseCsv(fs.readFileSync(path.join(dir, file), 'utf8')).length - 1) : 0);
    for (const [source, file] of [['client', 'Client.csv'], ['enrollment', 'Enrollment.csv'], ['services', 'Services.csv']] as const) {
      expect(report.sources.find((s) => s.source === source)?.read ?? 0, `${o.name}: ${file}`).toBe(recordsIn(file));
    }
  }
  expect(outcomes.size).toBe(dirs.length);
  return outcomes;
}

export const nameOf = (dir: string) => path.relative(FIXTURES!, dir).replace(/\/source$/, '');
