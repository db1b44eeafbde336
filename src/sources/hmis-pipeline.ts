/**
 * The HMIS CSV pipelines, one per format (FY2024 and FY2026), built from the HUD value lists in
 * hmis-values.ts and written to `pipelines/hmis-csv.yaml` (FY2024) and
 * `pipelines/hmis-csv-fy2026.yaml` (`npx tsx src/sources/hmis-pipeline.ts --write`). Both load the
 * same canonical tables under the same source system, so an FY2024 and an FY2026 export of one
 * HMIS land on the same clients and cases. The YAML is the pipeline users read and run; a test
 * keeps it equal to what this file builds.
 */
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import type { PipelineDoc } from '../ingest/pipeline.ts';
import {
  BENEFIT_SOURCES, GENDER_COLUMNS, HUD, hudLists, INCOME_SOURCES, INSURANCE_SOURCES, RACE_COLUMNS, RACE_COLUMNS_FY2026, SEX_GENDER, STAGE_TIMEPOINT,
  TYPE_PROVIDED_LIST, TYPE_PROVIDED_LIST_FY2026, type HmisFiscalYear, type HudList,
} from './hmis-values.ts';

/** Folder of the export; the pre-step (ingestHmis) sets it, a user may too. */
export const HMIS_EXPORT_ENV = 'HMIS_EXPORT';
export const HMIS_DEFAULT_EXPORT = 'data/hmis-example';
/** The FY2024 pipeline (the name it has always had). */
export const HMIS_PIPELINE_FILE = 'pipelines/hmis-csv.yaml';
/** The pipeline of each format, relative to the project root. */
export const HMIS_PIPELINE_FILES: Readonly<Record<HmisFiscalYear, string>> = { 2024: HMIS_PIPELINE_FILE, 2026: 'pipelines/hmis-csv-fy2026.yaml' };
export const HMIS_FISCAL_YEARS: readonly HmisFiscalYear[] = [2024, 2026];

/**
 * HUD writes dates as YYYY-MM-DD and timestamps as YYYY-MM-DD HH:MM:SS; real exports also carry
 * dd-mm-yy (Eva demo Client.DateUpdated), mm-dd-yyyy and mm/dd/yyyy. Two-digit years go first:
 * DuckDB's %Y would otherwise read "03-11-21" as the year 3.
 */
export const HMIS_DATE_FORMATS = ['%d-%m-%y', '%Y-%m-%d', '%Y-%m-%d %H:%M:%S', '%m-%d-%Y', '%m/%d/%Y', '%m/%d/%Y %H:%M:%S', '%m/%d/%Y %H:%M', '%d-%m-%y %H:%M:%S'];

const sq = (s: string) => `'${s.replace(/'/g, "''")}'`;
const col = (c: string) => `{{${c}}}`;
const val = (c: string) => `nullif(trim(${col(c)}), '')`;
const notDeleted = `${val('DateDeleted')} IS NULL`;
const deleted = `${val('DateDeleted')} IS NOT NULL`;

/**
 * HUD's label of a coded column as a JSON value written as text (`"label"`, or `null` when empty);
 * a code outside the list stays visible as "unlisted code X". Items are built as JSON text by
 * concatenation: several times cheaper in DuckDB than json_object over structs and lists.
 */
function labelJson(column: string, list: HudList): string {
  const whens = Object.entries(list.values).map(([k, v]) => `WHEN ${sq(k)} THEN ${sq(JSON.stringify(v))}`).join(' ');
  return `CASE ${val(column)} ${whens} ELSE coalesce(to_json('unlisted code ' || ${val(column)})::VARCHAR, 'null') END`;
}

const numberJson = (c: string) => `coalesce(TRY_CAST(${val(c)} AS DOUBLE)::VARCHAR, 'null')`;
const textJson = (c: string) => `coalesce(to_json(${val(c)})::VARCHAR, 'null')`;

