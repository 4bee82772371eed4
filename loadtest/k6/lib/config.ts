/**
 * Settings shared by every scenario, from `k6 run -e NAME=value` (or the TestRun's env). The
 * defaults target the local platform (`./scripts/up.sh`); in a cluster point them at the ingress
 * (BASE_URL) and at auth's in-cluster Service (AUTH_URL) for shopper preparation.
 */

const env = (name: string, fallback: string): string => __ENV[name] || fallback;
const num = (name: string, fallback: number): number => {
  const raw = __ENV[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0) throw new Error(`${name} must be a non-negative number, got "${raw}"`);
  return n;
};

export const config = {
  /** The public API: the gateway (or the ingress in front of it). */
  baseUrl: env('BASE_URL', 'http://127.0.0.1:8080').replace(/\/$/, ''),
  /**
   * Auth's own URL, for preparing shoppers: the gateway limits sign-ups and logins per client
   * address (10 and 20 a minute), which a load generator's few addresses would hit at once.
   */
  authUrl: env('AUTH_URL', 'http://127.0.0.1:8081').replace(/\/$/, ''),
  adminEmail: env('ADMIN_EMAIL', 'admin@stampede.local'),
  adminPassword: env('ADMIN_PASSWORD', ''),
  /** An armed, open sale to hit; empty: setup() creates one with STOCK seats. */
  saleId: env('SALE_ID', ''),
  stock: num('STOCK', 1000),
  perUserLimit: num('PER_USER_LIMIT', 1),
  /** Shoppers prepared in setup() (sign-up + login straight at auth). */
  shoppers: num('SHOPPERS', 5000),
  /** Parallel requests while preparing shoppers (argon2id is CPU-bound: size to auth's replicas). */
  prepareBatch: num('PREPARE_BATCH', 50),
  /** The spike: arrivals per second at the peak, how long to reach it, how long to hold it. */
  peakRate: num('PEAK_RATE', 2000),
  rampSeconds: num('RAMP_SECONDS', 10),
  holdSeconds: num('HOLD_SECONDS', 30),
  maxVus: num('MAX_VUS', 2000),
  /** Latency and error thresholds. */
  p99Ms: num('P99_MS', 50),
  maxErrorRate: num('MAX_ERROR_RATE', 0.001),
  /** Share of winners who pay in the journey (needs the sandbox PG: SANDBOX_ROUTES=true). */
  payShare: num('PAY_SHARE', 0.6),
};
