/**
 * The outcome-framework file format, as zod schemas. These schemas are the single source of
 * truth: the TypeScript types are inferred from them and frameworks/README.md documents them.
 *
 * Refinements report problems at the most precise path they can (for example
 * `domains.3.indicators.0.cues.2`), one issue per problem, so the loader can turn each into
 * one line a person can act on.
 */
import { z } from 'zod';
import { cueSyntaxError } from './cues.ts';

type Ctx = z.core.$RefinementCtx;
type PathSeg = string | number;

export const ID_PATTERN = /^[a-z][a-z0-9]*(?:[-_][a-z0-9]+)*$/;
// semver.org, section "Is there a suggested regular expression": MAJOR.MINOR.PATCH[-pre][+build]
export const SEMVER_PATTERN =
  /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$/;
const LOINC_PATTERN = /^\d{1,7}-\d$/;

const idSchema = z
  .string()
  .regex(ID_PATTERN, 'must be a lowercase id (letters, digits and single "-" or "_", starting with a letter)');
const textSchema = z.string().regex(/\S/, 'must not be empty');
const loincSchema = z.string().regex(LOINC_PATTERN, 'must be a LOINC code like "44261-6"');

export const cueSchema = z.string().superRefine((cue, ctx) => {
  const error = cueSyntaxError(cue);
  if (error !== undefined) ctx.addIssue({ code: 'custom', message: error });
});
const cueListSchema = z.array(cueSchema);

// ---------------------------------------------------------------------------------------------
// helpers for refinements

function issue(ctx: Ctx, path: PathSeg[], message: string): void {
  ctx.addIssue({ code: 'custom', path, message });
}

/** Report every repeat of a key after its first occurrence. */
function reportDuplicates<T>(
  ctx: Ctx,
  items: readonly T[],
  key: (item: T) => string,
  path: (index: number) => PathSeg[],
  message: (key: string) => string,
): void {
  const seen = new Set<string>();
  items.forEach((item, i) => {
    const k = key(item);
    if (seen.has(k)) issue(ctx, path(i), message(k));
    seen.add(k);
  });
}

/** Duplicates inside one cue list, and cues already used by an earlier list. */
function reportCueLists(ctx: Ctx, lists: { name: string; path: PathSeg[]; cues: readonly string[] }[]): void {
  const owner = new Map<string, string>();
  for (const list of lists) {
    const here = new Set<string>();
    list.cues.forEach((cue, i) => {
      if (here.has(cue)) {
        issue(ctx, [...list.path, i], `duplicate cue "${cue}"`);
      } else {
        const other = owner.get(cue);
        if (other !== undefined) issue(ctx, [...list.path, i], `cue "${cue}" is also listed in ${other}`);
      }
      here.add(cue);
      if (!owner.has(cue)) owner.set(cue, list.name);
    });
  }
}

function range(lo: number, hi: number): string {
  return lo === hi ? `${lo}` : `${lo}–${hi}`;
}

// ---------------------------------------------------------------------------------------------
// scale

export const scaleLevelSchema = z.strictObject({
  value: z.int(),
  label: textSchema,
  description: textSchema,
});

export const scaleSchema = z
  .array(scaleLevelSchema)
  .min(2)
  .superRefine((levels, ctx) => {
    levels.forEach((level, i) => {
      const prev = levels[i - 1];
      if (prev !== undefined && level.value <= prev.value) {
        issue(ctx, [i, 'value'], `scale values must increase: ${level.value} comes after ${prev.value}`);
      }
    });
    reportDuplicates(ctx, levels, (l) => l.label.toLowerCase(), (i) => [i, 'label'], (k) => `duplicate level label "${k}"`);
  });

// ---------------------------------------------------------------------------------------------
// domains and indicators

export const indicatorDirectionSchema = z.enum(['strength', 'concern']);

export const indicatorSchema = z.strictObject({
  id: idSchema,
  direction: indicatorDirectionSchema,
  description: textSchema,
  cues: cueListSchema.min(1),
  examples: z.array(textSchema).min(1),
  /**
   * Presence words ("her husband", "two children"): evidence only when nothing else in the clause
   * speaks to the domain, read like topic words (valence words can turn them), with the
   * indicator's direction when there are none.
   */
  weak: z.boolean().default(false),
  /** Attainment or background ("college graduate", "did not finish high school"): never read as a change. */
  background: z.boolean().default(false),
});

