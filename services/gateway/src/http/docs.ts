import type { Express } from 'express';
import swaggerUi from 'swagger-ui-express';
import type { OpenApiDocument } from '../domain/openapi';

/**
 * The OpenAPI document at /openapi.json and Swagger UI at /docs, both from the document the
 * gateway built at start-up from its routes and the API contract (so it describes exactly the
 * routes this gateway serves).
 */
export function docs(app: Express, document: OpenApiDocument): void {
  app.get('/openapi.json', (_req, res) => {
    res.setHeader('Cache-Control', 'public, max-age=300');
    res.json(document);
  });
  app.use('/docs', swaggerUi.serve);
  app.get('/docs', swaggerUi.setup(document, { customSiteTitle: 'Stampede API' }));
}
