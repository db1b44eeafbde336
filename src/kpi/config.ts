/**
 * The `kpi` section of caselens.config.yaml. Every field has a default, so an absent section
 * means "the documented defaults". The lead adds `kpi: kpiConfigSchema.default({})` to the
 * config schema; until then `runKpi` uses `defaultKpiConfig()`.
 */
import { z } from 'zod';

const days = z.int().min(0).max(3650);

const measureSchema = z.strictObject({
  /** points of change that count as reliable, in either direction */
  reliableChange: z.number().positive(),
  direction: z.enum(['higher_is_worse', 'higher_is_better']),
  clinicalCutoff: z.number().optional(),
});

export const kpiConfigSchema = z
  .strictObject({
    /** disclosure control: cells resting on fewer than k clients are suppressed in funder output */
    k: z.int().min(2).max(1000).default(11),
    /** the outcome framework whose instruments give reliable-change thresholds (relative to the project root) */
    framework: z.string().min(1).default('frameworks/self-sufficiency.yaml'),
    caseload: z
      .strictObject({
        /** capacity used for staff with no caseload_capacity */
        defaultCapacity: z.int().min(0).default(25),
      })
      .default({ defaultCapacity: 25 }),
    followups: z
      .strictObject({
        /** a follow-up completed up to this many days after its due date is on time */
        graceDays: days.default(7),
      })
      .default({ graceDays: 7 }),
    goals: z
      .strictObject({
        achievedStatuses: z.array(z.string().min(1)).min(1).default(['achieved']),
        notAchievedStatuses: z.array(z.string().min(1)).min(1).default(['not_achieved']),
      })
      .default({ achievedStatuses: ['achieved'], notAchievedStatuses: ['not_achieved'] }),
    services: z
      .strictObject({
        deliveredStatuses: z.array(z.string().min(1)).min(1).default(['delivered']),
        noShowStatuses: z.array(z.string().min(1)).min(1).default(['no_show']),
      })
      .default({ deliveredStatuses: ['delivered'], noShowStatuses: ['no_show'] }),
    satisfaction: z
      .strictObject({
        /** a response at or above this counts as satisfied */
        threshold: z.number().default(4),
      })
      .default({ threshold: 4 }),
    documentation: z
      .strictObject({
        baselineWithinDays: days.default(30),
        goalWithinDays: days.default(30),
        noteAfterServiceDays: days.default(3),
        requireClosureReason: z.boolean().default(true),
        /** instruments that count as a baseline assessment; empty = any */
        baselineInstruments: z.array(z.string().min(1)).default([]),
      })
      .default({ baselineWithinDays: 30, goalWithinDays: 30, noteAfterServiceDays: 3, requireClosureReason: true, baselineInstruments: [] }),
    change: z
      .strictObject({
        /** baseline = first assessment from this many days before opening … */
        baselineBeforeDays: days.default(30),
        /** … to this many days after */
        baselineAfterDays: days.default(30),
        /** follow-up: the latest assessment, or the one nearest `horizonDays` after opening */
        followup: z.enum(['latest', 'horizon']).default('latest'),
        horizonDays: z.int().min(1).max(3650).default(90),
        /** in horizon mode, only assessments within this many days of the horizon count */
        horizonToleranceDays: days.default(30),
        /** one pair per client (first episode with a baseline) or one per episode */
        unit: z.enum(['client', 'episode']).default('client'),
        /** thresholds for numeric measures that are not framework instruments (e.g. income) */
        measures: z.record(z.string(), measureSchema).default({}),
      })
      .default({
        baselineBeforeDays: 30, baselineAfterDays: 30, followup: 'latest', horizonDays: 90, horizonToleranceDays: 30, unit: 'client', measures: {},
      }),
    narrative: z
      .strictObject({
        /** tag statuses that count as evidence (historical and negated mentions do not) */
        statuses: z.array(z.string().min(1)).min(1).default(['current']),
      })
      .default({ statuses: ['current'] }),
  });

export type KpiConfig = z.infer<typeof kpiConfigSchema>;
export type KpiConfigInput = z.input<typeof kpiConfigSchema>;
export type MeasureConfig = z.infer<typeof measureSchema>;

export function defaultKpiConfig(overrides: KpiConfigInput = {}): KpiConfig {
  return kpiConfigSchema.parse(overrides);
}
