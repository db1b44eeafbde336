import { z } from 'zod';

export const ROLES = ['admin', 'evaluator', 'funder', 'manager', 'supervisor'] as const;
export const roleSchema = z.enum(ROLES);
export type Role = z.infer<typeof roleSchema>;

const idSchema = z.string().regex(/^[a-z][a-z0-9_-]*$/, 'use lower-case letters, digits, "_" or "-"');
const columnSchema = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'a column name of the KPI result');
const scalar = z.union([z.string(), z.number(), z.boolean()]);

/** Fixed KPI parameters for one chart, headline or list (e.g. `by: manager`); page filters are added to them. */
const paramsSchema = z.record(z.string().regex(/^[a-zA-Z]+$/), scalar);
/** Keep only result rows whose columns have these values (e.g. `is_total: false`). */
const whereSchema = z.record(columnSchema, z.union([scalar, z.null()]));

export const MARKS = ['barY', 'barX', 'line', 'dot', 'areaY', 'ruleY', 'cell', 'interval', 'stackX', 'pairs'] as const;

export const chartSchema = z
  .strictObject({
    id: idSchema.optional(),
    kpi: idSchema.describe('KPI whose result the chart draws'),
    /** `rows`: the KPI's result rows; `details`: its record-level listing; `pairs`: per-pair baseline/follow-up values (change-from-baseline) */
    source: z.enum(['rows', 'details', 'pairs']).default('rows'),
    params: paramsSchema.optional(),
    where: whereSchema.optional(),
    /**
     * barY, barX, line, dot, areaY, ruleY, cell: Plot marks with x/y (fill/stroke optional).
     * interval: a dot at x with a line from x1 to x2, per y. stackX: shares in `series` stacked per y.
     * pairs: baseline and follow-up distributions, paired, per measure.
     */
    mark: z.enum(MARKS),
    x: columnSchema.optional(),
    y: columnSchema.optional(),
    x1: columnSchema.optional(),
    x2: columnSchema.optional(),
    fill: columnSchema.optional(),
    stroke: columnSchema.optional(),
    series: z.array(z.strictObject({ column: columnSchema, label: z.string().min(1), color: z.string().optional() })).optional(),
    /** a reference drawn with the data, e.g. capacity */
    rule: z.strictObject({ column: columnSchema, label: z.string().min(1) }).optional(),
    /** add "n paired, m without follow-up" to every row label and a line under the chart (change-from-baseline) */
    attrition: z.boolean().default(false),
    /** an effect-size interval computed from d and n when the KPI gives none */
    effectSizeInterval: z.boolean().default(false),
    title: z.string().min(1),
    xLabel: z.string().optional(),
    yLabel: z.string().optional(),
    caption: z.string().optional(),
    /** hide the chart from these roles (e.g. a per-manager chart for managers) */
    hideFor: z.array(roleSchema).default([]),
  })
  .superRefine((c, ctx) => {
    const need = (field: 'x' | 'y' | 'x1' | 'x2' | 'series') => {
      if (c[field] === undefined) ctx.addIssue({ code: 'custom', path: [field], message: `mark ${c.mark} needs ${field}` });
    };
    if (['barY', 'barX', 'line', 'dot', 'areaY', 'cell'].includes(c.mark)) {
      need('x');
      need('y');
    }
    if (c.mark === 'ruleY') need('y');
    if (c.mark === 'interval') ['x', 'x1', 'x2', 'y'].forEach((f) => need(f as 'x'));
    if (c.mark === 'stackX') {
      need('y');
      need('series');
    }
    if (c.mark === 'pairs' && c.kpi !== 'change-from-baseline') ctx.addIssue({ code: 'custom', path: ['kpi'], message: 'mark pairs draws change-from-baseline' });
    if (c.source === 'pairs' && c.mark !== 'pairs') ctx.addIssue({ code: 'custom', path: ['source'], message: 'source pairs goes with mark pairs' });
  });
export type Chart = z.infer<typeof chartSchema>;

export const headlineSchema = z.strictObject({
  kpi: idSchema,
  /** the column shown (from the total row, or the first row matching `where`) */
  value: columnSchema,
  label: z.string().optional(),
  params: paramsSchema.optional(),
  where: whereSchema.optional(),
  /** a month-by-month sparkline over the period */
  trend: z.boolean().default(true),
  /** which direction is good, for the trend arrow's colour */
  better: z.enum(['higher', 'lower']).optional(),
  /** a second figure shown small under the value (e.g. the n it rests on) */
  basis: columnSchema.optional(),
});
export type Headline = z.infer<typeof headlineSchema>;

export const listSchema = z
  .strictObject({
    /** `details`: a KPI's record-level listing; `overdue-followups`: follow-ups past their grace window */
    source: z.enum(['details', 'overdue-followups']),
    kpi: idSchema.optional(),
    params: paramsSchema.optional(),
    title: z.string().min(1),
    columns: z.array(columnSchema).optional(),
    /** column holding a case id: cells link to the case view */
    link: columnSchema.optional(),
    limit: z.int().min(1).max(5000).default(100),
  })
  .superRefine((l, ctx) => {
    if (l.source === 'details' && !l.kpi) ctx.addIssue({ code: 'custom', path: ['kpi'], message: 'a details list names its KPI' });
  });
export type List = z.infer<typeof listSchema>;

export const FILTERS = ['period', 'program', 'manager', 'case_type', 'as_of'] as const;

/** A dashboard page: which KPIs, filters and charts, for which roles. SQL lives with the KPIs, never here. */
export const dashboardSchema = z
  .strictObject({
    id: idSchema,
    title: z.string().min(1),
    description: z.string().optional(),
    /** `kpis`: headlines, charts, lists and tables of KPIs; `funder-report`: the suppressed outcome report; `case`: the cited case view */
    kind: z.enum(['kpis', 'funder-report', 'case']).default('kpis'),
    roles: z.array(roleSchema).min(1),
    /** position in the navigation */
    order: z.int().default(100),
    filters: z.array(z.enum(FILTERS)).default([]),
    headlines: z.array(headlineSchema).default([]),
    charts: z.array(chartSchema).default([]),
    lists: z.array(listSchema).default([]),
    /** KPIs shown in full as tables at the end of the page */
    kpis: z.array(idSchema).default([]),
  });
export type Dashboard = z.infer<typeof dashboardSchema>;
