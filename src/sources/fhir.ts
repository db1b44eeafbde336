/**
 * FHIR R4: Bundles (JSON) and bulk-export NDJSON → caselens canonical tables. STU3 and DSTU2
 * resources are recognised (declared version, else shape) and read with their own field names;
 * other releases are rejected (`unsupported_version`). Instrument items and totals are
 * range-checked and checked against each other (see checkScores), and every Practitioner is one
 * staff row whatever form the references to it take (see staffResolver).
 *
 * Resources are flattened in TypeScript into one JSON-lines file per canonical table (with the
 * origin of every row kept: `file#/entry/N` for a Bundle entry, file + line for NDJSON), then a
 * generated pipeline runs through the same engine as every other source, so checks, rejects,
 * identity rules and idempotent merges work the same way. Rejects are pointed back at the
 * original resource. Resource types caselens has no table for are counted and skipped.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { CaselensError, errorMessage, exitCodes } from '../errors.ts';
import { appendRejects, runPipeline, type IngestProgress, type IngestReport, type Pipeline, type SourceReport } from '../ingest/index.ts';
import type { IdentityRule, PipelineDoc } from '../ingest/pipeline.ts';
import { pipelineSchema } from '../ingest/pipeline.ts';
import { lit, type Db } from '../store/index.ts';
import { FHIR_INSTRUMENTS, FREQUENCY_WORDING, LOINC_FREQUENCY_ANSWERS, ORDINAL_EXTENSIONS, US_SSN, type FhirInstrument } from './fhir-codes.ts';

type J = { [key: string]: unknown };

const isObj = (v: unknown): v is J => typeof v === 'object' && v !== null && !Array.isArray(v);
const obj = (v: unknown): J => (isObj(v) ? v : {});
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : typeof v === 'number' ? String(v) : null);
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v)) ? Number(v) : null);

/** Where a resource came from: a Bundle entry (`file#/entry/12`) or an NDJSON line. */
export interface Origin {
  file: string;
  line: number | null;
}

interface Resource {
  type: string;
  id: string | null;
  body: J;
  origin: Origin;
  /** a DELETE in a transaction Bundle, or status entered-in-error */
  deleted: boolean;
  /** FHIR version the enclosing Bundle declares (see declaredVersion), if any */
  bundleVersion: string | null;
}

export interface FhirProblem {
  origin: Origin;
  field: string | null;
  value: string | null;
  code: string;
  reason: string;
}

/** Resource types with a canonical table. */
export const FHIR_TYPES_READ = ['Patient', 'EpisodeOfCare', 'Encounter', 'Observation', 'QuestionnaireResponse', 'DocumentReference', 'Goal', 'Practitioner', 'Organization'] as const;

export class FhirInputError extends CaselensError {
  constructor(message: string) {
    super(message, { exitCode: exitCodes.rejected, status: 422 });
    this.name = 'FhirInputError';
  }
}

// ---------------------------------------------------------------------------------------------
// Reading

function listInputFiles(inputs: string[]): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.(json|ndjson|jsonl)$/i.test(e.name)) out.push(p);
    }
  };
  for (const input of inputs) {
    const abs = path.resolve(input);
    let stat: fs.Stats;
    try {
      stat = fs.statSync(abs);
    } catch {
      throw new FhirInputError(`${input}: not found; give FHIR Bundle (.json) or bulk-export (.ndjson) files, or folders of them`);
    }
    if (stat.isDirectory()) walk(abs);
    else out.push(abs);
  }
  if (out.length === 0) throw new FhirInputError(`${inputs.join(', ')}: no .json, .ndjson or .jsonl files found`);
  return [...new Set(out)];
}

interface ReadState {
  resources: Resource[];
  problems: FhirProblem[];
  /** Bundle fullUrl → resource type and id */
  fullUrls: Map<string, { type: string; id: string }>;
}

function addResource(state: ReadState, raw: unknown, origin: Origin, method?: string | null, url?: string | null, bundleVersion: string | null = null): void {
  if (method === 'DELETE') {
    const m = /^([A-Z][A-Za-z]+)\/([^/?]+)/.exec(url ?? '');
    if (!m) {
      state.problems.push({ origin, field: 'request.url', value: url ?? null, code: 'malformed_row', reason: 'DELETE entry without a "Type/id" url: cannot tell what to delete' });
      return;
    }
    state.resources.push({ type: m[1]!, id: m[2]!, body: {}, origin, deleted: true, bundleVersion });
    return;
  }
  if (!isObj(raw) || typeof raw.resourceType !== 'string') {
    state.problems.push({ origin, field: 'resourceType', value: null, code: 'malformed_row', reason: 'not a FHIR resource (no resourceType)' });
    return;
  }
  if (raw.resourceType === 'Bundle') {
    const version = declaredVersion(raw) ?? bundleVersion;
    arr(raw.entry).forEach((e, i) => {
      const entry = obj(e);
      const at = { file: `${origin.file}${origin.line === null ? '' : `:${origin.line}`}#/entry/${i}`, line: null };
      const res = entry.resource;
      const fullUrl = str(entry.fullUrl);
      if (fullUrl && isObj(res) && typeof res.resourceType === 'string' && typeof res.id === 'string') state.fullUrls.set(fullUrl, { type: res.resourceType, id: res.id });
      const request = obj(entry.request);
      if (res === undefined && str(request.method) !== 'DELETE') {
        state.problems.push({ origin: at, field: 'resource', value: null, code: 'malformed_row', reason: 'Bundle entry without a resource' });
        return;
      }
      addResource(state, res, at, str(request.method), str(request.url), version);
    });
    return;
  }
  const status = str(raw.status) ?? str(raw.docStatus);
  state.resources.push({ type: raw.resourceType, id: str(raw.id), body: raw, origin, deleted: status === 'entered-in-error' || str(raw.docStatus) === 'entered-in-error', bundleVersion });
}

async function readInputs(files: string[], show: (f: string) => string): Promise<ReadState> {
  const state: ReadState = { resources: [], problems: [], fullUrls: new Map() };
  for (const file of files) {
    const shown = show(file);
    if (/\.(ndjson|jsonl)$/i.test(file)) {
      const rl = readline.createInterface({ input: fs.createReadStream(file, { encoding: 'utf8' }), crlfDelay: Infinity });
      let line = 0;
      for await (const text of rl) {
        line++;
        if (text.trim() === '') continue;
        let parsed: unknown;
        try {
          parsed = JSON.parse(text);
        } catch (e) {
          state.problems.push({ origin: { file: shown, line }, field: null, value: text.slice(0, 200), code: 'malformed_row', reason: `not valid JSON: ${errorMessage(e)}` });
          continue;
        }
        addResource(state, parsed, { file: shown, line });
      }
    } else {
      let parsed: unknown;
      try {
        parsed = JSON.parse(fs.readFileSync(file, 'utf8').replace(/^\uFEFF/, ''));
      } catch (e) {
        throw new FhirInputError(`${shown}: not valid JSON (${errorMessage(e)}); nothing was loaded`);
      }
      addResource(state, parsed, { file: shown, line: null });
    }
  }
  return state;
}

// ---------------------------------------------------------------------------------------------
// FHIR versions

/**
 * FHIR releases caselens reads. R4B and R5 keep the fields caselens reads as in R4; STU3 and DSTU2
 * resources are read with their own field names (QuestionnaireResponse.group and `questionnaire` as a
 * Reference, Observation.context and `related`, DocumentReference.context.encounter as one Reference,
 * Goal.status, Encounter.patient, …). Other releases (DSTU1, ballots) are refused.
 */
