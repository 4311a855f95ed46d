/**
 * The error catalogue is closed and documented: every code ApiError can carry is in ERROR_CODES,
 * the factories use their code's status, and the README's error table lists exactly the catalogue.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ApiError, INJECTED_STATUSES, ERROR_CODES, type ErrorCode, errorBody, errors } from '../../src/domain/errors.ts';
import { ROOT } from '../helpers/processes.ts';

/** The README's "Errors" table: each row's statuses and the codes it names. */
function readmeErrorTable(): Array<{ statuses: number[]; codes: string[] }> {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('### Errors'));
  const rows = section.split('\n').filter((line) => /^\| [\d, ]+ \|/.test(line));
  assert.ok(rows.length > 5, 'the README has the error table');
  return rows.map((row) => {
    const [, statuses = '', cell = ''] = row.split('|');
    // The codes are the cell's backticked names; what stands in parentheses explains them.
    let codes = cell;
    while (/\([^()]*\)/.test(codes)) codes = codes.replace(/\([^()]*\)/g, '');
    return { statuses: statuses.split(',').map((s) => Number(s.trim())), codes: [...codes.matchAll(/`([A-Za-z]+)`/g)].map((m) => m[1]!) };
  });
}

describe('the error catalogue', () => {
  it('the README error table lists every code of the catalogue under its status, and nothing else', () => {
    const table = readmeErrorTable();
    const documented = new Map<string, number[]>();
    for (const row of table) for (const code of row.codes) documented.set(code, row.statuses);
    for (const [code, status] of Object.entries(ERROR_CODES)) {
      assert.ok(documented.has(code), `${code} (${status}) is missing from the README error table`);
      assert.ok(documented.get(code)!.includes(status), `${code} is listed under ${documented.get(code)}, not ${status}`);
    }
    for (const code of documented.keys()) assert.ok(code in ERROR_CODES, `the README lists ${code}, which is no error code`);
  });

  it("every factory builds an error of the catalogue, with its code's status", () => {
    const problems = [{ path: '$', message: 'm' }];
    const argumentsOf: Record<string, unknown[]> = {
      invalidDocument: [problems],
      validationFailed: ['x', problems],
      clientError: [405, 'm'],
      tooManyRequests: [3],
      payloadTooLarge: [10],
      invalidInput: ['x', problems],
      injected: [502, 'rule-id', 1],
    };
    const samples: ApiError[] = Object.entries(errors).map(([name, factory]) =>
      (factory as (...args: unknown[]) => ApiError)(...(argumentsOf[name] ?? ['x', 'y', 'z'])),
    );
    assert.ok(samples.length >= 40);
    for (const error of samples) {
      assert.ok(error instanceof ApiError);
      assert.ok(error.code in ERROR_CODES, error.code);
      if (error.code !== 'InvalidRequest' && error.code !== 'UriTooLong') assert.equal(error.status, ERROR_CODES[error.code as ErrorCode], error.code);
    }
    assert.deepEqual([errors.clientError(405, 'm').code, errors.clientError(414, 'm').code], ['InvalidRequest', 'UriTooLong']);
    assert.deepEqual(
      INJECTED_STATUSES.map((status) => [errors.injected(status, 'r').status, errors.injected(status, 'r').code]),
      [
        [429, 'TooManyRequests'],
        [500, 'InternalError'],
        [502, 'BadGateway'],
        [503, 'ServiceUnavailable'],
      ],
    );
  });

  it('one error body: {"error":{"code","message"}} plus the details, e.g. problems', () => {
    assert.deepEqual(JSON.parse(errorBody(errors.offerNotFound('contoso', 'x'))), {
      error: { code: 'OfferNotFound', message: "The offer 'x' does not exist in the publisher namespace 'contoso'." },
    });
    assert.deepEqual(JSON.parse(errorBody(errors.invalidDocument([{ path: '$.id', message: 'bad' }]))).error.problems, [{ path: '$.id', message: 'bad' }]);
  });
});
