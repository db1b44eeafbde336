/**
 * Minimal RFC 4180 CSV writer over fs.WriteStream with backpressure.
 * Comma separator, LF line endings, UTF-8 without BOM, header row. A field is quoted when it
 * contains `"`, `,`, CR or LF (quotes doubled), and also when it starts or ends with a space so
 * that readers which trim unquoted fields keep the value intact. Empty field = missing value.
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { finished } from 'node:stream/promises';

export type CsvValue = string | number | null | undefined;

const NEEDS_QUOTE = /[",\r\n]/;

export function csvField(v: CsvValue): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new Error(`non-finite number in CSV: ${v}`);
    return String(v);
  }
  if (v === '') return v;
  if (!NEEDS_QUOTE.test(v) && v.charCodeAt(0) !== 32 && v.charCodeAt(v.length - 1) !== 32) return v;
  return '"' + v.replace(/"/g, '""') + '"';
}

export function csvLine(fields: readonly CsvValue[]): string {
  let s = '';
  for (let i = 0; i < fields.length; i++) {
    if (i > 0) s += ',';
    s += csvField(fields[i]);
  }
  return s + '\n';
}

const FLUSH_AT = 1 << 16;

export class CsvFile {
  /** Data rows written (header excluded). */
  rows = 0;
  private chunks: string[] = [];
  private size = 0;
  private drainWait: Promise<void> | null = null;
  private error: Error | null = null;
  private readonly stream: WriteStream;
  private readonly width: number;

  constructor(
    readonly path: string,
    header: readonly string[],
  ) {
    this.stream = createWriteStream(path, { encoding: 'utf8', highWaterMark: 1 << 20 });
    this.stream.on('error', (e: Error) => {
      this.error ??= e;
    });
    this.width = header.length;
    this.push(csvLine(header));
  }

  row(fields: readonly CsvValue[]): void {
    if (fields.length !== this.width) {
      throw new Error(`${this.path}: row has ${fields.length} fields, header has ${this.width}`);
    }
    this.push(csvLine(fields));
    this.rows++;
  }

  private push(line: string): void {
    this.chunks.push(line);
    this.size += line.length;
    if (this.size >= FLUSH_AT) this.flush();
  }

  private flush(): void {
    if (this.size === 0) return;
    const data = this.chunks.join('');
    this.chunks = [];
    this.size = 0;
    if (!this.stream.write(data) && !this.drainWait) {
      // Register the listener now, so a 'drain' emitted before we await is not missed.
      this.drainWait = once(this.stream, 'drain').then(
        () => {
          this.drainWait = null;
        },
        (e: unknown) => {
          this.drainWait = null;
          this.error ??= e instanceof Error ? e : new Error(String(e));
        },
      );
    }
  }

  get blocked(): boolean {
    return this.drainWait !== null || this.error !== null;
  }

  async drain(): Promise<void> {
    if (this.drainWait) await this.drainWait;
    if (this.error) throw this.error;
  }

  async close(): Promise<void> {
    this.flush();
    if (this.error) throw this.error;
    this.stream.end();
    await finished(this.stream);
    if (this.error) throw this.error;
  }

  destroy(): void {
    this.stream.destroy();
  }
}