export const FHIR_VERSIONS = ['R4', 'R4B', 'R5', 'STU3', 'DSTU2'] as const;
export type FhirVersion = (typeof FHIR_VERSIONS)[number];
const ACCEPTED_VERSIONS = 'caselens reads FHIR R4 (R4B and R5 read the same way) and the STU3 (3.0) and DSTU2 (1.0) forms of these resources';

/** The release a version number ("3.0.2"), release name ("STU3") or core profile URL names; `unsupported` for others; null when it names none. */
export function versionFromHint(hint: string): FhirVersion | 'unsupported' | null {
  const s = hint.trim();
  const core = /^https?:\/\/hl7\.org\/fhir\/(?:(DSTU2|STU3|R4B|R4|R5|\d+\.\d+(?:\.\d+)?)\/)?StructureDefinition\/[A-Za-z]+(?:\|(\S+))?$/i.exec(s);
  if (core) return core[1] ? versionFromHint(core[1]) : core[2] ? versionFromHint(core[2]) : null;
  if (/^https?:/i.test(s)) return null; // another profile (US Core, …): says nothing about the release
  const named = /^(DSTU2|STU3|R4B|R4|R5)$/i.exec(s);
  if (named) return named[1]!.toUpperCase() as FhirVersion;
  const m = /^(\d+)\.(\d+)(?:\.\d+)?(?:-\S*)?$/.exec(s);
  if (!m) return null;
  const v = `${m[1]}.${m[2]}`;
  return v === '1.0' ? 'DSTU2' : v === '3.0' ? 'STU3' : v === '4.0' ? 'R4' : v === '4.3' ? 'R4B' : v === '5.0' ? 'R5' : 'unsupported';
}

/** Where a resource or Bundle declares its version, and what it says: a `fhirVersion` (as some servers and exports add it) or a core `meta.profile`. */
function declaration(body: J): { field: string; hint: string } | null {
  const meta = obj(body.meta);
  const candidates: Array<[string, unknown]> = [['fhirVersion', body.fhirVersion], ['meta.fhirVersion', meta.fhirVersion], ...arr(meta.profile).map((p): [string, unknown] => ['meta.profile', p])];
  for (const [field, v] of candidates) {
    const hint = str(v);
    if (hint && versionFromHint(hint)) return { field, hint };
  }
  return null;
}
const declaredVersion = (body: J): string | null => declaration(body)?.hint ?? null;

/** What the fields of a resource give away about its release, for the types where STU3/DSTU2 differ from R4. */
function shapeVersion(type: string, b: J): FhirVersion | null {
  switch (type) {
    case 'QuestionnaireResponse':
      if (b.group !== undefined) return 'DSTU2';
      return isObj(b.questionnaire) || (b.context !== undefined && b.encounter === undefined) ? 'STU3' : null;
    case 'Observation':
      if (b.comments !== undefined) return 'DSTU2';
      return b.context !== undefined || b.related !== undefined ? 'STU3' : null;
    case 'Encounter':
      return typeof b.class === 'string' || (b.patient !== undefined && b.subject === undefined) ? 'DSTU2' : null;
    case 'DocumentReference':
      return b.indexed !== undefined || isObj(obj(b.context).encounter) ? 'STU3' : null;
    case 'Goal':
      if (typeof b.description === 'string') return 'DSTU2';
      return b.lifecycleStatus === undefined && b.status !== undefined ? 'STU3' : null;
    default:
      return null;
  }
}

/** A resource's release: as declared (by itself, else by its Bundle), else by its shape, else R4. */
export function fhirVersionOf(type: string, body: J, bundleVersion: string | null = null): { version: FhirVersion | 'unsupported'; hint: string | null; field: string | null; by: 'declared' | 'shape' | 'default' } {
  const own = declaration(body);
  const hint = own?.hint ?? bundleVersion;
  const declared = hint ? versionFromHint(hint) : null;
  if (declared) return { version: declared, hint, field: own ? own.field : 'Bundle', by: 'declared' };
  const shape = shapeVersion(type, body);
  return { version: shape ?? 'R4', hint: null, field: null, by: shape ? 'shape' : 'default' };
}

// ---------------------------------------------------------------------------------------------
// Flattening helpers

/** Local date as written (YYYY-MM-DD), or the value as it is so the engine rejects it with a reason. */
function fhirDate(v: unknown): string | null {
  const s = str(v);
  if (!s) return null;
  return /^\d{4}-\d{2}-\d{2}/.test(s) ? s.slice(0, 10) : s;
}

/** Wall-clock time as written (the offset is dropped), e.g. 2014-08-25T07:44:10-05:00 → 2014-08-25 07:44:10. */
function fhirTimestamp(v: unknown): string | null {
  const s = str(v);
  if (!s) return null;
  const m = /^(\d{4}-\d{2}-\d{2})(?:T(\d{2}:\d{2}(?::\d{2})?))?/.exec(s);
  if (!m) return s;
  return m[2] ? `${m[1]} ${m[2].length === 5 ? `${m[2]}:00` : m[2]}` : m[1]!;
}

function codings(concept: unknown): J[] {
  return arr(obj(concept).coding).map(obj);
}

function conceptText(concept: unknown): string | null {
  const c = obj(concept);
  return str(c.text) ?? codings(c).map((x) => str(x.display) ?? str(x.code)).find((x) => x) ?? null;
}

function humanName(names: unknown): { given: string | null; family: string | null; text: string | null } {
  const list = arr(names).map(obj);
  const n = list.find((x) => x.use === 'official') ?? list.find((x) => x.use !== 'old') ?? list[0];
  if (!n) return { given: null, family: null, text: null };
  const given = arr(n.given).map(str).filter((x): x is string => !!x);
  const family = str(n.family);
  const text = str(n.text) ?? ([...arr(n.prefix).map(str).filter(Boolean), ...given, family].filter(Boolean).join(' ') || null);
  return { given: given[0] ?? null, family, text };
}

const wordingScore = (w: string | null): number | null => {
  const key = w?.toLowerCase().replace(/[-_]/g, ' ').replace(/\s+/g, ' ').trim();
  return key && key in FREQUENCY_WORDING ? FREQUENCY_WORDING[key]! : null;
};

/** The score an answer (or Observation / component value) carries, or null when it carries none caselens can read. */
function score(answer: J): number | null {
  for (const k of ['valueInteger', 'valueDecimal']) if (num(answer[k]) !== null) return num(answer[k]);
  if (isObj(answer.valueQuantity)) return num(answer.valueQuantity.value);
  const list = isObj(answer.valueCoding) ? [answer.valueCoding] : codings(answer.valueCodeableConcept);
  if (list.length === 0) return num(answer.valueString) ?? wordingScore(str(answer.valueString));
  for (const ext of [...list.flatMap((c) => arr(c.extension)), ...arr(answer.extension)].map(obj)) {
    if (ORDINAL_EXTENSIONS.includes(String(ext.url)) && num(ext.valueDecimal ?? ext.valueInteger) !== null) return num(ext.valueDecimal ?? ext.valueInteger);
  }
  for (const coding of list) {
    const code = str(coding.code);
    if (code && code in LOINC_FREQUENCY_ANSWERS) return LOINC_FREQUENCY_ANSWERS[code]!;
    const worded = wordingScore(str(coding.display)) ?? wordingScore(code);
    if (worded !== null) return worded;
  }
  return wordingScore(str(obj(answer.valueCodeableConcept).text));
}

