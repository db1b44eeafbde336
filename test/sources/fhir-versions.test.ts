/**
 * FHIR versions, instrument score checks and practitioner references, with small hand-written Bundles:
 * STU3 and DSTU2 QuestionnaireResponses read with their own field names (never loaded as if they were
 * R4), releases caselens does not read refused with a reason, PHQ-9 / GAD-7 items and totals
 * range-checked and checked against each other, and one staff row per Practitioner whether it is
 * referenced by id, by URL, by a conditional NPI reference or by a logical identifier.
 *
 * Expected scores are written out by hand here, never computed by the code under test.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fhirVersionOf } from '../../src/sources/fhir.ts';
import { ingestFhir, type FhirIngestResult } from '../../src/sources/index.ts';
import { openStore, type Db } from '../../src/store/index.ts';
import { tempDir, TEST_IDENTITY_KEY } from '../helpers.ts';
import { expectCountsAddUp } from './helpers.ts';

type R = Record<string, unknown>;

const NPI = 'http://hl7.org/fhir/sid/us-npi';
const PHQ9_ITEMS = ['44250-9', '44255-8', '44259-0', '44254-1', '44251-7', '44258-2', '44252-5', '44253-3', '44260-8'];
const LA = ['LA6568-5', 'LA6569-3', 'LA6570-1', 'LA6571-9']; // 0 … 3
const WORDS = ['Not at all', 'Several days', 'More than half the days', 'Nearly every day'];
const loinc = (code: string) => ({ coding: [{ system: 'http://loinc.org', code }] });

/** A Bundle of resources, each as a batch entry with a relative fullUrl-free reference style (`Patient/p1`). */
const bundle = (resources: R[], extra: R = {}): R => ({ resourceType: 'Bundle', type: 'collection', ...extra, entry: resources.map((resource) => ({ resource })) });

/** Writes the bundles into a fresh folder and loads them into a fresh database (the caller closes it). */
async function load(bundles: Record<string, R>, rejectLimit = 1): Promise<{ db: Db; r: FhirIngestResult }> {
  const dir = tempDir();
  for (const [name, b] of Object.entries(bundles)) fs.writeFileSync(path.join(dir, name), JSON.stringify(b, null, 1));
  const db = await openStore(path.join(dir, 'db.duckdb'));
  const r = await ingestFhir({ db, inputs: [dir], identityKey: TEST_IDENTITY_KEY, rejectLimit, displayRoot: dir });
  return { db, r };
}

const patient: R = { resourceType: 'Patient', id: 'p1', name: [{ family: 'Okafor', given: ['Ada'] }], gender: 'female', birthDate: '1985-04-12' };
const encounter = (id: string, start: string, extra: R = {}): R => ({ resourceType: 'Encounter', id, status: 'finished', class: { code: 'AMB' }, subject: { reference: 'Patient/p1' }, period: { start }, ...extra });

const assessments = (db: Db) =>
  db.all<{ id: string; instrument: string; total: number | null; day: string; timepoint: string }>(
    `SELECT assessment_id AS id, instrument_id AS instrument, total_score AS total, strftime(administered_at, '%Y-%m-%d') AS day, timepoint FROM assessments ORDER BY administered_at, assessment_id`,
  );
const itemsOf = async (db: Db, id: string): Promise<{ items: Array<{ score: number | null }>; items_sum: number | null }> =>
  JSON.parse(await db.value<string>(`SELECT items::VARCHAR FROM assessments WHERE assessment_id = $1`, [id]));
const rejects = (db: Db) => db.all<{ file: string; field: string | null; value: string | null; code: string; reason: string }>(`SELECT file, field, value, code, reason FROM ingest_rejects ORDER BY file, field`);

// ---------------------------------------------------------------------------------------------
// STU3: QuestionnaireResponse.questionnaire is a Reference, the encounter is `context`; answers as
// LOINC codings, valueInteger, the STU3 ordinal extension (iso21090-CO-value) or the wording.

