import type { z } from 'zod';
import type { EntitySchema, MigrationObject } from '@mikro-orm/core';
import { migrate } from './clients/orm';
import { loadConfigOrExit, postgresConfigShape } from './config';
import { createLogger } from './logger';
import type { Logger } from 'pino';
import { exitOnSignals, type RunningService } from './service';

export interface BaseConfig {
  PORT: number;
  HOST: string;
  LOG_LEVEL: string;
}

/**
 * The whole of a service's main.ts: parse the environment (exit 78 naming the bad variable),
 * build the service, listen, and drain on SIGTERM.
 */
export function runMain<S extends z.ZodRawShape>(
  name: string,
  shape: S,
  build: (config: z.infer<z.ZodObject<S>>, logger: Logger) => Promise<RunningService>,
): void {
  const config = loadConfigOrExit(name, shape) as z.infer<z.ZodObject<S>> & BaseConfig;
  const logger = createLogger({ service: name, level: config.LOG_LEVEL });
  process.on('unhandledRejection', (err) => logger.error({ err }, 'unhandled rejection'));
  build(config, logger)
    .then(async (service) => {
      exitOnSignals(service, logger);
      await service.listen(config.PORT, config.HOST);
    })
    .catch((err: unknown) => {
      logger.fatal({ err }, `${name} failed to start`);
      process.exitCode = 1;
      setTimeout(() => process.exit(1), 100).unref();
    });
}

/**
 * The whole of a database service's migrate.ts: apply its migrations once (the stack's migrate
 * step, the chart's migrate init container) and exit non-zero on failure.
 */
export function migrateMain(name: string, model: { entities: EntitySchema[]; migrations: MigrationObject[] }): void {
  const config = loadConfigOrExit(`${name}-migrate`, postgresConfigShape);
  migrate({ clientUrl: config.DATABASE_URL, sslCaFile: config.DATABASE_SSL_CA_FILE, ...model }).then(
    (done) => {
      process.stdout.write(`${name}: ${done.length} migration(s) applied${done.length ? ': ' + done.join(', ') : ''}\n`);
    },
    (err: unknown) => {
      process.stderr.write(`${name}: migration failed: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(1);
    },
  );
}
