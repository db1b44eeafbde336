import { ident, lit } from '../store/index.ts';
import { CANONICAL, columnOf, type FieldSpec, type RefKind, type TableSpec, type TargetTable } from './canonical.ts';
import type { FieldMapping, Source } from './pipeline.ts';

/**
 * Builds the SQL that turns an all-text staging table into a typed, checked table: one row
 * per staged row, with every canonical column typed and `_reject` set (code, field, value,
 * reason) for rows that cannot be loaded. Checks run in SQL so a million rows stay fast.
 */

export interface NormalisedMapping {
  field: string;
  spec: FieldSpec;
  column: string;
  /** the source column, or undefined for a constant */
  from?: string;
  /** a SQL expression over source columns written as {{Column}} */
  expr?: string;
  value?: string | number | boolean;
  format?: string[];
  map?: Record<string, string | number | boolean | null>;
  allowed?: readonly string[];
  required: boolean;
  default?: string | number | boolean;
}

export function normaliseMappings(source: Source): NormalisedMapping[] {
  const spec = CANONICAL[source.table as TargetTable];
  return Object.entries(source.fields).map(([field, m]: [string, FieldMapping]) => {
    const fs = spec.fields[field]!;
    const base = { field, spec: fs, column: columnOf(field, fs), required: fs.required ?? false, allowed: fs.allowed };
    if (typeof m === 'string') return { ...base, from: m };
    return {
      ...base,
      ...(m.value !== undefined ? { value: m.value } : m.expr !== undefined ? { expr: m.expr } : { from: m.from ?? field }),
      ...(m.format !== undefined ? { format: Array.isArray(m.format) ? m.format : [m.format] } : {}),
      ...(m.map !== undefined ? { map: m.map } : {}),
      ...(m.allowed !== undefined ? { allowed: m.allowed } : {}),
      ...(m.required !== undefined ? { required: m.required } : {}),
      ...(m.default !== undefined ? { default: m.default } : {}),
    };
  });
}

/** Source columns the staging table must hold. */
const PLACEHOLDER = /\{\{\s*([^}]+?)\s*\}\}/g;

/** Source columns named as {{Column}} in a SQL snippet of the pipeline. */
export function placeholders(expr: string): string[] {
  return [...expr.matchAll(PLACEHOLDER)].map((m) => m[1]!);
}

/** Replaces {{Column}} by the staging column that holds it. */
export function expandPlaceholders(expr: string, columns: Map<string, string>, alias = 's'): string {
  return expr.replace(PLACEHOLDER, (_m, name: string) => `${alias}.${columns.get(name.trim()) ?? 'NULL'}`);
}

export function neededColumns(source: Source): string[] {
  const cols = new Set<string>();
  for (const m of normaliseMappings(source)) {
    if (m.from) cols.add(m.from);
    if (m.expr) for (const c of placeholders(m.expr)) cols.add(c);
  }
  if (source.deleteWhen) for (const c of placeholders(source.deleteWhen)) cols.add(c);
  for (const r of source.identity?.rules ?? []) if (r.rule === 'external_id') cols.add(r.from);
  return [...cols];
}

function sqlValue(v: string | number | boolean | null): string {
  if (v === null) return 'NULL';
  return lit(String(v));
}

const SQL_TYPES: Record<FieldSpec['type'], string> = {
  text: 'VARCHAR', integer: 'INTEGER', number: 'DOUBLE', date: 'DATE', timestamp: 'TIMESTAMP', boolean: 'BOOLEAN', json: 'JSON',
};

interface FieldSql {
  m: NormalisedMapping;
  /** value as written, for reject messages */
  raw: string;
  /** value after trimming, defaults and value maps */
  mapped: string;
  typed: string;
  errors: Array<{ when: string; code: string; reason: string }>;
  label: string;
  /** computed once per row, before the checks: the value as written and after mapping (so long expressions are not repeated) */
  pre: string[];
}

function describe(m: NormalisedMapping): string {
  return m.from && m.from !== m.field ? `${m.field} (column "${m.from}")` : m.field;
}

