/**
 * KPIs: one registry of definitions (SQL, written definition, parameters, output schema),
 * run the same way by the command line, the API, dashboards and reports; change-from-baseline
 * statistics; disclosure control for funder output; the funder report.
 */
export { kpiConfigSchema, defaultKpiConfig, type KpiConfig, type KpiConfigInput } from './config.ts';
export { KPIS, findKpi } from './registry.ts';
export { changeUnits, measureRules, type ChangeParams, type MeasureRule } from './kpis/change.ts';
export { SqlArgs } from './sql.ts';
export { inlineArgs } from './query.ts';
export { ensureFacts, factsStatus, refreshFacts, markFactsStale, factsConfigHash, FACT_SOURCES, FACT_TABLES, type FactsInfo, type FactsRefresh } from './facts.ts';
export { runKpi, listKpis, requireKpi, type RunKpiOptions, type KpiListing } from './run.ts';
export { formatKpiList, formatKpiResult, type KpiFormat } from './format.ts';
export { generateKpiDocs } from './docs.ts';
export { renderFunderReport, type FunderReportParams } from './report.ts';
export { outputSchema } from './schema.ts';
export { protectCells, suppressResult, disclosureModel, isDetermined, type DCell, type DLine } from './suppress.ts';
export { pairedSummary, pairedFromSummary, welchTest, tCritical, meanInterval, quantile, mean, sd } from './stats.ts';
export { KPI_CLI_OPTIONS, kpiParamsFromCli } from './cli.ts';
export type { KpiContext, KpiDefinition, KpiResult, KpiRow, ColumnSpec, SuppressedCell, CellValue, WrittenDefinition, ParamSpec } from './types.ts';
export { isSuppressed } from './types.ts';
