/** The fault rules on their own: matching, times, probability with a seed, holds. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FaultRules, globPattern } from '../../src/sandbox/faults.ts';
import { parseFaultRule } from '../../src/sandbox/fault-input.ts';

const target = (stepId: string, operation: 'publish' | 'golive' | 'cancel' = 'publish', position = 1) => ({
  publisherId: 'contoso',
  offerId: 'vm',
  operationId: 'op-1',
  operation,
  stepId,
  position,
});

describe('fault rules', () => {
  it('globs: * within a segment, ** across segments, ? one character, ids in any case', () => {
    assert.ok(globPattern('/api/publishers/*/offers').test('/api/publishers/Contoso/offers'));
    assert.ok(!globPattern('/api/publishers/*/offers').test('/api/publishers/a/b/offers'));
    assert.ok(globPattern('/api/**').test('/api/publishers/contoso/offers/x/status'));
    assert.ok(globPattern('/api/offer?ypes').test('/api/offerTypes'));
    assert.ok(!globPattern('/api/(x)').test('/api/x'), 'regular expression characters are literal');
  });

  it('a fail or block rule without a step acts where the service fails: certification, live, rollback', () => {
    const rules = new FaultRules();
    rules.add(parseFaultRule({ effect: { fail: { messages: ['no'] } } }));
    assert.equal(rules.atStepDue(target('displaydummycertify')), undefined);
    assert.deepEqual(rules.atStepDue(target('displaycertify')), { fail: ['no'] });
    assert.deepEqual(rules.atStepDue(target('live', 'golive', 0)), { fail: ['no'] });
    assert.deepEqual(rules.atStepDue(target('rollback', 'cancel', 0)), { fail: ['no'] });
  });

  it('times: a rule acts that many times and goes; a block keeps holding what it caught', () => {
    const rules = new FaultRules();
    const fail = rules.add(parseFaultRule({ match: { step: 'displaycertify' }, effect: { fail: { messages: ['x'] } }, times: 2 }));
    assert.ok(rules.atStepDue(target('displaycertify')));
    assert.equal(rules.get(fail.id)?.times, 1);
    assert.ok(rules.atStepDue(target('displaycertify')));
    assert.equal(rules.get(fail.id), undefined);
    assert.equal(rules.atStepDue(target('displaycertify')), undefined);

    const block = rules.add(parseFaultRule({ match: { step: 'live' }, effect: { block: true }, times: 1 }));
    assert.deepEqual(rules.atStepDue(target('live', 'golive', 0)), { hold: true });
    assert.deepEqual(rules.atStepDue(target('live', 'golive', 0)), { hold: true }, 'still held');
    assert.equal(rules.atStepDue({ ...target('live', 'golive', 0), operationId: 'op-2' }), undefined, 'used up: catches no other step');
    assert.deepEqual(rules.remove(block.id), { removed: true, released: ['op-1/0'] });
  });

  it('probability with a seed draws the same pattern every time', () => {
    const pattern = () => {
      const rules = new FaultRules();
      rules.add(parseFaultRule({ match: { method: 'GET' }, effect: { status: 503 }, probability: 0.5, seed: 42 }));
      return Array.from({ length: 40 }, () => (rules.forRequest('GET', '/api/publishers', undefined) ? 1 : 0)).join('');
    };
    const first = pattern();
    assert.equal(pattern(), first);
    const hits = [...first].filter((bit) => bit === '1').length;
    assert.ok(hits > 5 && hits < 35, `about half: ${first}`);
  });

  it('an HTTP rule matches method, path and publisher', () => {
    const rules = new FaultRules();
    rules.add(parseFaultRule({ match: { method: 'put', path: '/api/publishers/*/offers/*', publisherId: 'Contoso' }, effect: { delayMs: 5 } }));
    assert.equal(rules.forRequest('GET', '/api/publishers/contoso/offers/x', 'contoso'), undefined);
    assert.equal(rules.forRequest('PUT', '/api/publishers/fabrikam/offers/x', 'fabrikam'), undefined);
    assert.deepEqual(rules.forRequest('PUT', '/api/publishers/contoso/offers/x', 'contoso'), { delayMs: 5, ruleId: rules.list()[0]!.id });
  });
});
