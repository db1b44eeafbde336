import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { loadFramework } from '../../src/frameworks/index.ts';
import { createVerifier, isStructuredText, runScoring, verifyStoredTags, type Direction, type NoteInput, type ScoreOutcome, type Scorer, type Tag, type TagStatus, type Verifier } from '../../src/score/index.ts';
import { runMain } from '../support/main.ts';
import { sentencesOf, startFakeOpenAI, type RecordedRequest } from '../support/fake-openai.ts';
import { CLEAN, cleanPipeline, ingest, tempDir, withDb, writeFiles, writePipeline } from '../helpers.ts';

const ROOT = path.resolve(import.meta.dirname, '..', '..');
const loaded = loadFramework(path.join(ROOT, 'frameworks', 'self-sufficiency.yaml'));
if (!loaded.ok) throw new Error('framework does not load');
const framework = loaded.framework;
const verifier = createVerifier(framework);

/** A proposed tag citing `quote` (its first occurrence) in `text`. */
function proposed(text: string, quote: string, domainId: string, direction: Direction, status: TagStatus = 'current'): Tag {
  const start = text.indexOf(quote);
  if (start < 0) throw new Error(`"${quote}" is not in "${text}"`);
  return { domainId, direction, status, confidence: 0.8, citations: [{ start, end: start + quote.length, quote, match: 'exact', similarity: 1 }] };
}

type Expect = { kept: TagStatus } | { dropped: RegExp };

/**
 * Hand-written cases: a note, the tag a scorer proposed for a span of it, and what a careful
 * reader says the span supports. Grouped by the context rule they exercise.
 */
