import type { StackContext } from '../services';

/** The entry service's environment on the local stack. */
export const entryEnv = (ctx: StackContext): Record<string, string> => ({ REDIS_NODES: ctx.redisNodes });
