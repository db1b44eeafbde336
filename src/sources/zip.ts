/**
 * Zips that cannot hurt or mislead. The central directory is read and checked before anything
 * is inflated: entry count, declared sizes and compression ratios against limits, encrypted
 * entries, symlinks, absolute or `..` paths, names that collide once case is ignored, and entries
 * whose data would run past the end of the file (a truncated download). Only the entries the
 * caller keeps are then inflated, one at a time through Node's zlib with bounded memory, counting
 * the bytes actually produced (a declared size can lie) and checking each entry's size and CRC-32
 * once inflated. Any problem is a `ZipError` (exit code 4) and nothing is loaded.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Readable, Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import zlib from 'node:zlib';
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

export interface ZipLimits {
  /** sum of the (declared and actual) uncompressed sizes of the entries extracted */
  maxTotalBytes: number;
  /** uncompressed size of any one entry extracted */
  maxEntryBytes: number;
  /** entries in the archive, all of them (read from the central directory) */
  maxEntries: number;
  /** uncompressed : compressed, per entry extracted … */
  maxRatio: number;
  /** … for entries at least this large uncompressed (small files may compress very well) */
  ratioMinBytes: number;
}

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

export const DEFAULT_ZIP_LIMITS: Readonly<ZipLimits> = Object.freeze({
  maxTotalBytes: 4 * GiB,
  maxEntryBytes: 2 * GiB,
  maxEntries: 10_000,
  maxRatio: 200,
  ratioMinBytes: 10 * MiB,
});

export interface ExtractZipOptions {
  /** overrides of `DEFAULT_ZIP_LIMITS` */
  limits?: Partial<ZipLimits>;
}

/** A zip refused: damaged, truncated, encrypted, unsafe or over a limit. Nothing was loaded. */
export class ZipError extends CaselensError {
  readonly zipFile: string;
  readonly entry: string | null;
  constructor(zipFile: string, entry: string | null, reason: string, cause?: unknown) {
    super(`${zipFile}: ${entry === null ? 'the zip ' : `entry "${entry}" `}${reason}; the zip is refused and nothing was loaded`, {
      exitCode: exitCodes.rejected,
      status: 422,
      cause,
    });
    this.name = 'ZipError';
    this.zipFile = zipFile;
    this.entry = entry;
  }
}

/** One entry as the central directory describes it. */
export interface ZipEntry {
  name: string;
  isDirectory: boolean;
  flags: number;
  method: number;
  crc32: number;
  compressedSize: number;
  uncompressedSize: number;
  localHeaderOffset: number;
  /** high 16 bits: Unix mode when made on Unix */
  externalAttributes: number;
}

const SIG_EOCD = 0x06054b50;
const SIG_EOCD64 = 0x06064b50;
const SIG_EOCD64_LOCATOR = 0x07064b50;
const SIG_CENTRAL = 0x02014b50;
const SIG_LOCAL = 0x04034b50;
const MAX_CENTRAL_DIRECTORY = 64 * MiB;

const fmt = (n: number) => n.toLocaleString('en-US');
const human = (n: number) => (n >= GiB ? `${+(n / GiB).toFixed(2)} GiB` : n >= MiB ? `${+(n / MiB).toFixed(1)} MiB` : `${fmt(n)} bytes`);

function readAt(fd: number, position: number, length: number): Buffer {
  const buf = Buffer.alloc(length);
  let got = 0;
  while (got < length) {
    const n = fs.readSync(fd, buf, got, length - got, position + got);
    if (n === 0) break;
    got += n;
  }
  return got === length ? buf : buf.subarray(0, got);
}

/**
 * Reads the central directory (zip64 included). Refuses a file with no end-of-central-directory
 * record (truncated) or with more entries than `maxEntries`, before reading the entries.
 */
