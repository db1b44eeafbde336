/**
 * Case-note text generation: compiles the phrase bank, gives each author a writing style, and
 * renders notes together with their planted truth (domain, direction, status, exact evidence).
 */
import { Rng, weighted, type Weighted } from './rng.ts';
import {
  ADMIN, ADMIN_PII, ASSESSMENT_PROC, BANK, CLOSERS, CLOSERS_FIRST, CLOSERS_TERSE, CONTACT_OPENERS,
  CONTACT_FILLERS, DOMAINS, ELABORATIONS, EMOJI, FILLERS, OPENERS, PLANS, PREFIXES,
  type Direction, type DomainId, type EvidenceStatus, type Voice,
} from './phrases.ts';
import { CLINICS, CITIES, DRUGS, EMPLOYERS, JOBS, MONTHS, NUM_WORDS, RELATIVES, SCHOOLS, STREET_NAMES, STREET_SUFFIXES, WEEKDAYS } from './names.ts';

// ---------------------------------------------------------------------------------------------
// Template compilation

const SLOTS = [
  'S', 's', 'P', 'p', 'O', 'name', 'phone', 'email', 'year', 'month', 'weekday', 'num', 'hours', 'amount',
  'employer', 'job', 'street', 'city', 'clinic', 'school', 'kid', 'relative', 'drug', 'tp',
] as const;
type Slot = (typeof SLOTS)[number];
const SLOT_SET = new Set<string>(SLOTS);

type Tok = { k: 'lit'; v: string } | { k: 'slot'; v: Slot } | { k: 'ev0' } | { k: 'ev1' };

export interface Template {
  src: string;
  toks: Tok[];
  /** Explicit [evidence] span; otherwise the whole sentence is the evidence (for evidence templates). */
  explicitEv: boolean;
  /** Starts with "{S} " so a terse author may drop the subject ("Denies …"). */
  subjectFirst: boolean;
  /** Starts with the client ({S} or {P}), so a lead-in can be put before it. */
  clientFirst: boolean;
  pii: boolean;
}

export function compileTemplate(src: string): Template {
  const toks: Tok[] = [];
  let lit = '';
  let evOpen = 0;
  let evClose = 0;
  const flush = (): void => {
    if (lit) toks.push({ k: 'lit', v: lit });
    lit = '';
  };
  for (let i = 0; i < src.length; i++) {
    const ch = src[i] as string;
    if (ch === '{') {
      const end = src.indexOf('}', i);
      const name = end < 0 ? '' : src.slice(i + 1, end);
      if (!SLOT_SET.has(name)) throw new Error(`unknown slot {${name}} in template: ${src}`);
      flush();
      toks.push({ k: 'slot', v: name as Slot });
      i = end;
    } else if (ch === '[') {
      flush();
      toks.push({ k: 'ev0' });
      evOpen++;
    } else if (ch === ']') {
      flush();
      toks.push({ k: 'ev1' });
      evClose++;
    } else if (ch === '}') {
      throw new Error(`stray } in template: ${src}`);
    } else {
      lit += ch;
    }
  }
  flush();
  if (evOpen > 1 || evOpen !== evClose) throw new Error(`bad evidence brackets in template: ${src}`);
  const first = toks[0];
  const second = toks[1];
  const subjectFirst =
    first?.k === 'slot' && (first.v === 'S' || first.v === 's') && second?.k === 'lit' && /^ [a-z]/.test(second.v);
  const pii = toks.some((t) => t.k === 'slot' && (t.v === 'phone' || t.v === 'email' || t.v === 'name'));
  const clientFirst = first?.k === 'slot' && (first.v === 'S' || first.v === 's' || first.v === 'P' || first.v === 'p');
  return { src, toks, explicitEv: evOpen === 1, subjectFirst, clientFirst, pii };
}

const compileAll = (arr: readonly string[]): Template[] => arr.map(compileTemplate);

interface CompiledDomain {
  cells: Record<string, Template[]>; // key `${status}:${direction}`
  distractors: Template[];
}

export const CELLS: ReadonlyArray<readonly [EvidenceStatus, Direction]> = [
  ['current', 'strength'], ['current', 'concern'], ['current', 'improvement'], ['current', 'deterioration'],
  ['historical', 'concern'], ['historical', 'strength'], ['negated', 'concern'],
];

