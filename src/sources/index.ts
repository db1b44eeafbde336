/**
 * Real-world sources: HUD HMIS CSV exports (FY2024) and FHIR R4 (Bundles, bulk NDJSON).
 * Both run through the ingestion engine (src/ingest), so rejects, identity and idempotent merges
 * behave as for any pipeline. The command line calls `ingestHmis` / `ingestFhir` and prints the
 * report as for `caselens ingest`, followed by `describeHmis` / `describeFhir`.
 */
export {
  HmisExportError, HMIS_SUPPORTED, ingestHmis, openHmisExport, parseCsv, UnsupportedHmisVersionError,
  type HmisExportInfo, type HmisIngestOptions, type HmisIngestResult,
} from './hmis.ts';
export { buildHmisPipeline, HMIS_DATE_FORMATS, HMIS_DEFAULT_EXPORT, HMIS_EXPORT_ENV, HMIS_PIPELINE_FILE, hmisPipelineYaml } from './hmis-pipeline.ts';
export { HUD, TYPE_PROVIDED_LIST, type HudList } from './hmis-values.ts';
export {
  buildFhirPipeline, FHIR_TYPES_READ, FhirInputError, flattenFhir, ingestFhir,
  type FhirIngestOptions, type FhirIngestResult, type FlattenResult,
} from './fhir.ts';
export { FHIR_INSTRUMENTS } from './fhir-codes.ts';
export { extractZip, isZipFile } from './zip.ts';
export { describeFhir, describeHmis, ingestFhirCommand, ingestHmisCommand, type SourceCommandOptions } from './cli.ts';
