export { CANONICAL, TARGET_TABLES, type FieldSpec, type TableSpec, type TargetTable } from './canonical.ts';
export { inferFormat, loadPipeline, parsePipelineFile, pipelineSchema, resolvePipelinePath, type Pipeline, type Source } from './pipeline.ts';
export { appendRejects, IngestFailedError, runPipeline, type IngestOptions, type IngestProgress, type IngestReport, type RejectRow, type SourceReport } from './runner.ts';
