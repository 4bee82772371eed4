import { randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';
import { readdirSync } from 'node:fs';
import { call, CARDS, createOperator, login, openSale, signUpAndLogin, waitFor, type PrometheusHandle, type Session, type Urls } from '@stampede/devkit';
import { panelQueries } from '../observability/test/dashboards';
import { startOtlpReceiver, type OtlpReceiver } from './support/otlp-receiver';
import { startTestPlatform, type TestPlatform } from './support/platform';

const ROOT = resolve(__dirname, '..');
const hex = (bytes: number) => randomBytes(bytes).toString('hex');

/**
 * The platform with tracing on and a Prometheus scraping it: one purchase must be one trace from
 * the gateway through Kafka to the event consumer, exemplars must point at real traces, and every
 * dashboard query must return data.
 */
describe('observability of a purchase', () => {
  let receiver: OtlpReceiver;
  let platform: TestPlatform;
  let prometheus: PrometheusHandle;
  let u: Urls;
  let operator: Session;
  const adminEmail = `admin-${hex(4)}@stampede.test`;
  const adminPassword = `Admin-${randomBytes(12).toString('base64url')}7`;
  const traceId = hex(16);
  const traceparent = () => `00-${traceId}-${hex(8)}-01`;
  const secrets: string[] = [];

  beforeAll(async () => {
    receiver = await startOtlpReceiver();
    const rulesDir = join(ROOT, 'observability', 'prometheus', 'rules');
    platform = await startTestPlatform({
      shift: 50,
      replicas: { entry: 1, payment: 1 },
      env: {
        ADMIN_EMAIL: adminEmail,
        ADMIN_PASSWORD: adminPassword,
        OTEL_SDK_DISABLED: 'false',
        OTEL_TRACES_SAMPLER: 'parentbased_always_on',
        OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint,
        OTEL_BSP_SCHEDULE_DELAY: '200',
      },
      prometheus: {
        port: Number(process.env.STAMPEDE_TEST_PORT_BASE ?? 17000) + 40,
        scrapeInterval: '1s',
        ruleFiles: readdirSync(rulesDir).map((f) => join(rulesDir, f)),
      },
    });
    prometheus = platform.prometheus as PrometheusHandle;
    u = { gateway: platform.gateway, auth: platform.urlsOf('auth')[0] as string };
    const admin = await login(u.gateway, adminEmail, adminPassword);
    operator = await createOperator(u, admin);
  }, 120_000);
  afterAll(async () => {
    await platform?.stop();
    await receiver?.stop();
  });

  it('one purchase is one trace: gateway → entry → Redis, gateway → payment → PostgreSQL → Kafka → event consumer', async () => {
    const saleId = await openSale(u, operator, { stock: 2, unitPrice: 33_000, holdTtlSeconds: 60 });
    const shopper = await signUpAndLogin(u.gateway, 'traced');
    secrets.push(shopper.accessToken, shopper.refreshToken, shopper.password, shopper.email);
    const headers = () => ({ traceparent: traceparent() });

    const entry = await call('POST', `${u.gateway}/sales/${saleId}/entries`, { token: shopper.accessToken, headers: headers(), body: {} });
    expect(entry.status).toBe(201);
    const token = entry.body.reservationToken as string;
    const prepared = await call('POST', `${u.gateway}/payments/prepare`, { token: shopper.accessToken, headers: headers(), body: { reservationToken: token } });
    const checkout = await call('POST', `${u.gateway}/sandbox/pg/checkout`, { body: { orderId: prepared.body.orderId, amount: prepared.body.amount, cardNumber: CARDS.success } });
    const paymentKey = checkout.body.paymentKey as string;
    secrets.push(token, paymentKey);
    const confirmed = await call('POST', `${u.gateway}/payments/confirm`, {
      token: shopper.accessToken,
      headers: { ...headers(), 'idempotency-key': `trace-${hex(8)}` },
      body: { reservationToken: token, paymentKey, amount: prepared.body.amount },
    });
    expect(confirmed.status).toBe(200);

    const inTrace = () => receiver.spans.filter((s) => s.traceId === traceId);
    // Each service exports its spans in batches of its own, so the event consumer's span can arrive
    // before the payment producer's that caused it: wait for every span asserted below.
    await waitFor(
      'every span of this trace that is checked below',
      async () => {
        const have = inTrace();
        return (
          have.some((s) => s.service === 'event' && s.kind === 5) &&
          have.some((s) => s.service === 'payment' && s.kind === 4) &&
          have.some((s) => s.service === 'payment' && s.name === 'payment.confirm') &&
          have.some((s) => s.service === 'entry' && s.kind === 2) &&
          have.some((s) => s.service === 'entry' && s.kind === 3)
        );
      },
      30_000,
      200,
    );
    const spans = inTrace();
    const ids = (service: string) => new Set(spans.filter((s) => s.service === service).map((s) => s.spanId));
    const one = (pred: (s: (typeof spans)[number]) => boolean, what: string) => {
      const found = spans.find(pred);
      if (!found) throw new Error(`no ${what} span in the trace; have: ${spans.map((s) => `${s.service}:${s.name}:${s.kind}`).join(', ')}`);
      return found;
    };

    // (auth may appear too: a verifier fetching the JWKS inside the request.)
    expect([...new Set(spans.map((s) => s.service))]).toEqual(expect.arrayContaining(['gateway', 'entry', 'payment', 'event']));
    const entryServer = one((s) => s.service === 'entry' && s.kind === 2, 'entry server');
    expect(ids('gateway').has(entryServer.parentSpanId)).toBe(true);
    const tagged = one((s) => s.service === 'entry' && s.attributes['stampede.sale_id'] === saleId, 'entry span with the sale id');
    expect(tagged.attributes['stampede.outcome']).toBe('HELD');
    const redis = one((s) => s.service === 'entry' && s.kind === 3 && String(s.attributes['db.system'] ?? s.attributes['db.system.name']) === 'redis', 'entry → Redis');
    expect(ids('entry').has(redis.parentSpanId)).toBe(true);

    const confirmSpan = one((s) => s.service === 'payment' && s.name === 'payment.confirm', 'payment.confirm');
    expect(confirmSpan.attributes['stampede.sale_id']).toBe(saleId);
    expect(confirmSpan.attributes['stampede.outcome']).toBe('OK');
    const paymentServers = spans.filter((s) => s.service === 'payment' && s.kind === 2);
    expect(paymentServers.length).toBeGreaterThanOrEqual(2);
    for (const s of paymentServers) expect(ids('gateway').has(s.parentSpanId)).toBe(true);
    one((s) => s.service === 'payment' && s.kind === 3 && String(s.attributes['db.system'] ?? s.attributes['db.system.name']).startsWith('postgres'), 'payment → PostgreSQL');
    const producer = one((s) => s.service === 'payment' && s.kind === 4, 'Kafka producer');
    expect(ids('payment').has(producer.parentSpanId)).toBe(true);
    const consumer = one((s) => s.service === 'event' && s.kind === 5, 'event consumer');
    expect(consumer.parentSpanId).toBe(producer.spanId);

    // No personal data or secrets in any span of the platform.
    const everything = JSON.stringify(receiver.spans.map((s) => s.attributes));
    for (const secret of secrets) expect(everything).not.toContain(secret);
  });

  it('an exemplar on the entry latency histogram carries a trace id that the receiver has', async () => {
    const text = await (await fetch(`${platform.urlsOf('entry')[0]}/metrics`, { headers: { accept: 'application/openmetrics-text' } })).text();
    const exemplars = [...text.matchAll(/http_server_request_duration_seconds_bucket\{[^}]*route="\/sales\/:id\/entries"[^}]*\} \d+ # \{trace_id="([0-9a-f]{32})"\}/g)].map((m) => m[1]);
    expect(exemplars.length).toBeGreaterThan(0);
    const known = new Set(receiver.spans.map((s) => s.traceId));
    expect(exemplars.some((t) => known.has(t as string))).toBe(true);
  });

  it('after some traffic, every dashboard panel query returns data from the real Prometheus', async () => {
    // A little of everything the dashboards show: sold-out entries, a refresh, a rate-limited client.
    const saleId = await openSale(u, operator, { stock: 1, unitPrice: 1_000, holdTtlSeconds: 60 });
    const [a, b] = [await signUpAndLogin(u.gateway, 'dash'), await signUpAndLogin(u.gateway, 'dash')];
    await call('POST', `${u.gateway}/sales/${saleId}/entries`, { token: a.accessToken, body: {} });
    await call('POST', `${u.gateway}/sales/${saleId}/entries`, { token: b.accessToken, body: {} });
    await call('POST', `${u.gateway}/auth/refresh`, { body: { refreshToken: a.refreshToken } });
    // A sale with its waiting room on, and a shopper in it: the room's gauges.
    const roomSale = await openSale(u, operator, { stock: 1, unitPrice: 1_000, holdTtlSeconds: 60, waitingRoom: { enabled: true } });
    expect((await call('POST', `${u.gateway}/sales/${roomSale}/queue`, { token: b.accessToken })).status).toBe(200);
    for (let i = 0; i < 7; i++) {
      await call('POST', `${u.gateway}/payments/confirm`, { token: b.accessToken, headers: { 'idempotency-key': `dash-${hex(6)}` }, body: {} });
    }
    // rate() over [1m] needs two samples: wait until Prometheus has scraped every target at least
    // twice since the traffic (it starts scraping a few seconds after it starts, and the earlier
    // cases may take less time than that).
    const trafficDone = Date.now();
    await waitFor(
      'two scrapes of every target since the traffic',
      async () => {
        const since = Math.max(1, Math.floor((Date.now() - trafficDone) / 1000));
        const counts = (await prometheus.query(`count_over_time(up[${since}s])`)) as Array<{ value: [number, string] }>;
        const targets = platform.services.flatMap((s) => platform.urlsOf(s.name)).length;
        return counts.length === targets && counts.every((c) => Number(c.value[1]) >= 2);
      },
      30_000,
      250,
    );

    const empty: string[] = [];
    for (const q of panelQueries()) {
      const result = await prometheus.query(q.expr);
      if (result.length === 0) empty.push(`${q.dashboard} / ${q.panel}: ${q.expr}`);
    }
    expect(empty).toEqual([]);
  });
});
