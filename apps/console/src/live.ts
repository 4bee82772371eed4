/**
 * A Server-Sent Events stream of the API (the session's cookie goes with it). The browser
 * reconnects by itself and resumes with Last-Event-ID; `onClosed` hears when it gave up for good
 * (the route answered an error), so the page can fall back to reading.
 */
export function stream(path: string, handlers: Record<string, (data: unknown) => void>, onClosed?: () => void): () => void {
  const source = new EventSource(path, { withCredentials: true });
  for (const [event, handle] of Object.entries(handlers)) {
    source.addEventListener(event, (m) => handle(JSON.parse((m as MessageEvent<string>).data || '{}')));
  }
  source.onerror = () => {
    if (source.readyState === EventSource.CLOSED) onClosed?.();
  };
  return () => source.close();
}

/** What a page opened (streams, timers), closed when the page is left. */
const open: Array<() => void> = [];
export const onLeave = (close: () => void) => void open.push(close);
export function leave(): void {
  for (const close of open.splice(0)) close();
}
