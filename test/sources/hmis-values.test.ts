/**
 * caselens' HUD value lists (src/sources/hmis-values.ts) against HUD's machine-readable HMIS CSV
 * specification FY2024 and the lists Green River publishes: same codes, same wording.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { HUD, parseCsv } from '../../src/sources/index.ts';
import { sharedDir } from './helpers.ts';

const SPEC = sharedDir('hmis/spec');

/** Wording compared loosely: case, curly apostrophes, dashes and spacing differ between HUD's own files. */
const norm = (s: string) => s.toLowerCase().replace(/[’‘]/g, "'").replace(/\s*[–—-]\s*/g, '-').replace(/\s+/g, ' ').trim();

describe.skipIf(!SPEC)('HMIS value lists match HUD\'s machine-readable specification FY2024 (../shared/data/hmis/spec)', () => {
  it('every list caselens uses has HUD\'s codes, and each label is HUD\'s wording', () => {
    const rows = parseCsv(fs.readFileSync(path.join(SPEC!, 'csv_from_xlsx', 'CSV_Lists_FY2024.csv'), 'utf8')).slice(1);
    const spec = new Map<string, Map<string, string>>();
    for (const [id, value, text] of rows) {
      if (!id || value === undefined) continue;
      const m = spec.get(id.trim()) ?? new Map<string, string>();
      m.set(value.trim(), (text ?? '').trim());
      spec.set(id.trim(), m);
    }
    const greenriver = new Map<string, Map<string, string>>(
      (JSON.parse(fs.readFileSync(path.join(SPEC!, 'greenriver_2024_hud_lists.json'), 'utf8')) as Array<{ code: string; values: Array<{ key: number | string; description: string }> }>)
        .map((l) => [l.code, new Map(l.values.map((v) => [String(v.key), v.description]))]),
    );
    const alias: Record<string, string> = { '3.12.1': '3.12', 'V8.2': 'V8.1' };
    let checked = 0;
    for (const list of Object.values(HUD)) {
      const fromSpec = spec.get(list.id);
      expect(fromSpec, `list ${list.id} is in HUD's specification`).toBeDefined();
      expect(Object.keys(list.values).sort(), `codes of list ${list.id}`).toEqual([...fromSpec!.keys()].sort());
      const gr = greenriver.get(alias[list.id] ?? list.id);
      for (const [code, label] of Object.entries(list.values)) {
        const wordings = [fromSpec!.get(code), gr?.get(code)].filter((x): x is string => !!x).map(norm);
        expect(wordings, `${list.id} ${code} "${label}"`).toContain(norm(label));
        checked++;
      }
    }
    expect(checked).toBe(238);
  });
});
