/**
 * Compressed source files (.gz, .zst) are read by DuckDB itself, which loads what it could
 * decompress of a truncated file and says nothing. So before a compressed file is read, it is
 * checked end to end here and a damaged one refuses the whole job.
 *
 * - gzip: the whole stream is inflated through Node's zlib (bounded memory, output discarded);
 *   zlib fails on a truncated or corrupt stream and checks each member's CRC-32 and ISIZE trailer.
 * - zstd: Node 20 has no zstd decoder, so the frame structure is walked instead (frame headers,
 *   every block header, the optional checksum): a file cut short, or with bytes missing or added,
 *   is caught; damage inside a block that keeps the file's length is not.
 */
import fs from 'node:fs';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import zlib from 'node:zlib';
import { CaselensError, errorMessage, exitCodes } from '../errors.ts';

export class CompressedFileError extends CaselensError {
  readonly file: string;
  constructor(file: string, kind: 'gzip' | 'zstd', why: string) {
    super(`${file}: the ${kind} stream is truncated or damaged (${why}): nothing was loaded; copy or export it again`, { exitCode: exitCodes.rejected, status: 422 });
    this.name = 'CompressedFileError';
    this.file = file;
  }
}

/** Checks a compressed file completely; resolves for other files. Throws `CompressedFileError`. */
export async function verifyCompressed(file: string): Promise<void> {
  if (/\.gz$/i.test(file)) return verifyGzip(file);
  if (/\.zst$/i.test(file)) return verifyZstdFrames(file);
}

async function verifyGzip(file: string): Promise<void> {
  let bytes = 0;
  try {
    await pipeline(
      fs.createReadStream(file, { highWaterMark: 1 << 20 }),
      zlib.createGunzip(),
      new Writable({
        write(chunk: Buffer, _enc, done) {
          bytes += chunk.length;
          done();
        },
      }),
    );
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === 'ENOENT' || code === 'EACCES' || code === 'EISDIR') throw e;
    throw new CompressedFileError(file, 'gzip', `${errorMessage(e)} after ${bytes.toLocaleString('en-US')} bytes`);
  }
}

const ZSTD_MAGIC = 0xfd2fb528;

function verifyZstdFrames(file: string): void {
  const fd = fs.openSync(file, 'r');
  try {
    const size = fs.fstatSync(fd).size;
    const buf = Buffer.alloc(18);
    const read = (pos: number, len: number): Buffer | null => {
      if (pos + len > size) return null;
      const n = fs.readSync(fd, buf, 0, len, pos);
      return n === len ? buf.subarray(0, len) : null;
    };
    const fail = (why: string) => new CompressedFileError(file, 'zstd', why);
    if (size === 0) throw fail('the file is empty');
    let pos = 0;
    let frames = 0;
    while (pos < size) {
      const m = read(pos, 4);
      if (!m) throw fail(`the file ends inside a frame header at byte ${pos}`);
      const magic = m.readUInt32LE(0);
      if ((magic & 0xfffffff0) === 0x184d2a50) {
        // skippable frame: magic, 4-byte length, data
        const h = read(pos + 4, 4);
        if (!h) throw fail(`the file ends inside a skippable frame at byte ${pos}`);
        pos += 8 + h.readUInt32LE(0);
        if (pos > size) throw fail('the file ends inside a skippable frame');
        continue;
      }
      if (magic !== ZSTD_MAGIC) throw fail(frames === 0 ? 'not a zstd file' : `unexpected bytes after frame ${frames}, at byte ${pos}`);
      const d = read(pos + 4, 1);
      if (!d) throw fail('the file ends inside a frame header');
      const desc = d[0]!;
      const fcsFlag = desc >> 6;
      const singleSegment = (desc >> 5) & 1;
      const checksum = (desc >> 2) & 1;
      const dictFlag = desc & 3;
      pos += 5 + (singleSegment ? 0 : 1) + [0, 1, 2, 4][dictFlag]! + [singleSegment ? 1 : 0, 2, 4, 8][fcsFlag]!;
      for (;;) {
        const b = read(pos, 3);
        if (!b) throw fail(`the file ends inside frame ${frames + 1}, at byte ${pos} of ${size}`);
        const header = b[0]! | (b[1]! << 8) | (b[2]! << 16);
        const last = header & 1;
        const type = (header >> 1) & 3;
        const blockSize = header >>> 3;
        if (type === 3) throw fail(`a block at byte ${pos} has a reserved type`);
        pos += 3 + (type === 1 ? 1 : blockSize);
        if (pos > size) throw fail(`the file ends inside a block of frame ${frames + 1} (${pos - size} bytes missing)`);
        if (last) break;
      }
      if (checksum) pos += 4;
      if (pos > size) throw fail('the file ends before the frame checksum');
      frames++;
    }
  } finally {
    fs.closeSync(fd);
  }
}

/** `verifyCompressed` on each file ending in .gz or .zst, in order; resolves to the same list. */
export async function verifyCompressedFiles(files: string[]): Promise<string[]> {
  for (const f of files) if (/\.(gz|zst)$/i.test(f)) await verifyCompressed(f);
  return files;
}
