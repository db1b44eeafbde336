/**
 * Disclosure control for funder-facing results.
 *
 * A result is seen as a set of cells (additive counts, each resting on some number of distinct
 * clients) tied together by lines: "this total is the sum of these parts" — within a row
 * (achieved + not achieved = goals) and down the rows of a grouped table (the groups add up to
 * the total row). A cell resting on fewer than k clients is sensitive (primary suppression).
 * Some cells are never published but can be derived (not achieved = goals − achieved); they
 * are sensitive too, because a published numerator would give them away.
 *
 * Secondary suppression then withholds further published cells until no sensitive cell can be
 * worked out from what is published: first by peeling (a line with exactly one unknown cell
 * determines it, and what it determines can determine more), then, for tables of moderate size,
 * exactly: a cell is determined when its unit vector lies in the row space of the line
 * equations restricted to the unknown cells (Gaussian elimination). Cells to add are chosen
 * from the lines of the exposed cell: parts before totals, then the smallest count.
 *
 * Not covered: bounds from non-negativity (interval disclosure) and links between different
 * tables of the same report.
 */
import type { DisclosureSpec, KpiResult, KpiRow, SuppressedCell } from './types.ts';
import { isSuppressed } from './types.ts';

export interface DCell {
  id: string;
  /** the additive count */
  value: number;
  /** distinct clients the cell rests on */
  clients: number;
  /** false for cells that are never shown but derivable from others */
  published: boolean;
}

export interface DLine {
  total: string;
  parts: string[];
}

export type SuppressionKind = 'primary' | 'secondary';

export const PRIMARY_REASON = (k: number) => `fewer than ${k} clients`;
export const SECONDARY_REASON = 'withheld so that a suppressed figure cannot be worked out from the totals';

const EXACT_LIMIT = 400;

