import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { listReviews } from '../../src/identity/index.ts';
import { ingest, tempDir, withDb, writeFiles, writePipeline } from '../helpers.ts';

const crmClients = [
  'client_key,first_name,last_name,dob,phone',
  'C1,José,García,1985-05-06,',
  "C2,Zoë,O'Brien,2000-12-31,555-0102",
  'C3,Ana,Lopez,1990-01-02,555-0103',
  'C4,Ana,Lopez,1990-01-02,555-0104',
].join('\n') + '\n';

function crmPipeline(dir: string) {
  return writePipeline(dir, 'crm', {
    system: 'crm',
    sources: [{
      name: 'clients', table: 'clients', path: 'crm.csv', identity: { rules: [{ rule: 'name_dob' }] },
      fields: { client_key: 'client_key', first_name: 'first_name', last_name: 'last_name', dob: 'dob', phone: 'phone' },
    }],
  });
}

describe('persistent client IDs across sources', () => {
  it('links a second source by normalised name + date of birth and records the rule', async () => {
    const dir = tempDir();
    writeFiles(dir, {
      'crm.csv': crmClients,
      // upper case, stray spaces, accents stripped, another date format
      'partner.csv': 'pid,given,family,birth\nR1,  JOSE ,garcia,05/06/1985\nR2,zoe,OBrien,12/31/2000\nR3,New,Person,01/01/1970\n',
    });
    const partner = writePipeline(dir, 'partner', {
      system: 'partner',
      sources: [{
        name: 'referrals', table: 'clients', path: 'partner.csv', identity: { rules: [{ rule: 'name_dob' }] },
        fields: { client_key: 'pid', first_name: 'given', last_name: 'family', dob: { from: 'birth', format: '%m/%d/%Y' }, phone: 'given' },
      }],
    });
    await withDb(path.join(dir, 'db.duckdb'), async (db) => {
      await ingest(db, dir, crmPipeline(dir));
      const report = await ingest(db, dir, partner);
      expect(report.sources[0]!.identity).toEqual({ minted: 1, linked: 2, conflicts: 0 });
      const links = await db.all<{ source_key: string; rule: string; same: boolean }>(`
        SELECT p.source_key, p.rule, p.client_id = c.client_id AS same
        FROM client_identities p LEFT JOIN client_identities c ON c.source_system = 'crm' AND c.source_key = CASE p.source_key WHEN 'R1' THEN 'C1' WHEN 'R2' THEN 'C2' END
        WHERE p.source_system = 'partner' ORDER BY p.source_key`);
      expect(links).toEqual([
        { source_key: 'R1', rule: 'name_dob', same: true },
        { source_key: 'R2', rule: 'name_dob', same: true },
        { source_key: 'R3', rule: 'minted', same: null },
      ]);
      expect(await db.value('SELECT count(*) FROM clients')).toBe(5);
      // a linked source fills gaps but never overwrites the home record
      expect(await db.value("SELECT phone FROM client_pii p JOIN client_identities i USING (client_id) WHERE i.source_key = 'C1'")).toBe('JOSE');
      expect(await db.value("SELECT phone FROM client_pii p JOIN client_identities i USING (client_id) WHERE i.source_key = 'C2'")).toBe('555-0102');
      expect(await db.value("SELECT first_name FROM client_pii p JOIN client_identities i USING (client_id) WHERE i.source_key = 'C1'")).toBe('José');
    });
  });

  it('links by an exact external ID from another system', async () => {
    const dir = tempDir();
    writeFiles(dir, { 'crm.csv': crmClients, 'hmis.csv': 'PersonalID,crm_id,FirstName\n9001,C2,Z\n9002,,Q\n9003,C404,X\n' });
    const hmis = writePipeline(dir, 'hmis', {
      system: 'hmis',
      sources: [{
        name: 'client', table: 'clients', path: 'hmis.csv',
        identity: { rules: [{ rule: 'external_id', from: 'crm_id', system: 'crm' }] },
        fields: { client_key: 'PersonalID', first_name: 'FirstName' },
      }],
    });
    await withDb(path.join(dir, 'db.duckdb'), async (db) => {
      await ingest(db, dir, crmPipeline(dir));
      const report = await ingest(db, dir, hmis);
      expect(report.sources[0]!.identity).toEqual({ minted: 2, linked: 1, conflicts: 0 });
      const link = await db.one<{ rule: string; client_id: string }>("SELECT rule, client_id FROM client_identities WHERE source_system = 'hmis' AND source_key = '9001'");
      expect(link!.rule).toBe('external_id:crm');
      expect(link!.client_id).toBe(await db.value("SELECT client_id FROM client_identities WHERE source_system = 'crm' AND source_key = 'C2'"));
    });
  });

  it('does not merge when rules point to two different existing clients: lists the pair for review', async () => {
    const dir = tempDir();
    // R1 matches C3 and C4 by name+DOB (a duplicate in the home system); R2 matches C1 by external ID but C2 by name+DOB.
    writeFiles(dir, { 'crm.csv': crmClients, 'partner.csv': "pid,crm_id,given,family,birth\nR1,,Ana,Lopez,1990-01-02\nR2,C1,Zoë,O'Brien,2000-12-31\n" });
    const partner = writePipeline(dir, 'partner', {
      system: 'partner',
      sources: [{
        name: 'referrals', table: 'clients', path: 'partner.csv',
        identity: { rules: [{ rule: 'external_id', from: 'crm_id', system: 'crm' }, { rule: 'name_dob' }] },
        fields: { client_key: 'pid', first_name: 'given', last_name: 'family', dob: 'birth' },
      }],
    });
    await withDb(path.join(dir, 'db.duckdb'), async (db) => {
      await ingest(db, dir, crmPipeline(dir));
      const before = await db.all('SELECT * FROM client_identities ORDER BY ALL');
      const report = await ingest(db, dir, partner);
      expect(report.sources[0]!.identity).toEqual({ minted: 0, linked: 0, conflicts: 2 });
      // home records untouched, each partner record got its own provisional client
      expect(await db.all("SELECT * FROM client_identities WHERE source_system = 'crm' ORDER BY ALL")).toEqual(before);
      expect(await db.value('SELECT count(DISTINCT client_id) FROM client_identities')).toBe(6);
      const id = async (k: string) => db.value<string>(`SELECT client_id FROM client_identities WHERE source_system = 'crm' AND source_key = '${k}'`);
      const reviews = await listReviews(db);
      expect(reviews.map((r) => ({ key: r.source_key, candidates: [...r.candidates].sort(), rules: r.rules }))).toEqual([
        { key: 'R1', candidates: [await id('C3'), await id('C4')].sort(), rules: ['name_dob', 'name_dob'] },
        { key: 'R2', candidates: [await id('C1'), await id('C2')].sort(), rules: ['external_id:crm', 'name_dob'] },
      ]);
      // re-running does not change anything or duplicate the reviews
      await ingest(db, dir, partner);
      expect(await listReviews(db)).toHaveLength(2);
    });
  });

  it('keeps every ID when the database is rebuilt from both sources, in the same order', async () => {
    const dir = tempDir();
    writeFiles(dir, { 'crm.csv': crmClients, 'partner.csv': 'pid,given,family,birth\nR1,jose,garcia,1985-05-06\nR9,Only,Partner,1977-07-07\n' });
    const partner = writePipeline(dir, 'partner', {
      system: 'partner',
      sources: [{ name: 'referrals', table: 'clients', path: 'partner.csv', identity: { rules: [{ rule: 'name_dob' }] }, fields: { client_key: 'pid', first_name: 'given', last_name: 'family', dob: 'birth' } }],
    });
    const dbPath = path.join(dir, 'db.duckdb');
    const build = () => withDb(dbPath, async (db) => {
      await ingest(db, dir, crmPipeline(dir));
      await ingest(db, dir, partner);
      return db.all('SELECT source_system, source_key, client_id, rule FROM client_identities ORDER BY ALL');
    });
    const first = await build();
    fs.rmSync(dbPath);
    fs.rmSync(`${dbPath}.wal`, { force: true });
    expect(await build()).toEqual(first);
  });
});
