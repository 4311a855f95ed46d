/**
 * Offer validation: the PUT document check (structure and types), the publish completeness
 * check, and the certification findings. Pure functions, so every case builds its document here.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { OFFER_TYPES } from '../../src/domain/offer-types.ts';
import {
  certificationFindings,
  certificationProblems,
  lastCertifiedVersion,
  MAX_NESTING_DEPTH,
  type Problem,
  validateForPublish,
  validateOfferDocument,
  validationReport,
} from '../../src/domain/offer-validation/index.ts';
import { ISO_COUNTRY_CODES } from '../../src/domain/offer-validation/region-codes.ts';

/** Test documents are edited freely, so their values are `any`. */
type Json = Record<string, any>;

const SEED_TEXT = readFileSync(new URL('../../src/demo/contoso-vm-offer.json', import.meta.url), 'utf8');
/** A fresh copy of the seed VM offer document for each test to edit. */
const seed = (): Json => JSON.parse(SEED_TEXT);
const VM = 'microsoft-azure-virtualmachines';
const COREVM = 'microsoft-azure-corevm';
const MP = 'microsoft-azure-marketplace';
const IMAGES = `${VM}.vmImages`;

const paths = (problems: Problem[]) => problems.map((problem) => problem.path);
const at = (problems: Problem[], path: string): Problem => {
  const found = problems.find((problem) => problem.path === path);
  assert.ok(found, `expected a problem at ${path}; got ${JSON.stringify(paths(problems))}`);
  return found;
};

/** A Core VM document shaped like those public clients read and write (values made valid). */
function coreVmDocument(): Json {
  const image = (name: string) => ({
    mediaName: name,
    showInGui: true,
    publishedDate: '03/15/2020',
    label: 'label',
    description: 'description',
    osVhdUrl: `https://contosostorage.blob.core.windows.net/vhds/${name}.vhd?sv=2019-02-02&sr=b&sig=abc%3D&st=2020-03-01T00%3A00%3A00Z&se=2020-04-30T00%3A00%3A00Z&sp=rl`,
    lunVhdDetails: [],
  });
  return {
    id: 'test',
    version: 20,
    offerTypeId: COREVM,
    publisherId: 'publisherId',
    status: 'succeeded',
    pcMigrationStatus: 'migrated',
    isvUpgradeRequest: false,
    definition: {
      displayText: 'displayText',
      offer: {
        [`${COREVM}.legacyOfferId`]: '',
        [`${COREVM}.leadDestination`]: 'None',
        [`${COREVM}.blobLeadConfiguration`]: {},
        [`${COREVM}.leadNotificationEmails`]: '',
        [`${COREVM}.allowedSubscriptions`]: ['4145cbfe-cd94-439d-aa3c-1ec6c7e53074'],
        [`${COREVM}.title`]: 'title',
        [`${COREVM}.summary`]: 'summary',
        [`${COREVM}.description`]: 'description',
      },
      plans: [
        {
          planId: 'plan-one',
          [`${COREVM}.cloudAvailability`]: ['PublicAzure'],
          [`${COREVM}.hideSKUForSolutionTemplate`]: true,
          [`${COREVM}.defaultImageSizeGB`]: '30',
          [`${COREVM}.operatingSystemFamily`]: 'Linux',
          [`${COREVM}.osType`]: 'Ubuntu',
          [`${COREVM}.patchOptions`]: { supportsHotpatch: false },
          [`${COREVM}.generation`]: '1',
          [`${COREVM}.vmImagesArchitecture`]: 'X64',
          [`${COREVM}.vmImagesPublicAzure`]: { '2020.03.15': image('one') },
          diskGenerations: [{ planId: 'plan-one-gen2', [`${COREVM}.vmImagesPublicAzure`]: { '2020.03.15': image('one-gen2') } }],
          [`${COREVM}.skuTitle`]: 'sku title',
          [`${COREVM}.skuSummary`]: 'sku summary',
          [`${COREVM}.skuLongSummary`]: 'sku long summary',
          [`${COREVM}.skuDescriptionPublicAzure`]: null,
          [`${COREVM}.privacyURL`]: 'https://contoso.com/privacy',
          [`${COREVM}.usefulLinksPublicAzure`]: [{ linkTitle: 'Docs', linkUrl: 'https://contoso.com/docs' }],
          [`${COREVM}.smallLogo`]: 'https://contoso.com/small.png',
        },
      ],
    },
    changedTime: '2019-10-30T22:03:51.2917913Z',
    Etag: `W/"datetime'2019-10-30T22%3A03%3A51.6562051Z'"`,
  };
}

/** A complete offer of a type that only uses the shared listing. */
function containerDocument(): Json {
  return {
    offerTypeId: 'microsoft-azure-containers',
    definition: {
      displayText: 'Contoso Container',
      offer: {
        [`${MP}.title`]: 'Contoso Container',
        [`${MP}.summary`]: 'Containers made easy',
        [`${MP}.description`]: 'A long description',
      },
      plans: [{ planId: 'standard', 'microsoft-azure-containers.containerImages': [] }],
    },
  };
}