const CASES: Array<{ rule: string; text: string; quote: string; domain: string; direction: Direction; status?: TagStatus; expect: Expect }> = [
  // negation: a denial verb denies the problem
  { rule: 'negation', text: 'Client denies any drug use since the last visit.', quote: 'denies any drug use since the last visit', domain: 'substance_use', direction: 'concern', expect: { kept: 'negated' } },
  { rule: 'negation', text: 'He denied drinking alcohol this month.', quote: 'denied drinking alcohol this month', domain: 'substance_use', direction: 'concern', expect: { kept: 'negated' } },
  { rule: 'negation', text: 'She denies suicidal ideation.', quote: 'She denies suicidal ideation', domain: 'mental_health', direction: 'concern', expect: { kept: 'negated' } },
  // a denial reaches a list, but not a new clause after a comma or "and" (found in review)
  { rule: 'negation', text: 'Client denies drug, alcohol or tobacco use.', quote: 'Client denies drug, alcohol or tobacco use', domain: 'substance_use', direction: 'concern', expect: { kept: 'negated' } },
  { rule: 'negation scope', text: 'Client denies SI, lost her job last week and is behind on rent.', quote: 'lost her job last week', domain: 'employment', direction: 'deterioration', expect: { kept: 'current' } },
  { rule: 'negation scope', text: 'Client denies SI, lost her job last week and is behind on rent.', quote: 'is behind on rent', domain: 'housing', direction: 'concern', expect: { kept: 'current' } },
  { rule: 'negation scope', text: 'Denies SI/HI, endorses depressed mood and anxiety.', quote: 'endorses depressed mood and anxiety', domain: 'mental_health', direction: 'concern', expect: { kept: 'current' } },
  // a past concern is what an improvement follows
  { rule: 'agreeing', text: 'Client is no longer homeless.', quote: 'Client is no longer homeless', domain: 'housing', direction: 'improvement', expect: { kept: 'current' } },
  // a time cue in a "since" clause dates that clause only
  { rule: 'historical', text: 'Client has had no income since she lost her job last year.', quote: 'Client has had no income since she lost her job last year', domain: 'income', direction: 'concern', expect: { kept: 'current' } },
  // negation: a missing resource is a current concern, not a denied one
  { rule: 'missing resource', text: 'Client has no income and no food in the house.', quote: 'Client has no income', domain: 'income', direction: 'concern', expect: { kept: 'current' } },
  // a strength under a negation is not a strength
  { rule: 'negated strength', text: 'Client is not employed at this time.', quote: 'Client is not employed at this time', domain: 'employment', direction: 'strength', expect: { dropped: /concern, not a strength|negated/ } },
  { rule: 'negated strength', text: 'He was evicted from his apartment on Monday.', quote: 'He was evicted from his apartment on Monday', domain: 'housing', direction: 'strength', expect: { dropped: /concern, not a strength/ } },
  { rule: 'agreeing', text: 'She works full time at the warehouse and likes her shifts.', quote: 'She works full time at the warehouse', domain: 'employment', direction: 'strength', expect: { kept: 'current' } },
  { rule: 'agreeing', text: 'Client signed a lease on a new apartment.', quote: 'Client signed a lease on a new apartment', domain: 'housing', direction: 'improvement', expect: { kept: 'current' } },
  // experiencer: another person's circumstances are not the client's
  { rule: 'experiencer', text: 'Her son lost his job at the plant last week.', quote: 'Her son lost his job at the plant last week', domain: 'employment', direction: 'deterioration', expect: { dropped: /another person \("son"\)/ } },
  { rule: 'experiencer', text: 'His brother just started working at a hotel downtown.', quote: 'His brother just started working at a hotel downtown', domain: 'employment', direction: 'improvement', expect: { dropped: /another person \("brother"\)/ } },
  { rule: 'experiencer', text: 'Her mother is homeless and staying at a shelter.', quote: 'Her mother is homeless', domain: 'housing', direction: 'concern', expect: { dropped: /another person \("mother"\)/ } },
  { rule: 'experiencer', text: 'Her neighbor was evicted last month.', quote: 'Her neighbor was evicted last month', domain: 'housing', direction: 'concern', expect: { dropped: /another person/ } },
  { rule: 'experiencer', text: 'The kids have enough to eat and Carlos lost his job on Friday.', quote: 'Carlos lost his job on Friday', domain: 'employment', direction: 'deterioration', expect: { kept: 'current' } },
  { rule: 'experiencer', text: 'Her mother kicked her out last week.', quote: 'Her mother kicked her out last week', domain: 'housing', direction: 'concern', expect: { kept: 'current' } },
  // a bare relation opening a note is the informant speaking, not someone else's circumstances
  { rule: 'experiencer', text: 'Mother describes difficulty paying rent since her hours were cut.', quote: 'Mother describes difficulty paying rent since her hours were cut', domain: 'housing', direction: 'concern', expect: { kept: 'current' } },
  { rule: 'experiencer', text: 'Client and her partner were evicted last week.', quote: 'Client and her partner were evicted last week', domain: 'housing', direction: 'concern', expect: { kept: 'current' } },
  // others acting for the client are evidence about the client
  { rule: 'experiencer', text: 'Her parents help with rent every month.', quote: 'Her parents help with rent every month', domain: 'housing', direction: 'strength', expect: { kept: 'current' } },
  // others' help is evidence in the domains about support
  { rule: 'experiencer', text: 'Her sister drives her to work every day.', quote: 'Her sister drives her to work every day', domain: 'transport', direction: 'strength', expect: { kept: 'current' } },
  // hypothetical and future
  { rule: 'hypothetical', text: 'She hopes to find work at the mall soon.', quote: 'She hopes to find work at the mall soon', domain: 'employment', direction: 'strength', expect: { dropped: /hypothetical or planned \("hopes to"\)/ } },
  { rule: 'hypothetical', text: 'Client plans to apply for housing assistance next month.', quote: 'Client plans to apply for housing assistance next month', domain: 'housing', direction: 'strength', expect: { dropped: /hypothetical/ } },
  // a plan after the evidence does not make the evidence hypothetical
  { rule: 'hypothetical', text: 'She is 4 months behind on rent, we agreed she wants to work on it.', quote: 'She is 4 months behind on rent', domain: 'housing', direction: 'concern', expect: { kept: 'current' } },
  { rule: 'hypothetical', text: 'He owes $850 on a payday loan, will discuss with supervisor.', quote: 'He owes $850 on a payday loan, will discuss with supervisor', domain: 'income', direction: 'concern', expect: { kept: 'current' } },
  // history
  { rule: 'historical', text: 'Growing up, she often did not have enough to eat.', quote: 'Growing up, she often did not have enough to eat', domain: 'food', direction: 'concern', expect: { kept: 'historical' } },
  { rule: 'historical', text: 'Client has a history of homelessness.', quote: 'Client has a history of homelessness', domain: 'housing', direction: 'concern', expect: { kept: 'historical' } },
  { rule: 'historical', text: 'Previously homeless, she is now housed in her own apartment.', quote: 'Previously homeless, she is now housed in her own apartment', domain: 'housing', direction: 'improvement', expect: { kept: 'current' } },
  // structured text
  { rule: 'structured', text: 'Problems: Hunger (finding), Stress (finding), Full-time employment (finding).', quote: 'Hunger (finding)', domain: 'food', direction: 'concern', expect: { dropped: /structured text/ } },
  { rule: 'structured', text: 'Medications: sertraline 50 mg, metformin 500 mg, lisinopril 10 mg, albuterol inhaler.', quote: 'sertraline 50 mg', domain: 'mental_health', direction: 'concern', expect: { dropped: /structured text/ } },
];

