import type { PaymentMetrics } from '../metrics';
import { PgError } from '../pg/gateway';

/** Times a gateway call into the PG latency histogram, labelled by its outcome. */
export async function timed<T>(metrics: PaymentMetrics, operation: string, call: () => Promise<T>): Promise<T> {
  const end = metrics.pgDuration.startTimer({ operation });
  try {
    const result = await call();
    end({ outcome: 'ok' });
    return result;
  } catch (e) {
    end({ outcome: e instanceof PgError ? e.kind.toLowerCase() : 'error' });
    throw e;
  }
}
