/** The registry, parameters, output schemas, formats and the generated documentation. */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.ts';
import {
  findKpi, formatKpiList, formatKpiResult, generateKpiDocs, kpiConfigSchema, kpiParamsFromCli, KPI_CLI_OPTIONS, listKpis, outputSchema, runKpi,
} from '../../src/kpi/index.ts';
import type { Db } from '../../src/store/index.ts';
import { fixtureDb, insert } from './fixture.ts';

let db: Db;
beforeAll(async () => {
  db = await fixtureDb();
});
afterAll(() => db.close());

const REQUIRED = [
  'resolution-time', 'goal-achievement', 'caseload', 'caseload-series', 'followup-compliance', 'service-utilisation',
  'attendance', 'satisfaction', 'documentation-completeness', 'narrative-evidence', 'change-from-baseline',
];

describe('registry', () => {
  it('lists every KPI with a one-line definition', () => {
    const list = listKpis();
    expect(list.map((k) => k.id)).toEqual(REQUIRED);
    for (const k of list) {
      expect(k.summary.length, k.id).toBeGreaterThan(20);
      expect(k.summary, k.id).not.toMatch(/\n/);
    }
  });

  it('every KPI has a full written definition, documented parameters and columns', () => {
    for (const id of REQUIRED) {
      const def = findKpi(id)!;
      const d = def.definition;
      for (const field of [d.formula, d.population, d.period, d.ties, d.missing]) expect(field.length, id).toBeGreaterThan(10);
      expect(d.exclusions.length, id).toBeGreaterThan(0);
      for (const p of def.params) {
        expect(p.flag, id).toMatch(/^--[a-z][a-z-]*$/);
        expect(p.description.length, `${id} ${p.name}`).toBeGreaterThan(5);
      }
      for (const c of def.columns) expect(c.description.length > 0 || c.hidden, `${id} ${c.name}`).toBe(true);
      expect(new Set(def.columns.map((c) => c.name)).size, id).toBe(def.columns.length);
    }
  });

  it('funder-facing KPIs: every figure shown belongs to a disclosure cell', () => {
    for (const k of listKpis().filter((x) => x.funderFacing)) {
      const def = findKpi(k.id)!;
      const covered = new Set(def.disclosure!.cells.flatMap((c) => c.columns));
      for (const c of def.columns.filter((x) => !x.dimension && !x.hidden)) expect(covered.has(c.name), `${k.id}.${c.name} is not protected`).toBe(true);
      for (const cell of def.disclosure!.cells) {
        expect(def.columns.some((c) => c.name === cell.clients), `${k.id} ${cell.name}: no column ${cell.clients}`).toBe(true);
      }
    }
  });

  it('results match their output schema (plain, hidden columns, suppressed)', async () => {
    for (const id of REQUIRED) {
      const def = findKpi(id)!;
      const params = { asOf: '2024-03-31' };
      const r = await runKpi(db, id, params, { today: '2024-12-31' });
      for (const row of r.rows) outputSchema(def).parse(row);
      expect(r.columns.map((c) => c.name)).toEqual(def.columns.filter((c) => !c.hidden).map((c) => c.name));
      const withHidden = await runKpi(db, id, params, { today: '2024-12-31', includeHidden: true });
      for (const row of withHidden.rows) outputSchema(def, { includeHidden: true }).parse(row);
      if (def.disclosure) {
        const s = await runKpi(db, id, params, { today: '2024-12-31', suppress: { k: 3 } });
        for (const row of s.rows) outputSchema(def).parse(row);
      }
    }
  });
});

