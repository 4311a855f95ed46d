/** The product-ingestion face's pure rules: the order of schema versions ($version, D92), the business rules (D93), deprecation dates (D94). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { deprecationScheduleOf, ResourceProblem } from '../../src/product-ingestion/mapping.ts';
import { technicalConfigurationBreaches, type TechConfigFacts } from '../../src/product-ingestion/rules.ts';
import { compareVersions, inVersion, servedVersion } from '../../src/product-ingestion/versions.ts';

describe('schema versions (D92)', () => {
  it('order by date, then -dev below previews by number below the plain date', () => {
    const sorted = ['2022-07-01', '2022-03-01-preview10', '2022-03-01', '2022-03-01-dev', '2022-03-01-preview2', '2021-12-31'].sort(compareVersions);
    assert.deepEqual(sorted, ['2021-12-31', '2022-03-01-dev', '2022-03-01-preview2', '2022-03-01-preview10', '2022-03-01', '2022-07-01']);
  });

  it('serve the newest known version not above the maximum, the oldest when all are above it, the current one without a maximum', () => {
    const type = 'virtual-machine-plan-technical-configuration';
    assert.equal(servedVersion(type, undefined), '2022-03-01-preview6');
    assert.equal(servedVersion(type, '2022-03-01-preview4'), '2022-03-01-preview3');
    assert.equal(servedVersion(type, '2026-04-01-preview1'), '2022-03-01-preview6');
    assert.equal(servedVersion(type, '2020-01-01'), '2022-03-01-preview2');
  });

  it('leave out what a later version added, keep the host, and copy (the resource read is not changed)', () => {
    const resource = {
      $schema: 'https://product-ingestion.azureedge.net/schema/customer-leads/2022-03-01-preview3',
      leadDestination: 'marketo',
      marketoLeadConfiguration: { munchkinId: 'abc-def-ghi', formId: '12', clientId: 'id' },
    };
    const older = inVersion(resource, '2022-03-01-preview2');
    assert.deepEqual(older, {
      $schema: 'https://product-ingestion.azureedge.net/schema/customer-leads/2022-03-01-preview2',
      leadDestination: 'marketo',
      marketoLeadConfiguration: { munchkinId: 'abc-def-ghi', formId: '12' },
    });
    assert.equal(resource.marketoLeadConfiguration.clientId, 'id');
  });
});

describe('business rules of technical configurations (D93)', () => {
  const published = { planIds: new Set(['a']), images: new Map([['a/1.0.0', 'https://x/a.vhd']]) };
  const config = (planId: string, skuIds: string[], versions: TechConfigFacts['versions']): TechConfigFacts => ({
    planId,
    skus: skuIds.map((skuId, index) => ({ imageType: index === 0 ? 'x64Gen1' : 'x64Gen2', skuId })),
    versions,
  });
  const ga = (versionNumber: string, imageTypes = ['x64Gen1']) => ({ versionNumber, lifecycleState: 'generallyAvailable', imageTypes });

  it('check only the plans the job wrote', () => {
    const configs = [config('a', ['a', 'shared'], [ga('1.0.0', ['x64Gen1', 'x64Gen2'])]), config('b', ['b', 'shared'], [ga('1.0.0'), ga('2.0.0')])];
    assert.deepEqual(technicalConfigurationBreaches(configs, published, new Set()), []);
    const breaches = technicalConfigurationBreaches(configs, published, new Set(['b']));
    assert.deepEqual(
      breaches.map((breach) => [breach.planId, breach.path]),
      [
        ['b', '$.skus[1].skuId'],
        ['b', '$.vmImageVersions'],
        ['b', '$.vmImageVersions'],
      ],
    );
    assert.match(breaches[1]!.message, /1\.0\.0, 2\.0\.0/);
    assert.match(breaches[2]!.message, /x64Gen2 has no active image/);
  });

  it('a published version is not new; a configuration with no version yet needs no image', () => {
    assert.deepEqual(technicalConfigurationBreaches([config('a', ['a'], [ga('1.0.0'), ga('1.1.0')])], published, new Set(['a'])), []);
    assert.deepEqual(technicalConfigurationBreaches([config('c', ['c', 'c-gen2'], [])], published, new Set(['c'])), []);
  });
});

describe('deprecation schedules (D94)', () => {
  const now = Date.UTC(2026, 0, 1);
  it('date the schedule from the offset (years and months as 365 and 30 days), or now', () => {
    assert.deepEqual(deprecationScheduleOf({ dateOffset: 'P1Y2M3DT4H', reason: 'other' }, now), {
      date: new Date(now + (365 + 60 + 3) * 86_400_000 + 4 * 3_600_000).toISOString(),
      dateOffset: 'P1Y2M3DT4H',
      reason: 'other',
    });
    assert.deepEqual(deprecationScheduleOf(undefined, now), { date: new Date(now).toISOString() });
  });

  it('keep the stored schedule when the same one comes back; refuse an offset that is no duration', () => {
    const stored = deprecationScheduleOf({ dateOffset: 'P30D' }, now);
    assert.equal(deprecationScheduleOf({ dateOffset: 'P30D', date: 'anything' }, now + 5_000, stored), stored);
    assert.notEqual(deprecationScheduleOf({ dateOffset: 'P31D' }, now, stored).date, stored['date']);
    for (const bad of ['PT', 'P', '30 days']) assert.throws(() => deprecationScheduleOf({ dateOffset: bad }, now), ResourceProblem);
  });
});
