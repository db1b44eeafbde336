import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { CLEAN, cleanPipeline, tempDir, writeFiles, writePipeline } from '../helpers.ts';
import { runMain as run } from '../support/main.ts';

function project() {
  const dir = tempDir();
  writeFiles(dir, CLEAN);
  fs.mkdirSync(path.join(dir, 'pipelines'));
  writePipeline(path.join(dir, 'pipelines'), 'crm', cleanPipeline());
  fs.writeFileSync(path.join(dir, 'caselens.config.yaml'), YAML.stringify({ database: 'db.duckdb', identity: { keyFile: 'identity.key' } }));
  return dir;
}

describe('caselens command line', () => {
  it('ingest prints read = loaded + rejected per source, and status shows the run', async () => {
    const dir = project();
    const r = await run(['ingest', 'crm'], dir);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^loaded: pipeline crm, run 1/);
    expect(r.out).toMatch(/notes\s+notes\s+3\s+3\s+3\s+0\s+0\s+0/);
    expect(r.out).toContain('total: read 24 = loaded 24 + rejected 0');
    const s = await run(['status', '--json'], dir);
    const status = JSON.parse(s.out);
    expect(status.tables.find((t: { table: string }) => t.table === 'notes').rows).toBe(3);
    expect(status.lastRuns[0]).toMatchObject({ run_id: 1, pipeline: 'crm', status: 'succeeded', read: 24, rejected: 0 });
  });

  it('a load over its reject limit exits 4 and prints the rejected rows with file and line', async () => {
    const dir = project();
    writeFiles(dir, { 'notes.csv': CLEAN['notes.csv'].replace(/K[123],S/g, 'K9,S') });
    const r = await run(['ingest', 'crm'], dir);
    expect(r.code).toBe(4);
    expect(r.out).toMatch(/^FAILED: pipeline crm/);
    expect(r.out).toContain('notes.csv:2: case_key = "K9": unknown case "K9"');
    expect(r.err).toMatch(/^error: ingest crm failed, nothing was loaded: 3 of 24 rows rejected \(12\.5%\), over the limit of 5\.0%/);
    const s = JSON.parse((await run(['status', '--json'], dir)).out);
    expect(s.tables.find((t: { table: string }) => t.table === 'clients').rows).toBe(0);
    expect(s.rejectsByReason).toEqual([expect.objectContaining({ source: 'notes', code: 'unknown_reference', rows: 3 })]);
    // --reject-limit lets a user accept the rejects knowingly
    expect((await run(['ingest', 'crm', '--reject-limit', '0.2'], dir)).code).toBe(0);
  });

  it('validate reports each problem as one line and exits 3', async () => {
    const dir = project();
    fs.writeFileSync(path.join(dir, 'pipelines', 'broken.yaml'), 'system: x\nsources:\n  - name: a\n    table: cases\n    path: nowhere.csv\n    fields: { case_key: k }\n');
    const r = await run(['validate'], dir);
    expect(r.code).toBe(3);
    const lines = r.out.split('\n');
    expect(lines).toContain('pipelines/broken.yaml: sources.0.fields: required field "client_key" is not mapped (source key of the client)');
    expect(lines.some((l) => l.startsWith('pipelines/broken.yaml: sources.0.path: file not found'))).toBe(true);
    expect(lines.at(-1)).toMatch(/^2 file\(s\) checked: 1 ok, 1 with problems/);
  });

  it('validates the project\'s own pipelines, frameworks and dashboards', async () => {
    const root = path.resolve(import.meta.dirname, '..', '..');
    const r = await run(['validate', '--json'], root);
    const result = JSON.parse(r.out);
    expect(result.problems).toEqual([]);
    const kinds = new Set(result.checked.map((c: { kind: string }) => c.kind));
    expect(kinds).toEqual(new Set(['pipeline', 'framework', 'dashboard']));
    expect(r.code).toBe(0);
  });

  it('usage errors exit 2 with a message; unknown commands too', async () => {
    const dir = project();
    expect((await run(['ingest'], dir))).toMatchObject({ code: 2, err: expect.stringContaining('name a pipeline') });
    expect((await run(['frobnicate'], dir))).toMatchObject({ code: 2, err: expect.stringContaining('unknown command "frobnicate"') });
    expect((await run(['status', '--bogus'], dir))).toMatchObject({ code: 2, err: expect.stringContaining("Unknown option '--bogus'") });
    expect((await run(['ingest', 'nope'], dir))).toMatchObject({ code: 3, err: expect.stringMatching(/nope\.yaml: file not found/) });
  });

  it('identity review lists conflicting matches', async () => {
    const dir = project();
    writeFiles(dir, {
      'clients.csv': CLEAN['clients.csv'] + 'C4,Ana,López,1990-01-02,female,\n',
      'partner.csv': 'pid,first,last,dob\nR1,ana,lopez,1990-01-02\n',
    });
    writePipeline(path.join(dir, 'pipelines'), 'partner', {
      system: 'partner',
      sources: [{ name: 'partner', table: 'clients', path: 'partner.csv', identity: { rules: [{ rule: 'name_dob' }] }, fields: { client_key: 'pid', first_name: 'first', last_name: 'last', dob: 'dob' } }],
    });
    expect((await run(['ingest', 'crm', 'partner'], dir)).code).toBe(0);
    const r = await run(['identity', 'review'], dir);
    expect(r.out).toContain('1 source record(s) matched more than one existing client');
    expect(r.out).toMatch(/partner:R1\s+CL-[0-9A-F]{16}\s+CL-[0-9A-F]{16} \(name_dob\); CL-[0-9A-F]{16} \(name_dob\)/);
  });

  it('export writes parquet that DuckDB can read', async () => {
    const dir = project();
    await run(['ingest', 'crm'], dir);
    const r = await run(['export', '--format', 'parquet', '--out', 'out', '--partition-by', 'program_id', '--json'], dir);
    expect(r.code).toBe(0);
    const results = JSON.parse(r.out);
    expect(results.find((x: { table: string }) => x.table === 'cases')).toMatchObject({ rows: 4, partitionedBy: 'program_id' });
    expect((await run(['export', '--format', 'xlsx', '--out', 'o'], dir)).code).toBe(2);
  });

  it('kpi lists and computes KPIs; report funder writes a suppressed HTML report with no personal data', async () => {
    const dir = project();
    await run(['ingest', 'crm'], dir);
    const list = await run(['kpi'], dir);
    expect(list.out).toMatch(/^resolution-time\s+days from opening to closing/m);
    const r = await run(['kpi', 'resolution-time', '--from', '2024-01-01', '--to', '2024-12-31', '--format', 'json'], dir);
    expect(r.code).toBe(0);
    // K1 closed after 31 days, K3 the same day: by hand, median 15.5, mean 15.5, 2 cases
    const total = JSON.parse(r.out).rows.find((row: { is_total: boolean }) => row.is_total);
    expect(total).toMatchObject({ cases: 2, median_days: 15.5, mean_days: 15.5 });
    expect((await run(['kpi', 'resolution-time', '--grace-days', '3'], dir))).toMatchObject({ code: 2, err: expect.stringContaining('does not take --grace-days') });
    const report = await run(['report', 'funder', '--out', 'funder.html'], dir);
    expect(report.code).toBe(0);
    const html = fs.readFileSync(path.join(dir, 'funder.html'), 'utf8');
    expect(html).toMatch(/<html/i);
    for (const secret of ['López', 'García', "O'Brien", '555-0101', 'Denies any substance use']) expect(html).not.toContain(secret);
    expect(html).toMatch(/suppress/i);
  });
});
