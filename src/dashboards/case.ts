/**
 * The case view for supervisors: the cited case summary, and every note of the case with its
 * cited spans highlighted and labelled by domain. Each finding links to its quote
 * (`#q-…` anchors work without script; /assets/app.js also marks the quote as active).
 */
import type { CaseView, NoteView } from '../serve/data.ts';
import { dataTable, esc, type Row } from './charts.ts';
import { layout, type NavItem, type PageUser } from './render.ts';

export interface CaseListPage {
  user: PageUser;
  nav: NavItem[];
  current: string;
  title: string;
  total: number;
  rows: Row[];
  filters: { program?: string | undefined; manager?: string | undefined; status?: string | undefined };
  options: { programs: Array<{ id: string; name: string }>; managers: Array<{ id: string; name: string }> };
  offset: number;
  limit: number;
}

export function renderCaseList(p: CaseListPage): string {
  const f = p.filters;
  const q = (extra: Record<string, string | number>) => {
    const u = new URLSearchParams();
    for (const [k, v] of Object.entries({ ...f, ...extra })) if (v !== undefined && v !== '') u.set(k, String(v));
    return `/cases?${u.toString()}`;
  };
  const form = `<form class="filters no-print" method="get" action="/cases">
<label>Programme <select name="program"><option value="">All</option>${p.options.programs.map((o) => `<option value="${esc(o.id)}"${o.id === f.program ? ' selected' : ''}>${esc(o.name)}</option>`).join('')}</select></label>
<label>Manager <select name="manager"><option value="">All I may see</option>${p.options.managers.map((o) => `<option value="${esc(o.id)}"${o.id === f.manager ? ' selected' : ''}>${esc(o.name)}</option>`).join('')}</select></label>
<label>Status <select name="status"><option value="">Any</option>${['open', 'closed'].map((s) => `<option${s === f.status ? ' selected' : ''}>${s}</option>`).join('')}</select></label>
<button type="submit">Apply</button></form>`;
  const table = dataTable(
    [
      { name: 'case_id', label: 'Case', type: 'text' }, { name: 'program', label: 'Programme', type: 'text' }, { name: 'manager', label: 'Manager', type: 'text' },
      { name: 'case_type', label: 'Type', type: 'text' }, { name: 'status', label: 'Status', type: 'text' }, { name: 'opened_at', label: 'Opened', type: 'date' },
      { name: 'closed_at', label: 'Closed', type: 'date' }, { name: 'notes', label: 'Notes', type: 'int' }, { name: 'last_note', label: 'Last note', type: 'date' },
    ],
    p.rows,
    { link: (col, v) => (col === 'case_id' && typeof v === 'string' ? `/cases/${encodeURIComponent(v)}` : undefined) },
  );
  const pager = [
    p.offset > 0 ? `<a href="${esc(q({ offset: Math.max(0, p.offset - p.limit) }))}">← previous</a>` : '',
    p.offset + p.rows.length < p.total ? `<a href="${esc(q({ offset: p.offset + p.limit }))}">next →</a>` : '',
  ].filter(Boolean).join(' · ');
  const body = `<h1>${esc(p.title)}</h1>
<p class="lede">${p.total.toLocaleString('en-US')} case(s) you may open. Opening a case shows its notes; each opening is recorded in the audit log.</p>
${form}
<section class="list" data-list="cases" data-count="${p.total}">${table}</section>
${pager ? `<p class="pager">${pager}</p>` : ''}`;
  return layout({ title: p.title, user: p.user, nav: p.nav, current: p.current, body, bodyClass: 'cases' });
}

const TREND_WORDS: Record<string, string> = { improving: 'improving', worsening: 'worsening', steady: 'steady', mixed: 'mixed', single: 'one observation' };

function noteBlock(n: NoteView): string {
  const when = n.note.written_at.replace('T', ' ');
  const domains = [...new Set(n.tags.map((t) => t.domain))];
  return `<article class="note" id="note-${esc(n.note.note_id)}" data-note="${esc(n.note.note_id)}">
<header><strong>${esc(when)}</strong> · ${esc(n.note.note_type ?? 'note')} · ${esc(n.note.author ?? n.note.author_id ?? 'unknown author')} <span class="nid">${esc(n.note.note_id)}</span>
${domains.length ? `<span class="domains">${domains.map((d) => `<span class="chip">${esc(d)}</span>`).join('')}</span>` : ''}</header>
<div class="text">${n.html}</div>
</article>`;
}

export interface CasePage {
  user: PageUser;
  nav: NavItem[];
  current: string;
  view: CaseView;
  client?: Record<string, unknown> | undefined;
}

export function renderCaseView(p: CasePage): string {
  const c = p.view.case as Record<string, string | null>;
  const s = p.view.summary;
  const who = p.client ? `${p.client.first_name ?? ''} ${p.client.last_name ?? ''}`.trim() : '';
  const findings = s && s.domains.length
    ? s.domains.map((d) => `<section class="domain" data-domain="${esc(d.domainId)}">
<h3><span class="swatch d-${esc(d.domainId)}"></span>${esc(d.domainName)} <span class="trend t-${esc(d.trend)}">${esc(TREND_WORDS[d.trend] ?? d.trend)}</span></h3>
<p class="picture">${esc(d.picture)}</p>
<ul class="findings">${d.statements.map((st) => `<li class="statement s-${esc(st.direction)}${st.status !== 'current' ? ` st-${esc(st.status)}` : ''}">${esc(st.text)}
<ul>${st.citations.map((ci) => `<li><a class="finding" href="#${esc(ci.spanId)}" data-span="${esc(ci.spanId)}" data-note="${esc(ci.noteId)}" data-start="${ci.start}" data-end="${ci.end}" data-quote="${esc(ci.quote)}">“${esc(ci.quote)}”</a></li>`).join('')}</ul></li>`).join('\n')}</ul>
</section>`).join('\n')
    : `<p class="empty">No cited evidence in this case's notes${s ? '' : ' (the notes have not been scored: run caselens score)'}.</p>`;
  const body = `<h1>Case ${esc(c.case_id)}</h1>
<dl class="case-facts">
<div><dt>Client</dt><dd>${who ? `${esc(who)} · ` : ''}<span class="cid">${esc(c.client_id)}</span></dd></div>
<div><dt>Programme</dt><dd>${esc(c.program ?? c.program_id ?? '–')}</dd></div>
<div><dt>Manager</dt><dd>${esc(c.manager ?? c.manager_id ?? 'unassigned')}</dd></div>
<div><dt>Status</dt><dd>${esc(c.status)} · opened ${esc(c.opened_at)}${c.closed_at ? ` · closed ${esc(c.closed_at)} (${esc(c.closure_reason ?? 'no reason')})` : ''}</dd></div>
</dl>
<p class="hint">${s ? `${s.scoredNotes} of ${s.notes} note(s) scored by ${esc(s.scorer)}. ` : ''}Every statement below quotes the note it rests on; click a quote to see it in its note.</p>
<div class="case-grid">
<section class="summary" aria-label="Case summary"><h2>Summary by domain</h2>${findings}</section>
<section class="notes" aria-label="Notes"><h2>Notes (${p.view.notes.length})</h2>${p.view.notes.map(noteBlock).join('\n')}</section>
</div>`;
  return layout({ title: `Case ${c.case_id}`, user: p.user, nav: p.nav, current: p.current, body, bodyClass: 'case-view' });
}
