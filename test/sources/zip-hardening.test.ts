/**
 * Zips that cannot hurt or mislead: bombs, truncated downloads, encrypted, duplicate-by-case,
 * symlink, `..` and nested entries are refused with a ZipError naming the zip and the entry,
 * before anything is loaded, and nothing is left in the temp folder. All zips are generated here.
 */
import fs from 'node:fs';
import path from 'node:path';
import { zipSync, type Zippable } from 'fflate';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { exitCodes } from '../../src/errors.ts';
import { ingestHmis } from '../../src/sources/index.ts';
import { extractZip, readZipDirectory, ZipError } from '../../src/sources/zip.ts';
import { tempDir, TEST_IDENTITY_KEY, withDb } from '../helpers.ts';
import { EXAMPLE } from './helpers.ts';

const MiB = 1024 * 1024;

function exampleEntries(prefix = ''): Zippable {
  const entries: Zippable = {};
  for (const f of fs.readdirSync(EXAMPLE).sort()) if (f.endsWith('.csv')) entries[`${prefix}${f}`] = fs.readFileSync(path.join(EXAMPLE, f));
  return entries;
}

/** Central-directory and local-header offsets of each entry of a zip fflate wrote (no comment, no zip64). */
function layout(zip: Uint8Array): Map<string, { cd: number; local: number }> {
  const b = Buffer.from(zip.buffer, zip.byteOffset, zip.byteLength);
  const eocd = b.length - 22;
  expect(b.readUInt32LE(eocd)).toBe(0x06054b50);
  const out = new Map<string, { cd: number; local: number }>();
  let p = b.readUInt32LE(eocd + 16);
  for (let i = 0; i < b.readUInt16LE(eocd + 10); i++) {
    const n = b.readUInt16LE(p + 28);
    out.set(b.subarray(p + 46, p + 46 + n).toString('utf8'), { cd: p, local: b.readUInt32LE(p + 42) });
    p += 46 + n + b.readUInt16LE(p + 30) + b.readUInt16LE(p + 32);
  }
  return out;
}

/** Edits the bytes of one entry's central-directory record and local header. */
function patch(zip: Uint8Array, name: string, fn: (b: Buffer, at: { cd: number; local: number }) => void): Uint8Array {
  const copy = Buffer.from(zip);
  const at = layout(copy).get(name);
  if (!at) throw new Error(`no entry ${name}`);
  fn(copy, at);
  return copy;
}

const write = (dir: string, name: string, data: Uint8Array) => {
  const file = path.join(dir, name);
  fs.writeFileSync(file, data);
  return file;
};

const listFiles = (dir: string): string[] => (fs.existsSync(dir) ? (fs.readdirSync(dir, { recursive: true }) as string[]).filter((f) => fs.statSync(path.join(dir, f)).isFile()) : []);

async function refused(p: Promise<unknown>): Promise<ZipError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ZipError);
  expect((err as ZipError).exitCode).toBe(exitCodes.rejected);
  return err as ZipError;
}

// ingestHmis unzips into os.tmpdir(): point it at a folder of our own to see what is left there.
const unzipFolders = () => fs.readdirSync(tmpRoot).filter((f) => f.startsWith('caselens-hmis-'));
let tmpRoot: string;
let savedTmp: string | undefined;
beforeEach(() => {
  savedTmp = process.env.TMPDIR;
  tmpRoot = tempDir('caselens-ziptmp-');
  process.env.TMPDIR = tmpRoot;
});
afterEach(() => {
  if (savedTmp === undefined) delete process.env.TMPDIR;
  else process.env.TMPDIR = savedTmp;
});

/** ingestHmis on `zip` must be refused with a ZipError, load no row and leave nothing in the temp folder. */
async function expectRefusedLoad(zipFile: string): Promise<ZipError> {
  const dir = path.dirname(zipFile);
  return withDb(path.join(dir, `db-${path.basename(zipFile)}.duckdb`), async (db) => {
    const err = await refused(ingestHmis({ db, input: zipFile, identityKey: TEST_IDENTITY_KEY, rejectLimit: 0.05, dataQuality: false }));
    expect(err.message.startsWith(`${zipFile}: `)).toBe(true);
    expect(err.message).toMatch(/nothing was loaded/);
    for (const t of ['clients', 'cases', 'programs']) expect({ t, n: await db.value(`SELECT count(*)::INT FROM ${t}`) }).toEqual({ t, n: 0 });
    expect(unzipFolders()).toEqual([]);
    return err;
  });
}