/** Allowed values for a message: all of a short list; a long one (e.g. a value list of 100 labels) shortened. */
function allowedText(allowed: readonly string[]): string {
  if (allowed.length <= 12) return allowed.join(', ');
  return `${allowed.slice(0, 8).join(', ')}, … (${allowed.length} values, listed under "allowed" in the pipeline)`;
}

function fieldSql(m: NormalisedMapping, columns: Map<string, string>, index: number): FieldSql {
  const rawExpr = m.from !== undefined ? `s.${columns.get(m.from) ?? 'NULL'}` : m.expr !== undefined ? `CAST((${expandPlaceholders(m.expr, columns)}) AS VARCHAR)` : sqlValue(m.value!);
  let norm = m.spec.verbatim ? `nullif(${rawExpr}, '')` : `nullif(trim(${rawExpr}), '')`;
  if (m.default !== undefined) norm = `coalesce(${norm}, ${sqlValue(m.default)})`;
  let mappedExpr = norm;
  if (m.map && Object.keys(m.map).length) {
    const whens = Object.entries(m.map).map(([k, v]) => `WHEN ${lit(k.toLowerCase())} THEN ${sqlValue(v)}`).join(' ');
    mappedExpr = `(CASE lower(${norm}) ${whens} ELSE ${norm} END)`;
  }
  const raw = `s._fr${index}`;
  const mapped = `s._fm${index}`;
  const pre = [`${rawExpr} AS _fr${index}`, `${mappedExpr} AS _fm${index}`];
  const label = describe(m);
  const errors: FieldSql['errors'] = [];
  if (m.required) errors.push({ when: `${mapped} IS NULL`, code: 'missing_required', reason: lit(`required field ${label} is empty: fill it in`) });
  if (m.allowed) {
    errors.push({
      when: `${mapped} IS NOT NULL AND ${mapped} NOT IN (${m.allowed.map(lit).join(', ')})`,
      code: 'not_allowed',
      reason: lit(`value not allowed for ${label}: expected one of ${allowedText(m.allowed)} (add a "map" in the pipeline to translate source values)`),
    });
  }
  let typed: string;
  const fmt = m.format ? `[${m.format.map(lit).join(', ')}]` : undefined;
  const fmtText = m.format ? m.format.join(' or ') : undefined;
  switch (m.spec.type) {
    case 'text':
      typed = mapped;
      break;
    case 'integer':
      // the canonical integer columns are INTEGER: a larger number is this row's problem, not the whole load's
      typed = `CASE WHEN regexp_full_match(${mapped}, '[+-]?[0-9]+') THEN TRY_CAST(${mapped} AS INTEGER) END`;
      errors.push({
        when: `${mapped} IS NOT NULL AND ${typed} IS NULL`, code: 'bad_type',
        reason: `CASE WHEN regexp_full_match(${mapped}, '[+-]?[0-9]+') THEN ${lit(`whole number out of range for ${label} (at most 2,147,483,647)`)} ELSE ${lit(`not a whole number for ${label}`)} END`,
      });
      break;
    case 'number':
      typed = `TRY_CAST(${mapped} AS DOUBLE)`;
      errors.push({ when: `${mapped} IS NOT NULL AND (${typed} IS NULL OR isnan(${typed}) OR isinf(${typed}))`, code: 'bad_type', reason: lit(`not a number for ${label}`) });
      break;
    case 'date':
      typed = fmt ? `CAST(try_strptime(${mapped}, ${fmt}) AS DATE)` : `TRY_CAST(${mapped} AS DATE)`;
      errors.push({ when: `${mapped} IS NOT NULL AND ${typed} IS NULL`, code: 'bad_date', reason: lit(`not a valid date for ${label}: expected ${fmtText ?? 'YYYY-MM-DD'} (set "format" in the pipeline if the file uses another form)`) });
      errors.push({ when: `${typed} IS NOT NULL AND (year(${typed}) < 1900 OR year(${typed}) > 2100)`, code: 'bad_date', reason: lit(`date out of range (before 1900 or after 2100) for ${label}: check the date format`) });
      break;
    case 'timestamp':
      typed = fmt ? `try_strptime(${mapped}, ${fmt})::TIMESTAMP` : `TRY_CAST(${mapped} AS TIMESTAMP)`;
      errors.push({ when: `${mapped} IS NOT NULL AND ${typed} IS NULL`, code: 'bad_date', reason: lit(`not a valid date and time for ${label}: expected ${fmtText ?? 'YYYY-MM-DD HH:MM:SS'} (set "format" in the pipeline if the file uses another form)`) });
      errors.push({ when: `${typed} IS NOT NULL AND (year(${typed}) < 1900 OR year(${typed}) > 2100)`, code: 'bad_date', reason: lit(`date out of range (before 1900 or after 2100) for ${label}: check the date format`) });
      break;
    case 'boolean':
      typed = `(CASE WHEN lower(${mapped}) IN ('true','t','yes','y','1') THEN true WHEN lower(${mapped}) IN ('false','f','no','n','0') THEN false END)`;
      errors.push({ when: `${mapped} IS NOT NULL AND ${typed} IS NULL`, code: 'bad_type', reason: lit(`not yes/no for ${label}: expected yes/no, true/false or 1/0`) });
      break;
    case 'json':
      typed = `(CASE WHEN json_valid(${mapped}) THEN ${mapped}::JSON END)`;
      errors.push({ when: `${mapped} IS NOT NULL AND ${typed} IS NULL`, code: 'bad_type', reason: lit(`not valid JSON for ${label}`) });
      break;
  }
  return { m, raw, mapped, typed, errors, label, pre };
}

