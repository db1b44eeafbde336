/**
 * Deletions a source asks for (rows matching `deleteWhen`, e.g. HMIS DateDeleted), applied once every
 * source of a load has merged, so that a record and the records hanging off it go together, and no
 * row is ever left pointing at nothing. The policy (docs/ingest.md, "Deletes"):
 *
 * - a deleted **case** takes its services, goals, follow-ups, assessments, surveys and notes with it,
 *   and a deleted note its scores, tags, citations and checks;
 * - a deleted **client** record unlinks that source record from the person and deletes what that
 *   source recorded for them (its cases, with their dependants, and its assessments); when no source
 *   record of the person is left, the person goes entirely: client, personal data, every case,
 *   assessment, survey and note, and open identity reviews;
 * - a deleted **programme or staff member** that cases, services, notes or staff still point at is
 *   not deleted: the row is rejected (`still_referenced`) with how many records point at it.
 */
import { CANONICAL, columnOf, TARGET_TABLES, type RefKind, type TargetTable } from './canonical.ts';
import { ident, lit, type Db } from '../store/index.ts';

/** Tables whose rows belong to one note. */
export const NOTE_DEPENDANTS = ['note_scores', 'note_tags', 'tag_citations', 'tag_checks'] as const;
/** Tables whose rows belong to one case, besides notes. */
const CASE_DEPENDANTS = ['services', 'goals', 'followups', 'assessments', 'surveys'] as const;

const REF_TABLE: Record<RefKind, { table: string; id: string }> = {
  client: { table: 'clients', id: 'client_id' },
  case: { table: 'cases', id: 'case_id' },
  staff: { table: 'staff', id: 'staff_id' },
  program: { table: 'programs', id: 'program_id' },
};

export interface Reference {
  table: string;
  column: string;
  target: string;
  targetColumn: string;
}

/** Every reference between stored rows: the canonical fields that point at another entity, derived client ids, and note dependants. */
export function storedReferences(): Reference[] {
  const refs: Reference[] = [];
  for (const t of TARGET_TABLES) {
    for (const [field, spec] of Object.entries(CANONICAL[t].fields)) {
      if (!spec.ref) continue;
      refs.push({ table: t, column: columnOf(field, spec), target: REF_TABLE[spec.ref].table, targetColumn: REF_TABLE[spec.ref].id });
    }
  }
  // notes and surveys carry their case's client; assessments always have one
  for (const t of ['notes', 'surveys']) refs.push({ table: t, column: 'client_id', target: 'clients', targetColumn: 'client_id' });
  for (const t of ['client_pii', 'client_identities']) refs.push({ table: t, column: 'client_id', target: 'clients', targetColumn: 'client_id' });
  for (const t of NOTE_DEPENDANTS) refs.push({ table: t, column: 'note_id', target: 'notes', targetColumn: 'note_id' });
  return refs;
}

export interface DanglingCount extends Reference {
  rows: number;
}

/** Rows whose reference names a record that does not exist, per reference (only those with any). */
export async function danglingReferences(db: Db): Promise<DanglingCount[]> {
  const refs = storedReferences();
  const sql = refs
    .map((r, i) => `SELECT ${i} AS i, count(*) AS n FROM ${ident(r.table)} x WHERE x.${ident(r.column)} IS NOT NULL AND NOT EXISTS (SELECT 1 FROM ${ident(r.target)} y WHERE y.${ident(r.targetColumn)} = x.${ident(r.column)})`)
    .join(' UNION ALL ');
  const rows = await db.all<{ i: number; n: number }>(sql);
  return rows.filter((r) => r.n > 0).map((r) => ({ ...refs[r.i]!, rows: r.n })).sort((a, b) => `${a.table}.${a.column}`.localeCompare(`${b.table}.${b.column}`));
}

export function describeDangling(d: DanglingCount[]): string {
  return d.map((x) => `${x.rows} ${x.table}.${x.column} pointing at no ${x.target} row`).join('; ');
}

/** The staging table every source of a load adds its deletions to. */
export const PENDING_DELETES = '_pending_deletes';

