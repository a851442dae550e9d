/**
 * How strong a worker's sandbox is, worked out only from the layers the provider reports: each layer
 * on or off with what it does, an overall level, and a one-line summary for the dashboard.
 */
import type { WorkerStatus } from '../common/api.js';
import { formatBytes } from './format.js';

type SandboxReport = NonNullable<WorkerStatus['sandbox']>;

export type SandboxLayerId = 'bubblewrap' | 'node-permissions' | 'env-allowlist' | 'private-folder' | 'memory-limit';

/** One layer as the dashboard lists it. */
export type SandboxLayer = { id: SandboxLayerId; name: string; on: boolean; detail: string };

/** Strong: every layer in force. Partial: bubblewrap, but a layer is missing. Weak: no bubblewrap. */
export type SandboxLevel = 'strong' | 'partial' | 'weak';

/** The layers in the order they wrap the worker, outermost first. */
export function sandboxLayers(sandbox: SandboxReport): SandboxLayer[] {
  const limit = sandbox.addressSpaceLimitBytes;
  return [
    {
      id: 'bubblewrap',
      name: 'bubblewrap',
      on: sandbox.bubblewrap,
      detail: sandbox.bubblewrap ? 'No network; your home and data folders are hidden' : 'Not in force: the network and your files are reachable',
    },
    {
      id: 'node-permissions',
      name: 'Node permissions',
      on: sandbox.nodePermissions,
      detail: sandbox.nodePermissions ? 'Reads the app and models, writes only its own folder' : 'Not in force',
    },
    {
      id: 'env-allowlist',
      name: 'Environment allowlist',
      on: sandbox.envAllowlist,
      detail: sandbox.envAllowlist ? 'Starts with a fixed environment, not a copy of yours' : 'Not in force: it sees your environment variables',
    },
    {
      id: 'private-folder',
      name: 'Private folder',
      on: sandbox.privateWorkDir,
      detail: sandbox.privateWorkDir ? 'Works in a folder of its own, removed when it exits' : 'Not in force',
    },
    {
      id: 'memory-limit',
      name: 'Memory limit',
      on: limit !== null,
      detail: limit !== null ? `${formatBytes(limit)} of address space at most` : 'None: it can use as much memory as the system gives it',
    },
  ];
}

/** The overall level of a set of layers. */
export function sandboxLevel(layers: readonly SandboxLayer[]): SandboxLevel {
  if (!layers.some((layer) => layer.id === 'bubblewrap' && layer.on)) return 'weak';
  return layers.every((layer) => layer.on) ? 'strong' : 'partial';
}

const levelWords: Record<SandboxLevel, string> = { strong: 'Strong', partial: 'Partial', weak: 'Weak' };

/** The layer's name as the summary lists it ("memory limit 16 GiB"). */
function summaryName(layer: SandboxLayer, sandbox: SandboxReport): string {
  if (layer.id === 'memory-limit' && sandbox.addressSpaceLimitBytes !== null) return `memory limit ${formatBytes(sandbox.addressSpaceLimitBytes)}`;
  return layer.id === 'bubblewrap' || layer.id === 'node-permissions' ? layer.name : layer.name.toLowerCase();
}

/**
 * The level's word and the rest of one line: "Strong: bubblewrap, Node permissions, …, memory limit 16 GiB", "Partial: bubblewrap, … —
 * no memory limit", or "Weak: no bubblewrap — network and files are reachable by model code".
 */
export function sandboxSummary(sandbox: SandboxReport): { level: SandboxLevel; word: string; detail: string } {
  const layers = sandboxLayers(sandbox);
  const level = sandboxLevel(layers);
  const word = levelWords[level];
  if (level === 'weak') return { level, word, detail: 'no bubblewrap — network and files are reachable by model code' };
  const on = layers.filter((layer) => layer.on).map((layer) => summaryName(layer, sandbox));
  const off = layers.filter((layer) => !layer.on).map((layer) => `no ${summaryName(layer, sandbox)}`);
  return { level, word, detail: `${on.join(', ')}${off.length > 0 ? ` — ${off.join(', ')}` : ''}` };
}
