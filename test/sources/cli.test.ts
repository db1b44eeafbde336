/** The command-line side of the sources: what `caselens ingest-hmis` / `ingest-fhir` print. */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.ts';
import type { IngestReport } from '../../src/ingest/index.ts';
import { ingestFhirCommand, ingestHmisCommand, type SourceCommandOptions } from '../../src/sources/index.ts';
import { openStore } from '../../src/store/index.ts';
import { tempDir, TEST_IDENTITY_KEY } from '../helpers.ts';
import { EXAMPLE, ROOT } from './helpers.ts';

describe('ingest-hmis and ingest-fhir commands', () => {
  it('print the ingest report, then what the export was and what was not loaded; --json gives one document', async () => {
    const db = await openStore(path.join(tempDir(), 'db.duckdb'));
    try {
      const out: string[] = [];
      const printed: IngestReport[] = [];
      const o: SourceCommandOptions = { db, identityKey: TEST_IDENTITY_KEY, rejectLimit: 0.05, json: false, out: (s) => out.push(s), printIngest: (r) => printed.push(r), root: ROOT };
      expect(await ingestHmisCommand([EXAMPLE], o)).toBe(0);
      expect(printed).toHaveLength(1);
      expect(out[0]).toBe('HMIS export: CSVVersion 2024 v1.3 (FY2024), ExportID EX-2024-001, Example CoC HMIS from caselens example, period 2024-01-01 to 2024-06-30');
      out.length = 0;
      expect(await ingestHmisCommand([EXAMPLE], { ...o, json: true })).toBe(0);
      const doc = JSON.parse(out.join('\n'));
      expect(doc.totals).toMatchObject({ inserted: 0, updated: 0 });
      expect(doc.hmis.export.csvVersion).toBe('2024 v1.3');
      await expect(ingestHmisCommand([], o)).rejects.toThrow(UsageError);
      await expect(ingestFhirCommand([], o)).rejects.toThrow(UsageError);
      await expect(ingestFhirCommand(['x.json'], { ...o, link: 'email' })).rejects.toThrow(/--link must be name_dob or none/);
    } finally {
      db.close();
    }
  });
});