const COMPILED: Record<DomainId, CompiledDomain> = Object.fromEntries(
  DOMAINS.map((d) => {
    const b = BANK[d];
    const cells: Record<string, Template[]> = {};
    for (const dir of ['strength', 'concern', 'improvement', 'deterioration'] as const) cells[`current:${dir}`] = compileAll(b.current[dir]);
    cells['historical:concern'] = compileAll(b.historical.concern);
    cells['historical:strength'] = compileAll(b.historical.strength);
    cells['negated:concern'] = compileAll(b.negated.concern);
    return [d, { cells, distractors: compileAll(b.distractors) }];
  }),
) as Record<DomainId, CompiledDomain>;

const T_FILLERS = compileAll(FILLERS);
const T_CONTACT_FILLERS = compileAll(CONTACT_FILLERS);
const T_OPENERS = Object.fromEntries(Object.entries(OPENERS).map(([k, v]) => [k, compileAll(v)])) as Record<Voice, Template[]>;
const T_CONTACT = Object.fromEntries(Object.entries(CONTACT_OPENERS).map(([k, v]) => [k, compileAll(v)])) as Record<Voice, Template[]>;
const T_CLOSERS = compileAll(CLOSERS);
const T_CLOSERS_FIRST = compileAll(CLOSERS_FIRST);
const T_CLOSERS_TERSE = compileAll(CLOSERS_TERSE);
const T_ADMIN = compileAll(ADMIN);
const T_ADMIN_PII = compileAll(ADMIN_PII);
const T_ASSESS = compileAll(ASSESSMENT_PROC);
const T_ELAB = Object.fromEntries(Object.entries(ELABORATIONS).map(([k, v]) => [k, compileAll(v)])) as Record<
  keyof typeof ELABORATIONS,
  Template[]
>;
const T_PREFIX = Object.fromEntries(Object.entries(PREFIXES).map(([k, v]) => [k, compileAll(v)])) as Record<
  keyof typeof PREFIXES,
  Template[]
>;
const T_PLANS = compileAll(PLANS);

export function cellTemplates(domain: DomainId, status: EvidenceStatus, direction: Direction): Template[] {
  return COMPILED[domain].cells[`${status}:${direction}`] ?? [];
}

// ---------------------------------------------------------------------------------------------
// Author styles

export interface AuthorStyle {
  voice: Voice;
  /** 0 terse, 1 plain, 2 narrative */
  verbosity: 0 | 1 | 2;
  /** How the author refers to the client ("Client", "the client", "cl", "pt", …). */
  ref: string;
  nameRate: number;
  pronounRate: number;
  capitalize: boolean;
  dropSubject: number;
  typoRate: number;
  sep: string;
  paraRate: number;
  paraSep: string;
  emojiRate: number;
  straightQuotes: boolean;
  digits: boolean;
  finalPeriod: boolean;
  abbrev: { re: RegExp; map: Map<string, string> } | null;
}

const ABBREV: ReadonlyArray<readonly [string, string]> = [
  ['with', 'w/'], ['without', 'w/o'], ['and', '&'], ['about', 'abt'], ['because', 'b/c'],
  ['appointment', 'appt'], ['appointments', 'appts'], ['department', 'dept'], ['information', 'info'],
  ['medication', 'med'], ['medications', 'meds'], ['history', 'hx'], ['treatment', 'tx'], ['week', 'wk'],
  ['weeks', 'wks'], ['months', 'mos'], ['years', 'yrs'], ['hospital', 'hosp'], ['through', 'thru'],
  ['follow up', 'f/u'], ['home visit', 'HV'], ['case manager', 'CM'], ['probation officer', 'PO'],
];
const LIGHT_ABBREV = new Set(['appointment', 'appointments', 'with', 'information', 'weeks', 'week', 'follow up']);

function buildAbbrev(keys: string[]): AuthorStyle['abbrev'] {
  if (keys.length === 0) return null;
  const map = new Map<string, string>();
  for (const [k, v] of ABBREV) if (keys.includes(k)) map.set(k, v);
  const alts = [...map.keys()].sort((a, b) => b.length - a.length).map((k) => k.replace(/ /g, '\\s'));
  return { re: new RegExp(`\\b(?:${alts.join('|')})\\b`, 'g'), map };
}

const pickVoice = weighted<Voice>([['first', 0.32], ['cm', 0.3], ['writer', 0.14], ['none', 0.24]]);
const pickVerb = weighted<0 | 1 | 2>([[0, 0.2], [1, 0.36], [2, 0.44]]);

