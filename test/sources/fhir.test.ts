/**
 * FHIR R4 → caselens: a hand-written Bundle and bulk-export NDJSON (every mapping, deletes,
 * rejects pointed back at the Bundle entry or NDJSON line, unknown types skipped), the same person
 * from HMIS and FHIR linked by name + date of birth, and Synthea's PHR exemplars (PHQ-9 / GAD-7
 * series and notes as in the bundles).
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runKpi } from '../../src/kpi/index.ts';
import { FhirInputError, ingestFhir, ingestHmis, type FhirIngestResult } from '../../src/sources/index.ts';
import { openStore, type Db } from '../../src/store/index.ts';
import { tempDir, TEST_IDENTITY_KEY } from '../helpers.ts';
import { EXAMPLE, expectCountsAddUp, sharedDir } from './helpers.ts';

const SYNTHEA = sharedDir('fhir/synthea-phr-exemplars');

const loadFhir = (db: Db, inputs: string[], root: string): Promise<FhirIngestResult> =>
  ingestFhir({ db, inputs, identityKey: TEST_IDENTITY_KEY, rejectLimit: 0.2, displayRoot: root });

const MEASURES = { change: { measures: { phq9: { reliableChange: 6, direction: 'higher_is_worse' as const }, gad7: { reliableChange: 4, direction: 'higher_is_worse' as const } } } };

const loinc = (code: string, display = code) => ({ coding: [{ system: 'http://loinc.org', code, display }] });
const answer = (code: string) => ({ valueCoding: { system: 'http://loinc.org', code } });
const entry = (resource: Record<string, unknown>) => ({ fullUrl: `urn:uuid:${resource.id as string}`, resource, request: { method: 'POST', url: resource.resourceType } });

/** A small transaction Bundle exercising every resource type caselens reads. */
function bundle(): Record<string, unknown> {
  const phqItems = ['44250-9', '44255-8', '44259-0', '44254-1', '44251-7', '44258-2', '44252-5', '44253-3', '44260-8'];
  const itemScores = [1, 1, 1, 1, 1, 1, 1, 1, 1]; // = 9
  const laFor = ['LA6568-5', 'LA6569-3', 'LA6570-1', 'LA6571-9'];
  const resources: Array<Record<string, unknown>> = [
    {
      resourceType: 'Patient', id: 'p1', name: [{ use: 'official', family: 'López', given: ['Ana'] }], birthDate: '1990-01-02', gender: 'female',
      telecom: [{ system: 'phone', value: '555-0101' }], identifier: [{ system: 'http://hl7.org/fhir/sid/us-ssn', value: '999-12-3456' }],
    },
    { resourceType: 'Patient', id: 'p2', name: [{ family: 'Bad', given: ['Date'] }], birthDate: '1990-13-45', gender: 'male' },
    { resourceType: 'Practitioner', id: 'pr1', name: [{ family: 'Reyes', given: ['Dana'], prefix: ['Dr.'] }] },
    { resourceType: 'Organization', id: 'o1', name: 'Harbor Behavioral Health' },
    {
      resourceType: 'EpisodeOfCare', id: 'e1', status: 'finished', patient: { reference: 'urn:uuid:p1' }, type: [{ text: 'Outpatient therapy' }],
      period: { start: '2024-01-01', end: '2024-04-30' }, managingOrganization: { reference: 'urn:uuid:o1' }, careManager: { reference: 'urn:uuid:pr1' },
    },
    {
      resourceType: 'Encounter', id: 'enc1', status: 'finished', class: { code: 'AMB' }, type: [{ text: 'Intake assessment' }], subject: { reference: 'urn:uuid:p1' },
      episodeOfCare: [{ reference: 'urn:uuid:e1' }], participant: [{ individual: { reference: 'urn:uuid:pr1' } }], period: { start: '2024-01-03T09:30:00-05:00' },
    },
    { resourceType: 'Encounter', id: 'enc2', status: 'finished', class: { code: 'AMB' }, type: [{ text: 'Therapy session' }], subject: { reference: 'urn:uuid:p1' }, period: { start: '2024-03-01T10:00:00-05:00' } },
    { resourceType: 'Encounter', id: 'enc3', status: 'planned', class: { code: 'AMB' }, subject: { reference: 'urn:uuid:p1' }, period: { start: '2024-04-10T10:00:00-05:00' } },
    // PHQ-9 total 18 at intake
    { resourceType: 'Observation', id: 'o-phq-1', status: 'final', code: loinc('44261-6'), subject: { reference: 'urn:uuid:p1' }, encounter: { reference: 'urn:uuid:enc1' }, effectiveDateTime: '2024-01-03T09:45:00-05:00', valueQuantity: { value: 18 } },
    // PHQ-9 panel with its nine item observations, no total given: the items add up to 9
    {
      resourceType: 'Observation', id: 'o-phq-2', status: 'final', code: loinc('44249-1'), subject: { reference: 'urn:uuid:p1' }, encounter: { reference: 'urn:uuid:enc2' },
      effectiveDateTime: '2024-03-01T10:10:00-05:00', hasMember: phqItems.map((c) => ({ reference: `urn:uuid:item-${c}` })),
    },
    ...phqItems.map((c, i) => ({ resourceType: 'Observation', id: `item-${c}`, status: 'final', code: loinc(c), subject: { reference: 'urn:uuid:p1' }, effectiveDateTime: '2024-03-01', valueCodeableConcept: { coding: [{ system: 'http://loinc.org', code: laFor[itemScores[i]!] }] } })),
    // GAD-7 as a QuestionnaireResponse (items only: 2+2+2+2+2+1+1 = 12), then a total of 5
    {
      resourceType: 'QuestionnaireResponse', id: 'qr-gad-1', status: 'completed', questionnaire: 'http://loinc.org/q/69737-5', subject: { reference: 'urn:uuid:p1' }, authored: '2024-01-03T09:50:00-05:00',
      encounter: { reference: 'urn:uuid:enc1' },
      item: ['69725-0', '68509-9', '69733-4', '69734-2', '69735-9', '69689-8', '69736-7'].map((c, i) => ({ linkId: c, answer: [answer(i < 5 ? 'LA6570-1' : 'LA6569-3')] })),
    },
    { resourceType: 'Observation', id: 'o-gad-2', status: 'final', code: loinc('70274-6'), subject: { reference: 'urn:uuid:p1' }, effectiveDateTime: '2024-04-20', valueInteger: 5 },
    // a PHQ-9 recorded in error: removes its record
    { resourceType: 'Observation', id: 'o-phq-err', status: 'entered-in-error', code: loinc('44261-6'), subject: { reference: 'urn:uuid:p1' }, effectiveDateTime: '2024-02-01', valueQuantity: { value: 27 } },
    // a vital sign: not a measure caselens reads
    { resourceType: 'Observation', id: 'o-bp', status: 'final', code: loinc('85354-9'), subject: { reference: 'urn:uuid:p1' }, effectiveDateTime: '2024-01-03' },
    {
      resourceType: 'DocumentReference', id: 'doc1', status: 'current', type: { coding: [{ system: 'http://loinc.org', code: '11506-3', display: 'Progress note' }] },
      subject: { reference: 'urn:uuid:p1' }, date: '2024-03-01T11:00:00-05:00', author: [{ reference: 'urn:uuid:pr1' }], context: { encounter: [{ reference: 'urn:uuid:enc2' }] },
      content: [{ attachment: { contentType: 'text/plain; charset=utf-8', data: Buffer.from('Client reports sleeping better. 🙂\nNext visit in two weeks.', 'utf8').toString('base64') } }],
    },
    { resourceType: 'DocumentReference', id: 'doc2', status: 'current', subject: { reference: 'urn:uuid:p1' }, date: '2024-03-02', content: [{ attachment: { contentType: 'application/pdf', url: 'http://example.org/x.pdf' } }] },
    {
      resourceType: 'Goal', id: 'g1', lifecycleStatus: 'completed', achievementStatus: { coding: [{ code: 'achieved' }] }, description: { text: 'Sleep through the night' },
      subject: { reference: 'urn:uuid:p1' }, startDate: '2024-01-05', statusDate: '2024-03-10', target: [{ dueDate: '2024-04-01' }],
    },
    { resourceType: 'Claim', id: 'c1', status: 'active' },
    { resourceType: 'Condition', id: 'cond1', subject: { reference: 'urn:uuid:p1' } },
  ];
  return {
    resourceType: 'Bundle', type: 'transaction',
    entry: [...resources.map(entry), { fullUrl: 'urn:uuid:noid', resource: { resourceType: 'Observation', status: 'final', code: loinc('70274-6'), valueInteger: 3 }, request: { method: 'POST', url: 'Observation' } }],
  };
}

