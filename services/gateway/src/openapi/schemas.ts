import type { SchemaMap } from './document';

/**
 * The request schemas of each public route, imported from the service that validates them, so
 * the document cannot describe a contract the service does not enforce. Used only at build time
 * (scripts/gen-openapi.ts); the gateway serves the generated JSON.
 */
export const API_SCHEMAS: SchemaMap = {};
