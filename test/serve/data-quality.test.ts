/**
 * The data-quality report on the server: /api/data-quality and /data-quality for administrators,
 * managers and supervisors; 403 for evaluators and funders; the nav links the page once the
 * database has a report.
 */
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Role } from '../../src/dashboards/schema.ts';
import { hmisDataQuality } from '../../src/sources/hmis-dq.ts';
import { openStore } from '../../src/store/index.ts';
import { tempDir } from '../helpers.ts';
import { EXAMPLE } from '../sources/helpers.ts';
import { sampleDbCopy } from './fixture.ts';
import { makeHarness, type Harness } from './harness.ts';

let h: Harness;
let plain: Harness;
let dir: string;

beforeAll(async () => {
  dir = tempDir('caselens-dq-serve-');
  const dbPath = await sampleDbCopy(dir);
  const db = await openStore(dbPath);
  try {
    await hmisDataQuality(db, EXAMPLE, { runId: 7, system: 'hmis' });
  } finally {
    db.close();
  }
  h = await makeHarness({ dbPath });
  plain = await makeHarness();
}, 180_000);

afterAll(async () => {
  await h?.close();
  await plain?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('data quality on the server', () => {
  it('admin, manager and supervisor get the report as JSON, CSV and a page with the table', async () => {
    for (const role of ['admin', 'manager', 'supervisor'] as Role[]) {
      const r = await h.get(role, '/api/data-quality');
      expect(r.status, role).toBe(200);
      const body = await r.json() as { runId: number; rows: Array<{ file: string; check: string; problems: number | null; exampleIds: string[] }> };
      expect(body.runId).toBe(7);
      expect(body.rows.find((x) => x.file === 'Client.csv' && x.check === 'rows')).toBeDefined();
      expect(body.rows.find((x) => x.file === 'Client.csv' && x.check === 'missing' && x.problems === 1)).toMatchObject({ exampleIds: ['103'] });

      const page = await h.get(role, '/data-quality');
      expect(page.status, role).toBe(200);
      const html = await page.text();
      expect(html).toContain('<h1>Data quality</h1>');
      expect(html).toMatch(/<section class="dq-file" data-file="Enrollment\.csv">[\s\S]*?<table class="data">/);
      expect(html).toMatch(/data-check="missing" data-field="VeteranStatus">[\s\S]*?1 of 4[\s\S]*?PersonalID 103/);
      expect(html).toContain('<a href="/data-quality" aria-current="page">Data quality</a>');
    }
    const csv = await h.get('admin', '/api/data-quality?format=csv');
    expect(csv.status).toBe(200);
    expect((await csv.text()).split('\n')[0]).toMatch(/^file,field,check,severity,status,rows_checked,problems,id_field,example_ids,message/);
    expect((await h.get('admin', '/api/data-quality?run=7')).status).toBe(200);
    expect((await h.get('admin', '/api/data-quality?run=8')).status).toBe(404);
    expect((await h.get('admin', '/api/data-quality?run=x')).status).toBe(400);
  });

  it('evaluator and funder get 403, and no link in their nav', async () => {
    for (const role of ['evaluator', 'funder'] as Role[]) {
      const r = await h.get(role, '/api/data-quality');
      expect(r.status, role).toBe(403);
      expect(((await r.json()) as { error: string }).error).toMatch(/administrators, managers and supervisors/);
      expect((await h.get(role, '/data-quality')).status, role).toBe(403);
      const me = (await (await h.get(role, '/api/me')).json()) as { dashboards: Array<{ href: string }> };
      expect(me.dashboards.map((d) => d.href)).not.toContain('/data-quality');
    }
    expect((await h.get(null, '/api/data-quality')).status).toBe(401);
  });

  it('links the page in the nav of those roles only when the database has a report', async () => {
    const hrefs = async (x: Harness, role: Role) => ((await (await x.get(role, '/api/me')).json()) as { dashboards: Array<{ href: string }> }).dashboards.map((d) => d.href);
    expect(await hrefs(h, 'admin')).toContain('/data-quality');
    expect(await hrefs(h, 'manager')).toContain('/data-quality');
    expect(await hrefs(plain, 'admin')).not.toContain('/data-quality');
    const none = await plain.get('admin', '/api/data-quality');
    expect(none.status).toBe(200);
    expect(await none.json()).toMatchObject({ runId: null, rows: [] });
    expect(await (await plain.get('admin', '/data-quality')).text()).toContain('no data-quality report yet');
  });
});