/** `{"key": value, …}` from JSON-text SQL expressions. */
function jsonObjectSql(entries: Array<[string, string]>): string {
  return `'{' || ${entries.map(([k, v], i) => `'${i ? ',' : ''}${JSON.stringify(k)}:' || ${v}`).join(' || ')} || '}'`;
}

/** `[…]` of the JSON-text fragments whose SQL is not NULL. */
function jsonArraySql(fragments: string[]): string {
  return `'[' || concat_ws(',', ${fragments.join(', ')}) || ']'`;
}

/**
 * A coded column as its label: code → label from `map`; a code the list does not have is kept,
 * visible, as "unlisted code X" (the row still loads); empty stays empty. HUD adds and retires
 * codes between releases and real exports carry old ones (e.g. Destination 419): a record must
 * not be lost over a label.
 */
function codedSql(valueSql: string, map: Readonly<Record<string, string>>, unlisted = `'unlisted code ' || ${valueSql}`): string {
  const whens = Object.entries(map).map(([k, v]) => `WHEN ${sq(k)} THEN ${sq(v)}`).join(' ');
  return `CASE ${valueSql} ${whens} ELSE ${unlisted} END`;
}
const coded = (column: string, map: Readonly<Record<string, string>>) => ({ expr: codedSql(val(column), map) });

/** Selected options of a multi-select (one 0/1 column per option), joined; else the reason missing, else not_recorded. */
function multiSelectSql(columns: ReadonlyArray<readonly [string, string]>, noneColumn: string, single: Record<string, string>): string {
  const joined = `concat_ws('; ', ${columns.map(([c, l]) => `CASE WHEN ${val(c)} = '1' THEN ${sq(l)} END`).join(', ')})`;
  const singles = Object.entries(single).map(([l, v]) => `WHEN ${sq(l)} THEN ${sq(v)}`).join(' ');
  const none = `CASE ${val(noneColumn)} ${Object.entries(HUD.raceGenderNone.values).map(([k, v]) => `WHEN ${sq(k)} THEN ${sq(v)}`).join(' ')} ELSE 'not_recorded' END`;
  return `CASE ${joined} WHEN '' THEN ${none} ${singles} ELSE ${joined} END`;
}

function incomeItemsSql(): string {
  const sources = jsonArraySql(INCOME_SOURCES.map(([flag, amount, label]) => `CASE WHEN ${val(flag)} = '1' THEN ${sq(`{"source":${JSON.stringify(label)},"amount":`)} || ${numberJson(amount)} || '}' END`));
  const picks = (list: ReadonlyArray<readonly [string, string]>) => jsonArraySql(list.map(([flag, label]) => `CASE WHEN ${val(flag)} = '1' THEN ${sq(JSON.stringify(label))} END`));
  return jsonObjectSql([
    ['stage', labelJson('DataCollectionStage', HUD.dataCollectionStage)],
    ['income_from_any_source', labelJson('IncomeFromAnySource', HUD.noYesReasons)],
    ['total_monthly_income', numberJson('TotalMonthlyIncome')],
    ['income_sources', sources],
    ['benefits_from_any_source', labelJson('BenefitsFromAnySource', HUD.noYesReasons)],
    ['benefits', picks(BENEFIT_SOURCES)],
    ['insurance_from_any_source', labelJson('InsuranceFromAnySource', HUD.noYesReasons)],
    ['insurance', picks(INSURANCE_SOURCES)],
  ]);
}

/** Services: "record type: type provided", from the list that belongs to the record type. */
function serviceTypeMap(typeLists: Readonly<Record<string, HudList>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [record, recordLabel] of Object.entries(HUD.recordType.values)) {
    const types = typeLists[record];
    if (!types) continue;
    for (const [code, label] of Object.entries(types.values)) out[`RecordType ${record} / TypeProvided ${code}`] = label === recordLabel ? label : `${recordLabel}: ${label}`;
  }
  return out;
}

/**
 * Services.service_type: a TypeProvided outside its record type's list reads "<record type>: unlisted
 * code X" (e.g. "Bed night: unlisted code 2"); an unknown record type "unlisted code RecordType X / TypeProvided Y".
 */
