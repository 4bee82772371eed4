/**
 * The benchmark's trivial upstream: an Express hello-world that answers the entry route the way
 * entry does on success (201, a small JSON body) and does nothing else. Put behind a real gateway
 * process, it gives the ceiling of the gateway hop: what entry's own work costs shows as the gap.
 *
 *   PORT=9183 node --import tsx tools/bench/hello-upstream.ts
 */
import express from 'express';

const app = express();
app.disable('x-powered-by');
app.post('/sales/:id/entries', (_req, res) => {
  res.status(201).json({ reservationToken: 'rt_hello', expiresAt: new Date(Date.now() + 300_000).toISOString() });
});
app.get('/readyz', (_req, res) => {
  res.json({ status: 'ready' });
});
const server = app.listen(Number(process.env.PORT ?? 0), '127.0.0.1');
server.keepAliveTimeout = 65_000;
process.on('SIGTERM', () => server.close(() => process.exit(0)));
