import { randomBytes } from 'node:crypto';
import type { Knex } from '@mikro-orm/postgresql';

/**
 * The gateway's customer key for a user: random, stable, and unrelated to the user id, so it
 * reveals nothing if it leaks (Toss advises against guessable keys).
 */
export async function customerKeyOf(knex: Knex, userId: string): Promise<string> {
  await knex('customers')
    .insert({ user_id: userId, customer_key: `cust_${randomBytes(18).toString('base64url')}` })
    .onConflict('user_id')
    .ignore();
  const row = (await knex('customers').select('customer_key').where({ user_id: userId }).first()) as { customer_key: string };
  return row.customer_key;
}
