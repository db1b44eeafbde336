/**
 * The funder report: one self-contained HTML page (inline CSS with a print stylesheet, no
 * scripts, no external assets) built only from suppressed KPI results, so it carries no
 * record-level or personal data and no cell resting on fewer than k clients.
 */
import type { Db } from '../store/index.ts';
import { resolveKpiConfig, runKpi, type RunKpiOptions } from './run.ts';
import type { ColumnSpec, KpiResult, KpiRow } from './types.ts';
import { isSuppressed } from './types.ts';

export interface FunderReportParams {
  program?: string;
  from?: string;
  to?: string;
  asOf?: string;
  /** disclosure threshold; default config `kpi.k` */
  k?: number;
  title?: string;
  /** passed to every KPI run (config, framework, today) */
  options?: Omit<RunKpiOptions, 'suppress' | 'includeHidden'>;
}

function h(s: unknown): string {
  return String(s ?? '').replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;').replaceAll("'", '&#39;');
}

function fmt(v: unknown, c?: Pick<ColumnSpec, 'type' | 'unit'>): string {
  if (isSuppressed(v)) {
    const primary = v.reason.startsWith('fewer than');
    return `<span class="sup" title="${h(v.reason)}">${primary ? 's' : 's²'}</span>`;
  }
  if (v === null || v === undefined) return '<span class="na">–</span>';
  if (typeof v === 'number') {
    if (c?.unit === 'share') return `${(v * 100).toFixed(1)}%`;
    if (c?.unit === 'days') return v.toFixed(1);
    if (c?.type === 'int' || (c?.type === undefined && Number.isInteger(v))) return v.toLocaleString('en-US');
    return v.toFixed(2);
  }
  if (typeof v === 'boolean') return v ? 'yes' : 'no';
  return h(v);
}

function table(result: KpiResult, names: string[], opts: { caption?: string; labels?: Record<string, string> } = {}): string {
  const cols = names.map((n) => result.columns.find((c) => c.name === n)).filter((c): c is ColumnSpec => c !== undefined);
  const head = cols.map((c) => `<th scope="col"${['int', 'number'].includes(c.type) ? ' class="num"' : ''}>${h(opts.labels?.[c.name] ?? c.label)}</th>`).join('');
  const body = result.rows
    .map((r) => {
      const cells = cols.map((c, i) =>
        i === 0 ? `<th scope="row">${fmt(r[c.name], c)}</th>` : `<td${['int', 'number'].includes(c.type) ? ' class="num"' : ''}>${fmt(r[c.name], c)}</td>`,
      );
      return `<tr${r.is_total === true ? ' class="total"' : ''}>${cells.join('')}</tr>`;
    })
    .join('\n');
  return `<table>${opts.caption ? `<caption>${h(opts.caption)}</caption>` : ''}<thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table>`;
}

function ciText(r: KpiRow): string {
  const m = r.mean_change;
  if (isSuppressed(m)) return fmt(m);
  if (typeof m !== 'number') return fmt(null);
  const lo = r.ci_low;
  const hi = r.ci_high;
  return `${m.toFixed(2)}${typeof lo === 'number' && typeof hi === 'number' ? ` <span class="ci">(${lo.toFixed(2)} to ${hi.toFixed(2)})</span>` : ''}`;
}

function bar(r: KpiRow): string {
  const parts = [['improved_pct', 'imp'], ['unchanged_pct', 'same'], ['deteriorated_pct', 'det']] as const;
  if (parts.some(([k]) => typeof r[k] !== 'number')) return '';
  return `<div class="bar" aria-hidden="true">${parts.map(([k, cls]) => `<span class="${cls}" style="width:${((r[k] as number) * 100).toFixed(1)}%"></span>`).join('')}</div>`;
}

function keyRow(label: string, value: string, basis: string, definition: string): string {
  return `<tr><th scope="row">${h(label)}</th><td class="num">${value}</td><td>${basis}</td><td class="def">${h(definition)}</td></tr>`;
}