describe('validateOfferDocument: what a PUT accepts', () => {
  it('accepts the seed VM offer document exactly as shipped', () => {
    assert.deepEqual(validateOfferDocument(seed()), []);
  });

  it('accepts a minimal draft of every offer type', () => {
    for (const type of OFFER_TYPES) {
      assert.deepEqual(validateOfferDocument({ offerTypeId: type.id, definition: { displayText: 'x' } }), [], type.id);
      assert.deepEqual(validateOfferDocument({ offerTypeId: type.id, definition: {} }), [], type.id);
    }
  });

  it('accepts a Core VM document as public clients send it, nulls and generation-2 plans included', () => {
    assert.deepEqual(validateOfferDocument(coreVmDocument()), []);
    assert.deepEqual(validateOfferDocument(containerDocument()), []);
  });

  it('does not modify the document it checks', () => {
    const document = seed();
    document.definition.plans[0][IMAGES]['1.0'] = { osVhdUrl: 5 };
    const before = structuredClone(document);
    validateOfferDocument(document);
    assert.deepEqual(document, before);
  });

  it('rejects a body that is not a JSON object, at $', () => {
    for (const body of [[], null, 'offer', 42, true, undefined]) {
      const problems = validateOfferDocument(body);
      assert.deepEqual(paths(problems), ['$'], JSON.stringify(body));
      assert.match(problems[0]!.message, /must be a JSON object.*offerTypeId and definition/);
    }
  });

  it('requires offerTypeId and definition, naming both', () => {
    const problems = validateOfferDocument({});
    assert.deepEqual(paths(problems), ['$.offerTypeId', '$.definition']);
    assert.match(problems[0]!.message, /required/);
    assert.match(problems[1]!.message, /required.*displayText, offer and plans/);
  });

  it('rejects an unknown offer type with a message naming every accepted one', () => {
    const problems = validateOfferDocument({ offerTypeId: 'microsoft-azure-applications', definition: {} });
    assert.deepEqual(paths(problems), ['$.offerTypeId']);
    assert.match(problems[0]!.message, /'microsoft-azure-applications' is not valid/);
    for (const type of OFFER_TYPES) assert.ok(problems[0]!.message.includes(type.id), type.id);
    const wrongType = validateOfferDocument({ offerTypeId: 7, definition: {} });
    assert.deepEqual(paths(wrongType), ['$.offerTypeId']);
    assert.match(wrongType[0]!.message, /^must be a string, not a number \(7\): expected one of the offer types microsoft-azure-virtualmachines, /);
  });

  it('still checks the definition of an unknown offer type, against the shared listing', () => {
    const problems = validateOfferDocument({ offerTypeId: 'nope', definition: { displayText: 1, plans: [{}] } });
    assert.deepEqual(paths(problems), ['$.offerTypeId', '$.definition.displayText', '$.definition.plans[0].planId']);
  });

  it('reports wrong types with exact JSON paths and says what is expected', () => {
    const document = seed();
    const plan = document.definition.plans[0];
    document.definition.displayText = 5;
    document.definition.offer[`${MP}.title`] = ['Contoso'];
    plan[`${VM}.skuTitle`] = 12;
    plan[`${VM}.hideSKUForSolutionTemplate`] = 'false';
    plan[IMAGES]['1.0.1'].osVhdUrl = { url: 'x' };
    const problems = validateOfferDocument(document);
    assert.deepEqual(paths(problems), [
      '$.definition.displayText',
      `$.definition.offer['${MP}.title']`,
      `$.definition.plans[0]['${VM}.skuTitle']`,
      `$.definition.plans[0]['${VM}.hideSKUForSolutionTemplate']`,
      `$.definition.plans[0]['${IMAGES}']['1.0.1'].osVhdUrl`,
    ]);
    assert.equal(problems[0]!.message, 'must be a string, not a number (5).');
    assert.equal(problems[1]!.message, 'must be a string, not an array.');
    assert.equal(problems[3]!.message, "must be true or false, not a string ('false').");
    assert.equal(problems[4]!.message, 'must be a string, not an object.');
  });

  it('lists every problem of a document at once', () => {
    const document = seed();
    const offer = document.definition.offer;
    const plan = document.definition.plans[0];
    document.offerTypeVersions = { [VM]: 87, [MP]: 'thirty-nine' };
    offer[`${MP}-testdrive.enabled`] = 'no';
    offer[`${MP}.allowedSubscriptions`] = ['59160c40-2e25-4dcf-a2fd-6514cb08bf08', 'not-a-guid'];
    offer[`${MP}.usefulLinks`] = [{ linkTitle: 'ok', linkUrl: 3 }];
    offer[`${MP}.categoryMap`] = [{ categoryL1: 'analytics', 'categoryL2-analytics': 'visualization' }];
    offer[`${MP}.tableLeadConfiguration`] = 'connection';
    plan[`${VM}.cloudAvailability`] = 'PublicAzure';
    plan[`${VM}.operatingSystemFamily`] = 'windows';
    plan[`${VM}.recommendedVMSizes`] = ['a0-basic', 1];
    plan.virtualMachinePricing = { isByol: 'yes', freeTrialDurationInMonths: 1.5, coreMultiplier: { currency: 'USD', single: '1' } };
    plan[IMAGES]['1.0.1'].lunVhdDetails = {};
    plan[IMAGES]['1.0.1'].showInGui = 1;
    plan[IMAGES].latest = { osVhdUrl: 'https://x.blob.core.windows.net/c/a.vhd' };
    plan.regions = ['DZ', 'ar', 'ARG'];
    const problems = validateOfferDocument(document);
    const images = `$.definition.plans[0]['${IMAGES}']`;
    assert.deepEqual(paths(problems), [
      `$.offerTypeVersions['${MP}']`,
      `$.definition.offer['${MP}.allowedSubscriptions'][1]`,
      `$.definition.offer['${MP}.usefulLinks'][0].linkUrl`,
      `$.definition.offer['${MP}.categoryMap'][0]['categoryL2-analytics']`,
      `$.definition.offer['${MP}.tableLeadConfiguration']`,
      `$.definition.offer['${MP}-testdrive.enabled']`,
      `$.definition.plans[0]['${VM}.cloudAvailability']`,
      `$.definition.plans[0]['${VM}.operatingSystemFamily']`,
      `$.definition.plans[0]['${VM}.recommendedVMSizes'][1]`,
      `${images}.latest`, // ajv checks key names before values
      `${images}['1.0.1'].lunVhdDetails`,
      `${images}['1.0.1'].showInGui`,
      '$.definition.plans[0].virtualMachinePricing.isByol',
      '$.definition.plans[0].virtualMachinePricing.freeTrialDurationInMonths',
      '$.definition.plans[0].virtualMachinePricing.coreMultiplier.single',
      '$.definition.plans[0].regions[1]',
      '$.definition.plans[0].regions[2]',
    ]);
    assert.match(at(problems, `$.definition.offer['${MP}.allowedSubscriptions'][1]`).message, /'not-a-guid' is not valid: expected .*GUID/);
    assert.match(at(problems, `$.definition.plans[0]['${VM}.operatingSystemFamily']`).message, /'windows' is not valid: expected one of Windows, Linux/);
    assert.match(at(problems, `${images}.latest`).message, /the key 'latest' is not valid: expected an image version .*1\.0\.1/);
    assert.match(at(problems, '$.definition.plans[0].regions[1]').message, /'ar' is not valid: expected a two-letter upper-case ISO 3166-1 country code/);
  });

  it('checks integer ranges', () => {
    const document = seed();
    const pricing = document.definition.plans[0].virtualMachinePricing;
    for (const months of [0, 12]) {
      pricing.freeTrialDurationInMonths = months;
      assert.deepEqual(validateOfferDocument(document), [], String(months));
    }
    pricing.freeTrialDurationInMonths = 13;
    assert.match(
      at(validateOfferDocument(document), '$.definition.plans[0].virtualMachinePricing.freeTrialDurationInMonths').message,
      /13 is too large: expected .* 0 .* to 12/,
    );
    pricing.freeTrialDurationInMonths = -1;
    assert.match(validateOfferDocument(document)[0]!.message, /-1 is too small/);
  });

  describe('plans', () => {
    it('requires a planId on every plan and plans to be objects in an array', () => {
      const document = seed();
      document.definition.plans.push({ [`${VM}.skuTitle`]: 'no id' }, 'plan');
      const problems = validateOfferDocument(document);
      assert.deepEqual(paths(problems), ['$.definition.plans[1].planId', '$.definition.plans[2]']);
      assert.match(problems[0]!.message, /required but missing: expected a plan id of 1 to 50 lowercase letters/);
      assert.deepEqual(paths(validateOfferDocument({ offerTypeId: VM, definition: { plans: { planId: 'a' } } })), ['$.definition.plans']);
    });

    it('accepts plan ids of lowercase letters, digits, - and _ up to 50 characters', () => {
      for (const id of ['contososkuidentifier', 'plan_one-2', '0', 'a'.repeat(50)]) {
        const document = seed();
        document.definition.plans[0].planId = id;
        assert.deepEqual(validateOfferDocument(document), [], id);
      }
      for (const id of ['Plan', 'plan one', 'plan.one', '', 'a'.repeat(51), 'plan$1']) {
        const document = seed();
        document.definition.plans[0].planId = id;
        assert.deepEqual(paths(validateOfferDocument(document)), ['$.definition.plans[0].planId'], id);
      }
    });

    it('rejects duplicate planIds, pointing at the repeat and naming the first', () => {
      const document = seed();
      const plan = document.definition.plans[0];
      document.definition.plans.push({ ...plan, planId: 'other' }, structuredClone(plan));
      const problems = validateOfferDocument(document);
      assert.deepEqual(paths(problems), ['$.definition.plans[2].planId']);
      assert.equal(
        problems[0]!.message,
        "'contososkuidentifier' is already the planId at $.definition.plans[0].planId: every plan in an offer needs its own planId.",
      );
    });

    it('counts Core VM disk generations as plans for uniqueness', () => {
      const document = coreVmDocument();
      document.definition.plans[0].diskGenerations[0].planId = 'plan-one';
      assert.deepEqual(paths(validateOfferDocument(document)), ['$.definition.plans[0].diskGenerations[0].planId']);
    });

    it('accepts image versions of three numbers, dates included', () => {
      const document = seed();
      const images = document.definition.plans[0][IMAGES];
      images['2019.07.15'] = { osVhdUrl: '' };
      images['0.0.0'] = {};
      assert.deepEqual(validateOfferDocument(document), []);
      for (const version of ['1', '1.0', '1.0.1.2', 'v1.0.1', '1.0.x', '']) {
        const bad = seed();
        bad.definition.plans[0][IMAGES][version] = {};
        assert.deepEqual(paths(validateOfferDocument(bad)), [`$.definition.plans[0]['${IMAGES}']['${version}']`], version);
      }
    });
  });

  it('checks the schema of the document offer type, not another one', () => {
    // A VM plan key has no meaning on a container offer, so it is an unknown (allowed) key there.
    const container = containerDocument();
    container.definition.plans[0][IMAGES] = 'not images';
    container.definition.offer[`${MP}.title`] = 1;
    assert.deepEqual(paths(validateOfferDocument(container)), [`$.definition.offer['${MP}.title']`]);
    container.offerTypeId = VM;
    assert.deepEqual(paths(validateOfferDocument(container)), [`$.definition.offer['${MP}.title']`, `$.definition.plans[0]['${IMAGES}']`]);

    const core = coreVmDocument();
    const plan = core.definition.plans[0];
    plan[`${COREVM}.skuTitle`] = null;
    plan[`${COREVM}.vmImagesPublicAzure`]['2020.03.15'].showInGui = 'true';
    plan.diskGenerations[0][`${COREVM}.vmImagesPublicAzure`] = [];
    core.definition.offer[`${COREVM}.allowedSubscriptions`] = 'all';
    assert.deepEqual(paths(validateOfferDocument(core)), [
      `$.definition.offer['${COREVM}.allowedSubscriptions']`,
      `$.definition.plans[0]['${COREVM}.skuTitle']`,
      `$.definition.plans[0]['${COREVM}.vmImagesPublicAzure']['2020.03.15'].showInGui`,
      `$.definition.plans[0].diskGenerations[0]['${COREVM}.vmImagesPublicAzure']`,
    ]);
  });

  it('allows unknown extra fields everywhere, and ignores the envelope fields a GET returned', () => {
    const document = seed();
    Object.assign(document, { eTag: 'W/"x"', Etag: 5, version: '5', status: 0, changedTime: null, pcMigrationStatus: 'none', extra: { deep: [1] } });
    document.offerTypeVersions = { [VM]: 87, [MP]: 39, 'microsoft-azure-marketplace-testdrive': 6 };
    document.definition.extra = true;
    document.definition.offer['microsoft-azure-marketplace.newField'] = { any: 'thing' };
    document.definition.offer.unprefixed = 1;
    document.definition.plans[0].restrictedAudience = { manualEntries: [{ type: 'subscriptionId', id: 'x' }] };
    document.definition.plans[0][IMAGES]['1.0.1'].futureField = [null];
    document.definition.plans[0].virtualMachinePricing.regionPrices = { US: { currency: 'USD', price: 1 } };
    document.definition.offer[`${MP}.categoryMap`][0].extra = 1;
    document.definition.offer[`${MP}.usefulLinks`][0].order = 1;
    assert.deepEqual(validateOfferDocument(document), []);
  });

  it('writes paths in bracket form for keys that are not identifiers, and tells array indexes from numeric keys', () => {
    const problems = validateOfferDocument({ offerTypeId: VM, definition: {}, offerTypeVersions: { "it's": 'x', '1': 'y', plain: 'z' } });
    assert.deepEqual(paths(problems), ["$.offerTypeVersions['1']", "$.offerTypeVersions['it\\'s']", '$.offerTypeVersions.plain']);
  });

  describe('nesting depth', () => {
    const nest = (depth: number, wrap: (inner: unknown) => unknown) => {
      let value: unknown = 1;
      for (let level = 0; level < depth; level++) value = wrap(value);
      return value;
    };

    it('rejects 10,000 nested arrays with one problem instead of a RangeError', () => {
      const body = { offerTypeId: VM, definition: { displayText: 'x', offer: { deep: nest(10_000, (inner) => [inner]) } } };
      const problems = validateOfferDocument(body);
      assert.equal(problems.length, 1);
      // The document is level 1, definition 2, offer 3, so the arrays start at level 4.
      assert.equal(problems[0]!.path, `$.definition.offer.deep${'[0]'.repeat(MAX_NESTING_DEPTH - 3)}`);
      assert.match(problems[0]!.message, new RegExp(`nested too deeply: .* at most ${MAX_NESTING_DEPTH} levels`));
    });

    it('counts objects and arrays alike, and allows exactly the limit', () => {
      // The document is level 1; each `x` object one level more.
      const body = (depth: number) => ({ offerTypeId: VM, definition: {}, x: nest(depth - 1, (inner) => ({ x: inner })) });
      assert.equal(MAX_NESTING_DEPTH, 32);
      assert.deepEqual(validateOfferDocument(body(MAX_NESTING_DEPTH)), []);
      const problems = validateOfferDocument(body(MAX_NESTING_DEPTH + 1));
      assert.equal(problems.length, 1);
      assert.equal(problems[0]!.path, `$${'.x'.repeat(MAX_NESTING_DEPTH)}`);
      assert.deepEqual(paths(validateOfferDocument(nest(100_000, (inner) => ({ a: inner })))), [`$${'.a'.repeat(MAX_NESTING_DEPTH)}`]);
    });

    it('treats a cyclic object (possible only in process) as too deep', () => {
      const body: Json = { offerTypeId: VM, definition: {} };
      body.definition.self = body.definition;
      assert.equal(validateOfferDocument(body).length, 1);
    });
  });
});

