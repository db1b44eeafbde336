/**
 * Seeded synthetic sample-data generator for caselens.
 *
 * Writes a programme history as CSV files (see the column contract in the file headers below)
 * plus planted truth under `truth/`. Same seed + options => byte-identical output.
 * Streams every file, so it scales to millions of notes; only clients and cases (compact
 * records) are held in memory.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { CsvFile } from './csv.ts';
import { DayFormat, addMonths, parseIsoDay, yearOf } from './dates.ts';
import {
  AREA_CODES, CITIES, FEMALE_FIRST, KIDS, LAST_NAMES, MALE_FIRST, NEUTRAL_FIRST, STREET_NAMES, STREET_SUFFIXES,
  stripAccents,
} from './names.ts';
import { BANK, DOMAINS, SURVEY_COMMENTS, type DomainId } from './phrases.ts';
import { makeStyle, renderNote, type AuthorStyle, type CaseProfile, type FocusDomain, type Gender, type NoteType, type Trajectory } from './notes.ts';
import { Rng, clamp, hash32, weighted, type Weighted } from './rng.ts';

export { DOMAINS } from './phrases.ts';
export type { DomainId } from './phrases.ts';

export interface SampleOptions {
  clients: number;
  seed: number;
  outDir: string;
  /** Target total notes; default 8 per client. Exactly this many notes are written. */
  notes?: number;
  /** ISO date the programme history starts; default '2024-01-01'. */
  start?: string;
  /** Length of the history in months; default 22. The as-of date is the day before start + months. */
  months?: number;
}

export interface SampleSummary {
  /** File name (relative to outDir, e.g. 'notes.csv', 'truth/notes_truth.csv') -> data rows written. */
  files: Record<string, number>;
}

// ---------------------------------------------------------------------------------------------
// Static reference data

type ProgramType = 'housing' | 'workforce' | 'behavioural_health' | 'youth' | 'family_support';

interface Program {
  key: string;
  name: string;
  type: ProgramType;
  short: string;
  weight: number;
}

const PROGRAMS: readonly Program[] = [
  { key: 'P01', name: 'Stable Homes Rapid Rehousing', type: 'housing', short: 'Rapid Rehousing', weight: 0.22 },
  { key: 'P02', name: 'Pathways to Work', type: 'workforce', short: 'Workforce', weight: 0.2 },
  { key: 'P03', name: 'MindWell Outpatient Counselling', type: 'behavioural_health', short: 'Outpatient BH', weight: 0.2 },
  { key: 'P04', name: 'Youth Bridge', type: 'youth', short: 'Youth', weight: 0.13 },
  { key: 'P05', name: 'Family First', type: 'family_support', short: 'Family Support', weight: 0.13 },
  { key: 'P06', name: 'Home Base Supportive Housing', type: 'housing', short: 'Supportive Housing', weight: 0.12 },
];

const AFFINITY: Record<ProgramType, ReadonlyArray<readonly [DomainId, number]>> = {
  housing: [['housing', 5], ['income', 3], ['life_skills', 2], ['health_care', 1.5], ['safety', 1], ['food', 1.2], ['transport', 1], ['substance_use', 0.8], ['mental_health', 1]],
  workforce: [['employment', 5], ['education', 2.5], ['income', 2.5], ['transport', 1.5], ['childcare', 1.2], ['life_skills', 1], ['legal', 0.8]],
  behavioural_health: [['mental_health', 5], ['substance_use', 3], ['health_care', 1.5], ['family_social', 1.5], ['safety', 1], ['legal', 0.8], ['employment', 0.8]],
  youth: [['education', 4], ['employment', 2], ['family_social', 2], ['life_skills', 2], ['legal', 1.2], ['safety', 1], ['substance_use', 1], ['mental_health', 1]],
  family_support: [['parenting', 5], ['childcare', 3], ['family_social', 2], ['food', 1.5], ['income', 1.5], ['safety', 1.2], ['housing', 1], ['health_care', 0.8]],
};

/** Goal achievement probability for a closed case's goal, by domain (35%–75%). */
const ACHIEVE_RATE: Record<DomainId, number> = {
  housing: 0.6, income: 0.55, employment: 0.45, food: 0.75, childcare: 0.65, education: 0.5, legal: 0.55,
  health_care: 0.7, life_skills: 0.68, mental_health: 0.48, substance_use: 0.35, family_social: 0.6,
  transport: 0.72, safety: 0.62, parenting: 0.58,
};

const SERVICE_MIX: Record<ProgramType, ReadonlyArray<readonly [string, number]>> = {
  housing: [['case_management', 5], ['housing_search', 3], ['benefits_advice', 1.5], ['transport', 1]],
  workforce: [['job_coaching', 4], ['case_management', 3], ['group_session', 1.5], ['transport', 0.8], ['benefits_advice', 0.8]],
  behavioural_health: [['counselling', 5], ['case_management', 2], ['group_session', 2]],
  youth: [['case_management', 4], ['group_session', 2], ['job_coaching', 1.2], ['counselling', 1.2], ['transport', 0.8]],
  family_support: [['case_management', 4], ['counselling', 1.5], ['benefits_advice', 1.5], ['group_session', 1.5], ['transport', 1]],
};

const UNITS: Record<string, readonly [number, number]> = {
  case_management: [1, 4], counselling: [2, 4], housing_search: [2, 6], job_coaching: [2, 6],
  benefits_advice: [1, 3], group_session: [4, 8], transport: [1, 2],
};

