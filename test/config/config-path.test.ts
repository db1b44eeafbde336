/**
 * `--config` finds its file wherever it lives, and the relative paths in it (database, identity
 * key, pipelines…) resolve against the config file's folder, whatever the working folder is.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { loadConfig } from '../../src/config/index.ts';
import { CLEAN, cleanPipeline, tempDir, writeFiles, writePipeline } from '../helpers.ts';
import { runMain } from '../support/main.ts';

const ROOT = path.resolve(import.meta.dirname, '..', '..');

let project: string;
let elsewhere: string;
let configFile: string;

beforeAll(() => {
  // the project: a config file not called caselens.config.yaml, exports, pipelines, all by relative paths
  project = tempDir('caselens-config-project-');
  elsewhere = tempDir('caselens-config-cwd-');
  writeFiles(path.join(project, 'exports'), CLEAN);
  fs.mkdirSync(path.join(project, 'pipes'));
  const pipeline = cleanPipeline();
  // pipelines' paths are relative to the project root, which is the config file's folder: here, settings/
  pipeline.sources = (pipeline.sources as Array<Record<string, unknown>>).map((s) => ({ ...s, path: `../exports/${String(s.path)}` }));
  writePipeline(path.join(project, 'pipes'), 'crm', pipeline);
  configFile = path.join(project, 'settings', 'prod.yaml');
  writeFiles(project, {
    'settings/prod.yaml': YAML.stringify({
      database: '../db/project.duckdb',
      identity: { keyFile: '../keys/identity.key' },
      paths: { pipelines: '../pipes', frameworks: path.join(ROOT, 'frameworks'), dashboards: path.join(ROOT, 'dashboards') },
    }),
  });
});

afterAll(() => {
  fs.rmSync(project, { recursive: true, force: true });
  fs.rmSync(elsewhere, { recursive: true, force: true });
});

describe('a config file outside the working folder', () => {
  it('resolves its relative paths against its own folder', () => {
    const c = loadConfig({ file: path.relative(elsewhere, configFile), cwd: elsewhere, env: {} });
    expect(c.file).toBe(configFile);
    expect(c.root).toBe(path.join(project, 'settings'));
    expect(c.database).toBe(path.join(project, 'db', 'project.duckdb'));
    expect(c.identity.keyFile).toBe(path.join(project, 'keys', 'identity.key'));
    expect(c.paths.pipelines).toBe(path.join(project, 'pipes'));
  });

  it('works from any working folder: ingest, status and a KPI, with the files where the config says', async () => {
    const ingest = await runMain(['ingest', 'crm', '--config', configFile], elsewhere);
    expect({ code: ingest.code, err: ingest.err }).toEqual({ code: 0, err: '' });
    expect(fs.existsSync(path.join(project, 'db', 'project.duckdb'))).toBe(true);
    expect(fs.existsSync(path.join(project, 'keys', 'identity.key'))).toBe(true);
    // from a third folder, naming the config by a relative path
    const third = tempDir('caselens-config-third-');
    try {
      const status = await runMain(['status', '--json', '--config', path.relative(third, configFile)], third);
      expect({ code: status.code, err: status.err }).toEqual({ code: 0, err: '' });
      const kpi = await runMain(['kpi', 'caseload', '--as-of', '2024-06-30', '--format', 'json', '--config', path.relative(third, configFile)], third);
      expect({ code: kpi.code, err: kpi.err }).toEqual({ code: 0, err: '' });
      expect(JSON.parse(kpi.out).rows.length).toBeGreaterThan(0);
      expect(fs.readdirSync(third)).toEqual([]);
    } finally {
      fs.rmSync(third, { recursive: true, force: true });
    }
    expect(fs.readdirSync(elsewhere)).toEqual([]);
  }, 60_000);

  it('--config may name the folder that holds caselens.config.yaml', () => {
    const dir = tempDir('caselens-config-folder-');
    try {
      writeFiles(dir, { 'caselens.config.yaml': 'database: here.duckdb\n' });
      const c = loadConfig({ file: dir, cwd: elsewhere, env: {} });
      expect(c.file).toBe(path.join(dir, 'caselens.config.yaml'));
      expect(c.database).toBe(path.join(dir, 'here.duckdb'));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('a --config that is not there', () => {
  it('is "<path>: config file not found", exit 3, with the path as it was given', async () => {
    const missing = path.join(project, 'settings', 'staging.yaml');
    const abs = await runMain(['status', '--config', missing], elsewhere);
    expect({ code: abs.code, err: abs.err }).toEqual({ code: 3, err: `error: ${missing}: config file not found` });
    const rel = path.relative(elsewhere, missing);
    const relative = await runMain(['status', '--config', rel], elsewhere);
    expect({ code: relative.code, err: relative.err }).toEqual({ code: 3, err: `error: ${rel}: config file not found` });
    const folder = await runMain(['status', '--config', elsewhere], elsewhere);
    expect({ code: folder.code, err: folder.err }).toEqual({ code: 3, err: `error: ${path.join(elsewhere, 'caselens.config.yaml')}: config file not found` });
  });

  it('names a broken config file outside the working folder by its path, not by ../..', async () => {
    const dir = tempDir('caselens-config-broken-');
    try {
      writeFiles(dir, { 'c.yaml': 'ingest:\n  rejectLimit: 2\n' });
      const r = await runMain(['status', '--config', path.join(dir, 'c.yaml')], elsewhere);
      expect(r.code).toBe(3);
      expect(r.err).toMatch(new RegExp(`^error: ${path.join(dir, 'c.yaml').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: ingest\\.rejectLimit: `));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
