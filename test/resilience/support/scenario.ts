import { createOperator, login, openSale, prepareShoppers, type Replicas, type Session, type Urls } from '@stampede/devkit';
import { startFaultPlatform, type FaultPlatform } from './fault-platform';

export interface Scenario {
  platform: FaultPlatform;
  urls: Urls;
  operator: Session;
  /** A sale open and armed, held seats kept long enough (120 s) that no hold expires mid-test. */
  sale(stock: number): Promise<string>;
  shoppers(count: number): Promise<Session[]>;
  stop(): Promise<void>;
}

/**
 * A private platform with an operator logged in. Payment settings shortened for tests only: a
 * confirm twin waits 3 s (not 15) and a charge claimed by a replica that died can be taken over
 * after 5 s (not 60), so a retrying client finishes within the test's time.
 */
export async function startScenario(slot: number, replicas: Replicas, env: Record<string, string> = {}): Promise<Scenario> {
  const platform = await startFaultPlatform({
    slot,
    replicas,
    env: { IDEMPOTENCY_WAIT_MS: '3000', CLAIM_LEASE_MS: '5000', ...env },
  });
  try {
    // The last gateway: tests kill the first.
    const urls: Urls = { gateway: platform.gateways.at(-1) as string, auth: platform.urlsOf('auth')[0] as string };
    const admin = await login(urls.gateway, platform.secrets.adminEmail as string, platform.secrets.adminPassword as string);
    const operator = await createOperator(urls, admin);
    return {
      platform,
      urls,
      operator,
      sale: (stock) => openSale(urls, operator, { stock, unitPrice: 12_000, holdTtlSeconds: 120 }),
      shoppers: (count) => prepareShoppers(urls, count, 4),
      stop: () => platform.stop(),
    };
  } catch (e) {
    await platform.stop();
    throw e;
  }
}
