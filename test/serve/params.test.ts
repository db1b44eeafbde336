/**
 * Parameters are parsed to their canonical form before any decision is made on them: as a
 * funder, every funder-visible parameter written with surrounding whitespace, in another case,
 * percent-encoded or given twice either means exactly what its plain form means (with the same
 * role rules: ` manager` is refused like `manager`) or is a 400. Never more data.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findKpi, listKpis } from '../../src/kpi/index.ts';
import { Db } from '../../src/store/index.ts';
import { makeHarness, type Harness } from './harness.ts';

let h: Harness;
const values: Record<string, string> = {
  from: '2025-01-01', to: '2025-06-30', asOf: '2025-06-30', followup: 'latest', unit: 'client', horizonDays: '90', horizonToleranceDays: '30',
  baselineBeforeDays: '30', baselineAfterDays: '30', graceDays: '7', threshold: '4', instrument: 'phq9', scorer: 'offline',
};
/** parameters whose values are fixed words (case is folded) */
const CHOICES = new Set(['by', 'followup', 'unit']);
/** what a funder may set (src/serve/kpis.ts) */
const FUNDER_PARAMS = new Set(['from', 'to', 'asOf', 'program', 'caseType', 'by', 'instrument', 'domain', 'followup', 'horizonDays', 'horizonToleranceDays', 'baselineBeforeDays', 'baselineAfterDays', 'unit', 'graceDays', 'threshold', 'scorer']);

beforeAll(async () => {
  h = await makeHarness();
  const db = await Db.open(h.dbPath, { readOnly: true });
  try {
    values.program = (await db.value<string>('SELECT program_id FROM programs ORDER BY program_id LIMIT 1'))!;
    values.caseType = (await db.value<string>('SELECT case_type FROM cases WHERE case_type IS NOT NULL ORDER BY case_type LIMIT 1'))!;
    values.domain = (await db.value<string>('SELECT domain_id FROM note_tags ORDER BY domain_id LIMIT 1'))!;
  } finally {
    db.close();
  }
});

afterAll(async () => {
  await h?.close();
});

const enc = (v: string) => encodeURIComponent(v);
const allPercent = (v: string) => [...Buffer.from(v, 'utf8')].map((b) => `%${b.toString(16).padStart(2, '0').toUpperCase()}`).join('');

/** other spellings of `name=value`, as raw query-string text */
function spellings(name: string, value: string): string[] {
  const v = enc(value);
  const out = [
    `${name}=%20${v}`, `${name}=${v}%20`, `${name}=+${v}`, `${name}=${v}+`, `${name}=%20%20${v}%20%20`,
    `${name}=%09${v}`, `${name}=${v}%09`, `${name}=%0A${v}`, `${name}=${allPercent(value)}`, `${name}=%C2%A0${v}`,
    `${enc(name)}=${v}`, `${allPercent(name)}=${v}`,
  ];
  if (CHOICES.has(name)) {
    const upper = value.toUpperCase();
    const mixed = value.charAt(0).toUpperCase() + value.slice(1);
    // a literal "%20" is another value, not a spelling: for fixed words it can only be a 400
    out.push(`${name}=${enc(upper)}`, `${name}=${enc(mixed)}`, `${name}=%20${enc(mixed)}%09`, `${name}=${allPercent(upper)}`, `${name}=%2520${v}`);
  }
  return out;
}

/** the same parameter twice: always a 400 */
function duplicates(name: string, value: string, other: string): string[] {
  const v = enc(value);
  return [`${name}=${v}&${name}=${v}`, `${name}=${enc(other)}&${name}=${v}`, `${name}=${v}&${name}=${enc(other)}`, `${name}=%20${v}&${name}=${v}`];
}

async function fetchAs(url: string): Promise<{ status: number; body: string }> {
  const r = await h.get('funder', url);
  const buf = Buffer.from(await r.arrayBuffer());
  return { status: r.status, body: buf.toString('base64') };
}

/** Every spelling gives the plain form's answer (same status, same bytes) or a 400; duplicates are a 400. */
async function checkParam(base: string, name: string, value: string, other: string, extra = ''): Promise<{ plain: number }> {
  const sep = base.includes('?') ? '&' : '?';
  const plain = await fetchAs(`${base}${sep}${name}=${enc(value)}${extra}`);
  expect([200, 403], `${base} ${name}=${value}`).toContain(plain.status);
  for (const q of spellings(name, value)) {
    const got = await fetchAs(`${base}${sep}${q}${extra}`);
    if (got.status === 400) continue;
    expect(got.status, `${base}${sep}${q}${extra} (plain ${name}=${value}: ${plain.status})`).toBe(plain.status);
    if (plain.status === 200) expect(got.body === plain.body, `${base}${sep}${q}${extra} gives other data than the plain form`).toBe(true);
  }
  for (const q of duplicates(name, value, other)) {
    const got = await fetchAs(`${base}${sep}${q}${extra}`);
    expect(got.status, `${base}${sep}${q}${extra}`).toBe(400);
  }
  return { plain: plain.status };
}

