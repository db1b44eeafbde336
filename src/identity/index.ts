export { loadIdentityKey } from './key.ts';
export { mintSql, resolveClients, type ResolveCounts } from './resolve.ts';
export { listReviews, type IdentityReview } from './review.ts';
