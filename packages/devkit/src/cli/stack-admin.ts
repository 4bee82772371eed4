/**
 * `npm run stack:admin`: the running local stack's admin credentials (made fresh for every run),
 * to sign in as admin through the gateway.
 */
import { runningStack, STACK_DIR } from './stack-state';

async function main() {
  const stack = await runningStack(STACK_DIR);
  const gateway = stack.url('gateway');
  process.stdout.write(
    `admin email     ${stack.secrets.adminEmail}\nadmin password  ${stack.secrets.adminPassword}\n\n` +
      `Sign in: curl -s ${gateway}/auth/login -H 'content-type: application/json' \\\n` +
      `  -d '{"email":"${stack.secrets.adminEmail}","password":"<the password above>"}'\n` +
      `API docs: ${gateway}/docs\n`,
  );
}

main().catch((e: unknown) => {
  process.stderr.write(`stack:admin: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
