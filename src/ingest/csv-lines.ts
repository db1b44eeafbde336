/**
 * Physical line numbers for CSV records, as an editor shows them. DuckDB numbers the rows it reads
 * by record (a record with a quoted line break counts once) and skips blank lines, so neither its
 * row numbers nor the lines in its reject table are the physical line. One pass over the bytes
 * (only when a load has rejects to report) gives, for every record, both the physical line and the
 * line DuckDB's reader reports for it.
 */
import fs from 'node:fs';
import zlib from 'node:zlib';

export interface RecordLines {
  /** data records (after the header), blank lines not counted */
  count: number;
  /** per record: the physical line it starts on (1-based) */
  physical: Int32Array;
  /** per record: the line DuckDB's reader reports (records and blank lines, line breaks in values not counted) */
  reader: Int32Array;
}

/** Reads `file` once; `quote` is the CSV quote byte (a file read in UTF-8 or a single-byte encoding). */
export async function recordLines(file: string, quote = '"'): Promise<RecordLines> {
  const q = quote.charCodeAt(0);
  let physical: Int32Array = new Int32Array(1024);
  let reader: Int32Array = new Int32Array(1024);
  let count = 0;
  let headerSeen = false;
  let quoted = false;
  let line = 1;
  let readerLine = 0;
  let startLine = 1;
  let hasBytes = false;
  const endRecord = () => {
    readerLine++;
    if (hasBytes) {
      if (!headerSeen) headerSeen = true;
      else {
        if (count === physical.length) {
          physical = grow(physical);
          reader = grow(reader);
        }
        physical[count] = startLine;
        reader[count] = readerLine;
        count++;
      }
    }
    hasBytes = false;
    startLine = line;
  };
  // a gzipped CSV is counted in its text (DuckDB reads it decompressed)
  const stream = /\.gz$/i.test(file) ? fs.createReadStream(file, { highWaterMark: 1 << 20 }).pipe(zlib.createGunzip()) : fs.createReadStream(file, { highWaterMark: 1 << 20 });
  for await (const chunk of stream) {
    const buf = chunk as Buffer;
    for (let i = 0; i < buf.length; i++) {
      const b = buf[i]!;
      if (b === 0x0a) {
        line++;
        if (!quoted) endRecord();
      } else if (b !== 0x0d) {
        hasBytes = true;
        if (b === q) quoted = !quoted;
      }
    }
  }
  if (hasBytes) endRecord();
  return { count, physical: physical.subarray(0, count), reader: reader.subarray(0, count) };
}

function grow(a: Int32Array): Int32Array {
  const b = new Int32Array(a.length * 2);
  b.set(a);
  return b;
}

/**
 * Physical lines of the records DuckDB accepted (in its order) and of those its reader refused
 * (given by the line it reported): accepted record r is the r-th record not refused.
 */
export function mapLines(lines: RecordLines, refusedReaderLines: number[]): { accepted: Int32Array; refused: Map<number, number> } {
  const byReaderLine = new Map<number, number>();
  for (let k = 0; k < lines.count; k++) byReaderLine.set(lines.reader[k]!, k);
  const refusedRecords = new Set<number>();
  const refused = new Map<number, number>();
  for (const l of refusedReaderLines) {
    const k = byReaderLine.get(l);
    if (k !== undefined) {
      refusedRecords.add(k);
      refused.set(l, lines.physical[k]!);
    }
  }
  const accepted = new Int32Array(Math.max(0, lines.count - refusedRecords.size));
  let r = 0;
  for (let k = 0; k < lines.count && r < accepted.length; k++) if (!refusedRecords.has(k)) accepted[r++] = lines.physical[k]!;
  return { accepted, refused };
}
