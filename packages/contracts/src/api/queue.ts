import { z } from 'zod';

// The waiting room and the live streams of a sale (entry service). Streams are Server-Sent
// Events: every event has an `id:`; a reconnect with Last-Event-ID resumes after it.

export const QUEUE_STATUSES = ['WAITING', 'ADMITTED', 'SOLD_OUT', 'OFF'] as const;
export type QueueStatus = (typeof QUEUE_STATUSES)[number];

/** An admission: enter with `token` in X-Admission-Token before `expiresAt`. */
export const admissionView = z.strictObject({
  token: z.string(),
  expiresAt: z.iso.datetime(),
}).meta({ id: 'Admission' });
export type AdmissionView = z.infer<typeof admissionView>;

/**
 * The caller's place. `ticket`: the signed, expiring proof of the place (null unless WAITING).
 * `position` counts from 1 (0 unless WAITING); `estimatedWaitSeconds` from the measured admission
 * rate (null while none is known). OFF: the room is off, enter directly.
 */
export const queueView = z.strictObject({
  ticket: z.string().nullable(),
  status: z.enum(QUEUE_STATUSES),
  position: z.number().int().nonnegative(),
  ahead: z.number().int().nonnegative(),
  estimatedWaitSeconds: z.number().int().nonnegative().nullable(),
  admission: admissionView.optional(),
}).meta({ id: 'QueuePlace' });
export type QueueView = z.infer<typeof queueView>;

/** The `position` event of GET /sales/:id/queue/events. */
export const positionEvent = queueView.pick({ position: true, ahead: true, estimatedWaitSeconds: true });
export type PositionEvent = z.infer<typeof positionEvent>;

/** The `stock` event of GET /sales/:id/live. */
export const stockEvent = z.strictObject({ status: z.string(), remaining: z.number().int(), total: z.number().int() });
export type StockEvent = z.infer<typeof stockEvent>;

/** The `counters` event of GET /sales/:id/live/ops, about once a second. */
export const countersEvent = z.strictObject({
  available: z.number().int(),
  held: z.number().int(),
  sold: z.number().int(),
  entriesPerSecond: z.number().nonnegative(),
  queueLength: z.number().int().nonnegative(),
  admitted: z.number().int().nonnegative(),
  abandoned: z.number().int().nonnegative(),
  admissionRatePerSecond: z.number().nonnegative(),
  paymentsConfirmed: z.number().int().nonnegative(),
});
export type CountersEvent = z.infer<typeof countersEvent>;

/** What each stream sends: event name → its data. */
export const STREAM_EVENTS = {
  queue: { position: 'position {position, ahead, estimatedWaitSeconds}', admitted: 'admitted {token, expiresAt}', 'sold-out': 'sold-out {}' },
  live: { stock: 'stock {status, remaining, total} on change', 'sold-out': 'sold-out {}' },
  ops: { counters: 'counters {available, held, sold, entriesPerSecond, queueLength, admitted, abandoned, admissionRatePerSecond, paymentsConfirmed}, about once a second' },
} as const;
