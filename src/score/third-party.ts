/**
 * Personal data of people other than the client, found in a case note without being told it:
 * person names (children, relatives, landlords, workers…) and nicknames, street names given
 * without a house number, and named employers.
 *
 * A name is found by one of:
 * - a title or a relationship/role just before it: "Dr Patel", "landlord Mr Okafor", "her son
 *   Tyler", "her boyfriend, Marcus,", "case manager Jordan", "her cousin 'Bird'";
 * - a relationship or an age just after it: "Tyler, her son,", "Aiden (4)", "Kaylee's dad";
 * - a nickname cue: "goes by 'Bird'", "known as Smoke", "a man named Hollis", "everyone calls 'Big Lou'";
 * - the given-name lists (person-names.ts), when capitalised: anywhere for names that are not
 *   also common words; mid-sentence only, and not inside a proper-noun phrase ("Hope House",
 *   "Chase Bank"), for those that are ("Will", "May", "Hope", "Grace", "Bill", "Mark", "Rose"…);
 * - being joined by "and"/"or" to a name found, or following a given name as a surname;
 * - being a word already found as a name elsewhere in the note (a bare later mention).
 * Each word of a name is a value of its own, so "Tyler" and "Mr Brooks" later in the note get
 * the placeholders that "Tyler Brooks" got.
 *
 * Evidence the model needs is left alone: lower-case words are never names, a sentence-initial
 * common word is not a name ("Will attend", "May rent", "Hope is…"), months and weekdays are not,
 * and generic places of work ("works at a warehouse", "the grocery store") are not employers:
 * an employer must be a capitalised name after an employment cue ("works at Kroger", "hired by
 * Smith & Sons Plumbing", "employed at the Riverside Diner").
 */
import { isGivenName, isWordlikeName } from './person-names.ts';

export type ThirdPartyKind = 'name' | 'street' | 'employer';

export interface ThirdPartyHit {
  start: number;
  end: number;
  kind: ThirdPartyKind;
  /** canonical value where it is not the folded text ("Maple St" and "Maple Street" are one street) */
  key?: string;
}

interface Tok {
  /** the word, without a possessive "'s" */
  s: number;
  e: number;
  /** end including the possessive */
  end: number;
  text: string;
  /** lower case, accents stripped, straight apostrophes */
  lower: string;
  /** starts with a capital and has lower-case letters (or is a single capital) */
  cap: boolean;
  /** all capitals, two letters or more */
  upper: boolean;
  /** first word of a sentence, line, list item or quotation */
  initial: boolean;
  poss: boolean;
}

const words = (s: string): Set<string> => new Set(s.trim().split(/\s+/));

/** Words that are never part of a name, however capitalised. */
const STOP = words(`
  i me my mine we us our you your he him his she her hers they them their it its this that these those
  the a an and or but nor so yet if then than when while where who whom whose which what why how because
  as at by for from in into of off on onto out over per to under up upon via with within without about
  after before between during since through until toward towards against among around near along past
  across behind beside not no yes also just only very all any some each every both either neither other
  another such is am are was were be been being has have had do does did can could shall should would
  must might ought let lets please thanks ok okay hello hi
  client clients cl pt pts staff cm today tonight tomorrow yesterday participant participants member members
  customer consumer resident patient youth guest applicant caller household writer author
  appointment appt appts visit office orders employee volunteer student tenant winner
  monday tuesday wednesday thursday friday saturday sunday mon tue tues wed thu thur thurs fri sat sun
  christmas thanksgiving easter halloween hanukkah ramadan eid kwanzaa
  english spanish french arabic somali haitian creole vietnamese chinese mandarin cantonese korean
  russian polish portuguese american african mexican latino latina hispanic asian native
  catholic baptist muslim jewish christian methodist pentecostal lutheran god jesus lord bible
  medicaid medicare snap wic tanf ssi ssdi section box jr sr ii iii iv esq
  note notes plan goal goals update summary assessment intake referral referrals follow
`);
const MONTHS = words(`january february march april may june july august september october november december
  jan feb mar apr jun jul aug sep sept oct nov dec`);

/** Titles: the capitalised words after one are a name ("Dr Patel", "Ms. Delgado", "Aunt May"). */
const TITLES = words(`mr mrs ms miss mx dr doctor prof professor judge officer ofc det detective sgt sergeant
  deputy lt capt captain agent pastor rev reverend father fr sister brother coach nurse aunt auntie aunty
  uncle grandma grandpa granny nana papa abuela abuelo tia tio`);
