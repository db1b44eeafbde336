/**
 * Stand-alone entry point for the sample generator:
 *   npx tsx src/sample/main.ts --clients 1500 --seed 42 --out data/sample [--notes N] [--start YYYY-MM-DD] [--months M]
 * Prints the per-file row counts and the elapsed time.
 */
import { parseArgs } from 'node:util';
import { generateSample } from './index.ts';

const { values } = parseArgs({
  options: {
    clients: { type: 'string', default: '1500' },
    seed: { type: 'string', default: '42' },
    out: { type: 'string', default: 'data/sample' },
    notes: { type: 'string' },
    start: { type: 'string' },
    months: { type: 'string' },
    quiet: { type: 'boolean', default: false },
  },
});

const t0 = performance.now();
let lastPct = -1;
const summary = await generateSample(
  {
    clients: Number(values.clients),
    seed: Number(values.seed),
    outDir: values.out as string,
    notes: values.notes === undefined ? undefined : Number(values.notes),
    start: values.start,
    months: values.months === undefined ? undefined : Number(values.months),
  },
  (done, total) => {
    const pct = Math.floor((100 * done) / total);
    if (!values.quiet && pct !== lastPct && pct % 10 === 0) {
      lastPct = pct;
      process.stderr.write(`sample: ${pct}%\n`);
    }
  },
);
for (const [file, rows] of Object.entries(summary.files)) console.log(`${file.padEnd(26)} ${String(rows).padStart(10)}`);
console.log(`done in ${((performance.now() - t0) / 1000).toFixed(1)} s -> ${values.out}`);
