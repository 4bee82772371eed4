import { randomUUID } from 'node:crypto';
import type { Knex, MikroORM } from '@mikro-orm/postgresql';
import type { BillingKeyCipher } from '../domain/billing-cipher';
import { SubscriptionEntity, type Subscription } from './model';

export class SubscriptionStore {
  constructor(
    private readonly orm: MikroORM,
    private readonly knex: Knex,
    private readonly cipher: BillingKeyCipher,
  ) {}

  async create(s: { userId: string; customerKey: string; plan: string; billingCycle: string; amount: number }): Promise<Subscription> {
    const id = randomUUID();
    await this.knex('subscriptions').insert({
      id,
      user_id: s.userId,
      customer_key: s.customerKey,
      plan: s.plan,
      billing_cycle: s.billingCycle,
      amount: s.amount,
      status: 'PENDING_BILLING_KEY',
    });
    return (await this.findById(id)) as Subscription;
  }

  findById(id: string): Promise<Subscription | null> {
    return this.orm.em.fork().findOne(SubscriptionEntity, { id });
  }

  /** Stores the billing key encrypted under the active key; the plain key never touches the database. */
  async activate(id: string, billingKey: string, cardMasked: string | null): Promise<boolean> {
    const moved = await this.knex('subscriptions')
      .where({ id, status: 'PENDING_BILLING_KEY' })
      .update({ status: 'ACTIVE', billing_key_enc: this.cipher.encrypt(billingKey), card_masked: cardMasked, activated_at: this.knex.fn.now() });
    return moved > 0;
  }

  /** The plain billing key, for a recurring charge. Throws if the stored record was tampered with. */
  async billingKeyOf(id: string): Promise<string | null> {
    const row = (await this.knex('subscriptions').select('billing_key_enc').where({ id }).first()) as { billing_key_enc: string | null } | undefined;
    return row?.billing_key_enc ? this.cipher.decrypt(row.billing_key_enc) : null;
  }

  /**
   * Re-encrypts records written under older keys with the active key, so a retired key can then be
   * removed from configuration. Records no configured key can open are counted, never changed.
   */
  async rewrap(opts: { batch?: number; ids?: string[] } = {}): Promise<{ moved: number; unreadable: number }> {
    const q = this.knex('subscriptions')
      .select('id', 'billing_key_enc')
      .whereNotNull('billing_key_enc')
      .andWhere('billing_key_enc', 'not like', `${this.cipher.activeKey}:%`)
      .limit(opts.batch ?? 500);
    if (opts.ids) q.whereIn('id', opts.ids);
    const rows = (await q) as Array<{ id: string; billing_key_enc: string }>;
    let moved = 0;
    let unreadable = 0;
    for (const r of rows) {
      let plain: string;
      try {
        plain = this.cipher.decrypt(r.billing_key_enc);
      } catch {
        unreadable++;
        continue;
      }
      moved += await this.knex('subscriptions').where({ id: r.id, billing_key_enc: r.billing_key_enc }).update({ billing_key_enc: this.cipher.encrypt(plain) });
    }
    return { moved, unreadable };
  }
}
