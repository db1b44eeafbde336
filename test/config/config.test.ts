import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.ts';
import { ConfigError, formatProblem } from '../../src/errors.ts';
import { parsePipelineFile } from '../../src/ingest/index.ts';
import { tempDir, writeFiles } from '../helpers.ts';

describe('project config', () => {
  it('uses defaults without a file, resolved against the working folder', () => {
    const dir = tempDir();
    const c = loadConfig({ cwd: dir, env: {} });
    expect(c.database).toBe(path.join(dir, 'data', 'caselens.duckdb'));
    expect(c.ingest.rejectLimit).toBe(0.05);
  });

  it('interpolates ${ENV} and ${ENV:-default}, and reports unset variables and bad fields one line each', () => {
    const dir = tempDir();
    writeFiles(dir, { 'caselens.config.yaml': 'database: ${DB_DIR}/x.duckdb\ningest:\n  rejectLimit: ${LIMIT:-0.1}\n' });
    const c = loadConfig({ cwd: dir, env: { DB_DIR: '/srv/caselens' } });
    expect(c.database).toBe('/srv/caselens/x.duckdb');
    // strings from the environment stay strings; zod then rejects them where a number is needed
    writeFiles(dir, { 'caselens.config.yaml': 'database: ${NOPE}/x.duckdb\ningest:\n  rejectLimit: 2\n  colour: blue\n' });
    let err: unknown;
    try {
      loadConfig({ cwd: dir, env: {} });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    const lines = (err as ConfigError).problems.map(formatProblem);
    expect(lines).toContain('caselens.config.yaml: database: environment variable NOPE is not set (set it, or write ${NOPE:-default})');
    expect(lines.some((l) => l.startsWith('caselens.config.yaml: ingest.rejectLimit: '))).toBe(true);
    expect(lines.some((l) => l.startsWith('caselens.config.yaml: ingest: ') && l.includes('colour'))).toBe(true);
  });

  it('reports YAML syntax errors with their line', () => {
    const dir = tempDir();
    writeFiles(dir, { 'caselens.config.yaml': 'database: x\ningest: [unclosed\n' });
    expect(() => loadConfig({ cwd: dir, env: {} })).toThrow(/caselens.config.yaml: invalid YAML at line \d/);
  });
});

describe('pipeline files', () => {
  it('report each problem as file: path.to.field: message', () => {
    const dir = tempDir();
    writeFiles(dir, {
      'p.yaml': [
        'system: crm',
        'sources:',
        '  - name: cases',
        '    table: cases',
        '    path: missing.csv',
        '    fields:',
        '      case_key: id',
        '      client_key: client',
        '      colour: c',
        '  - name: notes',
        '    table: notez',
        '    path: n.csv',
        '    fields: {}',
      ].join('\n'),
    });
    const { problems } = parsePipelineFile(path.join(dir, 'p.yaml'), { baseDir: dir, display: 'pipelines/p.yaml' });
    const lines = problems.map(formatProblem);
    expect(lines.some((l) => /^pipelines\/p\.yaml: sources\.1\.table: /.test(l))).toBe(true);
    // zod problems come first; semantic checks run once the shape is right
    writeFiles(dir, { 'p.yaml': fs.readFileSync(path.join(dir, 'p.yaml'), 'utf8').replace('notez', 'notes') });
    const second = parsePipelineFile(path.join(dir, 'p.yaml'), { baseDir: dir, display: 'pipelines/p.yaml' }).problems.map(formatProblem);
    expect(second).toContain(`pipelines/p.yaml: sources.0.path: file not found: ${path.join(dir, 'missing.csv')}`);
    expect(second.some((l) => l.startsWith('pipelines/p.yaml: sources.0.fields.colour: unknown field for table cases'))).toBe(true);
    expect(second).toContain('pipelines/p.yaml: sources.0.fields: required field "opened_at" is not mapped (date the case opened)');
    expect(second).toContain('pipelines/p.yaml: sources.1.fields: required field "text" is not mapped (the note)');
  });

  it('validates the bundled sample pipeline', () => {
    const root = path.resolve(import.meta.dirname, '..', '..');
    const { problems } = parsePipelineFile(path.join(root, 'pipelines', 'sample.yaml'), { baseDir: root });
    expect(problems).toEqual([]);
  });
});