/** Relationships and roles: a capitalised word right after one is a name ("her son Tyler"). */
const RELATIONS = words(`
  son daughter child kid baby infant newborn toddler teen teenager boy girl twin stepson stepdaughter
  stepchild grandson granddaughter grandchild grandkid grandbaby brother sister sibling half-brother
  half-sister stepbrother stepsister mother mom mum mommy mama momma father dad daddy pops stepmother
  stepmom stepfather stepdad parent grandmother grandma granny nana grandfather grandpa granddad
  grandparent aunt auntie aunty uncle cousin niece nephew husband wife spouse partner boyfriend
  girlfriend bf gf fiance fiancé fiancee fiancée ex ex-husband ex-wife ex-boyfriend ex-girlfriend
  ex-partner godmother godfather godson goddaughter mother-in-law father-in-law sister-in-law
  brother-in-law daughter-in-law son-in-law relative friend buddy pal bestie roommate housemate
  neighbor neighbour landlord landlady owner superintendent employer boss supervisor manager
  foreman coworker co-worker colleague caseworker worker therapist counselor counsellor clinician
  psychiatrist psychologist doctor physician pediatrician dentist nurse practitioner midwife doula po officer
  detective attorney lawyer defender judge gal guardian teacher principal tutor coach mentor sponsor
  pastor priest minister chaplain advocate specialist navigator coordinator aide caregiver babysitter
  sitter nanny interpreter translator cm oldest youngest eldest abuser perpetrator assailant victim
`);
/** Plural relationships: a list of names may follow ("her kids Tyler, Keisha and Jayden"). */
const PLURAL_RELATIONS = words(`sons daughters children kids babies boys girls twins stepchildren stepkids
  grandsons granddaughters grandchildren grandkids brothers sisters siblings parents grandparents
  cousins nieces nephews relatives friends roommates neighbors neighbours coworkers`);
/** A capitalised word followed by one of these names a place or an organisation, not a person. */
const ORG = words(`
  hospital clinic center centre church school elementary middle high academy college university institute
  house home homes shelter bank park garden gardens village apartments apts towers tower manor plaza mall
  market store stores pharmacy foundation ministries ministry services agency authority department dept
  office corps cross army memorial library program programme project recovery health medical community
  county city state club inn hotel motel diner cafe café restaurant grill bar pub kitchen bakery deli
  foods logistics plumbing construction cleaning transit tech industries motors auto group company co
  corp corporation inc llc ltd partners associates solutions systems care living court campus hall
  station heights commons anonymous charities scouts
`);
/** Before a given name these make a place or an institution ("St. Luke's", "Fort Jackson"). */
const PLACE_PREFIX = words('st saint san santa fort ft mount mt lake port new north south east west');
/** Sentence openers that look like names before ", her son" but are not. */
const DISCOURSE = words(`however additionally also meanwhile overall today yesterday later finally again
  currently previously then next first second third lastly unfortunately fortunately recently afterwards
  otherwise instead still therefore thus hence plus besides regardless anyway per`);
/** After a word found as a name elsewhere, these make a sentence-initial common word a name ("Will is"). */
const VERBISH = words(`is was has had said says called calls came comes went goes got gets did does and or
  told tells asked asks reported reports stated states texted texts needs wants seems looks lives works
  attends stays sees feels likes loves plays takes makes keeps gives helps visits starts shows thinks
  knows misses cries sleeps eats refuses agrees will would can could should may might isn't wasn't
  hasn't doesn't didn't won't can't`);

const STRONG_SUFFIX: Record<string, string> = {
  street: 'street', st: 'street', avenue: 'avenue', ave: 'avenue', av: 'avenue', road: 'road', rd: 'road',
  boulevard: 'boulevard', blvd: 'boulevard', lane: 'lane', ln: 'lane', parkway: 'parkway', pkwy: 'parkway',
  highway: 'highway', hwy: 'highway', terrace: 'terrace', ter: 'terrace', trail: 'trail', trl: 'trail',
  pike: 'pike', turnpike: 'turnpike', expressway: 'expressway', alley: 'alley', crescent: 'crescent',
};
/** Suffixes that are common words too ("Family Court", "United Way", "Toy Drive"): a street only after "on", "off", "near"… */
const WEAK_SUFFIX: Record<string, string> = {
  drive: 'drive', dr: 'drive', court: 'court', ct: 'court', way: 'way', place: 'place', pl: 'place',
  circle: 'circle', cir: 'circle', square: 'square', sq: 'square', loop: 'loop', path: 'path', row: 'row',
};
const LOCATIVE = words('on off near along by onto past across behind around toward towards down up corner of from');
const NOT_STREET_BEFORE = words(`family district housing juvenile municipal superior supreme drug county circuit
  traffic probate claims federal bankruptcy city criminal civil magistrate tax youth treatment veterans
  small appeals domestic dependency united safe toy food coat book blood clothing donation fund backpack`);

/** Words between "works" and "at": "works nights at", "works part time for". */
const WORK_ADVERBS = words(`nights days weekends evenings mornings overnights overnight part full time part-time
  full-time there still now also currently mostly again`);
