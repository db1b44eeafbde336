/**
 * HMIS CSV on Green River's hand-built importer fixtures (FY2024), part 2 (e–z): deletes and restores,
 * loader errors, validation cases, partial exports. Each one loads or is refused with reasons; none crashes;
 * counts add up; a re-load changes nothing.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { FIXTURES, loadAndCheck, type Outcome } from './fixtures.ts';

describe.skipIf(!FIXTURES)('HMIS CSV: importer fixtures FY2024, e–z (../shared/data/hmis/importer-fixtures)', () => {
  let outcomes = new Map<string, Outcome>();
  const get = (name: string) => {
    const o = outcomes.get(name);
    if (!o) throw new Error(`fixture ${name} was not loaded`);
    return o;
  };
  beforeAll(async () => {
    outcomes = await loadAndCheck((name) => name >= 'e');
  }, 120_000);

  it('every fixture of this part loads, or is refused with its reasons; none crashes; counts add up; re-loading changes nothing', () => {
    expect(outcomes.size).toBeGreaterThanOrEqual(20);
  });

  it('loader errors: rows with too many or too few columns, and dates no format fits, are rejected one by one', () => {
    const o = get('loader_errors');
    const by = (code: string) => o.rejects.filter((r) => r.code === code).map((r) => `${r.file}:${r.line}`);
    expect(by('malformed_row')).toEqual(['Client.csv:7', 'Client.csv:34', 'Client.csv:61', 'Exit.csv:2']);
    expect(o.rejects.find((r) => r.file === 'Client.csv' && r.line === 7)!.reason).toMatch(/^row has more columns than the header/);
    expect(o.rejects.find((r) => r.file === 'Exit.csv')!.reason).toMatch(/exit row cannot be parsed \(missing columns\)/);
    expect(o.rejects.filter((r) => r.code === 'bad_date').map((r) => `${r.file}:${r.line} ${r.value}`)).toEqual(['Client.csv:8 17-JUN-20']);
  });  it('deletes: rows with DateDeleted remove their record and are counted as deleted', () => {
    const o = get('enrollment_with_deletes_test_files');
    const report = (o.result?.report ?? o.failed)!;
    expect(report.totals.deleted).toBeGreaterThan(0);
    expect(report.sources.find((s) => s.source === 'enrollment')!.deleted).toBeGreaterThan(0);
  });  it('validation cases: empty keys and dates and unknown references are rejected with the field named; codes outside HUD lists load as "unlisted code"', () => {
    const o = get('validation_files');
    const codes = new Set(o.rejects.map((r) => r.code));
    expect([...codes].sort()).toEqual(expect.arrayContaining(['missing_required', 'unknown_reference', 'duplicate_key']));
    // ProjectType 999 is not on HUD's list: the enrolment loads with case_type "unlisted code 999" instead of being rejected
    expect(o.rejects.find((r) => r.source === 'enrollment' && r.field === 'project_ProjectType')).toBeUndefined();
    expect(o.rejects.find((r) => r.source === 'health_dv' && r.code === 'missing_required' && r.field === 'PersonalID')!.reason).toBe('the assessment names no client: fill in client_key or case_key');
  });});
