/**
 * The request schemas of each public route, imported from the service that validates them, so
 * the OpenAPI document cannot describe a contract the service does not enforce. Build time only:
 * the gateway serves the generated JSON and never loads other services' code.
 */
import type { SchemaMap } from '../services/gateway/src/domain/openapi';
import * as auth from '../services/auth/src/http/schemas';
import * as entry from '../services/entry/src/http/schemas';
import * as events from '../services/event/src/http/event-schemas';
import * as orders from '../services/event/src/http/orders';
import * as sales from '../services/event/src/http/sale-schemas';
import * as payment from '../services/payment/src/http/schemas';

export const API_SCHEMAS: SchemaMap = {
  'POST /users': { body: auth.signUpBody },
  'PUT /users/:id/roles': { body: auth.rolesBody },
  'POST /auth/login': { body: auth.loginBody },
  'POST /auth/refresh': { body: auth.refreshBody },
  'POST /auth/social/:provider': { body: auth.socialBody },
  'POST /sales': { body: sales.createSaleSchema },
  'GET /sales': { query: sales.listSalesQuery },
  'PATCH /sales/:id': { body: sales.updateSaleSchema },
  'POST /sales/:id/transition': { body: sales.transitionSchema },
  'GET /orders': { query: orders.ordersQuery },
  'POST /events': { body: events.createEventSchema },
  'GET /events': { query: events.listEventsQuery },
  'GET /events/requests': { query: events.listRequestsQuery },
  'POST /events/:id/rewards': { body: events.rewardSchema },
  'POST /events/requests/:id/approve': { body: events.decisionSchema },
  'POST /events/requests/:id/reject': { body: events.decisionSchema },
  'POST /sales/:id/entries': { body: entry.entryBody },
  'POST /payments/prepare': { body: payment.prepareBody },
  'POST /payments/confirm': { body: payment.confirmBody },
  'POST /payments/:id/refund': { body: payment.refundBody },
  'POST /subscriptions': { body: payment.subscriptionBody },
  'POST /subscriptions/:id/billing-key': { body: payment.billingKeyBody },
  'POST /sandbox/pg/checkout': { body: payment.checkoutBody },
};
