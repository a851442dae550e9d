/** The Settings page's inputs: a labelled field with its unit, range and default, and the provider's error beside it. */
import type { ReactNode } from 'react';
import { fieldMessage } from '../settings-draft.js';

/** A labelled setting: the input, a line with its range and default, and the error that names it. */
export function Field({ id, label, hint, error, children }: { id: string; label: string; hint: string; error: string | undefined; children: ReactNode }) {
  return (
    <div className={`field${error === undefined ? '' : ' field-invalid'}`} data-testid={`field-${id}`}>
      <label htmlFor={id}>{label}</label>
      <div className="field-input">{children}</div>
      <p className="field-hint" id={`${id}-hint`}>
        {hint}
      </p>
      {error !== undefined && (
        <p className="field-error" role="alert" data-testid={`error-${id}`}>
          {fieldMessage(error)}
        </p>
      )}
    </div>
  );
}

/** A number typed as text (so an out-of-range value reaches the provider and its message), with its unit. */
export function NumberInput({ id, value, unit, onChange, disabled }: { id: string; value: string; unit: string; onChange: (text: string) => void; disabled?: boolean }) {
  return (
    <>
      <input id={id} type="text" inputMode="decimal" className="number-input" value={value} disabled={disabled} aria-describedby={`${id}-hint`} onChange={(e) => onChange(e.target.value)} />
      <span className="unit">{unit}</span>
    </>
  );
}

/** An on/off setting as a checkbox with its label. */
export function Toggle({ id, label, checked, onChange }: { id: string; label: string; checked: boolean; onChange: (on: boolean) => void }) {
  return (
    <label className="toggle" htmlFor={id}>
      <input id={id} type="checkbox" checked={checked} onChange={(e) => onChange(e.target.checked)} /> {label}
    </label>
  );
}