export function readZipDirectory(zipFile: string, limits: Partial<ZipLimits> = {}): ZipEntry[] {
  const lim = { ...DEFAULT_ZIP_LIMITS, ...limits };
  const fd = fs.openSync(zipFile, 'r');
  try {
    const size = fs.fstatSync(fd).size;
    const truncated = (why: string) => new ZipError(zipFile, null, `is truncated or damaged (${why}); copy or download it again`);
    const tailLen = Math.min(size, 22 + 0xffff);
    const tail = readAt(fd, size - tailLen, tailLen);
    let eocd = -1;
    for (let i = tail.length - 22; i >= 0; i--) {
      // the record's comment must end exactly at the end of the file
      if (tail.readUInt32LE(i) === SIG_EOCD && i + 22 + tail.readUInt16LE(i + 20) === tail.length) {
        eocd = i;
        break;
      }
    }
    if (eocd < 0) throw truncated('no end-of-central-directory record: the file was cut short');
    const eocdPos = size - tailLen + eocd;
    let count = tail.readUInt16LE(eocd + 10);
    let cdSize = tail.readUInt32LE(eocd + 12);
    let cdOffset = tail.readUInt32LE(eocd + 16);
    if (tail.readUInt16LE(eocd + 4) !== 0 || tail.readUInt16LE(eocd + 6) !== 0) {
      throw new ZipError(zipFile, null, 'is one part of a split (multi-volume) zip; join the parts into one zip');
    }
    if (count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) {
      const loc = eocdPos >= 20 ? readAt(fd, eocdPos - 20, 20) : Buffer.alloc(0);
      if (loc.length === 20 && loc.readUInt32LE(0) === SIG_EOCD64_LOCATOR) {
        const at = Number(loc.readBigUInt64LE(8));
        const rec = at + 56 <= size ? readAt(fd, at, 56) : Buffer.alloc(0);
        if (rec.length !== 56 || rec.readUInt32LE(0) !== SIG_EOCD64) throw truncated('the zip64 end-of-central-directory record is missing');
        count = Number(rec.readBigUInt64LE(32));
        cdSize = Number(rec.readBigUInt64LE(40));
        cdOffset = Number(rec.readBigUInt64LE(48));
      }
    }
    if (count > lim.maxEntries) {
      throw new ZipError(zipFile, null, `has ${fmt(count)} entries, more than the limit of ${fmt(lim.maxEntries)} (a zip bomb or not an export?)`);
    }
    if (cdOffset + cdSize > eocdPos) throw truncated('its central directory runs past its end record');
    if (cdSize > MAX_CENTRAL_DIRECTORY) throw new ZipError(zipFile, null, `has a ${human(cdSize)} central directory, more than caselens reads`);
    const cd = readAt(fd, cdOffset, cdSize);
    const entries: ZipEntry[] = [];
    let p = 0;
    for (let i = 0; i < count; i++) {
      if (p + 46 > cd.length || cd.readUInt32LE(p) !== SIG_CENTRAL) throw truncated(`central directory entry ${i + 1} of ${count} is damaged`);
      const flags = cd.readUInt16LE(p + 8);
      const nameLen = cd.readUInt16LE(p + 28);
      const extraLen = cd.readUInt16LE(p + 30);
      const commentLen = cd.readUInt16LE(p + 32);
      if (p + 46 + nameLen + extraLen + commentLen > cd.length) throw truncated(`central directory entry ${i + 1} of ${count} is damaged`);
      const rawName = cd.subarray(p + 46, p + 46 + nameLen);
      const name = flags & 0x800 ? rawName.toString('utf8') : rawName.toString('latin1');
      let uncompressedSize = cd.readUInt32LE(p + 24);
      let compressedSize = cd.readUInt32LE(p + 20);
      let localHeaderOffset = cd.readUInt32LE(p + 42);
      // zip64 extended information: only the fields that are 0xFFFFFFFF in the record, in this order
      const extra = cd.subarray(p + 46 + nameLen, p + 46 + nameLen + extraLen);
      for (let e = 0; e + 4 <= extra.length; ) {
        const id = extra.readUInt16LE(e);
        const len = extra.readUInt16LE(e + 2);
        if (id === 0x0001) {
          let q = e + 4;
          const next = () => {
            if (q + 8 > e + 4 + len || q + 8 > extra.length) throw truncated(`the zip64 sizes of "${name}" are damaged`);
            const v = Number(extra.readBigUInt64LE(q));
            q += 8;
            return v;
          };
          if (uncompressedSize === 0xffffffff) uncompressedSize = next();
          if (compressedSize === 0xffffffff) compressedSize = next();
          if (localHeaderOffset === 0xffffffff) localHeaderOffset = next();
        }
        e += 4 + len;
      }
      const externalAttributes = cd.readUInt32LE(p + 38);
      entries.push({
        name,
        isDirectory: name.endsWith('/') || name.endsWith('\\') || (externalAttributes & 0x10) !== 0 || ((externalAttributes >>> 16) & 0o170000) === 0o040000,
        flags,
        method: cd.readUInt16LE(p + 10),
        crc32: cd.readUInt32LE(p + 16),
        compressedSize,
        uncompressedSize,
        localHeaderOffset,
        externalAttributes,
      });
      p += 46 + nameLen + extraLen + commentLen;
    }
    return entries;
  } finally {
    fs.closeSync(fd);
  }
}

