import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createCueMatcher, frameworkSchema, loadFramework, type Framework, type FrameworkInput } from '../../src/frameworks/index.ts';
import { createOfflineScorer, createWordCueMatcher, explain, INDICATOR_CONFIDENCE, OFFLINE_PROMPT_VERSION, TOPIC_CONFIDENCE, WEAK_CONFIDENCE } from '../../src/score/offline.ts';
import type { Tag } from '../../src/score/types.ts';
import { Db } from '../../src/store/index.ts';
import { evalSdoh } from '../../src/score/cli.ts';
import { createVerifier } from '../../src/score/verify.ts';

const ROOT = path.resolve(import.meta.dirname, '..', '..');
const SAMPLE_NOTES = path.join(ROOT, 'data', 'sample', 'notes.csv');
const SAMPLE_TRUTH = path.join(ROOT, 'data', 'sample', 'truth', 'notes_truth.csv');
const SDOH = path.resolve(ROOT, '..', 'shared', 'data', 'notes', 'sdoh-sentences', 'Iteration_1.csv');

const loaded = loadFramework(path.join(ROOT, 'frameworks', 'self-sufficiency.yaml'));
if (!loaded.ok) throw new Error(`framework does not load: ${JSON.stringify(loaded.problems)}`);
const framework: Framework = loaded.framework;
const scorer = createOfflineScorer(framework);

async function tagsOf(text: string): Promise<Tag[]> {
  const outcome = await scorer.scoreNote({ noteId: 'n1', text, textSha256: '' });
  for (const tag of outcome.tags) {
    expect(tag.citations.length).toBeGreaterThan(0);
    for (const c of tag.citations) expect(text.slice(c.start, c.end)).toBe(c.quote);
  }
  return outcome.tags;
}

/** "domain direction/status" for each tag, sorted. */
async function read(text: string): Promise<string[]> {
  return (await tagsOf(text)).map((t) => `${t.domainId} ${t.direction}/${t.status}`).sort();
}

describe('offline scorer: indicator cues in context', () => {
  it('strength and concern', async () => {
    expect(await read('Housing remains stable and rent is paid through the end of the month.')).toEqual(['housing strength/current']);
    expect(await read('Client received an eviction notice and has 30 days to vacate.')).toEqual(['housing concern/current']);
  });

  it('negated: a denied concern is a negated concern, an absent strength is a current concern', async () => {
    expect(await read('Denies any substance use.')).toEqual(['substance_use concern/negated']);
    expect(await read('Client reports no suicidal thoughts.')).toEqual(['mental_health concern/negated']);
    expect(await read('She does not have reliable transportation.')).toEqual(['transport concern/current']);
    // a negation word inside a cue belongs to the cue and negates nothing after it
    expect(await read('He is not sleeping and feels hopeless.')).toEqual(['mental_health concern/current']);
  });

  it('pseudo-negations do not negate', async () => {
    expect(await read('No change in her depression since last month.')).toEqual(['mental_health concern/current']);
  });

  it('historical: years, "used to", "no longer"', async () => {
    expect(await read('Client was evicted in 2019.')).toEqual(['housing concern/historical']);
    expect(await read('She used to be homeless.')).toEqual(['housing concern/historical']);
    expect(await read('She is no longer homeless.')).toEqual(['housing concern/historical']);
    expect(await read('He had a DUI back in 2014.')).toEqual(['legal concern/historical']);
  });

  it('hypothetical statements, goals and plans are skipped', async () => {
    expect(await read('Goal is to find stable housing.')).toEqual([]);
    expect(await read('Client plans to apply for SNAP next month.')).toEqual([]);
    expect(await read('If she loses her job she will apply for unemployment.')).toEqual([]);
  });

  it('improvement and deterioration from change cues', async () => {
    expect(await read('Her mood has improved since starting therapy.')).toEqual(['mental_health improvement/current']);
    expect(await read('He relapsed again and his drinking has gotten worse.')).toEqual(['substance_use deterioration/current']);
    expect(await read('He lost his bus pass.')).toEqual(['transport deterioration/current']);
    // a concern next to a resolution word is an improvement
    expect(await read('She has had fewer panic attacks this month.')).toEqual(['mental_health improvement/current']);
    // a domain's own change cues: "daycare closed" is a childcare deterioration
    expect(await read('Her daycare closed last week.')).toEqual(['childcare deterioration/current']);
  });

  it('scope terminators end a negation', async () => {
    expect(await read('Denies drinking but still using meth.')).toEqual(['substance_use concern/current', 'substance_use concern/negated']);
  });

  it('a cue inside a longer cue of another domain is read as part of it', async () => {
    expect(await read('Her unemployment benefits were reinstated.')).toEqual(['income improvement/current']);
  });
});

