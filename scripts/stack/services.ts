import { authEnv } from './env/auth';
import { eventEnv } from './env/event';
import { entryEnv } from './env/entry';
import { paymentEnv } from './env/payment';
import { gatewayEnv } from './env/gateway';

/**
 * The services of the local platform: port, default replica count and the environment each gets.
 * Secrets here are generated per stack run (never committed, never reused).
 */
export interface StackContext {
  redisNodes: string;
  kafkaBrokers: string;
  databaseUrl(db: string): string;
  /** Base URLs of every replica of a service, e.g. for the gateway's upstream lists. */
  urlsOf(service: ServiceName): string[];
  secrets: Record<string, string>;
}

export type ServiceName = 'gateway' | 'auth' | 'event' | 'entry' | 'payment';

export interface StackService {
  name: ServiceName;
  basePort: number;
  replicas: number;
  database?: string;
  env(ctx: StackContext): Record<string, string>;
}

export const SERVICES: StackService[] = [
  {
    name: 'auth',
    basePort: 8081,
    replicas: 1,
    database: 'auth',
    env: authEnv,
  },
  {
    name: 'event',
    basePort: 8082,
    replicas: 1,
    database: 'event',
    env: eventEnv,
  },
  {
    name: 'entry',
    basePort: 8083,
    replicas: 2,
    env: entryEnv,
  },
  {
    name: 'payment',
    basePort: 8084,
    replicas: 2,
    database: 'payment',
    env: paymentEnv,
  },
  {
    name: 'gateway',
    basePort: 8080,
    replicas: 1,
    env: gatewayEnv,
  },
];

/** Replica i of a service listens on basePort + 10·i (8083, 8093, 8103, ...). */
export const replicaPort = (s: StackService, i: number, offset: number) => s.basePort + 10 * i + offset;