describe('the verifier reads every cited span before its tag is stored', () => {
  for (const [i, c] of CASES.entries()) {
    it(`${c.rule} ${i + 1}: "${c.quote}" as ${c.domain} ${c.direction}/${c.status ?? 'current'}`, async () => {
      const out = await verifier.verifyNote(c.text, [proposed(c.text, c.quote, c.domain, c.direction, c.status ?? 'current')]);
      if ('kept' in c.expect) {
        expect(out.tags.map((t) => `${t.domainId}/${t.direction}/${t.status}`)).toEqual([`${c.domain}/${c.direction}/${c.expect.kept}`]);
        expect(out.tagsDropped).toBe(0);
        expect(out.tagsCorrected).toBe(c.expect.kept === (c.status ?? 'current') ? 0 : 1);
        expect(out.checks.filter((k) => k.action === 'corrected')).toHaveLength(out.tagsCorrected);
      } else {
        expect(out.tags).toEqual([]);
        expect(out.tagsDropped).toBe(1);
        expect(out.checks).toHaveLength(1);
        expect(out.checks[0]).toMatchObject({ action: 'dropped', domainId: c.domain, quote: c.quote });
        expect(out.checks[0]!.reason).toMatch(c.expect.dropped);
      }
    });
  }

  it('keeps the citations that support a tag, drops the others, and splits a citation whose status differs', async () => {
    const text = 'Client lost her job at the diner. Her son lost his job too. She was unemployed in 2019 as well.';
    const tag: Tag = {
      domainId: 'employment', direction: 'deterioration', status: 'current', confidence: 0.7,
      citations: ['Client lost her job at the diner', 'Her son lost his job too', 'She was unemployed in 2019 as well'].map((quote) => {
        const start = text.indexOf(quote);
        return { start, end: start + quote.length, quote, match: 'exact' as const, similarity: 1 };
      }),
    };
    const out = await verifier.verifyNote(text, [tag]);
    expect(out.tagsDropped).toBe(0);
    expect(out.tagsCorrected).toBe(1);
    const byStatus = Object.fromEntries(out.tags.map((t) => [t.status, t.citations.map((c) => c.quote)]));
    expect(byStatus).toEqual({ current: ['Client lost her job at the diner'], historical: ['She was unemployed in 2019 as well'] });
    expect(out.checks.map((k) => k.action).sort()).toEqual(['corrected', 'dropped']);
    for (const t of out.tags) for (const c of t.citations) expect(text.slice(c.start, c.end)).toBe(c.quote);
  });

  it('holds hedged evidence ("possibly", "unclear whether") with less confidence, once: verifying again changes nothing', async () => {
    const text = 'Client possibly relapsed over the weekend. It is unclear whether she was evicted. She was evicted from the shelter on Monday.';
    const tags = [proposed(text, 'Client possibly relapsed over the weekend', 'substance_use', 'deterioration'), proposed(text, 'It is unclear whether she was evicted', 'housing', 'deterioration'), proposed(text, 'She was evicted from the shelter on Monday', 'housing', 'concern')];
    const first = await verifier.verifyNote(text, tags);
    expect(first.tags.map((t) => [t.domainId, t.direction, t.confidence])).toEqual([['substance_use', 'deterioration', 0.3], ['housing', 'deterioration', 0.3], ['housing', 'concern', 0.8]]);
    expect(first.checks.map((k) => k.reason)).toEqual(['uncertain ("possibly"): confidence lowered to 0.3', 'uncertain ("unclear whether"): confidence lowered to 0.3']);
    expect(first.tagsCorrected).toBe(2);
    const again = await verifier.verifyNote(text, first.tags);
    expect(again.checks).toEqual([]);
    expect(again.tags).toEqual(first.tags);
  });

  it('tells structured lists from narrative sentences', () => {
    expect(isStructuredText('Hypertension, Type 2 diabetes, Chronic pain, Obesity, Anemia')).toBe(true);
    expect(isStructuredText('Screening for social needs (procedure)')).toBe(true);
    expect(isStructuredText('She lost her job, her car and her apartment in the same month.')).toBe(false);
    expect(isStructuredText('Client reports rent, food, bus fare and phone bills are all behind.')).toBe(false);
  });
});