describe('offline scorer: topic words with valence words (second tier)', () => {
  it('a topic with a problem word is a concern, at topic confidence', async () => {
    const tags = await tagsOf('She is struggling to keep up with the rent.');
    expect(tags.map((t) => [t.domainId, t.direction, t.status, t.confidence, t.indicatorId])).toEqual([['housing', 'concern', 'current', TOPIC_CONFIDENCE, undefined]]);
    expect(await read('Patient reports difficulty finding reliable rides to appointments.')).toEqual(['transport concern/current']);
    expect(await read('She does not have any friends in the area.')).toEqual(['family_social concern/current']);
  });

  it('a topic with a strength word is a strength', async () => {
    expect(await read('The apartment is clean and affordable.')).toEqual(['housing strength/current']);
  });

  it('a denied problem word is a negated concern', async () => {
    expect(await read('Transportation is not a barrier for him.')).toEqual(['transport concern/negated']);
    expect(await read('No concerns about housing at this time.')).toEqual(['housing concern/negated']);
    expect(await read('Reports no pain today.')).toEqual(['health_care concern/negated']);
  });

  it('a topic with a change word only is an improvement or deterioration', async () => {
    expect(await read('Her childcare subsidy was approved.')).toEqual(['childcare improvement/current']);
  });

  it('a topic without valence is not evidence', async () => {
    expect(await read('She lives in an apartment downtown.')).toEqual([]);
    expect(await read('We met at the bus station.')).toEqual([]);
  });

  it('indicator cues outrank topic words, with their own confidence', async () => {
    const tags = await tagsOf('Client has no car.');
    expect(tags.map((t) => [t.domainId, t.direction, t.confidence])).toEqual([['transport', 'concern', INDICATOR_CONFIDENCE]]);
  });
});

describe('offline scorer: what is not evidence', () => {
  it('agency information, topics not covered and other people are not tagged', async () => {
    expect(await read('Housing was not discussed today.')).toEqual([]);
    expect(await read('Discussed the housing waitlist process in general terms.')).toEqual([]);
    expect(await read('Flyer for GED classes posted in the lobby.')).toEqual([]);
    expect(await read('The housing authority office is closed on Monday.')).toEqual([]);
    expect(await read('Her neighbour was evicted last month.')).toEqual([]);
    expect(await read("Client's roommate just bought a car.")).toEqual([]);
    // the client's own statement next to someone else's still counts
    expect(await read('She was threatened by a neighbour.')).toEqual(['safety deterioration/current']);
  });
});

