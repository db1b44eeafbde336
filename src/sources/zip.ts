import fs from 'node:fs';
import path from 'node:path';
import { Unzip, UnzipInflate, UnzipPassThrough } from 'fflate';
import { CaselensError, errorMessage, exitCodes } from '../errors.ts';

/** True when the file starts with a zip signature (PK\x03\x04, or an empty archive's PK\x05\x06). */
export function isZipFile(file: string): boolean {
  let fd: number | undefined;
  try {
    fd = fs.openSync(file, 'r');
    const buf = Buffer.alloc(4);
    fs.readSync(fd, buf, 0, 4, 0);
    return buf[0] === 0x50 && buf[1] === 0x4b && ((buf[2] === 3 && buf[3] === 4) || (buf[2] === 5 && buf[3] === 6));
  } catch {
    return false;
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

/**
 * Extracts the entries of a zip whose names match `keep` into `outDir`, streaming (an export
 * of several GB never sits in memory). Paths are kept relative; entries that would land outside
 * `outDir` are refused. Returns the extracted files.
 */
export async function extractZip(zipFile: string, outDir: string, keep: (name: string) => boolean = () => true): Promise<string[]> {
  const files: string[] = [];
  const root = path.resolve(outDir);
  let failure: Error | undefined;
  const open = new Set<number>();
  const unzip = new Unzip((entry) => {
    if (failure || entry.name.endsWith('/') || !keep(entry.name)) return;
    const target = path.resolve(root, entry.name);
    if (!target.startsWith(root + path.sep)) {
      failure = new CaselensError(`${zipFile}: entry "${entry.name}" would be written outside the extraction folder; the zip is refused`, { exitCode: exitCodes.rejected });
      return;
    }
    fs.mkdirSync(path.dirname(target), { recursive: true });
    const fd = fs.openSync(target, 'w');
    open.add(fd);
    files.push(target);
    entry.ondata = (err, chunk, final) => {
      if (err) {
        failure ??= err;
        return;
      }
      if (chunk.length) fs.writeSync(fd, chunk);
      if (final) {
        fs.closeSync(fd);
        open.delete(fd);
      }
    };
    entry.start();
  });
  unzip.register(UnzipInflate);
  unzip.register(UnzipPassThrough);
  try {
    for await (const chunk of fs.createReadStream(zipFile, { highWaterMark: 1 << 20 })) {
      unzip.push(chunk as Uint8Array);
      if (failure) break;
    }
    if (!failure) unzip.push(new Uint8Array(0), true);
  } catch (e) {
    failure ??= e instanceof Error ? e : new Error(String(e));
  } finally {
    for (const fd of open) fs.closeSync(fd);
  }
  if (failure) {
    throw failure instanceof CaselensError ? failure : new CaselensError(`${zipFile}: cannot unzip: ${errorMessage(failure)}`, { exitCode: exitCodes.rejected, status: 422 });
  }
  if (open.size) throw new CaselensError(`${zipFile}: the zip ended before all of its files were complete (truncated download?)`, { exitCode: exitCodes.rejected, status: 422 });
  return files;
}