const CLIENT_NOTES = [
  'note_key,case_key,author_key,written_at,text',
  'N1,K1,S2,2024-01-05 10:00:00,Client denies any drug use. She signed a lease on a new apartment.',
  'N2,K2,S2,2024-03-02 09:00:00,Her son lost his job at the plant. Client works full time at the warehouse.',
  'N3,K3,S3,2024-05-01 15:30:00,Client plans to apply for housing assistance. Client has a history of homelessness.',
].join('\n') + '\n';

/** What a careless model proposes for the notes above: one right tag per note and one the span contradicts. */
function carelessTags(text: string): Tag[] {
  const tags: Tag[] = [];
  const add = (quote: string, domainId: string, direction: Direction) => { if (text.includes(quote)) tags.push(proposed(text, quote, domainId, direction)); };
  add('Client denies any drug use', 'substance_use', 'concern'); // corrected to negated
  add('She signed a lease on a new apartment', 'housing', 'improvement'); // kept
  add('Her son lost his job at the plant', 'employment', 'deterioration'); // dropped: another person
  add('Client works full time at the warehouse', 'employment', 'strength'); // kept
  add('Client plans to apply for housing assistance', 'housing', 'strength'); // dropped: a plan
  add('Client has a history of homelessness', 'housing', 'concern'); // corrected to historical
  return tags;
}

const careless: Scorer = {
  kind: 'llm', model: 'careless', promptVersion: 'test-1',
  async scoreNote(note: NoteInput): Promise<ScoreOutcome> {
    return { tags: carelessTags(note.text), rejectedCitations: 0, droppedTags: 0, usage: { requests: 1, promptTokens: 10, completionTokens: 5 } };
  },
};

/** A verifier that lets everything through: a database scored before the verifier existed. */
const noVerifier: Verifier = { version: 'none', verifyNote: async (_text, tags) => ({ tags: [...tags], checks: [], tagsDropped: 0, tagsCorrected: 0 }) };

async function project() {
  const dir = tempDir();
  writeFiles(dir, { ...CLEAN, 'notes.csv': CLIENT_NOTES });
  const pipeline = writePipeline(dir, 'crm', cleanPipeline());
  return { dir, pipeline, dbPath: path.join(dir, 'db.duckdb') };
}

type StoredTag = { note_id: string; domain_id: string; direction: string; status: string; quote: string };
const storedTags = `SELECT t.note_id, t.domain_id, t.direction, t.status, c.quote FROM note_tags t JOIN tag_citations c USING (tag_id) ORDER BY t.note_id, c.start_offset`;
const EXPECTED_AFTER = [
  { note_id: 'crm:N1', domain_id: 'substance_use', direction: 'concern', status: 'negated', quote: 'Client denies any drug use' },
  { note_id: 'crm:N1', domain_id: 'housing', direction: 'improvement', status: 'current', quote: 'She signed a lease on a new apartment' },
  { note_id: 'crm:N2', domain_id: 'employment', direction: 'strength', status: 'current', quote: 'Client works full time at the warehouse' },
  { note_id: 'crm:N3', domain_id: 'housing', direction: 'concern', status: 'historical', quote: 'Client has a history of homelessness' },
];

