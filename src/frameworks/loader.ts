/**
 * Reading framework files (YAML or JSON) and validating them against the schema.
 * Bad content never throws: every issue comes back as a Problem with a dotted path and,
 * where it can be found, the line in the file.
 */
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { LineCounter, isMap, isPair, isScalar, isSeq, parseDocument, type Document, type Node } from 'yaml';
import { frameworkSchema, type Framework } from './schema.ts';
import { FILE_PATH, formatPath, issuesToPathProblems, type PathSegment, type Problem } from './problems.ts';

export const FRAMEWORK_FILE_EXTENSIONS = ['.yaml', '.yml', '.json'] as const;

export interface LoadedFramework {
  framework: Framework;
  file: string;
}

export type LoadResult = ({ ok: true } & LoadedFramework) | { ok: false; file: string; problems: Problem[] };

export type FileFormat = 'yaml' | 'json';

function formatOf(file: string): FileFormat {
  return path.extname(file).toLowerCase() === '.json' ? 'json' : 'yaml';
}

function readProblem(file: string, err: unknown, what: 'file' | 'folder'): Problem {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  const reason =
    code === 'ENOENT'
      ? `${what} not found`
      : code === 'EACCES' || code === 'EPERM'
        ? 'permission denied'
        : code === 'EISDIR'
          ? 'is a folder, not a file'
          : code === 'ENOTDIR'
            ? 'is a file, not a folder'
            : err instanceof Error
              ? err.message
              : String(err);
  return { file, path: FILE_PATH, message: `cannot read ${what}: ${reason}${code && !reason.includes(code) ? ` (${code})` : ''}` };
}

function lineCol(text: string, offset: number): { line: number; col: number } {
  const before = text.slice(0, Math.max(0, Math.min(offset, text.length)));
  const line = before.split('\n').length;
  const col = offset - (before.lastIndexOf('\n') + 1) + 1;
  return { line, col };
}

/** Find the YAML node at a data path, or the nearest ancestor that exists; returns its start offset. */
function offsetOf(doc: Document, segments: readonly PathSegment[]): number | undefined {
  let node: unknown = doc.contents;
  let offset = (doc.contents as Node | null)?.range?.[0];
  for (const seg of segments) {
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && String(isScalar(p.key) ? p.key.value : p.key) === String(seg));
      if (!pair) break;
      // Point at the key: that is the line people look for, for scalars and collections alike.
      offset = (pair.key as Node | null)?.range?.[0] ?? (pair.value as Node | null)?.range?.[0] ?? offset;
      node = pair.value;
    } else if (isSeq(node) && typeof seg === 'number') {
      const item = node.items[seg] as Node | undefined;
      if (item === undefined) break;
      if (item.range) offset = item.range[0];
      node = item;
    } else {
      break;
    }
  }
  return offset;
}

interface Parsed {
  data?: unknown;
  doc?: Document;
  problems: Problem[];
}

function parseText(text: string, file: string, format: FileFormat): Parsed {
  if (text.trim() === '') return { problems: [{ file, path: FILE_PATH, message: 'file is empty' }] };
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (format === 'json') {
    try {
      const data: unknown = JSON.parse(text);
      const dup = doc.errors.find((e) => e.code === 'DUPLICATE_KEY');
      if (dup) {
        const { line, col } = lineCol(text, dup.pos[0]);
        return { problems: [{ file, path: FILE_PATH, message: `JSON error at line ${line}, column ${col}: the same key appears twice in one object`, line }] };
      }
      return { data, doc: doc.errors.length === 0 ? doc : undefined, problems: [] };
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      const pos = /position (\d+)/.exec(message);
      const at = pos ? lineCol(text, Number(pos[1])) : undefined;
      const reason = message.replace(/\s*(in JSON )?at position \d+.*$/s, '').replace(/\s*\(line \d+ column \d+\)/, '');
      return {
        problems: [
          {
            file,
            path: FILE_PATH,
            message: at ? `JSON syntax error at line ${at.line}, column ${at.col}: ${reason}` : `JSON syntax error: ${reason}`,
            ...(at ? { line: at.line } : {}),
          },
        ],
      };
    }
  }
  const first = doc.errors[0];
  if (first) {
    const { line, col } = lineCounter.linePos(first.pos[0]);
    const more = doc.errors.length > 1 ? ` (and ${doc.errors.length - 1} more)` : '';
    const reason = first.message.split('\n')[0] ?? first.message;
    return { problems: [{ file, path: FILE_PATH, message: `YAML syntax error at line ${line}, column ${col}: ${reason}${more}`, line }] };
  }
  try {
    const data: unknown = doc.toJS({ maxAliasCount: 1000 });
    if (data === null || data === undefined) return { problems: [{ file, path: FILE_PATH, message: 'file has no content (only comments?)' }] };
    return { data, doc, problems: [] };
  } catch (err) {
    return { problems: [{ file, path: FILE_PATH, message: `YAML error: ${err instanceof Error ? err.message : String(err)}` }] };
  }
}

