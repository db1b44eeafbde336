/**
 * docs/kpis.md is generated from the registry, so the written definitions cannot drift from
 * the code: `node --import tsx src/kpi/docs.ts --write` rewrites it, and a test fails when the
 * file differs from `generateKpiDocs()`.
 */
import fs from 'node:fs';
import path from 'node:path';
import { loadFramework, type Framework } from '../frameworks/index.ts';
import { defaultKpiConfig } from './config.ts';
import { FACT_TABLES } from './facts.ts';
import { measureRules } from './kpis/change.ts';
import { KPIS } from './registry.ts';
import { PROJECT_ROOT } from './run.ts';
import type { KpiDefinition } from './types.ts';

const DOC_AS_OF = '2025-10-31';

function esc(s: string): string {
  return s.replaceAll('|', '\\|').replaceAll('\n', ' ');
}

function defaultFramework(): Framework | undefined {
  const loaded = loadFramework(path.join(PROJECT_ROOT, defaultKpiConfig().framework));
  return loaded.ok ? loaded.framework : undefined;
}

function docSql(def: KpiDefinition, framework: Framework | undefined): { sql: string; argNames: string[] } {
  const config = defaultKpiConfig();
  const params = def.resolve({}, { config, today: DOC_AS_OF });
  const { sql, argNames } = def.sql(params, { config, framework });
  return { sql, argNames };
}