describe('scoring runs verify what they store', () => {
  it('drops contradicted tags, corrects statuses, and records and counts both per note and per run', async () => {
    const { dir, pipeline, dbPath } = await project();
    await withDb(dbPath, async (db) => {
      await ingest(db, dir, pipeline);
      const run = await runScoring({ db, scorer: careless, framework });
      expect(run).toMatchObject({ status: 'succeeded', notesScored: 3, tags: 4, tagsContradicted: 2, tagsCorrected: 2, verifier: verifier.version });
      expect(await db.all<StoredTag>(storedTags)).toEqual(EXPECTED_AFTER);
      expect(await db.all(`SELECT note_id, tags, tags_contradicted, tags_corrected FROM note_scores ORDER BY note_id`)).toEqual([
        { note_id: 'crm:N1', tags: 2, tags_contradicted: 0, tags_corrected: 1 },
        { note_id: 'crm:N2', tags: 1, tags_contradicted: 1, tags_corrected: 0 },
        { note_id: 'crm:N3', tags: 1, tags_contradicted: 1, tags_corrected: 1 },
      ]);
      expect(await db.all(`SELECT tags_contradicted, tags_corrected, verifier_version FROM score_runs`)).toEqual([{ tags_contradicted: 2, tags_corrected: 2, verifier_version: verifier.version }]);
      const checks = await db.all<{ note_id: string; action: string; new_status: string | null; reason: string; quote: string }>(
        `SELECT note_id, action, new_status, reason, quote FROM tag_checks ORDER BY note_id, start_offset`);
      expect(checks.map((c) => [c.note_id, c.action, c.new_status, c.quote])).toEqual([
        ['crm:N1', 'corrected', 'negated', 'Client denies any drug use'],
        ['crm:N2', 'dropped', null, 'Her son lost his job at the plant'],
        ['crm:N3', 'dropped', null, 'Client plans to apply for housing assistance'],
        ['crm:N3', 'corrected', 'historical', 'Client has a history of homelessness'],
      ]);
      expect(checks[1]!.reason).toMatch(/another person/);
      expect(checks[2]!.reason).toMatch(/hypothetical/);
    });
  });

  it('caselens verify reports what stored tags their spans contradict, changes them only with --apply, and a second --apply finds nothing', async () => {
    const { dir, pipeline, dbPath } = await project();
    await withDb(dbPath, async (db) => {
      await ingest(db, dir, pipeline);
      await runScoring({ db, scorer: careless, framework, verifier: noVerifier });
      expect(await db.value('SELECT count(*) FROM note_tags')).toBe(6);
      // a hand-made or older database: a tag with no citation at all
      await db.run(`INSERT INTO note_tags SELECT 'T-uncited', note_id, text_sha256, run_id, framework_id, framework_version, scorer, model, prompt_version,
        'income', NULL, 'concern', NULL, 'current', 0.5 FROM note_tags WHERE note_id = 'crm:N1' LIMIT 1`);
    });
    fs.writeFileSync(path.join(dir, 'caselens.config.yaml'), YAML.stringify({
      database: 'db.duckdb', identity: { keyFile: 'identity.key' }, paths: { pipelines: '.', frameworks: path.join(ROOT, 'frameworks') },
    }));
    const report = await runMain(['verify', '--json'], dir);
    expect(report.code).toBe(0);
    expect(JSON.parse(report.out)).toMatchObject({ tagsChecked: 7, notes: 3, tagsContradicted: 3, tagsCorrected: 2, applied: false });
    expect(await withDb(dbPath, (db) => db.value('SELECT count(*) FROM note_tags'))).toBe(7);

    const applied = await runMain(['verify', '--apply'], dir);
    expect(applied.code).toBe(0);
    expect(applied.out).toMatch(/tags dropped \(their cited spans contradict them\)\s+3/);
    expect(applied.out).toMatch(/tags corrected \(status\)\s+2/);
    await withDb(dbPath, async (db) => {
      expect(await db.all<StoredTag>(storedTags)).toEqual(EXPECTED_AFTER);
      expect(await db.value('SELECT count(*) FROM tag_checks')).toBe(5);
      // the apply is a run of its own, and the uncited tag's drop is on record
      expect(await db.all('SELECT DISTINCT run_id FROM tag_checks')).toEqual([{ run_id: -1 }]);
      expect(await db.value(`SELECT reason FROM tag_checks WHERE domain_id = 'income'`)).toMatch(/no citation/);
      expect(await db.value('SELECT sum(tags_contradicted)::INTEGER FROM note_scores')).toBe(3);
      // every citation still points at a tag, and every tag has one
      expect(await db.value('SELECT count(*) FROM tag_citations c LEFT JOIN note_tags t USING (tag_id) WHERE t.tag_id IS NULL')).toBe(0);
      expect(await db.value('SELECT count(*) FROM note_tags t WHERE NOT EXISTS (SELECT 1 FROM tag_citations c WHERE c.tag_id = t.tag_id)')).toBe(0);
      const again = await verifyStoredTags(db, framework, { apply: true });
      expect(again).toMatchObject({ tagsChecked: 4, tagsContradicted: 0, tagsCorrected: 0 });
    });
  });

  it('caselens explain says which cue and context made each tag, what the verifier changed, and what was not counted', async () => {
    const { dir, pipeline, dbPath } = await project();
    await withDb(dbPath, (db) => ingest(db, dir, pipeline));
    fs.writeFileSync(path.join(dir, 'caselens.config.yaml'), YAML.stringify({
      database: 'db.duckdb', identity: { keyFile: 'identity.key' }, paths: { pipelines: '.', frameworks: path.join(ROOT, 'frameworks') },
    }));
    const text = await runMain(['explain', 'Growing up, she often did not have enough to eat. Client plans to apply for housing assistance.'], dir);
    expect(text.code).toBe(0);
    expect(text.out).toMatch(/food concern\/current ← cue "[^"]+"/);
    expect(text.out).toMatch(/verifier corrected food concern\/current → historical: in the past \("Growing up"\)/);
    expect(text.out).toMatch(/not counted: .*housing.*hypothetical or planned/);
    const note = await runMain(['explain', '--note', 'crm:N1', '--json'], dir);
    expect(note.code).toBe(0);
    const json = JSON.parse(note.out);
    expect(json.findings.map((f: { domainId: string }) => f.domainId)).toContain('substance_use');
    expect(json.stored.find((t: { domainId: string }) => t.domainId === 'substance_use')).toMatchObject({ status: 'negated' });
    const missing = await runMain(['explain', '--note', 'crm:NOPE'], dir);
    expect(missing.code).toBe(2);
    expect(missing.err).toContain('no note "crm:NOPE"');
  });

  it('caselens score over an OpenAI-compatible provider prints what the verifier dropped and corrected', async () => {
    const answer = (req: RecordedRequest) => {
      const sentences = [...sentencesOf(req).entries()];
      const tags = [];
      for (const [n, s] of sentences) {
        if (s.includes('denies any drug use')) tags.push({ domain: 'substance_use', direction: 'concern', status: 'current', confidence: 0.9, evidence: [{ sentence: n, quote: 'denies any drug use' }] });
        if (s.includes('son lost his job')) tags.push({ domain: 'employment', direction: 'deterioration', status: 'current', confidence: 0.9, evidence: [{ sentence: n, quote: s.replace(/\.$/, '') }] });
        if (s.includes('works full time')) tags.push({ domain: 'employment', direction: 'strength', status: 'current', confidence: 0.9, evidence: [{ sentence: n, quote: 'works full time at the warehouse' }] });
      }
      return { json: { tags } };
    };
    const fake = await startFakeOpenAI(answer);
    try {
      const { dir } = await project();
      fs.writeFileSync(path.join(dir, 'caselens.config.yaml'), YAML.stringify({
        database: 'db.duckdb', identity: { keyFile: 'identity.key' }, paths: { pipelines: '.', frameworks: path.join(ROOT, 'frameworks') },
        scoring: { provider: 'openai', openai: { baseURL: fake.url, apiKey: 'test-key', model: 'fake-model', maxRetries: 0, concurrency: 1 } },
      }));
      expect((await runMain(['ingest', 'crm'], dir)).code).toBe(0);
      const scored = await runMain(['score'], dir);
      expect(scored.code).toBe(0);
      expect(scored.out).toMatch(/tags stored\s+2/);
      expect(scored.out).toMatch(/tags dropped \(their cited spans contradict them\)\s+1/);
      expect(scored.out).toMatch(/tags corrected by the verifier \(status\)\s+1/);
      await withDb(path.join(dir, 'db.duckdb'), async (db) => {
        expect(await db.all(`SELECT domain_id, direction, status FROM note_tags ORDER BY domain_id`)).toEqual([
          { domain_id: 'employment', direction: 'strength', status: 'current' },
          { domain_id: 'substance_use', direction: 'concern', status: 'negated' },
        ]);
      });
    } finally {
      await fake.close();
    }
  });
});