export function makeStyle(rng: Rng): AuthorStyle {
  const verbosity = pickVerb(rng);
  const voice = verbosity === 0 && rng.chance(0.6) ? 'none' : pickVoice(rng);
  const ref =
    verbosity === 0
      ? rng.pick(['cl', 'pt', 'Cl', 'Pt', 'client'])
      : rng.pick(['Client', 'client', 'the client', 'the client', 'participant', 'Cl', 'the participant']);
  let abbrevKeys: string[] = [];
  if (verbosity === 0) abbrevKeys = ABBREV.map((a) => a[0]).filter(() => rng.chance(0.7));
  else if (verbosity === 1 && rng.chance(0.35)) abbrevKeys = ABBREV.map((a) => a[0]).filter((k) => LIGHT_ABBREV.has(k) && rng.chance(0.6));
  return {
    voice,
    verbosity,
    ref,
    nameRate: rng.chance(0.3) ? 0.3 + rng.next() * 0.4 : rng.next() * 0.12,
    pronounRate: 0.35 + rng.next() * 0.6,
    capitalize: verbosity > 0 || rng.chance(0.5),
    dropSubject: verbosity === 0 ? 0.3 + rng.next() * 0.4 : verbosity === 1 && rng.chance(0.3) ? 0.2 : 0,
    typoRate: rng.chance(0.25) ? 0.04 + rng.next() * 0.06 : rng.next() * 0.015,
    sep: rng.chance(0.2) ? '  ' : ' ',
    paraRate: [0.03, 0.12, 0.35][verbosity] as number,
    paraSep: rng.chance(0.5) ? '\n' : '\n\n',
    emojiRate: rng.chance(0.12) ? 0.05 : 0,
    straightQuotes: rng.chance(0.35),
    digits: verbosity === 0 || rng.chance(0.4),
    finalPeriod: verbosity > 0 || rng.chance(0.4),
    abbrev: buildAbbrev(abbrevKeys),
  };
}

// ---------------------------------------------------------------------------------------------
// Rendering

export type Gender = 'female' | 'male' | 'non_binary' | 'not_recorded';

export interface NoteClient {
  first: string;
  gender: Gender;
  phone: string;
  email: string;
  kid: string;
}

export interface TruthRow {
  domain: DomainId;
  direction: Direction;
  status: EvidenceStatus;
  evidence: string;
}

interface Rendered {
  text: string;
  truth: TruthRow | null;
}

/** Characters trimmed off the edges of an evidence span. */
const EDGE = ' \t\n,;:—–-';

/** "$1,250" without relying on ICU, so output is identical on every Node build. */
const fmtAmount = (n: number): string => '$' + String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');

class NoteRenderer {
  private mentions = 0;
  private sentMentions = 0;
  private sentPron = false;
  private lastKind: 'ref' | 'name' = 'ref';
  /** Subject pronoun is null for clients without a recorded binary gender (singular "they" would need other verb forms). */
  private readonly pron: { s: string | null; o: string; p: string };

  constructor(
    private readonly rng: Rng,
    private readonly style: AuthorStyle,
    private readonly client: NoteClient,
    private readonly yearNow: number,
    private readonly f: number,
  ) {
    this.pron =
      client.gender === 'female' ? { s: 'she', o: 'her', p: 'her' }
      : client.gender === 'male' ? { s: 'he', o: 'him', p: 'his' }
      : { s: null, o: 'them', p: 'their' };
  }

  /**
   * 'ref' (client/cl/pt…), 'name' or 'pron' for the next mention of the client. Within a sentence,
   * later mentions are pronouns; a sentence's first mention is a pronoun only after the client has
   * been mentioned earlier in the note. Without a subject pronoun, a repeated subject alternates
   * between the name and the author's usual reference.
   */
  private mentionKind(role: 's' | 'p' | 'o'): 'ref' | 'name' | 'pron' {
    const firstInSentence = this.sentMentions === 0;
    this.mentions++;
    this.sentMentions++;
    if (!firstInSentence || this.sentPron) {
      if (role !== 's' || this.pron.s !== null) return 'pron';
      if (!firstInSentence) return (this.lastKind = this.lastKind === 'name' ? 'ref' : 'name');
    }
    return (this.lastKind = this.rng.chance(this.style.nameRate) ? 'name' : 'ref');
  }