const funderKpis = () => listKpis().filter((k) => k.funderFacing);

function byOptions(id: string): string[] {
  const spec = findKpi(id)!.params.find((p) => p.name === 'by');
  return spec ? [...spec.description.matchAll(/`([a-z_]+)`/g)].map((m) => m[1]!) : [];
}

describe('funder: grouping (by) is decided on the canonical value', () => {
  it('by=%20manager, by=%09manager, by=MANAGER, by=%6D%61… are refused like by=manager, on every KPI route and format', async () => {
    const kpis = funderKpis().filter((k) => byOptions(k.id).length);
    expect(kpis.length).toBeGreaterThan(3);
    for (const k of kpis) {
      for (const format of ['', '&format=csv', '&format=arrow']) {
        const { plain } = await checkParam(`/api/kpis/${k.id}?from=2025-01-01&to=2025-06-30`, 'by', 'manager', 'none', format);
        expect(plain, `${k.id} by=manager`).toBe(403);
      }
    }
  }, 600_000);

  it('every other grouping means the same with any spelling (JSON)', async () => {
    for (const k of funderKpis()) {
      for (const by of byOptions(k.id).filter((b) => b !== 'manager')) {
        const { plain } = await checkParam(`/api/kpis/${k.id}?from=2025-01-01&to=2025-06-30`, 'by', by, by === 'none' ? 'program' : 'none');
        expect(plain, `${k.id} by=${by}`).toBe(200);
      }
    }
  }, 600_000);
});

describe('funder: every funder-visible KPI parameter', () => {
  it('means what its plain form means, or is a 400, on every funder-facing KPI', async () => {
    for (const k of funderKpis()) {
      for (const p of k.params.map((x) => x.name).filter((n) => FUNDER_PARAMS.has(n) && n !== 'by')) {
        const value = values[p];
        expect(value, `a test value for ${p}`).toBeDefined();
        const other = p === 'to' || p === 'asOf' ? '2025-03-31' : p === 'from' ? '2025-02-01' : p === 'followup' ? 'horizon' : p === 'unit' ? 'episode' : /Days|threshold/.test(p) ? '5' : `${value}x`;
        // dates: the period must stay whole months for funders either way
        const base = p === 'from' ? `/api/kpis/${k.id}?to=2025-06-30` : p === 'to' || p === 'asOf' ? `/api/kpis/${k.id}?from=2025-01-01` : `/api/kpis/${k.id}?from=2025-01-01&to=2025-06-30`;
        await checkParam(base, p, value!, other);
      }
    }
  }, 600_000);

  it('manager (never a funder parameter) is refused in any spelling of its name or value', async () => {
    for (const k of funderKpis()) {
      for (const q of ['manager=x', 'manager=%20x', `${allPercent('manager')}=x`, 'manager=x&manager=y']) {
        const r = await h.get('funder', `/api/kpis/${k.id}?${q}`);
        expect([400, 403], `${k.id}?${q}`).toContain(r.status);
      }
    }
  });

  it('format is canonical too: ` CSV` is csv, a format given twice is a 400', async () => {
    const base = '/api/kpis/resolution-time?from=2025-01-01&to=2025-06-30&by=program';
    const csv = await fetchAs(`${base}&format=csv`);
    expect(csv.status).toBe(200);
    for (const f of ['%20csv', 'CSV', '+Csv%20']) expect(await fetchAs(`${base}&format=${f}`)).toEqual(csv);
    expect((await h.get('funder', `${base}&format=csv&format=json`)).status).toBe(400);
  });
});

describe('funder report and downloads (JSON, CSV, Arrow)', () => {
  it('from, to, asOf and program mean the same with any spelling, or are a 400', async () => {
    for (const format of ['', '&format=csv', '&format=arrow']) {
      await checkParam('/api/funder-report?to=2025-06-30', 'from', '2025-01-01', '2025-02-01', format);
      await checkParam('/api/funder-report?from=2025-01-01', 'to', '2025-06-30', '2025-03-31', format);
      await checkParam('/api/funder-report?from=2025-01-01&to=2025-06-30', 'program', values.program!, `${values.program}x`, format);
      await checkParam('/api/funder-report?from=2025-01-01&to=2025-06-30', 'asOf', '2025-06-30', '2025-03-31', format);
    }
  }, 600_000);

  it('the HTML report and the funder dashboard: same answer or a 400, duplicates a 400', async () => {
    for (const base of ['/api/funder-report?format=html&from=2025-01-01', '/d/funder?from=2025-01-01', '/d/overview?from=2025-01-01']) {
      const plain = await h.get('funder', `${base}&to=2025-06-30`);
      expect(plain.status, base).toBe(200);
      for (const q of spellings('to', '2025-06-30')) {
        const r = await h.get('funder', `${base}&${q}`);
        expect([200, 400], `${base}&${q}`).toContain(r.status);
      }
      for (const q of duplicates('to', '2025-06-30', '2025-03-31')) expect((await h.get('funder', `${base}&${q}`)).status, `${base}&${q}`).toBe(400);
    }
  }, 600_000);
});
