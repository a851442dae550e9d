/**
 * fake-nvidia-smi: a scripted stand-in for NVIDIA's tool, because this machine has no NVIDIA GPU. It is a
 * real executable named `nvidia-smi` in a temp bin folder; it answers device detection's queries and the
 * telemetry queries from files beside it, which a test switches (atomically) to script a card going
 * idle → busy → hot, or a game starting. A delay file makes it slow.
 */
import { chmod, copyFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));

const SCRIPT = `#!/bin/sh
# fake-nvidia-smi (Hearth tests): answers from the files beside it.
here=$(dirname "$0")
if [ -s "$here/delay" ]; then sleep "$(cat "$here/delay")"; fi
case "$1" in
  --query-compute-apps=*) exec cat "$here/apps.csv" ;;
  --query-gpu=index,uuid,utilization.gpu,*) exec cat "$here/gpu.csv" ;;
  --query-gpu=*) exec cat "$here/detect.csv" ;;
  "") exec cat "$here/banner.txt" ;;
esac
echo "fake-nvidia-smi: unexpected arguments: $*" >&2
exit 2
`;

/** Installs the fake as `<binDir>/nvidia-smi`, answering with the idle RTX 4090 and no processes. */
export async function installFakeNvidiaSmi(binDir: string): Promise<void> {
  await copyFile(join(FIXTURES, 'detect-rtx-4090.csv'), join(binDir, 'detect.csv'));
  await copyFile(join(FIXTURES, 'banner-rtx-4090.txt'), join(binDir, 'banner.txt'));
  await setFakeNvidiaSmi(binDir, { gpu: 'rtx-4090-idle.csv', apps: 'apps-none.csv' });
  await writeFile(join(binDir, 'nvidia-smi'), SCRIPT);
  await chmod(join(binDir, 'nvidia-smi'), 0o755);
}

/** Switches what the fake prints for the telemetry queries (fixture names, or the process list's text), and how long it stalls first. */
export async function setFakeNvidiaSmi(binDir: string, answer: { gpu: string; apps: string | { text: string }; delaySeconds?: number }): Promise<void> {
  await copyFile(join(FIXTURES, answer.gpu), join(binDir, 'gpu.csv.next'));
  await rename(join(binDir, 'gpu.csv.next'), join(binDir, 'gpu.csv'));
  if (typeof answer.apps === 'string') await copyFile(join(FIXTURES, answer.apps), join(binDir, 'apps.csv.next'));
  else await writeFile(join(binDir, 'apps.csv.next'), answer.apps.text);
  await rename(join(binDir, 'apps.csv.next'), join(binDir, 'apps.csv'));
  await writeFile(join(binDir, 'delay.next'), answer.delaySeconds === undefined ? '' : String(answer.delaySeconds));
  await rename(join(binDir, 'delay.next'), join(binDir, 'delay'));
}
