import { describe, expect, it } from 'vitest';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  bandFor,
  createIndicatorMatcher,
  findFramework,
  findInstrument,
  formatProblem,
  loadFrameworks,
  matchCues,
  validateFrameworkFile,
  type Framework,
  type Instrument,
} from '../../src/frameworks/index.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const frameworksDir = path.join(root, 'frameworks');

const DOMAIN_IDS = [
  'housing',
  'income',
  'employment',
  'food',
  'childcare',
  'education',
  'legal',
  'health_care',
  'life_skills',
  'mental_health',
  'substance_use',
  'family_social',
  'transport',
  'safety',
  'parenting',
];

function loadShipped(): Framework {
  const { frameworks, problems } = loadFrameworks(frameworksDir);
  expect(problems.map((p) => formatProblem(p, { withLine: true }))).toEqual([]);
  const found = findFramework(frameworks, 'self-sufficiency');
  if (!found) throw new Error('self-sufficiency framework not found');
  return found.framework;
}

function instrument(fw: Framework, id: string): Instrument {
  const inst = findInstrument(fw, id);
  if (!inst) throw new Error(`instrument ${id} not found`);
  return inst;
}

describe('shipped framework files', () => {
  it('every file in frameworks/ validates', () => {
    const files = readdirSync(frameworksDir).filter((f) => /\.(ya?ml|json)$/.test(f));
    expect(files).toContain('self-sufficiency.yaml');
    for (const f of files) {
      expect(validateFrameworkFile(path.join(frameworksDir, f)).map((p) => formatProblem(p, { withLine: true }))).toEqual([]);
    }
  });

  it('self-sufficiency has id, version and a 1-5 scale', () => {
    const fw = loadShipped();
    expect(fw.id).toBe('self-sufficiency');
    expect(fw.version).toBe('1.2.0');
    expect(fw.scale.map((l) => [l.value, l.label])).toEqual([
      [1, 'In crisis'],
      [2, 'Vulnerable'],
      [3, 'Stable'],
      [4, 'Building capacity'],
      [5, 'Thriving'],
    ]);
  });

  it('has exactly the 15 domains', () => {
    expect(loadShipped().domains.map((d) => d.id)).toEqual(DOMAIN_IDS);
  });

  it('every domain describes levels 1-5 and has strength and concern cues', () => {
    for (const d of loadShipped().domains) {
      expect(Object.keys(d.levels).sort(), d.id).toEqual(['1', '2', '3', '4', '5']);
      // presence (weak) cues are counted apart: they are vocabulary, not evidence on their own
      const strength = d.indicators.filter((i) => i.direction === 'strength' && !i.weak).flatMap((i) => i.cues);
      const concern = d.indicators.filter((i) => i.direction === 'concern' && !i.weak).flatMap((i) => i.cues);
      expect(strength.length, `${d.id} strength cues`).toBeGreaterThanOrEqual(5);
      expect(concern.length, `${d.id} concern cues`).toBeGreaterThanOrEqual(5);
      expect(strength.length + concern.length, `${d.id} cue count`).toBeGreaterThanOrEqual(15);
      expect(strength.length + concern.length, `${d.id} cue count`).toBeLessThanOrEqual(160);
      expect(d.improvementCues.length, `${d.id} improvement cues`).toBeGreaterThan(0);
      expect(d.deteriorationCues.length, `${d.id} deterioration cues`).toBeGreaterThan(0);
    }
  });

  it('recognises the phrases case workers write for housing and substance use', () => {
    const fw = loadShipped();
    const cues = (domainId: string, direction: string) =>
      fw.domains.find((d) => d.id === domainId)?.indicators.filter((i) => i.direction === direction).flatMap((i) => i.cues) ?? [];
    const recognised = (phrases: string[], list: string[]) => phrases.filter((p) => matchCues(p, list).length > 0);
    const housingConcern = ['evicted', 'eviction notice', 'homeless', 'homelessness', 'couch surfing', 'sleeping in car', 'behind on rent', 'staying at the shelter'];
    expect(recognised(housingConcern, cues('housing', 'concern'))).toEqual(housingConcern);
    const housingStrength = ['signed a lease', 'stable housing', 'moved into', 'housing voucher approved'];
    expect(recognised(housingStrength, cues('housing', 'strength'))).toEqual(housingStrength);
    const substanceConcern = ['relapse', 'relapsed', 'using again', 'positive UDS', 'drinking heavily'];
    expect(recognised(substanceConcern, cues('substance_use', 'concern'))).toEqual(substanceConcern);
  });

  it('every example sentence is found by its own indicator, and not by the opposite direction of its domain', () => {
    const fw = loadShipped();
    const match = createIndicatorMatcher(fw);
    for (const d of fw.domains) {
      for (const ind of d.indicators) {
        for (const example of ind.examples) {
          const found = match(example);
          expect(found.some((m) => m.value.indicatorId === ind.id), `${ind.id}: ${example}`).toBe(true);
          // a presence cue ("partner", "two children") may sit in an example of either direction: valence words decide it
          const opposite = found.filter((m) => m.value.domainId === d.id && m.value.direction !== ind.direction && !m.value.weak);
          expect(opposite.map((m) => m.match), `${ind.id}: ${example}`).toEqual([]);
        }
      }
    }
  });

  it('negation and time cues cover the usual phrasing', () => {
    const fw = loadShipped();
    expect(fw.negationCues).toEqual(expect.arrayContaining(['no', 'not', 'denies', 'without', 'negative for']));
    expect(fw.historicalCues).toEqual(expect.arrayContaining(['history of', 'previously', 'years ago', 'used to', 'back in', 'as a child', 'in 20##', 'no longer']));
    // "no longer" means "was, and is not now": historical, not a plain negation.
    expect(fw.negationCues).not.toContain('no longer');
    expect(matchCues('Evicted in 2019, housed since.', fw.historicalCues).map((m) => m.match)).toEqual(['in 2019']);
    expect(matchCues('She is no longer homeless.', [...fw.negationCues, ...fw.historicalCues]).map((m) => m.match)).toEqual(['no longer']);
  });

  it('uses plain-YAML-safe cues: "no" survives as a string', () => {
    expect(loadShipped().negationCues[0]).toBe('no');
  });
});

