import type { EntitySchema, MigrationObject } from '@stampede/chassis';

/** The entities and the ordered migrations of the auth database. */
export const model: { entities: EntitySchema[]; migrations: MigrationObject[] } = {
  entities: [],
  migrations: [],
};
