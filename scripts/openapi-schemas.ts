/**
 * The request schemas of each public route, imported from the service that validates them, so
 * the OpenAPI document cannot describe a contract the service does not enforce. Build time only:
 * the gateway serves the generated JSON and never loads other services' code.
 */
import type { SchemaMap } from '../services/gateway/src/domain/openapi';
import * as auth from '../services/auth/src/http/schemas';
import * as entry from '../services/entry/src/http/schemas';
import * as event from '../services/event/src/http/schemas';
import * as payment from '../services/payment/src/http/schemas';

export const API_SCHEMAS: SchemaMap = {
  'POST /users': { body: auth.signUpBody },
  'PUT /users/:id/roles': { body: auth.rolesBody },
  'POST /auth/login': { body: auth.loginBody },
  'POST /auth/refresh': { body: auth.refreshBody },
  'POST /auth/social/:provider': { body: auth.socialBody },
  'POST /sales': { body: event.createSaleSchema },
  'GET /sales': { query: event.listSalesQuery },
  'PATCH /sales/:id': { body: event.updateSaleSchema },
  'POST /sales/:id/transition': { body: event.transitionSchema },
  'GET /orders': { query: event.ordersQuery },
  'POST /events': { body: event.createPromotionSchema },
  'GET /events': { query: event.listPromotionsQuery },
  'GET /events/requests': { query: event.listRewardRequestsQuery },
  'POST /events/:id/rewards': { body: event.rewardSchema },
  'POST /events/requests/:id/approve': { body: event.decisionSchema },
  'POST /events/requests/:id/reject': { body: event.decisionSchema },
  'POST /sales/:id/entries': { body: entry.entryBody },
  'POST /payments/prepare': { body: payment.prepareBody },
  'POST /payments/confirm': { body: payment.confirmBody },
  'POST /payments/:id/refund': { body: payment.refundBody },
  'POST /subscriptions': { body: payment.subscriptionBody },
  'POST /subscriptions/:id/billing-key': { body: payment.billingKeyBody },
  'POST /sandbox/pg/checkout': { body: payment.checkoutBody },
};
