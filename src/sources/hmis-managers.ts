/**
 * Case managers for HMIS enrolments. HMIS CSV has no case-manager field (Enrollment.UserID is
 * whoever last entered or updated the enrolment), so by default HMIS cases get no manager. An
 * agency that keeps the assignment elsewhere gives it as a CSV with the columns
 * `EnrollmentID,UserID` (UserID as in the export's User.csv; further columns are ignored), which is
 * joined onto the enrolments (`ingestHmis({ managers })`, `caselens ingest-hmis --managers FILE`).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Pipeline } from '../ingest/index.ts';
import { ident, lit, type Db } from '../store/index.ts';
import { HmisExportError } from './hmis.ts';

export const MANAGER_COLUMNS = ['EnrollmentID', 'UserID'] as const;

/**
 * Checks the mapping file, keeps the rows whose UserID is a (not deleted) user of User.csv, and
 * returns a copy of the pipeline whose enrolments join it for manager_key. A mapping that gives one
 * enrolment two different users is refused (nothing is loaded). Notes say what was left out.
 */
export async function prepareManagers(db: Db, pipeline: Pipeline, file: string, userFile: string | undefined, work: string, notes: string[]): Promise<Pipeline> {
  const abs = path.resolve(file);
  const shown = path.basename(abs);
  if (!fs.existsSync(abs) || !fs.statSync(abs).isFile()) throw new HmisExportError(`managers file ${file}: not found; give a CSV with the columns EnrollmentID,UserID`);
  const header = (await db.all<{ column_name: string }>(`DESCRIBE SELECT * FROM read_csv(${lit(abs)}, header=true, all_varchar=true)`)).map((r) => r.column_name);
  const pick = (want: string) => header.find((h) => h.trim().toLowerCase() === want.toLowerCase());
  const enr = pick('EnrollmentID');
  const usr = pick('UserID');
  if (!enr || !usr) {
    throw new HmisExportError(
      `managers file ${file}: needs the columns EnrollmentID and UserID (UserID as in the export's User.csv), found ${header.join(', ') || 'none'}; nothing was loaded`,
    );
  }
  await db.run(`
    CREATE OR REPLACE TEMP TABLE _hmis_managers AS
    SELECT DISTINCT nullif(trim(${ident(enr)}), '') AS enrollment_id, nullif(trim(${ident(usr)}), '') AS user_id
    FROM read_csv(${lit(abs)}, header=true, all_varchar=true)
    WHERE nullif(trim(${ident(enr)}), '') IS NOT NULL`);
  try {
    const conflicts = await db.all<{ enrollment_id: string; users: string }>(`
      SELECT enrollment_id, string_agg(user_id, ', ' ORDER BY user_id) AS users FROM _hmis_managers WHERE user_id IS NOT NULL
      GROUP BY 1 HAVING count(*) > 1 ORDER BY 1 LIMIT 5`);
    if (conflicts.length) {
      throw new HmisExportError(
        `managers file ${file}: gives more than one manager for an enrolment (${conflicts.map((c) => `EnrollmentID ${c.enrollment_id}: UserID ${c.users}`).join('; ')}); ` +
          'keep one row per enrolment; nothing was loaded',
      );
    }
    const users = userFile && fs.statSync(userFile).size > 0
      ? `(SELECT DISTINCT trim("UserID") AS user_id FROM read_csv(${lit(userFile)}, header=true, all_varchar=true) WHERE nullif(trim("DateDeleted"), '') IS NULL)`
      : '(SELECT NULL::VARCHAR AS user_id WHERE false)';
    const unknown = await db.one<{ n: number; sample: string | null }>(`
      SELECT count(*) AS n, string_agg(DISTINCT m.user_id, ', ') AS sample FROM _hmis_managers m
      WHERE m.user_id IS NOT NULL AND m.user_id NOT IN (SELECT user_id FROM ${users} WHERE user_id IS NOT NULL)`);
    const out = path.join(work, 'hmis-managers.csv');
    await db.run(`
      COPY (SELECT enrollment_id AS "EnrollmentID", user_id AS "UserID" FROM _hmis_managers
            WHERE user_id IN (SELECT user_id FROM ${users}) ORDER BY 1) TO ${lit(out)} (FORMAT csv, HEADER true)`);
    if (unknown && unknown.n > 0) {
      notes.push(`${shown}: ${unknown.n} row(s) name a UserID that User.csv does not list (${String(unknown.sample).slice(0, 200)}): those enrolments get no manager`);
    }
    const copy: Pipeline = structuredClone(pipeline);
    const enrolments = copy.sources.filter((s) => s.table === 'cases');
    for (const s of enrolments) {
      s.join = [...(s.join ?? []), { path: out, on: 'EnrollmentID', prefix: 'manager_' }];
      s.fields = { ...s.fields, manager_key: { expr: "nullif(trim({{manager_UserID}}), '')" } };
    }
    return copy;
  } finally {
    await db.run('DROP TABLE IF EXISTS _hmis_managers');
  }
}