type ClosureReason = 'goals_met' | 'moved_away' | 'disengaged' | 'transferred' | 'referred_elsewhere' | 'other';

const TEAM_AREAS = ['North', 'South', 'East', 'West', 'Central', 'Downtown', 'Riverside', 'Hillside'];

// ---------------------------------------------------------------------------------------------
// Weighted pickers

const pickProgram = weighted(PROGRAMS.map((p, i) => [i, p.weight] as const));
const pickGender = weighted<Gender>([['female', 0.52], ['male', 0.44], ['non_binary', 0.02], ['not_recorded', 0.02]]);
const pickRace = weighted([
  ['white', 0.38], ['black_african_american', 0.27], ['hispanic_latino', 0.2], ['asian', 0.05],
  ['american_indian_alaska_native', 0.03], ['native_hawaiian_pacific_islander', 0.01], ['multiracial', 0.04],
  ['not_recorded', 0.02],
] as const);
const pickEpisodes = weighted([[1, 0.7], [2, 0.12], [3, 0.18]]);
const pickFirstCaseType = weighted([['intake', 0.15], ['standard', 0.5], ['intensive', 0.22], ['aftercare', 0.13]] as const);
const pickLaterCaseType = weighted([['aftercare', 0.4], ['standard', 0.4], ['intensive', 0.15], ['intake', 0.05]] as const);
type CaseType = 'intake' | 'standard' | 'intensive' | 'aftercare';
const CASE_MEDIAN: Record<CaseType, number> = { intake: 50, standard: 260, intensive: 330, aftercare: 160 };
const pickReason = weighted<ClosureReason>([
  ['goals_met', 0.38], ['disengaged', 0.22], ['moved_away', 0.12], ['referred_elsewhere', 0.1], ['transferred', 0.08], ['other', 0.1],
]);
const pickSameDayReason = weighted<ClosureReason>([['referred_elsewhere', 0.5], ['other', 0.3], ['disengaged', 0.2]]);
const pickGoalCount = weighted([[1, 0.3], [2, 0.35], [3, 0.25], [4, 0.1]]);
const pickNoteType = weighted<NoteType>([['progress', 0.5], ['contact', 0.22], ['admin', 0.13], ['assessment', 0.15]]);
const pickHour = weighted([[8, 0.6], [9, 1], [10, 1.1], [11, 1], [12, 0.6], [13, 0.9], [14, 1], [15, 1], [16, 0.8], [17, 0.4]]);
const pickSatisfaction = weighted([[5, 0.42], [4, 0.3], [3, 0.14], [2, 0.08], [1, 0.06]]);
const pickSatisfactionGood = weighted([[5, 0.55], [4, 0.3], [3, 0.09], [2, 0.04], [1, 0.02]]);
const pickSsmBase = weighted([[1, 0.15], [2, 0.35], [3, 0.3], [4, 0.15], [5, 0.05]]);
const pickSsmChange = weighted([[1, 0.4], [2, 0.15], [0, 0.32], [-1, 0.13]]);
const pickFutureServices = weighted([[0, 0.1], [1, 0.4], [2, 0.35], [3, 0.15]]);
const affinityPickers = Object.fromEntries(
  Object.entries(AFFINITY).map(([k, v]) => [k, weighted(v)]),
) as Record<ProgramType, Weighted<DomainId>>;
const servicePickers = Object.fromEntries(
  Object.entries(SERVICE_MIX).map(([k, v]) => [k, weighted(v)]),
) as Record<ProgramType, Weighted<string>>;

// ---------------------------------------------------------------------------------------------
// Records held in memory

interface StaffRec {
  key: string;
  name: string;
  role: 'manager' | 'supervisor';
  supervisor: number; // index into staff, -1 for supervisors
  team: string;
  capacity: number;
  prog: number;
  weight: number;
}

interface ClientRec {
  key: string;
  first: string;
  last: string;
  dob: number;
  gender: Gender;
  phone: string;
  email: string;
  kid: string;
}

interface CaseRec {
  key: string;
  client: number;
  prog: number;
  manager: number; // staff index or -1
  type: CaseType;
  opened: number;
  closed: number; // -1 when open
  reason: ClosureReason | '';
  noteWeight: number;
}

const pad = (n: number, width: number): string => String(n).padStart(width, '0');
const keyWidth = (count: number, min: number): number => Math.max(min, String(count).length);
const dow = (day: number): number => (((day + 4) % 7) + 7) % 7; // 1970-01-01 was a Thursday

/** Move weekend days to a nearby weekday inside [lo, hi] (if possible). */
function toWeekday(day: number, lo: number, hi: number): number {
  const w = dow(day);
  if (w !== 0 && w !== 6) return day;
  const back = w === 6 ? day - 1 : day - 2;
  const fwd = w === 6 ? day + 2 : day + 1;
  if (back >= lo) return back;
  if (fwd <= hi) return fwd;
  return day;
}

function asciiLower(s: string): string {
  return stripAccents(s).toLowerCase().replace(/[^a-z0-9]/g, '');
}

function identityKey(first: string, last: string, dob: number): string {
  return `${stripAccents(first).toLowerCase()}|${stripAccents(last).toLowerCase()}|${dob}`;
}

function firstNameFor(rng: Rng, g: Gender): string {
  if (g === 'female') return rng.pick(FEMALE_FIRST);
  if (g === 'male') return rng.pick(MALE_FIRST);
  return rng.chance(0.5) ? rng.pick(NEUTRAL_FIRST) : rng.pick(rng.chance(0.5) ? FEMALE_FIRST : MALE_FIRST);
}

