/**
 * Where `caselens serve` and `caselens demo` listen: --port, else PORT, else serve.port in the
 * config, else 8787; --host, else serve.host, else 127.0.0.1. The server is started as its own
 * process on a free port and asked /api/health there. Also: the relative links of README.md and
 * docs/*.md resolve to files in the repository.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { listenOverrides } from '../../src/serve/index.ts';
import { runMain } from '../support/main.ts';
import { tempDir } from '../helpers.ts';

const ROOT = path.resolve(import.meta.dirname, '..', '..');
const TSX_LOADER = pathToFileURL(path.join(ROOT, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href;
const CLI = path.join(ROOT, 'src', 'cli.ts');

let dir: string;
let dbPath: string;

beforeAll(async () => {
  dir = tempDir('caselens-port-');
  dbPath = path.join(dir, 'small.duckdb');
  // a small database: the schema, no rows (enough for the server to start and answer)
  const r = await runMain(['migrate', '--db', dbPath], ROOT);
  expect(r.code).toBe(0);
});

afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

/** A port nobody listens on (the system picks it; it is free again once closed). */
async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

interface Started {
  code: number | null;
  stdout: string;
  stderr: string;
  /** the URL the server printed, once it listens (undefined if it exited first) */
  url?: string;
  health?: { status: number; body: unknown };
}

/**
 * Runs `caselens <args>` from the repository (its dashboards and frameworks) with `env` added;
 * once it prints where it serves, asks /api/health at the port `expectPort`, then stops it with SIGTERM.
 */
function serveOnce(args: string[], env: Record<string, string | undefined>, expectPort: number): Promise<Started> {
  return new Promise((resolve) => {
    const childEnv: NodeJS.ProcessEnv = { ...process.env, CI: '1' };
    delete childEnv.PORT;
    for (const [k, v] of Object.entries(env)) if (v !== undefined) childEnv[k] = v;
    const child = spawn(process.execPath, ['--import', TSX_LOADER, CLI, ...args], { cwd: ROOT, env: childEnv });
    const result: Started = { code: null, stdout: '', stderr: '' };
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    let asked = false;
    child.stdout.on('data', async (d) => {
      result.stdout += d;
      const m = /caselens: serving (\S+)/.exec(result.stdout);
      if (!m || asked) return;
      asked = true;
      result.url = m[1];
      try {
        const r = await fetch(`http://127.0.0.1:${expectPort}/api/health`);
        result.health = { status: r.status, body: await r.json() };
      } catch (e) {
        result.health = { status: 0, body: String(e) };
      }
      child.kill('SIGTERM');
    });
    child.stderr.on('data', (d) => (result.stderr += d));
    child.on('close', (code) => {
      clearTimeout(timer);
      result.code = code;
      resolve(result);
    });
  });
}

describe('--port, --host and PORT: how they are read', () => {
  it('takes --port before PORT, trims, and leaves unset what was not given (the config decides)', () => {
    expect(listenOverrides({}, {})).toEqual({});
    expect(listenOverrides({}, { PORT: '9001' })).toEqual({ port: 9001 });
    expect(listenOverrides({ port: '9002' }, { PORT: '9001' })).toEqual({ port: 9002 });
    expect(listenOverrides({ port: ' 9003 ' }, {})).toEqual({ port: 9003 });
    expect(listenOverrides({}, { PORT: '\t9004\n' })).toEqual({ port: 9004 });
    // an empty PORT is no PORT
    expect(listenOverrides({}, { PORT: '' })).toEqual({});
    expect(listenOverrides({ host: ' 0.0.0.0 ' }, {})).toEqual({ host: '0.0.0.0' });
    expect(listenOverrides({ host: '[::1]' }, {})).toEqual({ host: '::1' });
  });

  it('refuses a port that is not a whole number up to 65535, and an empty host, as usage errors', () => {
    for (const bad of ['abc', '', ' ', '-1', '65536', '80.5', '1e3', '0x50', '8080abc', '99999999']) {
      expect(() => listenOverrides({ port: bad }, {}), bad).toThrow(expect.objectContaining({ exitCode: 2, message: `--port must be a port number from 1 to 65535 (or 0 for any free port), got "${bad}"` }));
    }
    expect(() => listenOverrides({}, { PORT: 'http' })).toThrow(/^the PORT environment variable must be a port number from 1 to 65535 \(or 0 for any free port\), got "http"$/);
    expect(() => listenOverrides({ host: ' ' }, {})).toThrow(expect.objectContaining({ exitCode: 2, message: '--host must be a host name or address such as 127.0.0.1, got " "' }));
  });

  it('serve: exit 2 with the reason for a bad --port or PORT', async () => {
    const r = await runMain(['serve', '--port', '70000', '--db', dbPath], ROOT);
    expect({ code: r.code, err: r.err }).toEqual({ code: 2, err: 'error: --port must be a port number from 1 to 65535 (or 0 for any free port), got "70000"' });
    const e = await serveOnce(['serve', '--db', dbPath], { PORT: 'eighty' }, 0);
    expect({ code: e.code, stderr: e.stderr.trim() }).toEqual({ code: 2, stderr: 'error: the PORT environment variable must be a port number from 1 to 65535 (or 0 for any free port), got "eighty"' });
  });

  it('demo: a bad --port or --host is refused at once (exit 2), before the sample is loaded', async () => {
    const db = path.join(dir, 'demo', 'never.duckdb');
    const r = await runMain(['demo', '--port', 'abc', '--no-serve', '--db', db], dir);
    expect({ code: r.code, err: r.err }).toEqual({ code: 2, err: 'error: --port must be a port number from 1 to 65535 (or 0 for any free port), got "abc"' });
    const h = await runMain(['demo', '--host', '', '--no-serve', '--db', db], dir);
    expect(h.code).toBe(2);
    expect(fs.existsSync(db)).toBe(false);
  });
});

