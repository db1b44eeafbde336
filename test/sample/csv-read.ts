/** Strict RFC 4180 reader for the sample tests (rejects stray quotes and bare CR). */
import fs from 'node:fs';

export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let inQuotes = false;
  let wasQuoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inQuotes) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else inQuotes = false;
      } else field += c;
      continue;
    }
    if (c === '"') {
      if (field !== '' || wasQuoted) throw new Error(`stray quote at offset ${i}`);
      inQuotes = true;
      wasQuoted = true;
    } else if (c === ',') {
      row.push(field);
      field = '';
      wasQuoted = false;
    } else if (c === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      wasQuoted = false;
    } else if (c === '\r') {
      throw new Error(`bare CR at offset ${i}`);
    } else {
      if (wasQuoted) throw new Error(`text after closing quote at offset ${i}`);
      field += c;
    }
  }
  if (inQuotes) throw new Error('unterminated quoted field');
  if (field !== '' || row.length > 0) throw new Error('missing final line ending');
  return rows;
}

export type Row = Record<string, string>;

export function readTable(file: string): { header: string[]; rows: Row[] } {
  const buf = fs.readFileSync(file);
  if (buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) throw new Error(`${file} has a BOM`);
  const all = parseCsv(buf.toString('utf8'));
  const header = all[0];
  if (!header) throw new Error(`${file} is empty`);
  const rows = all.slice(1).map((r, i) => {
    if (r.length !== header.length) throw new Error(`${file} row ${i + 2}: ${r.length} fields, header has ${header.length}`);
    const o: Row = {};
    header.forEach((h, j) => (o[h] = r[j] as string));
    return o;
  });
  return { header, rows };
}
