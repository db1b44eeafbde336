import type { Framework } from '../frameworks/index.ts';
import { markFactsStale, type Db } from '../store/index.ts';
import type { Citation, Direction, MatchKind, Tag, TagStatus } from './types.ts';
import { tagId } from './run.ts';
import { createVerifier, type TagCheck, type Verifier } from './verify.ts';

export interface StoredVerification {
  verifier: string;
  framework: string;
  notes: number;
  tagsChecked: number;
  tagsContradicted: number;
  tagsCorrected: number;
  /** how many citations were dropped or corrected, per reason (quoted cue words stripped, so reasons group) */
  reasons: Array<{ action: 'dropped' | 'corrected'; reason: string; citations: number }>;
  /** tags of other frameworks, left alone: the verifier reads with this framework's cues */
  otherFrameworkTags: number;
  applied: boolean;
}

interface StoredTagRow {
  tag_id: string;
  note_id: string;
  text_sha256: string;
  run_id: number;
  framework_version: string;
  scorer: string;
  model: string;
  prompt_version: string;
  domain_id: string;
  indicator_id: string | null;
  direction: Direction;
  level: number | null;
  status: TagStatus;
  confidence: number;
  citations: string;
}

interface Group {
  noteId: string;
  sha: string;
  key: string[];
  runId: number;
  tags: Tag[];
}