  private startSentence(): void {
    this.sentMentions = 0;
    this.sentPron = this.mentions > 0 && this.rng.chance(this.style.pronounRate);
  }

  private slot(v: Slot): string {
    const rng = this.rng;
    const st = this.style;
    switch (v) {
      case 'S':
      case 's': {
        const k = this.mentionKind('s');
        return k === 'pron' ? (this.pron.s as string) : k === 'name' ? this.client.first : st.ref;
      }
      case 'P':
      case 'p': {
        const k = this.mentionKind('p');
        return k === 'pron' ? this.pron.p : k === 'name' ? this.client.first + "'s" : st.ref + "'s";
      }
      case 'O': {
        const k = this.mentionKind('o');
        return k === 'pron' ? this.pron.o : k === 'name' ? this.client.first : st.ref;
      }
      case 'name':
        return this.client.first;
      case 'phone':
        return this.client.phone || '555-0100';
      case 'email':
        return this.client.email || 'no-email@example.org';
      case 'year':
        return String(rng.int(this.yearNow - 16, this.yearNow - 2));
      case 'month':
        return rng.pick(MONTHS);
      case 'weekday':
        return rng.pick(WEEKDAYS);
      case 'num': {
        const n = rng.int(2, 6);
        return st.digits ? String(n) : (NUM_WORDS[n] as string);
      }
      case 'hours':
        return String(rng.pick([12, 15, 16, 20, 24, 25, 28, 30]));
      case 'amount':
        return fmtAmount(rng.pick([25, 40, 50]) * rng.int(2, 60));
      case 'employer':
        return rng.pick(EMPLOYERS);
      case 'job':
        return rng.pick(JOBS);
      case 'street':
        return `${rng.pick(STREET_NAMES)} ${rng.pick(STREET_SUFFIXES)}`;
      case 'city':
        return rng.pick(CITIES);
      case 'clinic':
        return rng.pick(CLINICS);
      case 'school':
        return rng.pick(SCHOOLS);
      case 'kid':
        return this.client.kid;
      case 'relative':
        return rng.pick(RELATIVES);
      case 'drug':
        return rng.pick(DRUGS);
      case 'tp':
        return this.f < 0.15 ? 'intake' : this.f > 0.85 ? rng.pick(['exit', 'quarterly']) : rng.pick(['90-day', 'quarterly']);
    }
  }

  /**
   * Render one sentence. Returns text (with a full stop unless `bare`) and the evidence span.
   * `cont` continues the previous sentence (a clause appended to it): no capital, same mentions.
   */
  render(
    t: Template,
    evidence: Omit<TruthRow, 'evidence'> | null,
    opts: { bare?: boolean; cont?: boolean; prefix?: Template } = {},
  ): Rendered {
    const st = this.style;
    const rng = this.rng;
    const segs = ['', '', '']; // pre, evidence, post
    let seg = evidence && t.explicitEv ? 0 : evidence ? 1 : 0;
    let toks = t.toks;
    let dropped = false;
    if (!opts.cont) this.startSentence();
    if (opts.prefix) {
      // The lead-in always lands before the evidence span.
      for (const tok of opts.prefix.toks) {
        if (tok.k === 'lit') segs[0] += tok.v;
        else if (tok.k === 'slot') segs[0] += this.slot(tok.v);
      }
    } else if (!opts.cont && t.subjectFirst && st.dropSubject > 0 && rng.chance(st.dropSubject)) {
      toks = toks.slice(1);
      dropped = true;
      this.sentMentions = 1;
    }
    for (let i = 0; i < toks.length; i++) {
      const tok = toks[i] as Tok;
      if (tok.k === 'lit') {
        let v = tok.v;
        if (dropped && i === 0) v = v.replace(/^ /, '');
        segs[seg] += v;
      } else if (tok.k === 'slot') segs[seg] += this.slot(tok.v);
      else if (tok.k === 'ev0') seg = 1;
      else seg = 2;
    }
    if (!t.pii) {
      for (let i = 0; i < 3; i++) segs[i] = this.transform(segs[i] as string);
      if (st.typoRate > 0 && rng.chance(st.typoRate)) this.typo(segs);
    }
    // Capitalise the sentence start (names and 'I' are already capitalised).
    const firstIdx = segs[0] ? 0 : segs[1] ? 1 : 2;
    const f = segs[firstIdx] as string;
    if (!opts.cont && (st.capitalize || dropped) && f) segs[firstIdx] = f.charAt(0).toUpperCase() + f.slice(1);
    // Keep the evidence tight: move edge whitespace/punctuation out of the span.
    if (evidence) {
      const ev = segs[1] as string;
      let a = 0;
      let b = ev.length;
      while (a < b && EDGE.includes(ev[a] as string)) a++;
      while (b > a && EDGE.includes(ev[b - 1] as string)) b--;
      if (a > 0 || b < ev.length) {
        segs[0] += ev.slice(0, a);
        segs[1] = ev.slice(a, b);
        segs[2] = ev.slice(b) + segs[2];
      }
    }
    let text = segs.join('');
    if (!opts.bare) text += '.';
    if (!evidence || !segs[1]) return { text, truth: null };
    return { text, truth: { ...evidence, evidence: segs[1] } };
  }