/** Distribute `total` over `n` items scored 0..3 each (requires total <= 3n). */
function itemScores(rng: Rng, n: number, total: number): number[] {
  const items = new Array<number>(n).fill(0);
  let left = total;
  while (left > 0) {
    const i = rng.int(0, n - 1);
    if ((items[i] as number) < 3) {
      items[i] = (items[i] as number) + 1;
      left--;
    }
  }
  return items;
}

function validate(o: SampleOptions): void {
  if (!Number.isInteger(o.clients) || o.clients < 1) throw new Error(`clients must be a positive integer, got ${o.clients}`);
  if (!Number.isFinite(o.seed)) throw new Error(`seed must be a finite number, got ${o.seed}`);
  if (typeof o.outDir !== 'string' || o.outDir === '') throw new Error('outDir is required');
  if (o.notes !== undefined && (!Number.isInteger(o.notes) || o.notes < 0)) throw new Error(`notes must be a non-negative integer, got ${o.notes}`);
  if (o.months !== undefined && (!Number.isInteger(o.months) || o.months < 1 || o.months > 240)) {
    throw new Error(`months must be an integer in 1..240, got ${o.months}`);
  }
}

// ---------------------------------------------------------------------------------------------

/**
 * Write the synthetic sample into `opts.outDir` (created if needed; files are overwritten).
 * `onProgress(done, total)` counts work units: clients generated, then notes written
 * (total = clients + notes); it is called every ~2000 units and once with done === total.
 * Rejects on invalid options or a write error (partially written files are left behind).
 */
