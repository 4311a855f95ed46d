/** Every route of the API. Files mirror the URL tree: routes/api/publishers/offers/get.ts serves GET …/offers/{offerId}. */
import type { FastifyInstance } from 'fastify';
import type { RouteOptions } from './context.ts';
import healthz from './healthz.ts';
import readyz from './readyz.ts';
import metrics from './metrics.ts';
import listOfferTypes from './api/offer-types/list.ts';
import listPublishers from './api/publishers/list.ts';
import listOffers from './api/publishers/offers/list.ts';
import getOffer from './api/publishers/offers/get.ts';
import putOffer from './api/publishers/offers/put.ts';
import publishOffer from './api/publishers/offers/publish.ts';
import validateOffer from './api/publishers/offers/validate.ts';
import goLive from './api/publishers/offers/golive.ts';
import cancel from './api/publishers/offers/cancel.ts';
import offerStatus from './api/publishers/offers/status.ts';
import offerSecrets from './api/publishers/offers/secrets.ts';
import listSubmissions from './api/publishers/offers/submissions.ts';
import getOperation from './api/publishers/offers/operations/get.ts';
import getLegacyOperation from './api/operations/get.ts';
import listMembers from './api/publishers/members/list.ts';
import putMember from './api/publishers/members/put.ts';
import deleteMember from './api/publishers/members/delete.ts';
import listApplications from './api/publishers/applications/list.ts';
import createApplication from './api/publishers/applications/create.ts';
import deleteApplication from './api/publishers/applications/delete.ts';
import tokenRoutes from './oauth2/token.ts';
import metadata from './oauth2/metadata.ts';
import authorize from './oauth2/authorize.ts';
import createFault from './_cloudpartner/faults/create.ts';
import listFaults from './_cloudpartner/faults/list.ts';
import deleteFault from './_cloudpartner/faults/delete.ts';
import getClock from './_cloudpartner/clock/get.ts';
import putClock from './_cloudpartner/clock/put.ts';
import advanceClock from './_cloudpartner/clock/advance.ts';
import reset from './_cloudpartner/reset.ts';
import saveSnapshot from './_cloudpartner/snapshots/save.ts';
import restoreSnapshot from './_cloudpartner/snapshots/restore.ts';
import listSnapshots from './_cloudpartner/snapshots/list.ts';
import deleteSnapshot from './_cloudpartner/snapshots/delete.ts';
import journal from './_cloudpartner/journal.ts';
import outbox from './_cloudpartner/outbox.ts';
import audit from './_cloudpartner/audit.ts';
import createWebhook from './_cloudpartner/webhooks/create.ts';
import listWebhooks from './_cloudpartner/webhooks/list.ts';
import deleteWebhook from './_cloudpartner/webhooks/delete.ts';
import listDeliveries from './_cloudpartner/webhooks/deliveries.ts';
import createConfigureJob from './rp/product-ingestion/configure/create.ts';
import configureJobStatus from './rp/product-ingestion/configure/status.ts';
import configureJobDetail from './rp/product-ingestion/configure/detail.ts';
import cancelConfigureJob from './rp/product-ingestion/configure/cancel.ts';
import resourceTree from './rp/product-ingestion/resource-tree.ts';
import ingestionQueries from './rp/product-ingestion/products.ts';
import ingestionSubmissions from './rp/product-ingestion/submissions.ts';
import ingestionResource from './rp/product-ingestion/resource.ts';

/** The sandbox controls, served only when the sandbox is on (otherwise their paths are 404). */
const SANDBOX_ROUTES = [
  createFault,
  listFaults,
  deleteFault,
  getClock,
  putClock,
  advanceClock,
  reset,
  saveSnapshot,
  restoreSnapshot,
  listSnapshots,
  deleteSnapshot,
  journal,
  outbox,
];

export async function registerRoutes(app: FastifyInstance, options: RouteOptions): Promise<void> {
  const routes = [
    healthz,
    readyz,
    // Served only when the metrics are on (the module registers nothing otherwise).
    metrics,
    listOfferTypes,
    listPublishers,
    listOffers,
    getOffer,
    putOffer,
    publishOffer,
    validateOffer,
    goLive,
    cancel,
    offerStatus,
    offerSecrets,
    listSubmissions,
    getOperation,
    getLegacyOperation,
    listMembers,
    putMember,
    deleteMember,
    listApplications,
    createApplication,
    deleteApplication,
    tokenRoutes,
    metadata,
    authorize,
    // Webhooks are part of operating a catalog: served with or without the sandbox.
    createWebhook,
    listWebhooks,
    deleteWebhook,
    listDeliveries,
    // The audit trail (D95), likewise.
    audit,
    // The product-ingestion face, over the same catalog (D74).
    createConfigureJob,
    configureJobStatus,
    configureJobDetail,
    cancelConfigureJob,
    resourceTree,
    ingestionQueries,
    ingestionSubmissions,
    ingestionResource,
  ];
  if (app.sandbox) routes.push(...SANDBOX_ROUTES);
  for (const route of routes) {
    await app.register(route, options);
  }
}
