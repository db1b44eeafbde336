import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import YAML from 'yaml';
import { loadPipeline, runPipeline, type IngestReport } from '../src/ingest/index.ts';
import { openStore, type Db } from '../src/store/index.ts';

export const TEST_IDENTITY_KEY = '5eed'.repeat(16);

export function tempDir(prefix = 'caselens-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export function writeFiles(dir: string, files: Record<string, string | Buffer>): void {
  for (const [name, content] of Object.entries(files)) {
    const p = path.join(dir, name);
    fs.mkdirSync(path.dirname(p), { recursive: true });
    fs.writeFileSync(p, content);
  }
}

export function writePipeline(dir: string, name: string, doc: unknown): string {
  const file = path.join(dir, `${name}.yaml`);
  fs.writeFileSync(file, YAML.stringify(doc));
  return file;
}

export async function ingest(db: Db, dir: string, pipelineFile: string, opts: { rejectLimit?: number } = {}): Promise<IngestReport> {
  const pipeline = loadPipeline(pipelineFile, { baseDir: dir });
  return runPipeline({ db, pipeline, identityKey: TEST_IDENTITY_KEY, rejectLimit: opts.rejectLimit ?? 0.05 });
}

export async function withDb<T>(dbPath: string, fn: (db: Db) => Promise<T>): Promise<T> {
  const db = await openStore(dbPath);
  try {
    return await fn(db);
  } finally {
    db.close();
  }
}

/** A small, clean programme export: 3 clients, 4 cases, notes, goals, services and more. */
export const CLEAN = {
  'programs.csv': 'program_key,name,program_type\nP1,Rapid Rehousing,housing\nP2,Job Start,workforce\n',
  'staff.csv': 'staff_key,name,role,supervisor_key,capacity\nS1,Sam Super,supervisor,,\nS2,Maya Manager,manager,S1,25\nS3,Omar Manager,manager,S1,20\n',
  'clients.csv': [
    'client_key,first_name,last_name,dob,gender,phone',
    'C1,Ana,López,1990-01-02,female,555-0101',
    'C2,José,García,1985-05-06,male,555-0102',
    "C3,Zoë,O'Brien,2000-12-31,female,",
  ].join('\n') + '\n',
  'cases.csv': [
    'case_key,client_key,program_key,manager_key,opened,closed,reason',
    'K1,C1,P1,S2,2024-01-01,2024-02-01,goals_met',
    'K2,C2,P1,S2,2024-03-01,,',
    'K3,C3,P2,S3,2024-05-01,2024-05-01,moved_away',
    'K4,C1,P2,,2024-06-01,,',
  ].join('\n') + '\n',
  'goals.csv': 'goal_key,case_key,domain,set_on,status,achieved_on\nG1,K1,housing,2024-01-02,achieved,2024-01-30\nG2,K2,income,2024-03-02,active,\n',
  'services.csv': 'service_key,case_key,scheduled,delivered,status,planned,delivered_units\nV1,K1,01/05/2024 10:00,01/05/2024 10:05,delivered,1,1\nV2,K2,03/05/2024 09:00,,no_show,1,0\n',
  'followups.csv': 'followup_key,case_key,due_on,completed_on\nF1,K1,2024-03-01,2024-03-02\nF2,K3,2024-06-01,\n',
  'assessments.csv': 'assessment_key,client_key,case_key,instrument,administered_on,timepoint,total,items\nA1,C1,K1,phq9,2024-01-03,baseline,14,"[2,2,2,2,2,1,1,1,1]"\nA2,,K1,phq9,2024-01-31,exit,6,\n',
  'surveys.csv': 'survey_key,case_key,responded_on,satisfaction,recommend\nQ1,K1,2024-02-01,5,yes\n',
  'notes.csv': [
    'note_key,case_key,author_key,written_at,text',
    'N1,K1,S2,2024-01-05 10:00:00,"Client signed a lease.\nMoved in on Friday 🎉"',
    'N2,K2,S2,2024-03-02 09:00:00,Denies any substance use.',
    'N3,K3,S3,2024-05-01 15:30:00,"Closed same day, client moved to ""another"" county."',
  ].join('\n') + '\n',
};