const WORK_VERBS = words('work works worked working workin');
/** Cues whose last word is the preposition before the employer; checked backwards from it. */
const EMPLOYER_CUES: string[][] = [
  ['job', 'at'], ['job', 'with'], ['jobs', 'at'], ['position', 'at'], ['position', 'with'], ['shift', 'at'], ['shifts', 'at'],
  ['gig', 'at'], ['gig', 'with'], ['employed', 'at'], ['employed', 'by'], ['employed', 'with'], ['employee', 'at'],
  ['hired', 'at'], ['hired', 'by'], ['hired', 'on', 'at'], ['started', 'at'], ['starts', 'at'], ['starting', 'at'], ['start', 'at'],
  ['interview', 'at'], ['interview', 'with'], ['interviewed', 'at'], ['interviewed', 'with'], ['interviewing', 'at'],
  ['applied', 'at'], ['applying', 'at'], ['apply', 'at'], ['application', 'at'],
  ['fired', 'from'], ['fired', 'by'], ['terminated', 'from'], ['terminated', 'by'], ['let', 'go', 'from'], ['let', 'go', 'by'],
  ['laid', 'off', 'from'], ['laid', 'off', 'by'], ['laid', 'off', 'at'], ['retired', 'from'], ['quit', 'at'],
  ['drives', 'for'], ['driving', 'for'], ['drove', 'for'], ['delivers', 'for'], ['delivering', 'for'], ['delivered', 'for'],
  ['paycheck', 'from'], ['paystub', 'from'], ['paystubs', 'from'], ['wages', 'from'],
  ...`cashier clerk cook manager supervisor boss driver server waitress waiter dishwasher janitor housekeeper aide cna
    stocker associate nurse barista mechanic guard receptionist custodian bartender technician teller operator assistant
    foreman employee staff`.trim().split(/\s+/).flatMap((w) => [[w, 'at'], [w, 'for']]),
];

