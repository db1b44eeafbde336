/**
 * The framework's indicator cues as one list for a cue matcher, each tagged with where it came
 * from. Context cues (negation, time, change) are separate lists on the framework itself; a
 * scorer matches them separately and applies them to nearby indicator matches.
 */
import { createCueMatcher, type CueEntry, type CueMatch } from './cues.ts';
import type { Framework, IndicatorDirection } from './schema.ts';

export interface IndicatorCue {
  domainId: string;
  indicatorId: string;
  direction: IndicatorDirection;
  /** see `weak` in the schema: presence words, read like topic words */
  weak: boolean;
  /** see `background` in the schema: never read as a change */
  background: boolean;
}

/** Every indicator cue of every domain, in file order. */
export function indicatorCueEntries(framework: Framework): CueEntry<IndicatorCue>[] {
  return framework.domains.flatMap((domain) =>
    domain.indicators.flatMap((indicator) =>
      indicator.cues.map((cue) => ({
        cue,
        value: { domainId: domain.id, indicatorId: indicator.id, direction: indicator.direction, weak: indicator.weak ?? false, background: indicator.background ?? false },
      })),
    ),
  );
}

/**
 * A matcher for all indicator cues of a framework. Overlaps are resolved within each domain
 * (longest match wins, so "denies si" beats "si"), not across domains: one phrase can be
 * evidence for two domains ("lost custody" for legal and parenting). Results are in text order.
 */
export function createIndicatorMatcher(framework: Framework): (text: string) => CueMatch<IndicatorCue>[] {
  return createCueMatcher(indicatorCueEntries(framework), { overlapGroup: (v) => v.domainId });
}