describe('offline scorer: citations', () => {
  it('a citation is the clause its cue matched in, with exact offsets', async () => {
    const text = 'Update: denies drinking but still using meth; will follow up next week.';
    const tags = await tagsOf(text);
    const quotes = tags.flatMap((t) => t.citations.map((c) => c.quote)).sort();
    expect(quotes).toEqual(['but still using meth', 'denies drinking']);
    for (const t of tags) for (const c of t.citations) expect(c).toMatchObject({ match: 'position', similarity: 1 });
  });

  it('offsets stay exact around emoji and CRLF line breaks', async () => {
    const text = '🙂 Client feels safe at home 👍.\r\nShe was evicted in 2019 😊; she is no longer homeless.\r\n\r\n🙏 Denies any substance use 🙂\r\n';
    const tags = await tagsOf(text);
    expect(tags.map((t) => `${t.domainId} ${t.direction}/${t.status}`).sort()).toEqual([
      'housing concern/historical',
      'safety strength/current',
      'substance_use concern/negated',
    ]);
    for (const c of tags.flatMap((t) => t.citations)) {
      expect(c.quote).not.toMatch(/[\r\n]/);
      // never half of a surrogate pair at either end
      expect(c.quote).not.toMatch(/^[\uDC00-\uDFFF]|[\uD800-\uDBFF]$/);
    }
    const housing = tags.find((t) => t.domainId === 'housing')!;
    expect(housing.citations.map((c) => c.quote)).toEqual(['She was evicted in 2019 😊', 'she is no longer homeless']);
  });

  it('one tag per domain, direction and status, citing every clause', async () => {
    const tags = await tagsOf('Client was evicted in 2019. She was homeless for two years before 2015.');
    expect(tags).toHaveLength(1);
    expect(tags[0]!.citations).toHaveLength(2);
    expect(tags[0]!.confidence).toBeCloseTo(INDICATOR_CONFIDENCE + 0.1);
  });
});

describe('offline scorer: negation scope', () => {
  it('a missing resource is a current concern, a denied problem a negated one', async () => {
    expect(await read('No current income or food.')).toEqual(['food concern/current', 'income concern/current']);
    expect(await read('No concerns about housing at this time.')).toEqual(['housing concern/negated']);
    expect(await read('Denies drug use.')).toEqual(['substance_use concern/negated']);
    // the denied concerns reach what they are about
    expect(await read('Reports no significant concerns with mental health or substance use.')).toEqual(['mental_health concern/negated', 'substance_use concern/negated']);
  });

  it('a problem avoided while doing something is a strength; a reported denial stays negated', async () => {
    expect(await read('He worked every weekend without missing a shift.')).toEqual(['employment strength/current']);
    expect(await read('She has not missed any shifts this month.')).toEqual(['employment concern/negated']);
  });

  it('scope ends at terminators and link words, and at the first indicator cue it reaches', async () => {
    expect(await read('Denies drug use, which her probation officer confirmed.')).toEqual(['substance_use concern/negated']);
    expect(await read('Without stable housing she cannot keep a job.')).toEqual(['employment concern/current', 'housing concern/current']);
  });

  it('a topic word inside an absence is what is missing', async () => {
    expect(await read('The patient has no one available for assistance in coordinating medical appointments.')).toContain('family_social concern/current');
  });

  it('a time word before an -ing verb opens no clause: a problem word before it is about what follows', async () => {
    expect(await read('Client expresses frustration with long wait times when using public transit.')).toEqual(['transport concern/current']);
  });

  it('"has not slept" is a symptom, not a negated housing problem', async () => {
    expect(await read('Has not slept in 3 days and appears manic.')).toEqual(['mental_health concern/current']);
  });
});

