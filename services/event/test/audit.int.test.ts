import { http } from '@stampede/devkit';
import { createSale, startEvent, transition, type EventHarness } from './support';

describe('event service: audit log', () => {
  let h: EventHarness;

  beforeAll(async () => {
    h = await startEvent();
  });
  afterAll(() => h?.stop());

  it('when an operator creates, updates, transitions and arms a sale, then the audit log shows who did each and what changed', async () => {
    const op = await h.user(['OPERATOR']);
    const admin = await h.user(['ADMIN']);
    const sale = await createSale(h.url, op.token, { stock: 4 });
    await http('PATCH', `${h.url}/sales/${sale.id}`, { token: op.token, body: { stock: 6 } });
    await transition(h.url, admin.token, sale.id, 'SCHEDULED');
    await http('POST', `${h.url}/sales/${sale.id}/arm`, { token: op.token });

    const res = await http('GET', `${h.url}/audit?entityType=sale&entityId=${sale.id}`, { token: await h.token(['AUDITOR']) });
    expect(res.status).toBe(200);
    const entries = [...res.body.items].reverse();
    expect(entries.map((e: { action: string }) => e.action)).toEqual(['sale.create', 'sale.update', 'sale.transition', 'sale.arm']);
    const [create, update, move, arm] = entries;
    expect(create).toMatchObject({ actor: { userId: op.userId, roles: ['OPERATOR'] }, before: null, after: { id: sale.id, stock: 4, status: 'DRAFT' } });
    expect(update).toMatchObject({ actor: { userId: op.userId }, before: { stock: 4, version: 1 }, after: { stock: 6, version: 2 } });
    expect(move).toMatchObject({ actor: { userId: admin.userId, roles: ['ADMIN'] }, before: { status: 'DRAFT' }, after: { status: 'SCHEDULED' } });
    expect(arm).toMatchObject({ actor: { userId: op.userId }, before: { armedAt: null }, after: { armedNow: true } });
    expect(arm.after.armedAt).not.toBeNull();
    for (const e of entries) expect(Date.parse(e.at)).not.toBeNaN();

    const byActor = await http('GET', `${h.url}/audit?actorId=${admin.userId}`, { token: admin.token });
    expect(byActor.body.items.map((e: { action: string }) => e.action)).toEqual(['sale.transition']);
  });

  it('when a USER or an OPERATOR reads the audit log, then they get 403', async () => {
    expect((await http('GET', `${h.url}/audit`, { token: await h.token(['USER']) })).status).toBe(403);
    expect((await http('GET', `${h.url}/audit`, { token: await h.token(['OPERATOR']) })).status).toBe(403);
  });

  it('when a rejected write is attempted, then nothing is added to the audit log', async () => {
    const op = await h.user(['OPERATOR']);
    const sale = await createSale(h.url, op.token);
    await transition(h.url, op.token, sale.id, 'CLOSED');
    await http('PATCH', `${h.url}/sales/${sale.id}`, { token: op.token, body: { stock: -1 } });
    await http('POST', `${h.url}/sales/${sale.id}/arm`, { token: op.token });
    expect(await h.count('select 1 from audit_log where entity_id = $1', [sale.id])).toBe(1);
  });
});