function kpiSection(def: KpiDefinition, sql: { sql: string; argNames: string[] }): string {
  const d = def.definition;
  const out: string[] = [];
  out.push(`## \`${def.id}\` — ${def.title}`, '', `${def.summary[0]!.toUpperCase()}${def.summary.slice(1)}.`, '');
  out.push(`For: ${def.audience.join(', ')}. ${def.disclosure ? 'Funder-facing: passes disclosure control in funder output.' : 'Not funder-facing (no disclosure rules): internal roles only.'}`, '');
  out.push(`- **Formula:** ${d.formula}`);
  if (d.numerator) out.push(`- **Numerator:** ${d.numerator}`);
  if (d.denominator) out.push(`- **Denominator:** ${d.denominator}`);
  out.push(`- **Population:** ${d.population}`);
  out.push(`- **Period:** ${d.period}`);
  out.push(`- **Exclusions:**`, ...d.exclusions.map((e) => `  - ${e}`));
  out.push(`- **Ties and boundaries:** ${d.ties}`);
  out.push(`- **Missing values:** ${d.missing}`);
  for (const n of d.notes ?? []) out.push(`- ${n}`);
  out.push('', '**Parameters**', '', '| flag | name | meaning | default |', '|---|---|---|---|');
  for (const p of def.params) out.push(`| \`${p.flag}\` | \`${p.name}\` | ${esc(p.description)} | ${esc(p.defaultText ?? '—')} |`);
  out.push('', '**Output** (one row per group; `rows[0]` is the total row where there is one)', '', '| column | type | meaning |', '|---|---|---|');
  for (const c of def.columns.filter((x) => !x.hidden)) out.push(`| \`${c.name}\` | ${c.type}${c.unit ? ` (${c.unit})` : ''} | ${esc(c.description)} |`);
  if (def.disclosure) {
    const ds = def.disclosure;
    out.push('', '**Disclosure cells** (suppressed together; a cell with no columns is never shown but can be derived)', '');
    for (const c of ds.cells) {
      out.push(`- \`${c.name}\`: count ${typeof c.count === 'string' ? `\`${c.count}\`` : '(derived)'}, resting on \`${c.clients}\` clients; withholds ${c.columns.length ? c.columns.map((x) => `\`${x}\``).join(', ') : 'nothing shown'}`);
    }
    for (const l of ds.lines) out.push(`- line: \`${l.total}\` = ${l.parts.map((p) => `\`${p}\``).join(' + ')}`);
    out.push(`- groups ${ds.additiveGroups(def.groupings?.default ?? 'none') ? 'add up to the total row (a line per cell down the rows)' : 'do not add up (no line down the rows)'}`);
  }
  out.push('', '<details><summary>SQL (default parameters)</summary>', '', '```sql', sql.sql, '```', '');
  if (sql.argNames.length) out.push(`Placeholders: ${sql.argNames.map((n, i) => `\`$${i + 1}\` = ${n}`).join(', ')}.`, '');
  out.push('</details>', '');
  return out.join('\n');
}

/** The whole of docs/kpis.md. */
export function generateKpiDocs(): string {
  const framework = defaultFramework();
  const config = defaultKpiConfig();
  const out: string[] = [
    '# KPIs',
    '',
    '<!-- Generated from src/kpi (the KPI registry) by generateKpiDocs(); do not edit by hand.',
    '     Regenerate: node --import tsx src/kpi/docs.ts --write -->',
    '',
    'Every KPI is defined once in `src/kpi/kpis/` — its SQL, this written definition, its parameters',
    'and its output columns — and is computed the same way by `caselens kpi`, the API, dashboards and',
    'the funder report. The definitions below are written so that an evaluator can recompute each figure',
    'by hand from the canonical tables.',
    '',
    '## Running KPIs',
    '',
    '```sh',
    'caselens kpi                                   # every KPI with its one-line definition',
    'caselens kpi goal-achievement --from 2025-01-01 --to 2025-03-31 --by program',
    'caselens kpi caseload --as-of 2025-10-31 --manager S0042 --format csv',
    'caselens kpi change-from-baseline --program P03 --followup horizon --horizon-days 90 --format json',
    'caselens kpi attendance --suppress [--k 11]    # funder view: disclosure control applied',
    'caselens report funder --program P01 --from 2025-01-01 --to 2025-06-30 --out report.html',
    '```',
    '',
    'In code: `runKpi(db, id, params, { suppress })`, `formatKpiResult(result, \'table\' | \'json\' | \'csv\')`,',
    '`renderFunderReport(db, { program, from, to })`, all from `src/kpi`. Parameters are validated: an unknown',
    'parameter, a malformed date, a period that ends before it starts or an unknown programme is a usage error.',
    'Defaults come from the `kpi` section of `caselens.config.yaml` (`kpiConfigSchema` in `src/kpi/config.ts`).',
    '',
    '## KPI facts',
    '',
    'The SQL below reads the **KPI facts**: tables derived from the canonical tables (`src/kpi/facts.ts`),',
    'rebuilt whole after every load and scoring run, never edited. They carry each record\'s case attributes,',
    'number clients densely (distinct clients are counted on `client_no`) and keep per-case and per-month',
    'sums of services. They add no rule of their own: every definition below holds on the canonical tables,',
    'and `test/kpi/facts-agree.test.ts` and `test/kpi/change-facts.test.ts` check the two agree on many periods.',
    '',
    '| table | one row per |',
    '|---|---|',
    ...FACT_TABLES.map(([t, d]) => `| \`${t}\` | ${d} |`),
    '',
    '## Conventions',
    '',
    '- **Periods** are whole days, inclusive at both ends: `--from 2025-01-01 --to 2025-03-31` is the first quarter. Timestamps (notes, services) are in the period from `from` 00:00 up to, not including, the day after `to`. Without `--from`/`--to` a period is unbounded.',
    '- **As-of** figures are taken at the end of the as-of day (`--as-of`, else `--to`, else today). A case is open on day d when `opened_at ≤ d < closed_at` (no `closed_at`: still open), so a case opened and closed on the same day is never open at a day\'s end. A window (grace period, documentation rule) that ends on the as-of day has closed.',
    '- **Episodes:** a client can have several cases. Case-level KPIs count each case; `clients` columns count distinct clients.',
    '- **Filters** `--program`, `--manager`, `--case-type` apply to the case a record belongs to; programme and staff ids may be given without their namespace (`P01` for `sample:P01`) when that is unambiguous.',
    '- **Groups:** grouped KPIs return a total row first (`is_total`), then one row per group from the same query, so groups and total cannot disagree. Records without a group value form their own group (e.g. "Unassigned").',
    '- **Rates** are fractions (0–1) in JSON and CSV, percentages in tables; a rate with a zero denominator is null.',
    '- **Quantiles** (median, p90) interpolate linearly between the nearest ranks (R type 7, Excel PERCENTILE.INC, DuckDB `quantile_cont`).',
    '',
    '## Statistics for change from baseline',
    '',
    'For n pairs with change dᵢ = follow-upᵢ − baselineᵢ: mean change d̄ = Σdᵢ/n; SD of change s = √(Σ(dᵢ − d̄)²/(n − 1));',
    'standard error s/√n; 95% confidence interval d̄ ± t·s/√n with t the 0.975 quantile of Student\'s t with n − 1 degrees',
    'of freedom (2.776 for n = 5); effect size (Cohen\'s d for paired data, d_z) = d̄/s. Attrition is tested with Welch\'s',
    't = (m₁ − m₂)/√(v₁/n₁ + v₂/n₂), df = (v₁/n₁ + v₂/n₂)² / ((v₁/n₁)²/(n₁ − 1) + (v₂/n₂)²/(n₂ − 1)), two-sided p. Distributions',
    'come from jstat.',
    '',
    'Reliable-change thresholds, direction and clinical cut-offs (from the framework, then config `kpi.change.measures`):',
    '',
    '| measure | reliable change | direction | clinical cut-off | per domain | source |',
    '|---|---:|---|---:|---|---|',
    ...measureRules(framework, config).map((r) => `| \`${r.id}\` | ${r.reliableChange} | ${r.direction} | ${r.clinicalCutoff ?? '—'} | ${r.perDomain ? 'yes' : 'no'} | ${r.source} |`),
    '',
    '## Disclosure control',
    '',
    `Every funder-facing result passes disclosure control (\`runKpi(…, { suppress: true })\`, the funder report, the API for the funder role). A cell resting on fewer than k clients (config \`kpi.k\`, default ${config.k}) is suppressed; so is the smallest other cell needed to stop it being worked out from a row or column total (secondary suppression), checked by peeling single-unknown lines and, for tables up to 400 suppressed cells, exactly by linear algebra. A suppressed cell is \`{ "value": null, "suppressed": true, "reason": "…" }\` in JSON, \`suppressed\` in CSV and \`*\` (primary) or \`**\` (secondary) in tables — never a zero. Record-level details and notes with counts are dropped. Not covered: bounds implied by non-negative counts, and links between different tables.`,
    '',
    '## Index',
    '',
    '| KPI | what it measures | for | funder-facing |',
    '|---|---|---|---|',
    ...KPIS.map((k) => `| [\`${k.id}\`](#${k.id}--${k.title.toLowerCase().replace(/[^a-z0-9 -]/g, '').replaceAll(' ', '-')}) | ${esc(k.summary)} | ${k.audience.join(', ')} | ${k.disclosure ? 'yes' : 'no'} |`),
    '',
  ];
  for (const def of KPIS as unknown as KpiDefinition[]) out.push(kpiSection(def, docSql(def, framework)));
  return `${out.join('\n').trimEnd()}\n`;
}

export const KPI_DOCS_FILE = path.join(PROJECT_ROOT, 'docs', 'kpis.md');

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(import.meta.filename) && process.argv.includes('--write')) {
  fs.mkdirSync(path.dirname(KPI_DOCS_FILE), { recursive: true });
  fs.writeFileSync(KPI_DOCS_FILE, generateKpiDocs());
  console.log(`wrote ${path.relative(process.cwd(), KPI_DOCS_FILE)}`);
}
