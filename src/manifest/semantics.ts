/**
 * Second pass: what a schema cannot say. Unique task ids, known and non-repeated `needs`, no
 * self-dependency, no cycle (named), resources under the class ceilings, a workspace that exists
 * inside the manifest's folder. Runs on partially valid data too: every check skips what it cannot read.
 */
import { existsSync, readdirSync, realpathSync, statSync } from 'node:fs';
import { isAbsolute, join, normalize, relative, resolve } from 'node:path';
import type { DiagnosticSink } from './diagnostics.js';
import { CLASS_LIMITS, type ResourceClass } from './manifest.types.js';
import { locate } from './parse.js';
import { didYouMean } from './suggest.js';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);

interface TaskView {
  index: number;
  id: string;
  /** needs entries that name another declared task, with their index in `needs`. */
  edges: Array<{ need: string; at: number }>;
}

/** Run every semantic check on the parsed data. `baseDir` is the manifest's folder (absolute). */
export function checkSemantics(data: unknown, sink: DiagnosticSink, baseDir: string | undefined): void {
  const spec = isObj(data) && isObj(data.spec) ? data.spec : undefined;
  if (!spec) return;
  const tasks = Array.isArray(spec.tasks) ? spec.tasks : [];
  const views = checkIds(tasks, sink);
  checkNeeds(tasks, views, sink);
  checkCycles(views, sink);
  if (typeof spec.resourceClass === 'string' && spec.resourceClass in CLASS_LIMITS) {
    checkLimits(tasks, spec.resourceClass as ResourceClass, sink);
  }
  if (typeof spec.workspace === 'string' && spec.workspace !== '' && !spec.workspace.startsWith('/')) {
    checkWorkspace(spec.workspace, sink, baseDir);
  }
}

function checkIds(tasks: unknown[], sink: DiagnosticSink): Map<string, TaskView> {
  const views = new Map<string, TaskView>();
  tasks.forEach((t, index) => {
    if (!isObj(t) || typeof t.id !== 'string') return;
    const first = views.get(t.id);
    if (first) {
      const { line } = locate(sink.parsed, ['spec', 'tasks', first.index, 'id']);
      sink.add(['spec', 'tasks', index, 'id'], `duplicate task id "${t.id}" (first declared at tasks[${first.index}], line ${line})`, 'DUPLICATE_TASK_ID');
      return;
    }
    views.set(t.id, { index, id: t.id, edges: [] });
  });
  return views;
}

function checkNeeds(tasks: unknown[], views: Map<string, TaskView>, sink: DiagnosticSink): void {
  tasks.forEach((t, index) => {
    if (!isObj(t) || !Array.isArray(t.needs)) return;
    const self = typeof t.id === 'string' ? t.id : undefined;
    const view = self !== undefined && views.get(self)?.index === index ? views.get(self) : undefined;
    const seen = new Map<string, number>();
    t.needs.forEach((need, at) => {
      if (typeof need !== 'string') return;
      const path = ['spec', 'tasks', index, 'needs', at];
      const earlier = seen.get(need);
      if (earlier !== undefined) {
        sink.add(path, `"${need}" is already listed at needs[${earlier}]`, 'DUPLICATE_NEED');
        return;
      }
      seen.set(need, at);
      if (need === self) {
        sink.add(path, `task "${need}" cannot depend on itself`, 'SELF_DEPENDENCY');
      } else if (!views.has(need)) {
        const others = [...views.keys()].filter((id) => id !== self);
        sink.add(path, `unknown task "${need}"${didYouMean(need, others)}`, 'UNKNOWN_NEED');
      } else {
        view?.edges.push({ need, at });
      }
    });
  });
}

// Each strongly connected group of tasks is reported once, as its shortest cycle through the
// earliest declared member, written in run order ("a -> b" means b needs a).
function checkCycles(views: Map<string, TaskView>, sink: DiagnosticSink): void {
  for (const group of stronglyConnected(views)) {
    if (group.length < 2) continue;
    const start = group.reduce((a, b) => (views.get(a)!.index <= views.get(b)!.index ? a : b));
    const members = new Set(group);
    // BFS over "needs" edges from start; the path found, reversed, is the cycle in run order.
    const prev = new Map<string, string>();
    const queue = [start];
    let closing: { from: string; at: number } | undefined;
    while (queue.length > 0 && !closing) {
      const cur = queue.shift()!;
      for (const e of views.get(cur)!.edges) {
        if (!members.has(e.need)) continue;
        if (e.need === start) {
          closing = { from: cur, at: e.at };
          break;
        }
        if (!prev.has(e.need)) {
          prev.set(e.need, cur);
          queue.push(e.need);
        }
      }
    }
    if (!closing) continue;
    const needsChain = [start];
    for (let n = closing.from; n !== start; n = prev.get(n)!) needsChain.push(n);
    const runOrder = [start, ...needsChain.slice(1), start];
    const firstEdge = views.get(start)!.edges.find((e) => e.need === runOrder[runOrder.length - 2])!;
    sink.add(['spec', 'tasks', views.get(start)!.index, 'needs', firstEdge.at], `cycle: ${runOrder.join(' -> ')}`, 'CYCLE');
  }
}

