/** The OpenAPI document, generated from the route schemas, served at /openapi.json. */
import fp from 'fastify-plugin';
import swagger from '@fastify/swagger';
import type { FastifyInstance } from 'fastify';
import { ErrorBody } from '../schemas/common.ts';
import { Offer, OfferSummary, ValidationReport } from '../schemas/offers.ts';
import { OfferType, Publisher } from '../schemas/catalog.ts';
import { OfferStatus, Operation, Submission } from '../schemas/workflow.ts';
import { AuditRecord, FaultRule, OutboxMessage, SandboxClock, Snapshot, Webhook, WebhookDelivery } from '../schemas/sandbox.ts';

export default fp(
  async function openApiPlugin(app: FastifyInstance, options: { version: string }) {
    for (const schema of [
      ErrorBody,
      OfferSummary,
      Offer,
      ValidationReport,
      Publisher,
      OfferType,
      Operation,
      Submission,
      OfferStatus,
      FaultRule,
      SandboxClock,
      Snapshot,
      Webhook,
      WebhookDelivery,
      OutboxMessage,
      AuditRecord,
    ])
      app.addSchema(schema);
    await app.register(swagger, {
      openapi: {
        openapi: '3.0.3',
        info: {
          title: 'cloudpartner — Cloud Partner Portal offer publishing API',
          version: options.version,
          description:
            'Every /api call takes ?api-version=2017-10-31 and Authorization: Bearer <token>. The sandbox controls (tag sandbox, under /_cloudpartner/) exist when the server runs with --sandbox and take the sandbox admin token. Error and step messages are in the language Accept-Language asks for — en, ru, nl or zh (q-values respected, English otherwise) — named by Content-Language; codes, paths and fields are the same in every language.',
        },
        components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
        security: [{ bearer: [] }],
      },
      refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => String(json.$id ?? `def-${i}`) },
    });
    app.get('/openapi.json', { schema: { hide: true }, config: { public: true } }, async () => app.swagger());
  },
  { name: 'openapi' },
);