/** The value[x] an answer carries, as written (for messages), or null when it has none. */
function answerValue(answer: J): string | null {
  const k = Object.keys(answer).find((x) => x.startsWith('value'));
  return k ? `${k}: ${JSON.stringify(answer[k])}`.slice(0, 200) : null;
}
const ANSWER_FORMS = 'valueInteger, valueDecimal, valueQuantity, or valueCoding / valueCodeableConcept with a LOINC answer (LA6568-5 … LA6571-9), an ordinal-value extension or the frequency wording ("Not at all" … "Nearly every day")';

function instrumentByCode(codes: string[]): { inst: FhirInstrument; kind: 'total' | 'panel' | 'item' } | null {
  for (const inst of FHIR_INSTRUMENTS) {
    if (codes.some((c) => inst.totals.includes(c))) return { inst, kind: 'total' };
    if (codes.some((c) => inst.panels.includes(c))) return { inst, kind: 'panel' };
  }
  for (const inst of FHIR_INSTRUMENTS) if (codes.some((c) => inst.items.includes(c))) return { inst, kind: 'item' };
  return null;
}

/** Goal status as R4 has it: STU3/DSTU2 have one `status` mixing lifecycle and achievement. */
function goalStatus(b: J): { lifecycle: string | null; achievement: string | null } {
  if (b.lifecycleStatus !== undefined || b.status === undefined) {
    return { lifecycle: str(b.lifecycleStatus), achievement: codings(b.achievementStatus).map((c) => str(c.code)).find(Boolean) ?? null };
  }
  const status = str(b.status);
  if (status === 'achieved' || status === 'sustaining') return { lifecycle: 'completed', achievement: status };
  if (status === 'cancelled' || status === 'rejected') return { lifecycle: status, achievement: null };
  return { lifecycle: status === 'completed' ? 'completed' : 'active', achievement: null };
}

// ---------------------------------------------------------------------------------------------
// Instrument scores

/** One answered item of a QuestionnaireResponse, or one component / member of an Observation panel. */
interface ItemPart {
  /** linkId or LOINC code */
  id: string | null;
  label: string | null;
  score: number | null;
  /** the value as written when there is one but it carries no score caselens can read */
  unread: string | null;
  /** which of the instrument's items (index in `items`) the part's code names, if it names one */
  item: number | null;
  /** where the value is in the resource, for rejects */
  field: string;
}

interface StatedTotal {
  score: number | null;
  unread: string | null;
  field: string;
}

type ScoreProblem = { field: string; value: string | null; code: string; reason: string };
type ScoreCheck = { ok: true; total: number | null; sum: number | null } | ({ ok: false } & ScoreProblem);

function part(inst: FhirInstrument, id: string | null, codes: string[], label: string | null, value: J, field: string): ItemPart {
  const s = score(value);
  const item = inst.items.findIndex((c) => codes.some((x) => x.includes(c)));
  return { id, label, score: s, unread: s === null ? answerValue(value) : null, item: item >= 0 ? item : null, field };
}

/** Which parts are the instrument's items: those whose code names an item; with no coded part, all parts if there are as many as items (else the scored ones, if as many). */
function instrumentItems(inst: FhirInstrument, parts: ItemPart[]): ItemPart[] {
  const coded = parts.filter((p) => p.item !== null);
  if (coded.length > 0 || inst.items.length === 0) return coded;
  if (parts.length === inst.items.length) return parts;
  const scored = parts.filter((p) => p.score !== null);
  return scored.length === inst.items.length ? scored : [];
}

/**
 * Range and consistency rules for an instrument's scores (ranges from fhir-codes.ts: PHQ-9 items 0–3,
 * total 0–27; GAD-7 total 0–21; …). Parts that are not the instrument's items (PHQ-9's "how difficult"
 * question, …) are kept in `items` but never scored.
 * - An item whose answer is there but carries no score caselens can read is `bad_value`: never taken as 0.
 * - An item or total outside its range, or not a whole number, is `out_of_range`.
 * - items_sum is the sum of the items only when every item is answered.
 * - A stated total and a complete items_sum must agree, else `inconsistent`: caselens cannot tell which one is
 *   wrong, so the resource is rejected. With items missing, the stated total is kept but must not be less than
 *   the sum of the items given. Without a stated total the total is items_sum (null when items are missing).
 */
function checkScores(inst: FhirInstrument, parts: ItemPart[], stated: StatedTotal): ScoreCheck {
  const [iMin, iMax] = inst.itemRange;
  const [tMin, tMax] = inst.totalRange;
  const items = instrumentItems(inst, parts);
  for (const p of items) {
    if (p.score === null && p.unread) {
      return { ok: false, field: p.field, value: p.unread, code: 'bad_value', reason: `${inst.name} item ${p.id ?? '?'}: the answer carries no score caselens can read (accepted: ${ANSWER_FORMS}); it is not counted as 0` };
    }
    if (p.score !== null && (!Number.isInteger(p.score) || p.score < iMin || p.score > iMax)) {
      return { ok: false, field: p.field, value: String(p.score), code: 'out_of_range', reason: `${inst.name} item ${p.id ?? '?'} is ${p.score}: items are scored ${iMin}–${iMax} (whole numbers)` };
    }
  }
  if (stated.score === null && stated.unread) {
    return { ok: false, field: stated.field, value: stated.unread, code: 'bad_value', reason: `${inst.name} total: the value carries no score caselens can read (accepted: ${ANSWER_FORMS})` };
  }
  if (stated.score !== null && (!Number.isInteger(stated.score) || stated.score < tMin || stated.score > tMax)) {
    return { ok: false, field: stated.field, value: String(stated.score), code: 'out_of_range', reason: `${inst.name} total is ${stated.score}: valid totals are ${tMin}–${tMax} (whole numbers)` };
  }
  const given = items.filter((p) => p.score !== null);
  const partial = given.reduce((a, p) => a + p.score!, 0);
  const distinct = new Set(given.map((p, i) => p.item ?? `#${i}`)).size;
  const sum = inst.items.length > 0 && given.length === inst.items.length && distinct === given.length ? partial : null;
  if (stated.score !== null && sum !== null && stated.score !== sum) {
    return { ok: false, field: stated.field, value: String(stated.score), code: 'inconsistent', reason: `${inst.name} total ${stated.score} differs from the sum of its ${inst.items.length} items (${sum}): one of them is wrong, so neither is loaded` };
  }
  if (stated.score !== null && sum === null && stated.score < partial) {
    return { ok: false, field: stated.field, value: String(stated.score), code: 'inconsistent', reason: `${inst.name} total ${stated.score} is less than the ${given.length} items given add up to (${partial})` };
  }
  return { ok: true, total: stated.score ?? sum, sum };
}

/** An Observation panel's members: R4 `hasMember`, STU3/DSTU2 `related` of type has-member. */
function panelMembers(b: J): unknown[] {
  return [...arr(b.hasMember), ...arr(b.related).map(obj).filter((x) => !x.type || x.type === 'has-member').map((x) => x.target)];
}

