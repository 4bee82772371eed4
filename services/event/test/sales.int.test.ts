import { http } from '@stampede/devkit';
import { createSale, saleBody, startEvent, transition, type EventHarness } from './support';

describe('event service: sales API', () => {
  let h: EventHarness;
  let operator: string;
  let auditor: string;
  let shopper: string;

  beforeAll(async () => {
    h = await startEvent();
    operator = await h.token(['OPERATOR']);
    auditor = await h.token(['AUDITOR']);
    shopper = await h.token(['USER']);
  });
  afterAll(() => h?.stop());

  const salesNamed = (name: string) => h.count('select 1 from sales where name = $1', [name]);

  it('when a request carries no token, then it gets 401 AUTH_REQUIRED', async () => {
    const res = await http('GET', `${h.url}/sales`);
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('AUTH_REQUIRED');
  });

  it.each([
    ['USER', ['USER']],
    ['AUDITOR', ['AUDITOR']],
  ] as const)('when a %s creates a sale, then it gets 403 and nothing is stored', async (_name, roles) => {
    const body = saleBody();
    const res = await http('POST', `${h.url}/sales`, { token: await h.token([...roles]), body });
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('FORBIDDEN');
    expect(await salesNamed(body.name)).toBe(0);
  });

  it.each([
    ['stock', { stock: 0 }],
    ['stock', { stock: -3 }],
    ['stock', { stock: 2.5 }],
    ['unitPrice', { unitPrice: -1 }],
    ['closesAt', { opensAt: '2030-01-02T10:00:00Z', closesAt: '2030-01-02T09:00:00Z' }],
    ['closesAt', { opensAt: '2030-01-02T10:00:00Z', closesAt: '2030-01-02T10:00:00Z' }],
    ['perUserLimit', { perUserLimit: 0 }],
    ['holdTtlSeconds', { holdTtlSeconds: 29 }],
    ['holdTtlSeconds', { holdTtlSeconds: 3601 }],
    ['opensAt', { opensAt: 'tomorrow' }],
    ['status', { status: 'OPEN' }],
    ['conditions.roles.0', { conditions: { roles: ['KING'] } }],
    ['waitingRoom.margin', { waitingRoom: { margin: -1 } }],
    ['waitingRoom.admissionRatePerSecond', { waitingRoom: { admissionRatePerSecond: 1.5 } }],
    ['waitingRoom.heartbeatTimeoutSeconds', { waitingRoom: { heartbeatTimeoutSeconds: 1 } }],
    ['waitingRoom.admissionTtlSeconds', { waitingRoom: { admissionTtlSeconds: 3601 } }],
    ['waitingRoom.enabled', { waitingRoom: { enabled: 'yes' } }],
    ['waitingRoom.lane', { waitingRoom: { lane: 'fast' } }],
  ])('when a sale has an invalid %s (%j), then it gets 400 naming the field and nothing is stored', async (field, overrides) => {
    const body = saleBody(overrides);
    const res = await http('POST', `${h.url}/sales`, { token: operator, body });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('INVALID_INPUT');
    expect(res.body.error.details.fields.map((f: { field: string }) => f.field)).toContain(field);
    expect(res.body.error.message).toContain(field);
    expect(await salesNamed(body.name)).toBe(0);
  });

  it('when an operator creates a valid sale, then it is stored as a DRAFT with the defaults', async () => {
    const body = saleBody({ stock: 300 });
    const res = await http('POST', `${h.url}/sales`, { token: operator, body });
    expect(res.status).toBe(201);
    expect(res.headers.get('location')).toBe(`/sales/${res.body.id}`);
    expect(res.body).toMatchObject({
      name: body.name,
      product: body.product,
      unitPrice: 129_000,
      stock: 300,
      perUserLimit: 1,
      holdTtlSeconds: 300,
      conditions: {},
      refundPolicy: 'RESTOCK',
      waitingRoom: { enabled: true, admissionRatePerSecond: 0, margin: 10, heartbeatTimeoutSeconds: 20, admissionTtlSeconds: 60 },
      status: 'DRAFT',
      sold: 0,
      version: 1,
      armedAt: null,
    });
    const row = await h.db.query('select status, stock, per_user_limit, hold_ttl_seconds from sales where id = $1', [res.body.id]);
    expect(row.rows).toEqual([{ status: 'DRAFT', stock: 300, per_user_limit: 1, hold_ttl_seconds: 300 }]);
  });

  it('when a draft is updated, then the change is stored and the version increases', async () => {
    const sale = await createSale(h.url, operator);
    const res = await http('PATCH', `${h.url}/sales/${sale.id}`, { token: operator, body: { stock: 7, unitPrice: 99_000 } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ stock: 7, unitPrice: 99_000, version: 2 });
  });

  it('when a draft\'s waiting room is patched, then only the named settings change and the snapshot carries them', async () => {
    const sale = await createSale(h.url, operator, { waitingRoom: { margin: 5 } });
    const res = await http('PATCH', `${h.url}/sales/${sale.id}`, { token: operator, body: { waitingRoom: { admissionRatePerSecond: 50 } } });
    expect(res.status).toBe(200);
    const room = { enabled: true, admissionRatePerSecond: 50, margin: 5, heartbeatTimeoutSeconds: 20, admissionTtlSeconds: 60 };
    expect(res.body.waitingRoom).toEqual(room);
    const row = await h.db.query('select waiting_room from sales where id = $1', [sale.id]);
    expect(row.rows[0].waiting_room).toEqual(room);
  });

  it('when a waiting room patch is invalid, then it gets 400 naming the setting and the sale is unchanged', async () => {
    const sale = await createSale(h.url, operator);
    const res = await http('PATCH', `${h.url}/sales/${sale.id}`, { token: operator, body: { waitingRoom: { margin: 'many' } } });
    expect(res.status).toBe(400);
    expect(res.body.error.details.fields.map((f: { field: string }) => f.field)).toContain('waitingRoom.margin');
    const row = await h.db.query('select waiting_room, version from sales where id = $1', [sale.id]);
    expect(row.rows).toEqual([{ waiting_room: sale.waitingRoom, version: 1 }]);
  });

  it('when an update would break a rule across fields, then it gets 400 and the draft is unchanged', async () => {
    const sale = await createSale(h.url, operator, { stock: 3 });
    const res = await http('PATCH', `${h.url}/sales/${sale.id}`, { token: operator, body: { perUserLimit: 4 } });
    expect(res.status).toBe(400);
    expect(res.body.error.details.fields).toEqual([{ field: 'perUserLimit', message: 'must not exceed stock' }]);
    const row = await h.db.query('select per_user_limit, version from sales where id = $1', [sale.id]);
    expect(row.rows).toEqual([{ per_user_limit: 1, version: 1 }]);
  });

  it('when a scheduled sale is updated, then it gets 409 and nothing changes', async () => {
    const sale = await createSale(h.url, operator, { stock: 4 });
    expect((await transition(h.url, operator, sale.id, 'SCHEDULED')).status).toBe(200);
    const res = await http('PATCH', `${h.url}/sales/${sale.id}`, { token: operator, body: { stock: 4000 } });
    expect(res.status).toBe(409);
    const row = await h.db.query('select stock from sales where id = $1', [sale.id]);
    expect(row.rows[0].stock).toBe(4);
  });

  it.each([
    [[], 'CLOSED'],
    [[], 'OPEN'],
    [[], 'PAUSED'],
    [['SCHEDULED'], 'PAUSED'],
    [['SCHEDULED'], 'DRAFT'],
    [['SCHEDULED', 'OPEN'], 'CANCELLED'],
    [['SCHEDULED', 'OPEN', 'CLOSED'], 'OPEN'],
    [['CANCELLED'], 'SCHEDULED'],
    [['SCHEDULED', 'OPEN'], 'OPEN'],
  ])('when a sale that went through %j is moved to %s, then it gets 409 INVALID_TRANSITION and stays as it was', async (path, to) => {
    const sale = await createSale(h.url, operator);
    for (const step of path) expect((await transition(h.url, operator, sale.id, step)).status).toBe(200);
    const before = await h.db.query('select status, version from sales where id = $1', [sale.id]);
    const auditsBefore = await h.count("select 1 from audit_log where entity_id = $1 and action = 'sale.transition'", [sale.id]);
    const res = await transition(h.url, operator, sale.id, to);
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('INVALID_TRANSITION');
    expect((await h.db.query('select status, version from sales where id = $1', [sale.id])).rows).toEqual(before.rows);
    expect(await h.count("select 1 from audit_log where entity_id = $1 and action = 'sale.transition'", [sale.id])).toBe(auditsBefore);
  });

  it('when a sale goes through its whole life, then every valid transition is applied and audited with before and after', async () => {
    const sale = await createSale(h.url, operator);
    const path = ['SCHEDULED', 'OPEN', 'PAUSED', 'OPEN', 'PAUSED', 'CLOSED'];
    for (const to of path) {
      const res = await transition(h.url, operator, sale.id, to);
      expect(res.status).toBe(200);
      expect(res.body.status).toBe(to);
    }
    const audit = await h.db.query(
      "select before->>'status' as before, after->>'status' as after from audit_log where entity_id = $1 and action = 'sale.transition' order by at",
      [sale.id],
    );
    expect(audit.rows.map((r) => `${r.before}->${r.after}`)).toEqual([
      'DRAFT->SCHEDULED',
      'SCHEDULED->OPEN',
      'OPEN->PAUSED',
      'PAUSED->OPEN',
      'OPEN->PAUSED',
      'PAUSED->CLOSED',
    ]);
  });

  it('when a shopper lists sales, then drafts are hidden and only public fields are shown', async () => {
    const sku = `SKU-LIST-${Date.now()}`;
    const draft = await createSale(h.url, operator, { product: { sku, name: 'x' }, conditions: { allowList: ['someone'] } });
    const scheduled = await createSale(h.url, operator, { product: { sku, name: 'x' }, conditions: { allowList: ['someone'] } });
    await transition(h.url, operator, scheduled.id, 'SCHEDULED');

    const mine = await http('GET', `${h.url}/sales?sku=${sku}&status=DRAFT,SCHEDULED`, { token: shopper });
    expect(mine.status).toBe(200);
    expect(mine.body.items.map((s: { id: string }) => s.id)).toEqual([scheduled.id]);
    expect(mine.body.items[0]).not.toHaveProperty('conditions');
    expect(mine.body.items[0]).not.toHaveProperty('sold');
    expect((await http('GET', `${h.url}/sales/${draft.id}`, { token: shopper })).status).toBe(404);
    const draftsOnly = await http('GET', `${h.url}/sales?sku=${sku}&status=DRAFT`, { token: shopper });
    expect(draftsOnly.body).toMatchObject({ items: [], total: 0 });

    const staff = await http('GET', `${h.url}/sales?sku=${sku}`, { token: auditor });
    expect(staff.body.total).toBe(2);
    expect(staff.body.items.map((s: { id: string }) => s.id).sort()).toEqual([draft.id, scheduled.id].sort());
    expect(staff.body.items[0].conditions).toEqual({ allowList: ['someone'] });
  });

  it('when an operator pages through a filtered list, then limit, offset and total agree', async () => {
    const sku = `SKU-PAGE-${Date.now()}`;
    for (let i = 0; i < 5; i++) await createSale(h.url, operator, { product: { sku, name: 'x' } });
    const first = await http('GET', `${h.url}/sales?sku=${sku}&limit=2&offset=0`, { token: operator });
    const last = await http('GET', `${h.url}/sales?sku=${sku}&limit=2&offset=4`, { token: operator });
    expect(first.body).toMatchObject({ total: 5, limit: 2, offset: 0 });
    expect(first.body.items).toHaveLength(2);
    expect(last.body.items).toHaveLength(1);
    const bad = await http('GET', `${h.url}/sales?limit=1000&status=NOPE`, { token: operator });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.fields.map((f: { field: string }) => f.field).sort()).toEqual(['limit', 'status.0']);
  });

  it('when a sale id is malformed or unknown, then it gets 404', async () => {
    expect((await http('GET', `${h.url}/sales/${'x'.repeat(65)}`, { token: operator })).status).toBe(404);
    expect((await http('GET', `${h.url}/sales/no-such-sale`, { token: operator })).status).toBe(404);
    expect((await transition(h.url, operator, 'no-such-sale', 'OPEN')).status).toBe(404);
  });
});