function serviceTypeSql(typeLists: Readonly<Record<string, HudList>>): string {
  const key = `'RecordType ' || coalesce(${val('RecordType')}, '(empty)') || ' / TypeProvided ' || coalesce(${val('TypeProvided')}, '(empty)')`;
  const byRecord = Object.entries(HUD.recordType.values).filter(([r]) => typeLists[r]).map(([r, l]) => `WHEN ${sq(r)} THEN ${sq(`${l}: unlisted code `)} || coalesce(${val('TypeProvided')}, '(empty)')`).join(' ');
  return codedSql(key, serviceTypeMap(typeLists), `CASE ${val('RecordType')} ${byRecord} ELSE 'unlisted code ' || ${key} END`);
}

// The one coded field whose unknown codes still reject the row: an assessment's timepoint decides
// which record is the baseline and which the exit in the outcome KPIs (change from baseline, income
// at entry and exit), and the canonical column allows only these four values.
const stageFields = {
  timepoint: { from: 'DataCollectionStage', map: { ...STAGE_TIMEPOINT }, allowed: ['baseline', 'interim', 'exit', 'followup'], required: true },
};

const VETERAN = { '0': 'no', '1': 'yes', '8': 'unknown', '9': 'unknown', '99': 'unknown' };

/**
 * The pipeline of one format. FY2026 differs from FY2024 in Client (Sex instead of the gender
 * columns, HispanicLatinao) and in a few value lists (hmis-values.ts, HUD_FY2026).
 */
