import { Pool } from 'pg';
import { auditSale, testDatabaseUrl } from '@stampede/devkit';
import type { Cluster } from 'ioredis';

/** The people and things one hostile suite owns: everything its state snapshot covers. */
export interface Scope {
  saleIds: string[];
  userIds: string[];
  /** Reservation tokens whose sealed payloads must survive every hostile request. */
  tokens: string[];
  emailPrefix: string;
}

/**
 * Reads, in one go, everything a hostile request could have changed for this suite's sales and
 * users: the sales' Redis counters and holds, token payloads, and every row the suite's users own
 * in the auth, event and payment databases. Idempotency records are left out: a refused confirm
 * keeps its answer there on purpose, so a retry with the same key gets the same refusal. Other test files share these stores, so the
 * snapshot is scoped to the suite's own ids rather than counting whole tables.
 */
export class StateProbe {
  private readonly pools = {
    auth: new Pool({ connectionString: testDatabaseUrl('auth'), max: 2 }),
    event: new Pool({ connectionString: testDatabaseUrl('event'), max: 2 }),
    payment: new Pool({ connectionString: testDatabaseUrl('payment'), max: 2 }),
  };

  constructor(
    private readonly redis: Cluster,
    private readonly scope: Scope,
  ) {}

  private async q(db: keyof StateProbe['pools'], sql: string, params: unknown[]): Promise<unknown> {
    return (await this.pools[db].query(sql, params)).rows;
  }

  async snapshot(): Promise<string> {
    const { saleIds, userIds, tokens, emailPrefix } = this.scope;
    const state = {
      redis: {
        sales: await Promise.all(saleIds.map((id) => auditSale(this.redis, id))),
        tokens: await Promise.all(tokens.map((t) => this.redis.exists(`{sale:${/^rt_(.+)_[A-Za-z0-9_-]{43}$/.exec(t)?.[1]}}:tok:${t}`))),
      },
      auth: await this.q(
        'auth',
        `select (select count(*) from users where email like $1) as users,
                (select coalesce(json_agg(json_build_object('id', id, 'roles', roles) order by id), '[]') from users where id::text = any($2)) as roles,
                (select count(*) from refresh_families where user_id::text = any($2)) as families`,
        [`${emailPrefix}%`, userIds],
      ),
      event: await this.q(
        'event',
        `select (select coalesce(json_agg(json_build_object('id', id, 'status', status, 'sold', sold, 'stock', stock, 'version', version, 'price', unit_price) order by id), '[]')
                   from sales where id = any($1) or created_by = any($2)) as sales,
                (select count(*) from orders where sale_id = any($1) or user_id = any($2)) as orders`,
        [saleIds, userIds],
      ),
      payment: await this.q(
        'payment',
        `select (select coalesce(json_agg(json_build_object('id', id, 'status', status, 'amount', amount, 'attempts', attempts, 'pg', pg_status) order by id), '[]')
                   from payments where user_id = any($1)) as payments,
                (select count(*) from sandbox_pg_ledger l join payments p on p.order_id = l.order_id where p.user_id = any($1)) as ledger,
                (select count(*) from outbox where payload->'payment'->>'userId' = any($1)) as outbox,
                (select count(*) from webhook_deliveries w join payments p on p.order_id = w.order_id where p.user_id = any($1)) as webhooks,
                (select count(*) from subscriptions where user_id = any($1)) as subscriptions`,
        [userIds],
      ),
    };
    return JSON.stringify(state);
  }

  async close(): Promise<void> {
    await Promise.all(Object.values(this.pools).map((p) => p.end()));
  }
}
