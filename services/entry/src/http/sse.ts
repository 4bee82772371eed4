import type { ServerResponse } from 'node:http';

/** An open Server-Sent Events stream. */
export interface EventStream {
  send(event: string, id: string, data: unknown): void;
  /** A comment line: keeps idle proxies from closing the connection. */
  ping(): void;
  end(): void;
  readonly closed: boolean;
  onClose(fn: () => void): void;
}

/** Every open stream of this replica, so a draining replica can end them. */
const open = new Set<EventStream>();

/** Ends every stream (drain): clients reconnect to another replica with Last-Event-ID. */
export function endAllStreams(): void {
  for (const s of [...open]) s.end();
}

/** Pings every open stream (a proxy's idle timer must never cut a quiet stream). */
export function pingAllStreams(): void {
  for (const s of open) s.ping();
}

/**
 * Starts an SSE answer: no caching, no buffering by proxies (X-Accel-Buffering), headers sent at
 * once; the client reconnects after `retryMs` when the connection drops.
 */
export function openStream(res: ServerResponse, retryMs = 1_000): EventStream {
  res.statusCode = 200;
  res.setHeader('content-type', 'text/event-stream; charset=utf-8');
  res.setHeader('cache-control', 'no-store');
  res.setHeader('x-accel-buffering', 'no');
  res.setHeader('connection', 'keep-alive');
  res.flushHeaders();
  res.socket?.setNoDelay(true);
  res.socket?.setTimeout(0);
  res.write(`retry: ${retryMs}\n\n`);
  let closed = false;
  const closers: Array<() => void> = [];
  const stream: EventStream = {
    send(event, id, data) {
      if (!closed) res.write(`id: ${id}\nevent: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    },
    ping() {
      if (!closed) res.write(': ping\n\n');
    },
    end() {
      if (!closed) res.end();
    },
    get closed() {
      return closed;
    },
    onClose(fn) {
      closers.push(fn);
    },
  };
  open.add(stream);
  res.once('close', () => {
    closed = true;
    open.delete(stream);
    for (const fn of closers) fn();
  });
  return stream;
}
