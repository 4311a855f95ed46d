/** Pure rules of the domain: ids, slots, filters, version resolution, timestamps, secrets. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ApiError } from '../../src/domain/errors.ts';
import { parseId } from '../../src/domain/ids.ts';
import { parseOfferFilter, resolveVersion, type OfferHeader } from '../../src/domain/offers.ts';
import { MAX_VERSION, parseSlot, parseVersion, slotNamed, versionNumber } from '../../src/domain/slots.ts';
import { dotnetTicks, etagFor, formatTicks, nowTimestamp, parseTimestamp } from '../../src/domain/time.ts';
import { extractSecrets } from '../../src/domain/secret-fields.ts';

const code = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    if (error instanceof ApiError) return `${error.status} ${error.code}`;
    throw error;
  }
  return 'ok';
};

describe('ids', () => {
  it('lowercases valid ids and rejects the rest with a code naming the problem', () => {
    assert.equal(parseId('offerId', 'Contoso-VM_1'), 'contoso-vm_1');
    assert.equal(
      code(() => parseId('offerId', '')),
      '400 InvalidOfferId',
    );
    assert.equal(
      code(() => parseId('publisherId', 'a$b')),
      '400 InvalidPublisherId',
    );
    assert.equal(
      code(() => parseId('publisherId', '_a')),
      '400 InvalidPublisherId',
    );
    assert.equal(
      code(() => parseId('offerId', 'x'.repeat(51))),
      '400 OfferIdTooLong',
    );
    assert.equal(parseId('offerId', 'x'.repeat(50)), 'x'.repeat(50));
  });
});

describe('slots', () => {
  it('match case-insensitively', () => {
    assert.equal(parseSlot('pReViEw'), 'Preview');
    assert.equal(
      code(() => parseSlot('staging')),
      '400 InvalidSlot',
    );
    assert.equal(slotNamed('production'), 'Production');
    assert.equal(slotNamed('3'), undefined);
  });

  it('version numbers are decimal digits from 1 to 2^31 - 1, read the same by the routes and the CLI', () => {
    assert.equal(versionNumber('1'), 1);
    assert.equal(versionNumber('007'), 7);
    assert.equal(versionNumber(String(MAX_VERSION)), MAX_VERSION);
    for (const raw of ['0', '-1', '+1', '1.5', '1e3', ' 1', '', String(MAX_VERSION + 1), '99999999999', 'v1']) assert.equal(versionNumber(raw), undefined, raw);
    assert.equal(parseVersion('12'), 12);
    assert.equal(
      code(() => parseVersion('0')),
      '400 InvalidVersion',
    );
  });
});

describe('$filter', () => {
  it("parses offerTypeId eq '…' only", () => {
    assert.deepEqual(parseOfferFilter(undefined), {});
    assert.deepEqual(parseOfferFilter("offerTypeId eq 'microsoft-azure-corevm'"), { offerTypeId: 'microsoft-azure-corevm' });
    assert.deepEqual(parseOfferFilter("  OFFERTYPEID  EQ  'it''s' "), { offerTypeId: "it's" });
    for (const bad of ["offerTypeId eq 'a' and x", "id eq 'a'", "offerTypeId eq 'a", 'offerTypeId eq a']) {
      assert.equal(
        code(() => parseOfferFilter(bad)),
        '400 InvalidFilter',
        bad,
      );
    }
  });
});

describe('version resolution', () => {
  const offer: OfferHeader = {
    publisherId: 'p',
    id: 'o',
    offerTypeId: 't',
    status: 'succeeded',
    version: 4,
    previewVersion: 3,
    productionVersion: null,
    etag: 'e',
    changedTime: 'c',
    displayText: 'd',
    runningOperationId: null,
    notificationEmails: null,
  };
  it('maps slots and versions to numbers, 404 when there is none', () => {
    assert.equal(resolveVersion(offer, { slot: 'Draft' }), 4);
    assert.equal(resolveVersion(offer, { slot: 'Preview' }), 3);
    assert.equal(
      code(() => resolveVersion(offer, { slot: 'Production' })),
      '404 SlotEmpty',
    );
    assert.equal(resolveVersion(offer, { version: 1 }), 1);
    assert.equal(
      code(() => resolveVersion(offer, { version: 5 })),
      '404 VersionNotFound',
    );
  });
});

describe('timestamps', () => {
  it('have seven fractional digits, increase strictly, and round-trip', () => {
    const a = nowTimestamp();
    const b = nowTimestamp();
    assert.match(a, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}Z$/);
    assert.ok(b > a);
    assert.equal(formatTicks(parseTimestamp('2017-06-07T06:15:39.7349221Z')), '2017-06-07T06:15:39.7349221Z');
    assert.equal(formatTicks(parseTimestamp('2017-06-07T06:15:39Z')), '2017-06-07T06:15:39.0000000Z');
  });
  it('give .NET ticks and Azure-Table ETags as clients have seen them', () => {
    // The CPP operations sample: version 636576975611768314 ↔ changedTime 2018-03-26T21:46:01.179948Z (same second).
    assert.equal(dotnetTicks('2018-03-26T21:46:01.1768314Z'), 636576975611768314n);
    assert.equal(etagFor('2019-10-30T22:03:51.6562051Z'), `W/"datetime'2019-10-30T22%3A03%3A51.6562051Z'"`);
  });
});

describe('secret fields', () => {
  it('removes secret values in place and reports their JSON pointers', () => {
    const definition = {
      offer: {
        'microsoft-azure-marketplace.marketoLeadConfiguration': { clientId: 'id', clientSecret: 's1' },
        'microsoft-azure-marketplace.blobLeadConfiguration': {},
        'microsoft-azure-marketplace.title': 'T',
      },
    };
    const secrets = extractSecrets(definition, 'microsoft-azure-virtualmachines');
    assert.deepEqual(secrets, [{ pointer: '/offer/microsoft-azure-marketplace.marketoLeadConfiguration/clientSecret', value: 's1' }]);
    assert.deepEqual(definition.offer['microsoft-azure-marketplace.marketoLeadConfiguration'], { clientId: 'id' });
    assert.deepEqual(extractSecrets({ offer: 'not an object', plans: null }, 'microsoft-azure-virtualmachines'), []);
  });
});
