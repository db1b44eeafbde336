import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadFramework } from '../../src/frameworks/index.ts';
import { createOfflineScorer, runScoring, summarizeCase } from '../../src/score/index.ts';
import { summarizeCaseWithLlm } from '../../src/score/summary-llm.ts';
import type { DomainSummary } from '../../src/score/summary.ts';
import type { Direction, TagStatus } from '../../src/score/types.ts';
import type { Db } from '../../src/store/index.ts';
import { lastUserMessage, startFakeOpenAI } from '../support/fake-openai.ts';
import { CLEAN, cleanPipeline, ingest, tempDir, withDb, writeFiles, writePipeline } from '../helpers.ts';

const ROOT = path.resolve(import.meta.dirname, '..', '..');
const loaded = loadFramework(path.join(ROOT, 'frameworks', 'self-sufficiency.yaml'));
if (!loaded.ok) throw new Error('framework does not load');
const framework = loaded.framework;

const NOTES = [
  'note_key,case_key,author_key,written_at,text',
  'N1,K2,S2,2024-03-02 09:00:00,José was evicted last month and is couch surfing with a cousin. Call him on 555-0102.',
  'N2,K2,S2,2024-04-02 09:00:00,Update: José signed a lease on a one-bedroom apartment today.',
  'N3,K2,S2,2024-05-02 09:00:00,Denies any substance use.',
].join('\n') + '\n';

async function scored() {
  const dir = tempDir();
  writeFiles(dir, { ...CLEAN, 'notes.csv': NOTES });
  const pipeline = writePipeline(dir, 'crm', cleanPipeline());
  return { dir, pipeline, dbPath: path.join(dir, 'db.duckdb') };
}

describe('case summaries for supervisors', () => {
  it('gives per domain the picture and trend, every statement tied to quotes from dated notes', async () => {
    const { dir, pipeline, dbPath } = await scored();
    await withDb(dbPath, async (db) => {
      await ingest(db, dir, pipeline);
      const scorer = createOfflineScorer(framework);
      await runScoring({ db, scorer, framework });
      const s = (await summarizeCase(db, 'crm:K2', framework, scorer))!;
      expect(s).toMatchObject({ caseId: 'crm:K2', notes: 3, scoredNotes: 3 });
      const housing = s.domains.find((d) => d.domainId === 'housing')!;
      expect(housing.trend).toBe('improving');
      expect(housing.picture).toMatch(/^Housing: latest evidence \(2024-04-02\) shows an? (improvement|strength); improving since 2024-03-02\.$/);
      const texts = await db.all<{ note_id: string; text: string }>("SELECT note_id, text FROM notes WHERE case_id = 'crm:K2'");
      for (const d of s.domains) for (const st of d.statements) for (const c of st.citations) {
        expect(texts.find((t) => t.note_id === c.noteId)!.text.slice(c.start, c.end)).toBe(c.quote);
      }
      expect(s.domains.find((d) => d.domainId === 'substance_use')!.statements[0]!.status).toBe('negated');
      expect(await summarizeCase(db, 'crm:NOPE', framework, scorer)).toBeUndefined();
    });
  });

  it('an LLM summary keeps only sentences whose quotes are found inside the evidence they cite', async () => {
    const { dir, pipeline, dbPath } = await scored();
    const fake = await startFakeOpenAI((req) => {
      const user = lastUserMessage(req);
      const idOf = (word: string) => /\[(E\d+)\][^\n]*/.exec(user.split('\n').filter((l) => l.includes(word)).join('\n'))?.[1] ?? 'E0';
      return {
      json: {
        domains: [
          { domain: 'housing', sentences: [
            { text: '[NAME_1] lost his housing but has now signed a lease.', evidence: [{ id: idOf('evicted'), quote: 'was evicted' }, { id: idOf('lease'), quote: 'SIGNED a  lease' }] },
            { text: 'He owns a house.', evidence: [{ id: idOf('evicted'), quote: 'owns a house' }] },
            { text: 'Made up.', evidence: [{ id: 'E99', quote: 'anything' }] },
          ] },
          { domain: 'astrology', sentences: [{ text: 'Stars align.', evidence: [{ id: 'E1', quote: 'evicted' }] }] },
        ],
      },
      };
    });
    try {
      await withDb(dbPath, async (db) => {
        await ingest(db, dir, pipeline);
        const scorer = createOfflineScorer(framework);
        await runScoring({ db, scorer, framework });
        const s = (await summarizeCase(db, 'crm:K2', framework, scorer))!;
        const r = await summarizeCaseWithLlm(db, s, framework, { baseURL: fake.url, apiKey: 'k', model: 'fake', maxRetries: 0 });
        expect(r.droppedSentences).toBe(3);
        expect(r.rejectedCitations).toBe(2);
        expect(r.domains).toHaveLength(1);
        const sentence = r.domains[0]!.sentences[0]!;
        expect(sentence.text).toBe('José lost his housing but has now signed a lease.');
        expect(sentence.citations.map((c) => c.quote)).toEqual(['was evicted', 'signed a lease']);
        const body = fake.requests[0]!.rawBody;
        expect(body).not.toContain('José');
        expect(body).not.toContain('555-0102');
      });
    } finally {
      await fake.close();
    }
  });
});