/** An Observation's stated total and, for a panel, its components and members as parts. */
function observationScores(inst: FhirInstrument, kind: 'total' | 'panel', b: J, member: (reference: unknown) => J | undefined): { parts: ItemPart[]; stated: StatedTotal } {
  const ownScore = score(b);
  // a panel's own value is its total only when it is a score; a total Observation's value must be one
  const own: StatedTotal = { score: ownScore, unread: ownScore === null && kind === 'total' ? answerValue(b) : null, field: 'value' };
  const parts: ItemPart[] = [];
  let stated: StatedTotal | null = null;
  if (kind === 'panel') {
    const take = (concept: unknown, value: J, field: string) => {
      const c = codings(concept).find((x) => str(x.code));
      const code = c ? str(c.code) : null;
      const p = part(inst, code, code ? [code] : [], c ? str(c.display) : conceptText(concept), value, field);
      if (code && inst.totals.includes(code)) stated ??= { score: p.score, unread: p.unread, field };
      else parts.push(p);
    };
    arr(b.component).map(obj).forEach((comp, i) => take(comp.code, comp, `component[${i}]`));
    panelMembers(b).forEach((m, i) => {
      const body = member(m);
      if (body) take(body.code, body, `hasMember[${i}]`);
    });
  }
  return { parts, stated: stated ?? own };
}

type ScoredRead = { kind: 'skip'; reason: string } | ({ kind: 'reject' } & ScoreProblem) | { kind: 'ok'; inst: FhirInstrument; total: number | null; items: J };

/** DSTU2 `group` / `question` → R4-shaped `item`s: a group's groups and questions become its items; answers keep their nested groups as items. */
function dstu2Items(group: unknown): J[] {
  if (!isObj(group)) return [];
  const questions = arr(group.question).map(obj).map((q) => ({
    linkId: q.linkId, text: q.text, answer: arr(q.answer).map(obj).map((a) => ({ ...a, item: arr(a.group).flatMap(dstu2Items) })),
  }));
  return [{ linkId: group.linkId, text: group.text ?? group.title, item: [...arr(group.group).flatMap(dstu2Items), ...questions] }];
}

/**
 * A QuestionnaireResponse of an instrument → its total and items. Reads R4 (`item`, canonical
 * `questionnaire`), STU3 (`questionnaire` as a Reference) and DSTU2 (`group` / `question`).
 */
function readQuestionnaireResponse(b: J): ScoredRead {
  const questionnaire = str(b.questionnaire) ?? str(obj(b.questionnaire).reference) ?? str(obj(b.questionnaire).display) ?? '';
  const flat: J[] = [];
  const walk = (items: unknown) => {
    for (const it of arr(items).map(obj)) {
      if (arr(it.answer).length) flat.push(it);
      walk(it.item);
      for (const a of arr(it.answer).map(obj)) walk(a.item);
    }
  };
  walk(b.group !== undefined ? dstu2Items(b.group) : b.item);
  const itemCodes = flat.flatMap((it) => [str(it.linkId), str(it.definition)]).filter((x): x is string => !!x);
  const inst = FHIR_INSTRUMENTS.find((i) => i.questionnaire.test(questionnaire)) ?? FHIR_INSTRUMENTS.find((i) => i.items.length && i.items.every((c) => itemCodes.some((x) => x.includes(c))));
  if (!inst) return { kind: 'skip', reason: 'not a PHQ-9, GAD-7, PHQ-2 or PHQ-A questionnaire' };
  const status = str(b.status);
  if (status !== 'completed' && status !== 'amended') return { kind: 'skip', reason: `status ${status ?? 'missing'}: not a completed questionnaire` };
  let stated: StatedTotal = { score: null, unread: null, field: 'item' };
  const parts: ItemPart[] = [];
  for (const it of flat) {
    const answer = obj(arr(it.answer)[0]);
    const ids = [str(it.linkId), str(it.definition)].filter((x): x is string => !!x);
    const p = part(inst, str(it.linkId), ids, str(it.text), answer, `${b.group !== undefined ? 'group' : 'item'}[linkId=${str(it.linkId) ?? '?'}].answer`);
    const isTotal = ids.some((id) => inst.totals.some((t) => id.includes(t))) || /total score/i.test(str(it.text) ?? '');
    if (isTotal) stated = { score: p.score, unread: p.unread, field: p.field };
    else parts.push(p);
  }
  const checked = checkScores(inst, parts, stated);
  if (!checked.ok) return { kind: 'reject', field: checked.field, value: checked.value, code: checked.code, reason: checked.reason };
  return { kind: 'ok', inst, total: checked.total, items: { items: parts.map((p) => ({ linkId: p.id, text: p.label, score: p.score })), items_sum: checked.sum, questionnaire } };
}

// ---------------------------------------------------------------------------------------------
// Staff

type RefFn = (reference: unknown) => { type: string | null; id: string; display: string | null } | null;

/** `Practitioner?identifier=system|value` (relative or absolute) → its type, system and value. */
function conditionalIdentifier(reference: string): { type: string; system: string | null; value: string } | null {
  const q = /(?:^|\/)([A-Z][A-Za-z]+)\?(.*)$/.exec(reference);
  if (!q) return null;
  const param = q[2]!.split('&').find((p) => p.startsWith('identifier='));
  const token = decodeURIComponent((param ? param.slice('identifier='.length) : q[2]!).replace(/\+/g, ' '));
  const bar = token.lastIndexOf('|');
  return { type: q[1]!, system: bar > 0 ? token.slice(0, bar) : null, value: bar >= 0 ? token.slice(bar + 1) : token };
}

/**
 * One staff row per Practitioner, whatever form the reference to it takes: literal (`Practitioner/123`,
 * an absolute URL ending in it, a Bundle fullUrl), conditional (`Practitioner?identifier=system|value`),
 * or logical (`{identifier: {system, value}}`). Conditional and logical references find the Practitioner
 * carrying that identifier (NPI or any other: system|value, or the value alone when it is no other
 * Practitioner's too); a literal id that is no Practitioner's id but is one's identifier value finds it too.
 * A reference that finds no Practitioner keeps the earlier behaviour: a staff row keyed by the id (or the
 * identifier value of a conditional reference) named from the reference's display; a logical reference names no staff.
 */
function staffResolver(practitioners: Resource[], ref: RefFn) {
  const staff = new Map<string, { name: string; origin: Origin; fromResource: boolean; referenced: boolean }>();
  const byIdentifier = new Map<string, string | null>(); // "system|value" and "value" → Practitioner id (null: more than one)
  const index = (k: string, id: string) => byIdentifier.set(k, byIdentifier.has(k) && byIdentifier.get(k) !== id ? null : id);
  for (const r of practitioners) {
    if (r.deleted) continue;
    staff.set(r.id!, { name: humanName(r.body.name).text ?? `Practitioner ${r.id}`, origin: r.origin, fromResource: true, referenced: false });
    for (const ident of arr(r.body.identifier).map(obj)) {
      const v = str(ident.value);
      if (!v) continue;
      index(v, r.id!);
      if (str(ident.system)) index(`${str(ident.system)}|${v}`, r.id!);
    }
  }
  const find = (system: string | null, value: string): string | null => (system ? byIdentifier.get(`${system}|${value}`) : null) ?? byIdentifier.get(value) ?? null;
  const use = (id: string, display: string | null, origin: Origin) => {
    const s = staff.get(id) ?? { name: display ?? `Practitioner ${id}`, origin, fromResource: false, referenced: false };
    s.referenced = true;
    staff.set(id, s);
    return `Practitioner/${id}`;
  };
  const key = (reference: unknown, origin: Origin): string | null => {
    const r = obj(reference);
    const s = str(r.reference);
    const type = str(r.type);
    if (type && type !== 'Practitioner') return null;
    if (!s) {
      const logical = obj(r.identifier);
      const found = str(logical.value) ? find(str(logical.system), str(logical.value)!) : null;
      return found ? use(found, null, origin) : null;
    }
    const cond = conditionalIdentifier(s);
    if (cond) return cond.type === 'Practitioner' ? use(find(cond.system, cond.value) ?? cond.value, str(r.display), origin) : null;
    const x = ref(reference);
    if (!x || (x.type && x.type !== 'Practitioner')) return null;
    return use(staff.get(x.id)?.fromResource ? x.id : find(null, x.id) ?? x.id, x.display, origin);
  };
  const rows = () => [...staff].filter(([, s]) => s.fromResource || s.referenced).map(([id, s]) => ({ key: `Practitioner/${id}`, name: s.name, origin: s.origin }));
  return { key, rows };
}