describe('offline scorer: experiencer', () => {
  it("a relative's difficulty in a domain about the client's own circumstances counts for the relative's domain", async () => {
    expect(await read('Her son is unemployed.')).toEqual(['parenting concern/current']);
    expect(await read('She has a son who is unemployed.')).toEqual(['parenting concern/current']);
    expect(await read('Her husband lost his job last month.')).toEqual(['family_social deterioration/current']);
  });

  it('household domains count what relatives do; acts toward the client count whoever does them', async () => {
    expect(await read('Her sister watches the kids while she works.')).toEqual(['childcare strength/current']);
    expect(await read('Her neighbour drives her to her appointments.')).toEqual(['family_social strength/current', 'transport strength/current']);
  });

  it('groups of other people are not the client', async () => {
    expect(await read('Some patients report feeling unsafe at bus stops at night.')).toEqual([]);
    expect(await read('Some patients report feeling unsafe while waiting at bus stops late at night.')).toEqual([]);
    expect(await read('She volunteers at a program for homeless veterans.')).toEqual(['family_social strength/current']);
  });

  it('a parent word with no owner as the subject is the client; with an owner, or several, a relative', async () => {
    expect(await read('Father attended the appointment alone.')).toEqual([]);
    expect(await read('Her father attended the appointment alone.')).toEqual(['family_social concern/current']);
    expect(await read('Parents assist financially.')).toEqual(['family_social strength/current']);
  });

  it('a community group as the subject of a helping act is support for the client', async () => {
    expect(await read('Local charity donates funds towards her transportation costs.')).toEqual(['family_social strength/current']);
    expect(await read('Her church community provides meals twice a week.')).toEqual(['family_social strength/current', 'food strength/current']);
  });

  it("a relative's worry about the client is no problem in the relationship", async () => {
    expect(await read('Husband expressed concern about her worsening cough.')).toEqual(['family_social strength/current']);
  });
});

describe('offline scorer: structure, collisions and the domain cap', () => {
  it('does not read coded terms, list sections or screening names as findings', async () => {
    expect(await read('Patient has a history of part-time employment (finding), reports of violence in the environment (finding), stress (finding), social isolation (finding).')).toEqual([]);
    expect(await read('# Chief Complaint\n- Hunger\n\n# Social History\nPatient currently has NO INSURANCE.')).toEqual(['health_care concern/current']);
    expect(await read('Depression screening completed today.')).toEqual([]);
    expect(await read('Screening for domestic abuse was done at intake.')).toEqual([]);
  });

  it('phrases that contain a cue but mean something else are not read', async () => {
    expect(await read('He started volunteering at the animal shelter.')).toEqual(['family_social improvement/current']);
    expect(await read('Patient reports increased hunger and thirst.')).toEqual([]);
    expect(await read('Addiction counselor involved.')).toEqual(['substance_use strength/current']);
  });

  it('a gained crisis resource is still a concern; a gained strength an improvement', async () => {
    expect(await read('Client found shelter in the emergency department.')).toEqual(['housing concern/current']);
    expect(await read('She found an apartment near her work.')).toEqual(['housing improvement/current']);
  });

  it('a background fact is not a change', async () => {
    expect(await read('Patient has completed some college courses.')).toEqual(['education strength/current']);
  });

  it('each part of a sentence between commas speaks for at most two domains', async () => {
    const tags = await tagsOf('Job loss, housing risk, depression worsening.');
    expect(tags.map((t) => `${t.domainId} ${t.direction}/${t.status}`).sort()).toEqual(['employment deterioration/current', 'housing concern/current', 'mental_health deterioration/current']);
    expect(tags.flatMap((t) => t.citations.map((c) => c.quote)).sort()).toEqual(['Job loss', 'depression worsening', 'housing risk']);
    const e = explain(framework, 'Evicted, unemployed, drinking and depressed.');
    expect(new Set(e.tags.map((t) => t.domainId)).size).toBeGreaterThanOrEqual(3);
    const e2 = explain(framework, 'Evicted and unemployed and drinking and depressed.');
    expect(new Set(e2.tags.map((t) => t.domainId)).size).toBe(2);
    expect(e2.skipped.filter((x) => x.reason.startsWith('more than 2 domains'))).toHaveLength(2);
  });

  it('weak (presence) cues count only when nothing else speaks to their domain', async () => {
    const married = await tagsOf('The patient is married and has three kids.');
    expect(married.map((t) => [t.domainId, t.direction, t.confidence])).toEqual(
      expect.arrayContaining([['family_social', 'strength', WEAK_CONFIDENCE], ['parenting', 'concern', WEAK_CONFIDENCE]]),
    );
    expect(await read('Her husband is abusive and she is afraid of him.')).not.toContain('family_social strength/current');
  });
});

