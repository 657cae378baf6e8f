import { useState } from 'react';
import { Dialog } from './Dialog';
import { useConfirm } from './confirm.store';

export function ConfirmHost() {
  const request = useConfirm((state) => state.request);
  const answer = useConfirm((state) => state.answer);
  if (request === undefined) return null;
  return <ConfirmDialog key={`${request.title}|${request.body}`} answer={answer} request={request} />;
}

function ConfirmDialog({ request, answer }: { request: NonNullable<ReturnType<typeof useConfirm.getState>['request']>; answer: (yes: boolean) => void }) {
  const [typed, setTyped] = useState('');
  const ready = request.typeToConfirm === undefined || typed === request.typeToConfirm;
  return (
    <Dialog
      title={request.title}
      onClose={() => answer(false)}
      footer={
        <>
          <button type="button" className="btn" onClick={() => answer(false)}>
            Cancel
          </button>
          <button
            type="button"
            className={`btn ${request.tone === 'danger' ? 'btn-danger' : 'btn-primary'}`}
            disabled={!ready}
            onClick={() => answer(true)}
          >
            {request.confirmLabel}
          </button>
        </>
      }
    >
      <p>{request.body}</p>
      {request.typeToConfirm === undefined ? null : (
        <label className="field">
          <span>
            Type <code>{request.typeToConfirm}</code> to confirm
          </span>
          <input
            data-autofocus
            value={typed}
            onChange={(event) => setTyped(event.target.value)}
            onKeyDown={(event) => {
              if (event.key === 'Enter' && ready) answer(true);
            }}
            aria-label="Confirmation"
            spellCheck={false}
            autoComplete="off"
          />
        </label>
      )}
    </Dialog>
  );
}