// Bounded summaries are tested on tags written straight into a real DuckDB file, so the
// dates, confidences, spans and insertion order are exactly what each case needs.
const SCORER = { kind: 'llm', model: 'test-model', promptVersion: 'test-v1' };

interface SeedTag { domain: string; direction: Direction; status?: TagStatus; confidence?: number; quotes: string[] }
interface SeedNote { id: string; at: string; text: string; tags: SeedTag[] }

async function insertRows(db: Db, table: string, columns: string, rows: unknown[][]): Promise<void> {
  for (let i = 0; i < rows.length; i += 100) {
    const chunk = rows.slice(i, i + 100);
    const width = chunk[0]!.length;
    const values = chunk.map((_, r) => `(${Array.from({ length: width }, (_, c) => `$${r * width + c + 1}`).join(', ')})`).join(', ');
    await db.run(`INSERT INTO ${table} (${columns}) VALUES ${values}`, chunk.flat() as never);
  }
}

/** Writes the notes in the order given: that order is the insertion order. */
async function seedCase(db: Db, caseId: string, notes: SeedNote[]): Promise<void> {
  await db.run(`INSERT INTO cases (case_id, client_id, opened_at, status) VALUES ($1, 'C-1', DATE '2023-01-01', 'open')`, [caseId]);
  const noteRows: unknown[][] = [];
  const scoreRows: unknown[][] = [];
  const tagRows: unknown[][] = [];
  const citeRows: unknown[][] = [];
  for (const n of notes) {
    noteRows.push([n.id, caseId, 'C-1', 'S-1', n.at, 'progress', n.text, `sha-${n.id}`]);
    scoreRows.push([n.id, `sha-${n.id}`, framework.id, framework.version, SCORER.kind, SCORER.model, SCORER.promptVersion, 1, 'ok', null, n.tags.length, 0, 0, 0, 0, n.at]);
    n.tags.forEach((t, i) => {
      const tagId = `${n.id}:t${String(i).padStart(2, '0')}`;
      tagRows.push([tagId, n.id, `sha-${n.id}`, 1, framework.id, framework.version, SCORER.kind, SCORER.model, SCORER.promptVersion, t.domain, null, t.direction, null, t.status ?? 'current', t.confidence ?? 0.8]);
      for (const q of t.quotes) {
        const start = n.text.indexOf(q);
        if (start < 0) throw new Error(`"${q}" is not in note ${n.id}`);
        citeRows.push([tagId, n.id, start, start + q.length, q, 'exact', 1]);
      }
    });
  }
  await insertRows(db, 'notes', 'note_id, case_id, client_id, author_id, written_at, note_type, text, text_sha256', noteRows);
  await insertRows(db, 'note_scores', 'note_id, text_sha256, framework_id, framework_version, scorer, model, prompt_version, run_id, status, error, tags, rejected_citations, requests, prompt_tokens, completion_tokens, scored_at', scoreRows);
  await insertRows(db, 'note_tags', 'tag_id, note_id, text_sha256, run_id, framework_id, framework_version, scorer, model, prompt_version, domain_id, indicator_id, direction, level, status, confidence', tagRows);
  await insertRows(db, 'tag_citations', 'tag_id, note_id, start_offset, end_offset, quote, match, similarity', citeRows);
}

