/**
 * Completeness for publishing: what an offer must hold before POST publish starts the
 * workflow (422 with these problems otherwise).
 *
 * Only what the offer type truly needs is required (typed clients round-trip subsets of the
 * document, api-reference §11.7). Optional values are checked for form only when present and
 * non-empty, because drafts hold "" for fields not filled in (the seed's `publicAzureSupportUrl`).
 * The definition has normally passed `validateOfferDocument` on PUT, but nothing here assumes
 * it: a value of the wrong type counts as missing or malformed, never as a crash.
 */
import { CORE_VM, CORE_VM_PLAN_URL_KEYS } from './schemas/corevm.ts';
import { LISTING_URL_KEYS, MARKETPLACE } from './schemas/marketplace.ts';
import { OPERATING_SYSTEM_FAMILIES, VIRTUAL_MACHINES } from './schemas/virtualmachines.ts';
import { asRecord, isEmail, isGuid, isHttpUrl, planName, text, type JsonRecord } from './formats.ts';
import { jsonPath, quote, type PathSegment, type Problem } from './problems.ts';
import { ISO_COUNTRY_CODES } from './region-codes.ts';
import { findOfferType, OFFER_TYPES } from '../offer-types.ts';

/** Segments below `$.definition`. */
type At = PathSegment[];

/** Completeness for publishing; an empty list means the offer may be published. */
export function validateForPublish(offerTypeId: string, definition: Record<string, unknown>): Problem[] {
  const check = new Checker();
  check.requireText(definition, [], 'displayText', 'The offer name is missing: set displayText to a non-empty name for the offer.');
  if (findOfferType(offerTypeId) === undefined) {
    check.problems.push({
      path: '$.offerTypeId',
      message: `${quote(offerTypeId)} is not an offer type this server publishes: expected one of ${OFFER_TYPES.map((type) => type.id).join(', ')}.`,
    });
  }
  // A product deprecated through the product-ingestion face (D94) is stopped from sale: no new version reaches the marketplace.
  if (asRecord(asRecord(definition['productIngestion'])?.['product'])?.['lifecycleState'] === 'deprecated') {
    check.problems.push({
      path: '$.definition.productIngestion.product.lifecycleState',
      message: 'The offer is deprecated (stopped from sale): withdraw the deprecation (product lifecycleState generallyAvailable) before publishing it again.',
    });
  }
  if (offerTypeId === VIRTUAL_MACHINES) checkVirtualMachines(check, definition);
  else if (offerTypeId === CORE_VM) checkCoreVm(check, definition);
  else checkGeneric(check, definition);
  return check.problems;
}

// ---------------------------------------------------------------------------------------------
// Offer types

function checkVirtualMachines(check: Checker, definition: JsonRecord): void {
  const offer = asRecord(definition['offer']);
  checkListing(check, offer, { contacts: true });
  const plans = check.plans(definition, 'The offer has no plans: add at least one plan (SKU) with a virtual machine image to definition.plans.');
  const key = (name: string) => `${VIRTUAL_MACHINES}.${name}`;
  plans.forEach(({ plan, at, name }) => {
    check.requireText(plan, at, key('skuTitle'), `The plan ${name} has no title: set ${key('skuTitle')} to the plan's name as shown in the Marketplace.`);
    check.requireText(plan, at, key('skuSummary'), `The plan ${name} has no summary: set ${key('skuSummary')} to a short summary of the plan.`);
    check.requireText(plan, at, key('skuDescription'), `The plan ${name} has no description: set ${key('skuDescription')} to a description of the plan.`);
    check.operatingSystemFamily(plan, at, key('operatingSystemFamily'), name);
    check.images(plan, at, key('vmImages'), name);
    check.regions(plan, at, name, { required: true });
    const pricing = asRecord(plan['virtualMachinePricing']);
    check.url(asRecord(pricing?.['spreadSheetPricing']), [...at, 'virtualMachinePricing', 'spreadSheetPricing'], 'uri');
  });
}