describe('zip hardening: bombs and limits', () => {
  it('an entry the loader reads with a 1000:1 ratio (50 MB of zeros) is refused from the central directory, before anything is inflated', async () => {
    const dir = tempDir();
    const zip = zipSync({ ...exampleEntries(), 'Funder.csv': [new Uint8Array(50 * MiB), { level: 1 }] });
    expect(zip.length).toBeLessThan(MiB);
    const file = write(dir, 'bomb.zip', zip);
    const err = await expectRefusedLoad(file);
    expect(err.entry).toBe('Funder.csv');
    expect(err.message).toMatch(/entry "Funder\.csv" has a [\d,]+:1 compression ratio .* more than the limit of 200:1: a zip bomb\?/);
    // extractZip itself: nothing written
    const out = tempDir();
    await refused(extractZip(file, out, (n) => n.endsWith('.csv')));
    expect(listFiles(out)).toEqual([]);
  });

  it('a declared size that lies is caught while streaming: inflating stops at the declared size, nothing stays on disk', async () => {
    const dir = tempDir();
    const big = Buffer.alloc(8 * MiB, 'x,y\n');
    const honest = zipSync({ 'a.csv': Buffer.from('a,b\n1,2\n'), 'Client.csv': [big, { level: 6 }] });
    // claim 100 KiB uncompressed, in both the central directory and the local header
    const lying = patch(honest, 'Client.csv', (b, at) => {
      b.writeUInt32LE(100 * 1024, at.cd + 24);
      b.writeUInt32LE(100 * 1024, at.local + 22);
    });
    const file = write(dir, 'lying.zip', lying);
    const out = tempDir();
    const err = await refused(extractZip(file, out, (n) => n.endsWith('.csv')));
    expect(err.message).toMatch(/entry "Client\.csv" inflates to more than the 102,400 bytes it declares \(stopped at 102,400 bytes\)/);
    expect(listFiles(out)).toEqual([]);
  });

  it('limits are options: per-file size, total size and entry count, each with its own message', async () => {
    const dir = tempDir();
    const file = write(dir, 'three.zip', zipSync({ 'a.csv': Buffer.alloc(3000, 'a'), 'b.csv': Buffer.alloc(3000, 'b'), 'c.csv': Buffer.alloc(10, 'c') }));
    const keep = () => true;
    expect((await refused(extractZip(file, tempDir(), keep, { limits: { maxEntryBytes: 2000 } }))).message).toMatch(/entry "a\.csv" is 3,000 bytes uncompressed, more than the per-file limit of 2,000 bytes/);
    expect((await refused(extractZip(file, tempDir(), keep, { limits: { maxTotalBytes: 5000 } }))).message).toMatch(/entry "b\.csv" brings the files to extract to 6,000 bytes uncompressed, more than the limit of 5,000 bytes/);
    expect((await refused(extractZip(file, tempDir(), keep, { limits: { maxEntries: 2 } }))).message).toMatch(/three\.zip: the zip has 3 entries, more than the limit of 2/);
    expect((await refused(extractZip(file, tempDir(), keep, { limits: { maxRatio: 2, ratioMinBytes: 1000 } }))).message).toMatch(/entry "a\.csv" has a [\d,]+:1 compression ratio/);
    const out = tempDir();
    expect((await extractZip(file, out, keep)).map((f) => path.basename(f))).toEqual(['a.csv', 'b.csv', 'c.csv']);
  });

  it('entries the loader does not read are never inflated, even one declaring 1 GiB', async () => {
    const dir = tempDir();
    const zip = patch(zipSync({ ...exampleEntries(), 'attachments/scan.bin': [new Uint8Array(MiB), { level: 1 }] }), 'attachments/scan.bin', (b, at) => {
      b.writeUInt32LE(1024 * MiB, at.cd + 24);
      b.writeUInt32LE(1024 * MiB, at.local + 22);
    });
    expect(readZipDirectory(write(dir, 'x.zip', zip)).find((e) => e.name === 'attachments/scan.bin')?.uncompressedSize).toBe(1024 * MiB);
    const out = tempDir();
    const files = await extractZip(path.join(dir, 'x.zip'), out, (n) => n.endsWith('.csv'));
    expect(files.every((f) => f.endsWith('.csv'))).toBe(true);
    expect(listFiles(out).some((f) => f.includes('scan.bin'))).toBe(false);
  });
});

