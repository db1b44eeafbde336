import { CaselensError, exitCodes } from '../errors.ts';
import { ident, lit, type Db } from '../store/index.ts';
import type { IdentityRule } from '../ingest/pipeline.ts';
import { checkIdentityKey } from './key.ts';

export const CLIENT_COLUMNS = ['gender', 'race_ethnicity', 'veteran'] as const;
export const PII_COLUMNS = ['first_name', 'last_name', 'dob', 'phone', 'email', 'address', 'national_id'] as const;

export interface ResolveInput {
  /** checked table of a clients source (see validate.ts) */
  checkedTable: string;
  system: string;
  rules: IdentityRule[];
  /** canonical columns the source maps */
  mappedColumns: string[];
  runId: number;
  identityKey: string;
}

export interface ResolveCounts {
  inserted: number;
  updated: number;
  unchanged: number;
  minted: number;
  linked: number;
  conflicts: number;
}

/**
 * SQL for a minted client ID: a keyed SHA-256 of (system, source key), 64 bits, hex.
 * Deterministic for the same key and record, so a rebuilt database gets the same IDs, and
 * not reversible to the source key or any personal data without the identity key.
 */
export function mintSql(identityKey: string, system: string, keyExpr: string): string {
  return `('CL-' || upper(substr(sha256(${lit(identityKey)} || chr(31) || ${lit(system)} || chr(31) || ${keyExpr}), 1, 16)))`;
}

/**
 * Gives every accepted row of a clients source a client_id: the one it already has, the one
 * a configured rule points to, or a newly minted one. When rules point at more than one
 * existing client, the record gets its own new ID and goes to identity_reviews: never merged.
 */
export async function resolveClients(db: Db, input: ResolveInput): Promise<ResolveCounts> {
  const { checkedTable, system, rules, runId } = input;
  // the database is bound to the key its IDs were minted with; a first load records it (in the load's transaction)
  await checkIdentityKey(db, input.identityKey, { record: true });
  await db.run(`
    CREATE OR REPLACE TEMP TABLE _idr AS
    SELECT c.*, ci.client_id AS _existing_id, ci.rule AS _existing_rule
    FROM ${checkedTable} c
    LEFT JOIN client_identities ci ON ci.source_system = ${lit(system)} AND ci.source_key = c.client_key
    WHERE c._reject IS NULL AND NOT c._delete`);

  const candidateQueries = rules.map((r, i) => {
    if (r.rule === 'external_id') {
      return `SELECT i.client_key, x.client_id, ${lit(`external_id:${r.system}`)} AS rule, ${i} AS prio
        FROM _idr i JOIN client_identities x ON x.source_system = ${lit(r.system)} AND x.source_key = i._ext_${i}
        WHERE i._existing_id IS NULL`;
    }
    return `SELECT i.client_key, p.client_id, 'name_dob' AS rule, ${i} AS prio
      FROM _idr i JOIN client_pii p ON p.name_dob_key = i._name_dob_key
      WHERE i._existing_id IS NULL AND i._name_dob_key IS NOT NULL`;
  });
  const candidates = candidateQueries.length
    ? candidateQueries.join('\nUNION ALL\n')
    : 'SELECT NULL::VARCHAR AS client_key, NULL::VARCHAR AS client_id, NULL::VARCHAR AS rule, 0 AS prio WHERE false';

  await db.run(`
    CREATE OR REPLACE TEMP TABLE _decision AS
    WITH cand AS (${candidates}),
    agg AS (
      SELECT client_key, count(DISTINCT client_id) AS n, min(client_id) AS only_id, arg_min(rule, prio) AS rule,
             list(client_id ORDER BY prio, client_id) AS cands, list(rule ORDER BY prio, client_id) AS rules
      FROM cand GROUP BY client_key
    )
    SELECT i.client_key,
      CASE WHEN i._existing_id IS NOT NULL THEN i._existing_id
           WHEN agg.n = 1 THEN agg.only_id
           ELSE ${mintSql(input.identityKey, system, 'i.client_key')} END AS client_id,
      CASE WHEN i._existing_id IS NOT NULL THEN 'existing'
           WHEN agg.n = 1 THEN agg.rule
           WHEN agg.n > 1 THEN 'conflict'
           ELSE 'minted' END AS how,
      -- the source that minted a client keeps its record up to date; linked sources only fill gaps
      coalesce(i._existing_rule IN ('minted', 'conflict'), i._existing_id IS NULL AND coalesce(agg.n, 0) <> 1) AS home,
      agg.cands, agg.rules
    FROM _idr i LEFT JOIN agg USING (client_key)`);

  const collisions = await db.value<number>(`
    SELECT count(*) FROM _decision d JOIN clients c USING (client_id) WHERE d.how IN ('minted', 'conflict')`);
  const dupMints = await db.value<number>(`
    SELECT count(*) - count(DISTINCT client_id) FROM _decision WHERE how IN ('minted', 'conflict')`);
  if (collisions || dupMints) {
    throw new CaselensError(
      `identity: ${collisions + dupMints} newly minted client ID(s) already exist; the database and its identity key (identity.keyFile) do not belong together. Restore the key file that was used with this database`,
      { exitCode: exitCodes.database },
    );
  }

  const mapped = new Set(input.mappedColumns);
  const clientCols = CLIENT_COLUMNS.filter((c) => mapped.has(c));
  const piiCols = PII_COLUMNS.filter((c) => mapped.has(c));
  const withBirthYear = mapped.has('dob');
  const clientVals = [...clientCols.map((c) => `i.${ident(c)}`), ...(withBirthYear ? ['year(i.dob)::INTEGER'] : [])];
  const clientTargets = [...clientCols, ...(withBirthYear ? ['birth_year'] : [])];
  const piiVals = [...piiCols.map((c) => `i.${ident(c)}`), 'i._name_dob_key'];
  const piiTargets = [...piiCols, 'name_dob_key'];

  await db.run(`
    INSERT INTO clients (client_id, ${[...clientTargets, 'first_seen_at'].map(ident).join(', ')})
    SELECT d.client_id, ${[...clientVals, 'now()::TIMESTAMP'].join(', ')}
    FROM _decision d JOIN _idr i USING (client_key) WHERE d.how IN ('minted', 'conflict')`);
  await db.run(`
    INSERT INTO client_pii (client_id, ${piiTargets.map(ident).join(', ')})
    SELECT d.client_id, ${piiVals.join(', ')}
    FROM _decision d JOIN _idr i USING (client_key) WHERE d.how IN ('minted', 'conflict')`);
  await db.run(`
    INSERT INTO client_identities
    SELECT ${lit(system)}, client_key, client_id, how, now()::TIMESTAMP, ${runId}
    FROM _decision WHERE how <> 'existing'`);
  await db.run(`
    INSERT INTO identity_reviews (source_system, source_key, client_id, candidates, rules, detected_at, run_id, status)
    SELECT ${lit(system)}, client_key, client_id, cands, rules, now()::TIMESTAMP, ${runId}, 'open'
    FROM _decision WHERE how = 'conflict'
    ON CONFLICT DO NOTHING`);

  // Updates to clients that already existed: the home source overwrites, linked sources fill gaps.
  const updateCounts = await updateExisting(db, clientTargets, clientVals, piiTargets, piiVals);

  const counts = await db.one<{ inserted: number; minted: number; linked: number; conflicts: number; total: number }>(`
    SELECT count(*) FILTER (WHERE how <> 'existing') AS inserted,
           count(*) FILTER (WHERE how = 'minted') AS minted,
           count(*) FILTER (WHERE how NOT IN ('existing', 'minted', 'conflict')) AS linked,
           count(*) FILTER (WHERE how = 'conflict') AS conflicts,
           count(*) AS total
    FROM _decision`);
  const c = counts!;
  const existingCount = c.total - c.inserted;
  return {
    inserted: c.inserted,
    updated: updateCounts,
    unchanged: existingCount - Math.min(existingCount, updateCounts),
    minted: c.minted,
    linked: c.linked,
    conflicts: c.conflicts,
  };
}

