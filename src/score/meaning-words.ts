/**
 * Word lists for the meaning guard of `alignQuote` (see `meaningDifference` in align.ts). All
 * entries are lower case, accent-free, with a straight apostrophe: the form `wordKey` gives.
 *
 * A word in one of the classes below carries meaning on its own: a quote and a note span that
 * differ by it say different things, so it is never forgiven as a typo, an inserted word or a
 * dropped one. Only FREE_WORDS may come and go.
 */

const words = (s: string): string[] => s.trim().split(/\s+/);

/**
 * Words a quote may add, drop or exchange for one another without changing what it says:
 * articles ("30 a week" = "30 per week") and a few prepositions and conjunctions that only bind. Deliberately short: no
 * negators, modals, quantifiers, pronouns, auxiliaries ("is"/"was" carry tense, which decides
 * current against historical) or prepositions that have an opposite ("to"/"from", "in"/"out"…
 * are still checked as opposites before two free words are allowed to swap).
 */
export const FREE_WORDS = new Set(words(`a an the and that of to at in on for per 's`));

/** Negators and verbs of denial or refusal, including the "not" that "n't" and "cannot" expand to. */
export const NEGATORS = new Set(words(`
  not no never none nobody nothing nowhere neither nor without non nope nah
  deny denies denied denying refuse refuses refused refusing decline declines declined declining
  fail fails failed failing unable lack lacks lacked lacking absent
`));

/** Prefixes that negate the word they are put before ("employed"/"unemployed"). */
export const NEGATING_PREFIXES = ['un', 'in', 'im', 'il', 'ir', 'dis', 'non', 'mis'] as const;

/** Suffixes that negate, or turn around, their stem ("home"/"homeless", "hopeful"/"hopeless"). */
export const NEGATING_SUFFIXES = ['less', 'lessly', 'lessness'] as const;

export const NUMBER_WORDS = new Set(words(`
  zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen
  sixteen seventeen eighteen nineteen twenty thirty forty fifty sixty seventy eighty ninety hundred
  thousand million billion first second third fourth fifth sixth seventh eighth ninth tenth eleventh
  twelfth twentieth thirtieth hundredth once twice thrice half halves quarter quarters dozen dozens
  couple single double triple both
`));

export const DATE_WORDS = new Set(words(`
  january february march april may june july august september october november december
  jan feb mar apr jun jul aug sep sept oct nov dec
  monday tuesday wednesday thursday friday saturday sunday mon tue tues wed thu thur thurs fri sat sun
  today tonight yesterday tomorrow now currently previously formerly recently soon later earlier ago
  already still yet again anymore day days week weeks weekend weekends month months year years
  hour hours minute minutes morning mornings afternoon evening evenings night nights daily weekly
  biweekly fortnightly monthly yearly annually overnight
`));

export const PRONOUNS = new Set(words(`
  i me my mine myself we us our ours ourselves you your yours yourself yourselves
  he him his himself she her hers herself they them their theirs themselves themself it its itself
  someone somebody anyone anybody everyone everybody who whom whose
`));

/** Nouns that say who is spoken of: the client, their family, the people around them. */
export const PEOPLE = new Set(words(`
  client clients patient patients customer resident participant member consumer tenant tenants
  son sons daughter daughters child children kid kids baby babies infant toddler teen teenager
  mother mothers mom mum mommy mama father fathers dad daddy papa parent parents stepmother
  stepfather stepson stepdaughter stepdad stepmom grandmother grandfather grandma grandpa granny
  grandparent grandparents grandson granddaughter grandchild grandchildren brother brothers sister
  sisters sibling siblings aunt uncle cousin cousins niece nephew husband wife spouse partner
  boyfriend girlfriend fiance fiancee ex friend friends neighbour neighbor neighbours neighbors
  roommate roommates housemate landlord landlady landlords employer boss manager supervisor
  coworker coworkers colleague colleagues caseworker worker counselor counsellor therapist doctor
  physician nurse psychiatrist teacher principal officer police lawyer attorney judge guardian
  caregiver carer family relative relatives household man men woman women boy boys girl girls
  gentleman lady mr mrs ms mx dr
`));

export const MODALS = new Set(words(`can could may might must shall should will would ought`));

/** Quantities, degrees and frequencies. */
export const QUANTIFIERS = new Set(words(`
  all any some every each many much more most few fewer less least little several enough only just
  lot lots plenty entire whole partial partly partially fully mostly mainly almost nearly
  approximately roughly about over under always usually often sometimes occasionally rarely seldom
  hardly barely scarcely ever very too extremely slightly somewhat completely totally even also
`));

