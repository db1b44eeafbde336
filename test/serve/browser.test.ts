/**
 * End to end in real headless Chromium (Debian's /usr/bin/chromium through playwright-core)
 * against the real server on the sample database: sign in as each role, open each dashboard,
 * check that charts are drawn and figures match the API, click findings on the case view and
 * check the highlighted text is the stored quote. Screenshots go to test-output/screenshots/.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Role } from '../../src/dashboards/schema.ts';
import { hashSecret, startServer, type RunningServer } from '../../src/serve/index.ts';
import { projectConfig, ROOT, sampleDb, TODAY } from './fixture.ts';
import { findStaffing, type Staffing } from './harness.ts';

const CHROMIUM = process.env.CASELENS_CHROMIUM ?? '/usr/bin/chromium';
// CI installs Chromium (.ci/run): there its absence fails the browser tests instead of skipping them.
const HAVE_CHROMIUM = fs.existsSync(CHROMIUM) || process.env.CI === 'true';
if (!HAVE_CHROMIUM) console.warn(`skipping the browser tests: no Chromium at ${CHROMIUM} (install Debian's chromium package, or set CASELENS_CHROMIUM)`);

const SHOTS = path.join(ROOT, 'test-output', 'screenshots');
const PASSWORD = 'browser test password';

let server: RunningServer;
let context: BrowserContext;
let page: Page;
let staffing: Staffing;
let userDataDir: string;
let auditDir: string;
const pageErrors: string[] = [];

describe.skipIf(!HAVE_CHROMIUM)('in Chromium', () => {
  beforeAll(async () => {
    const dbPath = await sampleDb();
    auditDir = fs.mkdtempSync(path.join(os.tmpdir(), 'caselens-browser-audit-'));
    staffing = await findStaffing(dbPath);
    fs.mkdirSync(SHOTS, { recursive: true });
    server = await startServer({
      dbPath, config: projectConfig(), port: 0, today: () => TODAY, log: () => undefined,
      serve: { demoSignIn: 'on', users: [{ name: 'ada', role: 'admin', passwordHash: await hashSecret(PASSWORD) }], audit: { dir: auditDir } },
    });
    userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'caselens-chromium-'));
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
      viewport: { width: 1280, height: 900 },
    });
    page = context.pages()[0] ?? (await context.newPage());
    page.on('pageerror', (e) => pageErrors.push(e.message));
  }, 120_000);

  afterAll(async () => {
    await context?.close();
    await server?.close();
    for (const d of [userDataDir, auditDir]) if (d) fs.rmSync(d, { recursive: true, force: true });
  });

  async function demoSignIn(role: Role): Promise<void> {
    await page.goto(`${server.url}/login`);
    await page.check(`#demo-login input[value="${role}"]`);
    if (role === 'manager') await page.selectOption('#demo-login select[name="manager"]', staffing.manager);
    if (role === 'supervisor') await page.selectOption('#demo-login select[name="supervisor"]', staffing.supervisor);
    await Promise.all([page.waitForURL(/\/d\//), page.click('#demo-login button[type="submit"]')]);
  }

  async function signOut(): Promise<void> {
    await Promise.all([page.waitForURL(/\/login/), page.click('form[action="/logout"] button')]);
  }

  /** Every headline figure on the page equals the API's answer for the same parameters. */
  async function tilesMatchApi(): Promise<number> {
    const tiles = await page.$$eval('.tile[data-kpi]', (els) => els.map((e) => ({ kpi: e.getAttribute('data-kpi')!, column: e.getAttribute('data-column')!, value: e.getAttribute('data-value')!, params: e.getAttribute('data-params')! })));
    for (const t of tiles) {
      const r = await page.request.get(`${server.url}/api/kpis/${t.kpi}?${t.params}`);
      expect(r.status()).toBe(200);
      const body = await r.json();
      const row = body.rows.find((x: { is_total?: boolean }) => x.is_total === true) ?? body.rows[0];
      const v = row?.[t.column];
      if (typeof v === 'number') expect(Number(t.value), `${t.kpi}.${t.column}`).toBeCloseTo(v, 9);
      else if (v && typeof v === 'object' && v.suppressed) expect(t.value).toBe('suppressed');
      else expect(t.value).toBe('');
    }
    return tiles.length;
  }

  async function chartsDrawn(): Promise<number> {
    const charts = await page.$$('figure.chart');
    for (const c of charts) {
      const marks = await c.$$eval('svg [aria-label] rect, svg [aria-label] path, svg [aria-label] circle, svg [aria-label] line', (els) => els.length);
      expect(marks, await c.getAttribute('data-chart') ?? '').toBeGreaterThan(0);
      expect(await c.$$eval('svg title', (els) => els.length), 'tooltips').toBeGreaterThan(0);
      expect(await c.$('details.table-alt table'), 'table alternative').not.toBeNull();
      expect((await c.$eval('h3', (e) => e.textContent ?? '')).length).toBeGreaterThan(3);
    }
    return charts.length;
  }

  const EXPECTED: Record<Role, string[]> = {
    admin: ['overview', 'caseload', 'outcomes', 'funder', 'case'],
    evaluator: ['overview', 'outcomes', 'funder'],
    funder: ['overview', 'funder'],
    manager: ['overview', 'caseload', 'funder', 'case'],
    supervisor: ['overview', 'caseload', 'funder', 'case'],
  };

  for (const role of Object.keys(EXPECTED) as Role[]) {
    it(`${role}: signs in, sees exactly their dashboards, charts drawn and figures matching the API`, async () => {
      await demoSignIn(role);
      const nav = await page.$$eval('header.top nav a', (els) => els.map((e) => e.getAttribute('href')!));
      expect(nav).toEqual(EXPECTED[role].map((d) => (d === 'case' ? '/cases' : `/d/${d}`)));
      for (const href of nav) {
        await page.goto(`${server.url}${href}`);
        const name = href.replace(/^\/(d\/)?/, '');
        await page.screenshot({ path: path.join(SHOTS, `${role}-${name}.png`) });
        if (href === '/d/funder') {
          expect(await page.textContent('h1')).toMatch(/Outcome report/);
          const csvHref = await page.getAttribute('#funder-csv', 'href');
          const csv = await page.request.get(`${server.url}${csvHref}`);
          expect(csv.headers()['content-type']).toMatch(/^text\/csv/);
          expect((await csv.text()).split('\n')[0]).toMatch(/^kpi,grouped_by,group,measure,label,value,suppressed/);
          await page.emulateMedia({ media: 'print' });
          expect(await page.isVisible('.caselens-bar')).toBe(false);
          await page.emulateMedia({ media: 'screen' });
          continue;
        }
        if (href === '/cases') {
          expect(Number(await page.getAttribute('section.list[data-list="cases"]', 'data-count'))).toBeGreaterThan(0);
          continue;
        }
        const charts = await chartsDrawn();
        const tiles = await tilesMatchApi();
        expect(charts + tiles, href).toBeGreaterThan(0);
        if (href === '/d/caseload' && role === 'manager') {
          // a manager's per-manager chart holds one row: their own
          const rows = await page.$$eval('#chart-caseload-now details table tbody tr', (els) => els.length);
          expect(rows).toBe(1);
        }
        if (href === '/d/caseload') {
          const links = await page.$$eval('section.list[data-list="overdue-followups"] a', (els) => els.map((e) => e.getAttribute('href')));
          for (const l of links) expect(l).toMatch(/^\/cases\//);
        }
      }
      // what is not in the nav is refused by the server too
      for (const d of ['overview', 'caseload', 'outcomes', 'funder']) {
        if (EXPECTED[role].includes(d)) continue;
        const r = await page.request.get(`${server.url}/d/${d}`);
        expect(r.status(), `${role} /d/${d}`).toBe(403);
      }
      await signOut();
    }, 60_000);
  }

  it('supervisor: clicking a finding scrolls to its quote, and the highlighted text is the stored quote', async () => {
    await demoSignIn('supervisor');
    await page.goto(`${server.url}/cases`);
    await page.screenshot({ path: path.join(SHOTS, 'supervisor-cases.png') });
    await page.goto(`${server.url}/cases/${encodeURIComponent(staffing.caseId)}`);
    const findings = await page.$$('a.finding');
    expect(findings.length).toBeGreaterThan(0);
    const stored = new Map<string, Array<{ start: number; end: number; quote: string }>>();
    for (const f of findings.slice(-6)) {
      const noteId = (await f.getAttribute('data-note'))!;
      const start = Number(await f.getAttribute('data-start'));
      const end = Number(await f.getAttribute('data-end'));
      if (!stored.has(noteId)) {
        const r = await page.request.get(`${server.url}/api/notes/${encodeURIComponent(noteId)}`);
        const note = await r.json();
        stored.set(noteId, note.tags.flatMap((t: { citations: Array<{ start: number; end: number; quote: string }> }) => t.citations));
      }
      const quote = stored.get(noteId)!.find((c) => c.start === start && c.end === end)!.quote;
      await f.click();
      const active = await page.evaluate(() => (globalThis as unknown as { caselensActiveQuote: () => string }).caselensActiveQuote());
      expect(active).toBe(quote);
      const mark = await page.$('mark.cite.active');
      expect(await mark!.isVisible()).toBe(true);
      const inView = await mark!.evaluate((m) => {
        const r = m.getBoundingClientRect();
        return r.top >= 0 && r.bottom <= (globalThis as unknown as { innerHeight: number }).innerHeight;
      });
      expect(inView).toBe(true);
      expect(await mark!.evaluate((m) => m.closest('article.note')?.getAttribute('data-note'))).toBe(noteId);
    }
    await page.screenshot({ path: path.join(SHOTS, 'supervisor-case-view.png') });
    // a case outside the team is refused
    const other = await page.request.get(`${server.url}/cases/${encodeURIComponent(staffing.otherCaseId)}`);
    expect(other.status()).toBe(403);
    await signOut();
  }, 60_000);

  it('admin: signs in with a password; no script errors on any page', async () => {
    await page.goto(`${server.url}/d/overview`);
    expect(page.url()).toMatch(/\/login\?next=%2Fd%2Foverview/);
    await page.fill('input[name="name"]', 'ada');
    await page.fill('input[name="password"]', PASSWORD);
    await Promise.all([page.waitForURL(/\/d\/overview/), page.click('form[action="/login"] button[type="submit"] >> nth=0')]);
    expect(await page.textContent('header.top .user')).toContain('ada');
    await signOut();
    expect(pageErrors).toEqual([]);
  }, 60_000);
});
