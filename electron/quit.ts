/** How long shutdown may take before the app quits anyway. */
export const SHUTDOWN_DEADLINE_MS = 10_000;

/**
 * A `before-quit` listener that holds the quit until `shutdown` has finished (or `deadlineMs` has
 * passed), then quits again for real. Quit requests that arrive meanwhile are held too.
 */
export function createBeforeQuitHandler(
  shutdown: () => Promise<void>,
  quit: () => void,
  onError: (err: unknown) => void,
  deadlineMs: number = SHUTDOWN_DEADLINE_MS,
): (event: { preventDefault(): void }) => void {
  let phase: 'running' | 'stopping' | 'stopped' = 'running';
  return (event) => {
    if (phase === 'stopped') return;
    event.preventDefault();
    if (phase === 'stopping') return;
    phase = 'stopping';
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        onError(new Error(`Shutdown took longer than ${deadlineMs} ms; quitting anyway.`));
        resolve();
      }, deadlineMs);
    });
    const stopped = Promise.resolve()
      .then(shutdown)
      .catch((err: unknown) => onError(err));
    void Promise.race([stopped, deadline]).then(() => {
      clearTimeout(timer);
      phase = 'stopped';
      quit();
    });
  };
}