export const domainSchema = z
  .strictObject({
    id: idSchema,
    name: textSchema,
    description: textSchema,
    aliases: z.array(textSchema).default([]),
    levels: z.record(z.string(), textSchema),
    indicators: z.array(indicatorSchema).min(1),
    improvementCues: cueListSchema.default([]),
    deteriorationCues: cueListSchema.default([]),
    /**
     * Domain vocabulary ("bus", "commute", "car" for transport): a sentence that names the
     * domain's topic but has none of its indicator cues is tagged only when the framework's
     * valence or change cues give it a direction, and at lower confidence.
     */
    topicCues: cueListSchema.default([]),
    /**
     * Whose circumstances count: `client` (default) only the client's own, so a relative's job or
     * drinking is not evidence for the domain; `household` also what relatives in the household
     * have, do or suffer (a partner's car, a sister who watches the kids).
     */
    scope: z.enum(['client', 'household']).default('client'),
  })
  .superRefine((domain, ctx) => {
    reportDuplicates(ctx, domain.indicators, (x) => x.id, (i) => ['indicators', i, 'id'], (k) => `duplicate indicator id "${k}"`);
    // A cue may belong to only one indicator of a domain, or a match could not say which.
    reportCueLists(
      ctx,
      domain.indicators.map((ind, i) => ({ name: `indicator "${ind.id}"`, path: ['indicators', i, 'cues'], cues: ind.cues })),
    );
    reportCueLists(ctx, [
      { name: 'improvementCues', path: ['improvementCues'], cues: domain.improvementCues },
      { name: 'deteriorationCues', path: ['deteriorationCues'], cues: domain.deteriorationCues },
    ]);
    reportDuplicates(ctx, domain.aliases, (a) => a.toLowerCase(), (i) => ['aliases', i], (k) => `duplicate alias "${k}"`);
    // A topic cue that is also an indicator cue would never be read as a topic: the indicator wins.
    const indicatorCues = new Map(domain.indicators.flatMap((ind) => ind.cues.map((cue) => [cue, ind.id] as const)));
    reportCueLists(ctx, [{ name: 'topicCues', path: ['topicCues'], cues: domain.topicCues }]);
    domain.topicCues.forEach((cue, i) => {
      const owner = indicatorCues.get(cue);
      if (owner !== undefined) issue(ctx, ['topicCues', i], `cue "${cue}" is already a cue of indicator "${owner}"; keep it in one place`);
    });
  });

// ---------------------------------------------------------------------------------------------
// instruments

export const scoringMethodSchema = z.enum(['sum', 'min', 'max']);
export const scoreDirectionSchema = z.enum(['higher_is_worse', 'higher_is_better']);

export const instrumentItemSchema = z.strictObject({
  id: idSchema,
  text: textSchema,
  min: z.int(),
  max: z.int(),
  loinc: loincSchema.optional(),
  flag: z
    .strictObject({
      atOrAbove: z.int(),
      reason: textSchema,
    })
    .optional(),
});

export const responseOptionSchema = z.strictObject({
  value: z.int(),
  label: textSchema,
});

export const bandSchema = z.strictObject({
  label: textSchema,
  min: z.int(),
  max: z.int(),
  description: textSchema.optional(),
});

