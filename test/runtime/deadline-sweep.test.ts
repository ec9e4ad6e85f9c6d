import { describe, expect, it } from 'vitest';
import { DeadlineSweep } from '../../src/runtime/deadline-sweep.js';
import { createRequestIds } from '../../src/runtime/request-id.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('DeadlineSweep', () => {
  it('GIVEN deadlines WHEN their time passes THEN each fires once, a cancelled one never, and the timer stops when none is left', async () => {
    const sweep = new DeadlineSweep();
    const fired: string[] = [];
    sweep.add(30, () => fired.push('a'));
    const b = sweep.add(30, () => fired.push('b'));
    sweep.add(400, () => fired.push('late'));
    b.cancel();
    await sleep(80);
    expect(fired).toEqual(['a']);
    expect(sweep.size).toBe(1);
    await sleep(450);
    expect(fired).toEqual(['a', 'late']);
    expect(sweep.size).toBe(0);
  });

  it('GIVEN a deadline reset to a shorter wait with a new action THEN the new action fires, on time', async () => {
    const sweep = new DeadlineSweep();
    const fired: string[] = [];
    const deadline = sweep.add(10_000, () => fired.push('timeout'));
    deadline.reset(20, () => fired.push('drain'));
    await sleep(100);
    expect(fired).toEqual(['drain']);
  });
});

describe('request ids', () => {
  it('GIVEN two processes (two generators) THEN their ids never collide, and each one counts up', () => {
    const first = createRequestIds();
    const second = createRequestIds();
    const ids = [first(), first(), second()];
    expect(new Set(ids).size).toBe(3);
    expect(ids[0]?.split('-')[0]).toBe(ids[1]?.split('-')[0]);
    expect(ids[0]?.split('-')[0]).not.toBe(ids[2]?.split('-')[0]);
    expect(ids[0]).toMatch(/^[0-9a-f]{16}-00000001$/);
  });
});