const isSymlink = (e: ZipEntry) => ((e.externalAttributes >>> 16) & 0o170000) === 0o120000;
const isEncrypted = (e: ZipEntry) => (e.flags & 0x1) !== 0 || (e.flags & 0x40) !== 0 || e.method === 99;

/** Why a name is unsafe to write anywhere, or null. */
function unsafePath(name: string): string | null {
  if (name.includes('\0')) return 'has a NUL character in its name';
  if (/^[\\/]/.test(name) || /^[a-zA-Z]:/.test(name)) return 'has an absolute path';
  if (name.split(/[\\/]/).includes('..')) return 'has a ".." path that would climb out of the extraction folder';
  return null;
}

/** Counts, checks and writes one entry's inflated bytes; fails as soon as a limit is passed. */
class EntrySink extends Transform {
  bytes = 0;
  crc = 0;
  private head = Buffer.alloc(0);
  constructor(
    private readonly cap: number,
    private readonly fail: (bytes: number) => Error,
    private readonly nested: () => Error,
  ) {
    super();
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    if (this.bytes + chunk.length > this.cap) {
      done(this.fail(this.bytes + chunk.length));
      return;
    }
    if (this.head.length < 4) {
      this.head = Buffer.concat([this.head, chunk.subarray(0, 4 - this.head.length)]);
      if (this.head.length === 4 && this.head[0] === 0x50 && this.head[1] === 0x4b && [0x0304, 0x0506, 0x0708].includes(this.head.readUInt16BE(2))) {
        done(this.nested());
        return;
      }
    }
    this.bytes += chunk.length;
    this.crc = zlib.crc32(chunk, this.crc);
    done(null, chunk);
  }
}

/**
 * Extracts the entries of a zip whose names match `keep` into `outDir`, streaming with bounded
 * memory, after checking the whole archive (see the file comment). Entries not kept are never
 * inflated. Paths are kept relative. Returns the extracted files; on a refusal, deletes the files
 * it wrote and throws a `ZipError`.
 */
