import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import path from 'node:path';
import { stringify } from 'yaml';
import {
  formatProblem,
  loadFramework,
  loadFrameworks,
  parseFramework,
  validateFrameworkFile,
  type FrameworkInput,
  type Problem,
} from '../../src/frameworks/index.ts';
import { miniFramework, tempDir, type TempDir } from './helpers.ts';

let tmp: TempDir;
beforeEach(() => {
  tmp = tempDir();
});
afterEach(() => {
  tmp.cleanup();
});

/** Write a mutated mini framework and return its problems as formatted lines. */
function problemsFor(mutate: (fw: FrameworkInput) => void, name = 'x.yaml'): { file: string; lines: string[]; problems: Problem[] } {
  const fw = miniFramework();
  mutate(fw);
  const file = tmp.write(name, fw);
  const problems = validateFrameworkFile(file);
  return { file, lines: problems.map((p) => formatProblem(p)), problems };
}

// Non-null access for test fixtures (noUncheckedIndexedAccess).
function at<T>(xs: T[] | undefined, i: number): T {
  const x = xs?.[i];
  if (x === undefined) throw new Error(`fixture has no index ${i}`);
  return x;
}

describe('a valid file', () => {
  it('loads with defaults filled in', () => {
    const file = tmp.write('mini.yaml', miniFramework());
    expect(validateFrameworkFile(file)).toEqual([]);
    const result = loadFramework(file);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.file).toBe(file);
    expect(result.framework.id).toBe('mini');
    expect(result.framework.pseudoNegationCues).toEqual([]);
    expect(result.framework.instruments[0]?.administeredPer).toBe('client');
    expect(result.framework.domains[0]?.aliases).toEqual([]);
  });

  it('loads the same content from JSON', () => {
    const file = tmp.write('mini.json', miniFramework());
    const result = loadFramework(file);
    expect(result.ok).toBe(true);
  });
});