async function updateExisting(db: Db, clientTargets: string[], clientVals: string[], piiTargets: string[], piiVals: string[]): Promise<number> {
  const all = [...clientTargets.map((t, i) => ({ t, v: clientVals[i]!, table: 'clients' })), ...piiTargets.filter((t) => t !== 'name_dob_key').map((t, i) => ({ t, v: piiVals[i]!, table: 'client_pii' }))];
  if (all.length === 0) return 0;
  const newCols = all.map((c) => `${c.v} AS ${ident('n_' + c.t)}`).join(', ');
  const curCols = all.map((c) => `${c.table === 'clients' ? 'cl' : 'p'}.${ident(c.t)} AS ${ident('o_' + c.t)}`).join(', ');
  await db.run(`
    CREATE OR REPLACE TEMP TABLE _upd AS
    SELECT d.client_id, d.home, i._name_dob_key AS n_name_dob_key, ${newCols}, ${curCols}
    FROM _decision d JOIN _idr i USING (client_key)
    JOIN clients cl ON cl.client_id = d.client_id
    LEFT JOIN client_pii p ON p.client_id = d.client_id
    WHERE d.how NOT IN ('minted', 'conflict')
    QUALIFY row_number() OVER (PARTITION BY d.client_id ORDER BY d.home DESC, d.client_key) = 1`);
  const differs = all.map((c) => `n_${c.t} IS DISTINCT FROM o_${c.t}`).join(' OR ');
  const fills = all.map((c) => `(o_${c.t} IS NULL AND n_${c.t} IS NOT NULL)`).join(' OR ');
  await db.run(`CREATE OR REPLACE TEMP TABLE _upd2 AS SELECT * FROM _upd WHERE (home AND (${differs})) OR (NOT home AND (${fills}))`);
  const n = await db.value<number>('SELECT count(*) FROM _upd2');
  if (n === 0) return 0;
  for (const table of ['clients', 'client_pii'] as const) {
    const cols = all.filter((c) => c.table === table);
    if (cols.length === 0) continue;
    const sets = cols.map((c) => `${ident(c.t)} = CASE WHEN u.home THEN u.n_${c.t} ELSE coalesce(${table}.${ident(c.t)}, u.n_${c.t}) END`);
    if (table === 'client_pii') sets.push(`name_dob_key = CASE WHEN u.home THEN u.n_name_dob_key ELSE coalesce(client_pii.name_dob_key, u.n_name_dob_key) END`);
    await db.run(`UPDATE ${table} SET ${sets.join(', ')} FROM _upd2 u WHERE ${table}.client_id = u.client_id`);
  }
  return n;
}
