import type { StackContext } from '../services';

/** The gateway service's environment on the local stack. */
export const gatewayEnv = (ctx: StackContext): Record<string, string> => ({ REDIS_NODES: ctx.redisNodes });
