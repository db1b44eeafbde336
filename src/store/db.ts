import fs from 'node:fs';
import path from 'node:path';
import { DuckDBConnection, DuckDBInstance, type DuckDBValue } from '@duckdb/node-api';
import { CaselensError, errorMessage, exitCodes } from '../errors.ts';

export type Row = Record<string, unknown>;
export type Params = DuckDBValue[] | Record<string, DuckDBValue>;

/**
 * The one choke point for database errors: every failure from DuckDB passes through here
 * and comes out with the statement's purpose and, where we recognise it, what to do.
 */
export function explainDbError(e: unknown, purpose: string): CaselensError {
  if (e instanceof CaselensError) return e;
  const message = errorMessage(e);
  const hints: Array<[RegExp, string]> = [
    [/Could not set lock on file|Conflicting lock|database is locked/i, 'another process has this database open for writing (is `caselens serve` or another `caselens ingest` running?); stop it or use --db'],
    [/No space left on device/i, 'the disk is full; free space and run the command again (nothing was committed)'],
    [/Permission denied/i, 'check that you can write to the database file and its folder'],
    [/not a valid DuckDB database file|The file is not a valid DuckDB database/i, 'this file is not a caselens/DuckDB database; check --db or CASELENS_DB'],
    [/Out of Memory/i, 'DuckDB ran out of memory; raise ingest.memoryLimit in caselens.config.yaml or load fewer files at once'],
  ];
  const hint = hints.find(([re]) => re.test(message))?.[1];
  const first = message.split('\n')[0] ?? message;
  return new CaselensError(`${purpose}: ${first}${hint ? ` (${hint})` : ''}`, { exitCode: exitCodes.database, cause: e });
}

function toPlain(value: unknown): unknown {
  if (typeof value === 'bigint') {
    return value <= BigInt(Number.MAX_SAFE_INTEGER) && value >= BigInt(Number.MIN_SAFE_INTEGER) ? Number(value) : value.toString();
  }
  if (Array.isArray(value)) return value.map(toPlain);
  if (value && typeof value === 'object' && !(value instanceof Date)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toPlain(v)]));
  }
  return value;
}

/** A connection to one caselens DuckDB file, with small helpers for queries and transactions. */
export class Db {
  readonly path: string;
  readonly instance: DuckDBInstance;
  readonly connection: DuckDBConnection;
  readonly readOnly: boolean;
  /** statements run through `run` on this connection: lets caches of derived data skip re-checking until something may have changed */
  writes = 0;
  private closed = false;

  private constructor(dbPath: string, instance: DuckDBInstance, connection: DuckDBConnection, readOnly: boolean) {
    this.path = dbPath;
    this.instance = instance;
    this.connection = connection;
    this.readOnly = readOnly;
  }

  static async open(dbPath: string, opts: { readOnly?: boolean } = {}): Promise<Db> {
    if (dbPath !== ':memory:') {
      if (opts.readOnly && !fs.existsSync(dbPath)) {
        throw new CaselensError(`database ${dbPath} does not exist: run \`caselens ingest\` (or \`npm start\`) first, or point --db at an existing file`, { exitCode: exitCodes.database, status: 503 });
      }
      fs.mkdirSync(path.dirname(dbPath), { recursive: true });
    }
    try {
      const instance = await DuckDBInstance.create(dbPath, opts.readOnly ? { access_mode: 'READ_ONLY' } : {});
      const connection = await instance.connect();
      return new Db(dbPath, instance, connection, opts.readOnly === true);
    } catch (e) {
      throw explainDbError(e, `cannot open database ${dbPath}`);
    }
  }

  async run(sql: string, params?: Params, purpose = 'database statement failed'): Promise<void> {
    this.writes++;
    try {
      await this.connection.run(sql, params);
    } catch (e) {
      throw explainDbError(e, purpose);
    }
  }

  async all<T = Row>(sql: string, params?: Params, purpose = 'database query failed'): Promise<T[]> {
    try {
      const reader = await this.connection.runAndReadAll(sql, params);
      return reader.getRowObjectsJS().map((r) => toPlain(r) as T);
    } catch (e) {
      throw explainDbError(e, purpose);
    }
  }

  async one<T = Row>(sql: string, params?: Params, purpose?: string): Promise<T | undefined> {
    return (await this.all<T>(sql, params, purpose))[0];
  }

  async value<T = unknown>(sql: string, params?: Params, purpose?: string): Promise<T> {
    const row = await this.one<Row>(sql, params, purpose);
    return (row ? Object.values(row)[0] : undefined) as T;
  }

  /** Runs `fn` in one transaction: all of it is committed, or none of it. */
  async transaction<T>(fn: () => Promise<T>): Promise<T> {
    await this.run('BEGIN TRANSACTION');
    try {
      const result = await fn();
      await this.run('COMMIT', undefined, 'could not commit');
      return result;
    } catch (e) {
      try {
        await this.connection.run('ROLLBACK');
      } catch {
        // The transaction may already be aborted by DuckDB; the original error matters more.
      }
      throw e;
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.connection.closeSync();
    this.instance.closeSync();
  }
}

/** Quotes an identifier for SQL. */
export function ident(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** Quotes a string literal for SQL (for values DuckDB cannot take as parameters, e.g. table-function options). */
export function lit(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}