/** A PHQ-9 as an STU3 QuestionnaireResponse with the questionnaire's own linkIds (no LOINC codes). */
function stu3Phq9(id: string, authored: string, scores: number[], opts: { total?: number; context?: string } = {}): R {
  const answer = (s: number, i: number): R => {
    switch (i % 4) {
      case 0: return { valueCoding: { system: 'http://loinc.org', code: LA[s], display: WORDS[s] } };
      case 1: return { valueInteger: s };
      case 2: return { valueCoding: { system: 'http://example.org/phq-answers', code: `a${s}`, extension: [{ url: 'http://hl7.org/fhir/StructureDefinition/iso21090-CO-value', valueDecimal: s }] } };
      default: return { valueCoding: { system: 'http://example.org/phq-answers', code: `a${s}`, display: WORDS[s] } };
    }
  };
  const item: R[] = scores.map((s, i) => ({ linkId: `phq9-${i + 1}`, text: `Question ${i + 1}`, answer: [answer(s, i)] }));
  // the "how difficult" question: part of the form, not of the score
  item.push({ linkId: 'phq9-10', text: 'How difficult have these problems made it for you?', answer: [{ valueCoding: { code: 'somewhat', display: 'Somewhat difficult' } }] });
  if (opts.total !== undefined) item.push({ linkId: 'phq9-total', text: 'Total score', answer: [{ valueInteger: opts.total }] });
  return {
    resourceType: 'QuestionnaireResponse', id, status: 'completed', questionnaire: { reference: 'Questionnaire/phq-9' },
    subject: { reference: 'Patient/p1' }, ...(opts.context ? { context: { reference: `Encounter/${opts.context}` } } : {}), authored, item,
  };
}