describe('parameters', () => {
  const bad = async (id: string, params: Record<string, unknown>) => {
    const e = await runKpi(db, id, params).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(UsageError);
    return (e as Error).message;
  };

  it('are validated: unknown names, bad dates, reversed periods, unknown KPIs', async () => {
    expect(await bad('resolution-time', { form: '2024-01-01' })).toMatch(/unknown parameter "form".*accepted: from, to/);
    expect(await bad('resolution-time', { from: '2024-02-30' })).toMatch(/--from "2024-02-30": is not a real calendar date/);
    expect(await bad('resolution-time', { from: '01/02/2024' })).toMatch(/YYYY-MM-DD/);
    expect(await bad('resolution-time', { from: '2024-03-01', to: '2024-02-01' })).toMatch(/after --to/);
    expect(await bad('followup-compliance', { graceDays: '-1' })).toMatch(/--grace-days/);
    expect(await bad('resolution-time', { by: 'colour' })).toMatch(/--by/);
    expect(await bad('nope', {})).toMatch(/unknown KPI "nope"; known: resolution-time/);
  });

  it('programme and manager references: full id, or the part after the colon when unique', async () => {
    expect(await bad('resolution-time', { program: 'P9' })).toMatch(/--program P9: no such programme/);
    const r = await runKpi(db, 'resolution-time', { program: 'x:P2', by: 'none' });
    expect(r.params.program).toBe('x:P2');
    await insert(db, 'programs', ['program_id', 'name'], [['y:P2', 'Other system']]);
    expect(await bad('resolution-time', { program: 'P2' })).toMatch(/ambiguous: x:P2, y:P2/);
    await db.run(`DELETE FROM programs WHERE program_id = 'y:P2'`);
  });

  it('resolved parameters carry every default', async () => {
    const r = await runKpi(db, 'followup-compliance', { to: '2024-03-31' }, { config: { followups: { graceDays: 3 } } });
    expect(r.params).toEqual({ to: '2024-03-31', asOf: '2024-03-31', by: 'program', graceDays: 3 });
  });

  it('command-line flags map to parameters; a flag the KPI does not take is refused', () => {
    expect(KPI_CLI_OPTIONS['as-of']).toEqual({ type: 'string' });
    expect(kpiParamsFromCli('caseload', { 'as-of': '2024-03-31', 'case-type': 'standard', program: 'P1', format: 'json' }))
      .toEqual({ asOf: '2024-03-31', caseType: 'standard', program: 'P1' });
    expect(() => kpiParamsFromCli('caseload', { 'grace-days': '3' })).toThrow(/caseload does not take --grace-days/);
  });

  it('the config section validates and has defaults', () => {
    const c = kpiConfigSchema.parse({});
    expect(c).toMatchObject({ k: 11, caseload: { defaultCapacity: 25 }, followups: { graceDays: 7 }, satisfaction: { threshold: 4 } });
    expect(() => kpiConfigSchema.parse({ k: 1 })).toThrow();
    expect(() => kpiConfigSchema.parse({ followups: { grace: 3 } })).toThrow();
  });
});

describe('formats', () => {
  it('table, json and csv', async () => {
    const r = await runKpi(db, 'goal-achievement', { from: '2024-01-01', to: '2024-03-31' }, { today: '2024-12-31' });
    const table = formatKpiResult(r, 'table');
    expect(table).toMatch(/^Goal achievement rate: goals achieved/);
    expect(table).toMatch(/Housing\s+2\s+1\s+2\s+100\.0%/);
    expect(JSON.parse(formatKpiResult(r, 'json'))).toMatchObject({ kpi: 'goal-achievement', rows: expect.any(Array) });
    const csv = formatKpiResult(r, 'csv').split('\n');
    expect(csv[0]).toBe('group_by,group_id,group,is_total,goals,clients,achieved,rate');
    expect(csv[1]).toBe('domain,,All,true,4,2,3,0.75');
  });

  it('the KPI list', () => {
    const text = formatKpiList(listKpis());
    expect(text).toMatch(/^resolution-time\s+days from opening to closing/m);
    expect(text).toMatch(/^caseload\s+.*\(internal\)$/m);
    expect(JSON.parse(formatKpiList(listKpis(), 'json'))).toHaveLength(11);
    expect(formatKpiList(listKpis(), 'csv').split('\n')[0]).toBe('id,title,summary,funder_facing');
  });

  it('suppressed cells are marked, never zero', async () => {
    const r = await runKpi(db, 'goal-achievement', { from: '2024-01-01', to: '2024-03-31' }, { today: '2024-12-31', suppress: { k: 3 } });
    expect(formatKpiResult(r, 'table')).toMatch(/\* suppressed: fewer than 3 clients/);
    expect(formatKpiResult(r, 'csv').split('\n')[1]).toBe('domain,,All,true,suppressed,suppressed,suppressed,suppressed');
    const json = JSON.parse(formatKpiResult(r, 'json'));
    expect(json.rows[0].goals).toEqual({ value: null, suppressed: true, reason: 'fewer than 3 clients' });
  });

  it('documentation completeness lists failing cases in the table format', async () => {
    const r = await runKpi(db, 'documentation-completeness', { from: '2024-01-01', to: '2024-03-31' }, { today: '2024-12-31' });
    expect(formatKpiResult(r, 'table')).toMatch(/Failing cases \(4\):[\s\S]*x:K3[\s\S]*notes, closure/);
  });
});

describe('docs/kpis.md', () => {
  it('is generated from the registry (run `node --import tsx src/kpi/docs.ts --write` after changing a KPI)', () => {
    const file = path.resolve(import.meta.dirname, '../../docs/kpis.md');
    expect(fs.readFileSync(file, 'utf8')).toBe(generateKpiDocs());
  });

  it('documents every KPI, parameter and visible column', () => {
    const doc = generateKpiDocs();
    for (const id of REQUIRED) {
      const def = findKpi(id)!;
      expect(doc).toContain(`## \`${id}\``);
      const section = doc.slice(doc.indexOf(`## \`${id}\``));
      for (const p of def.params) expect(section).toContain(`\`${p.flag}\``);
      for (const c of def.columns.filter((x) => !x.hidden)) expect(section).toContain(`\`${c.name}\``);
    }
    expect(doc).toMatch(/2\.776 for n = 5/);
  });
});
