import type { MikroORM } from '@mikro-orm/postgresql';

export type Em = MikroORM['em'];

/** Runs `fn` in one PostgreSQL transaction on a fresh context (never the global one). */
export const inTx = <T>(orm: MikroORM, fn: (em: Em) => Promise<T>): Promise<T> => orm.em.fork().transactional(fn);

/** A read on a fresh context, outside any transaction. */
export const readOnly = (orm: MikroORM): Em => orm.em.fork();

export interface Page {
  limit: number;
  offset: number;
}

export interface Paged<T> {
  items: T[];
  total: number;
  limit: number;
  offset: number;
}
