import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { compileCue, createCueMatcher, createIndicatorMatcher, cueSyntaxError, matchCues, parseFramework } from '../../src/frameworks/index.ts';
import { miniFramework } from './helpers.ts';

const found = (text: string, cues: string[]) => matchCues(text, cues).map((m) => m.match);

describe('cue syntax', () => {
  it.each([
    ['evict*', undefined],
    ['sleeping in car', undefined],
    ["can't afford rent", undefined],
    ['h/o', undefined],
    ['in 20##', undefined],
    ['12-step', undefined],
    ['lost _ job', undefined],
  ])('accepts %j', (cue, error) => {
    expect(cueSyntaxError(cue)).toBe(error);
  });

  it.each([
    ['', 'cue is empty'],
    [' evict*', 'cue " evict*" has leading or trailing spaces'],
    ['behind  on rent', 'cue "behind  on rent" must use single spaces between words'],
    ['Evict*', 'cue "Evict*" must be lowercase (matching ignores case): write "evict*"'],
    ['ev*', 'cue "ev*": "*" needs at least 3 letters before it in the same word (like "evict*")'],
    ['*evict', 'cue "*evict": "*" is only allowed once, at the end of a cue'],
    ['---', 'cue "---" has no letters or digits'],
  ])('rejects %j', (cue, error) => {
    expect(cueSyntaxError(cue)).toBe(error);
  });

  it('compileCue throws on bad syntax (validate files first)', () => {
    expect(() => compileCue('Evict*')).toThrow(TypeError);
  });
});

describe('cue matching', () => {
  it('matches whole words, ignoring case', () => {
    expect(found('Parent paid RENT.', ['rent'])).toEqual(['RENT']);
    expect(found('The parents met.', ['rent'])).toEqual([]);
  });

  it('a final * matches the rest of the word', () => {
    expect(found('Eviction notice; evicted twice; evicting landlord', ['evict*'])).toEqual(['Eviction', 'evicted', 'evicting']);
    expect(found('preeviction', ['evict*'])).toEqual([]);
  });

  it('spaces match any whitespace, hyphens match hyphen, space or nothing', () => {
    expect(found('behind\n  on rent', ['behind on rent'])).toEqual(['behind\n  on rent']);
    expect(found('part-time, part time, parttime', ['part-time'])).toEqual(['part-time', 'part time', 'parttime']);
  });

  it('apostrophes match straight and curly quotes; # matches one digit', () => {
    expect(found("can't and can’t", ["can't"])).toEqual(["can't", 'can’t']);
    expect(found('in 2019 and in 201 and in 20199', ['in 20##'])).toEqual(['in 2019']);
  });

  it('"_" matches exactly one word, with its apostrophes and inner hyphens', () => {
    expect(found("She lost her job. He lost his son's part-time job. Lost job. Lost a great job.", ['lost _ job'])).toEqual(['lost her job']);
    expect(found("lost her son's job and lost a part-time job", ['lost _ _ job'])).toEqual(["lost her son's job", 'lost a part-time job']);
    expect(found("lost a part-time job", ['lost a _ job'])).toEqual(['lost a part-time job']);
    expect(found('sleeping in her car, sleeping in car', ['sleeping in _ car'])).toEqual(['sleeping in her car']);
  });

  it('keeps the longest of overlapping matches, in text order, with UTF-16 offsets', () => {
    const text = 'Née: client no longer homeless; no income.';
    const matches = matchCues(text, ['no', 'no longer', 'homeless*', 'no income']);
    expect(matches.map((m) => m.match)).toEqual(['no longer', 'homeless', 'no income']);
    for (const m of matches) expect(text.slice(m.start, m.end)).toBe(m.match);
  });

  it('carries a payload per cue', () => {
    const match = createCueMatcher([
      { cue: 'denies si', value: 'strength' },
      { cue: 'si', value: 'concern' },
    ]);
    expect(match('Client denies SI today; SI reported last week.').map((m) => [m.match, m.value])).toEqual([
      ['denies SI', 'strength'],
      ['SI', 'concern'],
    ]);
  });
});

describe('indicator matcher', () => {
  it('resolves overlaps within a domain but not across domains', () => {
    const fw = miniFramework();
    fw.domains[1]?.indicators[1]?.cues.push('evicted and no income');
    const result = parseFramework(stringify(fw), 'mini.yaml');
    if (!result.ok) throw new Error(JSON.stringify(result.problems));
    const match = createIndicatorMatcher(result.framework);
    expect(match('Client was evicted and no income since May.').map((m) => `${m.value.domainId}/${m.value.indicatorId}:${m.match}`)).toEqual([
      'housing/homeless:evicted',
      'income/broke:evicted and no income',
    ]);
  });
});