const TOKEN_RE = /[\p{L}\p{N}][\p{L}\p{M}\p{N}]*(?:['’‐-][\p{L}\p{N}][\p{L}\p{M}\p{N}]*)*/gu;
const ABBREVIATIONS = words(`mr mrs ms mx dr st jr sr mt ft no vs etc approx apt ave rd blvd ln dept co inc corp ltd
  prof rev sgt lt capt det ofc gov sen rep hon fr`);

function lowerOf(s: string): string {
  if (!/[^ -~]/.test(s)) return s.toLowerCase();
  return s.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase().replace(/[’‐]/g, (c) => (c === '’' ? "'" : '-'));
}

function tokenize(text: string): Tok[] {
  const toks: Tok[] = [];
  for (const m of text.matchAll(TOKEN_RE)) {
    const raw = m[0];
    const poss = raw.length > 2 && /['’][sS]$/.test(raw);
    const word = poss ? raw.slice(0, -2) : raw;
    const s = m.index;
    toks.push({
      s,
      e: s + word.length,
      end: s + raw.length,
      text: word,
      lower: lowerOf(word),
      cap: /^\p{Lu}/u.test(word) && (word.length === 1 || /\p{Ll}/u.test(word)),
      upper: word.length >= 2 && /\p{Lu}/u.test(word) && !/\p{Ll}/u.test(word),
      initial: false,
      poss,
    });
  }
  for (let i = 0; i < toks.length; i++) (toks[i] as Tok).initial = startsSentence(text, toks, i);
  return toks;
}

const isSpace = (c: string): boolean => c === ' ' || c === '\t' || c === '\u00a0' || c === '\r';

function startsSentence(text: string, toks: Tok[], i: number): boolean {
  const prevEnd = i > 0 ? (toks[i - 1] as Tok).end : 0;
  for (let k = (toks[i] as Tok).s - 1; k >= prevEnd; k--) {
    const c = text[k] as string;
    if (c === '\n') return true;
    if (isSpace(c) || c === '(' || c === '[' || c === '*' || c === '•' || c === '·' || c === '>') continue;
    if ('"“”\'‘’'.includes(c)) {
      // an opening quotation starts a sentence of its own
      if (k === 0 || isSpace(text[k - 1] as string) || text[k - 1] === '\n' || text[k - 1] === '(') return true;
      continue;
    }
    if (c === '-' || c === '–' || c === '—') return k === 0 || isSpace(text[k - 1] as string) || text[k - 1] === '\n';
    if (c === '.') {
      const prev = toks[i - 1];
      if (prev && prev.end === k && (ABBREVIATIONS.has(prev.lower) || /^\p{Lu}$/u.test(prev.text))) return false;
      return true;
    }
    return '!?:;'.includes(c);
  }
  return i === 0;
}

/** The text between two tokens. */
const gapOf = (text: string, a: Tok, b: Tok): string => text.slice(a.end, b.s);
const SPACE_GAP = /^[ \t\u00a0]+$/;

/** One note's tokens and what has been found in them so far, shared by the passes of findThirdParty. */
interface Scan {
  text: string;
  toks: Tok[];
  n: number;
  hits: ThirdPartyHit[];
  /** tokens already inside a street or an employer */
  taken: Uint8Array;
  /** tokens found as names */
  named: Uint8Array;
  tok: (i: number) => Tok | undefined;
  adjacent: (i: number, j: number) => boolean;
  startingAt: Map<number, number>;
  endingAt: Map<number, number>;
}

function scanOf(text: string): Scan {
  const toks = tokenize(text);
  const n = toks.length;
  const taken = new Uint8Array(n);
  const named = new Uint8Array(n);
  const tok = (i: number): Tok | undefined => (i >= 0 && i < n ? toks[i] : undefined);
  const startingAt = new Map<number, number>();
  const endingAt = new Map<number, number>();
  toks.forEach((t, i) => {
    startingAt.set(t.s, i);
    endingAt.set(t.end, i);
  });
  const adjacent = (i: number, j: number): boolean => {
    const a = tok(i);
    const b = tok(j);
    return a !== undefined && b !== undefined && !a.poss && SPACE_GAP.test(gapOf(text, a, b));
  };
  return { text, toks, n, hits: [], taken, named, tok, adjacent, startingAt, endingAt };
}

/** Every mention of a phrase found once with a cue ("works at Kroger … Kroger cut her hours"), as whole words. */
function mentionsOf(text: string, phrase: string): Array<{ start: number; end: number; match: string }> {
  const re = new RegExp(`(?<![\\p{L}\\p{N}])${phrase.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}(?![\\p{L}\\p{N}])`, 'gu');
  return [...text.matchAll(re)].map((m) => ({ start: m.index, end: m.index + m[0].length, match: m[0] }));
}

/** Streets without a number: "off Maple Street", "near Kensington Ave", "the corner of Fifth and Main". */
function findStreets(sc: Scan): void {
  const { text, toks, n, hits, taken, tok, adjacent } = sc;
  for (let k = 1; k < n; k++) {
    const sfx = toks[k] as Tok;
    if (!(sfx.cap || sfx.upper) || sfx.poss) continue;
    const strong = STRONG_SUFFIX[sfx.lower];
    const weak = WEAK_SUFFIX[sfx.lower];
    if (!strong && !weak) continue;
    let j = k;
    while (j > 0 && k - j < 4 && adjacent(j - 1, j)) {
      const w = toks[j - 1] as Tok;
      const ok = (w.cap || w.upper || /^\d{1,3}(?:st|nd|rd|th)$/i.test(w.text)) && !STOP.has(w.lower) && !TITLES.has(w.lower);
      if (!ok) break;
      j--;
      if (w.initial) break;
    }
    if (j === k) continue;
    const first = toks[j] as Tok;
    // a house number before it: the address pattern of redact.ts covers it
    const before = tok(j - 1);
    if (before && /^\d/.test(before.text) && adjacent(j - 1, j)) continue;
    if (!strong) {
      if (NOT_STREET_BEFORE.has((toks[k - 1] as Tok).lower) || NOT_STREET_BEFORE.has(first.lower)) continue;
      if (!before || !LOCATIVE.has(before.lower) || !adjacent(j - 1, j)) continue;
    }
    const canon = strong ?? weak;
    const key = [...toks.slice(j, k).map((t) => t.lower), canon].join(' ');
    hits.push({ start: first.s, end: sfx.e, kind: 'street', key });
    for (let x = j; x <= k; x++) taken[x] = 1;
  }
  // "the corner of Fifth and Main"
  for (let k = 0; k + 3 < n; k++) {
    if (!((toks[k] as Tok).lower === 'corner' || (toks[k] as Tok).lower === 'intersection') || (toks[k + 1] as Tok).lower !== 'of') continue;
    let j = k + 2;
    const group = (): void => {
      const a = j;
      while (j < n && j - a < 3 && ((toks[j] as Tok).cap || /^\d{1,3}(?:st|nd|rd|th)$/i.test((toks[j] as Tok).text)) && !STOP.has((toks[j] as Tok).lower) && (j === a || adjacent(j - 1, j))) j++;
      if (j > a && !taken[a]) {
        hits.push({ start: (toks[a] as Tok).s, end: (toks[j - 1] as Tok).e, kind: 'street', key: toks.slice(a, j).map((t) => t.lower).join(' ') });
        for (let x = a; x < j; x++) taken[x] = 1;
      }
    };
    group();
    if (j < n && ((toks[j] as Tok).lower === 'and' || gapOf(text, toks[j - 1] as Tok, toks[j] as Tok).includes('&'))) {
      if ((toks[j] as Tok).lower === 'and') j++;
      group();
    }
  }
}

/** Employers named after a work cue ("works nights at Kroger"), and named again later. */
function findEmployers(sc: Scan): void {
  const { text, toks, n, hits, taken, tok, adjacent } = sc;
  const employerStart = (t: Tok): boolean =>
    (t.cap || t.upper || /^\d+-\p{L}/u.test(t.text)) && !STOP.has(t.lower) && !MONTHS.has(t.lower) && !TITLES.has(t.lower);
  const takeEmployer = (j: number): number => {
    let k = j;
    let last = j;
    while (k + 1 < n && k - j < 5) {
      const a = toks[k] as Tok;
      const b = toks[k + 1] as Tok;
      const gap = gapOf(text, a, b);
      if (!a.poss && /^[ \t]*&[ \t]*$|^[ \t]+$|^-$/.test(gap) && (b.cap || b.upper || /^\d/.test(b.text)) && !STOP.has(b.lower)) {
        k++;
        last = k;
      } else if (!a.poss && SPACE_GAP.test(gap) && (b.lower === 'of' || b.lower === 'de') && tok(k + 2)?.cap && adjacent(k + 1, k + 2)) {
        k += 2;
        last = k;
      } else break;
    }
    const first = toks[j] as Tok;
    const end = (toks[last] as Tok).end;
    hits.push({ start: first.s, end, kind: 'employer', key: lowerOf(text.slice(first.s, end)) });
    for (let x = j; x <= last; x++) taken[x] = 1;
    return last;
  };
  const employers = new Set<string>();
  for (let p = 1; p < n; p++) {
    const prep = toks[p] as Tok;
    if (!['at', 'for', 'with', 'by', 'from', 'of'].includes(prep.lower) || prep.cap && !prep.initial) continue;
    let matched = false;
    for (const cue of EMPLOYER_CUES) {
      if (cue[cue.length - 1] !== prep.lower) continue;
      let ok = true;
      for (let c = cue.length - 2, q = p - 1; c >= 0; c--, q--) {
        if (tok(q)?.lower !== cue[c] || !adjacent(q, q + 1)) {
          ok = false;
          break;
        }
      }
      if (ok) {
        matched = true;
        break;
      }
    }
    if (!matched && (prep.lower === 'at' || prep.lower === 'for')) {
      // "works at", "works nights at", "works the front desk at": up to three lower-case words between
      for (let q = p - 1, between = 0; q >= 0 && between <= 3 && adjacent(q, q + 1); q--) {
        const w = toks[q] as Tok;
        if (WORK_VERBS.has(w.lower)) {
          matched = true;
          break;
        }
        if (!/^\p{Ll}/u.test(w.text) && !WORK_ADVERBS.has(w.lower)) break;
        between++;
      }
    }
    // "her case manager at the VA" names the agency, not where anyone in the note works
    if (matched && tok(p - 2)?.lower === 'case' && adjacent(p - 2, p - 1)) matched = false;
    if (!matched) continue;
    let j = p + 1;
    if (tok(j)?.lower === 'the' && adjacent(p, j)) j++;
    const t = tok(j);
    if (!t || !adjacent(j - 1, j) || taken[j] || !employerStart(t)) continue;
    let last = takeEmployer(j);
    employers.add(text.slice(t.s, (toks[last] as Tok).end));
    // "works for DoorDash and Instacart"
    while (tok(last + 1)?.lower === 'and' && adjacent(last, last + 1) && adjacent(last + 1, last + 2)) {
      const u = toks[last + 2] as Tok;
      if (taken[last + 2] || !employerStart(u)) break;
      const from = last + 2;
      last = takeEmployer(from);
      employers.add(text.slice(u.s, (toks[last] as Tok).end));
    }
  }
  // the employer named again without a cue ("Kroger cut her hours")
  for (const name of employers) {
    for (const m of mentionsOf(text, name)) hits.push({ start: m.start, end: m.end, kind: 'employer', key: lowerOf(m.match) });
  }
}

/** What the name passes share: recording a name, a nickname, a quotation, whether a word after a cue can be a name, a surname. */
interface NameTools {
  nameHit: (i: number) => void;
  quotedHits: Set<string>;
  nickname: (s: number, e: number) => void;
  quoteAt: (at: number, capital: boolean) => [number, number] | undefined;
  cueName: (i: number, strict: boolean) => boolean;
  surname: (i: number) => void;
}

function nameTools(sc: Scan): NameTools {
  const { text, toks, hits, taken, named, tok, adjacent, startingAt } = sc;
  const nameHit = (i: number): void => {
    if (named[i] || taken[i]) return;
    named[i] = 1;
    hits.push({ start: (toks[i] as Tok).s, end: (toks[i] as Tok).e, kind: 'name' });
  };
  const quotedHits = new Set<string>();
  const nickname = (s: number, e: number): void => {
    const inner = text.slice(s, e);
    const trimmedStart = s + (inner.length - inner.trimStart().length);
    const trimmedEnd = e - (inner.length - inner.trimEnd().length);
    if (trimmedEnd <= trimmedStart) return;
    hits.push({ start: trimmedStart, end: trimmedEnd, kind: 'name' });
    quotedHits.add(text.slice(trimmedStart, trimmedEnd));
    // a one-word nickname is looked for again like any name; longer ones only as a whole
    const only = startingAt.get(trimmedStart);
    if (only !== undefined && (toks[only] as Tok).e === trimmedEnd) named[only] = 1;
  };
  /**
   * A quotation of up to three words starting at `at` (an opening quote): its inner span. With
   * `capital`, only one that starts with a capital: 'her mom "doesn't care"' and 'called "lazy"'
   * quote words, not names.
   */
  const quoteAt = (at: number, capital: boolean): [number, number] | undefined => {
    if (!'"“\'‘'.includes(text[at] ?? '')) return undefined;
    const m = /^(?:"([^"\n]{1,30})"|“([^”\n]{1,30})”|'([^'\n]{1,30})'(?![\p{L}])|‘([^’\n]{1,30})’|“([^"\n]{1,30})")/u.exec(text.slice(at, at + 34));
    if (!m) return undefined;
    const inner = m[1] ?? m[2] ?? m[3] ?? m[4] ?? m[5] ?? '';
    if (inner.trim().split(/\s+/).length > 3 || !/\p{L}/u.test(inner) || (capital && !/^\s*[\p{Lu}\p{N}]/u.test(inner))) return undefined;
    return [at + 1, at + 1 + inner.length];
  };

  /** Whether a word right after a cue can be a name. */
  const cueName = (i: number, strict: boolean): boolean => {
    const t = tok(i);
    if (!t || taken[i]) return false;
    if (!(t.cap || (t.upper && t.text.length <= 2 && !strict))) return false;
    if (STOP.has(t.lower) || TITLES.has(t.lower) || RELATIONS.has(t.lower) || PLURAL_RELATIONS.has(t.lower)) return false;
    if (ORG.has(t.lower)) return false;
    const next = tok(i + 1);
    if (next && adjacent(i, i + 1) && next.cap && (ORG.has(next.lower) || STRONG_SUFFIX[next.lower])) return false;
    if (MONTHS.has(t.lower)) {
      // "her daughter April, 6," but not "paid the landlord May rent"
      if (next && adjacent(i, i + 1) && !VERBISH.has(next.lower) && !next.cap) return false;
    }
    return true;
  };
  /** Takes the surname (and a middle initial) after a name found at `i`. */
  const surname = (i: number): void => {
    let j = i;
    for (let step = 0; step < 2; step++) {
      let k = j + 1;
      const t = tok(j);
      // a middle initial: "Tyler J. Brooks"
      const mid = tok(k);
      if (t && mid && /^\p{Lu}$/u.test(mid.text) && text.slice(t.end, mid.s) === ' ' && text.slice(mid.e, mid.e + 2) === '. ') k++;
      const u = tok(k);
      if (!t || !u || t.poss || taken[k]) return;
      const gap = text.slice(t.end, u.s);
      if (!(gap === ' ' || (k === j + 2 && gap.startsWith(' ') && gap.endsWith('. ')))) return;
      if (!u.cap || u.initial || u.text.length < 2 || !cueName(k, true) || MONTHS.has(u.lower)) return;
      nameHit(k);
      j = k;
      if (u.poss) return;
    }
  };
  return { nameHit, quotedHits, nickname, quoteAt, cueName, surname };
}