describe('validateForPublish: completeness', () => {
  it('finds nothing missing in the seed offer', () => {
    assert.deepEqual(validateForPublish(VM, seed().definition), []);
  });

  it('lists everything a minimal VM draft lacks, each with its path', () => {
    const problems = validateForPublish(VM, { displayText: '  ' });
    const offer = (key: string) => `$.definition.offer['${MP}.${key}']`;
    assert.deepEqual(paths(problems), [
      '$.definition.displayText',
      offer('title'),
      offer('summary'),
      offer('description'),
      offer('privacyURL'),
      offer('engineeringContactName'),
      offer('engineeringContactEmail'),
      offer('engineeringContactPhone'),
      offer('supportContactName'),
      offer('supportContactEmail'),
      offer('supportContactPhone'),
      '$.definition.plans',
    ]);
    assert.match(at(problems, offer('title')).message, /The offer title is missing: set microsoft-azure-marketplace\.title/);
    assert.match(at(problems, '$.definition.plans').message, /The offer has no plans: add at least one plan/);
  });

  it('requires the plan text, operating system family, an image with a URL, and regions', () => {
    const definition = seed().definition;
    const plan = definition.plans[0];
    delete plan[`${VM}.skuTitle`];
    plan[`${VM}.skuSummary`] = '';
    delete plan[`${VM}.skuDescription`];
    delete plan[`${VM}.operatingSystemFamily`];
    plan[IMAGES] = {};
    plan.regions = [];
    definition.plans.push({ planId: 'second', [IMAGES]: { '1.0.0': { lunVhdDetails: [] }, '1.0.1': { osVhdUrl: 'contosoVM.vhd' } } });
    const problems = validateForPublish(VM, definition);
    const first = '$.definition.plans[0]';
    const second = '$.definition.plans[1]';
    assert.deepEqual(paths(problems), [
      `${first}['${VM}.skuTitle']`,
      `${first}['${VM}.skuSummary']`,
      `${first}['${VM}.skuDescription']`,
      `${first}['${VM}.operatingSystemFamily']`,
      `${first}['${IMAGES}']`,
      `${first}.regions`,
      `${second}['${VM}.skuTitle']`,
      `${second}['${VM}.skuSummary']`,
      `${second}['${VM}.skuDescription']`,
      `${second}['${VM}.operatingSystemFamily']`,
      `${second}['${IMAGES}']['1.0.0'].osVhdUrl`,
      `${second}['${IMAGES}']['1.0.1'].osVhdUrl`,
      `${second}.regions`,
    ]);
    assert.match(at(problems, `${first}['${IMAGES}']`).message, /^No virtual machine image was found for the plan contososkuidentifier: add an image version/);
    assert.match(at(problems, `${first}['${VM}.operatingSystemFamily']`).message, /Windows or Linux/);
    assert.match(at(problems, `${second}['${IMAGES}']['1.0.0'].osVhdUrl`).message, /The image 1\.0\.0 of the plan second has no osVhdUrl/);
    assert.match(
      at(problems, `${second}['${IMAGES}']['1.0.1'].osVhdUrl`).message,
      /'contosoVM\.vhd' is not a well-formed URL: expected an absolute http or https URL/,
    );
    assert.match(at(problems, `${first}.regions`).message, /not available in any market: list the ISO 3166-1 alpha-2 codes/);
  });

  it('names a plan without a planId by its position', () => {
    const definition = seed().definition;
    delete definition.plans[0].planId;
    const problems = validateForPublish(VM, definition);
    assert.deepEqual(paths(problems), ['$.definition.plans[0].planId']);
    assert.match(problems[0]!.message, /The plan number 1 \(it has no planId\) needs a planId/);
  });

  describe('regions', () => {
    const withRegions = (regions: unknown[]) => {
      const definition = seed().definition;
      definition.plans[0].regions = regions;
      return validateForPublish(VM, definition);
    };

    it('accepts every current ISO 3166-1 alpha-2 code', () => {
      assert.equal(ISO_COUNTRY_CODES.size, 249);
      assert.deepEqual(withRegions([...ISO_COUNTRY_CODES]), []);
      assert.deepEqual(withRegions(['US', 'GB', 'DE', 'JP', 'AE', 'BR', 'SS', 'BQ', 'CW', 'SX']), []);
    });

    it('rejects unknown, withdrawn and user-assigned codes, and says how to write a known one', () => {
      const problems = withRegions(['US', 'XX', 'UK', 'EU', 'XK', 'YU', 'us', 'USA', 5]);
      assert.deepEqual(
        paths(problems),
        [1, 2, 3, 4, 5, 6, 7, 8].map((index) => `$.definition.plans[0].regions[${index}]`),
      );
      assert.match(problems[0]!.message, /'XX' is not an ISO 3166-1 alpha-2 country code: expected a current two-letter code such as US/);
      assert.equal(problems[5]!.message, "'us' must be written in upper case: US.");
    });
  });

  describe('URLs, emails and subscription ids', () => {
    it('checks every URL field that has a value, and skips empty ones', () => {
      const definition = seed().definition;
      const offer = definition.offer;
      offer[`${MP}.privacyURL`] = 'azuremarketplace.microsoft.com/privacy';
      offer[`${MP}.smallLogo`] = 'javascript:alert(1)';
      offer[`${MP}.heroLogo`] = ' https://contoso.com/hero.png';
      offer[`${MP}.publicAzureSupportUrl`] = 'ftp://contoso.com/support';
      offer[`${MP}.fairfaxSupportUrl`] = '';
      offer[`${MP}.usefulLinks`].push({ linkTitle: 'Docs', linkUrl: 'http://' }, { linkTitle: '', linkUrl: 'https://contoso.com' }, {});
      definition.plans[0].virtualMachinePricing.spreadSheetPricing = { uri: 'prices.xlsx' };
      const problems = validateForPublish(VM, definition);
      const key = (name: string) => `$.definition.offer['${MP}.${name}']`;
      assert.deepEqual(paths(problems), [
        key('smallLogo'),
        key('heroLogo'),
        key('privacyURL'),
        key('publicAzureSupportUrl'),
        `${key('usefulLinks')}[1].linkUrl`,
        `${key('usefulLinks')}[2].linkTitle`,
        `${key('usefulLinks')}[3].linkUrl`,
        `${key('usefulLinks')}[3].linkTitle`,
        '$.definition.plans[0].virtualMachinePricing.spreadSheetPricing.uri',
      ]);
      assert.equal(
        at(problems, key('privacyURL')).message,
        "'azuremarketplace.microsoft.com/privacy' is not a well-formed URL: expected an absolute http or https URL, such as https://www.contoso.com/page.",
      );
    });

    it('requires the privacy URL and checks contact emails', () => {
      const definition = seed().definition;
      definition.offer[`${MP}.privacyURL`] = '';
      definition.offer[`${MP}.engineeringContactEmail`] = 'jondoe';
      definition.offer[`${MP}.supportContactEmail`] = 'jon doe@outlook.com';
      const problems = validateForPublish(VM, definition);
      assert.deepEqual(paths(problems), [
        `$.definition.offer['${MP}.privacyURL']`,
        `$.definition.offer['${MP}.engineeringContactEmail']`,
        `$.definition.offer['${MP}.supportContactEmail']`,
      ]);
      assert.match(problems[1]!.message, /'jondoe' is not a valid email address: expected an address such as/);
    });

    it('checks subscription ids in the preview audience', () => {
      const definition = seed().definition;
      definition.offer[`${MP}.allowedSubscriptions`] = ['59160C40-2E25-4DCF-A2FD-6514CB08BF08', '59160c40', 7];
      const problems = validateForPublish(VM, definition);
      assert.deepEqual(
        paths(problems),
        [1, 2].map((index) => `$.definition.offer['${MP}.allowedSubscriptions'][${index}]`),
      );
      assert.match(problems[0]!.message, /'59160c40' is not an Azure subscription id: expected a GUID/);
    });
  });

  it('checks Core VM offers against the Core VM keys', () => {
    assert.deepEqual(validateForPublish(COREVM, coreVmDocument().definition), []);
    const definition = coreVmDocument().definition;
    delete definition.offer[`${COREVM}.title`];
    const plan = definition.plans[0];
    delete plan[`${COREVM}.skuLongSummary`];
    plan[`${COREVM}.vmImagesPublicAzure`] = {};
    plan[`${COREVM}.privacyURL`] = 'privacy';
    plan.regions = ['ZZ'];
    plan.diskGenerations[0][`${COREVM}.vmImagesPublicAzure`]['2020.03.15'].osVhdUrl = '';
    const problems = validateForPublish(COREVM, definition);
    assert.deepEqual(paths(problems), [
      `$.definition.offer['${COREVM}.title']`,
      `$.definition.plans[0]['${COREVM}.skuLongSummary']`,
      `$.definition.plans[0]['${COREVM}.vmImagesPublicAzure']`,
      '$.definition.plans[0].regions[0]',
      `$.definition.plans[0]['${COREVM}.privacyURL']`,
      `$.definition.plans[0].diskGenerations[0]['${COREVM}.vmImagesPublicAzure']['2020.03.15'].osVhdUrl`,
    ]);
    assert.match(problems[2]!.message, /^No virtual machine image was found for the plan plan-one/);
    // Any of the three description keys describes a plan.
    const described = coreVmDocument().definition;
    delete described.plans[0][`${COREVM}.skuLongSummary`];
    described.plans[0][`${COREVM}.skuDescriptionPublicAzure`] = 'A description';
    assert.deepEqual(validateForPublish(COREVM, described), []);
  });

  it('asks other offer types for a name, the listing text and a plan', () => {
    assert.deepEqual(validateForPublish('microsoft-azure-containers', containerDocument().definition), []);
    const problems = validateForPublish('microsoft-azure-consultingservices', { offer: { [`${MP}.privacyURL`]: 'nope' } });
    assert.deepEqual(paths(problems), [
      '$.definition.displayText',
      `$.definition.offer['${MP}.title']`,
      `$.definition.offer['${MP}.summary']`,
      `$.definition.offer['${MP}.description']`,
      `$.definition.offer['${MP}.privacyURL']`,
      '$.definition.plans',
    ]);
  });

  it('reports an unknown offer type and never throws on values of the wrong type', () => {
    assert.deepEqual(paths(validateForPublish('nope', containerDocument().definition)), ['$.offerTypeId']);
    for (const type of [VM, COREVM, 'microsoft-azure-containers']) {
      const problems = validateForPublish(type, { displayText: 3, offer: 'x', plans: [null, 5, { planId: 7, regions: 'US', [IMAGES]: [1] }] });
      assert.ok(problems.length > 0, type);
    }
  });
});