describe('FHIR R4: a Bundle and bulk NDJSON', () => {
  it('maps every resource type, keeps rejects pointing at the original entry or line, skips and counts the rest, and re-loads without change', async () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'bundle.json'), JSON.stringify(bundle(), null, 1));
    fs.mkdirSync(path.join(dir, 'bulk'));
    fs.writeFileSync(path.join(dir, 'bulk', 'Patient.ndjson'), [
      JSON.stringify({ resourceType: 'Patient', id: 'p3', name: [{ family: 'Park', given: ['Eli'] }], birthDate: '1999-12-12' }),
      '{"resourceType": "Patient", "id": "p4", ',
      '',
    ].join('\n'));
    fs.writeFileSync(path.join(dir, 'bulk', 'Encounter.ndjson'), JSON.stringify({ resourceType: 'Encounter', id: 'enc9', status: 'finished', class: { code: 'VR' }, subject: { reference: 'Patient/p3' }, period: { start: '2024-05-05T08:00:00Z' } }) + '\n');
    const db = await openStore(path.join(dir, 'db.duckdb'));
    try {
      const r = await loadFhir(db, [path.join(dir, 'bundle.json'), path.join(dir, 'bulk')], dir);
      expect(r.report.status).toBe('succeeded');
      await expectCountsAddUp(db, r.report, expect);
      expect(r.files).toEqual(['bundle.json', 'bulk/Encounter.ndjson', 'bulk/Patient.ndjson']);
      expect(r.notes).toEqual(expect.arrayContaining([
        '1 Claim: no caselens table for this resource type; not loaded',
        '1 Condition: no caselens table for this resource type; not loaded',
        '1 Observation: not a PHQ-9, GAD-7, PHQ-2 or PHQ-A score (vital signs, labs, other surveys); not loaded',
        '9 Observation: item inside a PHQ-9 panel (loaded with the panel); not loaded',
        '1 DocumentReference: no inline text (only a URL to the document); not loaded',
      ]));
      const rejects = await db.all<Record<string, unknown>>('SELECT source, file, line, field, value, code FROM ingest_rejects ORDER BY source, file');
      expect(rejects).toEqual([
        // the flattener's own: a resource without an id, a line that is not JSON
        { source: 'fhir', file: 'bulk/Patient.ndjson', line: 2, field: null, value: '{"resourceType": "Patient", "id": "p4", ', code: 'malformed_row' },
        { source: 'fhir', file: 'bundle.json#/entry/28', line: null, field: 'id', value: null, code: 'missing_required' },
        // the engine's, pointed back at the Bundle entry
        { source: 'patients', file: 'bundle.json#/entry/1', line: null, field: 'dob', value: '1990-13-45', code: 'bad_date' },
      ]);
      expect(await db.all(`SELECT case_id, program_id, manager_id, case_type, strftime(opened_at, '%Y-%m-%d') AS opened, strftime(closed_at, '%Y-%m-%d') AS closed, status, closure_reason FROM cases ORDER BY 1`)).toEqual([
        { case_id: 'fhir:EpisodeOfCare/e1', program_id: 'fhir:Organization/o1', manager_id: 'fhir:Practitioner/pr1', case_type: 'Outpatient therapy', opened: '2024-01-01', closed: '2024-04-30', status: 'closed', closure_reason: 'finished' },
        { case_id: 'fhir:Patient/p3/record', program_id: null, manager_id: null, case_type: 'FHIR record (no EpisodeOfCare)', opened: '2024-05-05', closed: null, status: 'open', closure_reason: null },
      ]);
      expect(await db.all(`SELECT service_id, case_id, service_type, staff_id, strftime(scheduled_at, '%Y-%m-%d %H:%M') AS scheduled, strftime(delivered_at, '%Y-%m-%d %H:%M') AS delivered, status FROM services ORDER BY 1`)).toEqual([
        { service_id: 'fhir:Encounter/enc1', case_id: 'fhir:EpisodeOfCare/e1', service_type: 'Intake assessment', staff_id: 'fhir:Practitioner/pr1', scheduled: null, delivered: '2024-01-03 09:30', status: 'delivered' },
        { service_id: 'fhir:Encounter/enc2', case_id: 'fhir:EpisodeOfCare/e1', service_type: 'Therapy session', staff_id: null, scheduled: null, delivered: '2024-03-01 10:00', status: 'delivered' },
        { service_id: 'fhir:Encounter/enc3', case_id: 'fhir:EpisodeOfCare/e1', service_type: 'AMB', staff_id: null, scheduled: '2024-04-10 10:00', delivered: null, status: 'scheduled' },
        { service_id: 'fhir:Encounter/enc9', case_id: 'fhir:Patient/p3/record', service_type: 'VR', staff_id: null, scheduled: null, delivered: '2024-05-05 08:00', status: 'delivered' },
      ]);
      expect(await db.all(`SELECT assessment_id, case_id, instrument_id, strftime(administered_at, '%Y-%m-%d') AS day, timepoint, total_score FROM assessments ORDER BY administered_at, assessment_id`)).toEqual([
        { assessment_id: 'fhir:Observation/o-phq-1', case_id: 'fhir:EpisodeOfCare/e1', instrument_id: 'phq9', day: '2024-01-03', timepoint: 'baseline', total_score: 18 },
        { assessment_id: 'fhir:QuestionnaireResponse/qr-gad-1', case_id: 'fhir:EpisodeOfCare/e1', instrument_id: 'gad7', day: '2024-01-03', timepoint: 'baseline', total_score: 12 },
        { assessment_id: 'fhir:Observation/o-phq-2', case_id: 'fhir:EpisodeOfCare/e1', instrument_id: 'phq9', day: '2024-03-01', timepoint: 'interim', total_score: 9 },
        { assessment_id: 'fhir:Observation/o-gad-2', case_id: 'fhir:EpisodeOfCare/e1', instrument_id: 'gad7', day: '2024-04-20', timepoint: 'interim', total_score: 5 },
      ]);
      const items = JSON.parse(await db.value<string>(`SELECT items::VARCHAR FROM assessments WHERE assessment_id = 'fhir:Observation/o-phq-2'`));
      expect(items.items).toHaveLength(9);
      expect(items.items_sum).toBe(9);
      expect(await db.all(`SELECT note_id, case_id, author_id, note_type, strftime(written_at, '%Y-%m-%d %H:%M') AS written, text FROM notes`)).toEqual([
        { note_id: 'fhir:DocumentReference/doc1', case_id: 'fhir:EpisodeOfCare/e1', author_id: 'fhir:Practitioner/pr1', note_type: 'Progress note', written: '2024-03-01 11:00', text: 'Client reports sleeping better. 🙂\nNext visit in two weeks.' },
      ]);
      expect(await db.all(`SELECT goal_id, status, description, strftime(achieved_at, '%Y-%m-%d') AS achieved FROM goals`)).toEqual([
        { goal_id: 'fhir:Goal/g1', status: 'achieved', description: 'Sleep through the night', achieved: '2024-03-10' },
      ]);
      expect(await db.all(`SELECT staff_id, name FROM staff`)).toEqual([{ staff_id: 'fhir:Practitioner/pr1', name: 'Dr. Dana Reyes' }]);
      expect(await db.all(`SELECT p.first_name, p.last_name, strftime(p.dob, '%Y-%m-%d') AS dob, p.national_id, c.gender FROM client_pii p JOIN clients c USING (client_id) ORDER BY 1`)).toEqual([
        { first_name: 'Ana', last_name: 'López', dob: '1990-01-02', national_id: '999-12-3456', gender: 'female' },
        { first_name: 'Eli', last_name: 'Park', dob: '1999-12-12', national_id: null, gender: null },
      ]);
      expect(r.report.sources.find((s) => s.source === 'assessments')).toMatchObject({ read: 5, loaded: 4, deleted: 1 });

      // Change from baseline through the KPI: PHQ-9 18 → 9, GAD-7 12 → 5.
      const kpi = await runKpi(db, 'change-from-baseline', { asOf: '2024-12-31' }, { framework: null, config: MEASURES });
      expect(kpi.rows.map((x) => [x.instrument_id, x.paired, x.baseline_mean, x.followup_mean, x.mean_change, x.improved])).toEqual([['gad7', 1, 12, 5, -7, 1], ['phq9', 1, 18, 9, -9, 1]]);

      const again = await loadFhir(db, [path.join(dir, 'bundle.json'), path.join(dir, 'bulk')], dir);
      expect(again.report.totals).toMatchObject({ inserted: 0, updated: 0, rejected: 3 });
    } finally {
      db.close();
    }
  });

  it('links the same person arriving from HMIS and from FHIR to one client, and records the rule', async () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'bundle.json'), JSON.stringify(bundle()));
    const db = await openStore(path.join(dir, 'db.duckdb'));
    try {
      await ingestHmis({ db, input: EXAMPLE, identityKey: TEST_IDENTITY_KEY, rejectLimit: 0.05, dataQuality: false });
      const r = await loadFhir(db, [path.join(dir, 'bundle.json')], dir);
      expect(r.report.sources.find((s) => s.source === 'patients')!.identity).toMatchObject({ linked: 1, minted: 0 });
      // HMIS client 101 is Ana Lopez, born 1990-01-02; the FHIR patient p1 is Ana López, born 1990-01-02
      expect(await db.all(`SELECT source_system, source_key, rule FROM client_identities WHERE client_id = (SELECT client_id FROM client_identities WHERE source_system = 'hmis' AND source_key = '101') ORDER BY 1`)).toEqual([
        { source_system: 'fhir', source_key: 'p1', rule: 'name_dob' },
        { source_system: 'hmis', source_key: '101', rule: 'minted' },
      ]);
      // the HMIS record that minted the client keeps its name as written there
      expect(await db.value(`SELECT last_name FROM client_pii WHERE client_id = (SELECT client_id FROM client_identities WHERE source_key = 'p1')`)).toBe('Lopez');
      // the client's HMIS cases and FHIR episode hang off the same client_id
      expect(await db.all(`SELECT case_id FROM cases WHERE client_id = (SELECT client_id FROM client_identities WHERE source_key = 'p1') ORDER BY 1`)).toEqual([
        { case_id: 'fhir:EpisodeOfCare/e1' }, { case_id: 'hmis:E1' }, { case_id: 'hmis:E3' },
      ]);
      // without the rule, the FHIR patient gets a client of its own
      const db2 = await openStore(':memory:');
      try {
        await ingestHmis({ db: db2, input: EXAMPLE, identityKey: TEST_IDENTITY_KEY, rejectLimit: 0.05, dataQuality: false });
        const r2 = await ingestFhir({ db: db2, inputs: [path.join(dir, 'bundle.json')], identityKey: TEST_IDENTITY_KEY, rejectLimit: 0.2, identityRules: [] });
        expect(r2.report.sources.find((s) => s.source === 'patients')!.identity).toMatchObject({ linked: 0, minted: 1 });
      } finally {
        db2.close();
      }
    } finally {
      db.close();
    }
  });

  it('refuses files that are not FHIR JSON, before loading anything', async () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'broken.json'), '{"resourceType": "Bundle", ');
    fs.writeFileSync(path.join(dir, 'other.json'), JSON.stringify({ resourceType: 'Bundle', entry: [entry({ resourceType: 'Claim', id: 'c1' })] }));
    const db = await openStore(':memory:');
    try {
      await expect(loadFhir(db, [path.join(dir, 'broken.json')], dir)).rejects.toThrow(/broken\.json: not valid JSON/);
      await expect(loadFhir(db, [path.join(dir, 'other.json')], dir)).rejects.toThrow(FhirInputError);
      await expect(loadFhir(db, [path.join(dir, 'other.json')], dir)).rejects.toThrow(/no resources caselens can load \(1 Claim\)/);
      await expect(loadFhir(db, [path.join(dir, 'missing')], dir)).rejects.toThrow(/not found/);
      expect(await db.value('SELECT count(*) FROM ingest_runs')).toBe(0);
    } finally {
      db.close();
    }
  });
});

