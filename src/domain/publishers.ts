/** Publisher namespaces as `GET /api/publishers` shows them. */
export interface Publisher {
  id: string;
  version: number;
  displayText: string;
  offerTypeCategories: string[];
  sellerId: number;
}

export function renderPublisher(publisher: Publisher): string {
  return JSON.stringify({
    id: publisher.id,
    version: publisher.version,
    definition: {
      displayText: publisher.displayText,
      offerTypeCategories: publisher.offerTypeCategories,
      sellerId: publisher.sellerId,
    },
  });
}