  private transform(s: string): string {
    if (!s) return s;
    const st = this.style;
    if (st.abbrev) {
      const { re, map } = st.abbrev;
      s = s.replace(re, (m) => map.get(m.replace(/\s+/g, ' ')) ?? m);
    }
    if (st.straightQuotes) s = s.replace(/[“”]/g, '"').replace(/’/g, "'");
    return s;
  }

  private typo(segs: string[]): void {
    const cands: Array<[number, number, number]> = [];
    const re = /\b[a-z]{5,}\b/g;
    for (let i = 0; i < segs.length; i++) {
      const s = segs[i] as string;
      re.lastIndex = 0;
      let m: RegExpExecArray | null;
      while ((m = re.exec(s))) cands.push([i, m.index, m.index + m[0].length]);
    }
    if (cands.length === 0) return;
    const [si, a, b] = this.rng.pick(cands);
    const s = segs[si] as string;
    const w = s.slice(a, b);
    const j = this.rng.int(1, w.length - 2);
    let nw: string;
    const kind = this.rng.int(0, 2);
    if (kind === 0) nw = w.slice(0, j) + (w[j + 1] as string) + (w[j] as string) + w.slice(j + 2);
    else if (kind === 1) nw = w.slice(0, j) + w.slice(j + 1);
    else nw = w.slice(0, j) + (w[j] as string) + w.slice(j);
    segs[si] = s.slice(0, a) + nw + s.slice(b);
  }
}

// ---------------------------------------------------------------------------------------------
// Note planning

export type NoteType = 'progress' | 'contact' | 'admin' | 'assessment';
export type Trajectory = 'improving' | 'stuck' | 'worsening' | 'strength';

export interface FocusDomain {
  domain: DomainId;
  traj: Trajectory;
}

/** What the notes of one case talk about: focus domains (goals) and the stable background of the others. */
export interface CaseProfile {
  focus: readonly FocusDomain[];
  /** Every non-focus domain, with traj 'strength' or 'stuck' (a steady concern). */
  background: readonly FocusDomain[];
}

const DIR_BY_TRAJ: Record<Trajectory, [Weighted<Direction>, Weighted<Direction>]> = {
  // [early in the case, later in the case]
  improving: [
    weighted<Direction>([['concern', 0.7], ['improvement', 0.2], ['strength', 0.1]]),
    weighted<Direction>([['improvement', 0.5], ['strength', 0.28], ['concern', 0.16], ['deterioration', 0.06]]),
  ],
  stuck: [
    weighted<Direction>([['concern', 0.8], ['improvement', 0.1], ['strength', 0.1]]),
    weighted<Direction>([['concern', 0.7], ['deterioration', 0.12], ['improvement', 0.12], ['strength', 0.06]]),
  ],
  worsening: [
    weighted<Direction>([['concern', 0.6], ['strength', 0.2], ['deterioration', 0.2]]),
    weighted<Direction>([['deterioration', 0.5], ['concern', 0.4], ['improvement', 0.1]]),
  ],
  strength: [
    weighted<Direction>([['strength', 0.88], ['improvement', 0.12]]),
    weighted<Direction>([['strength', 0.85], ['improvement', 0.15]]),
  ],
};