interface Series { patient: string; instrument: string; scores: number[] }

/** From the bundles themselves: each patient's PHQ-9 and GAD-7 totals in date order. */
function seriesInBundles(dir: string): { series: Series[]; notes: number; patients: string[] } {
  const series: Series[] = [];
  let notes = 0;
  const patients: string[] = [];
  for (const sub of fs.readdirSync(dir)) {
    if (!fs.statSync(path.join(dir, sub)).isDirectory()) continue;
    for (const f of fs.readdirSync(path.join(dir, sub)).filter((x) => x.endsWith('.json'))) {
      const b = JSON.parse(fs.readFileSync(path.join(dir, sub, f), 'utf8')) as { entry: Array<{ resource: Record<string, any> }> }; // eslint-disable-line @typescript-eslint/no-explicit-any
      const patient = b.entry.find((e) => e.resource.resourceType === 'Patient')!.resource.id as string;
      patients.push(patient);
      for (const [instrument, code] of [['gad7', '70274-6'], ['phq9', '44261-6']] as const) {
        const obs = b.entry.map((e) => e.resource).filter((r) => r.resourceType === 'Observation' && r.code.coding.some((c: { code: string }) => c.code === code));
        obs.sort((x, y) => String(x.effectiveDateTime).localeCompare(String(y.effectiveDateTime)));
        if (obs.length) series.push({ patient, instrument, scores: obs.map((o) => o.valueQuantity.value as number) });
      }
      notes += b.entry.filter((e) => e.resource.resourceType === 'DocumentReference' && e.resource.content?.some((c: { attachment: { data?: string } }) => c.attachment.data)).length;
    }
  }
  return { series, notes, patients };
}

