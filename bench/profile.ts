// Reads a V8 .cpuprofile (node --cpu-prof) and ranks functions by self time, and source files by self time,
// so that a slow run can be attributed without opening a profiler UI. Paths are shown relative to the repo.
import { readFile } from 'node:fs/promises';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

export interface HotSpot {
  name: string;
  where: string;
  selfMs: number;
  totalMs: number;
  share: number;
}

export interface ProfileSummary {
  totalMs: number;
  functions: HotSpot[];
  files: { where: string; selfMs: number; share: number }[];
}

function place(url: string, root: string): string {
  const path = url.replace(/^file:\/\//, '');
  return path.startsWith(`${root}/`) ? path.slice(root.length + 1) : path || '(native)';
}

export async function summarizeProfile(file: string, root: string, top = 12): Promise<ProfileSummary> {
  const profile = JSON.parse(await readFile(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const self = new Map<number, number>();
  profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));

  const key = (n: ProfileNode): string => `${n.callFrame.functionName || '(anonymous)'}\u0000${place(n.callFrame.url, root)}:${n.callFrame.lineNumber + 1}`;
  const selfBy = new Map<string, number>();
  const totalBy = new Map<string, number>();
  const fileSelf = new Map<string, number>();
  for (const [id, us] of self) {
    const node = byId.get(id)!;
    selfBy.set(key(node), (selfBy.get(key(node)) ?? 0) + us);
    const where = place(node.callFrame.url, root);
    fileSelf.set(where, (fileSelf.get(where) ?? 0) + us);
    // Inclusive time: once per distinct function on the sample's stack (recursion counted once).
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const k = key(byId.get(at)!);
      if (seen.has(k)) continue;
      seen.add(k);
      totalBy.set(k, (totalBy.get(k) ?? 0) + us);
    }
  }
  const totalUs = [...self.values()].reduce((a, b) => a + b, 0);
  const functions = [...selfBy]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([k, us]) => {
      const [name, where] = k.split('\u0000') as [string, string];
      return { name, where, selfMs: us / 1000, totalMs: (totalBy.get(k) ?? 0) / 1000, share: us / totalUs };
    });
  const files = [...fileSelf]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([where, us]) => ({ where, selfMs: us / 1000, share: us / totalUs }));
  return { totalMs: totalUs / 1000, functions, files };
}