describe('zip hardening: truncated and damaged archives', () => {
  it('a zip cut inside its last entry is refused as truncated, not loaded without that file', async () => {
    const dir = tempDir();
    const zip = zipSync(exampleEntries('HMIS export/'));
    const last = [...layout(zip).values()].sort((a, b) => b.local - a.local)[0]!;
    const err = await expectRefusedLoad(write(dir, 'cut-last.zip', zip.subarray(0, last.local + 80)));
    expect(err.message).toMatch(/cut-last\.zip: the zip is truncated or damaged \(no end-of-central-directory record: the file was cut short\); copy or download it again/);
  });

  it('a zip cut before its last three files and its central directory is refused as truncated, not blamed on unknown references', async () => {
    const dir = tempDir();
    const zip = zipSync(exampleEntries());
    const third = [...layout(zip).values()].sort((a, b) => b.local - a.local)[2]!;
    const err = await expectRefusedLoad(write(dir, 'cut-three.zip', zip.subarray(0, third.local)));
    expect(err.message).toMatch(/truncated or damaged \(no end-of-central-directory record/);
  });

  it('an entry whose data runs past the end of the file, or that fails its CRC-32, is refused', async () => {
    const dir = tempDir();
    const zip = zipSync(exampleEntries(), { level: 0 });
    const overrun = patch(zip, 'Client.csv', (b, at) => b.writeUInt32LE(b.readUInt32LE(at.cd + 20) + zip.length, at.cd + 20));
    const e1 = await expectRefusedLoad(write(dir, 'overrun.zip', overrun));
    expect(e1.message).toMatch(/overrun\.zip: entry "Client\.csv" has data that runs past the end of the file \([\d,]+ bytes missing\): the zip is truncated/);
    const flipped = patch(zip, 'Client.csv', (b, at) => {
      const data = at.local + 30 + b.readUInt16LE(at.local + 26) + b.readUInt16LE(at.local + 28);
      b[data + 40] = b[data + 40]! ^ 0x01;
    });
    const e2 = await expectRefusedLoad(write(dir, 'flipped.zip', flipped));
    expect(e2.message).toMatch(/flipped\.zip: entry "Client\.csv" fails its CRC-32 check: the zip is damaged/);
  });
});

describe('zip hardening: entries that are refused', () => {
  it('an encrypted entry (general-purpose flag bit 0) is refused as encrypted', async () => {
    const dir = tempDir();
    const zip = patch(zipSync(exampleEntries()), 'Client.csv', (b, at) => {
      b.writeUInt16LE(b.readUInt16LE(at.cd + 8) | 1, at.cd + 8);
      b.writeUInt16LE(b.readUInt16LE(at.local + 6) | 1, at.local + 6);
    });
    const err = await expectRefusedLoad(write(dir, 'locked.zip', zip));
    expect(err.message).toMatch(/locked\.zip: entry "Client\.csv" is encrypted \(password-protected\)/);
  });

  it('Client.csv and CLIENT.CSV in one zip: refused, neither is picked silently', async () => {
    const dir = tempDir();
    const entries = exampleEntries();
    const err = await expectRefusedLoad(write(dir, 'twins.zip', zipSync({ ...entries, 'CLIENT.CSV': entries['Client.csv']! })));
    expect(err.message).toMatch(/twins\.zip: entry "CLIENT\.CSV" has the same name as entry "Client\.csv" once case is ignored/);
  });

  it('a symbolic link entry is refused', async () => {
    const dir = tempDir();
    const zip = zipSync({ ...exampleEntries(), 'Client.csv': [new TextEncoder().encode('/etc/passwd'), { os: 3, attrs: (0o120777 << 16) >>> 0 }] });
    const err = await expectRefusedLoad(write(dir, 'link.zip', zip));
    expect(err.message).toMatch(/link\.zip: entry "Client\.csv" is a symbolic link/);
  });

  it('"../evil.csv" and "/tmp/evil.csv" are refused, and nothing lands outside the folder', async () => {
    const dir = tempDir();
    const up = await expectRefusedLoad(write(dir, 'up.zip', zipSync({ ...exampleEntries(), '../evil.csv': new TextEncoder().encode('a\n1\n') })));
    expect(up.message).toMatch(/up\.zip: entry "\.\.\/evil\.csv" has a "\.\." path/);
    const abs = await expectRefusedLoad(write(dir, 'abs.zip', zipSync({ ...exampleEntries(), '/tmp/evil.csv': new TextEncoder().encode('a\n1\n') })));
    expect(abs.message).toMatch(/abs\.zip: entry "\/tmp\/evil\.csv" has an absolute path/);
    expect(fs.existsSync(path.join(path.dirname(tmpRoot), 'evil.csv'))).toBe(false);
  });

  it('a zip inside the zip is refused: as an entry the loader reads, and as the only thing inside', async () => {
    const dir = tempDir();
    const inner = zipSync(exampleEntries());
    const asCsv = await expectRefusedLoad(write(dir, 'nested.zip', zipSync({ ...exampleEntries(), 'Funder.csv': inner })));
    expect(asCsv.message).toMatch(/nested\.zip: entry "Funder\.csv" is itself a zip \(a zip inside the zip\)/);
    const only = await expectRefusedLoad(write(dir, 'wrapper.zip', zipSync({ 'export.zip': inner })));
    expect(only.message).toMatch(/wrapper\.zip: entry "export\.zip" is a zip inside the zip/);
  });

  it('an intact zip of the example export still loads', async () => {
    const dir = tempDir();
    const file = write(dir, 'ok.zip', zipSync(exampleEntries('HMIS export 2024-07-01/')));
    await withDb(path.join(dir, 'db.duckdb'), async (db) => {
      const r = await ingestHmis({ db, input: file, identityKey: TEST_IDENTITY_KEY, rejectLimit: 0.05, dataQuality: false });
      expect(r.export.zipped).toBe(true);
      expect(await db.value('SELECT count(*)::INT FROM clients')).toBeGreaterThan(0);
    });
    expect(unzipFolders()).toEqual([]);
  });
});
