import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { CLEAN, cleanPipeline, tempDir, writeFiles, writePipeline } from '../helpers.ts';
import { runCli } from '../support/cli.ts';
import { runMain as run } from '../support/main.ts';

const ROOT = path.resolve(import.meta.dirname, '..', '..');

/** A folder with a config that finds the shipped frameworks; the scorer is the offline one. */
function project(files: Record<string, string> = {}): string {
  const dir = tempDir('caselens-eval-cli-');
  writeFiles(dir, files);
  fs.writeFileSync(path.join(dir, 'caselens.config.yaml'), YAML.stringify({
    database: 'db.duckdb', identity: { keyFile: 'identity.key' }, paths: { pipelines: '.', frameworks: path.join(ROOT, 'frameworks') },
  }));
  return dir;
}

const eval_ = (dir: string, ...args: string[]) => run(['eval', '--provider', 'offline', ...args], dir);

/** Line 4 pairs 2 labels with 1 adverse value: left out, reported with its line. */
const MULTI = [
  'text,label,adverse',
  'Separated couple argue about parenting decisions,"RELATIONSHIP,PARENT","adverse,adverse"',
  'Guardian brings foster child to the visit,<NO_SDOH>,',
  'Spouse drives patient to appointments,"SUPPORT,RELATIONSHIP",nonadverse',
  'Evicted last month and sleeping in the car,housing,adverse',
  'Works full time at the warehouse,"EMPLOYMENT,TRANSPORTATION","nonadverse,adverse"',
].join('\n') + '\n';

// Gold per domain, whatever the scorer says. Odd rows: 1 and 5 (3 is left out); even rows: 2 and 4.
const SUPPORT = { housing: 1, transport: 1, employment: 1, family_social: 1, parenting: 1 };
const ODD_SUPPORT = { housing: 0, transport: 1, employment: 1, family_social: 1, parenting: 1 };

interface Figures { tp: number; fp: number; fn: number; support: number; precision: number; recall: number; f1: number }
interface Level { describe: string; units: number; domains: Record<string, Figures>; macro: { precision: number; recall: number; f1: number; domains: number }; micro: Omit<Figures, 'support'> }

function expectArithmetic(level: Level, support: Record<string, number>) {
  expect(Object.fromEntries(Object.entries(level.domains).map(([d, f]) => [d, f.support]))).toEqual(support);
  for (const f of Object.values(level.domains)) {
    expect(f.tp + f.fn).toBe(f.support);
    expect(f.precision).toBeCloseTo(f.tp + f.fp ? f.tp / (f.tp + f.fp) : 0, 12);
    expect(f.recall).toBeCloseTo(f.support ? f.tp / f.support : 0, 12);
    expect(f.f1).toBeCloseTo(f.precision + f.recall ? (2 * f.precision * f.recall) / (f.precision + f.recall) : 0, 12);
  }
  const all = Object.values(level.domains);
  const sum = (k: 'tp' | 'fp' | 'fn') => all.reduce((a, f) => a + f[k], 0);
  expect([level.micro.tp, level.micro.fp, level.micro.fn]).toEqual([sum('tp'), sum('fp'), sum('fn')]);
  const judged = all.filter((f) => f.support > 0);
  expect(level.macro.domains).toBe(judged.length);
  expect(level.macro.f1).toBeCloseTo(judged.reduce((a, f) => a + f.f1, 0) / judged.length, 12);
}