/**
 * Pairs of opposites, as lemmas (any inflection is reduced by `lemma` below before the lookup).
 * The fuzzy aligner would forgive some of them as typos ("increase"/"decrease" are 75% alike);
 * the others would be rejected anyway, and are here so the reason names them.
 */
export const ANTONYM_PAIRS: readonly (readonly [string, string])[] = [
  ['improve', 'worsen'], ['improve', 'deteriorate'], ['improvement', 'deterioration'], ['improve', 'decline'],
  ['better', 'worse'], ['best', 'worst'], ['gain', 'lose'], ['gain', 'lost'], ['win', 'lose'], ['won', 'lost'],
  ['find', 'lose'], ['found', 'lost'], ['keep', 'lose'], ['kept', 'lost'], ['approve', 'deny'], ['approve', 'reject'],
  ['approve', 'decline'], ['approve', 'disapprove'], ['accept', 'reject'], ['accept', 'decline'], ['accept', 'refuse'],
  ['grant', 'deny'], ['admit', 'deny'], ['confirm', 'deny'], ['allow', 'forbid'], ['allow', 'prohibit'], ['allow', 'deny'],
  ['increase', 'decrease'], ['increase', 'reduce'], ['increase', 'drop'], ['increase', 'cut'], ['rise', 'fall'],
  ['rose', 'fell'], ['raise', 'lower'], ['more', 'less'], ['more', 'fewer'], ['most', 'least'], ['many', 'few'],
  ['much', 'little'], ['high', 'low'], ['higher', 'lower'], ['highest', 'lowest'], ['up', 'down'], ['in', 'out'],
  ['on', 'off'], ['to', 'from'], ['into', 'out'], ['inside', 'outside'], ['above', 'below'], ['over', 'under'],
  ['start', 'stop'], ['start', 'quit'], ['start', 'finish'], ['start', 'end'], ['begin', 'end'], ['began', 'ended'],
  ['begin', 'stop'], ['continue', 'stop'], ['continue', 'discontinue'], ['resume', 'stop'], ['open', 'close'],
  ['enter', 'leave'], ['entered', 'left'], ['arrive', 'leave'], ['arrived', 'left'], ['join', 'leave'], ['joined', 'left'],
  ['stay', 'leave'], ['stayed', 'left'], ['remain', 'leave'], ['come', 'go'], ['came', 'went'], ['hire', 'fire'],
  ['hire', 'dismiss'], ['pass', 'fail'], ['succeed', 'fail'], ['success', 'failure'], ['with', 'without'],
  ['include', 'exclude'], ['before', 'after'], ['early', 'late'], ['earlier', 'later'], ['first', 'last'],
  ['next', 'last'], ['next', 'previous'], ['past', 'future'], ['old', 'new'], ['older', 'younger'], ['current', 'former'],
  ['current', 'previous'], ['currently', 'formerly'], ['currently', 'previously'], ['now', 'then'], ['now', 'before'],
  ['safe', 'dangerous'], ['safe', 'unsafe'], ['present', 'absent'], ['attend', 'miss'], ['attend', 'skip'],
  ['remember', 'forget'], ['remembered', 'forgot'], ['agree', 'refuse'], ['agree', 'disagree'], ['always', 'never'],
  ['always', 'sometimes'], ['often', 'rarely'], ['often', 'seldom'], ['often', 'never'], ['all', 'none'], ['all', 'some'],
  ['every', 'no'], ['everyone', 'nobody'], ['everything', 'nothing'], ['yes', 'no'], ['true', 'false'],
  ['positive', 'negative'], ['clean', 'dirty'], ['sober', 'drunk'], ['sober', 'intoxicated'], ['sober', 'relapse'],
  ['healthy', 'sick'], ['healthy', 'ill'], ['healthy', 'unhealthy'], ['well', 'ill'], ['well', 'unwell'],
  ['well', 'poorly'], ['good', 'bad'], ['good', 'poor'], ['happy', 'sad'], ['happy', 'unhappy'], ['calm', 'agitated'],
  ['calm', 'anxious'], ['full', 'part'], ['full', 'empty'], ['housed', 'homeless'],
  ['pay', 'owe'], ['paid', 'owed'], ['paid', 'unpaid'], ['income', 'debt'], ['credit', 'debt'], ['asset', 'debt'],
  ['give', 'take'], ['gave', 'took'], ['buy', 'sell'], ['bought', 'sold'], ['lend', 'borrow'], ['support', 'oppose'],
  ['for', 'against'], ['guilty', 'innocent'], ['male', 'female'],
  ['maximum', 'minimum'], ['major', 'minor'], ['strong', 'weak'], ['strength', 'weakness'], ['same', 'different'],
  ['easy', 'hard'], ['easy', 'difficult'], ['cheap', 'expensive'], ['rich', 'poor'], ['relieved', 'worried'],
  ['left', 'right'], ['north', 'south'], ['east', 'west'], ['morning', 'evening'], ['day', 'night'], ['love', 'hate'],
  ['like', 'hate'], ['like', 'dislike'], ['can', 'cannot'],
];

