/**
 * Writes services/gateway/openapi.json from the gateway's route table and the request schemas
 * the services themselves validate with. `npm run gen:openapi`; a test fails when it is stale.
 */
import { writeFileSync } from 'node:fs';
import { buildOpenApi } from '../services/gateway/src/domain/openapi';
import { OPENAPI_FILE } from '../services/gateway/src/http/docs';
import { ROUTES } from '../services/gateway/src/domain/routes';
import { API_SCHEMAS } from './openapi-schemas';

export const render = () => JSON.stringify(buildOpenApi(ROUTES, API_SCHEMAS, '0.1.0'), null, 2) + '\n';

if (require.main === module) {
  writeFileSync(OPENAPI_FILE, render());
  process.stdout.write(`wrote ${OPENAPI_FILE}\n`);
}
