import type { MikroORM } from '@mikro-orm/postgresql';
import { initOrm, reader } from '@stampede/chassis/clients/orm';
import { http, startApp, startTestIssuer, testDatabaseUrl, testStoreEnv, type StartedApp, type TestIssuer } from '@stampede/devkit';
import { buildPayment } from '../src/app';
import { configShape } from '../src/config';
import { BillingKeyCipher } from '../src/domain/billing-cipher';
import { model, SubscriptionEntity } from '../src/store/model';
import { storedBillingKey } from '../src/store/subscriptions';
import { billingKeyOf, rewrapBillingKeys } from '../src/use-cases/subscriptions';
import { KEY_A, KEY_B, paymentTestEnv } from './support/env';

/** Issue 6, acceptance 8: billing keys at rest, tampering, and key rotation, through the service. */
describe('billing keys', () => {
  let issuer: TestIssuer;
  let before: StartedApp;
  let after: StartedApp;
  let orm: MikroORM;
  const keys = new Map([
    ['a', Buffer.from(KEY_A, 'base64')],
    ['b', Buffer.from(KEY_B, 'base64')],
  ]);

  beforeAll(async () => {
    issuer = await startTestIssuer();
    const env = { ...testStoreEnv('payment'), ...issuer.env(), ...paymentTestEnv('http://127.0.0.1:9', { OUTBOX_RELAY_ENABLED: 'false' }) };
    before = await startApp(configShape, buildPayment, env);
    // The same service after a rotation: key b is active, key a is kept to read old records.
    after = await startApp(configShape, buildPayment, { ...env, BILLING_KEY_ENCRYPTION_KEYS: `a:${KEY_A},b:${KEY_B}`, BILLING_KEY_ACTIVE_KEY_ID: 'b' });
    orm = await initOrm({ clientUrl: testDatabaseUrl('payment'), ...model, poolMax: 2 });
  });

  afterAll(async () => {
    await before?.stop();
    await after?.stop();
    await orm?.close(true);
    await issuer?.stop();
  });

  /** The use cases under a given active key, as a replica configured with it would run them. */
  const store = (active: string, cipher = new BillingKeyCipher(keys, active)) => ({
    billingKeyOf: (id: string) => billingKeyOf({ orm, cipher }, id),
    rewrap: (opts: { ids?: string[] }) => rewrapBillingKeys({ orm, cipher }, opts),
  });
  const stored = async (id: string) => (await storedBillingKey(reader(orm), id)) as string;

  async function subscribeWithCard(app: StartedApp): Promise<string> {
    const u = await issuer.user();
    const created = await http('POST', `${app.url}/subscriptions`, { token: u.token, body: { plan: 'basic', billingCycle: 'yearly' } });
    expect(created.status).toBe(201);
    const res = await http('POST', `${app.url}/subscriptions/${created.body.subscriptionId}/billing-key`, { token: u.token, body: { authKey: 'auth_sbx_card' } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'ACTIVE', amount: 99_000 });
    return created.body.subscriptionId;
  }

  it('when a card is registered, then the billing key round-trips and is stored only as {keyId}:{iv}:{authTag}:{data}', async () => {
    const id = await subscribeWithCard(before);
    const enc = await stored(id);
    expect(enc).toMatch(/^a:[A-Za-z0-9_-]+:[A-Za-z0-9_-]+:[A-Za-z0-9_-]+$/);
    const plain = await store('a').billingKeyOf(id);
    expect(plain).toMatch(/^bk_sbx_/);
    expect(enc).not.toContain(plain);
  });

  it('when one byte of the stored ciphertext is flipped, then reading it fails instead of returning a wrong key', async () => {
    const id = await subscribeWithCard(before);
    const enc = await stored(id);
    const parts = enc.split(':');
    const data = Buffer.from(parts[3] as string, 'base64url');
    data[data.length - 1] = (data[data.length - 1] as number) ^ 0xff;
    const write = (billingKeyEnc: string) => reader(orm).nativeUpdate(SubscriptionEntity, { id }, { billingKeyEnc });
    await write([parts[0], parts[1], parts[2], data.toString('base64url')].join(':'));
    await expect(store('a').billingKeyOf(id)).rejects.toThrow();
    await write(enc);
    await expect(store('a').billingKeyOf(id)).resolves.toMatch(/^bk_sbx_/);
  });

  it('after rotation, then an old record still decrypts, new records use the new key id, and a rewrap moves old records to it', async () => {
    const oldId = await subscribeWithCard(before);
    const oldPlain = await store('a').billingKeyOf(oldId);
    const newId = await subscribeWithCard(after);
    expect(await stored(newId)).toMatch(/^b:/);

    const rotated = store('b');
    expect(await rotated.billingKeyOf(oldId)).toBe(oldPlain);
    expect(await rotated.rewrap({ ids: [oldId, newId] })).toEqual({ moved: 1, unreadable: 0 });
    expect(await stored(oldId)).toMatch(/^b:/);
    expect(await rotated.billingKeyOf(oldId)).toBe(oldPlain);
    // Once rewrapped, key a can be retired.
    expect(await store('b', new BillingKeyCipher(new Map([['b', keys.get('b') as Buffer]]), 'b')).billingKeyOf(oldId)).toBe(oldPlain);
  });
});