export async function extractZip(
  zipFile: string,
  outDir: string,
  keep: (name: string) => boolean = () => true,
  opts: ExtractZipOptions = {},
): Promise<string[]> {
  const lim = { ...DEFAULT_ZIP_LIMITS, ...opts.limits };
  const root = path.resolve(outDir);
  const size = fs.statSync(zipFile).size;
  const entries = readZipDirectory(zipFile, lim);

  // 1. The whole archive, from the central directory: nothing is inflated yet.
  for (const e of entries) {
    const unsafe = unsafePath(e.name);
    if (unsafe) throw new ZipError(zipFile, e.name, unsafe);
    if (isSymlink(e)) throw new ZipError(zipFile, e.name, 'is a symbolic link; an export holds plain files only');
  }
  const wanted = entries.filter((e) => !e.isDirectory && keep(e.name));
  if (wanted.length === 0) {
    const inner = entries.find((e) => !e.isDirectory && /\.zip$/i.test(e.name));
    if (inner) throw new ZipError(zipFile, inner.name, 'is a zip inside the zip and the zip holds nothing else to read; unzip the inner zip and give caselens that');
  }
  const seen = new Map<string, string>();
  let declaredTotal = 0;
  const plan: Array<{ entry: ZipEntry; dataStart: number; target: string }> = [];
  const fd = fs.openSync(zipFile, 'r');
  try {
    for (const e of wanted) {
      const folded = e.name.replace(/\\/g, '/').toLowerCase();
      const twin = seen.get(folded);
      if (twin !== undefined) throw new ZipError(zipFile, e.name, `has the same name as entry "${twin}" once case is ignored; which one is meant cannot be told`);
      seen.set(folded, e.name);
      if (isEncrypted(e)) throw new ZipError(zipFile, e.name, 'is encrypted (password-protected); caselens cannot read encrypted zips: zip the export again without a password');
      if (e.method !== 0 && e.method !== 8) throw new ZipError(zipFile, e.name, `uses compression method ${e.method}, which caselens does not read (only stored and deflate); zip it again with standard compression`);
      if (e.uncompressedSize > lim.maxEntryBytes) {
        throw new ZipError(zipFile, e.name, `is ${human(e.uncompressedSize)} uncompressed, more than the per-file limit of ${human(lim.maxEntryBytes)}`);
      }
      if (e.uncompressedSize >= lim.ratioMinBytes && e.uncompressedSize > e.compressedSize * lim.maxRatio) {
        const ratio = e.compressedSize === 0 ? 'an infinite' : `a ${fmt(Math.round(e.uncompressedSize / e.compressedSize))}:1`;
        throw new ZipError(zipFile, e.name, `has ${ratio} compression ratio (${human(e.compressedSize)} → ${human(e.uncompressedSize)}), more than the limit of ${lim.maxRatio}:1: a zip bomb?`);
      }
      declaredTotal += e.uncompressedSize;
      if (declaredTotal > lim.maxTotalBytes) {
        throw new ZipError(zipFile, e.name, `brings the files to extract to ${human(declaredTotal)} uncompressed, more than the limit of ${human(lim.maxTotalBytes)}`);
      }
      const local = e.localHeaderOffset + 30 <= size ? readAt(fd, e.localHeaderOffset, 30) : Buffer.alloc(0);
      if (local.length !== 30) throw new ZipError(zipFile, e.name, 'starts past the end of the file: the zip is truncated; copy or download it again');
      if (local.readUInt32LE(0) !== SIG_LOCAL) throw new ZipError(zipFile, e.name, 'has no local header where the central directory says: the zip is damaged; copy or download it again');
      const dataStart = e.localHeaderOffset + 30 + local.readUInt16LE(26) + local.readUInt16LE(28);
      if (dataStart + e.compressedSize > size) {
        throw new ZipError(zipFile, e.name, `has data that runs past the end of the file (${fmt(dataStart + e.compressedSize - size)} bytes missing): the zip is truncated; copy or download it again`);
      }
      const target = path.resolve(root, e.name.replace(/\\/g, '/'));
      if (!target.startsWith(root + path.sep)) throw new ZipError(zipFile, e.name, 'would be written outside the extraction folder');
      plan.push({ entry: e, dataStart, target });
    }
  } finally {
    fs.closeSync(fd);
  }

  // 2. Inflate the kept entries, one at a time, counting what actually comes out.
  const files: string[] = [];
  let total = 0;
  try {
    for (const { entry: e, dataStart, target } of plan) {
      fs.mkdirSync(path.dirname(target), { recursive: true });
      const cap = Math.min(e.uncompressedSize, lim.maxEntryBytes, lim.maxTotalBytes - total);
      const sink = new EntrySink(
        cap,
        (bytes) =>
          new ZipError(
            zipFile,
            e.name,
            bytes > e.uncompressedSize
              ? `inflates to more than the ${human(e.uncompressedSize)} it declares (stopped at ${human(cap)}): the zip is damaged or a zip bomb`
              : `inflates to more than the limit (${human(cap)} left of ${human(lim.maxTotalBytes)} in all, ${human(lim.maxEntryBytes)} per file): stopped`,
          ),
        () => new ZipError(zipFile, e.name, 'is itself a zip (a zip inside the zip); unzip the inner zip and give caselens that'),
      );
      files.push(target);
      const source = e.compressedSize === 0 ? Readable.from([]) : fs.createReadStream(zipFile, { start: dataStart, end: dataStart + e.compressedSize - 1, highWaterMark: 1 << 16 });
      const out = fs.createWriteStream(target, { flags: 'wx' });
      try {
        if (e.method === 8) await pipeline(source, zlib.createInflateRaw(), sink, out);
        else await pipeline(source, sink, out);
      } catch (err) {
        if (err instanceof ZipError) throw err;
        throw new ZipError(zipFile, e.name, `cannot be inflated (${errorMessage(err)}): the zip is truncated or damaged; copy or download it again`, err);
      }
      if (sink.bytes !== e.uncompressedSize) {
        throw new ZipError(zipFile, e.name, `inflates to ${fmt(sink.bytes)} bytes but declares ${fmt(e.uncompressedSize)}: the zip is truncated or damaged; copy or download it again`);
      }
      if (sink.crc !== e.crc32) {
        throw new ZipError(zipFile, e.name, 'fails its CRC-32 check: the zip is damaged; copy or download it again');
      }
      total += sink.bytes;
    }
  } catch (err) {
    for (const f of files) fs.rmSync(f, { force: true });
    throw err instanceof ZipError ? err : new ZipError(zipFile, null, `cannot be unzipped: ${errorMessage(err)}`, err);
  }
  return files;
}
