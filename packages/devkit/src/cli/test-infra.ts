/**
 * `npm run test:infra`: starts the test components and keeps them running, so integration tests
 * can be re-run quickly:  STAMPEDE_TEST_INFRA_FILE=.stampede/test-infra-<base>.json npx jest ...
 */
import { join } from 'node:path';
import { publishTestInfra, startTestInfra } from '../testing/infra';
import { ROOT } from './stack-state';

async function main() {
  const base = Number(process.env.STAMPEDE_TEST_PORT_BASE ?? 17000);
  const infra = await startTestInfra(ROOT, base);
  const file = join(ROOT, '.stampede', `test-infra-${base}.json`);
  publishTestInfra(infra.info, file);
  process.stdout.write(`test infrastructure up; export STAMPEDE_TEST_INFRA_FILE=${file}\n`);
  const stop = () => void infra.stop().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((e: unknown) => {
  process.stderr.write(`${String(e)}\n`);
  process.exit(1);
});