export async function createPendingDeletes(db: Db): Promise<void> {
  await db.run(`CREATE OR REPLACE TEMP TABLE ${PENDING_DELETES} (source VARCHAR, tbl VARCHAR, system VARCHAR, id VARCHAR, file VARCHAR, line BIGINT, field VARCHAR, value VARCHAR)`);
}

/**
 * Records a source's rows marked deleted (to be applied by `applyPendingDeletes`); returns how many
 * there were. Needs the `file_name` and `line_of` macros of the source being loaded.
 */
export async function stashDeletions(db: Db, checkedTable: string, source: { name: string; table: TargetTable }, system: string, keyField: string): Promise<number> {
  const n = await db.value<number>(`SELECT count(*) FROM ${checkedTable} WHERE _delete`);
  if (n === 0) return 0;
  const spec = CANONICAL[source.table];
  const id = source.table === 'clients' ? 'client_key' : ident(spec.idColumn);
  await db.run(`
    INSERT INTO ${PENDING_DELETES}
    SELECT ${lit(source.name)}, ${lit(source.table)}, ${lit(system)}, ${id}, file_name(_file), line_of(_file, _rec), ${lit(keyField)}, trim(_raw_key)
    FROM ${checkedTable} WHERE _delete AND ${id} IS NOT NULL`);
  return n;
}

export interface DeleteOutcome {
  /** per source: deletions refused because records still point at the row */
  refused: Map<string, number>;
  /** rows removed, per table (dependants included) */
  removed: Record<string, number>;
}

/**
 * Applies the deletions sources have asked for, with their cascades. Called after each source, so
 * that rows of later sources naming a deleted record are rejected as unknown references rather than
 * loaded and then removed (`deferReferenced`: programmes and staff wait), and once more after all of
 * them for programmes and staff. Refused deletions are written to ingest_rejects under `runId`.
 */
