import { Writable } from 'node:stream';
import type { Logger } from 'pino';
import type { z } from 'zod';
import { loadConfig } from '@stampede/chassis/config';
import { createLogger } from '@stampede/chassis/logger';
import type { RunningService } from '@stampede/chassis/service';

export interface StartedApp {
  service: RunningService;
  url: string;
  stop(): Promise<void>;
}

/**
 * Builds a service in-process from its real build function and config schema, listening on an
 * ephemeral loopback port.
 */
export async function startApp<S extends z.ZodRawShape>(
  shape: S,
  build: (config: z.infer<z.ZodObject<S>>, logger: Logger) => Promise<RunningService>,
  env: Record<string, string>,
  logger: Logger = createLogger({ service: 'test', level: 'silent' }),
): Promise<StartedApp> {
  const config = loadConfig(shape, { ...env, PORT: '0', HOST: '127.0.0.1' });
  const service = await build(config, logger);
  await service.listen(0, '127.0.0.1');
  return { service, url: service.url(), stop: () => service.shutdown('test done') };
}

/** A logger whose JSON lines are kept in memory, for asserting what reaches the logs. */
export function captureLogs(level = 'debug'): { logger: Logger; lines: () => string[]; text: () => string } {
  const chunks: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      chunks.push(chunk.toString());
      cb();
    },
  });
  const logger = createLogger({ service: 'test', level, destination: sink });
  const text = () => chunks.join('');
  return { logger, text, lines: () => text().split('\n').filter(Boolean) };
}
