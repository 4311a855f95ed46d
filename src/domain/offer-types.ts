/**
 * The offer types this server accepts, and the schema namespaces each uses.
 * `GET /api/offerTypes` lists exactly this catalogue.
 *
 * The schema namespace versions are the `offerTypeVersions` a client sends on PUT (the CPP
 * sample: microsoft-azure-virtualmachines 87, microsoft-azure-marketplace 39).
 */
export interface OfferType {
  id: string;
  displayText: string;
  /** Schema namespace → schema version, as in a document's `offerTypeVersions`. */
  offerTypeVersions: Record<string, number>;
}

const MARKETPLACE = { 'microsoft-azure-marketplace': 39 } as const;

export const OFFER_TYPES: readonly OfferType[] = [
  {
    id: 'microsoft-azure-virtualmachines',
    displayText: 'Virtual Machine',
    offerTypeVersions: { 'microsoft-azure-virtualmachines': 87, ...MARKETPLACE, 'microsoft-azure-marketplace-testdrive': 6 },
  },
  { id: 'microsoft-azure-corevm', displayText: 'Core Virtual Machine', offerTypeVersions: { 'microsoft-azure-corevm': 22 } },
  { id: 'microsoft-azure-containers', displayText: 'Azure Container', offerTypeVersions: { 'microsoft-azure-containers': 8, ...MARKETPLACE } },
  { id: 'microsoft-azure-iotedgemodules', displayText: 'IoT Edge Module', offerTypeVersions: { 'microsoft-azure-iotedgemodules': 5, ...MARKETPLACE } },
  {
    id: 'microsoft-azure-consultingservices',
    displayText: 'Consulting Service',
    offerTypeVersions: { 'microsoft-azure-consultingservices': 4, ...MARKETPLACE },
  },
  { id: 'microsoft-azure-managedservices', displayText: 'Managed Service', offerTypeVersions: { 'microsoft-azure-managedservices': 6, ...MARKETPLACE } },
  { id: 'microsoft-powerbi-apps', displayText: 'Power BI App', offerTypeVersions: { 'microsoft-powerbi-apps': 3, ...MARKETPLACE } },
];

const BY_ID = new Map(OFFER_TYPES.map((type) => [type.id, type]));

export function findOfferType(id: string): OfferType | undefined {
  return BY_ID.get(id);
}
