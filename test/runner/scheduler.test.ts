import { describe, expect, it } from 'vitest';
import { runDag } from '../../src/runner/scheduler.js';

const t = (id: string, needs: string[] = []) => ({ id, needs });

describe('runDag', () => {
  it('starts a task only after all its needs succeeded, and runs independent tasks in parallel', async () => {
    const log: string[] = [];
    let live = 0;
    let peak = 0;
    const tasks = [t('a'), t('b', ['a']), t('c', ['a']), t('d', ['b', 'c'])];
    const states = await runDag(tasks, 4, async (task) => {
      live += 1;
      peak = Math.max(peak, live);
      log.push(`start ${task.id}`);
      await new Promise((r) => setTimeout(r, 20));
      log.push(`end ${task.id}`);
      live -= 1;
      return true;
    });
    expect([...states.values()]).toEqual(['succeeded', 'succeeded', 'succeeded', 'succeeded']);
    expect(log.indexOf('start b')).toBeGreaterThan(log.indexOf('end a'));
    expect(log.indexOf('start d')).toBeGreaterThan(Math.max(log.indexOf('end b'), log.indexOf('end c')));
    expect(peak).toBe(2);
  });

  it('respects the parallel limit', async () => {
    let live = 0;
    let peak = 0;
    await runDag([t('a'), t('b'), t('c'), t('d'), t('e')], 2, async () => {
      live += 1;
      peak = Math.max(peak, live);
      await new Promise((r) => setTimeout(r, 10));
      live -= 1;
      return true;
    });
    expect(peak).toBe(2);
  });

  it('a failure skips every transitive dependent but lets independent branches finish', async () => {
    const ran: string[] = [];
    const states = await runDag([t('a'), t('b', ['a']), t('c', ['b']), t('x')], 2, async (task) => {
      ran.push(task.id);
      return task.id !== 'a';
    });
    expect(Object.fromEntries(states)).toEqual({ a: 'failed', b: 'skipped', c: 'skipped', x: 'succeeded' });
    expect(ran.sort()).toEqual(['a', 'x']);
  });

  it('a thrown error counts as a failure; stop() prevents new starts and marks the rest cancelled', async () => {
    let stopped = false;
    const states = await runDag(
      [t('a'), t('b', ['a'])],
      1,
      async (task) => {
        if (task.id === 'a') {
          stopped = true;
          return false;
        }
        throw new Error('never');
      },
      () => stopped,
    );
    expect(Object.fromEntries(states)).toEqual({ a: 'cancelled', b: 'skipped' });
  });
});
