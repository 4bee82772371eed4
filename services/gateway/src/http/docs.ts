import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Express } from 'express';
import swaggerUi from 'swagger-ui-express';

/** The generated document (scripts/gen-openapi.ts writes it; a test keeps it in step). */
export const OPENAPI_FILE = join(__dirname, '..', '..', 'openapi.json');

/** The OpenAPI document at /openapi.json and Swagger UI at /docs. */
export function docs(app: Express): void {
  const document = JSON.parse(readFileSync(OPENAPI_FILE, 'utf8')) as Record<string, unknown>;
  app.get('/openapi.json', (_req, res) => {
    res.setHeader('Cache-Control', 'public, max-age=300');
    res.json(document);
  });
  app.use('/docs', swaggerUi.serve);
  app.get('/docs', swaggerUi.setup(document, { customSiteTitle: 'Stampede API' }));
}