// ---------------------------------------------------------------------------------------------
// Flattening

type Row = Record<string, string | null>;

export interface FlattenResult {
  dir: string;
  /** generated file → rows */
  rows: Record<string, number>;
  /** resources read, by type */
  byType: Record<string, number>;
  /** resources not loaded, with why (unknown types, observations of other codes, …) */
  skipped: Array<{ type: string; reason: string; count: number }>;
  /** resources that cannot be loaded: recorded as rejects of the job */
  problems: FhirProblem[];
  /** resources read in a release other than R4 (declared or by their shape), by release */
  versions: Record<string, number>;
  files: string[];
}

export const FHIR_TABLE_FILES = {
  programs: 'organizations.jsonl',
  staff: 'practitioners.jsonl',
  clients: 'patients.jsonl',
  cases: 'episodes.jsonl',
  goals: 'goals.jsonl',
  services: 'encounters.jsonl',
  assessments: 'assessments.jsonl',
  notes: 'notes.jsonl',
} as const;
type FlatTable = keyof typeof FHIR_TABLE_FILES;

const COLUMNS: Record<FlatTable, string[]> = {
  programs: ['key', 'name', 'type'],
  staff: ['key', 'name', 'role'],
  clients: ['key', 'first_name', 'last_name', 'dob', 'gender', 'race_ethnicity', 'phone', 'email', 'address', 'national_id'],
  cases: ['key', 'patient', 'program', 'manager', 'case_type', 'opened_at', 'closed_at', 'status', 'closure_reason'],
  goals: ['key', 'case', 'description', 'set_at', 'target_at', 'status', 'achieved_at'],
  services: ['key', 'case', 'service_type', 'staff', 'scheduled_at', 'delivered_at', 'status'],
  assessments: ['key', 'patient', 'case', 'instrument', 'administered_at', 'timepoint', 'total_score', 'items'],
  notes: ['key', 'case', 'author', 'written_at', 'note_type', 'text'],
};

/**
 * Reads FHIR files and writes one JSON-lines file per canonical table into `outDir`, plus
 * `origins.csv` (generated file, line → original file, line) for pointing rejects back.
 */
