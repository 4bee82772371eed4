import { Migration } from '@mikro-orm/migrations';

/**
 * Sales, orders, promotions (table `events`: a period and conditions) with their rewards (POINT,
 * ITEM, COUPON, BADGE) and reward requests (one per user and promotion), and the audit log. The
 * CHECK on sales.sold is the last line of defence against overselling: even a buggy guard cannot
 * commit sold > stock.
 */
export class Migration001Initial extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table sales (
        id text primary key,
        name text not null,
        sku text not null,
        product_name text not null,
        unit_price integer not null check (unit_price >= 0),
        stock integer not null check (stock > 0),
        per_user_limit integer not null default 1 check (per_user_limit >= 1),
        opens_at timestamptz not null,
        closes_at timestamptz not null,
        hold_ttl_seconds integer not null check (hold_ttl_seconds between 30 and 3600),
        conditions jsonb not null default '{}'::jsonb,
        refund_policy text not null default 'RESTOCK' check (refund_policy in ('RESTOCK', 'NO_RESTOCK')),
        status text not null default 'DRAFT'
          check (status in ('DRAFT', 'SCHEDULED', 'OPEN', 'PAUSED', 'CLOSED', 'CANCELLED')),
        sold integer not null default 0,
        version integer not null default 1,
        armed_at timestamptz,
        created_by text not null,
        created_at timestamptz not null default now(),
        updated_at timestamptz not null default now(),
        constraint sales_window check (closes_at > opens_at),
        constraint sales_sold_within_stock check (sold >= 0 and sold <= stock)
      )`);
    this.addSql('create index sales_status_opens_idx on sales (status, opens_at)');
    this.addSql(`
      create table orders (
        id text primary key,
        payment_id text not null unique,
        order_id text not null,
        sale_id text not null,
        hold_id text not null,
        user_id text not null,
        sku text not null,
        qty integer not null check (qty > 0),
        amount integer not null check (amount >= 0),
        status text not null check (status in ('CONFIRMED', 'CANCELLED')),
        confirmed_at timestamptz,
        refunded_at timestamptz,
        refund_amount integer,
        created_at timestamptz not null default now(),
        updated_at timestamptz not null default now()
      )`);
    this.addSql('create index orders_sale_status_idx on orders (sale_id, status)');
    this.addSql(`
      create table events (
        id text primary key,
        title text not null,
        description text not null default '',
        conditions jsonb not null default '{}'::jsonb,
        starts_at timestamptz not null,
        ends_at timestamptz not null,
        created_by text not null,
        created_at timestamptz not null default now(),
        updated_at timestamptz not null default now(),
        constraint events_period check (ends_at > starts_at)
      )`);
    this.addSql(`
      create table rewards (
        id text primary key,
        event_id text not null references events (id) on delete cascade,
        type text not null check (type in ('POINT', 'ITEM', 'COUPON', 'BADGE')),
        name text not null,
        quantity integer not null check (quantity > 0),
        created_at timestamptz not null default now()
      )`);
    this.addSql('create index rewards_event_idx on rewards (event_id)');
    this.addSql(`
      create table reward_requests (
        id text primary key,
        event_id text not null references events (id) on delete cascade,
        user_id text not null,
        status text not null check (status in ('PENDING', 'APPROVED', 'REJECTED')),
        decided_by text,
        decided_at timestamptz,
        note text,
        created_at timestamptz not null default now(),
        constraint reward_requests_one_per_user unique (user_id, event_id)
      )`);
    this.addSql('create index reward_requests_event_status_idx on reward_requests (event_id, status, created_at)');
    this.addSql(`
      create table audit_log (
        id text primary key,
        actor_id text not null,
        actor_roles jsonb not null,
        action text not null,
        entity_type text not null,
        entity_id text not null,
        before jsonb,
        after jsonb,
        request_id text,
        at timestamptz not null default now()
      )`);
    this.addSql('create index audit_log_entity_idx on audit_log (entity_type, entity_id, at)');
    this.addSql('create index audit_log_at_idx on audit_log (at)');
  }

  override async down(): Promise<void> {
    for (const t of ['audit_log', 'reward_requests', 'rewards', 'events', 'orders', 'sales']) this.addSql(`drop table ${t}`);
  }
}
