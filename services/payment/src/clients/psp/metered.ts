import type { Histogram } from 'prom-client';
import { PspError, type Psp } from './psp';

/**
 * The provider with every call timed into the latency histogram, labelled by operation (confirm,
 * cancel, billing_key) and outcome (ok, or the failure kind).
 */
export function metered<P extends Psp>(psp: P, duration: Histogram<'operation' | 'outcome'>): Psp {
  const timed = async <T>(operation: string, call: () => Promise<T>): Promise<T> => {
    const end = duration.startTimer({ operation });
    try {
      const result = await call();
      end({ outcome: 'ok' });
      return result;
    } catch (e) {
      end({ outcome: e instanceof PspError ? e.kind.toLowerCase() : 'error' });
      throw e;
    }
  };
  return {
    provider: psp.provider,
    confirm: (req) => timed('confirm', () => psp.confirm(req)),
    cancel: (req) => timed('cancel', () => psp.cancel(req)),
    issueBillingKey: (req) => timed('billing_key', () => psp.issueBillingKey(req)),
  };
}