function checkCoreVm(check: Checker, definition: JsonRecord): void {
  const offer = asRecord(definition['offer']);
  const offerAt: At = ['offer'];
  const key = (name: string) => `${CORE_VM}.${name}`;
  check.requireText(offer, offerAt, key('title'), `The offer title is missing: set ${key('title')} to the offer's name as shown in the Marketplace.`);
  check.requireText(offer, offerAt, key('summary'), `The offer summary is missing: set ${key('summary')} to a one-line summary of the offer.`);
  check.requireText(
    offer,
    offerAt,
    key('description'),
    `The offer description is missing: set ${key('description')} to the description shown on the offer's Marketplace page.`,
  );
  check.guids(offer, offerAt, key('allowedSubscriptions'));

  const plans = check.plans(definition, 'The offer has no plans: add at least one plan (SKU) with a virtual machine image to definition.plans.');
  plans.forEach(({ plan, at, name }) => {
    check.requireText(plan, at, key('skuTitle'), `The plan ${name} has no title: set ${key('skuTitle')} to the plan's name as shown in the Marketplace.`);
    check.requireText(plan, at, key('skuSummary'), `The plan ${name} has no summary: set ${key('skuSummary')} to a short summary of the plan.`);
    // The hosted service fills one of three description keys; any of them describes the plan.
    const described = ['skuLongSummary', 'skuDescription', 'skuDescriptionPublicAzure'].some((name) => text(plan[key(name)]) !== undefined);
    if (!described) {
      check.add([...at, key('skuLongSummary')], `The plan ${name} has no description: set ${key('skuLongSummary')} to a description of the plan.`);
    }
    check.operatingSystemFamily(plan, at, key('operatingSystemFamily'), name);
    check.images(plan, at, key('vmImagesPublicAzure'), name);
    check.regions(plan, at, name, { required: false });
    for (const urlKey of CORE_VM_PLAN_URL_KEYS) check.url(plan, at, key(urlKey));
    for (const cloud of ['PublicAzure', 'Fairfax', 'Mooncake', 'Blackforest']) check.links(plan, at, key(`usefulLinks${cloud}`));

    // Generation-2 variants are plans of their own: each needs an id and an image.
    const generations = plan['diskGenerations'];
    if (!Array.isArray(generations)) return;
    generations.forEach((value, index) => {
      const generation = asRecord(value);
      const genAt: At = [...at, 'diskGenerations', index];
      const genName = `${planName(generation, index)} (a disk generation of the plan ${name})`;
      check.requirePlanId(generation, genAt, genName);
      check.images(generation, genAt, key('vmImagesPublicAzure'), genName);
    });
  });
}

/** Types with no plan schema of their own: the listing and at least one plan. */
function checkGeneric(check: Checker, definition: JsonRecord): void {
  checkListing(check, asRecord(definition['offer']), { contacts: false });
  check.plans(definition, 'The offer has no plans: add at least one plan (SKU) with a planId to definition.plans.');
}

/**
 * The shared listing (`microsoft-azure-marketplace.*`). Title, summary and description are
 * always required; VM offers also need the privacy policy and both contacts, which
 * certification uses to reach the publisher. Everything else is checked for form when present.
 */
function checkListing(check: Checker, offer: JsonRecord | undefined, options: { contacts: boolean }): void {
  const at: At = ['offer'];
  const key = (name: string) => `${MARKETPLACE}.${name}`;
  check.requireText(offer, at, key('title'), `The offer title is missing: set ${key('title')} to the offer's name as shown in the Marketplace.`);
  check.requireText(offer, at, key('summary'), `The offer summary is missing: set ${key('summary')} to a one-line summary of the offer.`);
  check.requireText(
    offer,
    at,
    key('description'),
    `The offer description is missing: set ${key('description')} to the description shown on the offer's Marketplace page.`,
  );
  if (options.contacts) {
    check.requireText(
      offer,
      at,
      key('privacyURL'),
      `The privacy policy URL is missing: set ${key('privacyURL')} to the http or https URL of the offer's privacy policy.`,
    );
    for (const [contact, role] of [
      ['engineering', 'engineering contact (whom Microsoft contacts about the offer and its certification)'],
      ['support', 'support contact (whom Microsoft sends customer support issues to)'],
    ] as const) {
      check.requireText(offer, at, key(`${contact}ContactName`), `The ${role} has no name: set ${key(`${contact}ContactName`)}.`);
      check.requireText(offer, at, key(`${contact}ContactEmail`), `The ${role} has no email address: set ${key(`${contact}ContactEmail`)}.`);
      check.requireText(offer, at, key(`${contact}ContactPhone`), `The ${role} has no phone number: set ${key(`${contact}ContactPhone`)}.`);
    }
  }
  for (const urlKey of LISTING_URL_KEYS) check.url(offer, at, key(urlKey));
  for (const contact of ['engineering', 'support']) check.email(offer, at, key(`${contact}ContactEmail`));
  check.links(offer, at, key('usefulLinks'));
  check.guids(offer, at, key('allowedSubscriptions'));
}

// ---------------------------------------------------------------------------------------------
// Reusable checks; each reports at a path below $.definition.

interface PlanAt {
  plan: JsonRecord;
  at: At;
  /** How messages name the plan. */
  name: string;
}

class Checker {
  readonly problems: Problem[] = [];

  add(at: At, message: string): void {
    this.problems.push({ path: jsonPath(['definition', ...at]), message });
  }

  requireText(container: JsonRecord | undefined, at: At, key: string, message: string): void {
    if (text(container?.[key]) === undefined) this.add([...at, key], message);
  }