/** Which published cells to withhold. Virtual (unpublished) cells are never in the answer. */
export function protectCells(cells: DCell[], lines: DLine[], k: number): Map<string, SuppressionKind> {
  const byId = new Map(cells.map((c) => [c.id, c]));
  const usable = lines.filter((l) => [l.total, ...l.parts].every((id) => byId.has(id)));
  const linesOf = new Map<string, number[]>();
  usable.forEach((l, i) => {
    for (const id of [l.total, ...l.parts]) linesOf.set(id, [...(linesOf.get(id) ?? []), i]);
  });
  const isTotal = new Set(usable.map((l) => l.total));
  const sensitive = new Set(cells.filter((c) => c.clients < k).map((c) => c.id));
  const unknown = new Set(cells.filter((c) => !c.published || sensitive.has(c.id)).map((c) => c.id));
  const out = new Map<string, SuppressionKind>();
  for (const c of cells) if (c.published && sensitive.has(c.id)) out.set(c.id, 'primary');

  const members = (i: number) => [usable[i]!.total, ...usable[i]!.parts];
  const rank = (id: string): [number, number, number, string] => {
    const c = byId.get(id)!;
    return [isTotal.has(id) ? 1 : 0, c.value, c.clients, id];
  };
  const better = (a: string, b: string) => {
    const ra = rank(a);
    const rb = rank(b);
    for (let i = 0; i < 3; i++) if (ra[i] !== rb[i]) return (ra[i] as number) < (rb[i] as number);
    return ra[3] < rb[3];
  };

  /** Published, still-shown cells near `start`, searching outwards through lines and unknown cells. */
  const candidateNear = (start: string): string | undefined => {
    const seenCells = new Set([start]);
    const seenLines = new Set<number>();
    let frontier = [start];
    while (frontier.length) {
      let best: string | undefined;
      const next: string[] = [];
      for (const id of frontier) {
        for (const li of linesOf.get(id) ?? []) {
          if (seenLines.has(li)) continue;
          seenLines.add(li);
          for (const m of members(li)) {
            const c = byId.get(m)!;
            if (!unknown.has(m) && c.published) {
              if (best === undefined || better(m, best)) best = m;
            } else if (!seenCells.has(m)) {
              seenCells.add(m);
              next.push(m);
            }
          }
        }
      }
      if (best !== undefined) return best;
      frontier = next;
    }
    return undefined;
  };

  for (let guard = 0; guard < cells.length + 1; guard++) {
    const exposed = firstExposedByPeeling() ?? firstExposedExactly();
    if (exposed === undefined) break;
    const add = candidateNear(exposed);
    if (add === undefined) break; // nothing left to withhold around it
    unknown.add(add);
    out.set(add, 'secondary');
  }
  return out;

  function firstExposedByPeeling(): string | undefined {
    const determined = new Set<string>();
    let changed = true;
    while (changed) {
      changed = false;
      for (let i = 0; i < usable.length; i++) {
        const open = members(i).filter((m) => unknown.has(m) && !determined.has(m));
        if (open.length === 1) {
          determined.add(open[0]!);
          changed = true;
          if (sensitive.has(open[0]!)) return open[0]!;
        }
      }
    }
    return undefined;
  }

  function firstExposedExactly(): string | undefined {
    // connected components of unknown cells through lines
    const seen = new Set<string>();
    for (const start of unknown) {
      if (seen.has(start) || !linesOf.has(start)) continue;
      const comp: string[] = [];
      const compLines = new Set<number>();
      const stack = [start];
      seen.add(start);
      while (stack.length) {
        const id = stack.pop()!;
        comp.push(id);
        for (const li of linesOf.get(id) ?? []) {
          compLines.add(li);
          for (const m of members(li)) {
            if (unknown.has(m) && !seen.has(m)) {
              seen.add(m);
              stack.push(m);
            }
          }
        }
      }
      if (!comp.some((id) => sensitive.has(id)) || comp.length > EXACT_LIMIT) continue;
      const col = new Map(comp.map((id, i) => [id, i]));
      const rows = [...compLines].map((li) => {
        const r = new Array<number>(comp.length).fill(0);
        const l = usable[li]!;
        for (const p of l.parts) if (col.has(p)) r[col.get(p)!]! += 1;
        if (col.has(l.total)) r[col.get(l.total)!]! -= 1;
        return r;
      });
      const basis = rref(rows);
      for (const id of comp) {
        if (sensitive.has(id) && inRowSpace(basis, col.get(id)!, comp.length)) return id;
      }
    }
    return undefined;
  }
}

const EPS = 1e-9;

/** Reduced row echelon form; returns the non-zero rows with their pivot columns. */
function rref(input: number[][]): Array<{ row: number[]; pivot: number }> {
  const m = input.map((r) => [...r]);
  const out: Array<{ row: number[]; pivot: number }> = [];
  const nCols = m[0]?.length ?? 0;
  let r = 0;
  for (let c = 0; c < nCols && r < m.length; c++) {
    let p = r;
    while (p < m.length && Math.abs(m[p]![c]!) < EPS) p++;
    if (p === m.length) continue;
    [m[r], m[p]] = [m[p]!, m[r]!];
    const pr = m[r]!;
    const pv = pr[c]!;
    for (let j = 0; j < nCols; j++) pr[j]! /= pv;
    for (let i = 0; i < m.length; i++) {
      if (i === r) continue;
      const f = m[i]![c]!;
      if (Math.abs(f) < EPS) continue;
      for (let j = 0; j < nCols; j++) m[i]![j]! -= f * pr[j]!;
    }
    out.push({ row: pr, pivot: c });
    r++;
  }
  return out;
}

/** Whether the unit vector e_col is a combination of the (reduced) rows. */
function inRowSpace(basis: Array<{ row: number[]; pivot: number }>, col: number, n: number): boolean {
  const v = new Array<number>(n).fill(0);
  v[col] = 1;
  for (const { row, pivot } of basis) {
    const f = v[pivot]!;
    if (Math.abs(f) < EPS) continue;
    for (let j = 0; j < n; j++) v[j]! -= f * row[j]!;
  }
  return v.every((x) => Math.abs(x) < 1e-7);
}

