/**
 * The access matrix: every route × every role, allowed or denied as the design says; funder
 * answers scanned for personal data, note text, record ids and cells resting on fewer than k
 * clients; audit lines for every note read.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findKpi, runKpi, isSuppressed } from '../../src/kpi/index.ts';
import { readAuditFiles } from '../../src/serve/index.ts';
import type { Role } from '../../src/dashboards/schema.ts';
import { Db } from '../../src/store/index.ts';
import { TODAY } from './fixture.ts';
import { makeHarness, ROLES, type Harness } from './harness.ts';

let h: Harness;
let db: Db;

beforeAll(async () => {
  h = await makeHarness();
  db = await Db.open(h.dbPath, { readOnly: true });
});

afterAll(async () => {
  db?.close();
  await h?.close();
});

const A = (...roles: Role[]) => roles;
const ALL = ROLES;
const K = 11;

interface Route {
  url: (s: Harness['staffing']) => string;
  allowed: Role[];
  /** funder-facing aggregate: scanned */
  aggregate?: boolean;
}

const e = encodeURIComponent;
const PERIOD = 'from=2025-01-01&to=2025-06-30';

const ROUTES: Route[] = [
  { url: () => '/api/me', allowed: ALL },
  { url: () => '/api/dashboards', allowed: ALL },
  { url: () => '/api/kpis', allowed: ALL, aggregate: true },
  { url: () => `/api/kpis/resolution-time?${PERIOD}`, allowed: ALL, aggregate: true },
  { url: () => `/api/kpis/goal-achievement?${PERIOD}&by=domain`, allowed: ALL, aggregate: true },
  { url: () => `/api/kpis/followup-compliance?${PERIOD}&by=followup_type`, allowed: ALL, aggregate: true },
  { url: () => `/api/kpis/satisfaction?${PERIOD}&by=program`, allowed: ALL, aggregate: true },
  { url: () => `/api/kpis/documentation-completeness?${PERIOD}&by=program`, allowed: ALL, aggregate: true },
  { url: () => `/api/kpis/change-from-baseline?${PERIOD}`, allowed: ALL, aggregate: true },
  { url: () => `/api/kpis/narrative-evidence?${PERIOD}`, allowed: ALL, aggregate: true },
  { url: () => `/api/kpis/resolution-time?${PERIOD}&format=csv`, allowed: ALL, aggregate: true },
  { url: () => '/api/kpis/caseload?asOf=2025-10-31', allowed: A('admin', 'evaluator', 'manager', 'supervisor') },
  { url: () => `/api/kpis/resolution-time?${PERIOD}&by=manager`, allowed: A('admin', 'evaluator', 'manager', 'supervisor') },
  { url: (s) => `/api/kpis/caseload?manager=${e(s.manager)}`, allowed: A('admin', 'evaluator', 'manager', 'supervisor') },
  { url: (s) => `/api/kpis/caseload?manager=${e(s.otherManager)}`, allowed: A('admin', 'evaluator') },
  { url: () => `/api/funder-report?${PERIOD}`, allowed: ALL, aggregate: true },
  { url: () => `/api/funder-report?${PERIOD}&format=csv`, allowed: ALL, aggregate: true },
  { url: () => `/api/funder-report?${PERIOD}&format=html`, allowed: ALL, aggregate: true },
  { url: () => '/api/cases?limit=5', allowed: A('admin', 'evaluator', 'manager', 'supervisor') },
  { url: (s) => `/api/cases/${e(s.caseId)}`, allowed: A('admin', 'manager', 'supervisor') },
  { url: (s) => `/api/cases/${e(s.otherCaseId)}`, allowed: A('admin') },
  { url: (s) => `/api/notes/${e(s.noteId)}`, allowed: A('admin', 'manager', 'supervisor') },
  { url: (s) => `/api/notes/${e(s.otherNoteId)}`, allowed: A('admin') },
  { url: (s) => `/api/clients/${e(s.clientId)}/timeline`, allowed: A('admin', 'evaluator', 'manager', 'supervisor') },
  { url: (s) => `/api/clients/${e(s.otherClientId)}/timeline`, allowed: A('admin', 'evaluator') },
  { url: () => '/api/runs', allowed: A('admin', 'evaluator', 'manager', 'supervisor') },
  { url: () => '/api/audit?limit=5', allowed: A('admin') },
  { url: () => `/d/overview?${PERIOD}`, allowed: ALL, aggregate: true },
  { url: () => `/d/caseload?${PERIOD}`, allowed: A('admin', 'manager', 'supervisor') },
  { url: () => `/d/outcomes?${PERIOD}`, allowed: A('admin', 'evaluator') },
  { url: () => `/d/funder?${PERIOD}`, allowed: ALL, aggregate: true },
  { url: () => '/cases', allowed: A('admin', 'manager', 'supervisor') },
  { url: (s) => `/cases/${e(s.caseId)}`, allowed: A('admin', 'manager', 'supervisor') },
  { url: (s) => `/cases/${e(s.otherCaseId)}`, allowed: A('admin') },
];

const funderBodies: Array<{ url: string; body: string }> = [];

