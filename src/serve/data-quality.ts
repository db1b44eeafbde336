/**
 * The data-quality report of the latest HMIS load (src/sources/hmis-dq.ts) on the server:
 * `GET /api/data-quality` and the page `/data-quality`, for administrators, managers and
 * supervisors (evaluators and funders get 403). The report holds counts and HMIS record ids only,
 * never personal data. The nav links the page once the served database has a report.
 */
import { esc, layout, type NavItem, type PageUser } from '../dashboards/index.ts';
import type { Role } from '../dashboards/schema.ts';
import { CaselensError } from '../errors.ts';
import { readDataQuality, summaryLine, type DqReport } from '../sources/hmis-dq.ts';
import type { Db } from '../store/index.ts';
import { Forbidden } from './access.ts';
import type { SnapshotManager } from './snapshot.ts';

export const DATA_QUALITY_ROLES: readonly Role[] = ['admin', 'manager', 'supervisor'];

export function requireDataQualityRole(role: Role): void {
  if (!DATA_QUALITY_ROLES.includes(role)) throw new Forbidden(`the data-quality report is for administrators, managers and supervisors, not the ${role} role`);
}

/** `?run=N`, checked. */
export function runParam(raw: string | undefined): number | undefined {
  if (raw === undefined || raw === '') return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new CaselensError(`run: must be a run number, got "${raw}"`, { status: 400 });
  return n;
}

/** The report (run N, or the latest), as the API answers it. */
export async function dataQualityAnswer(db: Db, run: number | undefined): Promise<DqReport | { runId: null; message: string; rows: [] }> {
  const report = await readDataQuality(db, run);
  if (report) return report;
  if (run !== undefined) throw new CaselensError(`run ${run} has no data-quality report: only HMIS loads have one`, { status: 404 });
  return { runId: null, message: 'no data-quality report yet: load an HMIS export with caselens ingest-hmis', rows: [] };
}

/** Flat rows for CSV and Arrow. */
export function dataQualityRows(report: Awaited<ReturnType<typeof dataQualityAnswer>>): Array<Record<string, unknown>> {
  return report.rows.map((r) => ({
    file: r.file, field: r.field, check: r.check, severity: r.severity, status: r.status, rows_checked: r.rowsChecked, problems: r.problems,
    id_field: r.idField, example_ids: r.exampleIds.join(' '), message: r.message,
  }));
}

/** Whether the served snapshot has a report (checked once per snapshot), for the nav. */
export class DataQualityNav {
  private generation = -1;
  private available = false;
  private pending: Promise<void> | undefined;

  async refresh(snapshots: SnapshotManager): Promise<void> {
    if (snapshots.generation === this.generation || snapshots.generation === 0) return;
    this.pending ??= snapshots
      .use(async (db, snap) => {
        this.available = (await readDataQuality(db)) !== null;
        this.generation = snap.generation;
      })
      .catch(() => undefined)
      .finally(() => (this.pending = undefined));
    await this.pending;
  }

  items(role: Role): NavItem[] {
    return this.available && DATA_QUALITY_ROLES.includes(role) ? [{ id: 'data-quality', title: 'Data quality', href: '/data-quality' }] : [];
  }
}

const SEVERITY_ORDER = { error: 0, warning: 1, info: 2 } as const;

export function renderDataQualityPage(o: { user: PageUser; nav: NavItem[]; report: Awaited<ReturnType<typeof dataQualityAnswer>> }): string {
  const r = o.report;
  if (r.runId === null) {
    return layout({ title: 'Data quality', user: o.user, nav: o.nav, current: 'data-quality', bodyClass: 'data-quality', body: `<h1>Data quality</h1><p>${esc(r.message)}</p>` });
  }
  const report = r as DqReport;
  const files = [...new Set(report.rows.map((x) => x.file))];
  const sections = files.map((file) => {
    const rows = report.rows.filter((x) => x.file === file);
    const head = rows.find((x) => x.check === 'rows');
    const checks = rows
      .filter((x) => x.check !== 'rows')
      .sort((a, b) => Number((b.problems ?? 0) > 0) - Number((a.problems ?? 0) > 0) || SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] || a.field.localeCompare(b.field));
    const body = checks.map((x) => `<tr class="sev-${esc(x.severity)}${x.problems ? ' has-problems' : ''}" data-check="${esc(x.check)}" data-field="${esc(x.field)}">
<td>${esc(x.field)}</td><td>${esc(x.check)}</td><td>${esc(x.severity)}</td>
<td class="num">${x.status === 'not_checked' ? 'not checked' : `${esc(x.problems)} of ${esc(x.rowsChecked)}`}</td>
<td>${x.exampleIds.length ? `${esc(x.idField)} ${x.exampleIds.map(esc).join(', ')}` : ''}</td><td>${esc(x.message)}</td></tr>`).join('\n');
    return `<section class="dq-file" data-file="${esc(file)}">
<h2>${esc(file)}</h2><p>${esc(head?.message ?? '')}</p>
<table class="data"><thead><tr><th>Field</th><th>Check</th><th>Severity</th><th>Problems</th><th>Examples (record ids)</th><th>What it means</th></tr></thead>
<tbody>
${body}
</tbody></table></section>`;
  });
  const body = `<h1>Data quality</h1>
<p class="summary">${esc(summaryLine(report))}. Checked ${esc(report.checkedAt)}${report.pipeline ? ` for the load of pipeline ${esc(report.pipeline)}` : ''}.
Examples are HMIS record ids only. <a href="/api/data-quality?run=${esc(report.runId)}&amp;format=csv" download>Download CSV</a></p>
${sections.join('\n')}`;
  return layout({ title: 'Data quality', user: o.user, nav: o.nav, current: 'data-quality', bodyClass: 'data-quality', body });
}
