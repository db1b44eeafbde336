/**
 * Case-note text generation: compiles the phrase bank, gives each author a writing style, and
 * renders notes together with their planted truth (domain, direction, status, exact evidence).
 */
import { Rng, weighted, type Weighted } from './rng.ts';
import {
  ADMIN, ADMIN_PII, ASSESSMENT_PROC, BANK, CLOSERS, CLOSERS_FIRST, CLOSERS_TERSE, CONTACT_OPENERS,
  DOMAINS, EMOJI, FILLERS, OPENERS,
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
  return { src, toks, explicitEv: evOpen === 1, subjectFirst, pii };
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
const T_OPENERS = Object.fromEntries(Object.entries(OPENERS).map(([k, v]) => [k, compileAll(v)])) as Record<Voice, Template[]>;
const T_CONTACT = Object.fromEntries(Object.entries(CONTACT_OPENERS).map(([k, v]) => [k, compileAll(v)])) as Record<Voice, Template[]>;
const T_CLOSERS = compileAll(CLOSERS);
const T_CLOSERS_FIRST = compileAll(CLOSERS_FIRST);
const T_CLOSERS_TERSE = compileAll(CLOSERS_TERSE);
const T_ADMIN = compileAll(ADMIN);
const T_ADMIN_PII = compileAll(ADMIN_PII);
const T_ASSESS = compileAll(ASSESSMENT_PROC);

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
const pickVerb = weighted<0 | 1 | 2>([[0, 0.3], [1, 0.4], [2, 0.3]]);

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

const fmtAmount = (n: number): string => '$' + n.toLocaleString('en-US');

class NoteRenderer {
  private mentions = 0;
  private readonly pron: { s: string; o: string; p: string } | null;

  constructor(
    private readonly rng: Rng,
    private readonly style: AuthorStyle,
    private readonly client: NoteClient,
    private readonly yearNow: number,
  ) {
    this.pron =
      client.gender === 'female' ? { s: 'she', o: 'her', p: 'her' } : client.gender === 'male' ? { s: 'he', o: 'him', p: 'his' } : null;
  }

  /** 'ref' (client/cl/pt…), 'name' or 'pron' for the next mention of the client. */
  private mentionKind(): 'ref' | 'name' | 'pron' {
    const first = this.mentions === 0;
    this.mentions++;
    if (!first && this.pron && this.rng.chance(this.style.pronounRate)) return 'pron';
    return this.rng.chance(this.style.nameRate) ? 'name' : 'ref';
  }

  private slot(v: Slot): string {
    const rng = this.rng;
    const st = this.style;
    switch (v) {
      case 'S':
      case 's': {
        const k = this.mentionKind();
        return k === 'pron' ? (this.pron as { s: string }).s : k === 'name' ? this.client.first : st.ref;
      }
      case 'P':
      case 'p': {
        const k = this.mentionKind();
        return k === 'pron' ? (this.pron as { p: string }).p : k === 'name' ? this.client.first + "'s" : st.ref + "'s";
      }
      case 'O': {
        const k = this.mentionKind();
        return k === 'pron' ? (this.pron as { o: string }).o : k === 'name' ? this.client.first : st.ref;
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
        return rng.pick(['intake', '90-day', 'exit', 'quarterly']);
    }
  }

  /** Render one sentence. Returns text (with terminal punctuation unless `bare`) and the evidence span. */
  render(t: Template, evidence: Omit<TruthRow, 'evidence'> | null, bare = false): Rendered {
    const st = this.style;
    const rng = this.rng;
    const segs = ['', '', '']; // pre, evidence, post
    let seg = evidence && t.explicitEv ? 0 : evidence ? 1 : 0;
    let toks = t.toks;
    let dropped = false;
    if (t.subjectFirst && st.dropSubject > 0 && rng.chance(st.dropSubject)) {
      toks = toks.slice(1);
      dropped = true;
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
    if ((st.capitalize || dropped) && f) segs[firstIdx] = f.charAt(0).toUpperCase() + f.slice(1);
    // Keep the evidence tight: move edge whitespace/punctuation out of the span.
    if (evidence) {
      const ev = segs[1] as string;
      const lead = /^[\s,;:—–-]*/.exec(ev)?.[0] ?? '';
      const trail = /[\s,;:—–-]*$/.exec(ev.slice(lead.length))?.[0] ?? '';
      if (lead || trail) {
        segs[0] += lead;
        segs[1] = ev.slice(lead.length, ev.length - trail.length);
        segs[2] = trail + segs[2];
      }
    }
    let text = segs.join('');
    if (!bare) text += '.';
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
    weighted<Direction>([['strength', 0.8], ['concern', 0.1], ['improvement', 0.1]]),
    weighted<Direction>([['strength', 0.75], ['improvement', 0.15], ['concern', 0.05], ['deterioration', 0.05]]),
  ],
};

const pickStatus = weighted<EvidenceStatus>([['current', 0.76], ['historical', 0.13], ['negated', 0.11]]);
const pickHistDir = weighted<Direction>([['concern', 0.65], ['strength', 0.35]]);
const pickEvCount: Record<NoteType, Weighted<number>> = {
  progress: weighted([[1, 0.45], [2, 0.4], [3, 0.15]]),
  contact: weighted([[0, 0.35], [1, 0.45], [2, 0.2]]),
  assessment: weighted([[1, 0.6], [2, 0.4]]),
  admin: weighted([[0, 1]]),
};

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
  focus: readonly FocusDomain[],
  type: NoteType,
  f: number,
  yearNow: number,
): NoteResult {
  const r = new NoteRenderer(rng, style, client, yearNow);
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

  const head: Rendered[] = [];
  const body: Rendered[] = [];
  const tail: Rendered[] = [];

  const evidenceSentence = (): Rendered => {
    const status = pickStatus(rng);
    let domain: DomainId;
    let direction: Direction;
    const anyDomain = (): DomainId => rng.pick(DOMAINS);
    const focusPick = (): FocusDomain | null => (focus.length ? rng.pick(focus) : null);
    if (status === 'current') {
      const fd = rng.chance(0.85) ? focusPick() : null;
      if (fd) {
        domain = fd.domain;
        direction = DIR_BY_TRAJ[fd.traj][f < 0.3 ? 0 : 1](rng);
      } else {
        domain = anyDomain();
        direction = rng.pick(['strength', 'concern', 'strength', 'concern', 'improvement', 'deterioration'] as const);
      }
    } else if (status === 'historical') {
      domain = (rng.chance(0.5) ? focusPick()?.domain : undefined) ?? anyDomain();
      direction = pickHistDir(rng);
    } else {
      domain = (rng.chance(0.4) ? focusPick()?.domain : undefined) ?? anyDomain();
      direction = 'concern';
    }
    return r.render(pickT(cellTemplates(domain, status, direction)), { domain, direction, status });
  };

  if (type === 'admin') {
    const n = rng.chance(0.45) ? 2 : 1;
    const piiAt = rng.chance(0.14) ? rng.int(0, n - 1) : -1;
    for (let i = 0; i < n; i++) body.push(r.render(pickT(i === piiAt ? T_ADMIN_PII : T_ADMIN), null));
    if (rng.chance(0.08)) body.push(r.render(pickT(COMPILED[rng.pick(DOMAINS)].distractors), null));
  } else {
    if (type === 'contact') head.push(r.render(pickT(T_CONTACT[style.voice]), null));
    else if (type === 'assessment') head.push(r.render(pickT(T_ASSESS), null));
    else if (rng.chance([0.45, 0.7, 0.9][v] as number)) head.push(r.render(pickT(T_OPENERS[style.voice]), null));
    if (type !== 'contact' && rng.chance([0.05, 0.25, 0.55][v] as number)) head.push(r.render(pickT(T_FILLERS), null));
    let nEv = pickEvCount[type](rng);
    if (v === 2 && nEv < 3 && rng.chance(0.3)) nEv++;
    for (let i = 0; i < nEv; i++) body.push(evidenceSentence());
    if (rng.chance(0.22)) {
      const d = focus.length && rng.chance(0.6) ? rng.pick(focus).domain : rng.pick(DOMAINS);
      body.splice(rng.int(0, body.length), 0, r.render(pickT(COMPILED[d].distractors), null));
    }
    if (type === 'contact' && rng.chance(0.25)) body.push(r.render(pickT(rng.chance(0.15) ? T_ADMIN_PII : T_ADMIN), null));
    if (rng.chance([0.35, 0.5, 0.7][v] as number)) {
      const pool = v === 0 ? T_CLOSERS_TERSE : style.voice === 'first' && rng.chance(0.5) ? T_CLOSERS_FIRST : T_CLOSERS;
      tail.push(r.render(pickT(pool), null, v === 0 && !style.finalPeriod));
    }
  }

  let parts = [...head, ...body, ...tail];
  // 1–6 sentences: trim non-evidence padding first.
  while (parts.length > 6) {
    const idx = parts.findIndex((p) => p.truth === null);
    parts.splice(idx >= 0 ? idx : parts.length - 1, 1);
  }
  if (parts.length === 0) parts = [r.render(pickT(T_ADMIN), null)];
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