describe('access matrix: every route × every role', () => {
  for (const route of ROUTES) {
    it(`${route.url({ manager: 'M', supervisor: 'S', otherManager: 'O', caseId: 'C', noteId: 'N', clientId: 'CL', otherCaseId: 'OC', otherNoteId: 'ON', otherClientId: 'OCL' })}`, async () => {
      const url = route.url(h.staffing);
      const got: Record<string, number> = {};
      const want: Record<string, number> = {};
      for (const role of ROLES) {
        const r = await h.get(role, url);
        got[role] = r.status;
        want[role] = route.allowed.includes(role) ? 200 : 403;
        const body = await r.text();
        expect(body).not.toMatch(/\n\s+at .+:\d+:\d+/);
        if (role === 'funder' && r.status === 200) funderBodies.push({ url, body });
      }
      expect(got).toEqual(want);
    });
  }
});

describe('what funders receive', () => {
  it('holds no personal data, note text, quotes or record ids', async () => {
    expect(funderBodies.length).toBeGreaterThan(10);
    const pii = await db.all<{ first_name: string; last_name: string; email: string | null; phone: string | null; national_id: string | null; address: string | null }>(
      'SELECT first_name, last_name, email, phone, national_id, address FROM client_pii',
    );
    const needles = new Set<string>();
    for (const p of pii) {
      needles.add(`${p.first_name} ${p.last_name}`);
      for (const v of [p.email, p.phone, p.national_id, p.address]) if (v && v.length >= 6) needles.add(v);
    }
    const notes = await db.all<{ text: string }>('SELECT text FROM notes USING SAMPLE 400 ROWS');
    for (const n of notes) needles.add(n.text.slice(0, 40));
    const quotes = await db.all<{ quote: string }>('SELECT DISTINCT quote FROM tag_citations WHERE length(quote) >= 25 USING SAMPLE 400 ROWS');
    for (const q of quotes) needles.add(q.quote);
    for (const { url, body } of funderBodies) {
      for (const n of needles) if (body.includes(n)) throw new Error(`funder answer ${url} contains "${n}"`);
      expect(body, url).not.toMatch(/CL-[0-9A-F]{16}/); // client ids
      expect(body, url).not.toMatch(/sample:[KNA]\d{5,}/); // case, note, assessment ids
    }
  });

  it('has no count resting on fewer than k clients', async () => {
    let checkedCells = 0;
    for (const { url, body } of funderBodies.filter((b) => b.url.startsWith('/api/kpis/') && !b.url.includes('format='))) {
      const r = JSON.parse(body) as { kpi: string; params: Record<string, unknown>; columns: Array<{ name: string; type: string; dimension?: boolean }>; rows: Array<Record<string, unknown>> };
      // any visible count below k is necessarily based on fewer than k clients
      for (const row of r.rows) {
        for (const c of r.columns.filter((x) => x.type === 'int' && !x.dimension)) {
          const v = row[c.name];
          if (typeof v === 'number') expect(v === 0 || v >= K, `${url} ${c.name} = ${v}`).toBe(true);
        }
      }
      // and against the unsuppressed figures: every disclosure cell on < k clients is withheld
      const def = findKpi(r.kpi)!;
      const params = Object.fromEntries(Object.entries(r.params).filter(([k, v]) => v !== undefined && def.params.some((p) => p.name === k)).map(([k, v]) => [k, String(v)]));
      const full = await runKpi(db, r.kpi, params, { includeHidden: true, today: TODAY });
      expect(full.rows.length).toBe(r.rows.length);
      full.rows.forEach((fr, i) => {
        for (const cell of def.disclosure!.cells) {
          const clients = fr[cell.clients];
          if (typeof clients === 'number' && clients < K) {
            for (const col of cell.columns) {
              checkedCells++;
              expect(isSuppressed(r.rows[i]![col]) || r.rows[i]![col] === null, `${url} row ${i} ${col} rests on ${clients} clients`).toBe(true);
            }
          }
        }
      });
    }
    expect(checkedCells).toBeGreaterThan(0);
    // the funder report's CSV: suppressed cells are marked, visible counts are 0 or ≥ k
    const csv = funderBodies.find((b) => b.url.startsWith('/api/funder-report') && b.url.includes('format=csv'))!.body;
    expect(csv).toMatch(/fewer than 11 clients/);
  });
});

describe('audit of note reads', () => {
  it('has a read line for every allowed note read and a deny line for every refused one', () => {
    const events = readAuditFiles(h.auditDir);
    const noteReads = events.filter((x) => x.action === 'read_note' && x.resource === `note:${h.staffing.noteId}`);
    expect(noteReads.map((x) => x.role).sort()).toEqual(['admin', 'manager', 'supervisor']);
    const caseReads = events.filter((x) => x.action === 'read_case' && x.resource === `case:${h.staffing.caseId}`);
    expect(caseReads.map((x) => x.role).sort()).toEqual(['admin', 'manager', 'supervisor']);
    expect(caseReads[0]!.detail.notes).toEqual(expect.arrayContaining([h.staffing.noteId]));
    const denied = events.filter((x) => x.action === 'deny' && x.resource === `/api/notes/${h.staffing.otherNoteId}`);
    expect(denied.map((x) => x.role).sort()).toEqual(['evaluator', 'funder', 'manager', 'supervisor']);
    for (const x of events) expect(x).toMatchObject({ actor: expect.any(String), role: expect.any(String), at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) });
  });
});
