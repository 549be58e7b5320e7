// Saving a form's record: into the outbox (sent at once when online), the confirmation carried to the next
// screen, a refusal kept beside the form so that the next save corrects the same write.
import { useState } from 'preact/hooks';
import { correct, listOutbox, sentAnswer } from './outbox.js';
import { flash, syncNow, useAppState, write } from './state.js';

/**
 * What a refused write queued from this form held, to correct it (`?fix=<entry id>` from the outbox):
 * the form's own state as it was saved, or null for a new record.
 */
export function useRestored(fix) {
  const app = useAppState();
  const entry = fix ? app.outbox.find((e) => e.id === fix) : null;
  return entry && entry.summary.form ? entry.summary.form.state : null;
}

/**
 * Save through the outbox; on a refusal keep the entry (visible in the outbox too) and let the next save
 * correct it instead of queueing a second write. The form's state goes with the entry, so the outbox can
 * bring the person back to this form to correct it later.
 */
export function useSave(fix) {
  const [outcome, setOutcome] = useState(null);
  const [busy, setBusy] = useState(false);
  const [fixId, setFixId] = useState(fix || null);
  const save = async (request, { onSaved, state } = {}) => {
    setBusy(true);
    try {
      const summary = { ...request.summary, form: { route: location.hash.split('?')[0], state } };
      let result;
      if (fixId) {
        await correct(fixId, request.body, summary);
        await syncNow(true);
        const still = (await listOutbox()).find((e) => e.id === fixId);
        const answer = await sentAnswer(fixId);
        result = answer !== undefined ? { answer, entry: { id: fixId, summary } } : still && still.state === 'refused' ? { refused: still.problem, entry: still } : { queued: true, entry: still || { id: fixId, summary } };
      } else result = await write({ ...request, summary });
      if (result.refused) {
        setOutcome(result);
        setFixId(result.entry.id);
      } else {
        // Confirmed on the next screen, where the person goes at once.
        setFixId(null);
        flash(result.queued ? 'queued' : 'saved');
        if (onSaved) onSaved(result);
        else setOutcome(result);
      }
    } finally {
      setBusy(false);
    }
  };
  return { outcome, busy, save };
}

