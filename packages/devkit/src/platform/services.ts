import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { z } from 'zod';

/** A store a service uses; it decides the variables the service gets (REDIS_NODES, DATABASE_URL, KAFKA_BROKERS). */
export type Store = 'redis' | 'postgres' | 'kafka';

/** One service as the chart's values declare it: the one list Tilt, the stack and the tests read. */
export interface ServiceSpec {
  name: string;
  port: number;
  uses: Store[];
  /** The services it sends requests to. */
  calls: string[];
  /** Its PostgreSQL database, when it has one (it then has migrations too). */
  database?: string;
}

const serviceSchema = z.object({
  enabled: z.boolean().default(true),
  port: z.number().int().min(1).max(65_535),
  uses: z.array(z.enum(['redis', 'postgres', 'kafka'])),
  calls: z.array(z.string()),
  database: z.string().min(1).optional(),
});

const valuesSchema = z.object({ services: z.record(z.string().regex(/^[a-z][a-z0-9-]*$/, 'not a service name'), serviceSchema) });

/**
 * The enabled services of the chart's values, callees before callers (a service is started, and
 * listed, after every service it calls), so the gateway, which calls them all, comes last.
 */
export function readServices(valuesFile: string): ServiceSpec[] {
  const parsed = valuesSchema.safeParse(parse(readFileSync(valuesFile, 'utf8')));
  if (!parsed.success) {
    const where = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`${valuesFile}: the service list is not usable (${where})`);
  }
  const specs = Object.entries(parsed.data.services)
    .filter(([, s]) => s.enabled)
    .map(([name, s]): ServiceSpec => ({ name, port: s.port, uses: s.uses, calls: s.calls, ...(s.database ? { database: s.database } : {}) }));
  const byName = new Map(specs.map((s) => [s.name, s]));
  for (const s of specs) {
    const unknown = s.calls.filter((c) => !byName.has(c));
    if (unknown.length) throw new Error(`${valuesFile}: services.${s.name}.calls names no enabled service: ${unknown.join(', ')}`);
    if (s.uses.includes('postgres') !== Boolean(s.database)) throw new Error(`${valuesFile}: services.${s.name} uses postgres only together with a database`);
  }
  const ordered: ServiceSpec[] = [];
  const visiting = new Set<string>();
  const visit = (s: ServiceSpec) => {
    if (ordered.includes(s)) return;
    if (visiting.has(s.name)) throw new Error(`${valuesFile}: services call each other in a cycle through ${s.name}`);
    visiting.add(s.name);
    for (const c of s.calls) visit(byName.get(c) as ServiceSpec);
    visiting.delete(s.name);
    ordered.push(s);
  };
  specs.forEach(visit);
  return ordered;
}

/** The repository's service list: the chart's values.yaml. */
export const localServices = (root: string): ServiceSpec[] => readServices(join(root, 'charts', 'stampede', 'values.yaml'));
