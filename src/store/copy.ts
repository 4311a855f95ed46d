/**
 * Copies everything one store holds into another — publishers, offers with every version,
 * their secret values, their publishing history, and access tokens (as hashes) — for
 * `cloudpartner migrate-store` (e.g. the embedded SQLite file → PostgreSQL). Works between any
 * two backends, through the Store interface only.
 */
import { insertSecrets } from '../domain/secret-fields.ts';
import type { Store } from './store.ts';

export interface CopyReport {
  publishers: number;
  offers: number;
  versions: number;
  operations: number;
  tokens: number;
}

export class CopyError extends Error {}

export async function copyStore(from: Store, to: Store): Promise<CopyReport> {
  const report: CopyReport = { publishers: 0, offers: 0, versions: 0, operations: 0, tokens: 0 };
  const publisherIds = await from.listAllPublisherIds();
  // Refuse before writing anything: a running operation cannot be moved mid-step.
  for (const publisherId of publisherIds) {
    for (const offer of await from.listOffers(publisherId, {})) {
      if (offer.runningOperationId) {
        throw new CopyError(`the offer '${publisherId}/${offer.id}' has an operation running; wait for it to finish (or cancel it), then migrate`);
      }
      if (await to.getOffer(publisherId, offer.id)) throw new CopyError(`the destination already has the offer '${publisherId}/${offer.id}'`);
    }
  }
  for (const publisher of await from.listPublishers(publisherIds)) {
    if (await to.createPublisher(publisher)) report.publishers++;
    for (const offer of await from.listOffers(publisher.id, {})) {
      const versions = [];
      for (let version = 1; version <= offer.version; version++) {
        const document = await from.getOfferVersion(publisher.id, offer.id, version);
        if (!document) continue; // never frozen (cannot happen today; tolerated)
        const definition = JSON.parse(document.definitionJson) as Record<string, unknown>;
        insertSecrets(definition, await from.getVersionSecrets(publisher.id, offer.id, version));
        versions.push({ version, definition, changedTime: document.changedTime });
      }
      const operations = await from.listOperations(publisher.id, offer.id);
      await to.importOffer({
        publisherId: publisher.id,
        id: offer.id,
        offerTypeId: offer.offerTypeId,
        status: offer.status,
        previewVersion: offer.previewVersion,
        productionVersion: offer.productionVersion,
        changedTime: offer.changedTime,
        createdTime: versions[0]?.changedTime ?? offer.changedTime,
        notificationEmails: offer.notificationEmails,
        versions,
        operations: operations.map(({ publisherId: _p, offerId: _o, offerTypeId: _t, ...operation }) => operation),
      });
      report.offers++;
      report.versions += versions.length;
      report.operations += operations.length;
    }
  }
  for (const token of await from.listAccessTokens()) {
    await to.createAccessToken(token);
    report.tokens++;
  }
  return report;
}
