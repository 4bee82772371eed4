// swagger-ui-express ships no types; only what the gateway uses is declared.
declare module 'swagger-ui-express' {
  import type { RequestHandler } from 'express';
  const swaggerUi: {
    serve: RequestHandler[];
    setup(document: Record<string, unknown>, options?: { customSiteTitle?: string }): RequestHandler;
  };
  export default swaggerUi;
}
