/**
 * The benchmark's reference: a naive public flash-sale server as the common tutorials write one.
 * Express 5, one process, one EVAL per request on one (non-cluster) Redis, no authentication: the
 * shopper says who it is in the body. Stampede is judged by its cost relative to this.
 *
 *   PORT=9190 REDIS_PORT=9191 node --import tsx tools/bench/reference-server.ts
 */
import express from 'express';
import { Redis } from 'ioredis';

// Once per user, while stock lasts: one script, so it is at least correct.
const TAKE = `
if redis.call('SISMEMBER', KEYS[2], ARGV[1]) == 1 then return -1 end
local left = tonumber(redis.call('GET', KEYS[1]) or '0')
if left <= 0 then return 0 end
redis.call('DECR', KEYS[1])
redis.call('SADD', KEYS[2], ARGV[1])
return 1
`;

const redis = new Redis({ host: '127.0.0.1', port: Number(process.env.REDIS_PORT) });
const app = express();
app.use(express.json());
app.post('/sales/:id/entries', async (req, res) => {
  const userId = (req.body as { userId?: unknown }).userId;
  if (typeof userId !== 'string') return void res.status(400).json({ error: 'userId required' });
  const r = Number(await redis.eval(TAKE, 2, `stock:${req.params.id}`, `buyers:${req.params.id}`, userId));
  if (r === 1) return void res.status(201).json({ ok: true });
  res.status(409).json({ error: r === 0 ? 'SOLD_OUT' : 'ALREADY_ENTERED' });
});
app.get('/readyz', (_req, res) => void res.json({ ok: true }));
const server = app.listen(Number(process.env.PORT ?? 0), '127.0.0.1');
server.keepAliveTimeout = 65_000;
process.on('SIGTERM', () => server.close(() => process.exit(0)));
