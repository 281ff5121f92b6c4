/**
 * The DAG scheduler: a task becomes ready when all its needs succeeded; a failure (or cancel) marks
 * every transitive dependent skipped. Independent tasks run in parallel, up to `parallel` at once.
 */
export type NodeState = 'pending' | 'running' | 'succeeded' | 'failed' | 'skipped' | 'cancelled';

export interface DagTask {
  id: string;
  needs: string[];
}

export interface Settled {
  id: string;
  state: NodeState;
}

/**
 * Runs `run(task)` for every task in dependency order and resolves with each task's final state.
 * `run` resolves true for success. `stop()` returning true prevents new starts (cancellation).
 * @example
 *   const states = await runDag(tasks, 4, async (t) => (await exec(t)).ok, () => false);
 */
export async function runDag<T extends DagTask>(
  tasks: T[],
  parallel: number,
  run: (t: T) => Promise<boolean>,
  stop: () => boolean = () => false,
): Promise<Map<string, NodeState>> {
  const state = new Map<string, NodeState>(tasks.map((t) => [t.id, 'pending']));
  const dependents = new Map<string, string[]>(tasks.map((t) => [t.id, []]));
  for (const t of tasks) for (const n of t.needs) dependents.get(n)?.push(t.id);
  const running = new Set<Promise<void>>();
  const skipFrom = (id: string): void => {
    for (const d of dependents.get(id) ?? []) {
      if (state.get(d) === 'pending') {
        state.set(d, 'skipped');
        skipFrom(d);
      }
    }
  };
  const ready = (): T[] => tasks.filter((t) => state.get(t.id) === 'pending' && t.needs.every((n) => state.get(n) === 'succeeded'));
  for (;;) {
    if (!stop()) {
      for (const t of ready()) {
        if (running.size >= Math.max(1, parallel)) break;
        state.set(t.id, 'running');
        const p: Promise<void> = run(t)
          .then(
            (ok) => ok,
            () => false,
          )
          .then((ok) => {
            state.set(t.id, stop() && !ok ? 'cancelled' : ok ? 'succeeded' : 'failed');
            if (!ok) skipFrom(t.id);
            running.delete(p);
          });
        running.add(p);
      }
    }
    if (running.size === 0) break;
    await Promise.race(running);
  }
  for (const t of tasks) if (state.get(t.id) === 'pending') state.set(t.id, stop() ? 'cancelled' : 'skipped');
  return state;
}
