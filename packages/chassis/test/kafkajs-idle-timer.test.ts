import { createRequire } from 'node:module';
import { setTimeout as sleep } from 'node:timers/promises';
import { stopIdleRequestQueueTimers } from '../src/clients/kafkajs-idle-timer';

// kafkajs's per-connection request queue, without a socket: requests are "sent" by a callback
// and answered by calling fulfillRequest, as the connection does when a response arrives.
interface Queue {
  pending: unknown[];
  throttledUntil: number;
  push(r: unknown): void;
  fulfillRequest(r: { correlationId: number; payload: null; size: number }): void;
  checkPendingRequests(): void;
  destroy(): void;
}
const RequestQueue = createRequire(__filename)('kafkajs/src/network/requestQueue') as new (o: object) => Queue;
const logger = { debug() {}, info() {}, warn() {}, error() {} };
const made: Queue[] = [];

function queue(maxInFlightRequests = 1) {
  const q = new RequestQueue({ clientId: 'test', broker: 'b1', logger, maxInFlightRequests, requestTimeout: 30_000, enforceRequestTimeout: false });
  made.push(q);
  let checks = 0;
  const check = q.checkPendingRequests.bind(q);
  q.checkPendingRequests = () => {
    checks++;
    check();
  };
  const sent: number[] = [];
  const push = (correlationId: number) =>
    q.push({ entry: { correlationId, resolve: () => undefined, reject: () => undefined }, expectResponse: true, sendRequest: () => sent.push(correlationId) });
  const answer = (correlationId: number) => q.fulfillRequest({ correlationId, payload: null, size: 0 });
  return { q, sent, push, answer, checks: () => checks };
}

describe('kafkajs request queue timers', () => {
  beforeAll(() => stopIdleRequestQueueTimers());
  afterEach(() => made.splice(0).forEach((q) => q.destroy()));

  it('when a connection has answered its last request and nothing is pending, then it no longer wakes the process', async () => {
    const c = queue();
    c.push(1);
    c.answer(1);
    const after = c.checks();
    await sleep(200);
    // Unpatched, the queue checks itself every millisecond: well over 100 times in 200 ms.
    expect(c.checks() - after).toBe(0);
  });

  it('when requests wait for a free in-flight slot, then each is sent as the one before it is answered', async () => {
    const c = queue(1);
    c.push(1);
    c.push(2);
    c.push(3);
    expect(c.sent).toEqual([1]);
    c.answer(1);
    expect(c.sent).toEqual([1, 2]);
    c.answer(2);
    expect(c.sent).toEqual([1, 2, 3]);
  });

  it('when the broker throttles the client, then a queued request is still sent once the throttle ends', async () => {
    const c = queue(5);
    c.q.throttledUntil = Date.now() + 50;
    c.push(1);
    expect(c.sent).toEqual([]);
    await sleep(150);
    expect(c.sent).toEqual([1]);
  });
});