export const instrumentSchema = z
  .strictObject({
    id: idSchema,
    name: textSchema,
    description: textSchema.optional(),
    source: textSchema.optional(),
    administeredPer: z.enum(['client', 'domain']).default('client'),
    domains: z.array(idSchema).default([]),
    loinc: z.strictObject({ panel: loincSchema.optional(), total: loincSchema.optional() }).optional(),
    responseOptions: z.array(responseOptionSchema).default([]),
    items: z.array(instrumentItemSchema).min(1),
    scoring: z.strictObject({
      method: scoringMethodSchema,
      min: z.int(),
      max: z.int(),
    }),
    bands: z.array(bandSchema).min(1),
    reliableChange: z.number().positive(),
    clinicalCutoff: z.number().optional(),
    direction: scoreDirectionSchema,
  })
  .superRefine((inst, ctx) => {
    reportDuplicates(ctx, inst.items, (x) => x.id, (i) => ['items', i, 'id'], (k) => `duplicate item id "${k}"`);

    let itemsValid = true;
    inst.items.forEach((item, i) => {
      if (item.max <= item.min) {
        itemsValid = false;
        issue(ctx, ['items', i, 'max'], `must be greater than the item's min (${item.min}), got ${item.max}`);
      } else if (item.flag && (item.flag.atOrAbove < item.min || item.flag.atOrAbove > item.max)) {
        issue(ctx, ['items', i, 'flag', 'atOrAbove'], `must be within the item's range ${range(item.min, item.max)}, got ${item.flag.atOrAbove}`);
      }
    });

    const { method, min, max } = inst.scoring;
    if (max <= min) {
      issue(ctx, ['scoring', 'max'], `must be greater than scoring.min (${min}), got ${max}`);
      return;
    }

    if (itemsValid) {
      const mins = inst.items.map((x) => x.min);
      const maxs = inst.items.map((x) => x.max);
      const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
      const expected =
        method === 'sum'
          ? { min: sum(mins), max: sum(maxs) }
          : method === 'max'
            ? { min: Math.max(...mins), max: Math.max(...maxs) }
            : { min: Math.min(...mins), max: Math.min(...maxs) };
      const uniform = inst.items.every((x) => x.min === mins[0] && x.max === maxs[0]);
      const n = inst.items.length;
      const why =
        method === 'sum'
          ? uniform
            ? `${n} item${n === 1 ? '' : 's'} scored ${range(mins[0] ?? 0, maxs[0] ?? 0)} add up to ${range(expected.min, expected.max)}`
            : `the items' ranges add up to ${range(expected.min, expected.max)}`
          : `the ${method} of the item scores runs ${range(expected.min, expected.max)}`;
      if (min !== expected.min) issue(ctx, ['scoring', 'min'], `is ${min}, but ${why}`);
      if (max !== expected.max) issue(ctx, ['scoring', 'max'], `is ${max}, but ${why}`);
    }

    // Bands: in order, no gaps, no overlaps, exactly covering scoring.min..scoring.max.
    reportDuplicates(ctx, inst.bands, (b) => b.label.toLowerCase(), (i) => ['bands', i, 'label'], (k) => `duplicate band label "${k}"`);
    let bandsOrdered = true;
    inst.bands.forEach((band, i) => {
      if (band.max < band.min) {
        bandsOrdered = false;
        issue(ctx, ['bands', i, 'max'], `band "${band.label}" ends at ${band.max}, before it starts (${band.min})`);
      }
    });
    if (bandsOrdered) {
      inst.bands.forEach((band, i) => {
        const prev = inst.bands[i - 1];
        if (prev === undefined) {
          if (band.min < min) issue(ctx, ['bands', i, 'min'], `band "${band.label}" starts at ${band.min}, below the lowest possible score ${min}`);
          else if (band.min > min) issue(ctx, ['bands', i, 'min'], `first band "${band.label}" starts at ${band.min}, so no band covers ${range(min, band.min - 1)}`);
          return;
        }
        if (band.min > prev.max + 1) {
          issue(
            ctx,
            ['bands', i, 'min'],
            `gap between bands "${prev.label}" (ends at ${prev.max}) and "${band.label}" (starts at ${band.min}): no band covers ${range(prev.max + 1, band.min - 1)}`,
          );
        } else if (band.min <= prev.max) {
          issue(
            ctx,
            ['bands', i, 'min'],
            `band "${band.label}" (starts at ${band.min}) overlaps band "${prev.label}" (ends at ${prev.max}); bands must be listed from low to high without overlaps`,
          );
        }
      });
      const lastIndex = inst.bands.length - 1;
      const last = inst.bands[lastIndex];
      if (last !== undefined) {
        if (last.max > max) issue(ctx, ['bands', lastIndex, 'max'], `band "${last.label}" ends at ${last.max}, above the highest possible score ${max}`);
        else if (last.max < max) issue(ctx, ['bands', lastIndex, 'max'], `last band "${last.label}" ends at ${last.max}, so no band covers ${range(last.max + 1, max)}`);
      }
    }

    if (inst.reliableChange > max - min) {
      issue(ctx, ['reliableChange'], `is ${inst.reliableChange}, larger than the whole score range ${range(min, max)}`);
    }
    if (inst.clinicalCutoff !== undefined && (inst.clinicalCutoff < min || inst.clinicalCutoff > max)) {
      issue(ctx, ['clinicalCutoff'], `must be within the score range ${range(min, max)}, got ${inst.clinicalCutoff}`);
    }

    if (inst.responseOptions.length > 0) {
      reportDuplicates(ctx, inst.responseOptions, (o) => String(o.value), (i) => ['responseOptions', i, 'value'], (k) => `duplicate response value ${k}`);
      if (itemsValid) {
        const offered = new Set(inst.responseOptions.map((o) => o.value));
        const needed = new Set<number>();
        for (const item of inst.items) for (let v = item.min; v <= item.max; v++) needed.add(v);
        for (const v of [...needed].sort((a, b) => a - b)) {
          if (!offered.has(v)) issue(ctx, ['responseOptions'], `no option for score ${v}, which the items can take`);
        }
      }
    }
  });