const CSS = `
:root { --ink: #1d2430; --muted: #5b6575; --rule: #d5dae1; --accent: #2f5d8a; --imp: #3a7d44; --same: #b9c0ca; --det: #b5473a; }
* { box-sizing: border-box; }
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink); margin: 0 auto; max-width: 1100px; padding: 2rem 1.5rem 4rem; }
h1 { font-size: 1.7rem; margin: 0 0 .25rem; }
h2 { font-size: 1.2rem; margin: 2.2rem 0 .6rem; padding-bottom: .25rem; border-bottom: 2px solid var(--accent); }
p.meta, .note, caption, .def { color: var(--muted); }
.note { font-size: .9rem; }
table { border-collapse: collapse; width: 100%; margin: .5rem 0 1rem; font-size: .92rem; }
caption { text-align: left; padding: .2rem 0; font-size: .88rem; }
th, td { padding: .35rem .5rem; border-bottom: 1px solid var(--rule); text-align: left; vertical-align: top; }
thead th { border-bottom: 2px solid var(--ink); font-weight: 600; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
tr.total th, tr.total td { font-weight: 600; background: #f3f5f8; }
.sup { font-style: italic; color: var(--muted); }
.na { color: var(--muted); }
.ci { color: var(--muted); font-size: .85em; }
.def { font-size: .85rem; }
.bar { display: flex; height: .6rem; width: 5rem; border-radius: 2px; overflow: hidden; margin-top: .35rem; }
table.compact { font-size: .84rem; }
table.compact th, table.compact td { padding: .3rem .35rem; }
.sr { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); }
.bar .imp { background: var(--imp); } .bar .same { background: var(--same); } .bar .det { background: var(--det); }
dl.defs dt { font-weight: 600; margin-top: .6rem; } dl.defs dd { margin: 0 0 0 1rem; color: var(--muted); font-size: .9rem; }
footer { margin-top: 3rem; font-size: .85rem; color: var(--muted); border-top: 1px solid var(--rule); padding-top: .8rem; }
@media print {
  @page { size: A4; margin: 16mm 14mm; }
  body { max-width: none; padding: 0; font-size: 10.5pt; }
  h2 { break-after: avoid; page-break-after: avoid; }
  table, .keep { break-inside: avoid; page-break-inside: avoid; }
  tr.total th, tr.total td { background: none; }
  .bar span { print-color-adjust: exact; -webkit-print-color-adjust: exact; }
  a { color: inherit; text-decoration: none; }
}`;