export function cleanPipeline(overrides: Partial<Record<string, unknown>> = {}): Record<string, unknown> {
  return {
    id: 'crm',
    system: 'crm',
    sources: [
      { name: 'programs', table: 'programs', path: 'programs.csv', fields: { program_key: 'program_key', name: 'name', program_type: 'program_type' } },
      { name: 'staff', table: 'staff', path: 'staff.csv', fields: { staff_key: 'staff_key', name: 'name', role: 'role', supervisor_key: 'supervisor_key', caseload_capacity: 'capacity' } },
      {
        name: 'clients', table: 'clients', path: 'clients.csv', identity: { rules: [{ rule: 'name_dob' }] },
        fields: { client_key: 'client_key', first_name: 'first_name', last_name: 'last_name', dob: 'dob', gender: 'gender', phone: 'phone' },
      },
      {
        name: 'cases', table: 'cases', path: 'cases.csv',
        fields: { case_key: 'case_key', client_key: 'client_key', program_key: 'program_key', manager_key: 'manager_key', opened_at: 'opened', closed_at: 'closed', closure_reason: 'reason' },
      },
      { name: 'goals', table: 'goals', path: 'goals.csv', fields: { goal_key: 'goal_key', case_key: 'case_key', domain_id: 'domain', set_at: 'set_on', status: 'status', achieved_at: 'achieved_on' } },
      {
        name: 'services', table: 'services', path: 'services.csv',
        fields: {
          service_key: 'service_key', case_key: 'case_key', scheduled_at: { from: 'scheduled', format: '%m/%d/%Y %H:%M' },
          delivered_at: { from: 'delivered', format: '%m/%d/%Y %H:%M' }, status: 'status', units_planned: 'planned', units_delivered: 'delivered_units',
        },
      },
      { name: 'followups', table: 'followups', path: 'followups.csv', fields: { followup_key: 'followup_key', case_key: 'case_key', due_at: 'due_on', completed_at: 'completed_on' } },
      {
        name: 'assessments', table: 'assessments', path: 'assessments.csv',
        fields: { assessment_key: 'assessment_key', client_key: 'client_key', case_key: 'case_key', instrument_id: 'instrument', administered_at: 'administered_on', timepoint: 'timepoint', total_score: 'total', items: 'items' },
      },
      { name: 'surveys', table: 'surveys', path: 'surveys.csv', fields: { survey_key: 'survey_key', case_key: 'case_key', responded_at: 'responded_on', satisfaction: 'satisfaction', would_recommend: 'recommend' } },
      { name: 'notes', table: 'notes', path: 'notes.csv', fields: { note_key: 'note_key', case_key: 'case_key', author_key: 'author_key', written_at: 'written_at', text: 'text' } },
    ],
    ...overrides,
  };
}

export async function tableCounts(db: Db): Promise<Record<string, number>> {
  const tables = ['programs', 'staff', 'clients', 'client_pii', 'client_identities', 'cases', 'goals', 'services', 'followups', 'assessments', 'surveys', 'notes'];
  const out: Record<string, number> = {};
  for (const t of tables) out[t] = await db.value<number>(`SELECT count(*) FROM ${t}`);
  return out;
}

/** Every canonical row, for comparing whole database states. */
export async function snapshot(db: Db): Promise<string> {
  const tables = ['programs', 'staff', 'clients', 'client_pii', 'client_identities', 'cases', 'goals', 'services', 'followups', 'assessments', 'surveys', 'notes', 'identity_reviews'];
  const parts: string[] = [];
  for (const t of tables) {
    const cols = (await db.all<{ column_name: string }>(`SELECT column_name FROM information_schema.columns WHERE table_name = $1 ORDER BY ordinal_position`, [t]))
      .map((c) => c.column_name)
      .filter((c) => !['first_seen_at', 'linked_at', 'detected_at', 'run_id'].includes(c));
    const rows = await db.all(`SELECT ${cols.map((c) => `"${c}"`).join(', ')} FROM ${t} ORDER BY ALL`);
    parts.push(`${t}: ${JSON.stringify(rows)}`);
  }
  return parts.join('\n');
}
