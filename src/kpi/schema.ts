/** The output schema of each KPI, as zod, built from its column list. */
import { z } from 'zod';
import type { ColumnSpec, KpiDefinition } from './types.ts';

const suppressedCell = z.strictObject({ value: z.null(), suppressed: z.literal(true), reason: z.string().min(1) });

function columnSchema(c: ColumnSpec): z.ZodType {
  const base =
    c.type === 'int' ? z.number().int()
    : c.type === 'number' ? z.number()
    : c.type === 'bool' ? z.boolean()
    : c.type === 'date' ? z.string().regex(/^\d{4}-\d{2}-\d{2}$/)
    : c.type === 'list' ? z.array(z.string())
    : z.string();
  const nullable = base.nullable();
  return c.dimension ? nullable : z.union([nullable, suppressedCell]);
}

/** Schema of one result row (visible columns; with `includeHidden`, the hidden ones too). */
export function outputSchema(def: Pick<KpiDefinition, 'columns'>, opts: { includeHidden?: boolean } = {}) {
  const cols = def.columns.filter((c) => opts.includeHidden || !c.hidden);
  return z.strictObject(Object.fromEntries(cols.map((c) => [c.name, columnSchema(c)])));
}