/** Names after a title or a relationship ("Dr Patel", "her son Tyler") and after a nickname cue ("goes by 'Bird'"). */
function namesAfterCues(sc: Scan, nt: NameTools): void {
  const { text, toks, n, named, tok, adjacent, startingAt } = sc;
  const { nameHit, nickname, quoteAt, cueName, surname } = nt;
  // titles and relationships before a name
  for (let c = 0; c < n; c++) {
    const cue = toks[c] as Tok;
    const isTitle = TITLES.has(cue.lower) && (cue.cap || cue.upper);
    const isRel = RELATIONS.has(cue.lower) || PLURAL_RELATIONS.has(cue.lower);
    if ((!isTitle && !isRel) || cue.poss) continue;
    const next = tok(c + 1);
    if (!next) continue;
    const gap = gapOf(text, cue, next);
    // her cousin "Bird"
    const q = /^[ \t]*,?[ \t]*$/.test(gap.slice(0, -1)) ? quoteAt(cue.end + gap.length - 1, true) : undefined;
    if (isRel && q) {
      nickname(q[0], q[1]);
      continue;
    }
    const okGap = isTitle ? /^\.?[ \t]+$/.test(gap) : /^(?:[ \t]*[,:(][ \t]*|[ \t]+)$/.test(gap);
    if (!okGap || !cueName(c + 1, false)) continue;
    nameHit(c + 1);
    surname(c + 1);
    if (!PLURAL_RELATIONS.has(cue.lower)) continue;
    // "her kids Tyler, Keisha and Jayden", "children: Aiden (4) and Nevaeh (2)"
    let i = c + 1;
    while (i < n) {
      while (named[i + 1] && adjacent(i, i + 1)) i++;
      let j = i + 1;
      const rest = text.slice((toks[i] as Tok).end);
      const age = /^(?:[ \t]*\([^()\n]{1,14}\)|,?[ \t]+(?:age[d]?[ \t]*)?\d{1,2}(?:[ \t]*(?:y\/?o|yrs?|years?(?:[ \t]+old)?|mos?|months?(?:[ \t]+old)?))?(?![\p{N}/:.-]))/iu.exec(rest);
      const from = (toks[i] as Tok).end + (age ? age[0].length : 0);
      while (j < n && (toks[j] as Tok).s < from) j++;
      const t = tok(j);
      if (!t) break;
      const between = text.slice(from, t.s);
      if (/^[ \t]*,[ \t]*$/.test(between) || /^[ \t]*&[ \t]*$/.test(between)) {
        // next name
      } else if (/^[ \t]*,?[ \t]*$/.test(between) && (t.lower === 'and' || t.lower === 'or') && adjacent(j, j + 1)) {
        j++;
      } else break;
      if (!cueName(j, true)) break;
      nameHit(j);
      surname(j);
      i = j;
    }
  }

  // nickname cues
  const NICK_RE = /(?<![\p{L}])(?:(?:goes|go|going|went)\s+by|known\s+as|a\.?k\.?a\.?|nick-?named|nickname(?:\s+is)?|calls\s+(?:him|her|them)sel(?:f|ves)|(?:everyone|everybody|people|they|friends|he|she)\s+calls?(?:\s+(?:him|her|them))?|called|named)(?![\p{L}])[ \t]*[,:]?[ \t]*/giu;
  for (const m of text.matchAll(NICK_RE)) {
    const at = m.index + m[0].length;
    const loose = /^(?:go|went|known|a\.?k|nick)/i.test(m[0]);
    const q = quoteAt(at, !loose);
    if (q) {
      nickname(q[0], q[1]);
      continue;
    }
    // unquoted only after an unambiguous cue: "called Tyler" is a phone call
    if (/^called/i.test(m[0]) || /calls?(?:\s+(?:him|her|them))?[ \t,:]*$/i.test(m[0]) && !/sel(?:f|ves)/i.test(m[0])) continue;
    const i = startingAt.get(at) ?? -1;
    if (i < 0 || !cueName(i, true)) continue;
    nameHit(i);
    surname(i);
  }
}

/** Names by what stands after them ("Tyler, her son,"), by the given-name lists, their surnames, names joined to a name, and quoted nicknames beside one. */
function namesNearNames(sc: Scan, nt: NameTools): void {
  const { text, toks, n, taken, named, tok, adjacent, startingAt, endingAt } = sc;
  const { nameHit, nickname, quoteAt, cueName, surname } = nt;
  // relationships and ages after a name: "Tyler, her son,", "Aiden (4)", "Kaylee's dad", "Tyler is her son"
  const DET = /^(?:her|his|their|the|my|our|client'?s|cl'?s|pt'?s|a)$/;
  for (let i = 0; i < n; i++) {
    const t = toks[i] as Tok;
    if (named[i] || taken[i] || !t.cap || t.text.length < 2) continue;
    if (STOP.has(t.lower) || MONTHS.has(t.lower) || TITLES.has(t.lower) || RELATIONS.has(t.lower) || PLURAL_RELATIONS.has(t.lower) || ORG.has(t.lower)) continue;
    if (STRONG_SUFFIX[t.lower] || WEAK_SUFFIX[t.lower]) continue;
    if (t.initial && !isGivenName(t.lower) && (DISCOURSE.has(t.lower) || /ly$/.test(t.lower))) continue;
    const rest = text.slice(t.end, t.end + 40);
    let found = false;
    if (t.poss) {
      const u = tok(i + 1);
      found = u !== undefined && RELATIONS.has(u.lower) && SPACE_GAP.test(gapOf(text, t, u)) && !u.poss;
    } else if (/^[ \t]*\((?:age[d]?[ \t]*)?\d{1,2}(?:[ \t]*(?:y\/?o|yrs?|years?(?:[ \t]+old)?|mos?|months?(?:[ \t]+old)?))?\)/i.test(rest) ||
      /^,[ \t]*(?:age[d]?[ \t]*)?\d{1,2}(?:[ \t]*(?:y\/?o|yrs?|years?[ \t]+old))?[ \t]*[,)]/i.test(rest)) {
      found = true;
    } else {
      // the relationship after a comma, a bracket or "is"/"was"
      const m = /^(?:[ \t]*[,(][ \t]*|[ \t]+(?:is|was)[ \t]+)/.exec(rest);
      if (m) {
        let j = i + 1;
        while (j < n && (toks[j] as Tok).s < t.end + m[0].length) j++;
        let u = tok(j);
        if (u && DET.test(u.lower + (u.poss ? "'s" : '')) && adjacent(j, j + 1)) u = tok(j + 1);
        if (u && !u.poss && (RELATIONS.has(u.lower) || PLURAL_RELATIONS.has(u.lower))) found = true;
        // "Will is the landlord" could be a sentence about a will
        if (found && /^[ \t]+(?:is|was)/.test(m[0]) && t.initial && isWordlikeName(t.lower)) found = false;
      }
    }
    if (found) {
      nameHit(i);
      surname(i);
    }
  }

  // the given-name lists
  for (let i = 0; i < n; i++) {
    const t = toks[i] as Tok;
    if (named[i] || taken[i] || !t.cap || t.text.length < 2) continue;
    const parts = t.lower.split('-');
    const lower = parts[0] as string;
    if (!isGivenName(lower) || STOP.has(lower) || MONTHS.has(lower) || TITLES.has(lower) || RELATIONS.has(lower)) continue;
    const next = tok(i + 1);
    const nextAdj = next !== undefined && adjacent(i, i + 1);
    // a number after a common word ("Grant 2024"), a place or an organisation ("Lincoln High", "Hope House")
    if (nextAdj && ((/^\d/.test(next.text) && isWordlikeName(lower)) || (next.cap || next.upper) && (ORG.has(next.lower) || STRONG_SUFFIX[next.lower] || WEAK_SUFFIX[next.lower] || RELATIONS.has(next.lower)))) continue;
    const prev = tok(i - 1);
    const prevAdj = prev !== undefined && adjacent(i - 1, i);
    if (prev && prev.cap && PLACE_PREFIX.has(prev.lower) && /^\.?[ \t]+$/.test(gapOf(text, prev, t))) continue;
    if (isWordlikeName(lower)) {
      if (t.initial && !t.poss) continue;
      // inside a proper-noun phrase: "Amazing Grace", "Safe Haven", "Red Cross"
      if (prevAdj && (prev.cap || prev.upper) && !named[i - 1] && !TITLES.has(prev.lower) && !STOP.has(prev.lower)) continue;
      // "Faith Harbor", "Hope Center": a person only if the next word is a given name too ("Grace Kim")
      if (nextAdj && (next.cap || next.upper) && !isGivenName(next.lower)) continue;
    }
    nameHit(i);
  }
  for (let i = 0; i < n; i++) if (named[i]) surname(i);

  // joined by "and"/"or"/"&" to a name found: "Marcus and Keisha"
  for (let pass = 0; pass < 2; pass++) {
    for (let i = 0; i < n; i++) {
      if (!named[i]) continue;
      for (const dir of [1, -1]) {
        const c = i + dir;
        const conj = tok(c);
        if (!conj) continue;
        let j: number;
        if ((conj.lower === 'and' || conj.lower === 'or') && adjacent(Math.min(i, c), Math.max(i, c)) && adjacent(Math.min(c, c + dir), Math.max(c, c + dir))) j = c + dir;
        else if (/^[ \t]*&[ \t]*$/.test(dir > 0 ? gapOf(text, toks[i] as Tok, conj) : gapOf(text, conj, toks[i] as Tok))) j = c;
        else continue;
        const u = tok(j);
        if (!u || named[j] || !cueName(j, true) || u.text.length < 2) continue;
        if (u.initial && !isGivenName(u.lower) && (DISCOURSE.has(u.lower) || /ly$/.test(u.lower))) continue;
        if (u.initial && isWordlikeName(u.lower)) continue;
        nameHit(j);
      }
    }
  }

  // a quoted nickname next to a name: Marcus "Bones" Holloway, Tyler ("T")
  for (const m of text.matchAll(/[ \t]\(?(["“'‘])/g)) {
    const at = m.index + m[0].length - 1;
    const q = quoteAt(at, true);
    if (!q) continue;
    const beforeTok = endingAt.get(m.index) ?? -1;
    const afterStart = q[1] + 1 + (/^\)?[ \t]+/.exec(text.slice(q[1] + 1))?.[0].length ?? 0);
    const afterTok = startingAt.get(afterStart) ?? -1;
    if ((beforeTok >= 0 && named[beforeTok]) || (afterTok >= 0 && named[afterTok])) {
      nickname(q[0], q[1]);
      // the surname after it: Tyler "T-Bone" Brooks
      if (beforeTok >= 0 && named[beforeTok] && afterTok >= 0 && !named[afterTok] && !(toks[afterTok] as Tok).initial && cueName(afterTok, true)) nameHit(afterTok);
    }
  }
}

/** Later mentions of a name found: "her son Tyler … Tyler has missed four days". */
function laterMentions(sc: Scan, nt: NameTools): void {
  const { toks, n, taken, named, tok, adjacent } = sc;
  const { nameHit } = nt;
  // later mentions of a name found: "her son Tyler … Tyler has missed four days"
  const found = new Set<string>();
  for (let i = 0; i < n; i++) if (named[i]) found.add((toks[i] as Tok).lower);
  for (let i = 0; i < n; i++) {
    const t = toks[i] as Tok;
    if (named[i] || taken[i] || !found.has(t.lower)) continue;
    if (!(t.cap || (t.upper && t.text.length >= 3))) continue;
    if (t.initial && isWordlikeName(t.lower)) {
      // "Will is doing well" is the son; "Will attend the class" is not
      const next = tok(i + 1);
      if (!t.poss && !(next && adjacent(i, i + 1) && (VERBISH.has(next.lower) || /^\p{Ll}+ed$/u.test(next.text)))) continue;
    }
    const next = tok(i + 1);
    // "Aunt May" is no reason to take "May rent" for her
    if (MONTHS.has(t.lower) && next && adjacent(i, i + 1) && !next.cap && !VERBISH.has(next.lower)) continue;
    if (next && adjacent(i, i + 1) && next.cap && ORG.has(next.lower)) continue;
    nameHit(i);
  }
}

export function findThirdParty(text: string): ThirdPartyHit[] {
  const sc = scanOf(text);
  findStreets(sc);
  findEmployers(sc);
  const nt = nameTools(sc);
  namesAfterCues(sc, nt);
  namesNearNames(sc, nt);
  laterMentions(sc, nt);
  for (const q of nt.quotedHits) {
    if (q.length < 2) continue;
    for (const m of mentionsOf(text, q)) sc.hits.push({ start: m.start, end: m.end, kind: 'name' });
  }
  return sc.hits;
}