describe('each kind of bad file gives one exact problem', () => {
  it('duplicate domain id', () => {
    const { file, lines, problems } = problemsFor((fw) => {
      at(fw.domains, 1).id = 'housing';
    });
    expect(lines).toEqual([`${file}: domains.1.id: duplicate domain id "housing"`]);
    // The line points at the second `id: housing`.
    expect(problems[0]?.line).toBeGreaterThan(20);
  });

  it('gap between instrument bands', () => {
    const { file, lines } = problemsFor((fw) => {
      at(at(fw.instruments, 0).bands, 2).min = 11;
    });
    expect(lines).toEqual([
      `${file}: instruments.0.bands.2.min: gap between bands "mild" (ends at 9) and "moderate" (starts at 11): no band covers 10`,
    ]);
  });

  it('overlapping instrument bands', () => {
    const { file, lines } = problemsFor((fw) => {
      at(at(fw.instruments, 0).bands, 2).min = 9;
    });
    expect(lines).toEqual([
      `${file}: instruments.0.bands.2.min: band "moderate" (starts at 9) overlaps band "mild" (ends at 9); bands must be listed from low to high without overlaps`,
    ]);
  });

  it('band outside the score range', () => {
    const { file, lines } = problemsFor((fw) => {
      at(at(fw.instruments, 0).bands, 4).max = 28;
    });
    expect(lines).toEqual([`${file}: instruments.0.bands.4.max: band "severe" ends at 28, above the highest possible score 27`]);
  });

  it('bands that stop short of the top of the range', () => {
    const { file, lines } = problemsFor((fw) => {
      at(at(fw.instruments, 0).bands, 4).max = 25;
    });
    expect(lines).toEqual([`${file}: instruments.0.bands.4.max: last band "severe" ends at 25, so no band covers 26–27`]);
  });

  it('sum scoring whose declared max does not match the items', () => {
    const { file, lines } = problemsFor((fw) => {
      at(fw.instruments, 0).items.pop();
    });
    expect(lines).toEqual([`${file}: instruments.0.scoring.max: is 27, but 8 items scored 0–3 add up to 0–24`]);
  });

  it('clinical cut-off outside the score range', () => {
    const { file, lines } = problemsFor((fw) => {
      at(fw.instruments, 0).clinicalCutoff = 30;
    });
    expect(lines).toEqual([`${file}: instruments.0.clinicalCutoff: must be within the score range 0–27, got 30`]);
  });

  it('domain levels missing a scale value', () => {
    const { file, lines } = problemsFor((fw) => {
      delete at(fw.domains, 0).levels['2'];
    });
    expect(lines).toEqual([`${file}: domains.0.levels: missing description for level 2 ("Mid")`]);
  });

  it('domain levels with a value not on the scale', () => {
    const { file, lines } = problemsFor((fw) => {
      at(fw.domains, 0).levels['7'] = 'Off the scale.';
    });
    expect(lines).toEqual([`${file}: domains.0.levels.7: "7" is not a value on the scale (1, 2, 3)`]);
  });

  it('YAML syntax error, with the line number', () => {
    const file = tmp.write('broken.yaml', 'id: mini\nversion: 1.0.0\nname: [unclosed\ndescription: x\n');
    const problems = validateFrameworkFile(file);
    expect(problems.map((p) => formatProblem(p))).toEqual([
      `${file}: (file): YAML syntax error at line 4, column 1: Flow sequence in block collection must be sufficiently indented and end with a ]`,
    ]);
    expect(problems[0]?.line).toBe(4);
  });

  it('duplicate YAML key', () => {
    const file = tmp.write('dup.yaml', 'id: mini\nid: other\n');
    expect(validateFrameworkFile(file).map((p) => formatProblem(p))).toEqual([
      `${file}: (file): YAML syntax error at line 2, column 1: Map keys must be unique`,
    ]);
  });

  it('wrong type: a number where text is needed', () => {
    const { file, lines } = problemsFor((fw) => {
      (fw as Record<string, unknown>).version = 1;
    });
    expect(lines).toEqual([`${file}: version: expected a string, got a number (1); put it in quotes if it is meant as text`]);
  });

  it('wrong type: text where a list is needed', () => {
    const { file, lines } = problemsFor((fw) => {
      (at(at(fw.domains, 1).indicators, 0) as Record<string, unknown>).cues = 'paycheck';
    });
    expect(lines).toEqual([`${file}: domains.1.indicators.0.cues: expected a list, got a string ("paycheck")`]);
  });

  it('wrong enum value', () => {
    const { file, lines } = problemsFor((fw) => {
      (at(at(fw.domains, 0).indicators, 0) as Record<string, unknown>).direction = 'positive';
    });
    expect(lines).toEqual([`${file}: domains.0.indicators.0.direction: expected one of "strength", "concern", got a string ("positive")`]);
  });

  it('missing required field', () => {
    const { file, lines } = problemsFor((fw) => {
      delete (fw as Partial<FrameworkInput>).name;
    });
    expect(lines).toEqual([`${file}: name: required field is missing`]);
  });

  it('misspelt field, with a suggestion', () => {
    const { file, lines } = problemsFor((fw) => {
      (at(fw.domains, 0) as Record<string, unknown>).indicatiors = [];
    });
    expect(lines).toEqual([`${file}: domains.0.indicatiors: unknown field "indicatiors" (did you mean "indicators"?)`]);
  });

  it('snake_case field name, with the camelCase suggestion', () => {
    const { file, lines } = problemsFor((fw) => {
      const inst = at(fw.instruments, 0) as Record<string, unknown>;
      inst.reliable_change = inst.reliableChange;
      delete inst.reliableChange;
    });
    expect(lines).toEqual([
      `${file}: instruments.0.reliableChange: required field is missing`,
      `${file}: instruments.0.reliable_change: unknown field "reliable_change" (did you mean "reliableChange"?)`,
    ]);
  });

  it('bad id', () => {
    const { file, lines } = problemsFor((fw) => {
      at(fw.domains, 1).id = 'Income';
    });
    expect(lines).toEqual([
      `${file}: domains.1.id: must be a lowercase id (letters, digits and single "-" or "_", starting with a letter), got "Income"`,
    ]);
  });

  it('bad semantic version', () => {
    const { file, lines } = problemsFor((fw) => {
      fw.version = '1.0';
    });
    expect(lines).toEqual([`${file}: version: must be a semantic version like "1.0.0", got "1.0"`]);
  });

  it('cue in upper case', () => {
    const { file, lines } = problemsFor((fw) => {
      at(at(fw.domains, 0).indicators, 1).cues[0] = 'Homeless*';
    });
    expect(lines).toEqual([`${file}: domains.0.indicators.1.cues.0: cue "Homeless*" must be lowercase (matching ignores case): write "homeless*"`]);
  });

  it('cue with a wildcard in the middle', () => {
    const { file, lines } = problemsFor((fw) => {
      at(at(fw.domains, 0).indicators, 1).cues[1] = 'evict* notice';
    });
    expect(lines).toEqual([`${file}: domains.0.indicators.1.cues.1: cue "evict* notice": "*" is only allowed once, at the end of a cue`]);
  });

  it('cue that looks like a regular expression', () => {
    const { file, lines } = problemsFor((fw) => {
      at(at(fw.domains, 0).indicators, 1).cues[1] = 'evict(ed|ion)';
    });
    expect(lines).toEqual([
      `${file}: domains.0.indicators.1.cues.1: cue "evict(ed|ion)" contains "(": cues are plain phrases of letters, digits, spaces and ' - / . &, with "#" for one digit, "_" for one word and an optional final "*"`,
    ]);
  });

  it('the same cue for a strength and a concern of one domain', () => {
    const { file, lines } = problemsFor((fw) => {
      at(at(fw.domains, 0).indicators, 1).cues.push('housed');
    });
    expect(lines).toEqual([`${file}: domains.0.indicators.1.cues.2: cue "housed" is also listed in indicator "housed"`]);
  });

  it('duplicate cue within a list', () => {
    const { file, lines } = problemsFor((fw) => {
      fw.negationCues.push('no');
    });
    expect(lines).toEqual([`${file}: negationCues.2: duplicate cue "no"`]);
  });

  it('a phrase that is both a negation and a time cue', () => {
    const { file, lines } = problemsFor((fw) => {
      fw.historicalCues.push('denies');
    });
    expect(lines).toEqual([`${file}: historicalCues.1: cue "denies" is also listed in negationCues`]);
  });

  it('relatives linked to an unknown domain', () => {
    const { file, lines } = problemsFor((fw) => {
      fw.relatives = [{ domain: 'parenting', cues: ['son'] }];
    });
    expect(lines).toEqual([`${file}: relatives.0.domain: unknown domain "parenting"`]);
  });

  it('a relative who is also an other person, and a link word that is also a scope terminator', () => {
    const { file, lines } = problemsFor((fw) => {
      fw.otherPersonCues = ['neighbour'];
      fw.relatives = [{ domain: 'housing', cues: ['neighbour'] }];
      fw.scopeTerminators = ['but', 'because'];
      fw.linkCues = ['because'];
    });
    expect(lines).toEqual([
      `${file}: linkCues.0: cue "because" is also listed in scopeTerminators`,
      `${file}: relatives.0.cues.0: cue "neighbour" is also listed in otherPersonCues`,
    ]);
  });

  it('a "_" word wildcard that is not a whole word, or stands first', () => {
    const { file, lines } = problemsFor((fw) => {
      at(at(fw.domains, 0).indicators, 1).cues.push('lost_ home', '_ evicted');
    });
    expect(lines).toEqual([
      `${file}: domains.0.indicators.1.cues.2: cue "lost_ home": "_" stands for one whole word, with spaces around it (like "lost _ job")`,
      `${file}: domains.0.indicators.1.cues.3: cue "_ evicted": "_" may not be the first or last word (a cue starts and ends with a word of its own)`,
    ]);
  });

  it('new fields have defaults: scope, weak and background', () => {
    const file = tmp.write('mini.yaml', miniFramework());
    const result = loadFramework(file);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.framework.domains[0]?.scope).toBe('client');
    expect(result.framework.domains[0]?.indicators[0]).toMatchObject({ weak: false, background: false });
    expect(result.framework.relatives).toEqual([]);
    expect(result.framework.gainCues).toEqual([]);
  });

  it('instrument linked to an unknown domain', () => {
    const { file, lines } = problemsFor((fw) => {
      at(fw.instruments, 0).domains = ['housing', 'mental_health'];
    });
    expect(lines).toEqual([`${file}: instruments.0.domains.1: unknown domain "mental_health"`]);
  });

  it('per-domain rating that does not use the framework scale', () => {
    const { file, lines } = problemsFor((fw) => {
      fw.instruments = [
        {
          id: 'ssm',
          name: 'Domain rating',
          administeredPer: 'domain',
          items: [{ id: 'rating', text: 'Level?', min: 0, max: 3 }],
          scoring: { method: 'sum', min: 0, max: 3 },
          bands: [{ label: 'all', min: 0, max: 3 }],
          reliableChange: 1,
          direction: 'higher_is_better',
        },
      ];
    });
    expect(lines).toEqual([`${file}: instruments.0.items.0.min: a per-domain rating must start at the lowest scale value 1, got 0`]);
  });

  it('duplicate instrument id', () => {
    const { file, lines } = problemsFor((fw) => {
      const first = at(fw.instruments, 0);
      fw.instruments = [first, { ...first }];
    });
    expect(lines).toEqual([`${file}: instruments.1.id: duplicate instrument id "phq9"`]);
  });

  it('scale values out of order', () => {
    const { file, lines } = problemsFor((fw) => {
      at(fw.scale, 2).value = 2;
    });
    // The domains still describe level 3, which is no longer on the scale: reported too.
    expect(lines).toEqual([
      `${file}: scale.2.value: scale values must increase: 2 comes after 2`,
      `${file}: domains.0.levels.3: "3" is not a value on the scale (1, 2, 2)`,
      `${file}: domains.1.levels.3: "3" is not a value on the scale (1, 2, 2)`,
    ]);
  });
});

