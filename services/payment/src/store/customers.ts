import { randomBytes } from 'node:crypto';
import type { Em } from '@stampede/chassis/clients/orm';
import { CustomerEntity } from './model';

/**
 * The provider's customer key for a user: random, stable, and unrelated to the user id, so it
 * reveals nothing if it leaks (guessable customer keys are discouraged by providers). Insert-if-absent
 * on the user: two first requests at once still end with one key.
 */
export async function customerKeyOf(em: Em, userId: string): Promise<string> {
  await em
    .qb(CustomerEntity)
    .insert({ userId, customerKey: `cust_${randomBytes(18).toString('base64url')}` })
    .onConflict('userId')
    .ignore()
    .execute('run');
  return (await em.findOneOrFail(CustomerEntity, { userId }, { refresh: true })).customerKey;
}
