/**
 * The worker's whole environment: an allowlist, never a copy of the provider's. Node adds its own
 * NODE_CHANNEL_* variables for the IPC channel; nothing else from the parent reaches the worker.
 */

const LANG_PATTERN = /^[A-Za-z0-9_.@-]{1,64}$/;

/** The environment a worker starts with; HOME and the temp folder are its private folder. */
export function workerEnv(privateDir: string, parent: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): Record<string, string> {
  const lang = parent.LANG !== undefined && LANG_PATTERN.test(parent.LANG) ? parent.LANG : 'C.UTF-8';
  const env: Record<string, string> = {
    // onnxruntime uploads telemetry on Linux and keeps a device id under $HOME/.cache unless told not to.
    ORT_DISABLE_TELEMETRY: '1',
    HOME: privateDir,
    TMPDIR: privateDir,
    LANG: lang,
    PATH: '/usr/bin:/bin',
  };
  if (platform === 'win32') {
    const systemRoot = parent.SystemRoot ?? parent.SYSTEMROOT ?? 'C:\\Windows';
    env.SystemRoot = systemRoot;
    env.PATH = `${systemRoot}\\System32`;
    env.TEMP = privateDir;
    env.TMP = privateDir;
    env.USERPROFILE = privateDir;
  }
  return env;
}