/** Tarjan's algorithm over the needs graph, groups in declaration order. */
function stronglyConnected(views: Map<string, TaskView>): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const groups: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, counter);
    low.set(v, counter++);
    stack.push(v);
    onStack.add(v);
    for (const { need: w } of views.get(v)!.edges) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const group: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        group.push(w);
      } while (w !== v);
      groups.push(group);
    }
  };
  for (const id of views.keys()) if (!index.has(id)) visit(id);
  return groups.sort((a, b) => Math.min(...a.map((x) => views.get(x)!.index)) - Math.min(...b.map((x) => views.get(x)!.index)));
}

function checkLimits(tasks: unknown[], cls: ResourceClass, sink: DiagnosticSink): void {
  const limit = CLASS_LIMITS[cls];
  tasks.forEach((t, index) => {
    const r = isObj(t) && isObj(t.resources) ? t.resources : undefined;
    if (!r) return;
    const base = ['spec', 'tasks', index, 'resources'];
    if (typeof r.cpu === 'number' && r.cpu > limit.cpu) {
      sink.add([...base, 'cpu'], `${r.cpu} CPUs exceed the "${cls}" class ceiling of ${limit.cpu} (lower cpu or raise resourceClass)`, 'OVER_CLASS_LIMIT');
    }
    if (typeof r.memoryMB === 'number' && r.memoryMB > limit.memoryMB) {
      sink.add(
        [...base, 'memoryMB'],
        `${r.memoryMB} MB exceeds the "${cls}" class ceiling of ${limit.memoryMB} MB (lower memoryMB or raise resourceClass)`,
        'OVER_CLASS_LIMIT',
      );
    }
  });
}

function checkWorkspace(ws: string, sink: DiagnosticSink, baseDir: string | undefined): void {
  const path = ['spec', 'workspace'];
  if (baseDir === undefined) {
    if (normalize(ws).split(/[\\/]/)[0] === '..') sink.add(path, `workspace "${ws}" escapes the manifest's folder`, 'WORKSPACE_ESCAPE');
    return;
  }
  const resolved = resolve(baseDir, ws);
  if (escapes(baseDir, resolved)) {
    sink.add(path, `workspace "${ws}" escapes the manifest's folder (resolved to ${resolved})`, 'WORKSPACE_ESCAPE');
  } else if (!existsSync(resolved)) {
    sink.add(path, `workspace "${ws}" does not exist (resolved to ${resolved})`, 'WORKSPACE_MISSING');
  } else if (!statSync(resolved).isDirectory()) {
    sink.add(path, `workspace "${ws}" is not a directory (resolved to ${resolved})`, 'WORKSPACE_NOT_DIRECTORY');
  } else {
    const real = realpathSync(resolved);
    if (escapes(realpathSync(baseDir), real)) {
      sink.add(path, `workspace "${ws}" escapes the manifest's folder through a symlink (resolved to ${real})`, 'WORKSPACE_ESCAPE');
    } else {
      const blocked = unreadableBySandbox(real);
      if (blocked)
        sink.add(
          path,
          `workspace "${ws}" is not readable by the sandbox user (uid ${SANDBOX_USER}) on this host: ${blocked.path} has mode ${blocked.mode}; fix: chmod ${blocked.fix} ${blocked.path}`,
          'WORKSPACE_UNREADABLE',
        );
    }
  }
}

/** On a root host, tasks run as this uid (nobody) and see the workspace through "other" permissions. */
const SANDBOX_USER = 65534;
/** At most this many entries of the workspace are checked (its top level). */
const MAX_ENTRIES_CHECKED = 1000;

/**
 * On a root host: the workspace, or the first entry at its top level, that uid 65534 cannot read,
 * with the chmod that fixes it. Elsewhere the task runs as the caller.
 */
function unreadableBySandbox(dir: string): { path: string; mode: string; fix: string } | null {
  if (process.getuid?.() !== 0) return null;
  const can = (p: string, bits: number): boolean => {
    const st = statSync(p);
    const who = st.uid === SANDBOX_USER ? (st.mode >> 6) & 7 : st.gid === SANDBOX_USER ? (st.mode >> 3) & 7 : st.mode & 7;
    return (who & bits) === bits;
  };
  const mode = (p: string) => `0${(statSync(p).mode & 0o777).toString(8)}`;
  // bwrap binds the workspace as root, so only the workspace itself and what is in it must be readable.
  if (!can(dir, 5)) return { path: dir, mode: mode(dir), fix: 'o+rx' };
  for (const e of readdirSync(dir, { withFileTypes: true }).slice(0, MAX_ENTRIES_CHECKED)) {
    if (e.isSymbolicLink()) continue;
    const p = join(dir, e.name);
    if (!can(p, e.isDirectory() ? 5 : 4)) return { path: p, mode: mode(p), fix: e.isDirectory() ? '-R o+rX' : 'o+r' };
  }
  return null;
}

function escapes(base: string, target: string): boolean {
  const rel = relative(base, target);
  return rel === '..' || rel.startsWith(`..${'/'}`) || isAbsolute(rel);
}
