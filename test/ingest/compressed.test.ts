/**
 * Compressed sources (.csv.gz, .csv.zst) are checked end to end before DuckDB reads them: a file
 * cut short refuses the whole job with its own message instead of loading the rows before the cut.
 */
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { exitCodes } from '../../src/errors.ts';
import { CompressedFileError, verifyCompressed } from '../../src/ingest/compressed.ts';
import { CLEAN, cleanPipeline, ingest, tableCounts, tempDir, withDb, writeFiles, writePipeline } from '../helpers.ts';

const N = 1500;
const clientsCsv = (): string => {
  const rows = ['client_key,first_name,last_name,dob,gender,phone', ...CLEAN['clients.csv'].trim().split('\n').slice(1)];
  for (let i = 4; i <= N; i++) rows.push(`C${i},Given${i},Family${i},${1950 + (i % 50)}-${String((i % 12) + 1).padStart(2, '0')}-${String((i % 28) + 1).padStart(2, '0')},female,555-${String(i).padStart(4, '0')}`);
  return rows.join('\n') + '\n';
};

/** The clean pipeline with clients read from `file` (a compressed clients.csv). */
function setup(dir: string, file: string, data: Buffer): string {
  const { 'clients.csv': _clients, ...rest } = CLEAN;
  writeFiles(dir, rest);
  fs.writeFileSync(path.join(dir, file), data);
  const pipeline = cleanPipeline();
  const sources = (pipeline.sources as Array<Record<string, unknown>>).map((s) => (s.name === 'clients' ? { ...s, path: file } : s));
  return writePipeline(dir, 'crm', { ...pipeline, sources });
}

const empty = (counts: Record<string, number>) => Object.values(counts).every((n) => n === 0);

describe('compressed sources', () => {
  it('a .csv.gz cut in half refuses the whole job with its own message; nothing is loaded', async () => {
    const dir = tempDir();
    const gz = zlib.gzipSync(clientsCsv());
    const pipelineFile = setup(dir, 'clients.csv.gz', gz.subarray(0, gz.length >> 1));
    await withDb(path.join(dir, 'db.duckdb'), async (db) => {
      const err = await ingest(db, dir, pipelineFile).then(() => null, (e: unknown) => e as Error & { exitCode: number });
      expect(err?.message).toMatch(/clients\.csv\.gz: the gzip stream is truncated or damaged \(unexpected end of file after [\d,]+ bytes\): nothing was loaded; copy or export it again/);
      expect(err?.exitCode).toBe(exitCodes.rejected);
      expect(empty(await tableCounts(db))).toBe(true);
    });
  });

  it('an intact .csv.gz loads every row', async () => {
    const dir = tempDir();
    const pipelineFile = setup(dir, 'clients.csv.gz', zlib.gzipSync(clientsCsv()));
    await withDb(path.join(dir, 'db.duckdb'), async (db) => {
      const report = await ingest(db, dir, pipelineFile);
      expect(report.sources.find((s) => s.source === 'clients')).toMatchObject({ read: N, rejected: 0 });
      expect(await db.value('SELECT count(*)::INT FROM clients')).toBe(N);
    });
  });

  it('a bad row in a .csv.gz is reported at its physical line in the decompressed text (blank lines counted)', async () => {
    const dir = tempDir();
    // header (1), C1..C3 (2-4), blank (5), C9 with a date that is not a date (6)
    const text = CLEAN['clients.csv'].trimEnd() + '\n\nC9,Ida,Bad,not-a-date,female,\n';
    const pipelineFile = setup(dir, 'clients.csv.gz', zlib.gzipSync(text));
    await withDb(path.join(dir, 'db.duckdb'), async (db) => {
      await ingest(db, dir, pipelineFile, { rejectLimit: 1 });
      expect(await db.all("SELECT file, line, code FROM ingest_rejects WHERE source = 'clients'")).toEqual([{ file: 'clients.csv.gz', line: 6, code: 'bad_date' }]);
    });
  });

  it('a .csv.zst cut short is refused too (its frames are walked: Node 20 has no zstd decoder)', async () => {
    const dir = tempDir();
    const zst = path.join(dir, 'made.csv.zst');
    fs.writeFileSync(path.join(dir, 'made.csv'), clientsCsv());
    await withDb(path.join(dir, 'scratch.duckdb'), async (db) => {
      await db.run(`COPY (SELECT * FROM read_csv('${path.join(dir, 'made.csv')}', all_varchar = true)) TO '${zst}' (FORMAT csv, COMPRESSION zstd)`);
    });
    await expect(verifyCompressed(zst)).resolves.toBeUndefined();
    const data = fs.readFileSync(zst);
    const pipelineFile = setup(dir, 'clients.csv.zst', data.subarray(0, data.length - 100));
    await withDb(path.join(dir, 'db.duckdb'), async (db) => {
      await expect(ingest(db, dir, pipelineFile)).rejects.toThrow(/clients\.csv\.zst: the zstd stream is truncated or damaged \(the file ends inside a block of frame 1 .*\): nothing was loaded/);
      expect(empty(await tableCounts(db))).toBe(true);
    });
  });

  it('verifyCompressed: a damaged CRC trailer, garbage and a gzip of several members', async () => {
    const dir = tempDir();
    const gz = zlib.gzipSync(clientsCsv());
    const badCrc = Buffer.from(gz);
    badCrc[badCrc.length - 8] = badCrc[badCrc.length - 8]! ^ 0xff;
    fs.writeFileSync(path.join(dir, 'crc.csv.gz'), badCrc);
    const e = await verifyCompressed(path.join(dir, 'crc.csv.gz')).then(() => null, (x: unknown) => x);
    expect(e).toBeInstanceOf(CompressedFileError);
    expect((e as Error).message).toMatch(/crc\.csv\.gz: the gzip stream is truncated or damaged \(incorrect data check/);
    fs.writeFileSync(path.join(dir, 'junk.csv.gz'), Buffer.from('client_key\nC1\n'));
    await expect(verifyCompressed(path.join(dir, 'junk.csv.gz'))).rejects.toThrow(/junk\.csv\.gz: the gzip stream is truncated or damaged \(incorrect header check/);
    fs.writeFileSync(path.join(dir, 'two.csv.gz'), Buffer.concat([zlib.gzipSync('a\n1\n'), zlib.gzipSync('2\n')]));
    await expect(verifyCompressed(path.join(dir, 'two.csv.gz'))).resolves.toBeUndefined();
    await expect(verifyCompressed(path.join(dir, 'plain.csv'))).resolves.toBeUndefined();
  });
});
