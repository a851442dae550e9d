/** The sandbox around a worker: a one-line verdict, then each layer with a check or a cross. */
import type { WorkerStatus } from '../../common/api.js';
import { sandboxLayers, sandboxSummary } from '../sandbox-level.js';
import { CheckMark } from './check-mark.js';

/** The summary and the layers, or a sentence when the worker has not reported its sandbox yet. */
export function SandboxLayers({ sandbox }: { sandbox: WorkerStatus['sandbox'] }) {
  if (sandbox === null) {
    return (
      <p className="muted small" data-testid="sandbox-summary">
        Shown once the worker process has started.
      </p>
    );
  }
  const summary = sandboxSummary(sandbox);
  return (
    <>
      <p className={`sandbox-summary level-${summary.level}`} data-testid="sandbox-summary" data-level={summary.level}>
        <strong>{summary.word}:</strong> {summary.detail}
      </p>
      <ul className="layer-list">
        {sandboxLayers(sandbox).map((layer) => (
          <li key={layer.id} className="layer" data-testid={`sandbox-layer-${layer.id}`} data-on={layer.on}>
            <CheckMark on={layer.on} />
            <span className="layer-name">{layer.name}</span>
            <span className="layer-detail">{layer.detail}</span>
          </li>
        ))}
      </ul>
    </>
  );
}