/** Groups a reason's variable part ("about another person (\"son\")") so the report counts kinds. */
const reasonKind = (r: string) => r.replace(/\s*\("[^"]*"\)/gu, '').replace(/\s+/gu, ' ').trim();

/**
 * Re-checks every stored tag of a framework with the verifier (`caselens verify`), for databases
 * scored before the verifier existed or by an older version of it. Without `apply` it only
 * reports; with it, each affected note's tags are rewritten in one transaction per call: dropped
 * ones removed, corrected ones re-labelled, every decision kept in tag_checks and counted in
 * note_scores, and the KPI facts marked stale.
 */
export async function verifyStoredTags(db: Db, framework: Framework, opts: { apply?: boolean; verifier?: Verifier; clock?: () => Date } = {}): Promise<StoredVerification> {
  const verifier = opts.verifier ?? createVerifier(framework);
  const clock = opts.clock ?? (() => new Date());
  // the verifier reads with this framework version's cues: tags of other frameworks or versions are left alone
  const otherFrameworkTags = (await db.value<number>(`SELECT count(*)::INTEGER FROM note_tags WHERE framework_id <> $1 OR framework_version <> $2`, [framework.id, framework.version])) ?? 0;
  // only tags on the note's current text: older results are history, not evidence shown anywhere
  const rows = await db.all<StoredTagRow>(
    `SELECT t.tag_id, t.note_id, t.text_sha256, t.run_id, t.framework_version, t.scorer, t.model, t.prompt_version, t.domain_id, t.indicator_id,
            t.direction, t.level, t.status, t.confidence,
            coalesce(to_json(list({'start': c.start_offset, 'end': c.end_offset, 'quote': c.quote, 'match': c.match, 'similarity': c.similarity} ORDER BY c.start_offset, c.end_offset)
              FILTER (WHERE c.tag_id IS NOT NULL))::VARCHAR, '[]') AS citations
     FROM note_tags t
     JOIN notes n ON n.note_id = t.note_id AND n.text_sha256 = t.text_sha256
     -- a tag without a citation is read too: the verifier drops it, with its reason, rather than losing it unseen
     LEFT JOIN tag_citations c ON c.tag_id = t.tag_id
     WHERE t.framework_id = $1 AND t.framework_version = $2
     GROUP BY ALL
     ORDER BY t.note_id, t.framework_version, t.scorer, t.model, t.prompt_version, t.tag_id`,
    [framework.id, framework.version],
  );
  const texts = new Map((await db.all<{ note_id: string; text: string }>(
    `SELECT note_id, text FROM notes WHERE note_id IN (SELECT DISTINCT note_id FROM note_tags WHERE framework_id = $1 AND framework_version = $2)`, [framework.id, framework.version],
  )).map((r) => [r.note_id, r.text]));

  const groups = new Map<string, Group>();
  for (const r of rows) {
    const key = [framework.id, r.framework_version, r.scorer, r.model, r.prompt_version];
    const id = `${r.note_id}\u001f${key.join('\u001f')}`;
    let g = groups.get(id);
    if (!g) groups.set(id, (g = { noteId: r.note_id, sha: r.text_sha256, key, runId: r.run_id, tags: [] }));
    const citations = (JSON.parse(r.citations) as Array<{ start: number; end: number; quote: string; match: MatchKind; similarity: number }>)
      .map((c): Citation => ({ start: c.start, end: c.end, quote: c.quote, match: c.match, similarity: c.similarity }));
    g.tags.push({
      domainId: r.domain_id,
      ...(r.indicator_id !== null ? { indicatorId: r.indicator_id } : {}),
      direction: r.direction,
      ...(r.level !== null ? { level: r.level } : {}),
      status: r.status,
      confidence: r.confidence,
      citations,
    });
  }

  const report: StoredVerification = {
    verifier: verifier.version, framework: `${framework.id}@${framework.version}`, notes: 0, tagsChecked: rows.length,
    tagsContradicted: 0, tagsCorrected: 0, reasons: [], otherFrameworkTags, applied: false,
  };
  const reasons = new Map<string, StoredVerification['reasons'][number]>();
  const changed: Array<{ group: Group; tags: Tag[]; checks: TagCheck[]; contradicted: number; corrected: number }> = [];
  const notes = new Set<string>();
  for (const g of groups.values()) {
    notes.add(g.noteId);
    const text = texts.get(g.noteId) ?? '';
    const v = await verifier.verifyNote(text, g.tags);
    report.tagsContradicted += v.tagsDropped;
    report.tagsCorrected += v.tagsCorrected;
    for (const c of v.checks) {
      const k = `${c.action}\u001f${reasonKind(c.reason)}`;
      const seen = reasons.get(k);
      if (seen) seen.citations++;
      else reasons.set(k, { action: c.action, reason: reasonKind(c.reason), citations: 1 });
    }
    if (v.checks.length > 0) changed.push({ group: g, tags: v.tags, checks: v.checks, contradicted: v.tagsDropped, corrected: v.tagsCorrected });
  }
  report.notes = notes.size;
  report.reasons = [...reasons.values()].sort((a, b) => b.citations - a.citations || a.reason.localeCompare(b.reason));

  if (opts.apply && changed.length > 0) {
    const now = clock().toISOString().replace('T', ' ').replace('Z', '');
    await db.transaction(async () => {
      // each --apply is a run of its own in tag_checks, numbered -1, -2, …, apart from the score runs
      const verifyRun = -(((await db.value<number>('SELECT count(DISTINCT run_id)::INTEGER FROM tag_checks WHERE run_id < 0')) ?? 0) + 1);
      await markFactsStale(db);
      for (const { group: g, tags, checks, contradicted, corrected } of changed) {
        const where = `note_id = $1 AND framework_id = $2 AND framework_version = $3 AND scorer = $4 AND model = $5 AND prompt_version = $6`;
        const params = [g.noteId, ...g.key];
        await db.run(`DELETE FROM tag_citations WHERE tag_id IN (SELECT tag_id FROM note_tags WHERE ${where})`, params);
        await db.run(`DELETE FROM note_tags WHERE ${where}`, params);
        for (const [i, t] of tags.entries()) {
          // the verifier's version in the key: these ids never meet the scoring run's own
          const id = tagId(g.noteId, `${g.sha}|${g.key.join('|')}|${verifier.version}`, i);
          await db.run(
            `INSERT INTO note_tags VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)`,
            [id, g.noteId, g.sha, g.runId, ...g.key, t.domainId, t.indicatorId ?? null, t.direction, t.level ?? null, t.status, t.confidence],
          );
          for (const c of t.citations) {
            await db.run(`INSERT INTO tag_citations VALUES ($1, $2, $3, $4, $5, $6, $7)`, [id, g.noteId, c.start, c.end, c.quote, c.match, c.similarity]);
          }
        }
        for (const k of checks) {
          await db.run(
            `INSERT INTO tag_checks VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20::TIMESTAMP)`,
            [g.noteId, g.sha, ...g.key, verifyRun, verifier.version, k.domainId, k.direction, k.status, k.action, k.newDirection ?? null, k.newStatus ?? null, k.reason, k.start, k.end, k.quote, now],
          );
        }
        await db.run(
          `UPDATE note_scores SET tags = $7, tags_contradicted = coalesce(tags_contradicted, 0) + $8, tags_corrected = coalesce(tags_corrected, 0) + $9
           WHERE ${where.replace('note_id = $1', 'note_id = $1 AND text_sha256 = $10')}`,
          [...params, tags.length, contradicted, corrected, g.sha],
        );
      }
    });
    report.applied = true;
  }
  return report;
}