/**
 * A rough lemma, enough to match the inflections of the pairs above ("improved", "improves",
 * "improving" → "improv"). Not a stemmer for anything else.
 */
export function lemma(w: string): string {
  let s = w;
  if (s.length > 5 && s.endsWith('ing')) s = s.slice(0, -3);
  else if (s.length > 4 && (s.endsWith('ied') || s.endsWith('ies'))) s = `${s.slice(0, -3)}y`;
  else if (s.length > 4 && s.endsWith('ed')) s = s.slice(0, -2);
  else if (s.length > 4 && /(?:ss|x|z|ch|sh)es$/.test(s)) s = s.slice(0, -2);
  else if (s.length > 3 && s.endsWith('s') && !s.endsWith('ss')) s = s.slice(0, -1);
  // "stopped" → "stopp" → "stop"; "improve" and "improv(ed)" → "improv"
  if (s.length > 3 && /([b-df-hj-np-tv-z])\1$/.test(s) && !/(?:ll|ss|ff|zz)$/.test(s)) s = s.slice(0, -1);
  if (s.length > 3 && s.endsWith('e')) s = s.slice(0, -1);
  return s;
}

const ANTONYMS = new Map<string, Set<string>>();
for (const [a, b] of ANTONYM_PAIRS) {
  for (const [x, y] of [[lemma(a), lemma(b)], [lemma(b), lemma(a)]] as const) {
    let set = ANTONYMS.get(x);
    if (set === undefined) ANTONYMS.set(x, (set = new Set()));
    set.add(y);
    // irregular forms are listed as written too ("lost", "left"): the lemma may not reduce them
  }
  for (const [x, y] of [[a, b], [b, a]] as const) {
    let set = ANTONYMS.get(x);
    if (set === undefined) ANTONYMS.set(x, (set = new Set()));
    set.add(y);
  }
}

/** Whether two words (keys) are opposites, in any inflection the lemma covers. */
export function areOpposites(a: string, b: string): boolean {
  return ANTONYMS.get(a)?.has(b) === true || ANTONYMS.get(lemma(a))?.has(lemma(b)) === true;
}

/** Whether a word is one half of some pair of opposites (so a typo-like change of it is suspect). */
export function hasOpposite(a: string): boolean {
  return ANTONYMS.has(a) || ANTONYMS.has(lemma(a));
}

/** Contractions written without their apostrophe, as they often are in notes, and what they stand for. */
export const BARE_CONTRACTIONS: ReadonlyMap<string, readonly string[]> = new Map([
  ['dont', ['do', 'not']], ['doesnt', ['does', 'not']], ['didnt', ['did', 'not']], ['isnt', ['is', 'not']],
  ['wasnt', ['was', 'not']], ['arent', ['are', 'not']], ['werent', ['were', 'not']], ['cant', ['can', 'not']],
  ['wont', ['will', 'not']], ['couldnt', ['could', 'not']], ['wouldnt', ['would', 'not']],
  ['shouldnt', ['should', 'not']], ['hasnt', ['has', 'not']], ['havent', ['have', 'not']], ['hadnt', ['had', 'not']],
  ['aint', ['is', 'not']], ['neednt', ['need', 'not']], ['mustnt', ['must', 'not']], ['cannot', ['can', 'not']],
]);

/** Stems before "n't" that are not the word itself ("won't" = "will not"). */
export const NT_STEMS: ReadonlyMap<string, string> = new Map([['ca', 'can'], ['wo', 'will'], ['sha', 'shall'], ['ai', 'is']]);

/** Other clitics after an apostrophe ("I'm" = "I am"); "'s" and "'d" stay as they are (is/has, had/would). */
export const CLITICS: ReadonlyMap<string, string> = new Map([['m', 'am'], ['re', 'are'], ['ve', 'have'], ['ll', 'will'], ['s', "'s"], ['d', "'d"]]);
