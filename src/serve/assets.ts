/** The stylesheet and the one small script of the web pages (no build step). */
import crypto from 'node:crypto';

const DOMAIN_COLOURS: Record<string, string> = {
  housing: '#f6d58e', income: '#b9e3c6', employment: '#bcd6f5', food: '#f7c6a3', childcare: '#e3c7f0', education: '#f2d0e0',
  legal: '#d9d2c5', health_care: '#c6ecec', life_skills: '#efe3a8', mental_health: '#f5b8b8', substance_use: '#e8c0a0',
  family_social: '#d0d8f8', transport: '#c8e0d0', safety: '#ffc9c9', parenting: '#f0dcc0',
};

export const APP_CSS = `
:root { --ink: #1d2430; --muted: #5b6575; --rule: #d5dae1; --accent: #2f5d8a; --bg: #f7f8fa; --good: #3a7d44; --bad: #b5473a; }
* { box-sizing: border-box; }
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink); margin: 0; background: var(--bg); }
header.top { display: flex; align-items: center; gap: 1.5rem; padding: .6rem 1.5rem; background: #fff; border-bottom: 1px solid var(--rule); flex-wrap: wrap; }
header.top .brand { font-weight: 700; color: var(--accent); text-decoration: none; font-size: 1.1rem; }
header.top nav { display: flex; gap: 1rem; flex-wrap: wrap; }
header.top nav a { color: var(--ink); text-decoration: none; padding: .2rem 0; }
header.top nav a[aria-current="page"] { border-bottom: 2px solid var(--accent); font-weight: 600; }
header.top .who { margin-left: auto; display: flex; gap: .8rem; align-items: center; }
header.top .role { color: var(--muted); font-size: .85em; }
header.top form { margin: 0; }
main { max-width: 1280px; margin: 0 auto; padding: 1rem 1.5rem 4rem; }
h1 { font-size: 1.6rem; margin: .6rem 0 .3rem; }
h2 { font-size: 1.2rem; margin: 1.4rem 0 .6rem; }
h3 { font-size: 1.05rem; margin: 0 0 .5rem; }
.lede, .period, .hint, p.note, figcaption, caption { color: var(--muted); }
.period { font-size: .9rem; }
form.filters { display: flex; flex-wrap: wrap; gap: .8rem; align-items: end; background: #fff; border: 1px solid var(--rule); border-radius: 6px; padding: .6rem .8rem; margin: .6rem 0; }
form.filters label { display: flex; flex-direction: column; font-size: .8rem; color: var(--muted); gap: .15rem; }
form.filters .hint { font-size: .8rem; }
input, select, button { font: inherit; padding: .3rem .45rem; border: 1px solid var(--rule); border-radius: 4px; background: #fff; }
button { cursor: pointer; background: var(--accent); color: #fff; border-color: var(--accent); }
header.top button { background: #fff; color: var(--ink); border-color: var(--rule); }
.tiles { display: grid; grid-template-columns: repeat(auto-fill, minmax(250px, 1fr)); gap: .8rem; margin: 1rem 0; }
.tile { background: #fff; border: 1px solid var(--rule); border-radius: 6px; padding: .7rem .9rem; display: flex; flex-direction: column; gap: .2rem; }
.tile .label { color: var(--muted); font-size: .85rem; text-decoration: none; }
.tile .value { font-size: 1.8rem; font-weight: 650; font-variant-numeric: tabular-nums; }
.tile .basis { color: var(--muted); font-size: .8rem; }
.delta { font-size: .8rem; } .delta.good { color: var(--good); } .delta.bad { color: var(--bad); } .delta.neutral { color: var(--muted); }
figure.chart, section.list, section.kpi-table, .panel { background: #fff; border: 1px solid var(--rule); border-radius: 6px; padding: .8rem 1rem; margin: 1rem 0; }
figure.chart { overflow-x: auto; }
figure.chart svg { max-width: 100%; height: auto; }
.panels { display: grid; grid-template-columns: repeat(auto-fill, minmax(350px, 1fr)); gap: .6rem; }
.panel { margin: 0; padding: .5rem .6rem; } .panel h4 { margin: 0; font-size: .92rem; } .panel .attrition { margin: 0; font-size: .8rem; color: var(--muted); }
details.table-alt { margin-top: .4rem; font-size: .9rem; } details.table-alt summary { cursor: pointer; color: var(--accent); }
table.data { border-collapse: collapse; width: 100%; font-size: .88rem; margin: .4rem 0; }
table.data th, table.data td { padding: .3rem .5rem; border-bottom: 1px solid var(--rule); text-align: left; vertical-align: top; }
table.data thead th { border-bottom: 2px solid var(--ink); font-weight: 600; position: sticky; top: 0; background: #fff; }
table.data .num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
table.data .sup { font-style: italic; color: var(--muted); }
section.list { max-height: 32rem; overflow: auto; }
.case-facts { display: flex; flex-wrap: wrap; gap: .5rem 2rem; margin: .5rem 0; } .case-facts dt { font-size: .8rem; color: var(--muted); } .case-facts dd { margin: 0; }
.case-grid { display: grid; grid-template-columns: minmax(300px, 2fr) 3fr; gap: 1.2rem; align-items: start; }
@media (max-width: 900px) { .case-grid { grid-template-columns: 1fr; } }
.case-grid .summary { position: sticky; top: .5rem; max-height: calc(100vh - 1rem); overflow: auto; }
.domain { background: #fff; border: 1px solid var(--rule); border-radius: 6px; padding: .6rem .8rem; margin-bottom: .6rem; }
.domain .picture { margin: .2rem 0 .4rem; }
.swatch { display: inline-block; width: .8rem; height: .8rem; border-radius: 2px; margin-right: .4rem; vertical-align: -1px; }
.trend { font-size: .75rem; font-weight: 500; padding: .05rem .4rem; border-radius: 8px; background: #eef1f5; color: var(--muted); }
.trend.t-improving { background: #e3f1e5; color: var(--good); } .trend.t-worsening { background: #f7e2df; color: var(--bad); }
ul.findings { padding-left: 1.1rem; margin: .2rem 0; font-size: .9rem; } ul.findings ul { padding-left: 1rem; }
a.finding { color: var(--ink); text-decoration: none; border-bottom: 1px dashed var(--accent); } a.finding:hover, a.finding.current { background: #fff3bf; }
article.note { background: #fff; border: 1px solid var(--rule); border-radius: 6px; padding: .6rem .8rem; margin-bottom: .6rem; }
article.note header { font-size: .85rem; color: var(--muted); margin-bottom: .3rem; }
article.note .nid { font-family: ui-monospace, monospace; font-size: .75rem; }
article.note .text { white-space: pre-wrap; }
.chip { display: inline-block; font-size: .7rem; background: #eef1f5; border-radius: 8px; padding: 0 .4rem; margin-left: .25rem; }
mark.cite { background: #fde9a8; border-radius: 2px; padding: 0 1px; }
${Object.entries(DOMAIN_COLOURS).map(([d, c]) => `mark.cite.d-${d}, .swatch.d-${d} { background: ${c}; }`).join('\n')}
mark.cite.overlap { box-shadow: inset 0 -2px 0 rgba(0,0,0,.35); }
mark.cite.active { outline: 2px solid var(--bad); background: #ffd6a5; }
sup.dlabel { font-size: .65rem; color: var(--muted); margin: 0 .2rem; }
.login { max-width: 28rem; margin: 3rem auto; background: #fff; border: 1px solid var(--rule); border-radius: 8px; padding: 1.2rem 1.5rem; }
.login form { display: flex; flex-direction: column; gap: .6rem; } .login label { display: flex; flex-direction: column; gap: .2rem; font-size: .9rem; }
.login .error { color: var(--bad); }
.login fieldset { border: 1px solid var(--rule); border-radius: 6px; }
p.error { color: var(--bad); }
.pager { margin: 1rem 0; }
@media print {
  header.top, .no-print, form.filters, details.table-alt summary { display: none !important; }
  body { background: #fff; } main { max-width: none; padding: 0; }
  figure.chart, section.list, .tile, .panel { border: none; break-inside: avoid; }
  details.table-alt[open] table, details.table-alt table { display: table; }
}
`;

