import { z } from 'zod';

export const ROLES = ['admin', 'evaluator', 'funder', 'manager', 'supervisor'] as const;
export const roleSchema = z.enum(ROLES);
export type Role = z.infer<typeof roleSchema>;

const idSchema = z.string().regex(/^[a-z][a-z0-9_-]*$/, 'use lower-case letters, digits, "_" or "-"');

export const chartSchema = z
  .object({
    kpi: idSchema.describe('KPI whose result the chart draws'),
    mark: z.enum(['barY', 'barX', 'line', 'dot', 'areaY', 'ruleY', 'cell']),
    x: z.string().min(1),
    y: z.string().min(1),
    fill: z.string().optional(),
    title: z.string().min(1),
    xLabel: z.string().optional(),
    yLabel: z.string().optional(),
  })
  .strict();

/** A dashboard page: which KPIs, filters and charts, for which roles. SQL lives with the KPIs, never here. */
export const dashboardSchema = z
  .object({
    id: idSchema,
    title: z.string().min(1),
    description: z.string().optional(),
    roles: z.array(roleSchema).min(1),
    filters: z.array(z.enum(['period', 'program', 'manager', 'case_type', 'as_of'])).default([]),
    kpis: z.array(idSchema).default([]),
    charts: z.array(chartSchema).default([]),
  })
  .strict();
export type Dashboard = z.infer<typeof dashboardSchema>;
