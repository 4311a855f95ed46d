import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ReadGate } from '../../src/http/read-gate.ts';

/** A read that ends when the test says so. */
function pending<T>(value: T) {
  let finish!: () => void;
  const done = new Promise<void>((resolve) => (finish = resolve));
  return { finish, read: async () => (await done, value) };
}

const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('the read gate (D106)', () => {
  it('lets `capacity` reads run at once; the others start in the order they came as slots free', async () => {
    const gate = new ReadGate(2);
    const started: number[] = [];
    const reads = [0, 1, 2, 3].map((n) => pending(n));
    const results = reads.map((r, n) => gate.run(async () => (started.push(n), r.read())));
    await turn();
    await turn();
    assert.deepEqual(started, [0, 1]);
    assert.deepEqual(gate.load, { running: 2, waiting: 2 });
    reads[1]!.finish();
    await turn();
    await turn();
    assert.deepEqual(started, [0, 1, 2], 'the first to wait takes the freed slot');
    reads[0]!.finish();
    reads[2]!.finish();
    reads[3]!.finish();
    assert.deepEqual(await Promise.all(results), [0, 1, 2, 3]);
    assert.deepEqual(gate.load, { running: 0, waiting: 0 });
  });

  it('a read that fails frees its slot and rejects only its own caller', async () => {
    const gate = new ReadGate(1);
    const failing = gate.run(async () => {
      throw new Error('no such offer');
    });
    const next = gate.run(async () => 'next');
    await assert.rejects(failing, /no such offer/);
    assert.equal(await next, 'next');
    assert.deepEqual(gate.load, { running: 0, waiting: 0 });
  });

  it('builds in a later turn of the event loop than the one that asked', async () => {
    const gate = new ReadGate(1);
    let built = false;
    const answer = gate.run(async () => (built = true));
    assert.equal(built, false);
    await Promise.resolve();
    assert.equal(built, false, 'not within the microtasks of the asking turn');
    assert.equal(await answer, true);
  });

  it('refuses a capacity below one', () => {
    assert.throws(() => new ReadGate(0), /at least one/);
  });
});
