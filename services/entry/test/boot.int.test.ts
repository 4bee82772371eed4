import { describeServiceBoot } from '@stampede/devkit';
import { buildEntry } from '../src/app';
import { configShape } from '../src/config';

// Neither URL is contacted at boot: keys and snapshots are fetched on first use.
describeServiceBoot('entry', configShape, buildEntry, {
  checks: ['redis'],
  env: () => ({ AUTH_JWKS_URL: 'http://127.0.0.1:9/.well-known/jwks.json', EVENT_URL: 'http://127.0.0.1:9' }),
});