describe('explain', () => {
  it('gives the cue, tier and context behind every finding, what was skipped and why, and the structure', () => {
    const text = 'Client denies drinking but still using meth. Her neighbour was evicted.\n# Medications\nsertraline 50 mg';
    const e = explain(framework, text);
    expect(e.tags).toEqual(scorerTagsSync(text));
    const negated = e.findings.find((f) => f.status === 'negated')!;
    expect(negated).toMatchObject({ domainId: 'substance_use', tier: 'indicator', cues: ['drinking'], quote: 'Client denies drinking' });
    expect(negated.context).toEqual(['negation: "denies"']);
    expect(e.skipped).toEqual([expect.objectContaining({ domainId: 'housing', quote: 'evicted', reason: 'about another person ("neighbour")' })]);
    expect(e.structured.map((x) => x.reason)).toEqual(['heading', 'list-section']);
    for (const f of e.findings) expect(text.slice(f.start, f.end)).toBe(f.quote);
  });

  it('records the prompt version of this scorer in its tags', () => {
    expect(createOfflineScorer(framework).promptVersion).toBe(`${OFFLINE_PROMPT_VERSION}+self-sufficiency@1.2.0`);
    expect(OFFLINE_PROMPT_VERSION).toBe('offline-v3');
  });
});

/** The tags scoreNote stores, computed the same way but synchronously for comparison. */
function scorerTagsSync(text: string) {
  return explain(framework, text).tags;
}

describe('createWordCueMatcher', () => {
  it('finds exactly what createCueMatcher finds', () => {
    const cues = [
      ...framework.negationCues, ...framework.pseudoNegationCues, ...framework.historicalCues, ...framework.scopeTerminators,
      "driver's licen*", 'part-time', 'pre-k', 'no-show', 'ex-partner', 'f/u', 'h/o', 'ssi/ssdi', 'a1c', 'in 20##', 'evict*', 'self-harm', 'no one to', 'a.m',
      'lost _ job', 'sleeping in _ car', 'no _ _ income', '# children', '## kids', 'age 1#', 'in-laws', 'ex-wife',
    ];
    const entries = [...new Set(cues)].map((cue) => ({ cue, value: cue.length % 3 === 0 ? 'a' : 'b' }));
    const texts = [
      "Pt's driver’s licence lapsed in 2019; no-show x2. F/U w/ PCP. H/O DV with ex partner, SSI/SSDI pending, A1C 7.2 at 9 a.m.",
      'Works part time (parttime, part-time); kids in pre k and prek. No longer homeless, not only evicted but evicting. Self harm denied.',
      'Denies any SI, never, none; history of eviction in 2019 — but no one to call. No change. Without fail.',
      "She lost her job; he lost his son's job; lost job. Sleeping in her car, sleeping in car. No steady monthly income.",
      'Has 3 children and 12 kids, 123 children, ٣ children, age 14 and age 140; in-laws, in laws, inlaws, ex wife, exwife, ex-wife.',
      '', '   ', '🙂 no\r\nno\tno  denies',
    ];
    for (const group of [undefined, (v: string) => v]) {
      const expected = createCueMatcher(entries, group ? { overlapGroup: group } : {});
      const actual = createWordCueMatcher(entries, group);
      for (const text of texts) expect(actual(text), text).toEqual(expected(text));
    }
  });

  it('rejects a cue with invalid syntax', () => {
    expect(() => createWordCueMatcher([{ cue: 'Evict(ed)', value: 1 }])).toThrow(TypeError);
  });
});