export async function applyPendingDeletes(db: Db, runId: number, opts: { deferReferenced: boolean }): Promise<DeleteOutcome> {
  const outcome: DeleteOutcome = { refused: new Map(), removed: {} };
  const count = async (table: string, n: number) => {
    if (n > 0) outcome.removed[table] = (outcome.removed[table] ?? 0) + n;
  };
  const deferred = opts.deferReferenced ? `tbl NOT IN ('programs', 'staff')` : 'true';
  if ((await db.value<number>(`SELECT count(*) FROM ${PENDING_DELETES} WHERE ${deferred}`)) === 0) return outcome;
  const remove = async (table: string, where: string) => {
    const n = await db.value<number>(`SELECT count(*) FROM ${ident(table)} WHERE ${where}`);
    if (n > 0) await db.run(`DELETE FROM ${ident(table)} WHERE ${where}`);
    await count(table, n);
  };

  // Client records: unlink, delete what their system recorded, and remove people no source holds any more.
  await db.run(`
    CREATE OR REPLACE TEMP TABLE _del_client_records AS
    SELECT DISTINCT p.system, p.id AS source_key, i.client_id FROM ${PENDING_DELETES} p
    JOIN client_identities i ON i.source_system = p.system AND i.source_key = p.id WHERE p.tbl = 'clients'`);
  const isDeletedRecord = `source_system || chr(31) || source_key IN (SELECT system || chr(31) || source_key FROM _del_client_records)`;
  await remove('identity_reviews', isDeletedRecord);
  await remove('client_identities', isDeletedRecord);
  await db.run(`
    CREATE OR REPLACE TEMP TABLE _del_cases AS
    SELECT c.case_id FROM cases c JOIN _del_client_records d ON d.client_id = c.client_id AND starts_with(c.case_id, d.system || ':')
    UNION SELECT id FROM ${PENDING_DELETES} WHERE tbl = 'cases'`);
  await remove('assessments', `assessment_id IN (SELECT a.assessment_id FROM assessments a JOIN _del_client_records d ON d.client_id = a.client_id AND starts_with(a.assessment_id, d.system || ':'))`);
  await db.run(`
    CREATE OR REPLACE TEMP TABLE _del_clients AS
    SELECT DISTINCT d.client_id FROM _del_client_records d WHERE NOT EXISTS (SELECT 1 FROM client_identities i WHERE i.client_id = d.client_id)`);
  await db.run(`INSERT INTO _del_cases SELECT case_id FROM cases WHERE client_id IN (SELECT client_id FROM _del_clients)`);
  await deleteCases(db, remove);
  for (const t of ['assessments', 'surveys']) await remove(t, `client_id IN (SELECT client_id FROM _del_clients)`);
  await deleteNotes(db, `client_id IN (SELECT client_id FROM _del_clients)`, remove);
  await remove('identity_reviews', `client_id IN (SELECT client_id FROM _del_clients)`);
  await remove('client_pii', `client_id IN (SELECT client_id FROM _del_clients)`);
  await remove('clients', `client_id IN (SELECT client_id FROM _del_clients)`);

  // Records hanging off cases, by their own key.
  for (const t of CASE_DEPENDANTS) {
    await remove(t, `${ident(CANONICAL[t].idColumn)} IN (SELECT id FROM ${PENDING_DELETES} WHERE tbl = ${lit(t)})`);
  }
  await deleteNotes(db, `note_id IN (SELECT id FROM ${PENDING_DELETES} WHERE tbl = 'notes')`, remove);

  // Programmes and staff: deleted only when nothing points at them any more, so after every other source.
  for (const t of opts.deferReferenced ? [] : (['staff', 'programs'] as const)) {
    const idCol = CANONICAL[t].idColumn;
    const users = storedReferences().filter((r) => r.target === t);
    const referenced = users.map((r) => `(SELECT count(*) FROM ${ident(r.table)} x WHERE x.${ident(r.column)} = p.id${r.table === t ? ` AND x.${ident(idCol)} NOT IN (SELECT id FROM ${PENDING_DELETES} WHERE tbl = ${lit(t)})` : ''})`);
    await db.run(`
      CREATE OR REPLACE TEMP TABLE _del_refused AS
      SELECT p.*, ${referenced.join(' + ')} AS users FROM ${PENDING_DELETES} p WHERE p.tbl = ${lit(t)}`);
    const noun = t === 'staff' ? 'staff member' : 'programme';
    await db.run(`
      INSERT INTO ingest_rejects
      SELECT ${runId}, source, file, line, field, value, 'still_referenced',
             ${lit(`the source deletes this ${noun}, but `)} || users || ${lit(' stored record(s) (cases, services, notes or staff) still point at it: it was kept; delete or move those records first')}
      FROM _del_refused WHERE users > 0`);
    for (const r of await db.all<{ source: string; n: number }>(`SELECT source, count(*) AS n FROM _del_refused WHERE users > 0 GROUP BY source`)) {
      outcome.refused.set(r.source, (outcome.refused.get(r.source) ?? 0) + r.n);
    }
    await remove(t, `${ident(idCol)} IN (SELECT id FROM _del_refused WHERE users = 0)`);
  }
  for (const t of ['_del_client_records', '_del_cases', '_del_clients', '_del_refused']) await db.run(`DROP TABLE IF EXISTS ${t}`);
  await db.run(`DELETE FROM ${PENDING_DELETES} WHERE ${deferred}`);
  return outcome;
}

type Remove = (table: string, where: string) => Promise<void>;

/** Deletes the cases listed in _del_cases with everything that hangs off them. */
async function deleteCases(db: Db, remove: Remove): Promise<void> {
  if ((await db.value<number>('SELECT count(*) FROM _del_cases')) === 0) return;
  for (const t of CASE_DEPENDANTS) await remove(t, `case_id IN (SELECT case_id FROM _del_cases)`);
  await deleteNotes(db, `case_id IN (SELECT case_id FROM _del_cases)`, remove);
  await remove('cases', `case_id IN (SELECT case_id FROM _del_cases)`);
  await db.run('DELETE FROM _del_cases');
}

async function deleteNotes(db: Db, where: string, remove: Remove): Promise<void> {
  await db.run(`CREATE OR REPLACE TEMP TABLE _del_notes AS SELECT note_id FROM notes WHERE ${where}`);
  if ((await db.value<number>('SELECT count(*) FROM _del_notes')) > 0) {
    for (const t of NOTE_DEPENDANTS) await remove(t, `note_id IN (SELECT note_id FROM _del_notes)`);
    await remove('notes', `note_id IN (SELECT note_id FROM _del_notes)`);
  }
  await db.run('DROP TABLE _del_notes');
}