describe('caselens eval on labelled sentences', () => {
  it('--json: multi-label rows, a <NO_SDOH> row and a mismatched row; figures per level, per half; exit 0', async () => {
    const dir = project({ 'gold.csv': MULTI });
    const r = await eval_(dir, '--gold', 'gold.csv', '--json');
    expect(r.code).toBe(0);
    expect(r.err).toContain(`warning: row left out: ${path.join(dir, 'gold.csv')}:4: label = "SUPPORT,RELATIONSHIP": 2 label(s) but 1 adverse value(s)`);
    const j = JSON.parse(r.out);
    expect(j).toMatchObject({ kind: 'sdoh', rows: 5, units: 4, labels: 5, negatives: 1, columns: { text: 'text', label: 'label', adverse: 'adverse' } });
    expect(j.problems).toEqual([expect.objectContaining({ line: 4, column: 'label', value: 'SUPPORT,RELATIONSHIP' })]);
    expect(Object.keys(j.levels)).toEqual(['domain', 'polarity']);
    for (const level of Object.values(j.levels) as Level[]) {
      expect(level.units).toBe(4);
      expectArithmetic(level, SUPPORT);
    }
    expect(j.halves.odd.units).toBe(2);
    expect(j.halves.even.units).toBe(2);
    expectArithmetic(j.halves.odd.levels.domain, ODD_SUPPORT);
    for (const level of ['domain', 'polarity']) {
      for (const [d, f] of Object.entries(j.levels[level].domains) as Array<[string, Figures]>) {
        const odd = j.halves.odd.levels[level].domains[d];
        const even = j.halves.even.levels[level].domains[d];
        expect([odd.tp + even.tp, odd.fp + even.fp, odd.fn + even.fn]).toEqual([f.tp, f.fp, f.fn]);
      }
    }
  });

  it('text output names the rows left out and shows the halves', async () => {
    const dir = project({ 'gold.csv': MULTI });
    const r = await eval_(dir, '--gold', 'gold.csv');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^4 of 5 labelled sentences scored by offline \(5 labels, 1 <NO_SDOH>, 1 rows left out\)/);
    expect(r.out).toMatch(/domain\s+odd\s+2\s/);
    expect(r.out).toMatch(/polarity\s+all\s+4\s/);
  });

  it('another header: exit 2 naming the file, the columns and --text-column; exit 0 with the option', async () => {
    const dir = project({
      'shadr.csv': 'original_sentence,label,demographic,demographic_inserted,adverse\nSeparated couple argue about parenting,"RELATIONSHIP,PARENT",Asian couple,Asian separated couple argue about parenting,"adverse,adverse"\n',
    });
    const bad = await eval_(dir, '--gold', 'shadr.csv');
    expect(bad.code).toBe(2);
    expect(bad.err).toContain(path.join(dir, 'shadr.csv'));
    expect(bad.err).toContain('columns found: "original_sentence", "label", "demographic", "demographic_inserted", "adverse"');
    expect(bad.err).toContain('--text-column');
    const ok = await eval_(dir, '--gold', 'shadr.csv', '--text-column', 'original_sentence', '--json');
    expect(ok.code).toBe(0);
    const j = JSON.parse(ok.out);
    expect(j).toMatchObject({ units: 1, labels: 2, columns: { text: 'original_sentence' } });
    expect(j.levels.domain.domains.family_social.support).toBe(1);
    expect(j.levels.domain.domains.parenting.support).toBe(1);
  });

  it('an unknown label: exit 2 naming the file, line, value and the known labels', async () => {
    const dir = project({ 'gold.csv': 'text,label,adverse\nA sentence,HOUSING,adverse\nAnother,"PARENT,FOOD","adverse,adverse"\n' });
    const r = await eval_(dir, '--gold', 'gold.csv');
    expect(r.code).toBe(2);
    expect(r.err).toContain(`${path.join(dir, 'gold.csv')}:3: label = "PARENT,FOOD": "FOOD" is not a label caselens knows; known labels: HOUSING, TRANSPORTATION, EMPLOYMENT, SUPPORT, RELATIONSHIP, PARENT, <NO_SDOH>`);
    expect(r.out).toBe('');
  });

  it('a file that is neither kind, a missing label column named by option, a ragged file: 2, 2, 4 — never 5', async () => {
    const dir = project({ 'other.csv': 'sentence,category\nA,HOUSING\n', 'ragged.csv': 'text,label,adverse\nA,HOUSING,adverse\nB,HOUSING\n' });
    const other = await eval_(dir, '--gold', 'other.csv');
    expect(other.code).toBe(2);
    expect(other.err).toContain('columns found: "sentence", "category"');
    expect(other.err).toContain('--label-column');
    const named = await eval_(dir, '--gold', 'other.csv', '--label-column', 'kind');
    expect(named.code).toBe(2);
    expect(named.err).toContain('no label column "kind"');
    const works = await eval_(dir, '--gold', 'other.csv', '--label-column', 'category', '--text-column', 'sentence', '--json');
    expect(works.code).toBe(0);
    expect(Object.keys(JSON.parse(works.out).levels)).toEqual(['domain']);
    const ragged = await eval_(dir, '--gold', 'ragged.csv');
    expect(ragged.code).toBe(4);
    expect(ragged.err).toContain(`${path.join(dir, 'ragged.csv')}:3: Expected Number of Columns: 3 Found: 2`);
  });

  it('--json writes one JSON document and nothing else on stdout (own process)', async () => {
    const dir = project({ 'gold.csv': MULTI });
    const r = await runCli(['eval', '--provider', 'offline', '--gold', 'gold.csv', '--json'], dir);
    expect(r.code).toBe(0);
    expect(r.stdout.trim().startsWith('{')).toBe(true);
    expect(() => JSON.parse(r.stdout)).not.toThrow();
    expect(r.stderr).toContain('warning: row left out');
  });
});

describe('caselens eval on planted truth', () => {
  const TRUTH = 'note_key,domain,direction,status,evidence\nN1,housing,strength,current,Client signed a lease\nN2,substance_use,concern,negated,Denies any substance use\n';

  it('--json gives the domain, polarity and full levels over the scored notes', async () => {
    const dir = project({ ...CLEAN, 'truth.csv': TRUTH });
    writePipeline(dir, 'crm', cleanPipeline());
    expect((await run(['ingest', 'crm'], dir)).code).toBe(0);
    expect((await run(['score', '--provider', 'offline'], dir)).code).toBe(0);
    const r = await eval_(dir, '--gold', 'truth.csv', '--system', 'crm', '--json');
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    expect(j).toMatchObject({ kind: 'truth', system: 'crm', notes: 3, goldRows: 2 });
    expect(Object.keys(j.levels)).toEqual(['domain', 'polarity', 'full']);
    for (const level of Object.values(j.levels) as Level[]) {
      expect(level.units).toBe(3);
      const support = Object.fromEntries(Object.entries(level.domains).map(([d, f]) => [d, f.support]).filter(([, n]) => n));
      expect(support).toEqual({ housing: 1, substance_use: 1 });
      expectArithmetic(level, Object.fromEntries(Object.entries(level.domains).map(([d, f]) => [d, f.support])));
    }
  });

  it('missing columns or an unknown domain: exit 2 with file and line, not a database error', async () => {
    const dir = project({ 'short.csv': 'note_key,domain,evidence\nN1,housing,x\n', 'odd.csv': 'note_key,domain,direction,status\nN1,housng,strength,current\n' });
    expect((await run(['migrate'], dir)).code).toBe(0);
    const short = await eval_(dir, '--gold', 'short.csv');
    expect(short.code).toBe(2);
    expect(short.err).toContain('missing direction, status');
    expect(short.err).toContain('columns found: "note_key", "domain", "evidence"');
    const odd = await eval_(dir, '--gold', 'odd.csv');
    expect(odd.code).toBe(2);
    expect(odd.err).toContain(`${path.join(dir, 'odd.csv')}:2: domain = "housng": not a domain caselens knows`);
  });
});