export const APP_JS = `
// caselens: click a finding to see its quote in the note (works without script through #anchors).
(function () {
  function activate(spanId, scroll) {
    document.querySelectorAll('mark.cite.active').forEach(function (m) { m.classList.remove('active'); });
    document.querySelectorAll('a.finding.current').forEach(function (a) { a.classList.remove('current'); });
    var marks = Array.prototype.filter.call(document.querySelectorAll('mark.cite'), function (m) {
      return (m.getAttribute('data-spans') || '').split(' ').indexOf(spanId) >= 0;
    });
    marks.forEach(function (m) { m.classList.add('active'); });
    document.querySelectorAll('a.finding[data-span="' + spanId + '"]').forEach(function (a) { a.classList.add('current'); });
    if (scroll && marks[0]) marks[0].scrollIntoView({ block: 'center', behavior: 'instant' in document.documentElement.style ? 'instant' : 'auto' });
    document.body.setAttribute('data-active-span', spanId);
    return marks;
  }
  document.addEventListener('click', function (e) {
    var pr = e.target && e.target.closest ? e.target.closest('[data-print]') : null;
    if (pr) { e.preventDefault(); window.print(); return; }
    var a = e.target && e.target.closest ? e.target.closest('a.finding') : null;
    if (!a) return;
    e.preventDefault();
    var id = a.getAttribute('data-span');
    activate(id, true);
    if (history.replaceState) history.replaceState(null, '', '#' + id);
  });
  window.addEventListener('DOMContentLoaded', function () {
    var h = decodeURIComponent(location.hash.slice(1));
    if (h && h.indexOf('q-') === 0) activate(h, true);
  });
  window.caselensActiveQuote = function () {
    return Array.prototype.map.call(document.querySelectorAll('mark.cite.active'), function (m) { return m.textContent; }).join('');
  };
})();
`;

export const ASSET_ETAG = `"${crypto.createHash('sha256').update(APP_CSS).update(APP_JS).digest('hex').slice(0, 16)}"`;
