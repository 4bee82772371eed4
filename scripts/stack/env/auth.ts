import type { StackContext } from '../services';

/** The auth service's environment on the local stack. */
export const authEnv = (ctx: StackContext): Record<string, string> => ({ REDIS_NODES: ctx.redisNodes, DATABASE_URL: ctx.databaseUrl('auth') });