function rejectStruct(code: string, field: string | null, value: string, reason: string): string {
  return `struct_pack(code := ${lit(code)}, field := ${field === null ? 'NULL::VARCHAR' : lit(field)}, value := CAST(${value} AS VARCHAR), reason := ${reason})`;
}

export interface CheckSqlInput {
  source: Source;
  system: string;
  /** the source rows, all text: a table name or a parenthesised query */
  relation: string;
  columns: Map<string, string>;
  outputTable: string;
}

export interface CheckSqlResult {
  /** creates the checked table; every row carries `_reject` (NULL when it can load) */
  sql: string;
  /** how many keys occur more than once among rows that can load */
  countDuplicatesSql: string;
  /** rejects every row but the first of each duplicated key, naming the first one's line */
  markDuplicatesSql: string;
  /** target columns the merge writes (the key first) */
  targetColumns: string[];
  idColumn: string;
}

function refSystem(source: Source, system: string, kind: RefKind): string {
  return source.refSystems?.[kind] ?? system;
}

/** Namespaced id for a non-client key: `system:key`. */
function namespaced(system: string, expr: string): string {
  return `(${lit(system + ':')} || ${expr})`;
}

export function buildCheckSql(input: CheckSqlInput): CheckSqlResult {
  const { source, system, relation, columns, outputTable } = input;
  const spec: TableSpec = CANONICAL[source.table as TargetTable];
  const fields = normaliseMappings(source).map((m, i) => fieldSql(m, columns, i));
  const byField = new Map(fields.map((f) => [f.m.field, f]));

  // Stage 1: typed values and per-field errors.
  const typedCols: string[] = [];
  const rawCols: string[] = [];
  for (const f of fields) {
    const isOwnKey = f.m.field === spec.key && source.table !== 'clients';
    const isRef = f.m.spec.ref !== undefined;
    const name = f.m.field;
    if (isOwnKey) typedCols.push(`${namespaced(system, f.typed)} AS ${ident(f.m.column)}`);
    else if (isRef) typedCols.push(`${f.typed} AS ${ident('_k_' + name)}`);
    else typedCols.push(`CAST(${f.typed} AS ${SQL_TYPES[f.m.spec.type]}) AS ${ident(f.m.column)}`);
    rawCols.push(`${f.raw} AS ${ident('_raw_' + name)}`);
  }
  const fieldErrorWhens = fields.flatMap((f) => f.errors.map((e) => `WHEN ${e.when} THEN ${rejectStruct(e.code, f.m.from ?? f.m.field, f.raw, e.reason)}`));
  const extCols = (source.identity?.rules ?? [])
    .map((r, i) => (r.rule === 'external_id' ? `nullif(trim(s.${columns.get(r.from)}), '') AS ${ident('_ext_' + i)}` : null))
    .filter((x): x is string => x !== null);

  // Stage 2: references, derived columns, row-level rules.
  const joins: string[] = [];
  const refCols: string[] = [];
  const refErrors: string[] = [];
  const derived: string[] = [];
  const targetColumns: string[] = [];
  const mappedColumn = (field: string) => byField.has(field);
  for (const f of fields) {
    const ref = f.m.spec.ref;
    if (!ref) {
      if (!(f.m.field === spec.key && source.table === 'clients')) targetColumns.push(f.m.column);
      continue;
    }
    const k = `t.${ident('_k_' + f.m.field)}`;
    const alias = `r_${f.m.field}`;
    const sys = refSystem(source, system, ref);
    const label = f.m.from && f.m.from !== f.m.field ? `${f.m.field} (column "${f.m.from}")` : f.m.field;
    let found: string;
    if (ref === 'client') {
      joins.push(`LEFT JOIN client_identities ${alias} ON ${alias}.source_system = ${lit(sys)} AND ${alias}.source_key = ${k}`);
      refCols.push(`${alias}.client_id AS ${ident(f.m.column)}`);
      refCols.push(`${alias}.client_id AS ${ident('_found_' + f.m.field)}`);
      found = ident('_found_' + f.m.field);
    } else {
      const target = ref === 'case' ? 'cases' : ref === 'staff' ? 'staff' : 'programs';
      const idCol = ref === 'case' ? 'case_id' : ref === 'staff' ? 'staff_id' : 'program_id';
      const selfRef = target === source.table;
      const lookup = selfRef
        ? `(SELECT ${idCol} FROM ${target} UNION SELECT ${ident(spec.idColumn)} FROM t0)`
        : target;
      joins.push(`LEFT JOIN ${lookup} ${alias} ON ${alias}.${idCol} = ${namespaced(sys, k)}`);
      refCols.push(`${namespaced(sys, k)} AS ${ident(f.m.column)}`);
      refCols.push(`${alias}.${idCol} AS ${ident('_found_' + f.m.field)}`);
      found = ident('_found_' + f.m.field);
      if (ref === 'case') refCols.push(`${alias}.client_id AS _case_client_id`);
    }
    targetColumns.push(f.m.column);
    const noun = ref === 'case' ? 'case' : ref === 'client' ? 'client' : ref === 'staff' ? 'staff member' : 'programme';
    const loadFirst = ref === 'client' ? 'load the client first (a source feeding the clients table)' : `load the ${noun} first`;
    refErrors.push(
      `WHEN ${k} IS NOT NULL AND ${found} IS NULL THEN ${rejectStruct(
        'unknown_reference', f.m.from ?? f.m.field, k,
        `${lit(`unknown ${noun} `)} || '"' || ${k} || '"' || ${lit(` for ${label}: no ${noun} with this key from system "${sys}"; ${loadFirst}, or fix the key`)}`,
      )}`,
    );
  }

  const rowChecksLast: string[] = [];
  // Client of rows that hang off a case (notes, surveys) or either (assessments).
  if (['notes', 'surveys'].includes(source.table)) {
    derived.push('_case_client_id AS client_id');
    targetColumns.push('client_id');
  }
  if (source.table === 'assessments') {
    if (mappedColumn('client_key') && mappedColumn('case_key')) {
      refErrors.push(
        `WHEN client_id IS NOT NULL AND _case_client_id IS NOT NULL AND client_id <> _case_client_id THEN ${rejectStruct(
          'mismatch', 'client_key', 't._k_client_key', lit('client_key belongs to a different client than the case_key: fix one of them'),
        )}`,
      );
      derived.push('coalesce(client_id, _case_client_id) AS _client_final');
    } else if (mappedColumn('case_key')) {
      derived.push('_case_client_id AS _client_final');
    } else {
      derived.push('client_id AS _client_final');
    }
    // checked last, after unknown references: a row with neither key would break clients' NOT NULL
    rowChecksLast.push(
      `WHEN _client_final IS NULL THEN ${rejectStruct('missing_required', mappedColumn('client_key') ? byField.get('client_key')!.m.from ?? 'client_key' : byField.get('case_key')!.m.from ?? 'case_key', 'NULL',
        lit('the assessment names no client: fill in client_key or case_key'))}`,
    );
  }
  if (source.table === 'notes') {
    derived.push('sha256(text) AS text_sha256');
    targetColumns.push('text_sha256');
  }

  const rowChecks: string[] = [];
  const has = (c: string) => fields.some((f) => f.m.column === c);
  if (source.table === 'cases') {
    const status = has('status') ? `coalesce(status, CASE WHEN closed_at IS NULL THEN 'open' ELSE 'closed' END)` : `CASE WHEN closed_at IS NULL THEN 'open' ELSE 'closed' END`;
    derived.push(`${status} AS _status_final`);
    if (has('closed_at') && has('opened_at')) {
      rowChecks.push(`WHEN closed_at < opened_at THEN ${rejectStruct('closed_before_opened', byField.get('closed_at')!.m.from ?? 'closed_at', "strftime(closed_at, '%Y-%m-%d')", `'case closed (' || strftime(closed_at, '%Y-%m-%d') || ') before it opened (' || strftime(opened_at, '%Y-%m-%d') || '): check both dates'`)}`);
    }
    if (has('status')) {
      rowChecks.push(`WHEN status = 'closed' AND closed_at IS NULL THEN ${rejectStruct('inconsistent', byField.get('status')!.m.from ?? 'status', 'status', lit('status is closed but the closing date is empty: add the closing date'))}`);
      rowChecks.push(`WHEN status = 'open' AND closed_at IS NOT NULL THEN ${rejectStruct('inconsistent', byField.get('status')!.m.from ?? 'status', 'status', lit('status is open but a closing date is given: fix the status or remove the date'))}`);
    }
    if (!has('status')) targetColumns.push('status');
  }
  if (source.table === 'services') {
    const status = has('status') ? `coalesce(status, CASE WHEN delivered_at IS NOT NULL THEN 'delivered' ELSE 'scheduled' END)` : `CASE WHEN delivered_at IS NOT NULL THEN 'delivered' ELSE 'scheduled' END`;
    derived.push(`${status} AS _status_final`);
    if (!has('status')) targetColumns.push('status');
  }
  if (source.table === 'goals' && has('achieved_at') && has('set_at')) {
    rowChecks.push(`WHEN achieved_at < set_at THEN ${rejectStruct('inconsistent', byField.get('achieved_at')!.m.from ?? 'achieved_at', "strftime(achieved_at, '%Y-%m-%d')", lit('goal achieved before it was set: check both dates'))}`);
  }
  if (source.table === 'clients' && has('dob')) {
    rowChecks.push(`WHEN dob > current_date THEN ${rejectStruct('bad_date', byField.get('dob')!.m.from ?? 'dob', "strftime(dob, '%Y-%m-%d')", lit('date of birth is in the future: check the date and its format'))}`);
  }

  const keyField = byField.get(spec.key)!;
  const finalSelect: string[] = ['e._file', 'e._rec'];
  const outCols: string[] = [];
  for (const c of targetColumns) {
    if (c === 'client_id' && source.table === 'assessments') continue;
    if (c === 'status' && ['cases', 'services'].includes(source.table)) continue;
    outCols.push(c);
  }
  for (const c of outCols) finalSelect.push(`e.${ident(c)}`);
  if (source.table === 'assessments') {
    finalSelect.push('e._client_final AS client_id');
    if (!outCols.includes('client_id')) outCols.push('client_id');
  }
  if (['cases', 'services'].includes(source.table)) {
    finalSelect.push('e._status_final AS status');
    outCols.push('status');
  }
  if (source.table === 'clients') {
    for (const c of ['client_key', '_name_dob_key']) finalSelect.push(`e.${c}`);
    (source.identity?.rules ?? []).forEach((r, i) => { if (r.rule === 'external_id') finalSelect.push(`e._ext_${i}`); });
  }

  const nameDob = source.table === 'clients' && ['first_name', 'last_name', 'dob'].every((c) => has(c))
    ? `, CASE WHEN first_name IS NOT NULL AND last_name IS NOT NULL AND dob IS NOT NULL THEN
         regexp_replace(lower(strip_accents(first_name)), '[^a-z]', '', 'g') || '|' ||
         regexp_replace(lower(strip_accents(last_name)), '[^a-z]', '', 'g') || '|' || strftime(dob, '%Y-%m-%d') END AS _name_dob_key`
    : source.table === 'clients' ? ', NULL::VARCHAR AS _name_dob_key' : '';
  const ownKeyExpr = source.table === 'clients' ? 'client_key' : ident(spec.idColumn);

  const sql = `
CREATE OR REPLACE TEMP TABLE ${outputTable} AS
WITH t0 AS (
  SELECT s._file, s._rec,
    ${[...typedCols, ...rawCols, ...extCols].join(',\n    ')},
    CASE ${fieldErrorWhens.join('\n      ') || 'WHEN false THEN NULL'} END AS _field_error,
    ${source.deleteWhen ? `coalesce((${expandPlaceholders(source.deleteWhen, columns)}), false)` : 'false'} AS _delete
  FROM (SELECT s.*, ${fields.flatMap((f) => f.pre).join(', ') || 'NULL AS _none'} FROM ${relation} s) s
),
t1 AS (
  SELECT t.*${refCols.length ? ', ' + refCols.join(', ') : ''}${nameDob}
  FROM t0 t
  ${joins.join('\n  ')}
),
t2 AS (
  SELECT t1.*${derived.length ? ', ' + derived.join(', ') : ''} FROM t1
),
e AS (
  SELECT t.*,
    CASE WHEN _delete THEN NULL ELSE coalesce(_field_error,
      CASE ${[...rowChecks, ...refErrors, ...rowChecksLast].join('\n      ') || 'WHEN false THEN NULL'} END) END AS _pre_reject
  FROM t2 t
),
d AS (SELECT * FROM e)
SELECT ${finalSelect.join(', ')}, e.${ident('_raw_' + spec.key)} AS _raw_key, e._delete, e._pre_reject AS _reject
FROM d e`;

  // Duplicate keys are rare: find them with a cheap GROUP BY, then number only their rows.
  const markDuplicatesSql = `
UPDATE ${outputTable} SET _reject = d.reject
FROM (
  SELECT _file, _rec, ${rejectStruct('duplicate_key', keyField.m.from ?? keyField.m.field, '_raw_key', `'duplicate key "' || trim(_raw_key) || '" in this load: an earlier row (' || file_name(_first_file) || ', line ' || line_of(_first_file, _first_rec) || ') has the same key and was loaded; remove or merge the duplicates'`)} AS reject
  FROM (
    SELECT _file, _rec, _raw_key, row_number() OVER w AS _rn, first_value(_file) OVER w AS _first_file, first_value(_rec) OVER w AS _first_rec
    FROM ${outputTable}
    WHERE _reject IS NULL AND NOT _delete AND ${ownKeyExpr} IN (SELECT ${ownKeyExpr} FROM ${outputTable} WHERE _reject IS NULL AND NOT _delete GROUP BY ALL HAVING count(*) > 1)
    WINDOW w AS (PARTITION BY ${ownKeyExpr} ORDER BY _file, _rec)
  )
  WHERE _rn > 1
) d
WHERE ${outputTable}._file = d._file AND ${outputTable}._rec = d._rec`;
  const countDuplicatesSql = `SELECT count(*) FROM (SELECT 1 FROM ${outputTable} WHERE _reject IS NULL AND NOT _delete GROUP BY ${ownKeyExpr} HAVING count(*) > 1)`;
  return { sql, markDuplicatesSql, countDuplicatesSql, targetColumns: outCols, idColumn: spec.idColumn };
}
