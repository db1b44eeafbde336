/**
 * Problems found in a data file, and turning zod issues into them: one problem per issue, each
 * with a dotted path (`domains.3.indicators.0.cues`) and a message a person can act on.
 */
import type { z } from 'zod';

export interface Problem {
  /** The file as it was named to the loader (for example `frameworks/x.yaml`). */
  file: string;
  /** Dotted path inside the file (`domains.3.id`), `(file)` for problems with the file itself, `(root)` for the top level. */
  path: string;
  message: string;
  /** 1-based line in the file, when known. */
  line?: number;
}

export const FILE_PATH = '(file)';
export const ROOT_PATH = '(root)';

export type PathSegment = string | number;

/** `frameworks/x.yaml: domains.3.id: duplicate domain id "housing"` (with `withLine`: `frameworks/x.yaml:120: domains.3.id: …`). */
export function formatProblem(p: Problem, options: { withLine?: boolean } = {}): string {
  const where = options.withLine && p.line !== undefined ? `${p.file}:${p.line}` : p.file;
  return `${where}: ${p.path}: ${p.message}`;
}

export function formatPath(path: readonly PropertyKey[]): string {
  return path.length === 0 ? ROOT_PATH : path.map(String).join('.');
}

/** A problem before it is tied to a file: path as segments, so a caller can look up its line. */
export interface PathProblem {
  path: PathSegment[];
  message: string;
}

type Issue = z.core.$ZodIssue;
type AnySchema = z.core.$ZodType;

function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'an empty value';
  if (Array.isArray(value)) return 'a list';
  switch (typeof value) {
    case 'string': {
      const shown = value.length > 40 ? `${value.slice(0, 37)}...` : value;
      return `a string (${JSON.stringify(shown)})`;
    }
    case 'number':
      return `a number (${value})`;
    case 'boolean':
      return `${value}`;
    case 'object':
      return 'an object';
    default:
      return typeof value;
  }
}

const EXPECTED: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  array: 'a list',
  object: 'an object',
  record: 'an object',
};

function inner(schema: AnySchema): AnySchema {
  let s = schema;
  for (let guard = 0; guard < 20; guard++) {
    const def = s._zod.def as unknown as { type: string; innerType?: AnySchema; in?: AnySchema };
    if (def.innerType !== undefined) s = def.innerType;
    else if (def.type === 'pipe' && def.in !== undefined) s = def.in;
    else break;
  }
  return s;
}

/** The object keys the schema allows at `path`, if it is an object there. */
function keysAt(schema: AnySchema, path: readonly PropertyKey[]): string[] {
  let s = inner(schema);
  for (const seg of path) {
    const def = s._zod.def as unknown as {
      type: string;
      shape?: Record<string, AnySchema>;
      element?: AnySchema;
      valueType?: AnySchema;
    };
    if (def.type === 'object' && def.shape) {
      const next = def.shape[String(seg)];
      if (next === undefined) return [];
      s = inner(next);
    } else if (def.type === 'array' && def.element) s = inner(def.element);
    else if (def.type === 'record' && def.valueType) s = inner(def.valueType);
    else return [];
  }
  const def = s._zod.def as unknown as { type: string; shape?: Record<string, AnySchema> };
  return def.type === 'object' && def.shape ? Object.keys(def.shape) : [];
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diag = row[0] ?? 0;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const up = row[j] ?? 0;
      row[j] = Math.min(up + 1, (row[j - 1] ?? 0) + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = up;
    }
  }
  return row[b.length] ?? 0;
}

function suggest(key: string, known: readonly string[]): string | undefined {
  const norm = (s: string) => s.toLowerCase().replace(/[-_\s]/g, '');
  const exact = known.find((k) => norm(k) === norm(key));
  if (exact !== undefined) return exact;
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const k of known) {
    const d = editDistance(norm(key), norm(k));
    if (d < bestDistance) {
      best = k;
      bestDistance = d;
    }
  }
  return best !== undefined && bestDistance <= Math.max(1, Math.floor(best.length / 4)) ? best : undefined;
}

function numberBound(inclusive: boolean | undefined, bound: unknown, low: boolean): string {
  if (low) return inclusive === false ? `greater than ${String(bound)}` : `at least ${String(bound)}`;
  return inclusive === false ? `less than ${String(bound)}` : `at most ${String(bound)}`;
}

/** One message per zod issue (and one per unknown key). Parse with `{ reportInput: true }` for the best messages. */
export function issuesToPathProblems(issues: readonly Issue[], schema?: AnySchema): PathProblem[] {
  const out: PathProblem[] = [];
  for (const iss of issues) {
    const path = iss.path.map((seg) => (typeof seg === 'symbol' ? String(seg) : seg));
    const input = (iss as { input?: unknown }).input;
    switch (iss.code) {
      case 'unrecognized_keys': {
        const known = schema ? keysAt(schema, iss.path) : [];
        for (const key of iss.keys) {
          const hint = suggest(key, known);
          out.push({
            path: [...path, key],
            message: hint !== undefined ? `unknown field "${key}" (did you mean "${hint}"?)` : `unknown field "${key}"`,
          });
        }
        break;
      }
      case 'invalid_type': {
        if (input === undefined) {
          out.push({ path, message: 'required field is missing' });
        } else {
          const expected = EXPECTED[iss.expected] ?? iss.expected;
          const quote = iss.expected === 'string' && (typeof input === 'number' || typeof input === 'boolean');
          out.push({
            path,
            message: `expected ${expected}, got ${describeValue(input)}${quote ? '; put it in quotes if it is meant as text' : ''}`,
          });
        }
        break;
      }
      case 'invalid_value': {
        const options = iss.values.map((v) => JSON.stringify(v)).join(', ');
        out.push({
          path,
          message: iss.values.length === 1 ? `expected ${options}, got ${describeValue(input)}` : `expected one of ${options}, got ${describeValue(input)}`,
        });
        break;
      }
      case 'too_small': {
        const min = Number(iss.minimum);
        if (iss.origin === 'array' || iss.origin === 'set') {
          out.push({ path, message: min === 1 ? 'must list at least one item' : `must list at least ${min} items, got ${Array.isArray(input) ? input.length : 0}` });
        } else if (iss.origin === 'string') {
          out.push({ path, message: min === 1 ? 'must not be empty' : `must be at least ${min} characters long` });
        } else {
          out.push({ path, message: `must be ${numberBound(iss.inclusive, iss.minimum, true)}, got ${String(input)}` });
        }
        break;
      }
      case 'too_big': {
        if (iss.origin === 'array' || iss.origin === 'set') {
          out.push({ path, message: `must list at most ${String(iss.maximum)} items` });
        } else if (iss.origin === 'string') {
          out.push({ path, message: `must be at most ${String(iss.maximum)} characters long` });
        } else {
          out.push({ path, message: `must be ${numberBound(iss.inclusive, iss.maximum, false)}, got ${String(input)}` });
        }
        break;
      }
      case 'invalid_format':
        out.push({ path, message: typeof input === 'string' && input.trim() !== '' ? `${iss.message}, got ${JSON.stringify(input)}` : iss.message });
        break;
      default:
        out.push({ path, message: iss.message });
    }
  }
  return out;
}

/** zod issues as problems in `file` (without line numbers; the loader adds them). */
export function issuesToProblems(issues: readonly Issue[], file: string, schema?: AnySchema): Problem[] {
  return issuesToPathProblems(issues, schema).map((p) => ({ file, path: formatPath(p.path), message: p.message }));
}
