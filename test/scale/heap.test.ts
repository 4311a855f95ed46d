/** The server's heap growth (D107): set at start, unless node was started with the operator's own. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HEAP_GROWING_PERCENT, limitHeapGrowth } from '../../src/heap.ts';

describe('limitHeapGrowth', () => {
  it('sets the growth when node was started without one', () => {
    assert.equal(limitHeapGrowth([]), `--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
    assert.equal(limitHeapGrowth(['--max-old-space-size=512', '--enable-source-maps']), `--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
  });

  it("leaves the operator's own growth, however V8's flag is spelt", () => {
    for (const execArgv of [
      ['--heap-growing-percent=20'],
      ['--heap_growing_percent=20'],
      ['--heap-growing-percent', '20'],
      ['--inspect', '--heap-growing-percent=100'],
    ]) {
      assert.equal(limitHeapGrowth(execArgv), undefined, execArgv.join(' '));
    }
  });
});