describe('framework schema: topic tier fields', () => {
  const shipped = (): FrameworkInput => structuredClone(framework) as FrameworkInput;

  it('the shipped framework has topic cues for every domain and both valence lists', () => {
    for (const d of framework.domains) expect(d.topicCues.length, d.id).toBeGreaterThan(0);
    expect(framework.adverseCues.length).toBeGreaterThan(0);
    expect(framework.supportiveCues.length).toBeGreaterThan(0);
  });

  it('rejects bad syntax, duplicates, a word in both valence lists and a topic cue that is an indicator cue', () => {
    const messages = (mutate: (fw: FrameworkInput) => void) => {
      const fw = shipped();
      mutate(fw);
      const result = frameworkSchema.safeParse(fw);
      return result.success ? [] : result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    };
    expect(messages((fw) => fw.domains[0]!.topicCues!.push('Rent(al)'))[0]).toMatch(/^domains\.0\.topicCues\.\d+: cue "Rent\(al\)" must be lowercase/);
    expect(messages((fw) => fw.domains[0]!.topicCues!.push('landlord'))).toEqual([expect.stringMatching(/^domains\.0\.topicCues\.\d+: duplicate cue "landlord"$/)]);
    expect(messages((fw) => fw.domains[0]!.topicCues!.push('evict*'))).toEqual([
      expect.stringMatching(/^domains\.0\.topicCues\.\d+: cue "evict\*" is already a cue of indicator "housing_loss"; keep it in one place$/),
    ]);
    expect(messages((fw) => fw.supportiveCues!.push('struggl*'))).toEqual([expect.stringMatching(/^supportiveCues\.\d+: cue "struggl\*" is also listed in adverseCues$/)]);
    expect(messages((fw) => fw.adverseCues!.push('unsafe'))).toEqual([expect.stringMatching(/^adverseCues\.\d+: duplicate cue "unsafe"$/)]);
    expect(messages((fw) => fw.nonEvidenceCues!.push('denies'))).toEqual([expect.stringMatching(/^nonEvidenceCues\.\d+: cue "denies" is also listed in negationCues$/)]);
    expect(messages((fw) => fw.otherPersonCues!.push('roommate'))).toEqual([expect.stringMatching(/^otherPersonCues\.\d+: duplicate cue "roommate"$/)]);
  });

  it('the new fields are optional', () => {
    const fw = shipped() as Record<string, unknown>;
    for (const key of ['adverseCues', 'supportiveCues', 'nonEvidenceCues', 'otherPersonCues']) delete fw[key];
    for (const d of fw.domains as Record<string, unknown>[]) delete d.topicCues;
    const result = frameworkSchema.safeParse(fw);
    expect(result.success).toBe(true);
    if (result.success) {
      expect(result.data.adverseCues).toEqual([]);
      expect(result.data.domains[0]!.topicCues).toEqual([]);
    }
  });
});

// -----------------------------------------------------------------------------------------------
// Regression guards on labelled data. F1 is computed here, independently of src/score/eval.ts.

interface Unit {
  unit: string;
  domain: string;
  key: string;
}

/** Macro F1 over the domains that have gold rows: per domain, units × keys as sets. */
function macroF1(gold: Unit[], predicted: Unit[], domains: string[]): number {
  const g = new Set(gold.map((x) => `${x.unit}\u0000${x.key}`));
  const p = new Set(predicted.map((x) => `${x.unit}\u0000${x.key}`));
  const domainOf = (k: string) => k.split('\u0000')[1]!.split('|')[0]!;
  const f1s: number[] = [];
  for (const domain of domains) {
    const gd = [...g].filter((k) => domainOf(k) === domain);
    if (gd.length === 0) continue;
    const pd = [...p].filter((k) => domainOf(k) === domain);
    const tp = gd.filter((k) => p.has(k)).length;
    const precision = pd.length ? tp / pd.length : 0;
    const recall = tp / gd.length;
    f1s.push(precision + recall ? (2 * precision * recall) / (precision + recall) : 0);
  }
  return f1s.reduce((a, b) => a + b, 0) / f1s.length;
}

