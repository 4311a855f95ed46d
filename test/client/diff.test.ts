/** The JSON diff of offer documents: paths, plans matched by planId, server-owned fields left out. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { diffOffers, formatChanges } from '../../src/client/diff.ts';
import { seedOfferDocument } from '../../src/demo/demo-data.ts';

describe('diffOffers', () => {
  it('finds nothing between a document and its copy, nor in the fields the server owns', () => {
    const seed = seedOfferDocument();
    assert.deepEqual(diffOffers(seed, structuredClone(seed)), []);
    assert.deepEqual(diffOffers(seed, { ...structuredClone(seed), version: 9, status: 'succeeded', changedTime: 'now', eTag: 'W/"x"' }), []);
  });

  it('names every change by its JSON path, quoting keys that are not identifiers', () => {
    const before = seedOfferDocument();
    const after = structuredClone(before) as any;
    after.definition.displayText = 'Renamed';
    after.definition.offer['microsoft-azure-marketplace.title'] = 'Contoso App 2';
    delete after.definition.offer['microsoft-azure-marketplace.summary'];
    after.definition.offer['microsoft-azure-marketplace.keywords'] = ['vm'];
    const changes = diffOffers(before, after);
    assert.deepEqual(changes, [
      { kind: 'changed', path: '$.definition.displayText', before: 'Contoso Virtual Machine Offer', after: 'Renamed' },
      { kind: 'changed', path: '$.definition.offer["microsoft-azure-marketplace.title"]', before: 'Contoso App', after: 'Contoso App 2' },
      {
        kind: 'removed',
        path: '$.definition.offer["microsoft-azure-marketplace.summary"]',
        before: (before.definition['offer'] as any)['microsoft-azure-marketplace.summary'],
      },
      { kind: 'added', path: '$.definition.offer["microsoft-azure-marketplace.keywords"]', after: ['vm'] },
    ]);
    assert.equal(
      formatChanges(changes.slice(0, 1)) + '\n' + formatChanges(changes.slice(2, 4), { maxValueLength: 10 }),
      '~ $.definition.displayText: "Contoso Virtual Machine Offer" → "Renamed"\n' +
        `- $.definition.offer["microsoft-azure-marketplace.summary"]: ${JSON.stringify((before.definition['offer'] as any)['microsoft-azure-marketplace.summary']).slice(0, 10)}…\n` +
        '+ $.definition.offer["microsoft-azure-marketplace.keywords"]: ["vm"]',
    );
    assert.match(formatChanges(changes.slice(0, 1), { color: true }), /^\x1b\[33m~ .*\x1b\[0m$/);
  });

  it('matches plans by planId, so removing one plan is one change, and compares other arrays by position', () => {
    const plan = (planId: string, regions: string[]) => ({ planId, regions });
    const before = { id: 'o', definition: { plans: [plan('a', ['US', 'DE']), plan('b', ['US']), plan('c', ['FR'])] } };
    const after = { id: 'o', definition: { plans: [plan('a', ['US', 'GB', 'DE']), plan('c', ['FR']), plan('d', [])] } };
    assert.deepEqual(diffOffers(before, after), [
      { kind: 'changed', path: '$.definition.plans[planId=a].regions[1]', before: 'DE', after: 'GB' },
      { kind: 'added', path: '$.definition.plans[planId=a].regions[2]', after: 'DE' },
      { kind: 'removed', path: '$.definition.plans[planId=b]', before: plan('b', ['US']) },
      { kind: 'added', path: '$.definition.plans[planId=d]', after: plan('d', []) },
    ]);
  });

  it('reports a change of type as one change', () => {
    assert.deepEqual(diffOffers({ a: { b: 1 } }, { a: [1] }), [{ kind: 'changed', path: '$.a', before: { b: 1 }, after: [1] }]);
    assert.deepEqual(diffOffers({ a: null }, { a: 0 }), [{ kind: 'changed', path: '$.a', before: null, after: 0 }]);
  });
});