export async function flattenFhir(inputs: string[], outDir: string, opts: { displayRoot?: string } = {}): Promise<FlattenResult> {
  const files = listInputFiles(inputs);
  const root = opts.displayRoot ?? process.cwd();
  const show = (f: string) => {
    const rel = path.relative(root, f);
    return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : f;
  };
  const state = await readInputs(files, show);
  const { resources, problems, fullUrls } = state;
  const byType: Record<string, number> = {};
  for (const r of resources) byType[r.type] = (byType[r.type] ?? 0) + 1;
  const skipped = new Map<string, { type: string; reason: string; count: number }>();
  const skip = (type: string, reason: string) => {
    const k = `${type}\u0000${reason}`;
    const s = skipped.get(k) ?? { type, reason, count: 0 };
    s.count++;
    skipped.set(k, s);
  };
  const problem = (r: Resource, field: string | null, value: string | null, code: string, reason: string) => problems.push({ origin: r.origin, field, value, code, reason: `${r.type}/${r.id ?? '?'}: ${reason}` });

  /** A reference → its type and id (or, for a conditional reference, the identifier value). */
  const ref = (reference: unknown): { type: string | null; id: string; display: string | null } | null => {
    const r = obj(reference);
    const s = str(r.reference);
    const display = str(r.display);
    if (!s) return null;
    const byUrl = fullUrls.get(s);
    if (byUrl) return { ...byUrl, display };
    if (s.startsWith('urn:')) return { type: str(r.type), id: s.replace(/^urn:(uuid|oid):/, ''), display };
    const q = /^([A-Z][A-Za-z]+)\?(.*)$/.exec(s);
    if (q) {
      const value = decodeURIComponent(q[2]!.split('&').find((p) => p.startsWith('identifier='))?.slice('identifier='.length) ?? q[2]!);
      return { type: q[1]!, id: value.split('|').at(-1)!, display };
    }
    const m = /(?:^|\/)([A-Z][A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})(?:\/_history\/[^/]+)?$/.exec(s);
    return m ? { type: m[1]!, id: m[2]!, display } : null;
  };

  const rows: Record<FlatTable, Array<{ row: Row; origin: Origin }>> = { programs: [], staff: [], clients: [], cases: [], goals: [], services: [], assessments: [], notes: [] };
  const emit = (table: FlatTable, row: Row, origin: Origin) => rows[table].push({ row: { ...row, _deleted: null }, origin });
  const emitDelete = (table: FlatTable, key: string, origin: Origin) => rows[table].push({ row: { key, _deleted: 'true' }, origin });

  const byKind = new Map<string, Resource[]>();
  const versions: Record<string, number> = {};
  for (const r of resources) {
    if (!(FHIR_TYPES_READ as readonly string[]).includes(r.type)) {
      skip(r.type, 'no caselens table for this resource type');
      continue;
    }
    if (!r.id && !r.deleted) {
      problem(r, 'id', null, 'missing_required', 'resource has no id: it cannot be kept apart from others or updated later');
      continue;
    }
    const v = r.deleted ? null : fhirVersionOf(r.type, r.body, r.bundleVersion);
    if (v?.version === 'unsupported') {
      problem(r, v.field, v.hint, 'unsupported_version', `FHIR version ${v.hint} is not read: ${ACCEPTED_VERSIONS} (${FHIR_TYPES_READ.join(', ')})`);
      continue;
    }
    if (v && v.version !== 'R4') versions[v.version] = (versions[v.version] ?? 0) + 1;
    byKind.set(r.type, [...(byKind.get(r.type) ?? []), r]);
  }
  const of = (type: string) => byKind.get(type) ?? [];
  const live = (type: string) => of(type).filter((r) => !r.deleted);

  // Staff and programmes: resources, plus everything referenced (with the reference's display name).
  const staffRefs = staffResolver(of('Practitioner'), ref);
  const staffKey = staffRefs.key;
  const programs = new Map<string, { name: string; type: string | null; origin: Origin; fromResource: boolean }>();
  for (const r of of('Practitioner')) if (r.deleted) emitDelete('staff', `Practitioner/${r.id}`, r.origin);
  for (const r of of('Organization')) {
    if (r.deleted) {
      emitDelete('programs', `Organization/${r.id}`, r.origin);
      continue;
    }
    programs.set(r.id!, { name: str(r.body.name) ?? `Organization ${r.id}`, type: conceptText(arr(r.body.type)[0]), origin: r.origin, fromResource: true });
  }
  const programKey = (reference: unknown, origin: Origin): string | null => {
    const x = ref(reference);
    if (!x || (x.type && x.type !== 'Organization')) return null;
    if (!programs.has(x.id)) programs.set(x.id, { name: x.display ?? `Organization ${x.id}`, type: null, origin, fromResource: false });
    return `Organization/${x.id}`;
  };
  const patientOf = (r: Resource, field = 'subject'): string | null => {
    const x = ref(r.body[field] ?? r.body.patient);
    return x && (!x.type || x.type === 'Patient') ? x.id : null;
  };

  // Patients.
  const patients = new Map<string, Resource>();
  for (const r of of('Patient')) {
    if (r.deleted) {
      emitDelete('clients', r.id!, r.origin);
      continue;
    }
    patients.set(r.id!, r);
    const b = r.body;
    const name = humanName(b.name);
    const telecom = arr(b.telecom).map(obj);
    const address = arr(b.address).map(obj)[0];
    const ext = arr(b.extension).map(obj);
    const extText = (urlPart: string) => {
      const e = ext.find((x) => String(x.url).endsWith(urlPart));
      return e ? (arr(e.extension).map(obj).find((x) => x.url === 'text')?.valueString as string | undefined) ?? null : null;
    };
    const gender = str(b.gender);
    emit('clients', {
      key: r.id!,
      first_name: name.given,
      last_name: name.family,
      dob: fhirDate(b.birthDate),
      gender: gender === 'unknown' ? 'not_recorded' : gender,
      race_ethnicity: [extText('us-core-race'), extText('us-core-ethnicity')].filter(Boolean).join('; ') || null,
      phone: str(telecom.find((t) => t.system === 'phone')?.value),
      email: str(telecom.find((t) => t.system === 'email')?.value),
      address: address ? [...arr(address.line).map(str), str(address.city), str(address.state), str(address.postalCode)].filter(Boolean).join(', ') || null : null,
      national_id: str(arr(b.identifier).map(obj).find((i) => i.system === US_SSN)?.value),
    }, r.origin);
  }

  // Episodes of care.
  interface Episode { key: string; start: string | null; end: string | null }
  const episodes = new Map<string, Episode[]>();
  for (const r of of('EpisodeOfCare')) {
    const key = `EpisodeOfCare/${r.id}`;
    if (r.deleted) {
      emitDelete('cases', key, r.origin);
      continue;
    }
    const b = r.body;
    const patient = patientOf(r, 'patient');
    if (!patient) {
      problem(r, 'patient', null, 'missing_required', 'EpisodeOfCare names no patient');
      continue;
    }
    const period = obj(b.period);
    const status = str(b.status);
    const closed = status === 'finished' || status === 'cancelled';
    const start = fhirDate(period.start) ?? fhirDate(obj(obj(arr(b.statusHistory)[0]).period).start);
    const end = closed ? fhirDate(period.end) : null;
    episodes.set(patient, [...(episodes.get(patient) ?? []), { key, start, end }]);
    emit('cases', {
      key, patient,
      program: programKey(b.managingOrganization, r.origin),
      manager: staffKey(b.careManager, r.origin),
      case_type: conceptText(arr(b.type)[0]) ?? 'EpisodeOfCare',
      opened_at: start, closed_at: end,
      status: closed ? 'closed' : 'open',
      closure_reason: closed ? status : null,
    }, r.origin);
  }

  // Patients without an EpisodeOfCare: one episode derived from their record (first dated resource → open).
  const datesOf = new Map<string, string[]>();
  const noteDate = (p: string | null, d: string | null) => {
    if (p && d && /^\d{4}-\d{2}-\d{2}$/.test(d)) datesOf.set(p, [...(datesOf.get(p) ?? []), d]);
  };
  for (const r of live('Encounter')) noteDate(patientOf(r), fhirDate(obj(r.body.period).start));
  for (const r of live('Observation')) noteDate(patientOf(r), fhirDate(r.body.effectiveDateTime ?? obj(r.body.effectivePeriod).start ?? r.body.issued));
  for (const r of live('QuestionnaireResponse')) noteDate(patientOf(r), fhirDate(r.body.authored));
  for (const r of live('DocumentReference')) noteDate(patientOf(r), fhirDate(r.body.date ?? r.body.indexed ?? obj(obj(r.body.context).period).start));
  for (const r of live('Goal')) noteDate(patientOf(r), fhirDate(r.body.startDate ?? r.body.statusDate));
  const derived = new Map<string, string>();
  for (const [id, p] of patients) {
    if (episodes.has(id)) continue;
    const dates = (datesOf.get(id) ?? []).sort();
    if (dates.length === 0) continue;
    const key = `Patient/${id}/record`;
    derived.set(id, key);
    const deceased = fhirDate(p.body.deceasedDateTime);
    const closed = deceased && deceased >= dates[0]! ? deceased : null;
    emit('cases', {
      key, patient: id, program: null, manager: null, case_type: 'FHIR record (no EpisodeOfCare)',
      opened_at: dates[0]!, closed_at: closed, status: closed ? 'closed' : 'open', closure_reason: closed ? 'deceased' : null,
    }, p.origin);
  }
  const caseByDate = (patient: string | null, date: string | null): string | null => {
    if (!patient) return null;
    const eps = episodes.get(patient);
    if (!eps) return derived.get(patient) ?? null;
    if (!date) return eps.length === 1 ? eps[0]!.key : null;
    const containing = eps.filter((e) => e.start && e.start <= date.slice(0, 10) && (!e.end || date.slice(0, 10) <= e.end)).sort((a, b) => (b.start! < a.start! ? -1 : 1));
    return containing[0]?.key ?? null;
  };
  const noCase = (r: Resource, date: string | null) =>
    problem(r, 'subject', patientOf(r), 'unknown_reference', `falls outside every EpisodeOfCare of its patient (on ${date ?? 'no date'}): it belongs to no case`);

  // Encounters → services (and the case each encounter belongs to).
  const encounterCase = new Map<string, string>();
  for (const r of of('Encounter')) {
    const key = `Encounter/${r.id}`;
    if (r.deleted) {
      emitDelete('services', key, r.origin);
      continue;
    }
    const b = r.body;
    const patient = patientOf(r);
    const start = fhirTimestamp(obj(b.period).start);
    const eoc = ref(arr(b.episodeOfCare)[0]);
    const caseKey = eoc ? `EpisodeOfCare/${eoc.id}` : caseByDate(patient, start);
    if (!patient) {
      problem(r, 'subject', null, 'missing_required', 'Encounter names no patient');
      continue;
    }
    if (!caseKey) {
      noCase(r, start);
      continue;
    }
    encounterCase.set(r.id!, caseKey);
    const participants = arr(b.participant).map(obj);
    const primary = participants.find((p) => arr(p.type).some((t) => codings(t).some((c) => c.code === 'PPRF'))) ?? participants[0];
    const status = str(b.status);
    const planned = status === 'planned';
    const cancelled = status === 'cancelled';
    emit('services', {
      key, case: caseKey,
      service_type: conceptText(arr(b.type)[0]) ?? str(obj(b.class).display) ?? str(obj(b.class).code) ?? str(b.class), // DSTU2: class is a code
      staff: primary ? staffKey(primary.individual, r.origin) : null,
      scheduled_at: planned || cancelled ? start : null,
      delivered_at: planned || cancelled ? null : start,
      status: planned ? 'scheduled' : cancelled ? 'cancelled' : 'delivered',
    }, r.origin);
  }
  const caseOf = (r: Resource, encounter: unknown, date: string | null): string | null => {
    const e = ref(encounter);
    if (e && encounterCase.has(e.id)) return encounterCase.get(e.id)!;
    return caseByDate(patientOf(r), date);
  };

  // Observations and QuestionnaireResponses → assessments.
  interface Scored { r: Resource; inst: FhirInstrument; patient: string | null; caseKey: string | null; date: string | null; total: number | null; items: J | null }
  const scored: Scored[] = [];
  const members = new Set<string>();
  const obsById = new Map<string, Resource>();
  for (const r of live('Observation')) {
    obsById.set(r.id!, r);
    for (const m of panelMembers(r.body)) {
      const x = ref(m);
      if (x) members.add(x.id);
    }
  }
  for (const r of of('Observation')) {
    const codes = codings(r.body.code).map((c) => str(c.code)).filter((c): c is string => !!c);
    const found = instrumentByCode(codes);
    if (r.deleted) {
      if (found || codes.length === 0) emitDelete('assessments', `Observation/${r.id}`, r.origin);
      else skip('Observation', 'entered in error, not a measure caselens reads');
      continue;
    }
    if (!found) {
      skip('Observation', 'not a PHQ-9, GAD-7, PHQ-2 or PHQ-A score (vital signs, labs, other surveys)');
      continue;
    }
    if (str(r.body.status) === 'cancelled') {
      skip('Observation', 'status cancelled: no score was taken');
      continue;
    }
    if (members.has(r.id!)) {
      skip('Observation', `${found.kind === 'total' ? 'total' : 'item'} inside a ${found.inst.name} panel (loaded with the panel)`);
      continue;
    }
    if (found.kind === 'item') {
      skip('Observation', `single ${found.inst.name} item without its panel`);
      continue;
    }
    const b = r.body;
    const date = fhirDate(b.effectiveDateTime ?? obj(b.effectivePeriod).start ?? b.effectiveInstant ?? b.issued);
    const { parts, stated } = observationScores(found.inst, found.kind, b, (m) => {
      const x = ref(m);
      return x ? obsById.get(x.id)?.body : undefined;
    });
    const checked = checkScores(found.inst, parts, stated);
    if (!checked.ok) {
      problem(r, checked.field, checked.value, checked.code, checked.reason);
      continue;
    }
    const items = found.kind === 'panel' ? { items: parts.map((p) => ({ code: p.id, display: p.label, score: p.score })), items_sum: checked.sum } : null;
    // STU3 names the encounter `context`
    scored.push({ r, inst: found.inst, patient: patientOf(r), caseKey: caseOf(r, b.encounter ?? b.context, date), date, total: checked.total, items });
  }
  for (const r of of('QuestionnaireResponse')) {
    if (r.deleted) {
      emitDelete('assessments', `QuestionnaireResponse/${r.id}`, r.origin);
      continue;
    }
    const got = readQuestionnaireResponse(r.body);
    if (got.kind === 'skip') skip('QuestionnaireResponse', got.reason);
    else if (got.kind === 'reject') problem(r, got.field, got.value, got.code, got.reason);
    else {
      const date = fhirDate(r.body.authored);
      // STU3 names the encounter `context`
      scored.push({ r, inst: got.inst, patient: patientOf(r), caseKey: caseOf(r, r.body.encounter ?? r.body.context, date), date, total: got.total, items: got.items });
    }
  }
  // Timepoints: the first score of an instrument in a case is the baseline; later ones interim.
  scored.sort((a, b) => `${a.date}`.localeCompare(`${b.date}`));
  const seen = new Set<string>();
  for (const s of scored) {
    const unit = `${s.caseKey ?? `patient:${s.patient}`}|${s.inst.id}`;
    const timepoint = seen.has(unit) ? 'interim' : 'baseline';
    seen.add(unit);
    emit('assessments', {
      key: `${s.r.type}/${s.r.id}`, patient: s.patient, case: s.caseKey, instrument: s.inst.id, administered_at: s.date, timepoint,
      total_score: s.total === null ? null : String(s.total), items: s.items ? JSON.stringify(s.items) : null,
    }, s.r.origin);
  }

  // DocumentReference with inline text → notes.
  for (const r of of('DocumentReference')) {
    const key = `DocumentReference/${r.id}`;
    if (r.deleted) {
      emitDelete('notes', key, r.origin);
      continue;
    }
    const b = r.body;
    const attachments = arr(b.content).map((c) => obj(obj(c).attachment));
    const inline = attachments.find((a) => str(a.data) && (!str(a.contentType) || /^text\//i.test(String(a.contentType))));
    if (!inline) {
      skip('DocumentReference', attachments.some((a) => str(a.data)) ? 'attachment is not text (e.g. PDF): notes must be text' : 'no inline text (only a URL to the document)');
      continue;
    }
    const charset = /charset=([\w-]+)/i.exec(String(inline.contentType ?? ''))?.[1]?.toLowerCase() ?? 'utf-8';
    let text: string;
    try {
      text = new TextDecoder(charset === 'utf8' ? 'utf-8' : charset).decode(Buffer.from(String(inline.data), 'base64'));
    } catch {
      problem(r, 'content.attachment.data', null, 'encoding', `text cannot be decoded as ${charset}`);
      continue;
    }
    const context = obj(b.context);
    const written = fhirTimestamp(b.date ?? b.indexed ?? obj(context.period).start); // STU3/DSTU2: indexed
    const caseKey = caseOf(r, Array.isArray(context.encounter) ? context.encounter[0] : context.encounter, written); // STU3: one Reference
    if (!caseKey) {
      noCase(r, written);
      continue;
    }
    emit('notes', {
      key, case: caseKey, author: staffKey(arr(b.author)[0], r.origin), written_at: written,
      note_type: conceptText(b.type) ?? conceptText(arr(b.category)[0]), text,
    }, r.origin);
  }

  // Goals.
  for (const r of of('Goal')) {
    const key = `Goal/${r.id}`;
    if (r.deleted) {
      emitDelete('goals', key, r.origin);
      continue;
    }
    const b = r.body;
    const setAt = fhirDate(b.startDate);
    const caseKey = caseByDate(patientOf(r), setAt ?? fhirDate(b.statusDate));
    if (!caseKey) {
      noCase(r, setAt);
      continue;
    }
    const { lifecycle, achievement } = goalStatus(b);
    const status = achievement === 'achieved' || achievement === 'sustaining' ? 'achieved'
      : ['cancelled', 'rejected'].includes(lifecycle ?? '') ? 'withdrawn'
        : ['not-achieved', 'not-attainable', 'no-progress'].includes(achievement ?? '') && lifecycle === 'completed' ? 'not_achieved'
          : lifecycle === 'completed' ? 'achieved' : 'active';
    emit('goals', {
      key, case: caseKey, description: typeof b.description === 'string' ? b.description : conceptText(b.description), set_at: setAt, // DSTU2: a string
      target_at: fhirDate(arr(b.target).map(obj).map((t) => t.dueDate).find(Boolean)),
      status, achieved_at: status === 'achieved' ? fhirDate(b.statusDate) : null,
    }, r.origin);
  }

  for (const s of staffRefs.rows()) emit('staff', { key: s.key, name: s.name, role: 'practitioner' }, s.origin);
  for (const [key, p] of programs) emit('programs', { key: `Organization/${key}`, name: p.name, type: p.type }, p.origin);

  // Write the files.
  fs.mkdirSync(outDir, { recursive: true });
  const counts: Record<string, number> = {};
  const origins: string[] = ['gen_file,gen_line,file,line'];
  const csvCell = (s: string) => (/[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  for (const table of Object.keys(FHIR_TABLE_FILES) as FlatTable[]) {
    const list = rows[table];
    if (list.length === 0) continue;
    const file = FHIR_TABLE_FILES[table];
    const fd = fs.openSync(path.join(outDir, file), 'w');
    try {
      list.forEach(({ row, origin }, i) => {
        const full: Row = {};
        for (const c of [...COLUMNS[table], '_deleted']) full[c] = row[c] ?? null;
        fs.writeSync(fd, JSON.stringify(full) + '\n');
        origins.push([file, String(i + 1), csvCell(origin.file), origin.line === null ? '' : String(origin.line)].join(','));
      });
    } finally {
      fs.closeSync(fd);
    }
    counts[file] = list.length;
  }
  fs.writeFileSync(path.join(outDir, 'origins.csv'), origins.join('\n') + '\n');
  return {
    dir: outDir, rows: counts, byType, problems, versions, files: files.map(show),
    skipped: [...skipped.values()].sort((a, b) => a.type.localeCompare(b.type) || b.count - a.count),
  };
}

// ---------------------------------------------------------------------------------------------
// The generated pipeline

export interface FhirPipelineOptions {
  system?: string;
  /** identity rules for patients (default: name + date of birth) */
  identityRules?: IdentityRule[];
}

export function buildFhirPipeline(flatDir: string, present: Record<string, number>, opts: FhirPipelineOptions & { label?: string } = {}): Pipeline {
  const system = opts.system ?? 'fhir';
  const del = "{{_deleted}} = 'true'";
  const src = (name: string, table: FlatTable, fields: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
    name, table, path: FHIR_TABLE_FILES[table], format: 'jsonl', deleteWhen: del, fields, ...extra,
  });
  const all = [
    src('organizations', 'programs', { program_key: 'key', name: 'name', program_type: 'type' }),
    src('practitioners', 'staff', { staff_key: 'key', name: 'name', role: 'role' }),
    src('patients', 'clients', {
      client_key: 'key', first_name: 'first_name', last_name: 'last_name', dob: 'dob', gender: 'gender', race_ethnicity: 'race_ethnicity',
      phone: 'phone', email: 'email', address: 'address', national_id: 'national_id',
    }, { identity: { rules: opts.identityRules ?? [{ rule: 'name_dob' }] } }),
    src('episodes', 'cases', {
      case_key: 'key', client_key: 'patient', program_key: 'program', manager_key: 'manager', case_type: 'case_type', opened_at: 'opened_at',
      closed_at: 'closed_at', status: 'status', closure_reason: 'closure_reason',
    }),
    src('goals', 'goals', { goal_key: 'key', case_key: 'case', description: 'description', set_at: 'set_at', target_at: 'target_at', status: 'status', achieved_at: 'achieved_at' }),
    src('encounters', 'services', { service_key: 'key', case_key: 'case', service_type: 'service_type', staff_key: 'staff', scheduled_at: 'scheduled_at', delivered_at: 'delivered_at', status: 'status' }),
    src('assessments', 'assessments', {
      assessment_key: 'key', client_key: 'patient', case_key: 'case', instrument_id: 'instrument', administered_at: 'administered_at', timepoint: 'timepoint',
      total_score: 'total_score', items: 'items',
    }),
    src('notes', 'notes', { note_key: 'key', case_key: 'case', author_key: 'author', written_at: 'written_at', note_type: 'note_type', text: 'text' }),
  ].filter((s) => present[s.path]);
  const doc = pipelineSchema.parse({
    id: 'fhir', system,
    description: 'FHIR R4 resources flattened by caselens (src/sources/fhir.ts)',
    sources: all,
  }) as PipelineDoc;
  // `file` is what ingest_runs records as the pipeline: the inputs, since the generated files are temporary
  return { ...doc, id: 'fhir', file: opts.label ?? 'fhir (generated)', baseDir: flatDir };
}

// ---------------------------------------------------------------------------------------------
// Loading

export interface FhirIngestOptions extends FhirPipelineOptions {
  db: Db;
  /** Bundle .json files, bulk-export .ndjson files, or folders of them */
  inputs: string[];
  identityKey: string;
  rejectLimit: number;
  memoryLimit?: string;
  progress?: IngestProgress;
  /** where input file names in messages are shown relative to (default: the working folder) */
  displayRoot?: string;
}

export interface FhirIngestResult {
  report: IngestReport;
  files: string[];
  resources: { read: number; byType: Record<string, number>; skipped: FlattenResult['skipped'] };
  notes: string[];
}

/**
 * Loads FHIR R4 files as one job: flattened in a temporary folder, then run through the engine.
 * Throws FhirInputError for unreadable files, IngestFailedError when the job fails.
 */
export async function ingestFhir(opts: FhirIngestOptions): Promise<FhirIngestResult> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'caselens-fhir-'));
  try {
    const flat = await flattenFhir(opts.inputs, tmp, opts.displayRoot ? { displayRoot: opts.displayRoot } : {});
    if (Object.keys(flat.rows).length === 0) {
      throw new FhirInputError(`${flat.files.join(', ')}: no resources caselens can load (${Object.entries(flat.byType).map(([t, n]) => `${n} ${t}`).join(', ') || 'none'}); nothing was loaded`);
    }
    const label = `fhir: ${flat.files.join(', ')}`;
    const pipeline = buildFhirPipeline(tmp, flat.rows, { ...opts, label: label.length > 500 ? `${label.slice(0, 497)}...` : label });
    const report = await runPipeline({
      db: opts.db, pipeline, identityKey: opts.identityKey, rejectLimit: opts.rejectLimit,
      ...(opts.memoryLimit ? { memoryLimit: opts.memoryLimit } : {}),
      ...(opts.progress ? { progress: opts.progress } : {}),
      afterSources: (db, runId) => pointRejectsAtOrigins(db, runId, tmp, flat),
    });
    const read = Object.values(flat.byType).reduce((a, b) => a + b, 0);
    const notes = [
      ...Object.entries(flat.versions).map(([v, n]) => `${n} resource${n === 1 ? '' : 's'} in FHIR ${v} form: ${v === 'STU3' || v === 'DSTU2' ? `read with the ${v} field names` : 'read as R4 (the fields caselens reads are the same)'}`),
      ...flat.skipped.map((s) => `${s.count} ${s.type}: ${s.reason}; not loaded`),
    ];
    return { report, files: flat.files, resources: { read, byType: flat.byType, skipped: flat.skipped }, notes };
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

/** Rejects name the original file and Bundle entry (or NDJSON line); flattening problems become rejects too. */
async function pointRejectsAtOrigins(db: Db, runId: number, dir: string, flat: FlattenResult): Promise<SourceReport[]> {
  await db.run(`CREATE OR REPLACE TEMP TABLE _fhir_origins AS SELECT * FROM read_csv(${lit(path.join(dir, 'origins.csv'))}, header=true, auto_detect=false,
    columns={'gen_file': 'VARCHAR', 'gen_line': 'BIGINT', 'file': 'VARCHAR', 'line': 'BIGINT'})`);
  await db.run(`UPDATE ingest_rejects SET file = o.file, line = o.line FROM _fhir_origins o
    WHERE ingest_rejects.run_id = ${runId} AND ingest_rejects.file = o.gen_file AND ingest_rejects.line = o.gen_line`);
  await db.run('DROP TABLE _fhir_origins');
  if (flat.problems.length === 0) return [];
  await appendRejects(db, runId, flat.problems.map((p) => ({ source: 'fhir', file: p.origin.file, line: p.origin.line, field: p.field, value: p.value, code: p.code, reason: p.reason })));
  const byCode: Record<string, number> = {};
  for (const p of flat.problems) byCode[p.code] = (byCode[p.code] ?? 0) + 1;
  return [{
    source: 'fhir', table: 'resources', files: flat.files, read: flat.problems.length, loaded: 0, deleted: 0,
    inserted: 0, updated: 0, unchanged: 0, rejected: flat.problems.length, rejectsByCode: byCode,
  }];
}