export function buildHmisPipeline(exportDir = `\${${HMIS_EXPORT_ENV}:-${HMIS_DEFAULT_EXPORT}}`, fiscalYear: HmisFiscalYear = 2024): PipelineDoc {
  const hud = hudLists(fiscalYear);
  const typeLists = fiscalYear === 2026 ? TYPE_PROVIDED_LIST_FY2026 : TYPE_PROVIDED_LIST;
  const gender = fiscalYear === 2026
    ? codedSql(val('Sex'), SEX_GENDER, `coalesce('unlisted code ' || ${val('Sex')}, 'not_recorded')`)
    : multiSelectSql(GENDER_COLUMNS, 'GenderNone', { 'Woman (Girl, if child)': 'female', 'Man (Boy, if child)': 'male', 'Non-Binary': 'non_binary' });
  const file = (name: string) => `${exportDir}/${name}.csv`;
  const date = (from: string, extra: Record<string, unknown> = {}) => ({ from, format: HMIS_DATE_FORMATS, ...extra });
  const userJoin = { path: file('User'), on: 'UserID', prefix: 'user_', where: notDeleted };
  const knownUser = `CASE WHEN {{user_UserID}} IS NOT NULL THEN ${val('UserID')} END`;
  const common = { csv: { strict: true }, deleteWhen: deleted };
  const stageSources = (name: string, csvName: string, idColumn: string, instrument: string, extra: Record<string, unknown>) => ({
    name, table: 'assessments' as const, path: file(csvName), ...common,
    fields: {
      assessment_key: { expr: `${sq(instrument + ':')} || ${val(idColumn)}` },
      client_key: 'PersonalID',
      case_key: 'EnrollmentID',
      instrument_id: { value: instrument },
      administered_at: date('InformationDate', { required: true }),
      ...stageFields,
      ...extra,
    },
  });
  return {
    id: fiscalYear === 2026 ? 'hmis-csv-fy2026' : 'hmis-csv',
    description:
      `HUD HMIS CSV export, FY${fiscalYear} format (CSVVersion ${fiscalYear} v1.x). Run it with \`caselens ingest-hmis PATH\` (folder or zip), which checks the version, ` +
      'picks the pipeline of that format, unzips, and fills in files the export lacks; or set HMIS_EXPORT to an export folder. Generated by src/sources/hmis-pipeline.ts from HUD value lists.',
    system: 'hmis',
    sources: [
      {
        name: 'project', table: 'programs', path: file('Project'), ...common,
        join: [{ path: file('Organization'), on: 'OrganizationID', prefix: 'org_', where: notDeleted }],
        fields: {
          program_key: 'ProjectID',
          name: {
            expr: `CASE WHEN ${val('org_OrganizationName')} IS NULL OR contains(lower(${col('ProjectName')}), lower(trim(${col('org_OrganizationName')}))) THEN ${val('ProjectName')} ELSE ${val('ProjectName')} || ' (' || trim(${col('org_OrganizationName')}) || ')' END`,
            required: true,
          },
          program_type: coded('ProjectType', hud.projectType.values),
        },
      },
      {
        name: 'user', table: 'staff', path: file('User'), ...common,
        fields: {
          staff_key: 'UserID',
          name: { expr: `coalesce(nullif(concat_ws(' ', ${val('UserFirstName')}, ${val('UserLastName')}), ''), 'HMIS user ' || ${val('UserID')})` },
          role: { value: 'worker' },
        },
      },
      {
        name: 'client', table: 'clients', path: file('Client'), ...common,
        identity: { rules: [{ rule: 'name_dob' as const }] },
        fields: {
          client_key: 'PersonalID',
          first_name: 'FirstName',
          last_name: 'LastName',
          dob: date('DOB'),
          national_id: 'SSN',
          gender: { expr: gender },
          race_ethnicity: { expr: multiSelectSql(fiscalYear === 2026 ? RACE_COLUMNS_FY2026 : RACE_COLUMNS, 'RaceNone', {}) },
          veteran: coded('VeteranStatus', VETERAN),
        },
      },
      {
        name: 'enrollment', table: 'cases', path: file('Enrollment'), ...common,
        join: [
          { path: file('Exit'), on: 'EnrollmentID', prefix: 'exit_', where: notDeleted, latest: 'ExitDate' },
          { path: file('Project'), on: 'ProjectID', prefix: 'project_', where: notDeleted },
        ],
        fields: {
          case_key: 'EnrollmentID',
          client_key: 'PersonalID',
          program_key: 'ProjectID',
          // no manager_key: HMIS CSV has no case-manager field (the enrolment's UserID is whoever last edited it);
          // ingestHmis({ managers }) / `--managers FILE` joins one on from a mapping file
          case_type: coded('project_ProjectType', hud.projectType.values),
          opened_at: date('EntryDate', { required: true }),
          closed_at: date('exit_ExitDate'),
          closure_reason: coded('exit_Destination', hud.destination.values),
          household_id: 'HouseholdID',
          relationship_to_hoh: coded('RelationshipToHoH', hud.relationshipToHoH.values),
        },
      },
      {
        name: 'services', table: 'services', path: file('Services'), ...common,
        join: [userJoin],
        fields: {
          service_key: 'ServicesID',
          case_key: 'EnrollmentID',
          service_type: { expr: serviceTypeSql(typeLists) },
          staff_key: { expr: knownUser },
          delivered_at: date('DateProvided', { required: true }),
          status: { value: 'delivered' },
        },
      },
      stageSources('income', 'IncomeBenefits', 'IncomeBenefitsID', 'hmis_income', {
        total_score: { expr: `CASE WHEN ${val('TotalMonthlyIncome')} IS NOT NULL THEN ${val('TotalMonthlyIncome')} WHEN ${val('IncomeFromAnySource')} = '0' THEN '0' END` },
        items: { expr: incomeItemsSql() },
      }),
      stageSources('health_dv', 'HealthAndDV', 'HealthAndDVID', 'hmis_health_dv', {
        items: {
          expr: jsonObjectSql([
            ['stage', labelJson('DataCollectionStage', hud.dataCollectionStage)],
            ['domestic_violence_survivor', labelJson('DomesticViolenceSurvivor', hud.noYesReasons)],
            ['when_occurred', labelJson('WhenOccurred', hud.whenOccurred)],
            ['currently_fleeing', labelJson('CurrentlyFleeing', hud.noYesReasons)],
            ['general_health', labelJson('GeneralHealthStatus', hud.healthStatus)],
            ['dental_health', labelJson('DentalHealthStatus', hud.healthStatus)],
            ['mental_health', labelJson('MentalHealthStatus', hud.healthStatus)],
            ['pregnancy_status', labelJson('PregnancyStatus', hud.noYesReasons)],
            ['due_date', textJson('DueDate')],
          ]),
        },
      }),
      stageSources('employment', 'EmploymentEducation', 'EmploymentEducationID', 'hmis_employment', {
        total_score: { expr: `CASE ${val('Employed')} WHEN '1' THEN '1' WHEN '0' THEN '0' END` },
        items: {
          expr: jsonObjectSql([
            ['stage', labelJson('DataCollectionStage', hud.dataCollectionStage)],
            ['employed', labelJson('Employed', hud.noYesReasons)],
            ['employment_type', labelJson('EmploymentType', hud.employmentType)],
            ['not_employed_reason', labelJson('NotEmployedReason', hud.notEmployedReason)],
            ['last_grade_completed', labelJson('LastGradeCompleted', hud.lastGradeCompleted)],
            ['school_status', labelJson('SchoolStatus', hud.schoolStatus)],
          ]),
        },
      }),
      {
        name: 'ce_assessment', table: 'assessments', path: file('Assessment'), ...common,
        fields: {
          assessment_key: { expr: `'hmis_ce_assessment:' || ${val('AssessmentID')}` },
          client_key: 'PersonalID',
          case_key: 'EnrollmentID',
          instrument_id: { value: 'hmis_ce_assessment' },
          administered_at: date('AssessmentDate', { required: true }),
          items: {
            expr: jsonObjectSql([
              ['location', textJson('AssessmentLocation')],
              ['type', labelJson('AssessmentType', hud.assessmentType)],
              ['level', labelJson('AssessmentLevel', hud.assessmentLevel)],
              ['prioritization_status', labelJson('PrioritizationStatus', hud.prioritizationStatus)],
            ]),
          },
        },
      },
    ],
  } as unknown as PipelineDoc;
}

