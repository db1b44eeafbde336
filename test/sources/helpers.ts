import fs from 'node:fs';
import path from 'node:path';
import type { IngestReport } from '../../src/ingest/index.ts';
import type { Db } from '../../src/store/index.ts';

export const ROOT = path.resolve(import.meta.dirname, '..', '..');
export const SHARED = path.resolve(ROOT, '..', 'shared', 'data');
export const EXAMPLE = path.join(ROOT, 'data', 'hmis-example');

/** A folder of ../shared/data, or undefined (with a note on the console) when it is absent. */
export function sharedDir(rel: string): string | undefined {
  const dir = path.join(SHARED, rel);
  if (fs.existsSync(dir)) return dir;
  // CI has ../shared/data beside the checkout: there a missing folder fails the tests that need it rather than skipping them.
  if (process.env.CI === 'true') return dir;
  console.warn(`[caselens tests] ${dir} is absent: skipping the tests that need it (CI has ../shared/data beside the checkout)`);
  return undefined;
}

/** Every source: read = loaded + deleted + rejected; totals likewise; rejects in the table match the report. */
export async function expectCountsAddUp(db: Db, report: IngestReport, expect: (v: unknown) => { toBe(x: unknown): void; toEqual(x: unknown): void }): Promise<void> {
  for (const s of report.sources) {
    expect({ source: s.source, sum: s.loaded + s.deleted + s.rejected }).toEqual({ source: s.source, sum: s.read });
    expect({ source: s.source, loaded: s.inserted + s.updated + s.unchanged }).toEqual({ source: s.source, loaded: s.loaded });
  }
  const t = report.totals;
  expect(t.loaded + t.deleted + t.rejected).toBe(t.read);
  expect(await db.value<number>('SELECT count(*) FROM ingest_rejects WHERE run_id = $1', [report.runId])).toBe(t.rejected);
}

/** Copies an export folder (so a test can change files). */
export function copyDir(from: string, to: string): string {
  fs.mkdirSync(to, { recursive: true });
  for (const f of fs.readdirSync(from)) if (fs.statSync(path.join(from, f)).isFile()) fs.copyFileSync(path.join(from, f), path.join(to, f));
  return to;
}
