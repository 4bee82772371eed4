import type { EntitySchema, MigrationObject } from '@mikro-orm/core';
import { AuditEntity, PromotionEntity, OrderEntity, RewardEntity, RewardRequestEntity, SaleEntity } from './entities';
import { Migration001Initial } from './migrations/001-initial';
import { Migration002WaitingRoom } from './migrations/002-waiting-room';

/** The entities and the ordered migrations of the event database. */
export const model: { entities: EntitySchema[]; migrations: MigrationObject[] } = {
  entities: [SaleEntity, OrderEntity, PromotionEntity, RewardEntity, RewardRequestEntity, AuditEntity] as EntitySchema[],
  migrations: [
    { name: '001-initial', class: Migration001Initial },
    { name: '002-waiting-room', class: Migration002WaitingRoom },
  ],
};
