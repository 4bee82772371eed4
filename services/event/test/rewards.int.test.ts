import { randomUUID } from 'node:crypto';
import { http } from '@stampede/devkit';
import { startEvent, type EventHarness } from './support';

const HOUR = 3_600_000;

describe('event service: events, rewards and reward requests', () => {
  let h: EventHarness;
  let operator: string;

  beforeAll(async () => {
    h = await startEvent();
    operator = await h.token(['OPERATOR']);
  });
  afterAll(() => h?.stop());

  const eventBody = (overrides: Record<string, unknown> = {}) => ({
    title: `event-${randomUUID()}`,
    startsAt: new Date(Date.now() - HOUR).toISOString(),
    endsAt: new Date(Date.now() + HOUR).toISOString(),
    rewards: [
      { type: 'POINT', name: '1,000 points', quantity: 1000 },
      { type: 'ITEM', name: 'Tote bag' },
      { type: 'COUPON', name: '10% off' },
      { type: 'BADGE', name: 'Early bird' },
    ],
    ...overrides,
  });
  const createEvent = async (overrides: Record<string, unknown> = {}) => {
    const res = await http('POST', `${h.url}/events`, { token: operator, body: eventBody(overrides) });
    if (res.status !== 201) throw new Error(`create event: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body as { id: string };
  };
  const request = (eventId: string, token: string) => http('POST', `${h.url}/events/${eventId}/request`, { token });
  const requestsOf = (eventId: string) => h.count('select 1 from reward_requests where event_id = $1', [eventId]);

  it('when an operator creates an event with the four reward kinds, then it is stored and shown with them', async () => {
    const res = await http('POST', `${h.url}/events`, { token: operator, body: eventBody() });
    expect(res.status).toBe(201);
    expect(res.body.rewards.map((r: { type: string }) => r.type)).toEqual(['POINT', 'ITEM', 'COUPON', 'BADGE']);
    expect(res.body.rewards[1].quantity).toBe(1);
    const shopper = await h.token(['USER']);
    const read = await http('GET', `${h.url}/events/${res.body.id}`, { token: shopper });
    expect(read.status).toBe(200);
    expect(read.body.rewards).toHaveLength(4);
    expect(read.body).not.toHaveProperty('conditions');
  });

  it('when an event is invalid or created by a USER, then it gets 400 naming the field or 403, and nothing is stored', async () => {
    const bad = eventBody({ rewards: [{ type: 'CASH', name: 'x' }] });
    const res = await http('POST', `${h.url}/events`, { token: operator, body: bad });
    expect(res.status).toBe(400);
    expect(res.body.error.details.fields.map((f: { field: string }) => f.field)).toEqual(['rewards.0.type']);
    const backwards = eventBody({ endsAt: new Date(Date.now() - 2 * HOUR).toISOString() });
    expect((await http('POST', `${h.url}/events`, { token: operator, body: backwards })).body.error.details.fields[0].field).toBe('endsAt');
    const byUser = eventBody();
    expect((await http('POST', `${h.url}/events`, { token: await h.token(['USER']), body: byUser })).status).toBe(403);
    for (const b of [bad, backwards, byUser]) expect(await h.count('select 1 from events where title = $1', [b.title])).toBe(0);
  });

  it('when a user requests a reward, then it is 201 PENDING; a second request for the same event gets 409 and stores nothing', async () => {
    const event = await createEvent();
    const user = await h.user(['USER']);
    const first = await request(event.id, user.token);
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ eventId: event.id, userId: user.userId, status: 'PENDING' });
    const second = await request(event.id, user.token);
    expect(second.status).toBe(409);
    expect(second.body.error.code).toBe('ALREADY_EXISTS');
    expect(await requestsOf(event.id)).toBe(1);
  });

  it('when the same user double-clicks, then exactly one of the concurrent requests is created', async () => {
    const event = await createEvent();
    const user = await h.user(['USER']);
    const results = await Promise.all(Array.from({ length: 5 }, () => request(event.id, user.token)));
    expect(results.map((r) => r.status).sort()).toEqual([201, 409, 409, 409, 409]);
    expect(await requestsOf(event.id)).toBe(1);
  });

  it.each([
    ['account age', { conditions: { minAccountAgeDays: 30 } }, 'account must be at least 30 days old'],
    ['allow-list', { conditions: { allowList: ['someone-else'] } }, 'not on the allow-list for this sale'],
    ['period not started', { startsAt: new Date(Date.now() + HOUR).toISOString(), endsAt: new Date(Date.now() + 2 * HOUR).toISOString() }, 'the event starts at'],
    ['period ended', { startsAt: new Date(Date.now() - 2 * HOUR).toISOString(), endsAt: new Date(Date.now() - HOUR).toISOString() }, 'the event ended at'],
  ])('when a user does not meet the %s condition, then it gets 422 with the reason and nothing is stored', async (_name, overrides, reason) => {
    const event = await createEvent(overrides);
    const token = await h.issuer.token({ roles: ['USER'], accountCreatedAt: new Date(Date.now() - 2 * 86_400_000) });
    const res = await request(event.id, token);
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('CONDITION_NOT_MET');
    expect(res.body.error.details.reason).toContain(reason);
    expect(res.body.error.message).toContain(reason);
    expect(await requestsOf(event.id)).toBe(0);
  });

  it('when a user old enough requests an age-limited event, then the request is accepted', async () => {
    const event = await createEvent({ conditions: { minAccountAgeDays: 30 } });
    const token = await h.issuer.token({ roles: ['USER'], accountCreatedAt: new Date(Date.now() - 31 * 86_400_000) });
    expect((await request(event.id, token)).status).toBe(201);
  });

  it('when a USER lists requests, then they see only their own, even when asking for another user', async () => {
    const event = await createEvent();
    const alice = await h.user(['USER']);
    const bob = await h.user(['USER']);
    await request(event.id, alice.token);
    await request(event.id, bob.token);
    const mine = await http('GET', `${h.url}/events/requests?eventId=${event.id}&userId=${bob.userId}`, { token: alice.token });
    expect(mine.status).toBe(200);
    expect(mine.body.items.map((r: { userId: string }) => r.userId)).toEqual([alice.userId]);
    expect(mine.body.total).toBe(1);

    const all = await http('GET', `${h.url}/events/requests?eventId=${event.id}`, { token: await h.token(['AUDITOR']) });
    expect(all.body.items.map((r: { userId: string }) => r.userId).sort()).toEqual([alice.userId, bob.userId].sort());
    const onlyBob = await http('GET', `${h.url}/events/requests?eventId=${event.id}&userId=${bob.userId}&status=PENDING`, { token: operator });
    expect(onlyBob.body.items.map((r: { userId: string }) => r.userId)).toEqual([bob.userId]);
  });

  it('when an operator approves or rejects a request, then it is decided once, audited, and a USER cannot decide', async () => {
    const event = await createEvent();
    const alice = await h.user(['USER']);
    const bob = await h.user(['USER']);
    const a = (await request(event.id, alice.token)).body;
    const b = (await request(event.id, bob.token)).body;

    expect((await http('POST', `${h.url}/events/requests/${a.id}/approve`, { token: alice.token })).status).toBe(403);
    const approved = await http('POST', `${h.url}/events/requests/${a.id}/approve`, { token: operator, body: { note: 'ok' } });
    expect(approved.status).toBe(200);
    expect(approved.body).toMatchObject({ status: 'APPROVED', note: 'ok' });
    const rejected = await http('POST', `${h.url}/events/requests/${b.id}/reject`, { token: operator });
    expect(rejected.body.status).toBe('REJECTED');

    const again = await http('POST', `${h.url}/events/requests/${a.id}/reject`, { token: operator });
    expect(again.status).toBe(409);
    expect((await h.db.query('select status from reward_requests where id = $1', [a.id])).rows[0].status).toBe('APPROVED');

    const audit = await http('GET', `${h.url}/audit?entityType=reward_request&entityId=${a.id}`, { token: await h.token(['ADMIN']) });
    expect(audit.body.items).toHaveLength(1);
    expect(audit.body.items[0]).toMatchObject({ action: 'reward_request.approve', before: { status: 'PENDING' }, after: { status: 'APPROVED' } });
  });

  it('when an OPERATOR without the USER role requests a reward, then it gets 403', async () => {
    const event = await createEvent();
    expect((await request(event.id, operator)).status).toBe(403);
    expect(await requestsOf(event.id)).toBe(0);
  });
});
