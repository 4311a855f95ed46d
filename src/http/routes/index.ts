/** Every route of the API. Files mirror the URL tree: routes/api/publishers/offers/get.ts serves GET …/offers/{offerId}. */
import type { FastifyInstance } from 'fastify';
import type { RouteOptions } from './context.ts';
import healthz from './healthz.ts';
import listOfferTypes from './api/offer-types/list.ts';
import listPublishers from './api/publishers/list.ts';
import listOffers from './api/publishers/offers/list.ts';
import getOffer from './api/publishers/offers/get.ts';

export async function registerRoutes(app: FastifyInstance, options: RouteOptions): Promise<void> {
  for (const route of [healthz, listOfferTypes, listPublishers, listOffers, getOffer]) {
    await app.register(route, options);
  }
}