export async function generateSample(
  opts: SampleOptions,
  onProgress?: (done: number, total: number) => void,
): Promise<SampleSummary> {
  validate(opts);
  const seed = opts.seed;
  const nClients = opts.clients;
  const notesTarget = opts.notes ?? nClients * 8;
  const start = parseIsoDay(opts.start ?? '2024-01-01');
  const months = opts.months ?? 22;
  const asOf = addMonths(start, months) - 1;
  const span = asOf - start + 1;
  const startYear = yearOf(start);
  const fmt = new DayFormat();

  const outDir = opts.outDir;
  await mkdir(path.join(outDir, 'truth'), { recursive: true });

  const files: Record<string, CsvFile> = {};
  const open = (name: string, header: string[]): CsvFile => {
    const f = new CsvFile(path.join(outDir, name), header);
    files[name] = f;
    return f;
  };

  const progressTotal = nClients + notesTarget;
  let progressDone = 0;
  let progressNext = 0;
  const progress = (n: number): void => {
    progressDone += n;
    if (onProgress && (progressDone >= progressNext || progressDone === progressTotal)) {
      onProgress(progressDone, progressTotal);
      progressNext = progressDone + 2000;
    }
  };
  const drainAll = async (): Promise<void> => {
    for (const f of Object.values(files)) if (f.blocked) await f.drain();
  };

  try {
    const fPrograms = open('programs.csv', ['program_key', 'name', 'program_type']);
    const fStaff = open('staff.csv', ['staff_key', 'name', 'role', 'supervisor_key', 'team', 'caseload_capacity']);
    const fClients = open('clients.csv', [
      'client_key', 'first_name', 'last_name', 'date_of_birth', 'gender', 'race_ethnicity', 'veteran', 'phone', 'email', 'address', 'national_id',
    ]);
    const fPartner = open('partner_clients.csv', ['partner_id', 'given_name', 'family_name', 'birth_date', 'phone']);
    const fLinks = open('truth/partner_links.csv', ['partner_id', 'client_key']);
    const fCases = open('cases.csv', [
      'case_key', 'client_key', 'program_key', 'manager_key', 'case_type', 'opened_on', 'closed_on', 'status', 'closure_reason',
    ]);
    const fGoals = open('goals.csv', ['goal_key', 'case_key', 'domain', 'description', 'set_on', 'target_on', 'status', 'achieved_on']);
    const fServices = open('services.csv', [
      'service_key', 'case_key', 'service_type', 'staff_key', 'scheduled_at', 'delivered_at', 'status', 'units_planned', 'units_delivered',
    ]);
    const fFollow = open('followups.csv', ['followup_key', 'case_key', 'followup_type', 'due_on', 'completed_on']);
    const fAssess = open('assessments.csv', [
      'assessment_key', 'client_key', 'case_key', 'instrument', 'domain', 'administered_on', 'timepoint', 'total_score', 'items',
    ]);
    const fSurveys = open('surveys.csv', ['survey_key', 'case_key', 'responded_on', 'satisfaction', 'would_recommend', 'comment']);
    const fNotes = open('notes.csv', ['note_key', 'case_key', 'author_key', 'written_at', 'note_type', 'text']);
    const fTruth = open('truth/notes_truth.csv', ['note_key', 'domain', 'direction', 'status', 'evidence']);

    // --- programmes -------------------------------------------------------------------------
    for (const p of PROGRAMS) fPrograms.row([p.key, p.name, p.type]);

    // --- staff ------------------------------------------------------------------------------
    const rngS = new Rng(seed, 1);
    const expectedOpen = nClients * 1.43 * 0.4;
    const nManagers = Math.max(22, Math.round(expectedOpen / 27));
    const nSupervisors = Math.max(PROGRAMS.length, Math.ceil(nManagers / 6));
    const staff: StaffRec[] = [];
    const teamsPerProg = PROGRAMS.map(() => 0);
    // One supervisor (= one team) per programme first, the rest by programme size.
    for (let i = 0; i < nSupervisors; i++) {
      const prog = i < PROGRAMS.length ? i : pickProgram(rngS);
      const n = teamsPerProg[prog] as number;
      teamsPerProg[prog] = n + 1;
      const area = n < TEAM_AREAS.length ? TEAM_AREAS[n] : `Team ${n + 1}`;
      const g = pickGender(rngS);
      staff.push({
        key: '', name: `${firstNameFor(rngS, g)} ${rngS.pick(LAST_NAMES)}`, role: 'supervisor', supervisor: -1,
        team: `${(PROGRAMS[prog] as Program).short} ${area}`, capacity: 0, prog, weight: 0,
      });
    }
    const supsByProg = PROGRAMS.map((_, p) => staff.map((s, i) => (s.prog === p ? i : -1)).filter((i) => i >= 0));
    // Managers: proportional to programme size (at least 2 each), spread round-robin over teams.
    const mgrCounts = PROGRAMS.map((p) => Math.max(2, Math.floor(p.weight * nManagers)));
    for (let k = 0; mgrCounts.reduce((a, b) => a + b, 0) < nManagers; k++) {
      const i = k % PROGRAMS.length;
      mgrCounts[i] = (mgrCounts[i] as number) + 1;
    }
    for (let p = 0; p < PROGRAMS.length; p++) {
      const sups = supsByProg[p] as number[];
      for (let j = 0; j < (mgrCounts[p] as number); j++) {
        const sup = sups[j % sups.length] as number;
        const g = pickGender(rngS);
        // Uneven caseloads: a log-normal share, plus some deliberately heavy and light managers.
        let weight = rngS.lognormal(1, 0.35);
        const r = rngS.next();
        if (r < 0.12) weight *= 1.8;
        else if (r < 0.22) weight *= 0.35;
        staff.push({
          key: '', name: `${firstNameFor(rngS, g)} ${rngS.pick(LAST_NAMES)}`, role: 'manager', supervisor: sup,
          team: (staff[sup] as StaffRec).team, capacity: rngS.int(20, 35), prog: p, weight,
        });
      }
    }
    const sw = keyWidth(staff.length, 3);
    staff.forEach((s, i) => (s.key = 'S' + pad(i + 1, sw)));
    for (const s of staff) {
      fStaff.row([s.key, s.name, s.role, s.supervisor >= 0 ? (staff[s.supervisor] as StaffRec).key : '', s.team, s.capacity]);
    }
    const managerIdx = staff.map((s, i) => (s.role === 'manager' ? i : -1)).filter((i) => i >= 0);
    const mgrPickAll = weighted(managerIdx.map((i) => [i, (staff[i] as StaffRec).weight] as const));
    const mgrPickByProg = PROGRAMS.map((_, p) =>
      weighted(managerIdx.filter((i) => (staff[i] as StaffRec).prog === p).map((i) => [i, (staff[i] as StaffRec).weight] as const)),
    );
    const staffByProg = PROGRAMS.map((_, p) => staff.map((s, i) => (s.prog === p ? i : -1)).filter((i) => i >= 0));
    const styles: AuthorStyle[] = staff.map((_, i) => makeStyle(new Rng(seed, 7, i)));

    // --- clients and cases (phase 1) --------------------------------------------------------
    const rngC = new Rng(seed, 2);
    const rngK = new Rng(seed, 3);
    const rngW = new Rng(seed, 4);
    const clients: ClientRec[] = [];
    const cases: CaseRec[] = [];
    const seenIdentity = new Set<string>();
    const cw = keyWidth(nClients, 6);
    const idMul = 73_939_133; // coprime with 10^8, so national ids are unique
    const idAdd = hash32(seed, 99) % 100_000_000;
    let caseSeq = 0;
    const caseWidth = keyWidth(Math.ceil(nClients * 3), 7);

    for (let ci = 0; ci < nClients; ci++) {
      const prog0 = pickProgram(rngC);
      const ptype = (PROGRAMS[prog0] as Program).type;
      const gender = pickGender(rngC);
      const first = firstNameFor(rngC, gender);
      const last = rngC.pick(LAST_NAMES);
      const age =
        ptype === 'youth' ? rngC.int(16, 24) : ptype === 'family_support' ? rngC.int(19, 52) : Math.round(clamp(rngC.normal(40, 13), 18, 80));
      let dob = start - Math.floor(age * 365.25) - rngC.int(1, 360);
      while (seenIdentity.has(identityKey(first, last, dob))) dob -= 1;
      seenIdentity.add(identityKey(first, last, dob));
      const race = pickRace(rngC);
      const veteran = age < 21 ? (rngC.chance(0.92) ? 'no' : 'unknown') : rngC.chance(0.07) ? 'yes' : rngC.chance(0.91) ? 'no' : 'unknown';
      const phone = rngC.chance(0.05) ? '' : `${rngC.pick(AREA_CODES)}-555-01${pad(rngC.int(0, 99), 2)}`;
      const emailStyle = rngC.int(0, 3);
      const fa = asciiLower(first);
      const la = asciiLower(last);
      const email = rngC.chance(0.15)
        ? ''
        : (emailStyle === 0 ? `${fa}.${la}` : emailStyle === 1 ? `${fa[0]}${la}${rngC.int(1, 99)}` : emailStyle === 2 ? `${fa}${rngC.int(70, 2009)}` : `${la}.${fa}`) +
          '@example.org';
      const apt = rngC.chance(0.35) ? `, Apt ${rngC.int(1, 30)}${rngC.pick(['', 'A', 'B', 'C'])}` : '';
      const address = `${rngC.int(10, 9899)} ${rngC.pick(STREET_NAMES)} ${rngC.pick(STREET_SUFFIXES)}${apt}, ${rngC.pick(CITIES)}`;
      const idNum = (idMul * (ci + 1) + idAdd) % 100_000_000;
      const ids = pad(idNum, 8);
      const nationalId = rngC.chance(0.03) ? '' : `9${ids.slice(0, 2)}-${ids.slice(2, 4)}-${ids.slice(4)}`;
      const key = 'C' + pad(ci + 1, cw);
      fClients.row([key, first, last, fmt.iso(dob), gender, race, veteran, phone, email, address, nationalId]);
      clients.push({ key, first, last, dob, gender, phone, email, kid: KIDS[hash32(seed, 5, ci) % KIDS.length] as string });

      // Episodes: non-overlapping, only the last may still be open.
      const nEp = pickEpisodes(rngK);
      // Intake grows over the period (density rising towards the as-of date), so ~40% of cases are still open.
      let t = nEp === 1 ? start + Math.floor((span - 1) * Math.sqrt(rngK.next())) : start + rngK.int(0, Math.floor(span * 0.35));
      let prog = prog0;
      for (let e = 0; e < nEp; e++) {
        if (e > 0 && rngK.chance(0.35)) prog = pickProgram(rngK);
        const type = e === 0 ? pickFirstCaseType(rngK) : pickLaterCaseType(rngK);
        const sameDay = rngK.chance(0.012);
        // Clients with several episodes churn: their earlier episodes are shorter.
        const median = CASE_MEDIAN[type] * (e < nEp - 1 ? 0.45 : 1);
        const len = sameDay ? 0 : Math.round(clamp(rngK.lognormal(median, 0.95), 1, 1000));
        const opened = t;
        const isClosed = opened + len <= asOf;
        const closed = isClosed ? opened + len : -1;
        let reason: ClosureReason | '' = '';
        if (isClosed) {
          reason = sameDay ? pickSameDayReason(rngK) : pickReason(rngK);
          if (rngK.chance(0.025)) reason = ''; // documentation gap
        }
        let manager = rngK.chance(0.92) ? (mgrPickByProg[prog] as Weighted<number>)(rngK) : mgrPickAll(rngK);
        if (!isClosed && rngK.chance(0.035)) manager = -1;
        const end = isClosed ? closed : asOf;
        const noteWeight = Math.pow(1 + (end - opened) / 10, 0.85) * rngW.lognormal(1, 0.3);
        caseSeq++;
        const c: CaseRec = { key: 'K' + pad(caseSeq, caseWidth), client: ci, prog, manager, type, opened, closed, reason, noteWeight };
        cases.push(c);
        fCases.row([
          c.key, key, (PROGRAMS[prog] as Program).key, manager >= 0 ? (staff[manager] as StaffRec).key : '', type,
          fmt.iso(opened), isClosed ? fmt.iso(closed) : '', isClosed ? 'closed' : 'open', reason,
        ]);
        if (!isClosed) break;
        t = closed + 14 + Math.round(rngK.lognormal(40, 0.8));
        if (t > asOf - 7) break;
      }
      progress(1);
      if (ci % 256 === 0) await drainAll();
    }

    // --- partner referral list --------------------------------------------------------------
    {
      const rng = new Rng(seed, 5);
      const nPartner = Math.max(10, Math.round(nClients * 0.12));
      const nExisting = Math.min(nClients, Math.round(nPartner * 0.8));
      const chosen = new Set<number>();
      while (chosen.size < nExisting) chosen.add(rng.int(0, nClients - 1));
      type PRow = { given: string; family: string; dob: number; phone: string; client: string };
      const rows: PRow[] = [];
      const vary = (s: string, forceChange: boolean): string => {
        let v = s;
        if (v !== stripAccents(v) && rng.chance(0.75)) v = stripAccents(v);
        const r = rng.next();
        if (r < 0.4) v = v.toUpperCase();
        else if (r < 0.5) v = v.toLowerCase();
        if (rng.chance(0.3)) {
          const k = rng.int(0, 2);
          v = k === 0 ? ' ' + v : k === 1 ? v + '  ' : v.includes(' ') ? v.replace(' ', '   ') : v + ' ';
        }
        if (forceChange && v === s) v = v.toUpperCase() === v ? ' ' + v : v.toUpperCase();
        return v;
      };
      const fmtPhone = (p: string): string => {
        if (!p) return '';
        const r = rng.next();
        if (r < 0.15) return '';
        if (r < 0.7) return `(${p.slice(0, 3)}) ${p.slice(4)}`;
        return p;
      };
      for (const ci of [...chosen].sort((a, b) => a - b)) {
        const c = clients[ci] as ClientRec;
        // At least one of the two names is written differently.
        const which = rng.int(0, 2);
        rows.push({
          given: vary(c.first, which !== 1),
          family: vary(c.last, which === 1),
          dob: c.dob,
          phone: fmtPhone(c.phone),
          client: c.key,
        });
      }
      for (let i = rows.length; i < nPartner; i++) {
        const g = pickGender(rng);
        let first = firstNameFor(rng, g);
        let last = rng.pick(LAST_NAMES);
        let dob = start - Math.floor(rng.int(18, 70) * 365.25) - rng.int(1, 360);
        while (seenIdentity.has(identityKey(first, last, dob))) {
          first = firstNameFor(rng, g);
          last = rng.pick(LAST_NAMES);
          dob -= rng.int(1, 30);
        }
        seenIdentity.add(identityKey(first, last, dob));
        const phone = rng.chance(0.2) ? '' : `(${rng.pick(AREA_CODES)}) 555-01${pad(rng.int(0, 99), 2)}`;
        rows.push({ given: rng.chance(0.4) ? first.toUpperCase() : first, family: rng.chance(0.4) ? last.toUpperCase() : last, dob, phone, client: '' });
      }
      rng.shuffle(rows);
      const pw = keyWidth(nPartner, 5);
      rows.forEach((r, i) => {
        const pid = 'R' + pad(i + 1, pw);
        fPartner.row([pid, r.given, r.family, fmt.us(r.dob), r.phone]);
        fLinks.row([pid, r.client]);
      });
    }

    // --- per-case detail (phase 2) ----------------------------------------------------------
    let totalWeight = 0;
    for (const c of cases) totalWeight += c.noteWeight;
    const noteRate = totalWeight > 0 ? notesTarget / totalWeight : 0;
    let cumWeight = 0;
    let notesWritten = 0;
    let goalSeq = 0;
    let serviceSeq = 0;
    let followSeq = 0;
    let assessSeq = 0;
    let surveySeq = 0;
    let noteSeq = 0;
    const nw = keyWidth(notesTarget, 8);
    const gw = keyWidth(cases.length * 4, 7);

    for (let k = 0; k < cases.length; k++) {
      const c = cases[k] as CaseRec;
      const client = clients[c.client] as ClientRec;
      const prog = PROGRAMS[c.prog] as Program;
      const ptype = prog.type;
      const isClosed = c.closed >= 0;
      const end = isClosed ? c.closed : asOf;
      const len = end - c.opened;
      const rng = new Rng(seed, 10, k);
      const reason = c.reason;
      const dropOutBias = reason === 'disengaged' ? 0.7 : reason === 'goals_met' ? 0.08 : isClosed ? 0.25 : 0.2;

      // Goals
      const goalDomains: DomainId[] = [];
      const goalStatus: string[] = [];
      const nGoals = rng.chance(0.05) ? 0 : pickGoalCount(rng);
      for (let g = 0; g < nGoals; g++) {
        let d = affinityPickers[ptype](rng);
        for (let tries = 0; goalDomains.includes(d) && tries < 10; tries++) d = affinityPickers[ptype](rng);
        if (goalDomains.includes(d)) continue;
        goalDomains.push(d);
        const setOn = c.opened + rng.int(0, Math.min(21, len));
        const targetOn = setOn + rng.pick([60, 90, 90, 120, 180, 180, 270, 365]);
        let status: string;
        let achievedOn = -1;
        if (isClosed) {
          const mod = reason === 'goals_met' ? 1.35 : reason === 'disengaged' ? 0.5 : reason === 'moved_away' ? 0.7 : 0.9;
          if (rng.chance(0.04)) status = 'active';
          else if (rng.chance(0.07)) status = 'withdrawn';
          else if (rng.chance(Math.min(0.97, ACHIEVE_RATE[d] * mod))) status = 'achieved';
          else status = 'not_achieved';
        } else {
          const r = rng.next();
          const pAch = ACHIEVE_RATE[d] * 0.5 * Math.min(1, (asOf - setOn) / 180);
          status = r < pAch ? 'achieved' : r < pAch + 0.03 ? 'withdrawn' : r < pAch + 0.05 ? 'not_achieved' : 'active';
        }
        if (status === 'achieved') achievedOn = setOn + Math.floor(rng.next() * (end - setOn + 1));
        goalStatus.push(status);
        goalSeq++;
        fGoals.row([
          'G' + pad(goalSeq, gw), c.key, d, rng.pick(BANK[d].goals), fmt.iso(setOn), fmt.iso(targetOn), status,
          achievedOn >= 0 ? fmt.iso(achievedOn) : '',
        ]);
      }

      // Services
      const staffPool = staffByProg[c.prog] as number[];
      const otherStaff = (): number => rng.pick(staffPool);
      const nPast = Math.max(1, Math.round((1 + len / 14) * rng.lognormal(1, 0.35)));
      const pastDays: number[] = [];
      const lastPast = Math.min(end, asOf);
      for (let i = 0; i < Math.min(nPast, 60); i++) pastDays.push(toWeekday(c.opened + rng.int(0, lastPast - c.opened), c.opened, lastPast));
      pastDays.sort((a, b) => a - b);
      const nFuture = !isClosed && c.manager >= 0 ? pickFutureServices(rng) : 0;
      const allDays = pastDays.map((d) => [d, 0] as [number, number]);
      for (let i = 0; i < nFuture; i++) allDays.push([toWeekday(asOf + rng.int(1, 35), asOf + 1, asOf + 40), 1]);
      const noShowP = reason === 'disengaged' ? 0.25 : 0.12;
      for (const [day, future] of allDays) {
        const stype = servicePickers[ptype](rng);
        const personal = stype === 'case_management' || stype === 'housing_search' || stype === 'benefits_advice';
        const who = c.manager >= 0 && (personal ? rng.chance(0.9) : rng.chance(0.5)) ? c.manager : otherStaff();
        const minute = pickHour(rng) * 60 + rng.pick([0, 15, 30, 45]);
        const [ulo, uhi] = UNITS[stype] as readonly [number, number];
        const planned = rng.int(ulo, uhi);
        let status: string;
        if (future) status = 'scheduled';
        else {
          const r = rng.next();
          status = r < noShowP ? 'no_show' : r < noShowP + 0.085 ? 'cancelled' : 'delivered';
        }
        const delivered = status === 'delivered';
        const units = delivered ? (planned > 1 && rng.chance(0.15) ? rng.int(1, planned - 1) : planned) : 0;
        serviceSeq++;
        fServices.row([
          'V' + pad(serviceSeq, 8), c.key, stype, (staff[who] as StaffRec).key, fmt.usTime(day, minute),
          delivered ? fmt.usTime(day, Math.min(minute + rng.int(0, 20), 1439)) : '', status, planned, units,
        ]);
      }

      // Follow-ups
      const followDue: Array<[string, number]> = [];
      if (!isClosed || c.closed >= c.opened + 30) followDue.push(['30_day', c.opened + 30]);
      if (c.type !== 'intake' && (!isClosed || c.closed >= c.opened + 90)) followDue.push(['90_day', c.opened + 90]);
      if (isClosed && reason !== 'transferred' && rng.chance(0.8)) followDue.push(['post_exit', c.closed + 30]);
      for (const [ftype, due] of followDue) {
        if (due > asOf + 60) continue;
        const never = reason === 'disengaged' ? 0.5 : 0.17;
        const r = rng.next();
        let done: number;
        if (r < never) done = -1;
        else if (r < never + 0.12) done = due;
        else if (r < never + 0.5) done = due - rng.int(1, 10);
        else if (r < never + 0.66) done = due + rng.int(1, 7);
        else if (r < never + 0.76) done = due + rng.int(8, 20);
        else done = due + rng.int(30, 120);
        if (done > asOf) done = -1;
        followSeq++;
        fFollow.row(['F' + pad(followSeq, 8), c.key, ftype, fmt.iso(due), done >= 0 ? fmt.iso(done) : '']);
      }

      // Assessments
      {
        const hasPhq = ptype === 'behavioural_health' || rng.chance(0.3);
        const hasGad = hasPhq && rng.chance(0.85);
        const hasSsm = rng.chance(0.97);
        const dropOut = rng.chance(dropOutBias);
        let baseDay = -1;
        if (!rng.chance(0.04)) {
          const off = rng.chance(0.06) ? rng.int(31, 60) : Math.floor(20 * rng.next() ** 2);
          baseDay = Math.min(c.opened + off, end);
          if (baseDay > asOf) baseDay = -1;
        }
        const tps: Array<[string, number]> = [];
        if (baseDay >= 0) tps.push(['baseline', baseDay]);
        if (len >= 120 && !dropOut && rng.chance(0.6)) tps.push(['interim', c.opened + rng.int(85, 100)]);
        if (isClosed && !dropOut && len >= 14) {
          let exitDay = c.closed - rng.int(0, 5);
          if (exitDay <= baseDay) exitDay = c.closed;
          if (exitDay > baseDay) tps.push(['exit', exitDay]);
        }
        if (isClosed && !dropOut && len >= 14 && rng.chance(0.5)) {
          const fu = c.closed + rng.int(80, 100);
          if (fu <= asOf) tps.push(['followup', fu]);
        }
        const trajR = rng.next();
        const traj = trajR < 0.65 ? 1 : trajR < 0.87 ? 0 : -1; // improve / no change / deteriorate
        const emit = (instrument: string, domain: string, tp: string, day: number, score: number, items: number[] | null): void => {
          assessSeq++;
          fAssess.row([
            'A' + pad(assessSeq, 8), client.key, c.key, instrument, domain, fmt.iso(day), tp, score, items ? '[' + items.join(',') + ']' : '',
          ]);
        };
        const clinical = (instrument: 'phq9' | 'gad7'): void => {
          const nItems = instrument === 'phq9' ? 9 : 7;
          const max = nItems * 3;
          const bh = ptype === 'behavioural_health';
          const base0 = instrument === 'phq9' ? rng.normal(bh ? 15 : 11, bh ? 4.5 : 5) : rng.normal(bh ? 12 : 9, 4.2);
          const base = Math.round(clamp(base0 + (dropOut ? (instrument === 'phq9' ? 2.5 : 2) : 0), 0, max));
          let change: number;
          if (traj === 1) change = -Math.max(instrument === 'phq9' ? 3 : 2, rng.normal(instrument === 'phq9' ? 9.5 : 6.5, 3));
          else if (traj === 0) change = rng.normal(0, 1.2);
          else change = Math.max(instrument === 'phq9' ? 3 : 2, rng.normal(instrument === 'phq9' ? 6 : 4.5, 2));
          const exit = Math.round(clamp(base + change, 0, max));
          for (const [tp, day] of tps) {
            let s: number;
            if (tp === 'baseline') s = base;
            else if (tp === 'interim') s = Math.round(clamp(base + change * (0.45 + 0.4 * rng.next()) + rng.normal(0, 1.5), 0, max));
            else if (tp === 'exit') s = exit;
            else s = Math.round(clamp(exit + rng.normal(0.5, 2), 0, max));
            emit(instrument, '', tp, day, s, itemScores(rng, nItems, s));
          }
        };
        if (hasPhq) clinical('phq9');
        if (hasGad) clinical('gad7');
        if (hasSsm) {
          const doms = [...goalDomains];
          const want = rng.int(3, 6);
          for (let tries = 0; doms.length < want && tries < 40; tries++) {
            const d = affinityPickers[ptype](rng);
            if (!doms.includes(d)) doms.push(d);
          }
          for (const d of doms.slice(0, want)) {
            const base = pickSsmBase(rng);
            const ch = traj === -1 && rng.chance(0.5) ? -1 : pickSsmChange(rng);
            const exit = clamp(base + ch, 1, 5);
            for (const [tp, day] of tps) {
              const s = tp === 'baseline' ? base : tp === 'interim' ? clamp(base + (ch > 0 && rng.chance(0.5) ? 1 : 0), 1, 5) : tp === 'exit' ? exit : clamp(exit + (rng.chance(0.2) ? rng.pick([-1, 1]) : 0), 1, 5);
              emit('ssm', d, tp, day, s, null);
            }
          }
        }
      }

      // Surveys
      {
        const respond = isClosed ? rng.chance(reason === 'disengaged' ? 0.2 : 0.5) : len > 60 && rng.chance(0.2);
        if (respond) {
          const day = isClosed ? c.closed + rng.int(0, 21) : c.opened + rng.int(30, len);
          if (day <= asOf) {
            const sat = reason === 'goals_met' ? pickSatisfactionGood(rng) : pickSatisfaction(rng);
            const rec = sat >= 4 ? rng.chance(0.95) : sat === 3 ? rng.chance(0.55) : rng.chance(0.12);
            const comment = rng.chance(0.55) ? '' : rng.pick(SURVEY_COMMENTS[sat >= 4 ? 'good' : sat === 3 ? 'mid' : 'bad']);
            surveySeq++;
            fSurveys.row(['Q' + pad(surveySeq, 7), c.key, fmt.iso(day), sat, rec ? 'yes' : 'no', comment]);
          }
        }
      }

      // Notes
      cumWeight += c.noteWeight;
      const nNotes = k === cases.length - 1 ? notesTarget - notesWritten : Math.max(0, Math.round(cumWeight * noteRate) - notesWritten);
      if (nNotes > 0) {
        const nrng = new Rng(seed, 11, k);
        const focus: FocusDomain[] = goalDomains.map((domain, i) => {
          const st = goalStatus[i];
          const r = nrng.next();
          const traj: Trajectory =
            st === 'achieved' ? (r < 0.8 ? 'improving' : 'strength')
            : st === 'not_achieved' ? (r < 0.6 ? 'stuck' : 'worsening')
            : st === 'withdrawn' ? 'stuck'
            : r < 0.5 ? 'improving' : r < 0.9 ? 'stuck' : 'worsening';
          return { domain, traj };
        });
        const extra = nrng.int(focus.length >= 2 ? 0 : 2 - focus.length, 2);
        for (let i = 0, tries = 0; i < extra && tries < 20; tries++) {
          const d = affinityPickers[ptype](nrng);
          if (focus.some((f) => f.domain === d)) continue;
          const r = nrng.next();
          focus.push({ domain: d, traj: r < 0.5 ? 'strength' : r < 0.75 ? 'stuck' : 'improving' });
          i++;
        }
        const background: FocusDomain[] = DOMAINS.filter((d) => !focus.some((x) => x.domain === d)).map((domain) => ({
          domain,
          traj: nrng.chance(0.7) ? 'strength' : 'stuck',
        }));
        const profile: CaseProfile = { focus, background };
        const when: number[] = [];
        for (let i = 0; i < nNotes; i++) {
          const day = toWeekday(c.opened + nrng.int(0, len), c.opened, end);
          const sec = nrng.chance(0.05) ? nrng.int(19 * 3600, 21 * 3600 + 3599) : nrng.int(8 * 3600, 18 * 3600 + 3599);
          when.push(day * 86400 + sec);
        }
        when.sort((a, b) => a - b);
        const noteClient = { first: client.first, gender: client.gender, phone: client.phone, email: client.email, kid: client.kid };
        for (let i = 0; i < nNotes; i++) {
          const ts = when[i] as number;
          const day = Math.floor(ts / 86400);
          let author: number;
          const r = nrng.next();
          if (c.manager >= 0) {
            const mgr = staff[c.manager] as StaffRec;
            author = r < 0.8 ? c.manager : r < 0.88 ? mgr.supervisor : nrng.pick(staffPool);
          } else author = nrng.pick(staffPool);
          const type: NoteType = i === 0 && nrng.chance(0.35) ? 'assessment' : pickNoteType(nrng);
          const f = len > 0 ? (day - c.opened) / len : 0.5;
          const note = renderNote(nrng, styles[author] as AuthorStyle, noteClient, profile, type, f, startYear);
          noteSeq++;
          const nkey = 'N' + pad(noteSeq, nw);
          fNotes.row([nkey, c.key, (staff[author] as StaffRec).key, fmt.isoTime(day, ts % 86400), type, note.text]);
          for (const t of note.truth) fTruth.row([nkey, t.domain, t.direction, t.status, t.evidence]);
        }
        notesWritten += nNotes;
        progress(nNotes);
      }
      if (k % 64 === 0) await drainAll();
    }

    for (const f of Object.values(files)) await f.close();
    if (onProgress && progressDone !== progressTotal) onProgress(progressTotal, progressTotal);
  } catch (e) {
    for (const f of Object.values(files)) f.destroy();
    throw e;
  }

  const summary: SampleSummary = { files: {} };
  for (const [name, f] of Object.entries(files)) summary.files[name] = f.rows;
  return summary;
}
