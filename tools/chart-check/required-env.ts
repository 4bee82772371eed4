/**
 * The environment each service cannot start without, read from its code: every directory of
 * services/ exports `configShape` from src/config.ts, and chassis's `requiredVariables` lists
 * the keys whose schema rejects `undefined` (no default, not optional). The chart check
 * compares this with what the chart's Deployments set, so chart and code cannot drift apart.
 */
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import type { z } from 'zod';
import { postgresConfigShape, requiredVariables } from '@stampede/chassis/config';
import { ROOT } from './harness';

export function serviceDirectories(): string[] {
  const dir = path.join(ROOT, 'services');
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(path.join(dir, d.name, 'src/config.ts')))
    .map((d) => d.name)
    .sort();
}

export async function requiredEnvByService(): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  for (const name of serviceDirectories()) {
    const mod = (await import(path.join(ROOT, 'services', name, 'src/config'))) as { configShape?: z.ZodRawShape };
    if (!mod.configShape) throw new Error(`services/${name}/src/config.ts does not export configShape`);
    out[name] = requiredVariables(mod.configShape);
  }
  return out;
}

/** What each migrate.ts reads (postgresConfigShape), for the migration Jobs. */
export const migrationRequiredEnv = (): string[] => requiredVariables(postgresConfigShape);
