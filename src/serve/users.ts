/**
 * `caselens user add`: writes a user with a hashed password (scrypt) or token (`sha256:`, see
 * tokens.ts) into the config file's
 * `serve.users`, keeping the rest of the file (comments included) as it was.
 */
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { ConfigError, UsageError } from '../errors.ts';
import { roleSchema, type Role } from '../dashboards/schema.ts';
import { userSchema, type UserRecord } from './config.ts';
import { hashSecret, newToken } from './secrets.ts';
import { sha256TokenHash } from './tokens.ts';

export interface AddUserOptions {
  name: string;
  role: Role | string;
  /** a password for the browser sign-in */
  password?: string;
  /** an API token; `true` makes a new random one (returned once, never stored in clear) */
  token?: string | true;
  /** staff id (staff.staff_id) for managers and supervisors */
  staffId?: string;
  displayName?: string;
  /** replace an existing user of the same name (default: refuse) */
  replace?: boolean;
}

export interface AddUserResult {
  file: string;
  user: Omit<UserRecord, 'passwordHash' | 'tokenHash'> & { password: boolean; token: boolean };
  /** the new token, when one was generated: show it once */
  token?: string;
  replaced: boolean;
}

/** Adds (or with `replace`, replaces) a user in `serve.users` of a YAML config file, creating the file if needed. */
export async function addUser(configFile: string, opts: AddUserOptions): Promise<AddUserResult> {
  const role = roleSchema.safeParse(opts.role);
  if (!role.success) throw new UsageError(`--role must be one of ${roleSchema.options.join(', ')}, got "${opts.role}"`);
  if (opts.password === undefined && opts.token === undefined) throw new UsageError('give a password (--password-stdin) or ask for a token (--token)');
  if (opts.password !== undefined && opts.password.length < 10) throw new UsageError('the password must have at least 10 characters');
  if (typeof opts.token === 'string' && opts.token.length < 24) throw new UsageError('a token must have at least 24 characters (or let caselens make one)');
  const token = opts.token === true ? newToken() : opts.token;
  const record: UserRecord = {
    name: opts.name,
    role: role.data,
    ...(opts.password !== undefined ? { passwordHash: await hashSecret(opts.password) } : {}),
    ...(token !== undefined ? { tokenHash: sha256TokenHash(token) } : {}),
    ...(opts.staffId ? { staffId: opts.staffId } : {}),
    ...(opts.displayName ? { displayName: opts.displayName } : {}),
  };
  const checked = userSchema.safeParse(record);
  if (!checked.success) {
    const issue = checked.error.issues[0]!;
    throw new UsageError(`user ${opts.name}: ${issue.path.join('.') ? `${issue.path.join('.')}: ` : ''}${issue.message}`);
  }

  const display = path.relative(process.cwd(), configFile) || configFile;
  const text = fs.existsSync(configFile) ? fs.readFileSync(configFile, 'utf8') : '';
  const doc = YAML.parseDocument(text);
  if (doc.errors.length) throw new ConfigError(doc.errors.map((e) => ({ file: display, path: '', message: `invalid YAML: ${e.message.split('\n')[0]}` })));
  if (doc.contents === null || doc.contents === undefined) doc.contents = doc.createNode({}) as never;
  if (!YAML.isMap(doc.contents)) throw new ConfigError([{ file: display, path: '', message: 'the config file must be a mapping' }]);
  const serve = doc.get('serve');
  if (serve !== undefined && serve !== null && !YAML.isMap(serve)) throw new ConfigError([{ file: display, path: 'serve', message: 'must be a mapping' }]);
  const users = doc.getIn(['serve', 'users']);
  if (users !== undefined && users !== null && !YAML.isSeq(users)) throw new ConfigError([{ file: display, path: 'serve.users', message: 'must be a list' }]);
  let replaced = false;
  if (YAML.isSeq(users)) {
    const index = users.items.findIndex((item) => YAML.isMap(item) && item.get('name') === opts.name);
    if (index >= 0) {
      if (!opts.replace) throw new UsageError(`user "${opts.name}" already exists in ${display}; use --replace to change it`);
      users.items[index] = doc.createNode(checked.data) as never;
      replaced = true;
    } else {
      users.items.push(doc.createNode(checked.data) as never);
    }
  } else {
    doc.setIn(['serve', 'users'], doc.createNode([checked.data]));
  }
  fs.mkdirSync(path.dirname(configFile), { recursive: true });
  const tmp = `${configFile}.${process.pid}.tmp`;
  const mode = fs.existsSync(configFile) ? fs.statSync(configFile).mode & 0o777 : 0o600;
  fs.writeFileSync(tmp, doc.toString(), { mode });
  fs.renameSync(tmp, configFile);
  const { passwordHash, tokenHash, ...rest } = checked.data;
  return { file: configFile, user: { ...rest, password: Boolean(passwordHash), token: Boolean(tokenHash) }, ...(opts.token === true ? { token } : {}), replaced };
}

/** Reads `serve.users` from a config file without validating the rest (used to pick up new users while serving). */
export function readUsers(configFile: string): unknown {
  const doc = YAML.parseDocument(fs.readFileSync(configFile, 'utf8'));
  if (doc.errors.length) throw new Error(doc.errors[0]!.message);
  return (doc.toJS() as { serve?: { users?: unknown } } | null)?.serve?.users;
}
