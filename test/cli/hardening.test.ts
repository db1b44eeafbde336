/**
 * CLI hardening found by a tester: read-only databases, a mistyped --db, the identity key bound
 * to its database, and `caselens ingest … | head -1`.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { DuckDBInstance } from '@duckdb/node-api';
import { describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { keyFingerprint } from '../../src/identity/key.ts';
import { CLEAN, cleanPipeline, tempDir, writeFiles, writePipeline } from '../helpers.ts';
import { runCli } from '../support/cli.ts';
import { runMain as run } from '../support/main.ts';

const ROOT = path.resolve(import.meta.dirname, '..', '..');
const isRoot = process.getuid?.() === 0;

function project(extra: Record<string, unknown> = {}) {
  const dir = tempDir();
  writeFiles(dir, CLEAN);
  fs.mkdirSync(path.join(dir, 'pipelines'));
  writePipeline(path.join(dir, 'pipelines'), 'crm', cleanPipeline());
  fs.writeFileSync(path.join(dir, 'caselens.config.yaml'), YAML.stringify({ database: 'db.duckdb', identity: { keyFile: 'identity.key' }, paths: { pipelines: 'pipelines', frameworks: path.join(ROOT, 'frameworks'), dashboards: path.join(ROOT, 'dashboards') }, ...extra }));
  return dir;
}

async function loaded(extra: Record<string, unknown> = {}) {
  const dir = project(extra);
  const r = await run(['ingest', 'crm'], dir);
  expect(r.code, r.err).toBe(0);
  return dir;
}

/** Holds the database open read-only in this process (a shared lock), as a second reader would. */
async function holdReadOnly<T>(dbPath: string, fn: () => Promise<T>): Promise<T> {
  const instance = await DuckDBInstance.create(dbPath, { access_mode: 'READ_ONLY' });
  try {
    return await fn();
  } finally {
    instance.closeSync();
  }
}

/**
 * Runs CLI commands one after another in one other process (DuckDB's file locks are per process;
 * one process for all of them keeps the test quick).
 */