  /** The offer's plans, each with a planId; reports an offer without plans. */
  plans(definition: JsonRecord, noPlans: string): PlanAt[] {
    const plans = Array.isArray(definition['plans']) ? definition['plans'] : [];
    if (plans.length === 0) this.add(['plans'], noPlans);
    const found: PlanAt[] = [];
    plans.forEach((value, index) => {
      const at: At = ['plans', index];
      const plan = asRecord(value);
      const name = planName(plan, index);
      if (plan === undefined) {
        this.add(at, `The plan ${name} is not an object: each plan must be a JSON object with a planId.`);
        return;
      }
      this.requirePlanId(plan, at, name);
      found.push({ plan, at, name });
    });
    return found;
  }

  requirePlanId(plan: JsonRecord | undefined, at: At, name: string): void {
    this.requireText(plan, at, 'planId', `The plan ${name} needs a planId: an id of lowercase letters, digits, '-' and '_'.`);
  }

  operatingSystemFamily(plan: JsonRecord, at: At, key: string, name: string): void {
    const value = plan[key];
    const families = OPERATING_SYSTEM_FAMILIES.join(' or ');
    if (text(value) === undefined) this.add([...at, key], `The plan ${name} has no operating system family: set ${key} to ${families}.`);
    else if (!(OPERATING_SYSTEM_FAMILIES as readonly unknown[]).includes(value)) {
      this.add([...at, key], `${quote(value)} is not an operating system family: expected ${families}.`);
    }
  }

  /** At least one image version, each with a well-formed osVhdUrl. */
  images(plan: JsonRecord | undefined, at: At, key: string, name: string): void {
    const images = asRecord(plan?.[key]);
    if (images === undefined || Object.keys(images).length === 0) {
      this.add(
        [...at, key],
        `No virtual machine image was found for the plan ${name}: add an image version (such as 1.0.0) with the osVhdUrl of its operating system VHD to ${key}.`,
      );
      return;
    }
    for (const [version, value] of Object.entries(images)) {
      const imageAt: At = [...at, key, version];
      const image = asRecord(value);
      const url = image?.['osVhdUrl'];
      if (text(url) === undefined) {
        this.add(
          [...imageAt, 'osVhdUrl'],
          `The image ${version} of the plan ${name} has no osVhdUrl: set it to the SAS URL of the image's operating system VHD.`,
        );
      } else this.url(image, imageAt, 'osVhdUrl');
    }
  }

  regions(plan: JsonRecord, at: At, name: string, options: { required: boolean }): void {
    const value = plan['regions'];
    const regions = Array.isArray(value) ? value : [];
    if (options.required && regions.length === 0) {
      this.add(
        [...at, 'regions'],
        `The plan ${name} is not available in any market: list the ISO 3166-1 alpha-2 codes of the countries it is sold in (such as US) in regions.`,
      );
    }
    regions.forEach((code, index) => {
      if (typeof code === 'string' && ISO_COUNTRY_CODES.has(code)) return;
      const upper = typeof code === 'string' ? code.toUpperCase() : undefined;
      this.add(
        [...at, 'regions', index],
        upper !== undefined && ISO_COUNTRY_CODES.has(upper)
          ? `${quote(code)} must be written in upper case: ${upper}.`
          : `${quote(code)} is not an ISO 3166-1 alpha-2 country code: expected a current two-letter code such as US or DE.`,
      );
    });
  }

  /** A URL-typed field: checked for form when present and non-empty. */
  url(container: JsonRecord | undefined, at: At, key: string): void {
    const value = text(container?.[key]);
    if (value !== undefined && !isHttpUrl(value)) {
      this.add([...at, key], `${quote(value)} is not a well-formed URL: expected an absolute http or https URL, such as https://www.contoso.com/page.`);
    }
  }

  email(container: JsonRecord | undefined, at: At, key: string): void {
    const value = text(container?.[key]);
    if (value !== undefined && !isEmail(value)) {
      this.add([...at, key], `${quote(value)} is not a valid email address: expected an address such as jondoe@contoso.com.`);
    }
  }

  guids(container: JsonRecord | undefined, at: At, key: string): void {
    const value = container?.[key];
    if (!Array.isArray(value)) return;
    value.forEach((id, index) => {
      if (typeof id !== 'string' || !isGuid(id)) {
        this.add([...at, key, index], `${quote(id)} is not an Azure subscription id: expected a GUID such as 59160c40-2e25-4dcf-a2fd-6514cb08bf08.`);
      }
    });
  }

  /** `[{linkTitle, linkUrl}]`: every link needs a title and a well-formed URL. */
  links(container: JsonRecord | undefined, at: At, key: string): void {
    const value = container?.[key];
    if (!Array.isArray(value)) return;
    value.forEach((item, index) => {
      const link = asRecord(item);
      const linkAt: At = [...at, key, index];
      if (text(link?.['linkUrl']) === undefined)
        this.add([...linkAt, 'linkUrl'], 'The link has no URL: set linkUrl to an absolute http or https URL, or remove the link.');
      else this.url(link, linkAt, 'linkUrl');
      if (text(link?.['linkTitle']) === undefined) this.add([...linkAt, 'linkTitle'], 'The link has no title: set linkTitle to the text shown for the link.');
    });
  }
}