const pickStatus = weighted<EvidenceStatus>([['current', 0.76], ['historical', 0.13], ['negated', 0.11]]);
const pickHistDir = weighted<Direction>([['concern', 0.65], ['strength', 0.35]]);
/** Evidence sentences per note, by note type and author verbosity (terse, plain, narrative). */
const pickEvCount: Record<NoteType, [Weighted<number>, Weighted<number>, Weighted<number>]> = {
  progress: [weighted([[1, 0.5], [2, 0.4], [3, 0.1]]), weighted([[2, 0.45], [3, 0.4], [4, 0.15]]), weighted([[2, 0.2], [3, 0.45], [4, 0.35]])],
  contact: [weighted([[0, 0.25], [1, 0.5], [2, 0.25]]), weighted([[1, 0.4], [2, 0.45], [3, 0.15]]), weighted([[1, 0.25], [2, 0.5], [3, 0.25]])],
  assessment: [weighted([[1, 0.6], [2, 0.4]]), weighted([[1, 0.2], [2, 0.5], [3, 0.3]]), weighted([[2, 0.4], [3, 0.45], [4, 0.15]])],
  admin: [weighted([[0, 1]]), weighted([[0, 1]]), weighted([[0, 1]])],
};
const pickAdminCount = weighted([[1, 0.3], [2, 0.45], [3, 0.25]]);

const JOINERS = ['; ', ' — ', ', ', ' - ', '; '];

export interface NoteResult {
  text: string;
  truth: TruthRow[];
}

/**
 * Render one note.
 * @param f position of the note within the case, 0 (opening) … 1 (closing / as-of date)
 */