async function inAnotherProcess(cwd: string, commands: string[][]): Promise<Array<{ args: string[]; code: number; out: string; err: string }>> {
  const script = `
    const { main } = await import(${JSON.stringify(pathToFileURL(path.join(ROOT, 'src', 'cli.ts')).href)});
    const results = [];
    for (const args of JSON.parse(process.argv[1])) {
      const out = [], err = [];
      const code = await main(args, { out: (s) => out.push(s), err: (s) => err.push(s) });
      results.push({ args, code, out: out.join('\\n'), err: err.join('\\n') });
    }
    process.stdout.write(JSON.stringify(results));`;
  const tsx = pathToFileURL(path.join(ROOT, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href;
  const child = spawn(process.execPath, ['--import', tsx, '--input-type=module', '-e', script, JSON.stringify(commands)], { cwd, env: { ...process.env, CI: '1' } });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  if (code !== 0) throw new Error(`runner exited ${code}: ${stderr}`);
  return JSON.parse(stdout);
}

async function counts(dbPath: string): Promise<{ clients: number; identities: number; runs: number }> {
  const instance = await DuckDBInstance.create(dbPath, { access_mode: 'READ_ONLY' });
  try {
    const c = await instance.connect();
    const rows = (await c.runAndReadAll('SELECT (SELECT count(*) FROM clients)::INTEGER AS clients, (SELECT count(*) FROM client_identities)::INTEGER AS identities, (SELECT count(*) FROM ingest_runs)::INTEGER AS runs')).getRowObjectsJS();
    c.closeSync();
    return rows[0] as { clients: number; identities: number; runs: number };
  } finally {
    instance.closeSync();
  }
}

describe('read-only commands open the database read-only', () => {
  // The tests may run as root, where chmod 444 does not stop a read-write open. What does fail
  // today, for anyone: a read-write open needs DuckDB's exclusive lock, so it is refused while
  // another process holds the file open read-only. A command that opens it read-only shares the
  // lock. So each read-only command is run while this process holds a read-only connection.
  it('status, kpi, export, facts status, identity review, verify, score --dry-run, summarize and explain work while another process reads the file', async () => {
    const dir = await loaded();
    const dbPath = path.join(dir, 'db.duckdb');
    await holdReadOnly(dbPath, async () => {
      const results = await inAnotherProcess(dir, [
        ['status', '--json'],
        ['kpi', 'resolution-time', '--from', '2024-01-01', '--to', '2024-12-31', '--format', 'json'],
        ['export', '--format', 'csv', '--out', 'out'],
        ['facts', 'status', '--json'],
        ['identity', 'review'],
        ['verify'],
        ['score', '--dry-run', '--provider', 'offline'],
        ['summarize', '--case', 'crm:K1', '--provider', 'offline'],
        ['explain', '--note', 'crm:N1'],
        // and the lock is real: a command that writes is refused while the other reader holds it
        ['facts', 'refresh'],
      ]);
      const refresh = results.pop()!;
      for (const r of results) expect({ args: r.args, code: r.code, err: r.err }).toEqual({ args: r.args, code: 0, err: '' });
      expect(JSON.parse(results[0]!.out).tables.find((t: { table: string }) => t.table === 'clients').rows).toBe(3);
      expect(JSON.parse(results[1]!.out).rows.find((row: { is_total: boolean }) => row.is_total)).toMatchObject({ cases: 2 });
      expect(fs.existsSync(path.join(dir, 'out', 'cases.csv'))).toBe(true);
      expect(refresh.code).toBe(5);
      expect(refresh.err).toMatch(/another process has this database open/);
    });
  }, 240_000);

  it('kpi on out-of-date facts: rebuilt when the file can be written, refused naming `caselens facts refresh` when it cannot', async () => {
    const dir = await loaded();
    const dbPath = path.join(dir, 'db.duckdb');
    const markStale = async () => {
      const instance = await DuckDBInstance.create(dbPath);
      const c = await instance.connect();
      await c.run('UPDATE kpi_facts_state SET stale = true');
      c.closeSync();
      instance.closeSync();
    };
    await markStale();
    const args = ['kpi', 'resolution-time', '--from', '2024-01-01', '--to', '2024-12-31', '--format', 'json'];
    await holdReadOnly(dbPath, async () => {
      const r = await runCli(args, dir);
      expect(r.code).toBe(5);
      expect(r.stderr).toContain('are out of date (source tables changed) and the database is open read-only: run `caselens facts refresh');
    });
    // nobody else holds it: the facts are rebuilt, as reading a KPI always did
    const r = await run(args, dir);
    expect([r.code, r.err]).toEqual([0, '']);
    expect(JSON.parse((await run(['facts', 'status', '--json'], dir)).out)).toHaveProperty('info');
  });

  it.skipIf(isRoot)('status, kpi and export read a chmod 444 database', async () => {
    const dir = await loaded();
    const dbPath = path.join(dir, 'db.duckdb');
    fs.chmodSync(dbPath, 0o444);
    try {
      const results = await inAnotherProcess(dir, [['status'], ['kpi', 'caseload', '--format', 'json'], ['export', '--format', 'csv', '--out', 'out'], ['facts', 'status']]);
      for (const r of results) expect({ args: r.args, code: r.code, err: r.err }).toEqual({ args: r.args, code: 0, err: '' });
    } finally {
      fs.chmodSync(dbPath, 0o644);
    }
  });

  it('serve refuses an audit folder it cannot write: exit 3, naming the folder and serve.audit.dir', async () => {
    // a folder that cannot be created whoever runs the test: its parent is a file
    const dir = await loaded({ serve: { audit: { dir: 'blocker/audit' } } });
    fs.writeFileSync(path.join(dir, 'blocker'), 'not a folder');
    const r = await run(['serve', '--port', '0'], dir);
    expect(r.code).toBe(3);
    expect(r.err).toContain(`the audit folder ${path.join(dir, 'blocker', 'audit')} cannot be written (ENOTDIR)`);
    expect(r.err).toContain(`set serve.audit.dir in ${path.join(dir, 'caselens.config.yaml')} to a writable folder`);
  });
});

describe('a mistyped --db is an error, not a new database', () => {
  it('every command but the loading ones exits 2 naming the path, and creates neither file nor folder', async () => {
    const dir = await loaded();
    const wrong = path.join(dir, 'typo', 'caselens.duckdb');
    const message = `error: ${wrong}: no caselens database here; check --db or caselens.config.yaml (database), or create one with caselens ingest/migrate`;
    const commands = [
      ['status'], ['kpi', 'caseload'], ['export', '--out', 'out'], ['facts', 'status'], ['facts', 'refresh'], ['identity', 'review'], ['dq'],
      ['verify'], ['score', '--provider', 'offline'],
      ['explain', '--note', 'crm:N1'], ['audit', 'merge'], ['report', 'funder', '--out', 'r.html'], ['serve', '--port', '0'], ['check'],
    ];
    for (const args of commands) {
      const r = await run([...args, '--db', wrong], dir);
      expect({ args, code: r.code, err: r.err }).toEqual({ args, code: 2, err: message });
    }
    expect(fs.existsSync(path.join(dir, 'typo'))).toBe(false);
    // the configured database (caselens.config.yaml: database) is checked the same way
    fs.writeFileSync(path.join(dir, 'caselens.config.yaml'), YAML.stringify({ database: 'nowhere/db.duckdb', identity: { keyFile: 'identity.key' } }));
    expect(await run(['status'], dir)).toMatchObject({ code: 2, err: expect.stringContaining(`${path.join(dir, 'nowhere', 'db.duckdb')}: no caselens database here`) });
    expect(fs.existsSync(path.join(dir, 'nowhere'))).toBe(false);
  });

  it('ingest and migrate still create a new database', async () => {
    const dir = project();
    expect((await run(['ingest', 'crm', '--db', 'new/one.duckdb'], dir)).code).toBe(0);
    expect((await run(['migrate', '--db', 'other/two.duckdb'], dir)).code).toBe(0);
    expect((await run(['status', '--db', 'new/one.duckdb'], dir)).code).toBe(0);
    expect((await run(['status', '--db', 'other/two.duckdb'], dir)).code).toBe(0);
  });
});

describe('the identity key is bound to its database', () => {
  const otherKey = 'ab'.repeat(32);

  it('a new database records the fingerprint of its key, never the key', async () => {
    const dir = await loaded();
    const key = fs.readFileSync(path.join(dir, 'identity.key'), 'utf8').trim();
    const instance = await DuckDBInstance.create(path.join(dir, 'db.duckdb'), { access_mode: 'READ_ONLY' });
    const c = await instance.connect();
    const rows = (await c.runAndReadAll('SELECT * FROM identity_key')).getRowObjectsJS();
    c.closeSync();
    instance.closeSync();
    expect(rows).toHaveLength(1);
    expect(rows[0]!.fingerprint).toBe(keyFingerprint(key));
    expect(rows[0]!.fingerprint).toMatch(/^[0-9a-f]{16}$/);
    expect(JSON.stringify(rows, (_k, v) => (typeof v === 'bigint' ? String(v) : v))).not.toContain(key);
  });

  it('a missing key file stops the load with exit 5, names the file to restore, creates no key and loads nothing', async () => {
    const dir = await loaded();
    const dbPath = path.join(dir, 'db.duckdb');
    const keyFile = path.join(dir, 'identity.key');
    const before = await counts(dbPath);
    fs.rmSync(keyFile);
    writeFiles(dir, { 'clients.csv': CLEAN['clients.csv'] + 'C9,New,Person,1970-01-01,female,\n' });
    const r = await run(['ingest', 'crm'], dir);
    expect(r.code).toBe(5);
    expect(r.err).toContain(`identity key ${keyFile} is missing, but the database ${dbPath} has 3 client ID(s) minted with a key`);
    expect(r.err).toContain(`nothing was loaded: restore ${keyFile} from the backup made with this database`);
    expect(fs.existsSync(keyFile)).toBe(false);
    expect(await counts(dbPath)).toEqual(before);
  });

  it('a different key stops every loading command with exit 5 and loads nothing', async () => {
    const dir = await loaded();
    const dbPath = path.join(dir, 'db.duckdb');
    const keyFile = path.join(dir, 'identity.key');
    const right = fs.readFileSync(keyFile, 'utf8');
    const before = await counts(dbPath);
    fs.writeFileSync(keyFile, `${otherKey}\n`);
    writeFiles(dir, { 'clients.csv': CLEAN['clients.csv'] + 'C9,New,Person,1970-01-01,female,\n' });
    const r = await run(['ingest', 'crm'], dir);
    expect(r.code).toBe(5);
    expect(r.err).toContain(`identity key ${keyFile} (fingerprint ${keyFingerprint(otherKey)}) is not the key the client IDs in ${dbPath} were minted with (fingerprint ${keyFingerprint(right.trim())})`);
    expect(r.err).toContain('nothing was loaded');
    const fhir = await run(['ingest-fhir', path.join(dir, 'nothing.json')], dir);
    expect(fhir.code).toBe(5);
    expect(fhir.err).toContain('is not the key the client IDs');
    expect(await counts(dbPath)).toEqual(before);
    // the right key back: the load goes ahead
    fs.writeFileSync(keyFile, right);
    expect((await run(['ingest', 'crm'], dir)).code).toBe(0);
    expect((await counts(dbPath)).clients).toBe(4);
  });
});

describe('caselens ingest … | head -1', () => {
  const tsx = pathToFileURL(path.join(ROOT, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href;
  it.each([
    ['src/cli.ts', ['--import', tsx, path.join(ROOT, 'src', 'cli.ts')]],
    ['bin/caselens.js (npx caselens)', [path.join(ROOT, 'bin', 'caselens.js')]],
  ])('%s: a reader that goes away stops the output, not the work: exit 0, every pipeline committed, KPI facts current', async (_entry, entry) => {
    const dir = project();
    // two pipelines: the first one's lines reach the reader, which then goes away; the second one's lines hit the closed pipe
    const child = spawn(process.execPath, [...entry, 'ingest', 'crm', 'crm'], { cwd: dir, env: { ...process.env, CI: '1' } });
    let first = '';
    let stderr = '';
    child.stdout.once('data', (d) => {
      first = String(d);
      child.stdout.destroy();
    });
    child.stderr.on('data', (d) => (stderr += d));
    const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
    expect(first).toMatch(/^loaded: pipeline crm, run 1/);
    expect(stderr).not.toMatch(/EPIPE/);
    expect(code).toBe(0);
    const status = JSON.parse((await run(['status', '--json'], dir)).out);
    expect(status.lastRuns.map((x: { run_id: number; status: string }) => [x.run_id, x.status])).toEqual([[2, 'succeeded'], [1, 'succeeded']]);
    const facts = JSON.parse((await run(['facts', 'status', '--json'], dir)).out);
    expect(facts).toHaveProperty('info');
    expect(facts).not.toHaveProperty('reason');
  });

  it('main() carries on when its output function throws EPIPE', async () => {
    const dir = project();
    const err: string[] = [];
    const { main } = await import('../../src/cli.ts');
    const prev = process.cwd();
    process.chdir(dir);
    let code: number;
    try {
      code = await main(['ingest', 'crm'], {
        out: () => {
          throw Object.assign(new Error('write EPIPE'), { code: 'EPIPE' });
        },
        err: (s) => err.push(s),
      });
    } finally {
      process.chdir(prev);
    }
    expect([code, err]).toEqual([0, []]);
    expect(JSON.parse((await run(['facts', 'status', '--json'], dir)).out)).toHaveProperty('info');
  });
});

describe('caselens check', () => {
  it('reads every table in full without changing the file; a corrupt block is a problem naming its table, exit 5', async () => {
    const dir = await loaded();
    const dbPath = path.join(dir, 'db.duckdb');
    const before = fs.readFileSync(dbPath);
    const ok = await run(['check'], dir);
    expect([ok.code, ok.err]).toEqual([0, '']);
    expect(ok.out).toMatch(/^database .*db\.duckdb: schema version \d+, [\d.]+ MB used\n\d+ of \d+ tables read in full \([\d,]+ rows\)\nno problems found$/);
    expect(fs.readFileSync(dbPath).equals(before)).toBe(true);
    // flip bytes inside the block holding the notes' text columns
    const instance = await DuckDBInstance.create(dbPath, { access_mode: 'READ_ONLY' });
    const c = await instance.connect();
    const seg = (await c.runAndReadAll("SELECT block_id::INTEGER AS block_id, block_offset::INTEGER AS block_offset FROM pragma_storage_info('notes') WHERE persistent AND block_id >= 0 AND segment_type = 'VARCHAR' LIMIT 1")).getRowObjectsJS()[0] as { block_id: number; block_offset: number };
    const blockSize = Number((await c.runAndReadAll('SELECT block_size FROM pragma_database_size() WHERE database_name = current_database()')).getRowObjectsJS()[0]!.block_size);
    c.closeSync();
    instance.closeSync();
    const fd = fs.openSync(dbPath, 'r+');
    // DuckDB's file: three 4 KiB headers, then blocks, each starting with its 8-byte checksum
    fs.writeSync(fd, Buffer.from([0xde, 0xad, 0xbe, 0xef]), 0, 4, 3 * 4096 + seg.block_id * blockSize + 8 + seg.block_offset + 5);
    fs.closeSync(fd);
    const bad = await run(['check', '--json'], dir);
    expect(bad.code).toBe(5);
    const r = JSON.parse(bad.out);
    expect(r.tables.find((t: { table: string }) => t.table === 'notes')).toMatchObject({ ok: false });
    expect(r.problems[0]).toMatch(/^notes: cannot be read in full: .*checksum/);
    expect(bad.err).toMatch(/^error: \d+ problem\(s\) in .*db\.duckdb: restore it from backup/);
  });
});
