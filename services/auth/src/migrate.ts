// Runs the auth database migrations once (stack migrate step, Helm hook Job, test setup).
import { loadConfigOrExit, migrate, postgresConfigShape } from '@stampede/chassis';
import { model } from './store/model';

const config = loadConfigOrExit('auth-migrate', postgresConfigShape);
migrate({ clientUrl: config.DATABASE_URL, ...model }).then(
  (done) => {
    process.stdout.write(`auth: ${done.length} migration(s) applied${done.length ? ': ' + done.join(', ') : ''}\n`);
  },
  (err: unknown) => {
    process.stderr.write(`auth: migration failed: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