describe('file-level problems', () => {
  it('missing file', () => {
    const file = path.join(tmp.dir, 'nope.yaml');
    expect(validateFrameworkFile(file).map((p) => formatProblem(p))).toEqual([`${file}: (file): cannot read file: file not found (ENOENT)`]);
  });

  it('a folder instead of a file', () => {
    expect(validateFrameworkFile(tmp.dir).map((p) => formatProblem(p))).toEqual([`${tmp.dir}: (file): cannot read file: is a folder, not a file (EISDIR)`]);
  });

  it('empty file', () => {
    const file = tmp.write('empty.yaml', '');
    expect(validateFrameworkFile(file).map((p) => formatProblem(p))).toEqual([`${file}: (file): file is empty`]);
  });

  it('a list instead of a mapping', () => {
    const file = tmp.write('list.yaml', '- a\n- b\n');
    expect(validateFrameworkFile(file).map((p) => formatProblem(p))).toEqual([`${file}: (root): expected an object, got a list`]);
  });

  it('JSON syntax error, with the line number', () => {
    const file = tmp.write('bad.json', '{\n  "id": "mini",\n  "name": 1,,\n}\n');
    const problems = validateFrameworkFile(file);
    expect(problems).toHaveLength(1);
    expect(problems[0]?.path).toBe('(file)');
    expect(problems[0]?.message).toMatch(/^JSON syntax error at line 3, column \d+: /);
    expect(problems[0]?.line).toBe(3);
  });

  it('JSON with a key given twice', () => {
    const file = tmp.write('dup.json', '{"id": "a", "id": "b"}');
    expect(validateFrameworkFile(file).map((p) => formatProblem(p))).toEqual([
      `${file}: (file): JSON error at line 1, column 13: the same key appears twice in one object`,
    ]);
  });

  it('never throws, whatever the content', () => {
    const inputs = ['', '~', '42', '"text"', '[]', '{}', '---\na: 1\n---\nb: 2\n', 'a: *nope\n', '\t- x', 'domains: [{levels: 3}]', '\u0000\u0001'];
    for (const [i, text] of inputs.entries()) {
      const file = tmp.write(`f${i}.yaml`, text);
      const problems = validateFrameworkFile(file);
      expect(problems.length, `input ${JSON.stringify(text)}`).toBeGreaterThan(0);
      for (const p of problems) {
        expect(formatProblem(p)).not.toContain('\n');
        expect(p.file).toBe(file);
      }
    }
  });
});