describe.skipIf(!SYNTHEA)('FHIR R4: Synthea PHR exemplars (../shared/data/fhir/synthea-phr-exemplars)', () => {
  it('patients, PHQ-9 / GAD-7 series and notes arrive as in the bundles; change from baseline matches their scores; re-loading changes nothing', async () => {
    const expected = seriesInBundles(SYNTHEA!);
    const db = await openStore(':memory:');
    try {
      const r = await loadFhir(db, [SYNTHEA!], SYNTHEA!);
      expect(r.report.status).toBe('succeeded');
      expect(r.report.totals.rejected).toBe(0);
      await expectCountsAddUp(db, r.report, expect);
      expect(await db.value('SELECT count(*) FROM clients')).toBe(4);
      expect((await db.all<{ source_key: string }>(`SELECT source_key FROM client_identities ORDER BY 1`)).map((x) => x.source_key)).toEqual([...expected.patients].sort());
      expect(r.notes).toEqual(expect.arrayContaining([expect.stringMatching(/^\d+ Claim: no caselens table for this resource type; not loaded$/)]));
      expect(r.resources.read).toBeGreaterThan(3000);

      // Every score series, in order, exactly as in the bundle.
      const loaded = await db.all<{ patient: string; instrument: string; scores: number[] }>(`
        SELECT i.source_key AS patient, a.instrument_id AS instrument, list(a.total_score ORDER BY a.administered_at, a.assessment_id) AS scores
        FROM assessments a JOIN client_identities i USING (client_id) WHERE a.instrument_id IN ('gad7', 'phq9') GROUP BY ALL`);
      const key = (s: Series) => `${s.patient}|${s.instrument}`;
      expect(Object.fromEntries(loaded.map((s) => [key(s), s.scores]))).toEqual(Object.fromEntries(expected.series.map((s) => [key(s), s.scores])));
      // The documented series (SOURCES.md): Vivien's GAD-7 0 → 11 → 14 → 3 → 3 → 3 → 3.
      expect(expected.series.find((s) => s.patient.startsWith('38643f4d') && s.instrument === 'gad7')!.scores).toEqual([0, 11, 14, 3, 3, 3, 3]);

      // Change from baseline per person: the first score is the baseline, the latest the follow-up.
      const change = await db.all<{ patient: string; instrument: string; change: number }>(`
        SELECT i.source_key AS patient, a.instrument_id AS instrument,
               arg_max(total_score, (administered_at, assessment_id)) - arg_min(total_score, (administered_at, assessment_id)) AS change
        FROM assessments a JOIN client_identities i USING (client_id) WHERE a.instrument_id IN ('gad7', 'phq9') GROUP BY ALL`);
      expect(Object.fromEntries(change.map((c) => [`${c.patient}|${c.instrument}`, c.change]))).toEqual(
        Object.fromEntries(expected.series.map((s) => [key(s), s.scores.at(-1)! - s.scores[0]!])),
      );
      expect(await db.value(`SELECT count(*) FROM assessments a WHERE timepoint = 'baseline' AND instrument_id = 'gad7'`)).toBe(4);

      // The KPI counts a baseline only within 30 days of the episode's opening. Synthea records have no
      // EpisodeOfCare, so each patient's episode opens at their first encounter (often in childhood):
      // only Lurlene's first GAD-7 is taken at her first encounter (1 → 3); the others show as "no baseline".
      const kpi = await runKpi(db, 'change-from-baseline', { instrument: 'gad7', asOf: '2030-01-01' }, { framework: null, config: MEASURES });
      expect(kpi.rows[0]).toMatchObject({ instrument_id: 'gad7', paired: 1, baseline_mean: 1, followup_mean: 3, mean_change: 2, no_baseline: 3 });

      // Notes: every DocumentReference with inline text, decoded.
      expect(await db.value('SELECT count(*) FROM notes')).toBe(expected.notes);
      expect(await db.value(`SELECT count(*) FROM notes WHERE text LIKE '%# Chief Complaint%' OR text LIKE '%# History of Present Illness%'`)).toBeGreaterThan(0);
      expect(await db.value(`SELECT count(*) FROM notes WHERE text_sha256 <> sha256(text)`)).toBe(0);

      const again = await loadFhir(db, [SYNTHEA!], SYNTHEA!);
      expect(again.report.totals).toMatchObject({ inserted: 0, updated: 0, rejected: 0 });
    } finally {
      db.close();
    }
  });
});
