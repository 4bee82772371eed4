import { request, type Agent, type IncomingMessage } from 'node:http';

/** One Server-Sent Event as a client received it, with the client's clock at arrival. */
export interface ReceivedEvent {
  id: string | undefined;
  event: string;
  data: any;
  at: number;
}

export interface EventStreamClient {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  events: ReceivedEvent[];
  /** Resolves with the first event (already received or to come) that matches; rejects after timeoutMs. */
  next(match: (e: ReceivedEvent) => boolean, timeoutMs?: number): Promise<ReceivedEvent>;
  /** The answer's body when the server did not open a stream (an error, a 204). */
  body: string;
  /** Resolves when the server ends the stream or the connection drops. */
  ended: Promise<void>;
  close(): void;
}

/**
 * A minimal EventSource for tests and the benchmark: node:http (one socket per stream, no
 * reconnects: a test decides itself when to reconnect and with which Last-Event-ID).
 */
export function openEventStream(url: string, o: { token?: string; headers?: Record<string, string>; lastEventId?: string; agent?: Agent } = {}): Promise<EventStreamClient> {
  const headers: Record<string, string> = { accept: 'text/event-stream', ...o.headers };
  if (o.token) headers.authorization = `Bearer ${o.token}`;
  if (o.lastEventId) headers['last-event-id'] = o.lastEventId;
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'GET', headers, agent: o.agent ?? false }, (res: IncomingMessage) => {
      const events: ReceivedEvent[] = [];
      const waiters: Array<{ match: (e: ReceivedEvent) => boolean; resolve: (e: ReceivedEvent) => void }> = [];
      let endResolve: () => void = () => undefined;
      const ended = new Promise<void>((r) => (endResolve = r));
      const client: EventStreamClient = {
        status: res.statusCode ?? 0,
        headers: res.headers,
        events,
        body: '',
        ended,
        next(match, timeoutMs = 10_000) {
          const found = events.find(match);
          if (found) return Promise.resolve(found);
          return new Promise((res2, rej) => {
            const w = { match, resolve: (e: ReceivedEvent) => (clearTimeout(t), res2(e)) };
            const t = setTimeout(() => {
              waiters.splice(waiters.indexOf(w), 1);
              rej(new Error(`no matching event within ${timeoutMs} ms; got ${JSON.stringify(events.map((e) => e.event))}`));
            }, timeoutMs);
            waiters.push(w);
          });
        },
        close() {
          req.destroy();
        },
      };
      res.setEncoding('utf8');
      let buf = '';
      const isStream = (res.headers['content-type'] ?? '').startsWith('text/event-stream');
      res.on('data', (chunk: string) => {
        if (!isStream) {
          client.body += chunk;
          return;
        }
        buf += chunk;
        let cut: number;
        while ((cut = buf.indexOf('\n\n')) >= 0) {
          const block = buf.slice(0, cut);
          buf = buf.slice(cut + 2);
          const e: ReceivedEvent = { id: undefined, event: 'message', data: undefined, at: Date.now() };
          let data: string | undefined;
          for (const line of block.split('\n')) {
            if (line.startsWith('id: ')) e.id = line.slice(4);
            else if (line.startsWith('event: ')) e.event = line.slice(7);
            else if (line.startsWith('data: ')) data = line.slice(6);
          }
          if (data === undefined) continue;
          e.data = JSON.parse(data);
          events.push(e);
          for (const w of [...waiters]) {
            if (w.match(e)) {
              waiters.splice(waiters.indexOf(w), 1);
              w.resolve(e);
            }
          }
        }
      });
      res.on('close', endResolve);
      res.on('error', endResolve);
      resolve(client);
    });
    req.on('error', reject);
    req.end();
  });
}