/**
 * Validate framework text. `file` names the source in problems; the format comes from its
 * extension (.json is JSON, anything else YAML) unless given.
 */
export function parseFramework(text: string, file: string, format: FileFormat = formatOf(file)): LoadResult {
  const parsed = parseText(text, file, format);
  if (parsed.problems.length > 0) return { ok: false, file, problems: parsed.problems };
  const result = frameworkSchema.safeParse(parsed.data, { reportInput: true });
  if (result.success) return { ok: true, framework: result.data, file };
  const problems = issuesToPathProblems(result.error.issues, frameworkSchema).map((p): Problem => {
    const offset = parsed.doc ? offsetOf(parsed.doc, p.path) : undefined;
    const line = offset !== undefined ? lineCol(text, offset).line : undefined;
    return { file, path: formatPath(p.path), message: p.message, ...(line !== undefined ? { line } : {}) };
  });
  return { ok: false, file, problems };
}

/** Read and validate one framework file. Never throws for bad content or an unreadable file. */
export function loadFramework(file: string): LoadResult {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    return { ok: false, file, problems: [readProblem(file, err, 'file')] };
  }
  return parseFramework(text.replace(/^\uFEFF/, ''), file);
}

/** Problems in one framework file; empty when it is valid. */
export function validateFrameworkFile(file: string): Problem[] {
  const result = loadFramework(file);
  return result.ok ? [] : result.problems;
}

/**
 * Load every framework file (.yaml, .yml, .json; not hidden files, not sub-folders) in `dir`,
 * in name order. Returns the valid frameworks and the problems of the others; a framework id
 * and version defined twice is a problem in the second file.
 */
export function loadFrameworks(dir: string): { frameworks: LoadedFramework[]; problems: Problem[] } {
  let names: string[];
  try {
    names = readdirSync(dir, { withFileTypes: true })
      .filter((e) => (e.isFile() || e.isSymbolicLink()) && !e.name.startsWith('.'))
      .map((e) => e.name)
      .filter((name) => (FRAMEWORK_FILE_EXTENSIONS as readonly string[]).includes(path.extname(name).toLowerCase()))
      .sort();
  } catch (err) {
    return { frameworks: [], problems: [readProblem(dir, err, 'folder')] };
  }
  const frameworks: LoadedFramework[] = [];
  const problems: Problem[] = [];
  const seen = new Map<string, string>();
  for (const name of names) {
    const file = path.join(dir, name);
    const result = loadFramework(file);
    if (!result.ok) {
      problems.push(...result.problems);
      continue;
    }
    const key = `${result.framework.id}@${result.framework.version}`;
    const other = seen.get(key);
    if (other !== undefined) {
      problems.push({
        file,
        path: 'version',
        message: `framework "${result.framework.id}" version ${result.framework.version} is already defined in ${other}`,
      });
      continue;
    }
    seen.set(key, file);
    frameworks.push({ framework: result.framework, file });
  }
  return { frameworks, problems };
}

function compareSemver(a: string, b: string): number {
  const parse = (v: string) => {
    const [core = '', pre] = v.split('+')[0]?.split(/-(.*)/s) ?? [];
    return { nums: core.split('.').map(Number), pre };
  };
  const x = parse(a);
  const y = parse(b);
  for (let i = 0; i < 3; i++) {
    const d = (x.nums[i] ?? 0) - (y.nums[i] ?? 0);
    if (d !== 0) return d;
  }
  if (x.pre === y.pre) return 0;
  if (x.pre === undefined) return 1;
  if (y.pre === undefined) return -1;
  return x.pre.localeCompare(y.pre, 'en', { numeric: true });
}

/** The framework with this id: the given version, or the highest version when none is given. */
export function findFramework<T extends { framework: Framework } | Framework>(
  frameworks: readonly T[],
  id: string,
  version?: string,
): T | undefined {
  const fw = (x: T): Framework => ('framework' in x ? x.framework : x);
  const matching = frameworks.filter((x) => fw(x).id === id && (version === undefined || fw(x).version === version));
  return matching.sort((a, b) => compareSemver(fw(b).version, fw(a).version))[0];
}
