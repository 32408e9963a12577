import { describe, expect, it } from 'vitest';
import { createBudget } from '../../../src/processors/office-conversion/budget.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('the task time budget', () => {
  it('does not count time spent paused (waiting for a LibreOffice process)', async () => {
    const budget = createBudget(120);
    await sleep(40);
    budget.pause();
    const left = budget.remaining();
    expect(left).toBeLessThanOrEqual(90);
    await sleep(200);
    expect(budget.signal.aborted).toBe(false);
    expect(budget.remaining()).toBe(left);
    budget.resume();
    await sleep(left + 60);
    expect(budget.signal.aborted).toBe(true);
  });

  it('stops without firing', async () => {
    const budget = createBudget(30);
    budget.stop();
    await sleep(80);
    expect(budget.signal.aborted).toBe(false);
  });
});
