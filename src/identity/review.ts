import type { Db } from '../store/index.ts';

export interface IdentityReview {
  source_system: string;
  source_key: string;
  client_id: string;
  candidates: string[];
  rules: string[];
  detected_at: Date;
  run_id: number;
  status: string;
}

/** Source records whose identity rules pointed at more than one existing client. */
export async function listReviews(db: Db, opts: { status?: string } = {}): Promise<IdentityReview[]> {
  return db.all<IdentityReview>(
    `SELECT * FROM identity_reviews WHERE ($1::VARCHAR IS NULL OR status = $1) ORDER BY detected_at, source_system, source_key`,
    [opts.status ?? null],
  );
}
