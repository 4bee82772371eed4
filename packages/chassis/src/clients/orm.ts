import { MikroORM, type EntityManager, type EntitySchema, type Options } from '@mikro-orm/postgresql';
import type { MigrationObject } from '@mikro-orm/core';
import { Migrator } from '@mikro-orm/migrations';
import { Client } from 'pg';
import { pgTls } from './pg-tls';

/**
 * The one way every service persists (auth, event, payment):
 * - entities are `EntitySchema`s in the service's `store/`, next to `store/migrations/`;
 * - a use case runs in `transaction(orm, em => ...)`: every read and write of it goes through that
 *   `em`, so reads see the transaction's own writes and no second pool connection is taken;
 * - a guarded state change (`where status = 'CHARGING'`) is `em.nativeUpdate`, and the count it
 *   returns decides which of two racing replicas won;
 * - what no entity expresses (an aggregate, `for update skip locked`) is `em.execute` with
 *   parameters, still on the use case's `em`.
 */
export type Em = EntityManager;

/** Runs `fn` in one PostgreSQL transaction on a fresh context (never the global one). */
export const transaction = <T>(orm: MikroORM, fn: (em: Em) => Promise<T>): Promise<T> => orm.em.fork().transactional(fn);

/** A fresh context for reads that need no transaction (a single select). */
export const reader = (orm: MikroORM): Em => orm.em.fork();

export const MIGRATION_LOCK_ID = 0x5_7a_4d;

export interface OrmOptions {
  clientUrl: string;
  entities: EntitySchema[];
  migrations: MigrationObject[];
  /** Schema-level isolation, e.g. one per service. */
  schema?: string;
  poolMax?: number;
  /** CA bundle for DATABASE_URL's sslmode (DATABASE_SSL_CA_FILE). */
  sslCaFile?: string;
  extra?: Partial<Options>;
}

export function ormConfig(o: OrmOptions): Options {
  const tls = pgTls(o.clientUrl, o.sslCaFile);
  return {
    clientUrl: tls.connectionString,
    entities: o.entities,
    schema: o.schema,
    extensions: [Migrator],
    migrations: {
      migrationsList: o.migrations,
      tableName: 'mikro_orm_migrations',
      transactional: true,
      allOrNothing: true,
      snapshot: false,
      silent: true,
    },
    pool: { min: 0, max: o.poolMax ?? 10 },
    // pg Pool options: a connection (new or from the pool) within 3 s, no statement past 10 s.
    driverOptions: { connectionTimeoutMillis: 3_000, statement_timeout: 10_000, ssl: tls.ssl },
    allowGlobalContext: false,
    discovery: { warnWhenNoEntities: false },
    debug: false,
    ...o.extra,
  };
}

export async function initOrm(o: OrmOptions): Promise<MikroORM> {
  return MikroORM.init(ormConfig(o));
}

/**
 * Migrations run as a step of their own (the stack's migrate step, the migrate init container
 * of each pod the chart runs, a test's global setup), never inside a serving process; replicas
 * starting together queue on the lock below, so two never race on DDL.
 */
export async function migrate(o: OrmOptions): Promise<string[]> {
  // A session advisory lock serialises concurrent callers (parallel test files, pods starting
  // together): the second one waits, then finds nothing left to run.
  const lock = new Client(pgTls(o.clientUrl, o.sslCaFile));
  await lock.connect();
  try {
    await lock.query('select pg_advisory_lock($1)', [MIGRATION_LOCK_ID]);
    const orm = await MikroORM.init(ormConfig(o));
    try {
      const done = await orm.migrator.up();
      return done.map((m) => m.name);
    } finally {
      await orm.close(true);
    }
  } finally {
    await lock.end();
  }
}

export async function pingDatabase(orm: MikroORM): Promise<void> {
  await orm.em.getConnection().execute('select 1');
}