describe('line numbers', () => {
  it('point at the offending key', () => {
    const text = stringify(miniFramework()).replace('name: Mini', 'name: ""');
    const result = parseFramework(text, 'mini.yaml');
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems).toHaveLength(1);
    const lineNo = text.split('\n').findIndex((l) => l.startsWith('name:')) + 1;
    expect(result.problems[0]).toEqual({ file: 'mini.yaml', path: 'name', message: 'must not be empty', line: lineNo });
    expect(formatProblem(at(result.problems, 0), { withLine: true })).toBe(`mini.yaml:${lineNo}: name: must not be empty`);
  });
});

describe('loadFrameworks', () => {
  it('loads the good files, reports the bad ones, and ignores other files', () => {
    tmp.write('a.yaml', miniFramework());
    const v2 = miniFramework();
    v2.version = '1.1.0';
    tmp.write('b.json', v2);
    tmp.write('c.yml', miniFramework()); // same id and version as a.yaml
    const bad = miniFramework();
    at(bad.domains, 1).id = 'housing';
    bad.id = 'broken';
    tmp.write('d.yaml', bad);
    tmp.write('README.md', '# not a framework');
    tmp.write('.hidden.yaml', 'not: [valid');

    const { frameworks, problems } = loadFrameworks(tmp.dir);
    expect(frameworks.map((f) => `${path.basename(f.file)} ${f.framework.id}@${f.framework.version}`)).toEqual(['a.yaml mini@1.0.0', 'b.json mini@1.1.0']);
    expect(problems.map((p) => formatProblem(p))).toEqual([
      `${path.join(tmp.dir, 'c.yml')}: version: framework "mini" version 1.0.0 is already defined in ${path.join(tmp.dir, 'a.yaml')}`,
      `${path.join(tmp.dir, 'd.yaml')}: domains.1.id: duplicate domain id "housing"`,
    ]);
  });

  it('reports a missing folder as a problem', () => {
    const dir = path.join(tmp.dir, 'missing');
    expect(loadFrameworks(dir)).toEqual({ frameworks: [], problems: [{ file: dir, path: '(file)', message: 'cannot read folder: folder not found (ENOENT)' }] });
  });
});
