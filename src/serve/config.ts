/**
 * The `serve` section of caselens.config.yaml: where the server listens, who may sign in,
 * how the read-only snapshot and the audit trail behave. Every field has a default, so an
 * absent section means "loopback only, demo sign-in, nothing else".
 *
 * The lead mounts it as `serve: serveConfigSection` in src/config/config.ts (`prefault`, not
 * `default`, so zod 4 fills the inner defaults of a missing section).
 */
import { z } from 'zod';
import { roleSchema, type Role } from '../dashboards/schema.ts';

export const HASH_PREFIX = 'scrypt$';

const hashSchema = z
  .string()
  .regex(/^scrypt\$\d+\$\d+\$\d+\$[A-Za-z0-9+/=_-]+\$[A-Za-z0-9+/=_-]+$/, 'expected a hash written by `caselens user add` (scrypt$N$r$p$salt$key)');

/** a token hash: `sha256:<64 hex>` (what `caselens user add` writes) or an older scrypt hash (still accepted, slower: see tokens.ts) */
const tokenHashSchema = z.union([
  z.string().regex(/^sha256:[0-9a-fA-F]{64}$/),
  hashSchema,
], { error: 'expected a token hash written by `caselens user add` (sha256:<64 hex digits>, or an older scrypt$N$r$p$salt$key)' });

export const userSchema = z
  .strictObject({
    /** sign-in name */
    name: z.string().regex(/^[A-Za-z0-9._@-]{1,64}$/, 'use letters, digits, ".", "_", "@" or "-" (at most 64)'),
    role: roleSchema,
    /** scrypt hash of the password (never the password itself) */
    passwordHash: hashSchema.optional(),
    /** SHA-256 digest (`sha256:<hex>`) or older scrypt hash of an API token, for `Authorization: Bearer …` */
    tokenHash: tokenHashSchema.optional(),
    /** the staff member this user is (staff.staff_id): managers see their caseload, supervisors their team */
    staffId: z.string().min(1).optional(),
    /** a readable name for the page header */
    displayName: z.string().min(1).max(120).optional(),
  })
  .superRefine((u, ctx) => {
    if (!u.passwordHash && !u.tokenHash) ctx.addIssue({ code: 'custom', message: 'a user needs a passwordHash or a tokenHash (use `caselens user add`)', path: ['passwordHash'] });
    if ((u.role === 'manager' || u.role === 'supervisor') && !u.staffId) {
      ctx.addIssue({ code: 'custom', message: `a ${u.role} needs staffId: the staff member whose ${u.role === 'manager' ? 'caseload' : 'team'} they see`, path: ['staffId'] });
    }
  });
export type UserRecord = z.infer<typeof userSchema>;

export const serveConfigSchema = z
  .strictObject({
    /** address to listen on; anything but loopback needs configured users */
    host: z.string().min(1).default('127.0.0.1'),
    port: z.int().min(0).max(65535).default(8787),
    users: z.array(userSchema).default([]),
    /**
     * HMAC key for session cookies (32+ characters; use `${CASELENS_SESSION_SECRET}`). Without it a
     * random key is made at start, so sessions end when the server restarts.
     */
    sessionSecret: z.string().min(32, 'use at least 32 characters').optional(),
    /** how long a sign-in lasts */
    sessionHours: z.number().positive().max(24 * 30).default(12),
    /** `auto`: Secure cookies unless serving plain HTTP on loopback */
    secureCookies: z.enum(['auto', 'always', 'never']).default('auto'),
    /** the loopback-only demo sign-in (choose a role); on by default only when no users are configured */
    demoSignIn: z.enum(['auto', 'on', 'off']).default('auto'),
    snapshot: z
      .strictObject({
        /** `memory`: the served copy lives in RAM; `file`: in a file under `dir` (for databases larger than RAM) */
        mode: z.enum(['memory', 'file']).default('memory'),
        /** where `file` snapshots go (default: the system temp folder) */
        dir: z.string().min(1).optional(),
        /** how often to look for a changed database file */
        checkSeconds: z.number().min(0.05).max(3600).default(2),
        /** a changed file must stay unchanged this long before it is copied (a writer may still be busy) */
        settleSeconds: z.number().min(0).max(600).default(1),
        /** at start, how long to wait for a writer (ingest, score) to finish before giving up */
        startWaitSeconds: z.number().min(0).max(3600).default(30),
      })
      .prefault({}),
    audit: z
      .strictObject({
        /** folder of the audit JSONL files (default: `<database without .duckdb>.audit/` beside the database) */
        dir: z.string().min(1).optional(),
      })
      .prefault({}),
    cache: z
      .strictObject({
        /** KPI results and rendered pages kept per snapshot */
        entries: z.int().min(0).max(100_000).default(1000),
      })
      .prefault({}),
  });

export type ServeConfig = z.infer<typeof serveConfigSchema>;
export type ServeConfigInput = z.input<typeof serveConfigSchema>;

/** What the lead mounts in the config schema: `serve: serveConfigSection`. */
export const serveConfigSection = serveConfigSchema.prefault({});

export function parseServeConfig(raw: unknown = {}): ServeConfig {
  return serveConfigSchema.parse(raw ?? {});
}

export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127(\.\d{1,3}){3}$/.test(h) || h === '::ffff:127.0.0.1';
}

export type { Role };
