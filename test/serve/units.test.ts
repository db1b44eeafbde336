import crypto from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { checkDashboardRefs, dashboardSchema } from '../../src/dashboards/index.ts';
import { KPIS } from '../../src/kpi/index.ts';
import { negotiate } from '../../src/serve/formats.ts';
import { highlightHtml, segmentText, spansFor } from '../../src/serve/highlight.ts';
import { checkFunderPeriod } from '../../src/serve/kpis.ts';
import { isLoopbackHost, parseServeConfig } from '../../src/serve/config.ts';
import { signSession, verifySession } from '../../src/serve/secrets.ts';

describe('highlighted spans', () => {
  const text = 'Signed a lease 🎉 and <b>moved</b> in; rent is due.';
  const cite = (quote: string, domain: string, from = 0) => {
    const start = text.indexOf(quote, from);
    return { start, end: start + quote.length, quote, domain, label: `${domain}: strength` };
  };

  it('segments overlapping spans so each span\'s segments join to its quote (UTF-16 offsets)', () => {
    const spans = spansFor(text, [cite('Signed a lease 🎉', 'housing'), cite('lease 🎉 and <b>moved</b> in', 'housing'), cite('rent is due', 'income'), cite('rent is due', 'housing')], (s, e) => `q-${s}-${e}`);
    expect(spans).toHaveLength(3);
    expect(spans[2]).toMatchObject({ quote: 'rent is due', domains: ['income', 'housing'] });
    const segs = segmentText(text, spans);
    expect(segs.map((s) => s.text).join('')).toBe(text);
    for (const s of spans) expect(segs.filter((g) => g.spans.includes(s.id)).map((g) => g.text).join('')).toBe(s.quote);
    const html = highlightHtml(text, spans);
    expect(html).toContain('&lt;b&gt;moved&lt;/b&gt;');
    expect(html).not.toContain('<b>');
    expect(html).toContain('class="cite d-housing overlap"');
    expect(html.match(/class="anchor"/g)).toHaveLength(3);
  });

  it('drops citations whose offsets do not give the quote', () => {
    expect(spansFor(text, [{ start: 0, end: 6, quote: 'Signed', domain: 'x', label: 'x' }, { start: 1, end: 6, quote: 'Signed', domain: 'x', label: 'x' }, { start: 40, end: 99, quote: 'x', domain: 'x', label: 'x' }], () => 'id')).toHaveLength(1);
  });
});

describe('sessions, formats, rules', () => {
  it('signs sessions; tampering, another key or expiry invalidate them', () => {
    const key = crypto.randomBytes(32);
    const v = signSession({ u: 'ada', r: 'admin', exp: Date.now() / 1000 + 60 }, key);
    expect(verifySession(v, key)).toMatchObject({ u: 'ada', r: 'admin' });
    expect(verifySession(v, crypto.randomBytes(32))).toBeUndefined();
    const [body, mac] = v.split('.');
    const forged = Buffer.from(JSON.stringify({ u: 'ada', r: 'admin', exp: 9e9 })).toString('base64url');
    expect(verifySession(`${forged}.${mac}`, key)).toBeUndefined();
    expect(verifySession(`${body}.${mac}`, key, Date.now() / 1000 + 120)).toBeUndefined();
    // a 32-byte MAC is 43 base64url characters, the last carrying 2 spare bits: flipping one of
    // them decodes to the same bytes, and must still be refused
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const altered = mac!.slice(0, -1) + alphabet[alphabet.indexOf(mac!.at(-1)!) ^ 1]!;
    expect(Buffer.from(altered, 'base64url')).toEqual(Buffer.from(mac!, 'base64url'));
    expect(verifySession(`${body}.${altered}`, key)).toBeUndefined();
  });

  it('negotiates formats from ?format= first, then Accept', () => {
    expect(negotiate(undefined, undefined)).toBe('json');
    expect(negotiate(undefined, 'text/csv')).toBe('csv');
    expect(negotiate(undefined, 'application/vnd.apache.arrow.stream')).toBe('arrow');
    expect(negotiate('json', 'text/csv')).toBe('json');
    expect(() => negotiate('xlsx', undefined)).toThrow(/^format: /);
  });

  it('funder periods are whole months', () => {
    expect(() => checkFunderPeriod({ from: '2025-01-01', to: '2025-02-28', asOf: '2025-02-28' })).not.toThrow();
    expect(() => checkFunderPeriod({ to: '2024-02-28' })).toThrow(/^to: /);
    expect(() => checkFunderPeriod({ to: '2024-02-29' })).not.toThrow();
    expect(() => checkFunderPeriod({ from: '2025-01-02' })).toThrow(/^from: /);
  });

  it('knows loopback addresses and fills config defaults', () => {
    for (const h of ['127.0.0.1', 'localhost', '::1', '[::1]', '127.1.2.3']) expect(isLoopbackHost(h)).toBe(true);
    for (const h of ['0.0.0.0', '192.168.1.4', 'example.org', '::']) expect(isLoopbackHost(h)).toBe(false);
    expect(parseServeConfig(undefined)).toMatchObject({ host: '127.0.0.1', port: 8787, users: [], snapshot: { mode: 'memory' }, demoSignIn: 'auto' });
    expect(() => parseServeConfig({ users: [{ name: 'm', role: 'manager', passwordHash: 'scrypt$1$1$1$AA$AA' }] })).toThrow(/staffId/);
  });
});

describe('dashboard definitions', () => {
  const kpis = KPIS.map((k) => ({ id: k.id, params: k.params.map((p) => p.name), columns: k.columns.map((c) => c.name) }));
  it('name only KPIs, parameters and columns that exist', () => {
    const d = dashboardSchema.parse({
      id: 'x', title: 'X', roles: ['admin'],
      headlines: [{ kpi: 'resolution-time', value: 'median_dayz' }],
      charts: [{ kpi: 'caseload', mark: 'barX', x: 'open_cases', y: 'group', params: { colour: 'red' }, title: 'T' }, { kpi: 'nope', mark: 'dot', x: 'a', y: 'b', title: 'T' }],
    });
    expect(checkDashboardRefs(d, kpis).map((p) => `${p.path}: ${p.message}`)).toEqual([
      'headlines.0.value: KPI resolution-time has no column "median_dayz"',
      expect.stringMatching(/^charts\.0\.params\.colour: KPI caseload has no parameter "colour"/),
      expect.stringMatching(/^charts\.1\.kpi: unknown KPI "nope"/),
    ]);
    expect(dashboardSchema.safeParse({ id: 'y', title: 'Y', roles: ['admin'], charts: [{ kpi: 'caseload', mark: 'interval', x: 'a', title: 'T' }] }).error?.issues.map((i) => i.message)).toEqual(['mark interval needs x1', 'mark interval needs x2', 'mark interval needs y']);
  });
});