/** Whether a cell can be worked out from the published cells (used by tests and audits). */
export function isDetermined(cells: DCell[], lines: DLine[], unknownIds: Set<string>, target: string): boolean {
  const ids = [...unknownIds];
  const col = new Map(ids.map((id, i) => [id, i]));
  if (!col.has(target)) return true;
  const byId = new Set(cells.map((c) => c.id));
  const rows = lines
    .filter((l) => [l.total, ...l.parts].every((id) => byId.has(id)))
    .map((l) => {
      const r = new Array<number>(ids.length).fill(0);
      for (const p of l.parts) if (col.has(p)) r[col.get(p)!]! += 1;
      if (col.has(l.total)) r[col.get(l.total)!]! -= 1;
      return r;
    })
    .filter((r) => r.some((x) => x !== 0));
  if (rows.length === 0) return false;
  return inRowSpace(rref(rows), col.get(target)!, ids.length);
}

// ---------------------------------------------------------------------------------------------

const finite = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/** The cells and lines of a result, as disclosure control sees them. */
export function disclosureModel(rows: KpiRow[], spec: DisclosureSpec, groupBy: string): { cells: DCell[]; lines: DLine[]; columnsOf: Map<string, { row: number; columns: string[] }> } {
  const cells: DCell[] = [];
  const lines: DLine[] = [];
  const columnsOf = new Map<string, { row: number; columns: string[] }>();
  rows.forEach((row, i) => {
    for (const c of spec.cells) {
      const value = finite(typeof c.count === 'function' ? c.count(row) : row[c.count]);
      if (value === null) continue;
      const clients = finite(row[c.clients]) ?? 0;
      const id = `${i}:${c.name}`;
      cells.push({ id, value, clients, published: c.columns.length > 0 });
      columnsOf.set(id, { row: i, columns: c.columns });
    }
    for (const l of spec.lines) lines.push({ total: `${i}:${l.total}`, parts: l.parts.map((p) => `${i}:${p}`) });
  });
  const totals = rows.map((r, i) => (r.is_total === true ? i : -1)).filter((i) => i >= 0);
  const groups = rows.map((r, i) => (r.is_total === true ? -1 : i)).filter((i) => i >= 0);
  if (spec.additiveGroups(groupBy) && totals.length === 1 && groups.length > 0) {
    for (const c of spec.cells) lines.push({ total: `${totals[0]}:${c.name}`, parts: groups.map((g) => `${g}:${c.name}`) });
  }
  return { cells, lines, columnsOf };
}

/** Applies disclosure control to a KPI result (rows still carrying their hidden columns). */
export function suppressResult(result: KpiResult, spec: DisclosureSpec, k: number): KpiResult {
  const groupBy = String(result.params.by ?? result.rows[0]?.group_by ?? 'none');
  const { cells, lines, columnsOf } = disclosureModel(result.rows, spec, groupBy);
  const decided = protectCells(cells, lines, k);
  const rows = result.rows.map((r) => ({ ...r }));
  let primary = 0;
  let secondary = 0;
  for (const [id, kind] of decided) {
    const where = columnsOf.get(id);
    if (!where) continue;
    if (kind === 'primary') primary++;
    else secondary++;
    const reason = kind === 'primary' ? PRIMARY_REASON(k) : SECONDARY_REASON;
    for (const column of where.columns) {
      const row = rows[where.row]!;
      const prev = row[column];
      // a primary reason wins over a secondary one for a column shared by two cells
      if (isSuppressed(prev) && prev.reason === PRIMARY_REASON(k)) continue;
      row[column] = { value: null, suppressed: true, reason } satisfies SuppressedCell;
    }
  }
  return {
    ...result,
    rows,
    details: undefined,
    notes: result.notes.filter((n) => !/\d/.test(n)),
    suppression: {
      k,
      primary,
      secondary,
      rule: `cells resting on fewer than ${k} clients are suppressed, and further cells are withheld until none of them can be worked out from row or column totals`,
    },
  };
}