describe('certificationFindings', () => {
  const JUNE_2017 = new Date('2017-06-01T00:00:00Z');
  /** The seed with its one image's osVhdUrl replaced. */
  const withVhdUrl = (url: string) => {
    const definition = seed().definition;
    definition.plans[0][IMAGES]['1.0.1'].osVhdUrl = url;
    return definition;
  };
  const SAS = 'sv=2014-02-14&sig=WlDo6Q4xwYH%2B5QEJbItPUVdgHhBcrVxPBmntZ2vU96w%3D&st=2016-06-25T18%3A30%3A00Z&se=2017-06-25T18%3A30%3A00Z';

  it('certifies the seed while its SAS is valid', () => {
    assert.deepEqual(certificationFindings(VM, seed().definition, JUNE_2017), []);
  });

  it('reports the seed SAS as expired today, naming plan, image version and expiry', () => {
    const findings = certificationFindings(VM, seed().definition, new Date());
    assert.deepEqual(findings, [
      'The SAS URL of the image 1.0.1 of the plan contososkuidentifier expired on 2017-06-25T18:30:00Z: generate a new SAS URL for the VHD with read and list permissions, valid for at least three weeks, and set it as the osVhdUrl.',
    ]);
  });

  it('treats the expiry instant itself as expired', () => {
    assert.equal(certificationFindings(VM, seed().definition, new Date('2017-06-25T18:30:00Z')).length, 1);
    assert.equal(certificationFindings(VM, seed().definition, new Date('2017-06-25T18:29:59.999Z')).length, 0);
  });

  it('requires a .vhd blob in Azure Blob Storage with a signature', () => {
    const [notBlob, notVhd] = [
      certificationFindings(VM, withVhdUrl(`https://contoso.com/test/contosoVM.vhd?${SAS}&sp=rl`), JUNE_2017),
      certificationFindings(VM, withVhdUrl(`https://contoso.blob.core.windows.net/test/contosoVM.img?${SAS}&sp=rl`), JUNE_2017),
    ];
    assert.equal(notBlob.length, 1);
    assert.match(notBlob[0]!, /The osVhdUrl of the image 1\.0\.1 of the plan contososkuidentifier points to contoso\.com, not to Azure Blob Storage/);
    assert.equal(notVhd.length, 1);
    assert.match(notVhd[0]!, /does not point to a \.vhd file/);
    const unsigned = certificationFindings(VM, withVhdUrl('https://contoso.blob.core.windows.net/test/contosoVM.vhd'), JUNE_2017);
    assert.equal(unsigned.length, 1);
    assert.match(unsigned[0]!, /carries no shared access signature \(no sig parameter\).*read and list permissions/);
  });

  it('requires read and list permissions', () => {
    for (const sp of ['r', 'l', 'w', '']) {
      const findings = certificationFindings(VM, withVhdUrl(`https://a.blob.core.windows.net/c/d.vhd?${SAS}&sp=${sp}`), JUNE_2017);
      assert.equal(findings.length, 1, sp);
      assert.match(findings[0]!, new RegExp(`grants the permissions '${sp}', but certification needs read \\(r\\) and list \\(l\\)`));
    }
    const none = certificationFindings(VM, withVhdUrl(`https://a.blob.core.windows.net/c/d.vhd?${SAS}`), JUNE_2017);
    assert.match(none[0]!, /grants no permissions \(no sp parameter\)/);
    assert.deepEqual(certificationFindings(VM, withVhdUrl(`https://a.blob.core.windows.net/c/d.vhd?${SAS}&sp=racwdl`), JUNE_2017), []);
  });

  it('checks the SAS validity window: missing or unreadable expiry, start in the future', () => {
    const base = 'https://a.blob.core.windows.net/c/d.vhd?sv=2014-02-14&sig=abc&sp=rl';
    assert.match(certificationFindings(VM, withVhdUrl(base), JUNE_2017)[0]!, /has no expiry time \(se parameter\)/);
    assert.match(certificationFindings(VM, withVhdUrl(`${base}&se=soon`), JUNE_2017)[0]!, /expiry time that is not a date \('soon'\)/);
    assert.match(
      certificationFindings(VM, withVhdUrl(`${base}&se=2018-01-01&st=2017-06-02T00%3A00%3A00Z`), JUNE_2017)[0]!,
      /is not valid before 2017-06-02T00:00:00Z: generate a new SAS URL whose start time is in the past/,
    );
    // A stored access policy (si) supplies expiry and permissions itself.
    assert.deepEqual(certificationFindings(VM, withVhdUrl('https://a.blob.core.windows.net/c/d.vhd?sv=2014-02-14&sig=abc&si=policy'), JUNE_2017), []);
  });

  it('reports a missing or malformed osVhdUrl', () => {
    assert.match(certificationFindings(VM, withVhdUrl(''), JUNE_2017)[0]!, /The osVhdUrl of the image 1\.0\.1 of the plan contososkuidentifier is missing/);
    assert.match(certificationFindings(VM, withVhdUrl('not a url'), JUNE_2017)[0]!, /is not a valid http or https URL/);
  });

  it('needs an image the plan shows: hidden or no images mean none was found', () => {
    const definition = seed().definition;
    definition.plans[0][IMAGES]['1.0.1'].showInGui = false;
    assert.deepEqual(certificationFindings(VM, definition, JUNE_2017), [
      `No virtual machine image was found for the plan contososkuidentifier: add an image version with its osVhdUrl to ${IMAGES}, or set showInGui to true on an existing one, and publish again.`,
    ]);
    definition.plans[0][IMAGES]['1.0.2'] = { ...definition.plans[0][IMAGES]['1.0.1'], showInGui: true };
    assert.deepEqual(certificationFindings(VM, definition, JUNE_2017), []);
    definition.plans[0][IMAGES] = {};
    assert.match(certificationFindings(VM, definition, JUNE_2017)[0]!, /^No virtual machine image was found for the plan contososkuidentifier/);
  });

  it('needs at least one plan, for every offer type', () => {
    for (const type of [VM, COREVM, 'microsoft-azure-containers']) {
      const findings = certificationFindings(type, { displayText: 'x', plans: [] }, JUNE_2017);
      assert.deepEqual(findings, ['No plan was found in the offer: add at least one plan (SKU) to definition.plans and publish again.'], type);
    }
    assert.deepEqual(certificationFindings('microsoft-azure-containers', containerDocument().definition, JUNE_2017), []);
  });

  it('checks Core VM images, generation-2 ones included', () => {
    const definition = coreVmDocument().definition;
    const april2020 = new Date('2020-04-01T00:00:00Z');
    assert.deepEqual(certificationFindings(COREVM, definition, april2020), []);
    const findings = certificationFindings(COREVM, definition, new Date('2020-05-01T00:00:00Z'));
    assert.equal(findings.length, 2);
    assert.match(findings[0]!, /the image 2020\.03\.15 of the plan plan-one expired on 2020-04-30T00:00:00Z/);
    assert.match(findings[1]!, /the image 2020\.03\.15 of the plan plan-one-gen2 \(a disk generation of the plan plan-one\) expired/);
  });

  it('skips images certified before with the same URL, so an old expired SAS does not block a republish', () => {
    const previous = seed().definition;
    const current = seed().definition;
    current.plans[0][IMAGES]['1.0.2'] = { osVhdUrl: `https://a.blob.core.windows.net/c/new.vhd?${SAS.replace('2017-06-25', '2031-01-01')}&sp=rl` };
    const today = new Date();
    assert.deepEqual(certificationFindings(VM, current, today, { previouslyCertified: previous }), []);
    assert.equal(certificationFindings(VM, current, today).length, 1);
    // A changed URL for a known version is a new upload and is checked again.
    current.plans[0][IMAGES]['1.0.1'].osVhdUrl += '&x=1';
    assert.equal(certificationFindings(VM, current, today, { previouslyCertified: previous }).length, 1);
  });

  it('does not modify the definition', () => {
    const definition = seed().definition;
    const before = structuredClone(definition);
    certificationFindings(VM, definition, new Date());
    validateForPublish(VM, definition);
    assert.deepEqual(definition, before);
  });
});

