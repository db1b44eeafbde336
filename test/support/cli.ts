import { spawn } from 'node:child_process';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const ROOT = path.resolve(import.meta.dirname, '..', '..');
const TSX_LOADER = pathToFileURL(path.join(ROOT, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href;
const CLI = path.join(ROOT, 'src', 'cli.ts');

export interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs `caselens` as its own process (one process: tsx registered as a loader, so a SIGKILL
 * reaches the process doing the work). `killWhen` is polled every few milliseconds, and
 * `onStderr` sees stderr as it grows; either may kill the process with SIGKILL.
 */
export function runCli(args: string[], cwd: string, opts: { killWhen?: () => boolean; onStderr?: (stderr: string, kill: () => void) => void } = {}): Promise<CliRun> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', TSX_LOADER, CLI, ...args], { cwd, env: { ...process.env, CI: '1' } });
    const kill = () => child.kill('SIGKILL');
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => {
      stderr += d;
      opts.onStderr?.(stderr, kill);
    });
    const timer = opts.killWhen ? setInterval(() => { if (opts.killWhen!()) kill(); }, 5) : undefined;
    child.on('close', (code, signal) => {
      clearInterval(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}
