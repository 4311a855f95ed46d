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
import { jsonPath, problemAt, quote, type PathSegment, type Problem } from './problems.ts';
import { type Message, type MessageParam, message } from '../messages/index.ts';
import { ISO_COUNTRY_CODES } from './region-codes.ts';
import { findOfferType, OFFER_TYPES } from '../offer-types.ts';

/** Segments below `$.definition`. */
type At = PathSegment[];

/** Completeness for publishing; an empty list means the offer may be published. */
export function validateForPublish(offerTypeId: string, definition: Record<string, unknown>): Problem[] {
  const check = new Checker();
  check.requireText(definition, [], 'displayText', message('publish.offerNameMissing'));
  if (findOfferType(offerTypeId) === undefined) {
    check.problems.push(
      problemAt('$.offerTypeId', message('publish.offerTypeUnknown', { value: quote(offerTypeId), types: OFFER_TYPES.map((type) => type.id).join(', ') })),
    );
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
  const plans = check.plans(definition, message('publish.noPlansVm'));
  const key = (name: string) => `${VIRTUAL_MACHINES}.${name}`;
  plans.forEach(({ plan, at, name }) => {
    check.requireText(plan, at, key('skuTitle'), message('publish.planNoTitle', { plan: name, key: key('skuTitle') }));
    check.requireText(plan, at, key('skuSummary'), message('publish.planNoSummary', { plan: name, key: key('skuSummary') }));
    check.requireText(plan, at, key('skuDescription'), message('publish.planNoDescription', { plan: name, key: key('skuDescription') }));
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
  check.requireText(offer, offerAt, key('title'), message('publish.offerTitleMissing', { key: key('title') }));
  check.requireText(offer, offerAt, key('summary'), message('publish.offerSummaryMissing', { key: key('summary') }));
  check.requireText(offer, offerAt, key('description'), message('publish.offerDescriptionMissing', { key: key('description') }));
  check.guids(offer, offerAt, key('allowedSubscriptions'));

  const plans = check.plans(definition, message('publish.noPlansVm'));
  plans.forEach(({ plan, at, name }) => {
    check.requireText(plan, at, key('skuTitle'), message('publish.planNoTitle', { plan: name, key: key('skuTitle') }));
    check.requireText(plan, at, key('skuSummary'), message('publish.planNoSummary', { plan: name, key: key('skuSummary') }));
    // The hosted service fills one of three description keys; any of them describes the plan.
    const described = ['skuLongSummary', 'skuDescription', 'skuDescriptionPublicAzure'].some((name) => text(plan[key(name)]) !== undefined);
    if (!described) {
      check.add([...at, key('skuLongSummary')], message('publish.planNoDescription', { plan: name, key: key('skuLongSummary') }));
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
      const genName = message('plan.generation', { generation: planName(generation, index), plan: name });
      check.requirePlanId(generation, genAt, genName);
      check.images(generation, genAt, key('vmImagesPublicAzure'), genName);
    });
  });
}

/** Types with no plan schema of their own: the listing and at least one plan. */
function checkGeneric(check: Checker, definition: JsonRecord): void {
  checkListing(check, asRecord(definition['offer']), { contacts: false });
  check.plans(definition, message('publish.noPlans'));
}

/**
 * The shared listing (`microsoft-azure-marketplace.*`). Title, summary and description are
 * always required; VM offers also need the privacy policy and both contacts, which
 * certification uses to reach the publisher. Everything else is checked for form when present.
 */
function checkListing(check: Checker, offer: JsonRecord | undefined, options: { contacts: boolean }): void {
  const at: At = ['offer'];
  const key = (name: string) => `${MARKETPLACE}.${name}`;
  check.requireText(offer, at, key('title'), message('publish.offerTitleMissing', { key: key('title') }));
  check.requireText(offer, at, key('summary'), message('publish.offerSummaryMissing', { key: key('summary') }));
  check.requireText(offer, at, key('description'), message('publish.offerDescriptionMissing', { key: key('description') }));
  if (options.contacts) {
    check.requireText(offer, at, key('privacyURL'), message('publish.privacyUrlMissing', { key: key('privacyURL') }));
    for (const contact of ['engineering', 'support'] as const) {
      const role = message(contact === 'engineering' ? 'contact.engineering' : 'contact.support');
      check.requireText(offer, at, key(`${contact}ContactName`), message('publish.contactNoName', { role, key: key(`${contact}ContactName`) }));
      check.requireText(offer, at, key(`${contact}ContactEmail`), message('publish.contactNoEmail', { role, key: key(`${contact}ContactEmail`) }));
      check.requireText(offer, at, key(`${contact}ContactPhone`), message('publish.contactNoPhone', { role, key: key(`${contact}ContactPhone`) }));
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
  name: MessageParam;
}

class Checker {
  readonly problems: Problem[] = [];

  add(at: At, text: Message): void {
    this.problems.push(problemAt(jsonPath(['definition', ...at]), text));
  }

  requireText(container: JsonRecord | undefined, at: At, key: string, missing: Message): void {
    if (text(container?.[key]) === undefined) this.add([...at, key], missing);
  }

  /** The offer's plans, each with a planId; reports an offer without plans. */
  plans(definition: JsonRecord, noPlans: Message): PlanAt[] {
    const plans = Array.isArray(definition['plans']) ? definition['plans'] : [];
    if (plans.length === 0) this.add(['plans'], noPlans);
    const found: PlanAt[] = [];
    plans.forEach((value, index) => {
      const at: At = ['plans', index];
      const plan = asRecord(value);
      const name = planName(plan, index);
      if (plan === undefined) {
        this.add(at, message('publish.planNotObject', { plan: name }));
        return;
      }
      this.requirePlanId(plan, at, name);
      found.push({ plan, at, name });
    });
    return found;
  }

  requirePlanId(plan: JsonRecord | undefined, at: At, name: MessageParam): void {
    this.requireText(plan, at, 'planId', message('publish.planNoId', { plan: name }));
  }

  operatingSystemFamily(plan: JsonRecord, at: At, key: string, name: MessageParam): void {
    const value = plan[key];
    const [first = '', second = ''] = OPERATING_SYSTEM_FAMILIES;
    const families = message('publish.or', { first, second });
    if (text(value) === undefined) this.add([...at, key], message('publish.osFamilyMissing', { plan: name, key, families }));
    else if (!(OPERATING_SYSTEM_FAMILIES as readonly unknown[]).includes(value)) {
      this.add([...at, key], message('publish.osFamilyInvalid', { value: quote(value), families }));
    }
  }

  /** At least one image version, each with a well-formed osVhdUrl. */
  images(plan: JsonRecord | undefined, at: At, key: string, name: MessageParam): void {
    const images = asRecord(plan?.[key]);
    if (images === undefined || Object.keys(images).length === 0) {
      this.add([...at, key], message('publish.noImage', { plan: name, key }));
      return;
    }
    for (const [version, value] of Object.entries(images)) {
      const imageAt: At = [...at, key, version];
      const image = asRecord(value);
      const url = image?.['osVhdUrl'];
      if (text(url) === undefined) {
        this.add([...imageAt, 'osVhdUrl'], message('publish.imageNoVhd', { version, plan: name }));
      } else this.url(image, imageAt, 'osVhdUrl');
    }
  }

  regions(plan: JsonRecord, at: At, name: MessageParam, options: { required: boolean }): void {
    const value = plan['regions'];
    const regions = Array.isArray(value) ? value : [];
    if (options.required && regions.length === 0) {
      this.add([...at, 'regions'], message('publish.noMarkets', { plan: name }));
    }
    regions.forEach((code, index) => {
      if (typeof code === 'string' && ISO_COUNTRY_CODES.has(code)) return;
      const upper = typeof code === 'string' ? code.toUpperCase() : undefined;
      this.add(
        [...at, 'regions', index],
        upper !== undefined && ISO_COUNTRY_CODES.has(upper)
          ? message('publish.regionUpperCase', { value: quote(code), upper })
          : message('publish.regionInvalid', { value: quote(code) }),
      );
    });
  }

  /** A URL-typed field: checked for form when present and non-empty. */
  url(container: JsonRecord | undefined, at: At, key: string): void {
    const value = text(container?.[key]);
    if (value !== undefined && !isHttpUrl(value)) {
      this.add([...at, key], message('publish.urlInvalid', { value: quote(value) }));
    }
  }

  email(container: JsonRecord | undefined, at: At, key: string): void {
    const value = text(container?.[key]);
    if (value !== undefined && !isEmail(value)) {
      this.add([...at, key], message('publish.emailInvalid', { value: quote(value) }));
    }
  }

  guids(container: JsonRecord | undefined, at: At, key: string): void {
    const value = container?.[key];
    if (!Array.isArray(value)) return;
    value.forEach((id, index) => {
      if (typeof id !== 'string' || !isGuid(id)) {
        this.add([...at, key, index], message('publish.subscriptionInvalid', { value: quote(id) }));
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
      if (text(link?.['linkUrl']) === undefined) this.add([...linkAt, 'linkUrl'], message('publish.linkNoUrl'));
      else this.url(link, linkAt, 'linkUrl');
      if (text(link?.['linkTitle']) === undefined) this.add([...linkAt, 'linkTitle'], message('publish.linkNoTitle'));
    });
  }
}
