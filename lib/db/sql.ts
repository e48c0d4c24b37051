/**
 * Plain SQL on the Prisma client's own connections, for the few hot paths where the Prisma client
 * runtime costs more than the statement (the dispense gate: lib/dispensing/request.ts, api-keys.ts,
 * lib/http/rate-limit.ts). Same pool (PostgreSQL) or the same embedded handle (PGlite) as the
 * client, so the pool size and the outage behaviour do not change. Everything else uses Prisma.
 *
 * Statements are written with the `sql` tag: `sql\`SELECT … WHERE "id" = ${id}::uuid\``. Values
 * are sent as parameters, never spliced into the text.
 */
import type { PGlite } from "@electric-sql/pglite";
import type pg from "pg";

export interface SqlStatement {
  text: string;
  values: unknown[];
}

/** The statement text for one template is built once (a template's strings are the same object on every call). */
const texts = new WeakMap<TemplateStringsArray, string>();

export function sql(strings: TemplateStringsArray, ...values: unknown[]): SqlStatement {
  let text = texts.get(strings);
  if (text === undefined) {
    text = strings.reduce((all, part, i) => (i === 0 ? part : `${all}$${i}${part}`), "");
    texts.set(strings, text);
  }
  return { text, values };
}

export interface QueryOptions {
  /**
   * Inside a transaction, this is its last statement: COMMIT is queued right behind it, so the
   * database commits as soon as the statement ends, without waiting for this process to read the
   * answer (a busy event loop would otherwise hold the transaction's locks that much longer).
   * Nothing may be sent after it. When the statement fails, the COMMIT rolls back.
   */
  thenCommit?: boolean;
}

/**
 * Runs statements: on the pool (one statement each), or inside one transaction. Inside a
 * transaction, statements started without waiting for the previous one's answer are sent in order,
 * each as soon as the previous one ends (pg's queue; PGlite's), without a turn of this process's
 * event loop in between; a statement queued behind a failed one fails too.
 */
export interface Sql {
  query<T>(statement: SqlStatement, options?: QueryOptions): Promise<T[]>;
}

export interface SqlDriver extends Sql {
  /** BEGIN, `run`, COMMIT; ROLLBACK when `run` throws (the error is rethrown). */
  transaction<T>(run: (tx: Sql) => Promise<T>): Promise<T>;
}

/** PostgreSQL through the pg pool the Prisma adapter opened (`pool()` connects the client first if needed). */
export function pgSqlDriver(pool: () => Promise<pg.Pool>): SqlDriver {
  return {
    async query<T>(statement: SqlStatement): Promise<T[]> {
      const result = await (await pool()).query(statement.text, statement.values);
      return result.rows as T[];
    },
    async transaction<T>(run: (tx: Sql) => Promise<T>): Promise<T> {
      const conn = await (await pool()).connect();
      // A connection that fails mid-transaction emits "error"; it must not crash the process, and
      // it must not go back to the pool.
      let broken: Error | undefined;
      const onError = (error: Error) => {
        broken = error;
      };
      conn.on("error", onError);
      let commit: Promise<unknown> | null = null;
      const tx: Sql = {
        async query<R>(statement: SqlStatement, options?: QueryOptions): Promise<R[]> {
          if (commit) throw new Error("this transaction is already committing");
          const answer = conn.query(statement.text, statement.values);
          if (options?.thenCommit) {
            // pg sends a queued query as soon as the previous one's ReadyForQuery arrives.
            commit = conn.query("COMMIT");
            commit.catch(() => undefined); // awaited below; a failure must not go unhandled meanwhile
          }
          return (await answer).rows as R[];
        },
      };
      try {
        // BEGIN is queued, not waited for: the transaction's first statement follows it at once.
        const begun = conn.query("BEGIN");
        begun.catch(() => undefined); // awaited below
        const result = await run(tx);
        await begun;
        await (commit ?? conn.query("COMMIT"));
        return result;
      } catch (error) {
        // A COMMIT queued behind a failed statement answers ROLLBACK; wait for it before going on.
        if (commit) await Promise.resolve(commit).catch(() => undefined);
        if (!broken) {
          await conn.query("ROLLBACK").catch((rollbackError: Error) => {
            broken = rollbackError;
          });
        }
        throw error;
      } finally {
        conn.removeListener("error", onError);
        conn.release(broken);
      }
    },
  };
}

/** PGlite: one connection; its own transaction queue serializes this with the Prisma adapter's transactions. */
export function pgliteSqlDriver(handle: PGlite): SqlDriver {
  return {
    async query<T>(statement: SqlStatement): Promise<T[]> {
      return (await handle.query<T>(statement.text, statement.values)).rows;
    },
    transaction<T>(run: (tx: Sql) => Promise<T>): Promise<T> {
      let last = false;
      return handle.transaction((t) =>
        run({
          // PGlite runs in this process: it commits when `run` returns; thenCommit only marks the end.
          async query<R>(statement: SqlStatement, options?: QueryOptions): Promise<R[]> {
            if (last) throw new Error("this transaction is already committing");
            last = options?.thenCommit === true;
            return (await t.query<R>(statement.text, statement.values)).rows;
          },
        }),
      );
    },
  };
}
