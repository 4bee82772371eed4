import { createRequire } from 'node:module';

/** The part of kafkajs's request queue the override reads. */
interface RequestQueueProto {
  pending: unknown[];
  throttledUntil: number;
  scheduleCheckPendingRequests(): void;
}

let applied = false;

/**
 * kafkajs 2.2.4's request queue re-arms a timer after every answered request, even with nothing
 * pending and no throttle: the delay it computes is negative (Node clamps it to 1 ms and prints a
 * TimeoutNegativeWarning) and the timer's callback arms it again, so every idle broker connection
 * wakes the process about a thousand times a second, for as long as it lives (four idle
 * connections cost 3.3 % of a core here). With nothing pending and no throttle there is nothing to
 * check later: `push` arms the check when it enqueues, and every answer runs it. In every other
 * case the original schedule runs unchanged.
 */
export function stopIdleRequestQueueTimers(): void {
  if (applied) return;
  applied = true;
  const RequestQueue = createRequire(__filename)('kafkajs/src/network/requestQueue') as { prototype: RequestQueueProto };
  const original = RequestQueue.prototype.scheduleCheckPendingRequests;
  RequestQueue.prototype.scheduleCheckPendingRequests = function (this: RequestQueueProto) {
    if (this.pending.length === 0 && this.throttledUntil <= Date.now()) return;
    original.call(this);
  };
}