export function renderNote(
  rng: Rng,
  style: AuthorStyle,
  client: NoteClient,
  profile: CaseProfile,
  type: NoteType,
  f: number,
  yearNow: number,
): NoteResult {
  const r = new NoteRenderer(rng, style, client, yearNow, f);
  const v = style.verbosity;
  const used = new Set<Template>();
  const pickT = (arr: readonly Template[]): Template => {
    for (let i = 0; i < 4; i++) {
      const t = rng.pick(arr);
      if (!used.has(t)) {
        used.add(t);
        return t;
      }
    }
    return rng.pick(arr);
  };


  const { focus, background } = profile;
  // A domain gets at most one current or negated statement per note (no self-contradiction).
  const usedDomains = new Set<DomainId>();
  const free = (arr: readonly FocusDomain[]): FocusDomain[] => arr.filter((d) => !usedDomains.has(d.domain));
  const evidenceSentence = (): Rendered => {
    let status = pickStatus(rng);
    let domain: DomainId = rng.pick(DOMAINS);
    let direction: Direction = 'concern';
    if (status === 'negated') {
      // "Denies …" / "No concerns about …" only where the case has no problem in that domain.
      const ok = free([...focus, ...background]).filter((d) => d.traj === 'strength' || (d.traj === 'improving' && f >= 0.5));
      if (ok.length) domain = rng.pick(ok).domain;
      else status = 'historical';
    }
    if (status === 'current') {
      const ff = free(focus);
      const fb = free(background);
      const fd = ff.length && (rng.chance(0.85) || !fb.length) ? rng.pick(ff) : fb.length ? rng.pick(fb) : null;
      if (fd) {
        domain = fd.domain;
        direction = DIR_BY_TRAJ[fd.traj][f < 0.3 ? 0 : 1](rng);
      } else status = 'historical';
    }
    if (status === 'historical') {
      domain = focus.length && rng.chance(0.5) ? rng.pick(focus).domain : rng.pick(DOMAINS);
      direction = pickHistDir(rng);
    } else usedDomains.add(domain);
    const tpl = pickT(cellTemplates(domain, status, direction));
    let prefix: Template | undefined;
    if (tpl.clientFirst && v > 0 && rng.chance(v === 2 ? 0.5 : 0.35)) {
      const kind =
        status === 'negated' ? 'negated'
        : status === 'historical' ? 'historical'
        : (direction === 'improvement' || direction === 'deterioration') && rng.chance(0.6) ? 'change'
        : 'current';
      prefix = rng.pick(T_PREFIX[kind]);
    }
    const ev = r.render(tpl, { domain, direction, status }, { bare: true, prefix });
    // A historical or negated lead-in already says how the statement came up.
    const leadIn = prefix !== undefined && status !== 'current';
    if (!leadIn && rng.chance([0.15, 0.65, 0.8][v] as number)) {
      const kind =
        status === 'negated' ? 'negated'
        : status === 'historical' ? 'historical'
        : direction === 'concern' || direction === 'deterioration' ? 'problem'
        : direction === 'improvement' ? 'improvement'
        : 'strength';
      const el = r.render(pickT(T_ELAB[kind]), null, { bare: true, cont: true });
      ev.text += rng.pick(JOINERS) + el.text;
    }
    ev.text += '.';
    return ev;
  };

  // Plan the sentence kinds first, trim to at most 6, then render in order (so first mentions,
  // pronouns and "first"/"later" references come out right).
  type Kind = 'opener' | 'contact' | 'assess' | 'filler' | 'ev' | 'distractor' | 'admin' | 'adminPii' | 'plan' | 'closer';
  const kinds: Kind[] = [];
  if (type === 'admin') {
    const n = pickAdminCount(rng);
    const piiAt = rng.chance(0.14) ? rng.int(0, n - 1) : -1;
    for (let i = 0; i < n; i++) kinds.push(i === piiAt ? 'adminPii' : 'admin');
    if (rng.chance(0.08)) kinds.push('distractor');
  } else {
    if (type === 'contact') kinds.push('contact');
    else if (type === 'assessment') kinds.push('assess');
    else if (rng.chance([0.45, 0.7, 0.9][v] as number)) kinds.push('opener');
    if (rng.chance([0.05, 0.35, 0.6][v] as number)) kinds.push('filler');
    const nEv = pickEvCount[type][v](rng);
    const body: Kind[] = [];
    for (let i = 0; i < nEv; i++) body.push('ev');
    if (rng.chance(0.22)) body.splice(rng.int(0, body.length), 0, 'distractor');
    if (type === 'contact' && rng.chance(0.25)) body.push(rng.chance(0.15) ? 'adminPii' : 'admin');
    kinds.push(...body);
    if (type !== 'contact' && rng.chance([0, 0.3, 0.55][v] as number)) kinds.push('plan');
    else if (rng.chance([0.35, 0.5, 0.7][v] as number)) kinds.push('closer');
  }
  for (const drop of ['filler', 'distractor', 'admin', 'closer', 'plan', 'opener'] as const) {
    while (kinds.length > 6 && kinds.includes(drop)) kinds.splice(kinds.indexOf(drop), 1);
  }
  if (kinds.length === 0) kinds.push('admin');

  const parts: Rendered[] = [];
  for (let i = 0; i < kinds.length; i++) {
    const k = kinds[i] as Kind;
    const last = i === kinds.length - 1;
    switch (k) {
      case 'ev':
        parts.push(evidenceSentence());
        break;
      case 'opener':
        parts.push(r.render(pickT(T_OPENERS[style.voice]), null));
        break;
      case 'contact':
        parts.push(r.render(pickT(T_CONTACT[style.voice]), null));
        break;
      case 'assess':
        parts.push(r.render(pickT(T_ASSESS), null));
        break;
      case 'filler':
        parts.push(r.render(pickT(type === 'contact' ? T_CONTACT_FILLERS : T_FILLERS), null));
        break;
      case 'distractor': {
        const d = focus.length && rng.chance(0.6) ? rng.pick(focus).domain : rng.pick(DOMAINS);
        parts.push(r.render(pickT(COMPILED[d].distractors), null));
        break;
      }
      case 'admin':
        parts.push(r.render(pickT(T_ADMIN), null));
        break;
      case 'adminPii':
        parts.push(r.render(pickT(T_ADMIN_PII), null));
        break;
      case 'plan':
        parts.push(r.render(pickT(T_PLANS), null));
        break;
      case 'closer': {
        const pool = v === 0 ? T_CLOSERS_TERSE : style.voice === 'first' && rng.chance(0.5) ? T_CLOSERS_FIRST : T_CLOSERS;
        parts.push(r.render(pickT(pool), null, { bare: last && v === 0 && !style.finalPeriod }));
        break;
      }
    }
  }
  if (v === 0 && !style.finalPeriod) {
    const last = parts[parts.length - 1] as Rendered;
    if (last.text.endsWith('.') && !last.text.endsWith('..')) last.text = last.text.slice(0, -1);
  }

  let paraAt = -1;
  if (parts.length >= 3 && rng.chance(style.paraRate)) paraAt = rng.int(1, parts.length - 1);
  let text = '';
  for (let i = 0; i < parts.length; i++) {
    if (i > 0) text += i === paraAt ? style.paraSep : style.sep;
    text += (parts[i] as Rendered).text;
  }
  if (style.emojiRate > 0 && rng.chance(style.emojiRate)) text += ' ' + rng.pick(EMOJI);
  const truth: TruthRow[] = [];
  for (const p of parts) if (p.truth) truth.push(p.truth);
  return { text, truth };
}
