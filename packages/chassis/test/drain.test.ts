import { captureLogs } from '@stampede/devkit';
import { Client } from 'undici';
import { createMetrics } from '../src/metrics';
import { createService, type RunningService } from '../src/service';

/**
 * A replica leaves the Service's endpoints before it is told to drain, but a client (the gateway,
 * or the ingress in front of it) keeps the connections it opened earlier and sends on them. Those
 * requests must be served, on a connection that closes after the answer, so that a rolling update
 * costs the client a reconnect and never an error.
 */
describe('a draining service', () => {
  const logs = captureLogs('warn');
  let service: RunningService;
  let client: Client;
  const served: string[] = [];

  beforeAll(async () => {
    service = createService({
      name: 'drain',
      logger: logs.logger,
      metrics: createMetrics('drain'),
      shutdownDelayMs: 800,
      routes: (app) => {
        app.post('/slow-path', (_req, res) => {
          served.push('express');
          res.status(201).json({ served: 'express' });
        });
      },
      fast: [
        {
          method: 'POST',
          path: '/hot',
          handle: () => {
            served.push('hot');
            return { status: 201, body: { served: 'hot' } };
          },
        },
      ],
    });
    await service.listen(0, '127.0.0.1');
    client = new Client(service.url(), { pipelining: 1 });
  });
  afterAll(async () => {
    await client.close();
    await service.shutdown();
  });

  const send = async (path: string) => {
    const res = await client.request({ method: 'POST', path, headers: { 'content-type': 'application/json' }, body: '{}' });
    return { status: res.statusCode, connection: res.headers.connection, body: (await res.body.json()) as unknown };
  };

  it('when requests arrive on a kept-alive connection after the drain began, then both route kinds serve them and close the connection', async () => {
    const before = await send('/hot');
    expect(before).toEqual({ status: 201, connection: 'keep-alive', body: { served: 'hot' } });

    const stopped = service.shutdown('test');
    expect(service.draining).toBe(true);
    const hot = await send('/hot');
    const express = await send('/slow-path');
    expect(hot).toEqual({ status: 201, connection: 'close', body: { served: 'hot' } });
    expect(express).toEqual({ status: 201, connection: 'close', body: { served: 'express' } });
    expect(served).toEqual(['hot', 'hot', 'express']);

    await stopped;
    await expect(send('/hot')).rejects.toThrow();
    expect(served).toHaveLength(3);
  });
});