describe('shipped instruments', () => {
  it('PHQ-9: 9 items 0-3, sum 0-27, bands, reliable change 6, cut-off 10', () => {
    const phq9 = instrument(loadShipped(), 'phq9');
    expect(phq9.items).toHaveLength(9);
    expect(phq9.items.every((i) => i.min === 0 && i.max === 3)).toBe(true);
    expect(phq9.scoring).toEqual({ method: 'sum', min: 0, max: 27 });
    expect(phq9.bands.map((b) => [b.label, b.min, b.max])).toEqual([
      ['minimal', 0, 4],
      ['mild', 5, 9],
      ['moderate', 10, 14],
      ['moderately severe', 15, 19],
      ['severe', 20, 27],
    ]);
    expect(phq9.reliableChange).toBe(6);
    expect(phq9.clinicalCutoff).toBe(10);
    expect(phq9.direction).toBe('higher_is_worse');
    expect(phq9.loinc).toEqual({ panel: '44249-1', total: '44261-6' });
    expect(phq9.items[8]?.flag?.atOrAbove).toBe(1);
    expect(phq9.domains).toEqual(['mental_health']);
  });

  it('GAD-7: 7 items 0-3, sum 0-21, bands, reliable change 4, cut-off 8', () => {
    const gad7 = instrument(loadShipped(), 'gad7');
    expect(gad7.items).toHaveLength(7);
    expect(gad7.items.every((i) => i.min === 0 && i.max === 3)).toBe(true);
    expect(gad7.scoring).toEqual({ method: 'sum', min: 0, max: 21 });
    expect(gad7.bands.map((b) => [b.label, b.min, b.max])).toEqual([
      ['minimal', 0, 4],
      ['mild', 5, 9],
      ['moderate', 10, 14],
      ['severe', 15, 21],
    ]);
    expect(gad7.reliableChange).toBe(4);
    expect(gad7.clinicalCutoff).toBe(8);
    expect(gad7.direction).toBe('higher_is_worse');
    expect(gad7.loinc).toEqual({ panel: '69737-5', total: '70274-6' });
  });

  it('SSM: one 1-5 rating per domain, higher is better, reliable change 1, no cut-off', () => {
    const fw = loadShipped();
    const ssm = instrument(fw, 'ssm');
    expect(ssm.administeredPer).toBe('domain');
    expect(ssm.items.map((i) => [i.min, i.max])).toEqual([[1, 5]]);
    expect(ssm.scoring).toEqual({ method: 'sum', min: 1, max: 5 });
    expect(ssm.direction).toBe('higher_is_better');
    expect(ssm.reliableChange).toBe(1);
    expect(ssm.clinicalCutoff).toBeUndefined();
    expect(ssm.bands.map((b) => b.label)).toEqual(fw.scale.map((l) => l.label.toLowerCase()));
    expect(bandFor(ssm, 4)?.label).toBe('building capacity');
  });
});
