import fs from 'node:fs';
import YAML from 'yaml';
import type { z } from 'zod';
import type { Problem } from '../errors.ts';

/** Reads a YAML or JSON file; syntax errors become problems with a line number. */
export function readStructuredFile(file: string, displayName = file): { value?: unknown; problems: Problem[] } {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return { problems: [{ file: displayName, path: '', message: code === 'ENOENT' ? 'file not found' : `cannot read file (${code ?? String(e)})` }] };
  }
  if (file.endsWith('.json')) {
    try {
      return { value: JSON.parse(text), problems: [] };
    } catch (e) {
      return { problems: [{ file: displayName, path: '', message: `invalid JSON: ${(e as Error).message}` }] };
    }
  }
  const doc = YAML.parseDocument(text, { prettyErrors: true });
  if (doc.errors.length > 0) {
    return {
      problems: doc.errors.map((err) => ({
        file: displayName,
        path: '',
        message: `invalid YAML at line ${err.linePos?.[0]?.line ?? '?'}: ${err.message.split('\n')[0]}`,
      })),
    };
  }
  return { value: doc.toJS(), problems: [] };
}

/** Turns zod issues into one problem per issue with a dotted path (`sources.0.path`). */
export function zodProblems(file: string, error: z.ZodError): Problem[] {
  return error.issues.map((issue) => ({
    file,
    path: issue.path.map(String).join('.'),
    message: issue.message,
  }));
}

/**
 * Replaces `${NAME}` and `${NAME:-default}` in every string of a parsed document.
 * A variable that is unset and has no default is reported, not silently emptied.
 */
export function interpolateEnv(value: unknown, env: NodeJS.ProcessEnv, file: string, problems: Problem[], path: string[] = []): unknown {
  if (typeof value === 'string') {
    const whole = /^\$\{[A-Za-z_][A-Za-z0-9_]*(?::-[^}]*)?\}$/.test(value);
    const replaced = value.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g, (_m, name: string, fallback: string | undefined) => {
      const v = env[name];
      if (v !== undefined && v !== '') return v;
      if (fallback !== undefined) return fallback;
      problems.push({ file, path: path.join('.'), message: `environment variable ${name} is not set (set it, or write \${${name}:-default})` });
      return '';
    });
    // `rejectLimit: ${LIMIT}` should give a number, as if the value had been written there
    if (whole && /^(-?\d+(\.\d+)?|true|false)$/.test(replaced)) return YAML.parse(replaced) as unknown;
    return replaced;
  }
  if (Array.isArray(value)) return value.map((v, i) => interpolateEnv(v, env, file, problems, [...path, String(i)]));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, interpolateEnv(v, env, file, problems, [...path, k])]));
  }
  return value;
}
