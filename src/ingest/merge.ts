import { ident, type Db } from '../store/index.ts';

export interface MergeCounts {
  inserted: number;
  updated: number;
  unchanged: number;
}

/** Rows marked deleted in the source remove their record; returns how many such rows there were. */
export async function applyDeletions(db: Db, checkedTable: string, target: string, idColumn: string): Promise<number> {
  const n = await db.value<number>(`SELECT count(*) FROM ${checkedTable} WHERE _delete`);
  if (n > 0 && target !== 'clients') {
    await db.run(`DELETE FROM ${ident(target)} WHERE ${ident(idColumn)} IN (SELECT ${ident(idColumn)} FROM ${checkedTable} WHERE _delete)`);
  }
  return n;
}

/**
 * Merges the accepted rows of a checked table into its canonical table: new keys are
 * inserted, changed rows updated, identical rows left alone (so a re-run changes nothing).
 * Columns the source does not map are left as they are.
 */
export async function mergeRows(db: Db, checkedTable: string, target: string, idColumn: string, columns: string[]): Promise<MergeCounts> {
  const cols = [idColumn, ...columns.filter((c) => c !== idColumn)];
  const colList = cols.map(ident).join(', ');
  const targetRows = await db.value<number>(`SELECT count(*) FROM ${ident(target)}`);
  if (targetRows === 0) {
    // First load: nothing to compare against.
    await db.run(`INSERT INTO ${ident(target)} (${colList}) SELECT ${cols.map((c) => `c.${ident(c)}`).join(', ')} FROM ${checkedTable} c WHERE c._reject IS NULL AND NOT c._delete`);
    const inserted = await db.value<number>(`SELECT count(*) FROM ${checkedTable} WHERE _reject IS NULL AND NOT _delete`);
    return { inserted, updated: 0, unchanged: 0 };
  }
  const valueCols = cols.slice(1);
  const differs = valueCols.length
    ? valueCols.map((c) => `c.${ident(c)} IS DISTINCT FROM t.${ident(c)}`).join(' OR ')
    : 'false';
  await db.run(`
    CREATE OR REPLACE TEMP TABLE _merge_class AS
    SELECT c.${ident(idColumn)} AS id, t.${ident(idColumn)} IS NULL AS is_new, (t.${ident(idColumn)} IS NOT NULL AND (${differs})) AS is_changed
    FROM ${checkedTable} c LEFT JOIN ${ident(target)} t ON t.${ident(idColumn)} = c.${ident(idColumn)}
    WHERE c._reject IS NULL AND NOT c._delete`);
  const counts = (await db.one<{ inserted: number; updated: number; total: number }>(`
    SELECT count(*) FILTER (WHERE is_new) AS inserted, count(*) FILTER (WHERE is_changed) AS updated, count(*) AS total FROM _merge_class`))!;
  if (counts.inserted > 0) {
    await db.run(`
      INSERT INTO ${ident(target)} (${colList})
      SELECT ${cols.map((c) => `c.${ident(c)}`).join(', ')}
      FROM ${checkedTable} c JOIN _merge_class m ON m.id = c.${ident(idColumn)}
      WHERE c._reject IS NULL AND NOT c._delete AND m.is_new`);
  }
  if (counts.updated > 0 && valueCols.length) {
    await db.run(`
      UPDATE ${ident(target)} SET ${valueCols.map((c) => `${ident(c)} = u.${ident(c)}`).join(', ')}
      FROM (SELECT c.* FROM ${checkedTable} c JOIN _merge_class m ON m.id = c.${ident(idColumn)} WHERE c._reject IS NULL AND NOT c._delete AND m.is_changed) u
      WHERE ${ident(target)}.${ident(idColumn)} = u.${ident(idColumn)}`);
  }
  return { inserted: counts.inserted, updated: counts.updated, unchanged: counts.total - counts.inserted - counts.updated };
}
