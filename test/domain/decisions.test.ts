/** docs/decisions.md stays navigable: every decision names the code it lives in and its tests, and that code exists. */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ROOT } from '../helpers/processes.ts';

describe('docs/decisions.md', () => {
  it('every decision ends with Code: (files that exist) and Tests:', () => {
    const text = readFileSync(join(ROOT, 'docs/decisions.md'), 'utf8');
    const decisions = text.split(/^(?=\*\*D\d+\. )/m).slice(1);
    assert.ok(decisions.length >= 60);
    const numbers = new Set<string>();
    for (const decision of decisions) {
      const number = /^\*\*(D\d+)\./.exec(decision)![1]!;
      assert.ok(!numbers.has(number), `${number} appears twice`);
      numbers.add(number);
      const code = /^Code: (.+)$/m.exec(decision);
      assert.ok(code, `${number} names no code`);
      assert.match(decision, /Tests: /, `${number} names no tests`);
      for (const [, file] of code[1]!.matchAll(/`(src\/[^`]+)`/g)) assert.ok(existsSync(join(ROOT, file!)), `${number}: ${file} does not exist`);
    }
  });
});