describe('caselens serve listens where it is told', () => {
  it('on --port', async () => {
    const port = await freePort();
    const r = await serveOnce(['serve', '--db', dbPath, '--port', String(port)], {}, port);
    expect(r.stderr).not.toMatch(/error/);
    expect(r.url).toBe(`http://127.0.0.1:${port}`);
    expect(r.health?.status).toBe(200);
    expect(r.code).toBe(0);
  }, 40_000);

  // --port over PORT, and PORT over the config are unit-tested above (listenOverrides); one real process shows PORT is read
  it('on PORT from the environment, over serve.port in the config', async () => {
    const configured = await freePort();
    const cfgDir = tempDir('caselens-port-config-');
    try {
      const file = path.join(cfgDir, 'caselens.config.yaml');
      fs.writeFileSync(file, YAML.stringify({
        serve: { port: configured },
        paths: { dashboards: path.join(ROOT, 'dashboards'), frameworks: path.join(ROOT, 'frameworks') },
      }));
      const port = await freePort();
      const fromEnv = await serveOnce(['serve', '--db', dbPath, '--config', file], { PORT: ` ${port} ` }, port);
      expect(fromEnv.stderr).not.toMatch(/error/);
      expect(fromEnv.url).toBe(`http://127.0.0.1:${port}`);
      expect(fromEnv.health?.status).toBe(200);
    } finally {
      fs.rmSync(cfgDir, { recursive: true, force: true });
    }
  }, 60_000);

  it('beyond loopback only with users: --host 0.0.0.0 without users is refused (exit 3)', async () => {
    const port = await freePort();
    const r = await serveOnce(['serve', '--db', dbPath, '--host', '0.0.0.0', '--port', String(port)], {}, port);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('refusing to serve on 0.0.0.0: beyond loopback the server needs configured users');
    expect(r.url).toBeUndefined();
  }, 40_000);
});

describe('README.md and docs/*.md', () => {
  /** relative links `[text](path)` and `[text](path#anchor)`; web, mail and in-page links are left alone */
  function relativeLinks(file: string): string[] {
    const text = fs.readFileSync(file, 'utf8').replace(/```[\s\S]*?```/g, '');
    const links: string[] = [];
    for (const m of text.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) {
      const target = m[1]!;
      if (/^(https?:|mailto:|#)/i.test(target)) continue;
      links.push(target);
    }
    return links;
  }

  it('every relative link names a file or folder inside the repository', () => {
    const files = [path.join(ROOT, 'README.md'), ...fs.readdirSync(path.join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).map((f) => path.join(ROOT, 'docs', f))];
    const broken: string[] = [];
    let checked = 0;
    for (const file of files) {
      for (const link of relativeLinks(file)) {
        checked++;
        const target = path.resolve(path.dirname(file), decodeURIComponent(link.split('#')[0]!));
        const inside = !path.relative(ROOT, target).startsWith('..');
        if (!inside || !fs.existsSync(target)) broken.push(`${path.relative(ROOT, file)}: ${link}`);
      }
    }
    expect(checked).toBeGreaterThan(5);
    expect(broken).toEqual([]);
    // the design document, which the README sends readers to first
    expect(relativeLinks(path.join(ROOT, 'README.md'))).toContain('docs/design.md');
  });
});
