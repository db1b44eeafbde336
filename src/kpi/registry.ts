/** The KPI registry: every KPI caselens computes, in one list, in the order they are documented. */
import { attendance, followupCompliance, satisfaction, serviceUtilisation } from './kpis/activity.ts';
import { caseload, caseloadSeries, resolutionTime } from './kpis/cases.ts';
import { changeFromBaseline } from './kpis/change.ts';
import { documentationCompleteness } from './kpis/documentation.ts';
import { goalAchievement } from './kpis/goals.ts';
import { narrativeEvidence } from './kpis/narrative.ts';
import type { KpiDefinition } from './types.ts';

export const KPIS: ReadonlyArray<KpiDefinition<never>> = [
  resolutionTime,
  goalAchievement,
  caseload,
  caseloadSeries,
  followupCompliance,
  serviceUtilisation,
  attendance,
  satisfaction,
  documentationCompleteness,
  narrativeEvidence,
  changeFromBaseline,
] as unknown as ReadonlyArray<KpiDefinition<never>>;

export function findKpi(id: string): KpiDefinition | undefined {
  return KPIS.find((k) => k.id === id) as KpiDefinition | undefined;
}
