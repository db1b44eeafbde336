/** The CLI's `main` in this process, from a given folder, with its output captured. */
import { main } from '../../src/cli.ts';

export async function runMain(args: string[], cwd: string): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const prev = process.cwd();
  process.chdir(cwd);
  try {
    const code = await main(args, { out: (s) => out.push(s), err: (s) => err.push(s) });
    return { code, out: out.join('\n'), err: err.join('\n') };
  } finally {
    process.chdir(prev);
  }
}
