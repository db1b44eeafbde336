/**
 * HMIS CSV on Green River's hand-built importer fixtures (FY2024), part 1 (a–d): BOMs, bad data,
 * bad line endings, duplicate primary keys. Each one loads or is refused with reasons; none crashes;
 * counts add up; a re-load changes nothing.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { FIXTURES, loadAndCheck, type Outcome } from './fixtures.ts';

describe.skipIf(!FIXTURES)('HMIS CSV: importer fixtures FY2024, a–d (../shared/data/hmis/importer-fixtures)', () => {
  let outcomes = new Map<string, Outcome>();
  const get = (name: string) => {
    const o = outcomes.get(name);
    if (!o) throw new Error(`fixture ${name} was not loaded`);
    return o;
  };
  beforeAll(async () => {
    outcomes = await loadAndCheck((name) => name < 'e');
  }, 120_000);

  it('every fixture of this part loads, or is refused with its reasons; none crashes; counts add up; re-loading changes nothing', () => {
    expect(outcomes.size).toBeGreaterThanOrEqual(8);
  });

  it('duplicate primary keys: the first row loads, later ones are rejected naming the first one\'s line', () => {
    const o = get('duplicate_primary_keys');
    const dups = o.rejects.filter((r) => r.code === 'duplicate_key').map((r) => `${r.file}:${r.line} ${r.value}: ${r.reason}`);
    expect(dups).toEqual([
      'Assessment.csv:4 hmis_ce_assessment:1: duplicate key "hmis_ce_assessment:1" in this load: an earlier row (Assessment.csv, line 2) has the same key and was loaded; remove or merge the duplicates',
      'Client.csv:5 7b8c1279001142afac2fd0bde7a8f6bf: duplicate key "7b8c1279001142afac2fd0bde7a8f6bf" in this load: an earlier row (Client.csv, line 4) has the same key and was loaded; remove or merge the duplicates',
      'Client.csv:6 7b8c1279001142afac2fd0bde7a8f6bf: duplicate key "7b8c1279001142afac2fd0bde7a8f6bf" in this load: an earlier row (Client.csv, line 4) has the same key and was loaded; remove or merge the duplicates',
      'Enrollment.csv:6 557890: duplicate key "557890" in this load: an earlier row (Enrollment.csv, line 3) has the same key and was loaded; remove or merge the duplicates',
    ]);
  });  it('bad line endings: the file with CRLF and LF mixed is named, with the first line of each kind, and still loads', () => {
    const o = get('bad_ending');
    expect(o.result!.notes).toContain(
      'Project.csv: mixed line endings (1 line(s) end in CRLF, first at line 2; 1 in LF, first at line 1): read from a copy with LF endings; ask the exporting system for one kind (HUD exports use CRLF)',
    );
    expect(o.result!.report.sources.find((s) => s.source === 'project')).toMatchObject({ read: 1, loaded: 1 });
    expect(o.result!.missingFiles).toContain('Client.csv');
  });  it('BOM at the start of files: headers read correctly (User.csv, EmploymentEducation.csv … start with one)', () => {
    const o = get('bom_test');
    const report = (o.result?.report ?? o.failed)!;
    for (const source of ['user', 'client', 'enrollment']) {
      const s = report.sources.find((x) => x.source === source)!;
      expect(s.loaded, source).toBe(s.read);
      expect(s.read, source).toBeGreaterThan(0);
    }
    // its only rejects: two coordinated-entry assessments of people the export does not include
    expect(o.rejects.map((r) => `${r.file}:${r.line} ${r.code}`)).toEqual(['Assessment.csv:2 unknown_reference', 'Assessment.csv:3 unknown_reference']);
  });});
