import { useEffect, useRef, type ReactNode } from 'react';

const EDITABLE = 'input:not([type=hidden]):not([readonly]):not([disabled]), textarea:not([readonly]):not([disabled]), select:not([disabled])';

/**
 * A modal built on <dialog>: the browser traps focus and closes it on Escape. `onClose` runs however
 * it is dismissed. On opening, focus goes to the field marked `data-autofocus`, else the first field
 * that can be typed in (showModal alone would pick the first focusable element, a read-only Key
 * included); on closing, back to whatever opened it.
 */
export function Dialog(props: { title: string; onClose: () => void; children: ReactNode; footer?: ReactNode; width?: 'narrow' | 'wide' }) {
  const ref = useRef<HTMLDialogElement>(null);
  const { onClose } = props;
  useEffect(() => {
    const dialog = ref.current;
    if (dialog === null) return;
    const opener = document.activeElement instanceof HTMLElement && document.activeElement !== document.body ? document.activeElement : undefined;
    if (!dialog.open) dialog.showModal();
    (dialog.querySelector<HTMLElement>('[data-autofocus]') ?? dialog.querySelector<HTMLElement>(EDITABLE))?.focus();
    return () => {
      if (opener?.isConnected === true) opener.focus();
    };
  }, []);
  useEffect(() => {
    const dialog = ref.current;
    if (dialog === null) return;
    const cancel = (event: Event) => {
      event.preventDefault();
      onClose();
    };
    dialog.addEventListener('cancel', cancel);
    return () => dialog.removeEventListener('cancel', cancel);
  }, [onClose]);
  return (
    <dialog ref={ref} className={`dialog dialog-${props.width ?? 'narrow'}`} aria-label={props.title}>
      <header className="dialog-header">
        <h2>{props.title}</h2>
      </header>
      <div className="dialog-body">{props.children}</div>
      {props.footer === undefined ? null : <footer className="dialog-footer">{props.footer}</footer>}
    </dialog>
  );
}

/**
 * The footer of a dialog that writes once and then shows what happened: Cancel and the dialog's own
 * action buttons before, a single Done after. `onDone(changed)` tells the opener whether to reload.
 */
export function WriteOnceFooter(props: { finished: boolean; onDone: (changed: boolean) => void; children: ReactNode; finishedStart?: ReactNode }) {
  if (props.finished) {
    return (
      <>
        {props.finishedStart}
        <span className="spacer" />
        <button type="button" className="btn btn-primary" onClick={() => props.onDone(true)}>
          Done
        </button>
      </>
    );
  }
  return (
    <>
      <button type="button" className="btn" onClick={() => props.onDone(false)}>
        Cancel
      </button>
      {props.children}
    </>
  );
}
