import type { EntitySchema, MigrationObject } from '@stampede/chassis';

/** The entities and the ordered migrations of the event database. */
export const model: { entities: EntitySchema[]; migrations: MigrationObject[] } = {
  entities: [],
  migrations: [],
};
