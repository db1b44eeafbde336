import { ident, type Db } from '../store/index.ts';

export interface MergeCounts {
  inserted: number;
  updated: number;
  unchanged: number;
}

/**
 * Merges the accepted rows of a checked table into its canonical table: new keys are
 * inserted, changed rows updated, identical rows left alone (so a re-run changes nothing).
 * Columns the source does not map, and `keepExisting` columns of records already there, are left as they are.
 */
export async function mergeRows(db: Db, checkedTable: string, target: string, idColumn: string, columns: string[], keepExisting: readonly string[] = []): Promise<MergeCounts> {
  const cols = [idColumn, ...columns.filter((c) => c !== idColumn)];
  const colList = cols.map(ident).join(', ');
  const targetRows = await db.value<number>(`SELECT count(*) FROM ${ident(target)}`);
  if (targetRows === 0) {
    // First load: nothing to compare against.
    await db.run(`INSERT INTO ${ident(target)} (${colList}) SELECT ${cols.map((c) => `c.${ident(c)}`).join(', ')} FROM ${checkedTable} c WHERE c._reject IS NULL AND NOT c._delete`);
    const inserted = await db.value<number>(`SELECT count(*) FROM ${checkedTable} WHERE _reject IS NULL AND NOT _delete`);
    return { inserted, updated: 0, unchanged: 0 };
  }
  // Columns kept on existing records are neither compared nor written (new records still get them).
  const valueCols = cols.slice(1).filter((c) => !keepExisting.includes(c));
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