/** The files the pipeline reads (main sources and joins), by name without `.csv`. */
export const HMIS_FILES_READ = ['Project', 'Organization', 'User', 'Client', 'Enrollment', 'Exit', 'Services', 'IncomeBenefits', 'HealthAndDV', 'EmploymentEducation', 'Assessment'] as const;

const header = (fiscalYear: HmisFiscalYear) => `# HUD HMIS CSV export, FY${fiscalYear} format -> caselens canonical tables.
# GENERATED by src/sources/hmis-pipeline.ts from the HUD value lists in src/sources/hmis-values.ts:
# regenerate with \`npx tsx src/sources/hmis-pipeline.ts --write\` rather than editing by hand
# (test/sources/hmis-example.test.ts and hmis-fy2026.test.ts check that this file is current).
#
# Run: caselens ingest-hmis EXPORT_FOLDER_OR_ZIP   (checks CSVVersion, picks this pipeline for FY${fiscalYear}, unzips, fills in missing files)
#  or: HMIS_EXPORT=path/to/export caselens ingest ${path.basename(HMIS_PIPELINE_FILES[fiscalYear], '.yaml')}
# Mapping decisions are described in README.md, "HMIS CSV and FHIR sources".
`;

export function hmisPipelineYaml(fiscalYear: HmisFiscalYear = 2024): string {
  return header(fiscalYear) + YAML.stringify(buildHmisPipeline(undefined, fiscalYear), { lineWidth: 0, aliasDuplicateObjects: false });
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(import.meta.filename) && process.argv.includes('--write')) {
  for (const fy of HMIS_FISCAL_YEARS) {
    const out = path.resolve(import.meta.dirname, '..', '..', HMIS_PIPELINE_FILES[fy]);
    fs.writeFileSync(out, hmisPipelineYaml(fy));
    console.log(`wrote ${out}`);
  }
}