async function withSeeded<T>(caseId: string, notes: SeedNote[], fn: (db: Db) => Promise<T>): Promise<T> {
  return withDb(path.join(tempDir(), 'db.duckdb'), async (db) => {
    await seedCase(db, caseId, notes);
    return fn(db);
  });
}

const noteIdsOf = (d: DomainSummary) => d.statements.map((s) => s.citations[0]!.noteId);

describe('bounded case summaries', () => {
  // Housing over eleven notes, written to the database out of date order: n11 first, n10 second,
  // x02 last, and x02 also sorts last by id though it is the second oldest. n10 and n11 share a
  // timestamp, so the note id decides which is the latest.
  const h = (direction: Direction, quotes: string[], status: TagStatus = 'current'): SeedTag[] => [{ domain: 'housing', direction, status, quotes }];
  const TIMELINE: SeedNote[] = [
    { id: 'n11', at: '2024-09-01 09:00:00', text: 'Arrears cleared by the housing fund. Keys kept. Rent plan agreed. Deposit back.', tags: h('strength', ['Arrears cleared', 'Keys kept', 'Rent plan agreed', 'Deposit back']) },
    { id: 'n10', at: '2024-09-01 09:00:00', text: 'Arrears letter arrived.', tags: h('concern', ['Arrears letter arrived']) },
    { id: 'n01', at: '2024-01-10 09:00:00', text: 'Evicted from the flat on Elm Street.', tags: h('concern', ['Evicted from the flat']) },
    { id: 'n03', at: '2024-02-10 09:00:00', text: 'Shelter bed only until Friday.', tags: h('concern', ['Shelter bed only until Friday']) },
    { id: 'n04', at: '2024-03-10 09:00:00', text: 'Moved into a transitional flat.', tags: h('strength', ['Moved into a transitional flat']) },
    { id: 'n05', at: '2024-04-10 09:00:00', text: 'Rent paid on time this month.', tags: h('strength', ['Rent paid on time']) },
    { id: 'n06', at: '2024-05-10 09:00:00', text: 'Talked about the eviction last winter.', tags: h('concern', ['the eviction last winter'], 'historical') },
    { id: 'n07', at: '2024-06-10 09:00:00', text: 'Landlord served a notice to quit.', tags: h('concern', ['served a notice to quit']) },
    { id: 'n08', at: '2024-07-10 09:00:00', text: 'Notice withdrawn after mediation.', tags: h('improvement', ['Notice withdrawn after mediation']) },
    { id: 'n09', at: '2024-08-10 09:00:00', text: 'Repairs done, the flat is warm.', tags: h('improvement', ['the flat is warm']) },
    { id: 'x02', at: '2024-01-20 09:00:00', text: 'Still sleeping in the car.', tags: h('concern', ['sleeping in the car']) },
  ];

  it('shows the first and the latest evidence by date and the newest turning points, and counts the rest', async () => {
    await withSeeded('t:K1', TIMELINE, async (db) => {
      const s = (await summarizeCase(db, 't:K1', framework, SCORER))!;
      expect(s).toMatchObject({ caseId: 't:K1', notes: 11, scoredNotes: 11, limits: { maxStatements: 6, maxDomainsPerSpan: 2, maxQuotesPerStatement: 3 } });
      expect(s.domains.map((d) => d.domainId)).toEqual(['housing']);
      const d = s.domains[0]!;
      // Turning points: n04 (to a strength), n06 (past concern), n07 (current again), n08, n10, n11.
      // Six places: latest n11, first n01, then turning points newest first: n10, n08, n07, n06.
      expect(d.statements.map((st) => st.text)).toEqual([
        '2024-01-10: a concern (first evidence)',
        '2024-05-10: a concern in the past (turning point after a strength on 2024-04-10)',
        '2024-06-10: a concern (turning point after a concern in the past on 2024-05-10)',
        '2024-07-10: an improvement (turning point after a concern on 2024-06-10)',
        '2024-09-01: a concern (turning point after an improvement on 2024-08-10)',
        '2024-09-01: a strength (turning point after a concern on 2024-09-01; latest evidence)',
      ]);
      expect(noteIdsOf(d)).toEqual(['n01', 'n06', 'n07', 'n08', 'n10', 'n11']);
      expect(d.statements.map((st) => st.roles)).toEqual([['first'], ['turning-point'], ['turning-point'], ['turning-point'], ['turning-point'], ['turning-point', 'latest']]);
      // n11 cites four quotes; the three earliest in the note are shown (one tag, one confidence).
      expect(d.statements[5]!.citations.map((c) => c.quote)).toEqual(['Arrears cleared', 'Keys kept', 'Rent plan agreed']);
      expect(d.trend).toBe('improving');
      expect(d.picture).toBe('Housing: latest evidence (2024-09-01) shows a strength; improving since 2024-01-10. Not shown: 5 more tags in 5 notes, and 1 more quote of the tags shown.');
      expect(d.evidence).toEqual({ tags: 11, notes: 11 });
      expect(d.leftOut).toEqual({ tags: 5, notes: 5, conflicting: 0, shownElsewhere: 0, quotes: 1, noteIds: ['x02', 'n03', 'n04', 'n05', 'n09'] });
      const texts = new Map((await db.all<{ note_id: string; text: string }>('SELECT note_id, text FROM notes')).map((n) => [n.note_id, n.text]));
      for (const st of d.statements) for (const c of st.citations) expect(texts.get(c.noteId)!.slice(c.start, c.end)).toBe(c.quote);

      const three = (await summarizeCase(db, 't:K1', framework, SCORER, { maxStatements: 3, maxQuotesPerStatement: 1 }))!.domains[0]!;
      expect(noteIdsOf(three)).toEqual(['n01', 'n10', 'n11']);
      expect(three.statements[2]!.citations.map((c) => c.quote)).toEqual(['Arrears cleared']);
      expect(three.leftOut).toEqual({ tags: 8, notes: 8, conflicting: 0, shownElsewhere: 0, quotes: 3, noteIds: ['x02', 'n03', 'n04', 'n05', 'n06', 'n07', 'n08', 'n09'] });
      expect(three.picture).toBe('Housing: latest evidence (2024-09-01) shows a strength; improving since 2024-01-10. Not shown: 8 more tags in 8 notes, and 3 more quotes of the tags shown.');
    });
  });

  it('never shows one quote as both a strength and a concern: the more confident tag wins, a tie shows neither', async () => {
    const text = 'Works nights at the depot. Shifts were cut to two a week. Denies any drug use since spring.';
    const notes: SeedNote[] = [{ id: 'm1', at: '2024-02-01 10:00:00', text, tags: [
      { domain: 'employment', direction: 'strength', confidence: 0.9, quotes: ['Works nights at the depot'] },
      // overlaps the 0.9 strength, reads it the other way, less sure: overruled
      { domain: 'employment', direction: 'concern', confidence: 0.6, quotes: ['nights at the depot'] },
      // overlaps the 0.9 strength, same reading: the quote is already shown
      { domain: 'employment', direction: 'improvement', confidence: 0.5, quotes: ['Works nights'] },
      // the same span read both ways with the same confidence: neither is shown ...
      { domain: 'employment', direction: 'concern', confidence: 0.7, quotes: ['Shifts were cut to two a week'] },
      { domain: 'employment', direction: 'strength', confidence: 0.7, quotes: ['Shifts were cut'] },
      // ... and a weaker tag on the disputed span does not slip through either
      { domain: 'employment', direction: 'strength', confidence: 0.6, quotes: ['cut to two a week'] },
      // a denied concern and a strength say the same thing: not a disagreement
      { domain: 'substance_use', direction: 'concern', status: 'negated', confidence: 0.8, quotes: ['Denies any drug use'] },
      { domain: 'substance_use', direction: 'strength', confidence: 0.6, quotes: ['Denies any drug use since spring'] },
    ] }];
    await withSeeded('t:K2', notes, async (db) => {
      const s = (await summarizeCase(db, 't:K2', framework, SCORER))!;
      const emp = s.domains.find((d) => d.domainId === 'employment')!;
      expect(emp.statements).toEqual([{
        text: '2024-02-01: a strength', direction: 'strength', status: 'current', roles: ['first', 'latest'],
        citations: [{ noteId: 'm1', writtenAt: new Date('2024-02-01T10:00:00Z'), start: 0, end: 25, quote: 'Works nights at the depot' }],
      }]);
      expect(emp.leftOut).toEqual({ tags: 5, notes: 1, conflicting: 4, shownElsewhere: 0, quotes: 0, noteIds: ['m1'] });
      expect(emp.picture).toBe('Employment: latest evidence (2024-02-01) shows a strength. Not shown: 5 more tags in 1 note (4 disagreeing with another tag about a quote).');
      const sub = s.domains.find((d) => d.domainId === 'substance_use')!;
      expect(sub.statements.map((st) => [st.text, st.citations.map((c) => c.quote)])).toEqual([['2024-02-01: no substance use concern (denied or ruled out)', ['Denies any drug use']]]);
      expect(sub.leftOut).toMatchObject({ tags: 1, conflicting: 0 });
      // whatever the rule, no two quotes shown under one domain overlap
      for (const d of s.domains) {
        const cites = d.statements.flatMap((st) => st.citations);
        for (const a of cites) for (const b of cites) if (a !== b) expect(a.noteId === b.noteId && a.start < b.end && b.start < a.end).toBe(false);
      }
    });
  });

  it('a disputed span with nothing else in the domain says so instead of picking a side', async () => {
    const notes: SeedNote[] = [{ id: 'q1', at: '2024-02-01 10:00:00', text: 'Food bank twice a week.', tags: [
      { domain: 'food', direction: 'strength', confidence: 0.7, quotes: ['Food bank twice a week'] },
      { domain: 'food', direction: 'concern', confidence: 0.7, quotes: ['Food bank twice a week'] },
    ] }];
    await withSeeded('t:K5', notes, async (db) => {
      const food = (await summarizeCase(db, 't:K5', framework, SCORER))!.domains.find((d) => d.domainId === 'food')!;
      expect(food.statements).toEqual([]);
      expect(food.trend).toBe('mixed');
      expect(food.picture).toBe('Food: no clear reading; the tags disagree about the same quotes. Not shown: 2 more tags in 1 note (2 disagreeing with another tag about a quote).');
    });
  });

  it('a list of conditions cited for eight domains is shown under the two most confident, and counted under the rest', async () => {
    const list = 'chronic pain; anemia; depression; alcohol use disorder; unemployment; housing unsatisfactory; food insecurity; limited social contact';
    const eight: Array<[string, number]> = [
      ['health_care', 0.6], ['mental_health', 0.9], ['substance_use', 0.7], ['employment', 0.85],
      ['housing', 0.75], ['food', 0.55], ['family_social', 0.65], ['income', 0.5],
    ];
    const notes: SeedNote[] = [
      { id: 'c1', at: '2024-03-01 08:00:00', text: `Conditions: ${list}.`, tags: eight.map(([domain, confidence]) => ({ domain, direction: 'concern', confidence, quotes: [list] })) },
      { id: 'c0', at: '2024-01-15 08:00:00', text: 'Lease signed.', tags: [{ domain: 'housing', direction: 'strength', confidence: 0.8, quotes: ['Lease signed'] }] },
    ];
    await withSeeded('t:K3', notes, async (db) => {
      const s = (await summarizeCase(db, 't:K3', framework, SCORER))!;
      expect(s.domains).toHaveLength(8);
      const shownUnder = s.domains.filter((d) => d.statements.some((st) => st.citations.some((c) => c.quote === list))).map((d) => d.domainId);
      expect(shownUnder).toEqual(['employment', 'mental_health']);
      for (const id of ['employment', 'mental_health']) {
        const d = s.domains.find((x) => x.domainId === id)!;
        expect(d.statements.map((st) => st.text)).toEqual(['2024-03-01: a concern']);
        expect(d.leftOut.tags).toBe(0);
      }
      const housing = s.domains.find((d) => d.domainId === 'housing')!;
      expect(housing.statements.map((st) => st.text)).toEqual(['2024-01-15: a strength (first evidence)']);
      expect(housing.trend).toBe('worsening');
      expect(housing.picture).toBe('Housing: latest evidence (2024-03-01) shows a concern (quoted under Employment and Mental health); worsening since 2024-01-15. Not shown: 1 more tag in 1 note (1 quoting text shown under another domain).');
      expect(housing.leftOut).toEqual({ tags: 1, notes: 1, conflicting: 0, shownElsewhere: 1, quotes: 0, noteIds: ['c1'] });
      for (const id of ['health_care', 'substance_use', 'food', 'family_social', 'income']) {
        const d = s.domains.find((x) => x.domainId === id)!;
        expect(d.statements).toEqual([]);
        expect(d.leftOut).toEqual({ tags: 1, notes: 1, conflicting: 0, shownElsewhere: 1, quotes: 0, noteIds: ['c1'] });
        expect(d.picture).toBe(`${d.domainName}: latest evidence (2024-03-01) shows a concern (quoted under Employment and Mental health). Not shown: 1 more tag in 1 note (1 quoting text shown under another domain).`);
      }
      const one = (await summarizeCase(db, 't:K3', framework, SCORER, { maxDomainsPerSpan: 1 }))!;
      expect(one.domains.filter((d) => d.statements.some((st) => st.citations.some((c) => c.quote === list))).map((d) => d.domainId)).toEqual(['mental_health']);
    });
  });

  it('a case with 500 tags stays bounded: at most six statements a domain, the rest counted', async () => {
    // 100 daily notes from 2023-01-01, five tags each on separate spans, written newest first.
    // housing flips every ten notes; employment every note; health care turns historical at
    // note 50; income and food never change.
    const notes: SeedNote[] = [];
    for (let i = 99; i >= 0; i--) {
      const id = `d${String(i).padStart(3, '0')}`;
      const at = new Date(Date.UTC(2023, 0, 1 + i, 9)).toISOString().replace('T', ' ').slice(0, 19);
      const text = ['housing', 'income', 'employment', 'food', 'care'].map((w) => `${w} item ${i}`).join('; ');
      notes.push({ id, at, text, tags: [
        { domain: 'housing', direction: Math.floor(i / 10) % 2 === 0 ? 'concern' : 'strength', quotes: [`housing item ${i}`] },
        { domain: 'income', direction: 'concern', quotes: [`income item ${i}`] },
        { domain: 'employment', direction: i % 2 === 0 ? 'strength' : 'concern', quotes: [`employment item ${i}`] },
        { domain: 'food', direction: 'strength', quotes: [`food item ${i}`] },
        { domain: 'health_care', direction: 'concern', status: i < 50 ? 'current' : 'historical', quotes: [`care item ${i}`] },
      ] });
    }
    await withSeeded('t:K4', notes, async (db) => {
      expect(await db.value('SELECT count(*) FROM note_tags')).toBe(500);
      const s = (await summarizeCase(db, 't:K4', framework, SCORER))!;
      const by = new Map(s.domains.map((d) => [d.domainId, d]));
      expect([...by.keys()]).toEqual(['housing', 'income', 'employment', 'food', 'health_care']);
      expect(noteIdsOf(by.get('housing')!)).toEqual(['d000', 'd060', 'd070', 'd080', 'd090', 'd099']);
      expect(noteIdsOf(by.get('income')!)).toEqual(['d000', 'd099']);
      expect(noteIdsOf(by.get('employment')!)).toEqual(['d000', 'd095', 'd096', 'd097', 'd098', 'd099']);
      expect(noteIdsOf(by.get('food')!)).toEqual(['d000', 'd099']);
      expect(noteIdsOf(by.get('health_care')!)).toEqual(['d000', 'd049', 'd050', 'd099']);
      expect(s.domains.map((d) => [d.domainId, d.leftOut.tags, d.leftOut.notes])).toEqual([
        ['housing', 94, 94], ['income', 98, 98], ['employment', 94, 94], ['food', 98, 98], ['health_care', 96, 96],
      ]);
      const statements = s.domains.reduce((a, d) => a + d.statements.length, 0);
      const quotes = s.domains.reduce((a, d) => a + d.statements.reduce((b, st) => b + st.citations.length, 0), 0);
      expect([statements, quotes]).toEqual([20, 20]);
      expect(s.domains.reduce((a, d) => a + d.leftOut.tags, 0)).toBe(480);
      expect(by.get('housing')!.picture).toBe('Housing: latest evidence (2023-04-10) shows a strength; improving since 2023-01-01. Not shown: 94 more tags in 94 notes.');
      expect(by.get('health_care')!.picture).toBe('Health care: latest evidence (2023-04-10) shows a concern in the past; steady since 2023-01-01. Not shown: 96 more tags in 96 notes.');
      expect(by.get('health_care')!.statements.map((st) => st.text)).toEqual([
        '2023-01-01: a concern (first evidence)',
        '2023-02-19: a concern',
        '2023-02-20: a concern in the past (turning point after a concern on 2023-02-19)',
        '2023-04-10: a concern in the past (latest evidence)',
      ]);
    });
  });
});