describe('certificationProblems and the validation report', () => {
  const APRIL_2020 = new Date('2020-04-01T00:00:00Z');
  const MAY_2020 = new Date('2020-05-01T00:00:00Z');

  it('gives each certification finding the JSON path of what it is about', () => {
    const definition = coreVmDocument().definition;
    const problems = certificationProblems(COREVM, definition, MAY_2020);
    assert.deepEqual(paths(problems), [
      `$.definition.plans[0]['${COREVM}.vmImagesPublicAzure']['2020.03.15'].osVhdUrl`,
      `$.definition.plans[0].diskGenerations[0]['${COREVM}.vmImagesPublicAzure']['2020.03.15'].osVhdUrl`,
    ]);
    assert.deepEqual(
      problems.map((problem) => problem.message),
      certificationFindings(COREVM, definition, MAY_2020),
    );
    assert.deepEqual(paths(certificationProblems(VM, { plans: [] }, MAY_2020)), ['$.definition.plans']);
    const hidden = seed().definition;
    hidden.plans[0][IMAGES]['1.0.1'].showInGui = false;
    assert.ok(paths(certificationProblems(VM, hidden, new Date('2017-06-01T00:00:00Z'))).includes(`$.definition.plans[0]['${IMAGES}']`));
  });

  it('the last certified version is the one in Preview, else in Production', () => {
    assert.equal(lastCertifiedVersion({ previewVersion: 3, productionVersion: 2 }), 3);
    assert.equal(lastCertifiedVersion({ previewVersion: null, productionVersion: 2 }), 2);
    assert.equal(lastCertifiedVersion({ previewVersion: null, productionVersion: null }), null);
    assert.equal(lastCertifiedVersion(null), null);
  });

  it('reports every stage of a document, each problem with its stage', () => {
    assert.deepEqual(validationReport(coreVmDocument(), APRIL_2020), { valid: true, problemCount: 0, problems: [] });
    const document = coreVmDocument();
    document.definition.offer[`${COREVM}.title`] = '';
    const report = validationReport(document, MAY_2020);
    assert.equal(report.valid, false);
    assert.deepEqual(
      report.problems.map((problem) => [problem.stage, problem.path]),
      [
        ['publish', `$.definition.offer['${COREVM}.title']`],
        ['certification', `$.definition.plans[0]['${COREVM}.vmImagesPublicAzure']['2020.03.15'].osVhdUrl`],
        ['certification', `$.definition.plans[0].diskGenerations[0]['${COREVM}.vmImagesPublicAzure']['2020.03.15'].osVhdUrl`],
      ],
    );
    // Images certified before are not checked again, as the certification step does not.
    assert.equal(validationReport(document, MAY_2020, { previouslyCertified: coreVmDocument().definition }).problemCount, 1);
  });

  it('stops at document problems: a document a PUT refuses is read no further', () => {
    const document = seed();
    document.definition.plans = 'x';
    const report = validationReport(document, new Date());
    assert.deepEqual(
      report.problems.map((problem) => [problem.stage, problem.path]),
      [['document', '$.definition.plans']],
    );
  });

  it('counts every problem of a large document and lists the first 100', () => {
    const document = seed();
    document.definition.plans = Array.from({ length: 30_000 }, (_, index) => ({ planId: `plan-${index}` }));
    const report = validationReport(document, new Date());
    assert.equal(report.problems.length, 100);
    assert.equal(report.problemCount, validateForPublish(VM, document.definition).length);
    assert.ok(report.problemCount > 150_000, `${report.problemCount}: more than a call takes arguments`);
  });

  it('does not repeat at certification a fault publish reported at the same path', () => {
    const document = seed();
    delete document.definition.plans[0][IMAGES]['1.0.1'].osVhdUrl;
    const report = validationReport(document, new Date('2017-06-01T00:00:00Z'));
    assert.deepEqual(
      report.problems.map((problem) => [problem.stage, problem.path]),
      [['publish', `$.definition.plans[0]['${IMAGES}']['1.0.1'].osVhdUrl`]],
    );
    assert.equal(certificationProblems(VM, document.definition, new Date('2017-06-01T00:00:00Z')).length, 1, 'certification alone finds it too');
  });
});
