import { createHash } from 'node:crypto';
import pRetry, { AbortError } from 'p-retry';
import { transaction } from '@stampede/chassis/clients/orm';
import { AppError, isAppError } from '@stampede/chassis/errors';
import type { Principal } from '@stampede/contracts';
import type { Deps } from '../deps';
import { claimKey, finishKey, readKey, releaseKey, takeOverKey, type KeyRef, type StoredResponse } from '../store/idempotency';


/** A request's fingerprint: hashes only, never the token or payment key themselves. */
export const fingerprint = (...parts: unknown[]) => createHash('sha256').update(JSON.stringify(parts)).digest('hex');

export interface IdempotentRequest {
  /** The operation (confirm, refund): the same key may be used once per operation. */
  scope: string;
  key: string;
  fingerprint: string;
}

/** The answer to send, and whether it is a stored one. */
export interface IdempotentAnswer {
  replayed: boolean;
  response: StoredResponse;
}

/** A concurrent twin holds the key: worth asking again shortly. */
class StillInProgress extends Error {}

/**
 * Runs `work` once per (operation, user, Idempotency-Key), shared by every replica: the first
 * request inserts the key and does the work; a concurrent twin waits for its answer and gets it
 * unchanged; a later twin gets the stored answer at once. Success and client errors are stored;
 * a 5xx is forgotten so the retry runs again. The same key with a different request is a 409.
 */
export async function idempotent(deps: Deps, who: Principal, req: IdempotentRequest, work: () => Promise<unknown>): Promise<IdempotentAnswer> {
  const ref: KeyRef = { scope: req.scope, principal: who.userId, key: req.key };
  const stored = await begin(deps, ref, req.fingerprint);
  if (stored) return { replayed: true, response: stored };
  let response: StoredResponse;
  try {
    response = { status: 200, body: await work() };
  } catch (e) {
    if (!isAppError(e) || e.status >= 500) {
      await transaction(deps.orm, (em) => releaseKey(em, ref)).catch(() => undefined);
      throw e;
    }
    response = { status: e.status, body: { error: { code: e.code, message: e.message, ...(e.details !== undefined ? { details: e.details } : {}) } } };
  }
  await transaction(deps.orm, (em) => finishKey(em, ref, response));
  return { replayed: false, response };
}

/** Claims the key (undefined: do the work) or waits for the twin holding it (its stored answer). */
async function begin(deps: Deps, ref: KeyRef, print: string): Promise<StoredResponse | undefined> {
  const { IDEMPOTENCY_WAIT_MS: waitMs, CLAIM_LEASE_MS: leaseMs } = deps.config;
  const attempt = () =>
    transaction(deps.orm, async (em): Promise<StoredResponse | undefined> => {
      if (await claimKey(em, ref, print)) return undefined;
      const row = await readKey(em, ref);
      if (!row) throw new StillInProgress(); // released between our insert and read: try again
      if (row.fingerprint !== print) {
        throw new AbortError(new AppError('IDEMPOTENCY_CONFLICT', 'This Idempotency-Key was already used for a different request'));
      }
      if (row.status === 'DONE') return { status: row.responseStatus as number, body: row.responseBody };
      // Its owner died mid-way: take the key over (the work below it is itself idempotent).
      if (Date.now() - row.createdAt.getTime() > leaseMs && (await takeOverKey(em, ref, leaseMs))) return undefined;
      throw new StillInProgress();
    });
  try {
    return await pRetry(attempt, {
      retries: Number.POSITIVE_INFINITY,
      minTimeout: 20,
      factor: 2,
      maxTimeout: 200,
      maxRetryTime: waitMs,
      shouldRetry: ({ error }) => error instanceof StillInProgress,
    });
  } catch (e) {
    if (e instanceof StillInProgress) throw new AppError('CONFLICT', 'A request with this Idempotency-Key is still in progress; retry later');
    throw e;
  }
}
