/**
 * Derived data kept in the database (the KPI facts, src/kpi/facts.ts) is rebuilt from the
 * canonical tables. Every writer of those tables marks it stale inside its own transaction, so
 * a committed change and the mark land together and a crash leaves neither.
 */
import type { Db } from './db.ts';

export async function markFactsStale(db: Db): Promise<void> {
  await db.run('UPDATE kpi_facts_state SET stale = true WHERE id = 1 AND NOT stale', undefined, 'could not mark the KPI facts stale');
}