// ---------------------------------------------------------------------------------------------
// framework

export const frameworkSchema = z
  .strictObject({
    id: idSchema,
    version: z.string().regex(SEMVER_PATTERN, 'must be a semantic version like "1.0.0"'),
    name: textSchema,
    description: textSchema,
    source: textSchema.optional(),
    scale: scaleSchema,
    negationCues: cueListSchema.min(1),
    pseudoNegationCues: cueListSchema.default([]),
    historicalCues: cueListSchema.min(1),
    hypotheticalCues: cueListSchema.default([]),
    scopeTerminators: cueListSchema.default([]),
    /**
     * Words that link a cause and its effect ("because", "due to", "which", "making it"): like scope
     * terminators they end the reach of a negation or time cue, but problem and strength words still
     * reach across them ("struggles to get to work because the bus route changed").
     */
    linkCues: cueListSchema.default([]),
    improvementCues: cueListSchema.default([]),
    deteriorationCues: cueListSchema.default([]),
    /** Phrases that put a clause in the present ("now", "currently"): a historical cue elsewhere in the clause does not reach past them. */
    currentCues: cueListSchema.default([]),
    /** Marks a whole sentence as not evidence about the client (agency information, topics not covered). */
    nonEvidenceCues: cueListSchema.default([]),
    /** People other than the client ("neighbour", "roommate"): a clause with one of them as its subject is not evidence. */
    otherPersonCues: cueListSchema.default([]),
    /**
     * Relatives, by the domain their difficulties count for: a clause about "her son" with a concern
     * of a client-scope domain ("her son was arrested") is evidence for that domain (parenting)
     * instead.
     */
    relatives: z
      .array(
        z.strictObject({
          domain: idSchema,
          cues: cueListSchema.min(1),
          /** only with an owner before it ("her mother", "client's dad"): a bare "Mother" in a note is often the client */
          ownerOnly: z.boolean().default(false),
        }),
      )
      .default([]),
    /** Phrases that contain an indicator, topic or valence cue but mean something else ("animal shelter", "shift lead"). */
    pseudoCues: cueListSchema.default([]),
    /** Names of screenings, assessments and tests ("depression screening", "assessment of"): a cue next to one is named, not found. */
    mentionCues: cueListSchema.default([]),
    /**
     * Change words of gaining something ("found", "obtained", "enrolled"): a gained strength is an
     * improvement, but a gained crisis resource is still a concern ("found shelter", "enrolled at the
     * food bank").
     */
    gainCues: cueListSchema.default([]),
    /** Words that make a domain topic a problem ("struggling", "lack of"): the topic tier tags it as a concern. */
    adverseCues: cueListSchema.default([]),
    /**
     * Words of worry ("concerned", "worried", "expressed concern"), also problem words: said by a
     * relative they show that the relative cares about the client, not a problem in the relationship.
     */
    worryCues: cueListSchema.default([]),
    /** Words that make a domain topic a strength ("stable", "reliable"): the topic tier tags it as a strength. */
    supportiveCues: cueListSchema.default([]),
    domains: z.array(domainSchema).min(1),
    instruments: z.array(instrumentSchema).default([]),
  })
  .superRefine((fw, ctx) => {
    reportDuplicates(ctx, fw.domains, (d) => d.id, (i) => ['domains', i, 'id'], (k) => `duplicate domain id "${k}"`);
    reportDuplicates(ctx, fw.instruments, (x) => x.id, (i) => ['instruments', i, 'id'], (k) => `duplicate instrument id "${k}"`);

    // Context cue lists must not share phrases: a phrase cannot both negate and not negate.
    reportCueLists(ctx, [
      { name: 'negationCues', path: ['negationCues'], cues: fw.negationCues },
      { name: 'pseudoNegationCues', path: ['pseudoNegationCues'], cues: fw.pseudoNegationCues },
      { name: 'historicalCues', path: ['historicalCues'], cues: fw.historicalCues },
      { name: 'currentCues', path: ['currentCues'], cues: fw.currentCues },
      { name: 'hypotheticalCues', path: ['hypotheticalCues'], cues: fw.hypotheticalCues },
      { name: 'scopeTerminators', path: ['scopeTerminators'], cues: fw.scopeTerminators },
      { name: 'linkCues', path: ['linkCues'], cues: fw.linkCues },
      { name: 'nonEvidenceCues', path: ['nonEvidenceCues'], cues: fw.nonEvidenceCues },
    ]);
    reportCueLists(ctx, [
      { name: 'improvementCues', path: ['improvementCues'], cues: fw.improvementCues },
      { name: 'gainCues', path: ['gainCues'], cues: fw.gainCues },
      { name: 'deteriorationCues', path: ['deteriorationCues'], cues: fw.deteriorationCues },
    ]);
    reportCueLists(ctx, [
      { name: 'otherPersonCues', path: ['otherPersonCues'], cues: fw.otherPersonCues },
      ...fw.relatives.map((r, i) => ({ name: `relatives.${i}`, path: ['relatives', i, 'cues'], cues: r.cues })),
    ]);
    reportCueLists(ctx, [{ name: 'pseudoCues', path: ['pseudoCues'], cues: fw.pseudoCues }]);
    reportCueLists(ctx, [{ name: 'mentionCues', path: ['mentionCues'], cues: fw.mentionCues }]);
    reportCueLists(ctx, [{ name: 'worryCues', path: ['worryCues'], cues: fw.worryCues }]);
    // A word cannot make a topic both a problem and a strength.
    reportCueLists(ctx, [
      { name: 'adverseCues', path: ['adverseCues'], cues: fw.adverseCues },
      { name: 'supportiveCues', path: ['supportiveCues'], cues: fw.supportiveCues },
    ]);

    const values = fw.scale.map((l) => l.value);
    const scaleText = values.join(', ');
    const valueKeys = new Set(values.map(String));
    fw.domains.forEach((domain, d) => {
      for (const key of Object.keys(domain.levels)) {
        if (!valueKeys.has(key)) {
          issue(ctx, ['domains', d, 'levels', key], `"${key}" is not a value on the scale (${scaleText})`);
        }
      }
      for (const level of fw.scale) {
        if (!Object.hasOwn(domain.levels, String(level.value))) {
          issue(ctx, ['domains', d, 'levels'], `missing description for level ${level.value} ("${level.label}")`);
        }
      }
    });

    const domainIds = new Set(fw.domains.map((d) => d.id));
    fw.relatives.forEach((r, i) => {
      if (!domainIds.has(r.domain)) issue(ctx, ['relatives', i, 'domain'], `unknown domain "${r.domain}"`);
    });
    const lowest = values[0];
    const highest = values[values.length - 1];
    fw.instruments.forEach((inst, i) => {
      inst.domains.forEach((id, j) => {
        if (!domainIds.has(id)) issue(ctx, ['instruments', i, 'domains', j], `unknown domain "${id}"`);
      });
      if (inst.administeredPer === 'domain' && lowest !== undefined && highest !== undefined) {
        inst.items.forEach((item, j) => {
          if (item.min !== lowest) {
            issue(ctx, ['instruments', i, 'items', j, 'min'], `a per-domain rating must start at the lowest scale value ${lowest}, got ${item.min}`);
          }
          if (item.max !== highest) {
            issue(ctx, ['instruments', i, 'items', j, 'max'], `a per-domain rating must end at the highest scale value ${highest}, got ${item.max}`);
          }
        });
      }
    });
  });

/** A validated framework (defaults filled in). */
export type Framework = z.infer<typeof frameworkSchema>;
/** What a framework file may contain before defaults are applied. */
export type FrameworkInput = z.input<typeof frameworkSchema>;
export type ScaleLevel = z.infer<typeof scaleLevelSchema>;
export type Domain = z.infer<typeof domainSchema>;
export type Indicator = z.infer<typeof indicatorSchema>;
export type IndicatorDirection = z.infer<typeof indicatorDirectionSchema>;
export type Instrument = z.infer<typeof instrumentSchema>;
export type InstrumentItem = z.infer<typeof instrumentItemSchema>;
export type ResponseOption = z.infer<typeof responseOptionSchema>;
export type Band = z.infer<typeof bandSchema>;
export type ScoringMethod = z.infer<typeof scoringMethodSchema>;
export type ScoreDirection = z.infer<typeof scoreDirectionSchema>;
