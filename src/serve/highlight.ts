/**
 * Cited spans in a note's text. Offsets are UTF-16 code units, half-open [start, end), exactly
 * as stored, so `text.slice(start, end) === quote`. Spans may overlap (two tags quoting the
 * same words); the text is cut at every span boundary into segments, and each segment lists
 * the spans covering it, so the concatenated text of a span's segments is its quote.
 */

export interface Span {
  /** stable id, used in page anchors: `q-<noteIndex>-<start>-<end>` style, set by the caller */
  id: string;
  start: number;
  end: number;
  quote: string;
  /** domain ids of the tags citing this span */
  domains: string[];
  /** readable labels, e.g. "Housing: strength" */
  labels: string[];
}

export interface Segment {
  start: number;
  end: number;
  text: string;
  /** ids of the spans covering this segment (empty: plain text) */
  spans: string[];
}

/** Merges citations of the same range into one span, dropping any that do not match the text. */
export function spansFor(
  text: string,
  citations: Array<{ start: number; end: number; quote: string; domain: string; label: string }>,
  idOf: (start: number, end: number) => string,
): Span[] {
  const byRange = new Map<string, Span>();
  for (const c of citations) {
    if (!(c.start >= 0 && c.end > c.start && c.end <= text.length) || text.slice(c.start, c.end) !== c.quote) continue;
    const key = `${c.start}-${c.end}`;
    let s = byRange.get(key);
    if (!s) {
      s = { id: idOf(c.start, c.end), start: c.start, end: c.end, quote: c.quote, domains: [], labels: [] };
      byRange.set(key, s);
    }
    if (!s.domains.includes(c.domain)) s.domains.push(c.domain);
    if (!s.labels.includes(c.label)) s.labels.push(c.label);
  }
  return [...byRange.values()].sort((a, b) => a.start - b.start || a.end - b.end);
}

export function segmentText(text: string, spans: Span[]): Segment[] {
  const cuts = new Set<number>([0, text.length]);
  for (const s of spans) {
    cuts.add(s.start);
    cuts.add(s.end);
  }
  const points = [...cuts].filter((x) => x >= 0 && x <= text.length).sort((a, b) => a - b);
  const out: Segment[] = [];
  for (let i = 0; i + 1 < points.length; i++) {
    const start = points[i]!;
    const end = points[i + 1]!;
    if (end <= start) continue;
    out.push({ start, end, text: text.slice(start, end), spans: spans.filter((s) => s.start <= start && s.end >= end).map((s) => s.id) });
  }
  return out;
}

export function escapeHtml(s: unknown): string {
  return String(s ?? '').replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;').replaceAll("'", '&#39;');
}

/**
 * The note as HTML: covered segments in `<mark>` with the covering span ids, an anchor where each
 * span starts, and a domain label after each span's end.
 */
export function highlightHtml(text: string, spans: Span[], domainClass: (domain: string) => string = (d) => `d-${d}`): string {
  const segments = segmentText(text, spans);
  const byId = new Map(spans.map((s) => [s.id, s]));
  const parts: string[] = [];
  for (const seg of segments) {
    for (const s of spans) if (s.start === seg.start) parts.push(`<span class="anchor" id="${escapeHtml(s.id)}"></span>`);
    if (seg.spans.length === 0) {
      parts.push(escapeHtml(seg.text));
    } else {
      const covering = seg.spans.map((id) => byId.get(id)!);
      const domains = [...new Set(covering.flatMap((s) => s.domains))];
      const title = [...new Set(covering.flatMap((s) => s.labels))].join('; ');
      parts.push(`<mark class="cite ${domains.map(domainClass).join(' ')}${seg.spans.length > 1 ? ' overlap' : ''}" data-spans="${escapeHtml(seg.spans.join(' '))}" data-domains="${escapeHtml(domains.join(' '))}" title="${escapeHtml(title)}">${escapeHtml(seg.text)}</mark>`);
    }
    for (const s of spans) {
      if (s.end === seg.end) parts.push(`<sup class="dlabel" data-span="${escapeHtml(s.id)}">${escapeHtml(s.labels.join(', '))}</sup>`);
    }
  }
  return parts.join('');
}
