/** Plain-text tables for the terminal. */
export function table(rows: Array<Record<string, unknown>>, columns?: string[]): string {
  if (rows.length === 0) return '(none)';
  const cols = columns ?? Object.keys(rows[0]!);
  const cell = (v: unknown): string => {
    if (v == null) return '';
    if (v instanceof Date) return v.toISOString().replace('T', ' ').replace(/\.000Z$/, '').replace(/ 00:00:00$/, '');
    if (typeof v === 'number') return Number.isInteger(v) ? v.toLocaleString('en-US') : v.toFixed(3);
    if (Array.isArray(v)) return v.join(', ');
    return String(v);
  };
  const body = rows.map((r) => cols.map((c) => cell(r[c])));
  const widths = cols.map((c, i) => Math.max(c.length, ...body.map((b) => b[i]!.length)));
  const numeric = cols.map((c) => rows.every((r) => r[c] == null || typeof r[c] === 'number'));
  const line = (vals: string[]) => vals.map((v, i) => (numeric[i] ? v.padStart(widths[i]!) : v.padEnd(widths[i]!))).join('  ').trimEnd();
  return [line(cols), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)].join('\n');
}

/** A one-line progress indicator on a terminal; silent otherwise. */
export function progressLine(stream: NodeJS.WriteStream = process.stderr, opts: { plain?: boolean } = {}) {
  const tty = Boolean(stream.isTTY) && !process.env.CI;
  let last = 0;
  let lastText = '';
  return {
    enabled: tty || Boolean(opts.plain),
    update(text: string) {
      if (opts.plain && !tty) {
        // a line per step, and at most one a second within a step, for logs and for programs watching
        const step = text.replace(/\s*\[[#.]*\].*$/, '');
        const now = Date.now();
        if (step !== lastText || now - last >= 1000) {
          stream.write(`${text.replace(/\[[#.]*\]\s*/, '').trimEnd()}\n`);
          last = now;
        }
        lastText = step;
        return;
      }
      if (!tty) return;
      const now = Date.now();
      if (now - last < 80) return;
      last = now;
      stream.write(`\r\x1b[2K${text.slice(0, (stream.columns ?? 100) - 1)}`);
    },
    done() {
      if (tty) stream.write('\r\x1b[2K');
    },
  };
}

export function bar(done: number, total: number, width = 24): string {
  const frac = total > 0 ? Math.min(1, done / total) : 0;
  const filled = Math.round(frac * width);
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(frac * 100).toFixed(0).padStart(3)}%`;
}
