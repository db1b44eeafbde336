/** Outcome frameworks: schema, loading and validation, cue syntax, instrument scoring rules. */
export {
  frameworkSchema,
  scaleSchema,
  scaleLevelSchema,
  domainSchema,
  indicatorSchema,
  indicatorDirectionSchema,
  instrumentSchema,
  instrumentItemSchema,
  responseOptionSchema,
  bandSchema,
  scoringMethodSchema,
  scoreDirectionSchema,
  cueSchema,
  ID_PATTERN,
  SEMVER_PATTERN,
} from './schema.ts';
export type {
  Framework,
  FrameworkInput,
  ScaleLevel,
  Domain,
  Indicator,
  IndicatorDirection,
  Instrument,
  InstrumentItem,
  ResponseOption,
  Band,
  ScoringMethod,
  ScoreDirection,
} from './schema.ts';
export {
  loadFramework,
  loadFrameworks,
  parseFramework,
  validateFrameworkFile,
  findFramework,
  FRAMEWORK_FILE_EXTENSIONS,
} from './loader.ts';
export type { LoadResult, LoadedFramework, FileFormat } from './loader.ts';
export { formatProblem, formatPath, issuesToProblems, issuesToPathProblems, FILE_PATH, ROOT_PATH } from './problems.ts';
export type { Problem, PathProblem, PathSegment } from './problems.ts';
export { cueSyntaxError, compileCue, createCueMatcher, matchCues } from './cues.ts';
export type { CueMatch, CueEntry } from './cues.ts';
export { indicatorCueEntries, createIndicatorMatcher } from './lexicon.ts';
export type { IndicatorCue } from './lexicon.ts';
export { scoreResponses, bandFor, isClinicalCase, classifyChange, flaggedItems, findInstrument } from './instruments.ts';
export type { ScoreResult, ChangeCategory, ChangeResult } from './instruments.ts';