/** Domain and polarity: positive (strength, improvement), concern (concern, deterioration) or negated. */
function polarityKey(domain: string, direction: string, status: string): string {
  const polarity = status === 'negated' ? 'negated' : direction === 'strength' || direction === 'improvement' ? 'positive' : 'concern';
  return `${domain}|${polarity}`;
}

async function readCsv<T>(file: string, columns: string): Promise<T[]> {
  const db = await Db.open(':memory:');
  try {
    return await db.all<T>(`SELECT ${columns} FROM read_csv($1, header = true, all_varchar = true)`, [file]);
  } finally {
    db.close();
  }
}

// The level reached when this test was last tuned (0.877), less 0.02 of slack.
const SAMPLE_POLARITY_F1_FLOOR = 0.857;
// The public SDOH sentences (issue 11's goals): judged as stored (after the verifier), on the rows
// not used while tuning (even rows) as well as on all of them.
const SDOH_DOMAIN_F1_GOAL = 0.75;
const SDOH_POLARITY_F1_GOAL = 0.65;
const haveSdoh = fs.existsSync(SDOH);
if (!haveSdoh) console.warn(`[caselens tests] ${SDOH} is absent: skipping the offline scorer's SDOH goals${process.env.CI === 'true' ? ' (but CI must have it: failing)' : ''}`);

describe('offline scorer on labelled notes', () => {
  it(`sample notes: polarity-level macro F1 ≥ ${SAMPLE_POLARITY_F1_FLOOR}`, async () => {
    const notes = await readCsv<{ note_key: string; text: string }>(SAMPLE_NOTES, 'note_key, text');
    const truth = await readCsv<{ note_key: string; domain: string; direction: string; status: string }>(SAMPLE_TRUTH, 'note_key, domain, direction, status');
    expect(notes.length).toBeGreaterThan(1000);
    const gold = truth.map((t) => ({ unit: t.note_key, domain: t.domain, key: polarityKey(t.domain, t.direction, t.status) }));
    const predicted: Unit[] = [];
    for (const n of notes) {
      const { tags } = await scorer.scoreNote({ noteId: n.note_key, text: n.text, textSha256: '' });
      for (const t of tags) {
        for (const c of t.citations) if (n.text.slice(c.start, c.end) !== c.quote) throw new Error(`inexact citation in ${n.note_key}`);
        predicted.push({ unit: n.note_key, domain: t.domainId, key: polarityKey(t.domainId, t.direction, t.status) });
      }
    }
    const f1 = macroF1(gold, predicted, framework.domains.map((d) => d.id));
    expect(f1).toBeGreaterThanOrEqual(SAMPLE_POLARITY_F1_FLOOR);
  });

  it.skipIf(!haveSdoh && process.env.CI !== 'true')(`public SDOH sentences (${path.relative(ROOT, SDOH)}): domain macro F1 ≥ ${SDOH_DOMAIN_F1_GOAL} and polarity ≥ ${SDOH_POLARITY_F1_GOAL}, on the held-out even rows and on all`, async () => {
    expect(haveSdoh, `${SDOH} must exist in CI`).toBe(true);
    const r = await evalSdoh(SDOH, scorer, {}, createVerifier(framework));
    expect(r.sentences).toBeGreaterThan(800);
    const [domain, polarity] = r.reports;
    const [evenDomain, evenPolarity] = r.halves.even.reports;
    expect({ all: domain!.macroF1 >= SDOH_DOMAIN_F1_GOAL, even: evenDomain!.macroF1 >= SDOH_DOMAIN_F1_GOAL }, `domain macro F1: all ${domain!.macroF1}, even ${evenDomain!.macroF1}`).toEqual({ all: true, even: true });
    expect({ all: polarity!.macroF1 >= SDOH_POLARITY_F1_GOAL, even: evenPolarity!.macroF1 >= SDOH_POLARITY_F1_GOAL }, `polarity macro F1: all ${polarity!.macroF1}, even ${evenPolarity!.macroF1}`).toEqual({ all: true, even: true });
  });
});
