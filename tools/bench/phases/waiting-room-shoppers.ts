/**
 * A slice of the waiting-room phase's shoppers, as a process of its own (one process cannot hold
 * 20,000 open streams under the file-descriptor limit). Driven by tools/bench/phases/waiting-room.ts
 * over IPC: every shopper joins the queue through a gateway and opens its live stream; once all are
 * waiting the parent opens the sale; an admitted shopper enters with the token its stream
 * delivered; everyone else waits for the push. Nobody polls.
 */
import { request } from 'node:http';
import { Pool } from 'undici';
import { pool } from '@stampede/devkit';

export interface SliceStart {
  type: 'start';
  gateways: string[];
  saleId: string;
  shoppers: Array<{ userId: string; token: string }>;
  concurrency: number;
}

export interface SliceReady {
  type: 'ready';
  joined: number;
  streams: number;
  joinedSoldOut: number;
  failures: number;
  /** Why joins and streams failed: status code or error code → count. */
  failureReasons: Record<string, number>;
}

export interface SliceDone {
  type: 'done';
  held: number;
  /** Shoppers whose stream delivered sold-out. */
  soldOutByPush: number;
  /** Epoch ms of the last sold-out push received (0 when none). */
  lastPushAt: number;
  admittedEvents: number;
  entryOutcomes: Record<string, number>;
  /** Shoppers neither holding nor told sold-out when the slice gave up waiting. */
  unsettled: number;
  /** Shoppers whose join or stream failed (connection errors, non-200 answers). */
  failed: number;
}

type Outcome = 'waiting' | 'held' | 'sold-out' | 'failed';

const send = (m: SliceReady | SliceDone) => process.send?.(m);

async function run(o: SliceStart): Promise<void> {
  const pools = o.gateways.map((g) => new Pool(g, { connections: Math.max(4, Math.ceil(o.concurrency / o.gateways.length)), pipelining: 1 }));
  const outcome: Outcome[] = o.shoppers.map(() => 'waiting');
  const entryOutcomes: Record<string, number> = {};
  let soldOutByPush = 0;
  let lastPushAt = 0;
  let admittedEvents = 0;
  let streams = 0;
  let joinedSoldOut = 0;
  let failures = 0;
  let settle: () => void = () => undefined;
  const allSettled = new Promise<void>((r) => (settle = r));
  let open = 0;
  const check = () => {
    if (open === 0 && outcome.every((x) => x !== 'waiting')) settle();
  };

  const failureReasons: Record<string, number> = {};
  const failed = (i: number, reason: string) => {
    failures++;
    outcome[i] = 'failed';
    failureReasons[reason] = (failureReasons[reason] ?? 0) + 1;
  };
  const enter = async (i: number, token: string, close: () => void) => {
    const s = o.shoppers[i]!;
    let code = '';
    // A replica whose sale snapshot is a moment old may still say "not open" (snapshots are
    // cached for about a second): the shopper tries again, as a client told so would.
    for (let attempt = 0; attempt < 8; attempt++) {
      const res = await pools[i % pools.length]!.request({
        method: 'POST',
        path: `/sales/${o.saleId}/entries`,
        headers: { authorization: `Bearer ${s.token}`, 'content-type': 'application/json', 'x-admission-token': token },
        body: '{}',
      });
      const body = (await res.body.json().catch(() => undefined)) as { error?: { code?: string } } | undefined;
      code = res.statusCode === 201 ? 'HELD' : (body?.error?.code ?? `HTTP_${res.statusCode}`);
      if (code !== 'SALE_NOT_OPEN') break;
      await new Promise((r) => setTimeout(r, 250));
    }
    entryOutcomes[code] = (entryOutcomes[code] ?? 0) + 1;
    if (code === 'HELD') {
      outcome[i] = 'held';
      close();
    }
  };

  const watch = (i: number) =>
    new Promise<void>((resolve) => {
      const s = o.shoppers[i]!;
      const url = `${o.gateways[i % o.gateways.length]}/sales/${o.saleId}/queue/events`;
      const req = request(url, { headers: { authorization: `Bearer ${s.token}`, accept: 'text/event-stream' }, agent: false }, (res) => {
        if (res.statusCode !== 200) {
          failed(i, `stream ${res.statusCode}`);
          res.resume();
          return resolve();
        }
        open++;
        streams++;
        resolve();
        res.setEncoding('utf8');
        let buf = '';
        const close = () => req.destroy();
        res.on('data', (chunk: string) => {
          buf += chunk;
          let cut: number;
          while ((cut = buf.indexOf('\n\n')) >= 0) {
            const block = buf.slice(0, cut);
            buf = buf.slice(cut + 2);
            const event = /^event: (.*)$/m.exec(block)?.[1];
            const data = /^data: (.*)$/m.exec(block)?.[1];
            if (event === 'admitted' && data) {
              admittedEvents++;
              void enter(i, (JSON.parse(data) as { token: string }).token, close).catch(() => {
                entryOutcomes.ERROR = (entryOutcomes.ERROR ?? 0) + 1;
              });
            } else if (event === 'sold-out' && outcome[i] === 'waiting') {
              outcome[i] = 'sold-out';
              soldOutByPush++;
              lastPushAt = Math.max(lastPushAt, Date.now());
              close();
            }
          }
        });
        res.on('close', () => {
          open--;
          check();
        });
      });
      req.on('error', (err: NodeJS.ErrnoException) => {
        if (outcome[i] === 'waiting') failed(i, `stream ${err.code ?? 'error'}`);
        resolve();
      });
      req.end();
    });

  let joined = 0;
  await pool(o.shoppers, o.concurrency, async (s, i) => {
    // A join that fails (a reset connection under load) is counted, not retried: the figures say so.
    let error = '';
    const res = await pools[i % pools.length]!.request({ method: 'POST', path: `/sales/${o.saleId}/queue`, headers: { authorization: `Bearer ${s.token}` } }).catch((err: NodeJS.ErrnoException) => {
      error = err.code ?? 'error';
      return undefined;
    });
    const body = (await res?.body.json().catch(() => undefined)) as { status?: string; error?: { code?: string } } | undefined;
    if (res?.statusCode !== 200) {
      failed(i, `join ${res ? `${res.statusCode} ${body?.error?.code ?? ''}`.trim() : error}`);
      return;
    }
    joined++;
    if (body?.status === 'SOLD_OUT') {
      joinedSoldOut++;
      outcome[i] = 'sold-out';
      return;
    }
    await watch(i);
  });
  send({ type: 'ready', joined, streams, joinedSoldOut, failures, failureReasons });
  check();
  // Waits for every shopper to hold or be told; gives up after two minutes.
  await Promise.race([allSettled, new Promise((r) => setTimeout(r, 120_000))]);
  send({
    type: 'done',
    held: outcome.filter((x) => x === 'held').length,
    soldOutByPush,
    lastPushAt,
    admittedEvents,
    entryOutcomes,
    unsettled: outcome.filter((x) => x === 'waiting').length,
    failed: outcome.filter((x) => x === 'failed').length,
  });
  await Promise.all(pools.map((p) => p.close()));
  process.exit(0);
}

process.once('message', (m: SliceStart) => {
  void run(m).catch((err: unknown) => {
    process.stderr.write(`${String(err)}\n`);
    process.exit(1);
  });
});
