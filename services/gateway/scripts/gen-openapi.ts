/**
 * Writes openapi.json, the API document as a gateway that routes everything (the sandbox's routes
 * included) serves it: for clients to read or generate code from without running the platform,
 * and for reviews to see how a change moves the API. The gateway itself builds the document at
 * start-up and never reads this file. `npm run gen:openapi`; a unit test fails when it is stale.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { apiDocument } from '../src/domain/openapi';

export const OPENAPI_FILE = join(__dirname, '..', 'openapi.json');

export const render = () => JSON.stringify(apiDocument({ sandboxRoutes: true }), null, 2) + '\n';

if (require.main === module) {
  writeFileSync(OPENAPI_FILE, render());
  process.stdout.write(`wrote ${OPENAPI_FILE}\n`);
}