/** A self-contained HTML outcome report for funders. Every figure in it has passed disclosure control. */
export async function renderFunderReport(db: Db, params: FunderReportParams = {}): Promise<string> {
  const config = resolveKpiConfig(params.options?.config);
  const k = params.k ?? config.k;
  const opts: RunKpiOptions = { ...params.options, config, suppress: { k } };
  const scope = { program: params.program, from: params.from, to: params.to };
  const run = (id: string, extra: Record<string, unknown> = {}) => runKpi(db, id, { ...scope, ...extra }, opts);

  const programBy = params.program === undefined ? 'program' : 'none';
  const asOf = params.asOf ?? params.to;
  // one after another: they share one connection, and DuckDB parallelises inside each query
  const resolution = await run('resolution-time', { by: programBy, asOf });
  const goals = await run('goal-achievement', { by: 'domain', asOf });
  const goalsByProgram = await run('goal-achievement', { by: programBy, asOf });
  const followups = await run('followup-compliance', { by: 'none', asOf });
  const utilisation = await run('service-utilisation', { by: 'none', asOf });
  const attendance = await run('attendance', { by: 'none', asOf });
  const satisfaction = await run('satisfaction', { by: 'none', asOf });
  const documentation = await run('documentation-completeness', { by: 'none', asOf });
  const change = await run('change-from-baseline', { asOf });
  const narrative = await run('narrative-evidence', { asOf });
  const resolved = goals.params;
  const programName = params.program === undefined
    ? 'All programmes'
    : ((await db.value<string>('SELECT name FROM programs WHERE program_id = $1', [resolved.program as string])) ?? String(resolved.program));
  const period = resolved.from || resolved.to ? `${resolved.from ?? 'the start of the records'} to ${resolved.to ?? 'the latest records'}` : 'all records';
  const title = params.title ?? `Outcome report: ${programName}`;

  const t = (r: KpiResult) => r.rows[0] ?? {};
  const col = (r: KpiResult, name: string) => r.columns.find((c) => c.name === name);
  const val = (r: KpiResult, name: string) => fmt(t(r)[name], col(r, name));
  const basis = (r: KpiResult, count: string, noun: string) => `${val(r, count)} ${noun}, ${val(r, 'clients')} clients`;

  const keyRows = [
    keyRow('Median days to case resolution', val(resolution, 'median_days'), basis(resolution, 'cases', 'closed cases'), 'days from opening to closing of cases closed in the period'),
    keyRow('Goal achievement rate', val(goalsByProgram, 'rate'), basis(goalsByProgram, 'goals', 'goals'), 'goals achieved ÷ goals achieved or not achieved'),
    keyRow('Follow-up compliance', val(followups, 'rate'), basis(followups, 'assessed', 'follow-ups'), `follow-ups done within ${followups.params.graceDays} days of due ÷ follow-ups due`),
    keyRow('Service utilisation', val(utilisation, 'utilisation'), basis(utilisation, 'services', 'services'), 'units delivered ÷ units planned'),
    keyRow('Attendance', val(attendance, 'rate'), basis(attendance, 'appointments', 'appointments'), 'attended ÷ attended + no-shows'),
    keyRow('Client satisfaction', `${val(satisfaction, 'rate')} <span class="ci">(mean ${val(satisfaction, 'mean')})</span>`, basis(satisfaction, 'responses', 'responses'), `responses scoring ${satisfaction.params.threshold} or more ÷ responses`),
    keyRow('Documentation completeness', val(documentation, 'rate'), basis(documentation, 'cases', 'cases'), 'cases meeting every record rule ÷ cases'),
  ];

  const thresholds = [...new Map(change.rows.filter((r) => typeof r.reliable_change === 'number').map((r) => [r.instrument_id, `${String(r.instrument_id)} ${String(r.reliable_change)}`])).values()];
  const cp = change.params;
  const changeNote =
    `Pairs: clients with a baseline (the first assessment from ${cp.baselineBeforeDays} days before to ${cp.baselineAfterDays} days after their case opened) and a follow-up ` +
    `(${cp.followup === 'horizon' ? `the assessment nearest ${cp.horizonDays} days after opening` : 'the latest assessment after the baseline'}). ` +
    'Baseline and follow-up are the mean scores of the pairs; mean change is follow-up − baseline with its 95% confidence interval (t distribution); d = mean change ÷ SD of the changes. ' +
    `Improved / no change / worse: reliable change by each instrument's threshold${thresholds.length ? ` (${thresholds.join(', ')} points)` : ''}. ` +
    'Below cut-off: of the clients at or past the clinical cut-off at baseline, the share no longer past it at follow-up. No follow-up: clients with a baseline but no later assessment (attrition).';
  const num = (v: unknown, unit?: 'share') => fmt(v, { type: 'number', ...(unit ? { unit } : {}) });
  const changeRows = change.rows
    .map((r) => `<tr><th scope="row">${h(r.group)}</th><td class="num">${fmt(r.paired)}</td><td class="num">${num(r.baseline_mean)}</td><td class="num">${num(r.followup_mean)}</td><td class="num">${ciText(r)}</td><td class="num">${num(r.effect_size)}</td><td class="num">${num(r.improved_pct, 'share')}</td><td class="num">${num(r.unchanged_pct, 'share')}</td><td class="num">${num(r.deteriorated_pct, 'share')}</td><td class="bar-cell">${bar(r)}</td><td class="num">${num(r.moved_below_pct, 'share')}</td><td class="num">${fmt(r.baseline_only)}</td></tr>`)
    .join('\n');

  const defs = [resolution, goals, followups, utilisation, attendance, satisfaction, documentation, change, narrative]
    .map((r) => `<dt>${h(r.title)}</dt><dd>${h(r.summary)}.</dd>`)
    .join('\n');
  const suppressedAny = [resolution, goals, followups, utilisation, attendance, satisfaction, documentation, change, narrative, goalsByProgram]
    .reduce((a, r) => a + (r.suppression?.primary ?? 0) + (r.suppression?.secondary ?? 0), 0);
  const generated = params.options?.today ?? new Date().toISOString().slice(0, 10);

  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${h(title)}</title>
<style>${CSS}</style>
</head>
<body>
<header>
<h1>${h(title)}</h1>
<p class="meta">Period: ${h(period)} · Figures as of ${h(asOf ?? generated)} · Generated ${h(generated)} by caselens</p>
<p class="note">Aggregate figures only: no personal or record-level data. Any figure resting on fewer than ${k} clients is suppressed (<span class="sup">s</span>), and so is any figure from which a suppressed one could be worked out (<span class="sup">s²</span>); suppressed figures are withheld, never shown as zero.${suppressedAny ? ` ${suppressedAny} figure(s) in this report are suppressed.` : ''}</p>
</header>

<section class="keep">
<h2>Key indicators</h2>
<table><thead><tr><th scope="col">Indicator</th><th scope="col" class="num">Value</th><th scope="col">Based on</th><th scope="col">Definition</th></tr></thead>
<tbody>
${keyRows.join('\n')}
</tbody></table>
${programBy === 'program' ? table(resolution, ['group', 'cases', 'median_days', 'mean_days', 'p90_days'], { caption: 'Case resolution time by programme (days)' }) : ''}
</section>

<section>
<h2>Goal achievement by domain</h2>
${table(goals, ['group', 'goals', 'achieved', 'rate'], { labels: { group: 'Domain' } })}
${programBy === 'program' ? table(goalsByProgram, ['group', 'goals', 'achieved', 'rate'], { caption: 'Goal achievement by programme', labels: { group: 'Programme' } }) : ''}
</section>

<section>
<h2>Change from baseline</h2>
<p class="note">${h(changeNote)}</p>
<table class="compact"><thead><tr><th scope="col">Measure</th><th scope="col" class="num">Pairs</th><th scope="col" class="num">Baseline</th><th scope="col" class="num">Follow-up</th><th scope="col" class="num">Mean change (95% CI)</th><th scope="col" class="num">d</th><th scope="col" class="num">Improved</th><th scope="col" class="num">No change</th><th scope="col" class="num">Worse</th><th scope="col"><span class="sr">Reliable change</span></th><th scope="col" class="num">Below cut-off</th><th scope="col" class="num">No follow-up</th></tr></thead>
<tbody>
${changeRows || '<tr><td colspan="12">No assessments with a baseline in this period.</td></tr>'}
</tbody></table>
</section>

<section>
<h2>Narrative evidence in case notes</h2>
<p class="note">Clients active in the period with evidence in their case notes, per domain: only tags whose quoted evidence was found in the note count; historical and negated mentions do not.</p>
${table(narrative, ['group', 'clients_strength', 'share_strength', 'clients_concern', 'share_concern', 'clients_improvement', 'share_improvement', 'clients_deterioration', 'share_deterioration'], { labels: { group: 'Domain', clients_strength: 'Strength', share_strength: '%', clients_concern: 'Concern', share_concern: '%', clients_improvement: 'Improvement', share_improvement: '%', clients_deterioration: 'Deterioration', share_deterioration: '%' }, caption: `Active clients: ${fmt(t(narrative).active_clients)}` })}
${narrative.notes.map((n) => `<p class="note">${h(n)}</p>`).join('\n')}
</section>

<section>
<h2>Definitions</h2>
<dl class="defs">
${defs}
</dl>
</section>

<footer>caselens funder report · disclosure control k = ${k} · definitions in full: docs/kpis.md</footer>
</body>
</html>
`;
}