describe('FHIR versions: STU3 and DSTU2 QuestionnaireResponses', () => {
  it('reads an STU3 PHQ-9 (Reference questionnaire, context, valueInteger / coding / ordinal-extension / wording answers) with the right items and totals', async () => {
    // baseline 2+3+1+0+2+1+3+2+0 = 14 (stated 14), follow-up 1+1+0+0+1+0+1+1+0 = 5 (no stated total): change -9
    const base = [2, 3, 1, 0, 2, 1, 3, 2, 0];
    const follow = [1, 1, 0, 0, 1, 0, 1, 1, 0];
    const { db, r } = await load({
      'stu3.json': bundle([
        patient, encounter('enc1', '2024-02-01T09:00:00Z'), encounter('enc2', '2024-05-01T09:00:00Z'),
        stu3Phq9('qr1', '2024-02-01T09:20:00Z', base, { total: 14, context: 'enc1' }),
        stu3Phq9('qr2', '2024-05-01T09:20:00Z', follow, { context: 'enc2' }),
      ]),
    });
    try {
      expect(r.report.status).toBe('succeeded');
      expect(r.report.totals.rejected).toBe(0);
      await expectCountsAddUp(db, r.report, expect);
      expect(await assessments(db)).toEqual([
        { id: 'fhir:QuestionnaireResponse/qr1', instrument: 'phq9', total: 14, day: '2024-02-01', timepoint: 'baseline' },
        { id: 'fhir:QuestionnaireResponse/qr2', instrument: 'phq9', total: 5, day: '2024-05-01', timepoint: 'interim' },
      ]);
      const items1 = await itemsOf(db, 'fhir:QuestionnaireResponse/qr1');
      expect(items1.items.map((i) => i.score)).toEqual([2, 3, 1, 0, 2, 1, 3, 2, 0, null]); // the "how difficult" answer is kept, unscored
      expect(items1.items_sum).toBe(14);
      expect((await itemsOf(db, 'fhir:QuestionnaireResponse/qr2')).items.map((i) => i.score)).toEqual([1, 1, 0, 0, 1, 0, 1, 1, 0, null]);
      // both hang off the encounters' case (STU3 `context`)
      expect(await db.value(`SELECT count(DISTINCT case_id) FROM assessments`)).toBe(1);
      expect(r.notes).toEqual(expect.arrayContaining(['2 resources in FHIR STU3 form: read with the STU3 field names']));
    } finally {
      db.close();
    }
  });

  it('reads a DSTU2 PHQ-9 (group / question, answers nested in groups)', async () => {
    // 3+2+2+1+0+1+2+3+1 = 15
    const scores = [3, 2, 2, 1, 0, 1, 2, 3, 1];
    const qr: R = {
      resourceType: 'QuestionnaireResponse', id: 'qr-dstu2', status: 'completed', questionnaire: { reference: 'Questionnaire/phq9' },
      subject: { reference: 'Patient/p1' }, authored: '2016-03-04T10:00:00Z',
      group: {
        linkId: 'root', title: 'PHQ-9',
        group: [
          { linkId: 'g1', question: PHQ9_ITEMS.slice(0, 5).map((c, i) => ({ linkId: c, text: `Q${i + 1}`, answer: [{ valueCoding: { system: 'http://loinc.org', code: LA[scores[i]!] } }] })) },
          { linkId: 'g2', question: PHQ9_ITEMS.slice(5).map((c, i) => ({ linkId: c, text: `Q${i + 6}`, answer: [{ valueInteger: scores[i + 5] }] })) },
        ],
      },
    };
    const { db, r } = await load({ 'dstu2.json': bundle([patient, encounter('enc1', '2016-03-04T09:30:00Z'), qr]) });
    try {
      expect(r.report.status).toBe('succeeded');
      expect(r.report.totals.rejected).toBe(0);
      expect(await assessments(db)).toEqual([{ id: 'fhir:QuestionnaireResponse/qr-dstu2', instrument: 'phq9', total: 15, day: '2016-03-04', timepoint: 'baseline' }]);
      const items = await itemsOf(db, 'fhir:QuestionnaireResponse/qr-dstu2');
      expect(items.items.map((i) => i.score)).toEqual(scores);
      expect(items.items_sum).toBe(15);
      expect(r.notes).toEqual(expect.arrayContaining(['1 resource in FHIR DSTU2 form: read with the DSTU2 field names']));
    } finally {
      db.close();
    }
  });

  it('reads STU3 Observations: a PHQ-9 panel with `related` has-member items and `context` for the encounter', async () => {
    // items 1+0+2+1+0+0+1+0+0 = 5; a GAD-7 total of 7 in the same encounter
    const scores = [1, 0, 2, 1, 0, 0, 1, 0, 0];
    const items: R[] = PHQ9_ITEMS.map((c, i) => ({
      resourceType: 'Observation', id: `it-${i + 1}`, status: 'final', code: loinc(c), subject: { reference: 'Patient/p1' }, effectiveDateTime: '2018-06-01',
      valueCodeableConcept: { coding: [{ system: 'http://loinc.org', code: LA[scores[i]!], display: WORDS[scores[i]!] }] },
    }));
    const panel: R = {
      resourceType: 'Observation', id: 'panel', status: 'final', code: loinc('44249-1'), subject: { reference: 'Patient/p1' }, context: { reference: 'Encounter/enc1' },
      effectiveDateTime: '2018-06-01T10:00:00Z', related: items.map((x) => ({ type: 'has-member', target: { reference: `Observation/${x.id as string}` } })),
    };
    const gad: R = { resourceType: 'Observation', id: 'gad', status: 'final', code: loinc('70274-6'), subject: { reference: 'Patient/p1' }, context: { reference: 'Encounter/enc1' }, effectiveDateTime: '2018-06-01T10:05:00Z', valueQuantity: { value: 7 } };
    const { db, r } = await load({ 'stu3-obs.json': bundle([patient, encounter('enc1', '2018-06-01T09:30:00Z'), panel, gad, ...items]) });
    try {
      expect(r.report.totals.rejected).toBe(0);
      expect((await assessments(db)).map((a) => [a.id, a.instrument, a.total])).toEqual([['fhir:Observation/gad', 'gad7', 7], ['fhir:Observation/panel', 'phq9', 5]]);
      const got = await itemsOf(db, 'fhir:Observation/panel');
      expect(got.items.map((i) => i.score)).toEqual(scores);
      expect(got.items_sum).toBe(5);
      expect(r.notes).toEqual(expect.arrayContaining(['9 Observation: item inside a PHQ-9 panel (loaded with the panel); not loaded']));
    } finally {
      db.close();
    }
  });

  it('never stores an answer it cannot read as 0: the QuestionnaireResponse is rejected naming the item and the accepted forms', async () => {
    const item = PHQ9_ITEMS.map((c, i) => ({ linkId: c, answer: [i === 2 ? { valueCoding: { system: 'http://example.org/answers', code: 'x7' } } : { valueInteger: 1 }] }));
    const qr: R = { resourceType: 'QuestionnaireResponse', id: 'qr-odd', status: 'completed', questionnaire: { reference: 'Questionnaire/phq-9' }, subject: { reference: 'Patient/p1' }, authored: '2024-02-01', item };
    const { db } = await load({ 'b.json': bundle([patient, encounter('enc1', '2024-02-01T09:00:00Z'), qr]) });
    try {
      expect(await db.value(`SELECT count(*) FROM assessments`)).toBe(0);
      const rj = await rejects(db);
      expect(rj).toHaveLength(1);
      expect(rj[0]).toMatchObject({ file: 'b.json#/entry/2', field: 'item[linkId=44259-0].answer', code: 'bad_value' });
      expect(rj[0]!.value).toContain('x7');
      expect(rj[0]!.reason).toMatch(/QuestionnaireResponse\/qr-odd: PHQ-9 item 44259-0: the answer carries no score caselens can read \(accepted: valueInteger/);
      expect(rj[0]!.reason).toContain('not counted as 0');
    } finally {
      db.close();
    }
  });

  it('refuses a resource of a release it does not read, naming the version and what is accepted', async () => {
    const obs: R = { resourceType: 'Observation', id: 'o-old', fhirVersion: '0.0.82', status: 'final', code: { coding: [{ system: 'http://loinc.org', code: '44261-6' }] }, subject: { reference: 'Patient/p1' }, effectiveDateTime: '2012-01-01', valueQuantity: { value: 12 } };
    const { db } = await load({ 'old.json': bundle([patient, encounter('enc1', '2012-01-01T09:00:00Z'), obs]) });
    try {
      expect(await db.value(`SELECT count(*) FROM assessments`)).toBe(0);
      const rj = await rejects(db);
      expect(rj).toHaveLength(1);
      expect(rj[0]).toMatchObject({ file: 'old.json#/entry/2', field: 'fhirVersion', value: '0.0.82', code: 'unsupported_version' });
      expect(rj[0]!.reason).toMatch(/FHIR version 0\.0\.82 is not read: caselens reads FHIR R4 .* STU3 .* DSTU2/);
    } finally {
      db.close();
    }
  });

  it('tells releases apart by what is declared, else by shape', () => {
    expect(fhirVersionOf('Patient', { meta: { profile: ['http://hl7.org/fhir/StructureDefinition/Patient|3.0.1'] } }).version).toBe('STU3');
    expect(fhirVersionOf('Patient', { meta: { profile: ['http://hl7.org/fhir/us/core/StructureDefinition/us-core-patient'] } }).version).toBe('R4');
    expect(fhirVersionOf('Patient', {}, '1.0.2')).toMatchObject({ version: 'DSTU2', by: 'declared' });
    expect(fhirVersionOf('QuestionnaireResponse', { group: {} })).toMatchObject({ version: 'DSTU2', by: 'shape' });
    expect(fhirVersionOf('QuestionnaireResponse', { questionnaire: { reference: 'Questionnaire/x' }, item: [] })).toMatchObject({ version: 'STU3', by: 'shape' });
    expect(fhirVersionOf('Observation', { context: { reference: 'Encounter/1' } })).toMatchObject({ version: 'STU3', by: 'shape' });
    expect(fhirVersionOf('QuestionnaireResponse', { questionnaire: 'http://loinc.org/q/44249-1', item: [] })).toMatchObject({ version: 'R4', by: 'default' });
    expect(fhirVersionOf('Observation', { fhirVersion: '2.0.0' }).version).toBe('unsupported');
    expect(fhirVersionOf('Observation', {}, 'http://hl7.org/fhir/STU3/StructureDefinition/Bundle').version).toBe('STU3');
    expect(fhirVersionOf('Observation', { meta: { profile: ['http://hl7.org/fhir/4.0/StructureDefinition/Observation'] }, context: {} }).version).toBe('R4');
  });
});

// ---------------------------------------------------------------------------------------------
// Score ranges and consistency

const r4Phq9 = (id: string, authored: string, scores: number[], total?: number): R => ({
  resourceType: 'QuestionnaireResponse', id, status: 'completed', questionnaire: 'http://loinc.org/q/44249-1', subject: { reference: 'Patient/p1' }, authored,
  item: [...PHQ9_ITEMS.map((c, i) => ({ linkId: c, answer: [{ valueInteger: scores[i] }] })), ...(total === undefined ? [] : [{ linkId: '44261-6', answer: [{ valueInteger: total }] }])],
});

describe('FHIR instrument scores: ranges and totals', () => {
  it('rejects totals and items outside the instrument range, and a stated total that differs from its items, with the valid range in the reason', async () => {
    const resources: R[] = [
      patient, encounter('enc1', '2024-01-10T09:00:00Z'),
      // PHQ-9 total 34 (valid 0–27)
      { resourceType: 'Observation', id: 'o-phq-34', status: 'final', code: loinc('44261-6'), subject: { reference: 'Patient/p1' }, effectiveDateTime: '2024-01-10', valueQuantity: { value: 34 } },
      // GAD-7 total 22 (valid 0–21)
      { resourceType: 'Observation', id: 'o-gad-22', status: 'final', code: loinc('70274-6'), subject: { reference: 'Patient/p1' }, effectiveDateTime: '2024-01-10', valueInteger: 22 },
      // a valid PHQ-9 total: loads
      { resourceType: 'Observation', id: 'o-phq-20', status: 'final', code: loinc('44261-6'), subject: { reference: 'Patient/p1' }, effectiveDateTime: '2024-01-11', valueQuantity: { value: 20 } },
      // item 5 (44251-7, fifth item) answered 5 (valid 0–3)
      r4Phq9('qr-item5', '2024-01-12', [1, 1, 1, 1, 5, 1, 1, 1, 1]),
      // items add up to 1+2+1+2+1+2+1+2+1 = 13, the stated total says 19
      r4Phq9('qr-mismatch', '2024-01-13', [1, 2, 1, 2, 1, 2, 1, 2, 1], 19),
      // items add up to 13 and the stated total agrees: loads
      r4Phq9('qr-ok', '2024-01-14', [1, 2, 1, 2, 1, 2, 1, 2, 1], 13),
      // a PHQ-9 panel Observation with a component item of 4
      {
        resourceType: 'Observation', id: 'o-panel', status: 'final', code: loinc('44249-1'), subject: { reference: 'Patient/p1' }, effectiveDateTime: '2024-01-15',
        component: PHQ9_ITEMS.map((c, i) => ({ code: loinc(c), valueInteger: i === 0 ? 4 : 0 })),
      },
    ];
    const { db, r } = await load({ 'scores.json': bundle(resources) });
    try {
      await expectCountsAddUp(db, r.report, expect);
      expect((await assessments(db)).map((a) => [a.id, a.total])).toEqual([['fhir:Observation/o-phq-20', 20], ['fhir:QuestionnaireResponse/qr-ok', 13]]);
      const rj = await rejects(db);
      expect(rj.map(({ file, field, value, code }) => ({ file, field, value, code }))).toEqual([
        { file: 'scores.json#/entry/2', field: 'value', value: '34', code: 'out_of_range' },
        { file: 'scores.json#/entry/3', field: 'value', value: '22', code: 'out_of_range' },
        { file: 'scores.json#/entry/5', field: 'item[linkId=44251-7].answer', value: '5', code: 'out_of_range' },
        { file: 'scores.json#/entry/6', field: 'item[linkId=44261-6].answer', value: '19', code: 'inconsistent' },
        { file: 'scores.json#/entry/8', field: 'component[0]', value: '4', code: 'out_of_range' },
      ]);
      const reason = (entry: number) => rj.find((x) => x.file === `scores.json#/entry/${entry}`)!.reason;
      expect(reason(2)).toBe('Observation/o-phq-34: PHQ-9 total is 34: valid totals are 0–27 (whole numbers)');
      expect(reason(3)).toBe('Observation/o-gad-22: GAD-7 total is 22: valid totals are 0–21 (whole numbers)');
      expect(reason(5)).toBe('QuestionnaireResponse/qr-item5: PHQ-9 item 44251-7 is 5: items are scored 0–3 (whole numbers)');
      expect(reason(6)).toMatch(/PHQ-9 total 19 differs from the sum of its 9 items \(13\)/);
      expect(reason(8)).toMatch(/PHQ-9 item 44250-9 is 4: items are scored 0–3/);
    } finally {
      db.close();
    }
  });
});

// ---------------------------------------------------------------------------------------------
// Practitioners

describe('FHIR practitioners: one staff row per Practitioner whatever the reference form', () => {
  it('matches literal, absolute-URL, conditional NPI and logical identifier references to the Practitioner carrying the id or identifier', async () => {
    const practitioners: R[] = [
      { resourceType: 'Practitioner', id: 'pr-a', identifier: [{ system: NPI, value: '9999912345' }], name: [{ family: 'Adeyemi', given: ['Tola'] }] },
      { resourceType: 'Practitioner', id: 'pr-b', identifier: [{ system: NPI, value: '9999954321' }, { system: 'urn:oid:2.16.840.1.113883.4.999', value: 'S-22' }], name: [{ family: 'Brandt', given: ['Kai'] }] },
    ];
    const by = (individual: R): R => ({ participant: [{ individual }] });
    const encounters: R[] = [
      encounter('e1', '2024-03-01T09:00:00Z', by({ reference: 'Practitioner/pr-a' })),
      encounter('e2', '2024-03-02T09:00:00Z', by({ reference: 'https://fhir.example.org/r4/Practitioner/pr-a' })),
      encounter('e3', '2024-03-03T09:00:00Z', by({ reference: `Practitioner?identifier=${NPI}|9999912345`, display: 'Dr Tola Adeyemi' })),
      encounter('e4', '2024-03-04T09:00:00Z', by({ reference: `Practitioner?identifier=${encodeURIComponent(`${NPI}|9999954321`)}` })),
      encounter('e5', '2024-03-05T09:00:00Z', by({ type: 'Practitioner', identifier: { system: NPI, value: '9999954321' } })),
      encounter('e6', '2024-03-06T09:00:00Z', by({ reference: 'Practitioner?identifier=urn:oid:2.16.840.1.113883.4.999|S-22' })),
      // no Practitioner carries this NPI: a staff row of its own, named from the reference (as before)
      encounter('e7', '2024-03-07T09:00:00Z', by({ reference: `Practitioner?identifier=${NPI}|1111111111`, display: 'Dr Who Else' })),
    ];
    // the Practitioners arrive in a second file, after the references
    const { db, r } = await load({ 'a-encounters.json': bundle([patient, ...encounters]), 'b-practitioners.json': bundle(practitioners) });
    try {
      expect(r.report.status).toBe('succeeded');
      expect(r.report.totals.rejected).toBe(0);
      expect(await db.value('SELECT count(*) FROM staff')).toBe(3);
      expect(await db.all(`SELECT staff_id, name FROM staff ORDER BY 1`)).toEqual([
        { staff_id: 'fhir:Practitioner/1111111111', name: 'Dr Who Else' },
        { staff_id: 'fhir:Practitioner/pr-a', name: 'Tola Adeyemi' },
        { staff_id: 'fhir:Practitioner/pr-b', name: 'Kai Brandt' },
      ]);
      expect(await db.all(`SELECT service_id, staff_id FROM services ORDER BY 1`)).toEqual([
        { service_id: 'fhir:Encounter/e1', staff_id: 'fhir:Practitioner/pr-a' },
        { service_id: 'fhir:Encounter/e2', staff_id: 'fhir:Practitioner/pr-a' },
        { service_id: 'fhir:Encounter/e3', staff_id: 'fhir:Practitioner/pr-a' },
        { service_id: 'fhir:Encounter/e4', staff_id: 'fhir:Practitioner/pr-b' },
        { service_id: 'fhir:Encounter/e5', staff_id: 'fhir:Practitioner/pr-b' },
        { service_id: 'fhir:Encounter/e6', staff_id: 'fhir:Practitioner/pr-b' },
        { service_id: 'fhir:Encounter/e7', staff_id: 'fhir:Practitioner/1111111111' },
      ]);
    } finally {
      db.close();
    }
  });
});
