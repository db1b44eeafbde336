/**
 * npm run bench [-- ingest] [--quick]
 * Benchmarks are not tests: they print figures and write bench/out/*.json; record them in bench/RESULTS.md.
 */
import { benchIngest } from './ingest.ts';
import { benchScore } from './score.ts';
import { benchServe } from './serve.ts';
import { benchHmis } from './hmis.ts';
import { benchKpi, kpiBenchTable } from './kpi.ts';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const which = args.filter((a) => !a.startsWith('--'));
const all = which.length === 0;

if (all || which.includes('ingest')) {
  const opts = quick ? { clients: 13_000, notes: 100_000, seed: 7, runs: 1 } : { clients: 140_000, notes: 1_000_000, seed: 7, runs: 3 };
  console.log(`bench ingest: ${opts.notes.toLocaleString()} notes, ~${opts.clients.toLocaleString()} clients, ${opts.runs} run(s) each …`);
  const r = await benchIngest(opts);
  console.log(JSON.stringify(r, null, 2));
  console.log(`\n| rows | native read_csv → insert | caselens ingest (CLI, incl. startup) | ratio | caselens in-process | ratio | peak RSS |`);
  console.log(`| ${r.totalRows.toLocaleString()} | ${(r.nativeMs / 1000).toFixed(2)} s (${r.nativeRowsPerSec.toLocaleString()} rows/s) | ${(r.caselensMs / 1000).toFixed(2)} s (${r.caselensRowsPerSec.toLocaleString()} rows/s) | ${r.ratio}× | ${(r.caselensInProcessMs / 1000).toFixed(2)} s | ${r.ratioInProcess}× | ${r.peakRssMb} MB |`);
}

if (all || which.includes('score')) {
  const opts = quick ? { notes: 20_000, llmNotes: 200 } : { notes: 100_000, llmNotes: 1000 };
  console.log(`bench score: offline on ${opts.notes.toLocaleString()} notes, LLM path on ${opts.llmNotes} …`);
  const r = await benchScore(opts);
  console.log(JSON.stringify(r, null, 2));
}

if (all || which.includes('serve')) {
  console.log('bench serve: KPI JSON and a dashboard page on the sample database, autocannon on loopback …');
  const r = await benchServe(quick ? { duration: 3, connections: 10 } : { duration: 10, connections: 10 });
  console.log(JSON.stringify(r, null, 2));
}

if (all || which.includes('hmis')) {
  console.log('bench hmis: the HUD HMIS export (../shared/data) through caselens against DuckDB\'s own read …');
  const r = await benchHmis(quick ? { scales: [1], runs: 1 } : { scales: [1, 20], runs: 3 });
  console.log(JSON.stringify(r, null, 2));
}

if (all || which.includes('kpi')) {
  const r = await benchKpi({ ...(quick ? { clients: 13_000, notes: 100_000, runs: 3 } : { clients: 140_000, notes: 1_000_000, runs: 9 }), seed: 7, log: console.log });
  console.log(kpiBenchTable(r));
}
