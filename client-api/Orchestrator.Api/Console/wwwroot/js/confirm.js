// Every action asks first, in a modal dialog (keyboard: Tab between the fields, Escape cancels).

/**
 * Resolves to { reason } when confirmed (reason '' when none was asked or given), null when cancelled.
 * options: { title, message, confirm: button text, reason: 'none' | 'optional' | 'required' }
 */
export function confirmAction({ title, message, confirm = 'Confirm', reason = 'none' }) {
  const dialog = document.getElementById('confirm');
  const form = document.getElementById('confirm-form');
  const field = document.getElementById('confirm-reason');
  document.getElementById('confirm-title').textContent = title;
  document.getElementById('confirm-message').textContent = message;
  document.getElementById('confirm-ok').textContent = confirm;
  document.getElementById('confirm-reason-row').hidden = reason === 'none';
  field.value = '';
  field.required = reason === 'required';
  const opener = document.activeElement;
  return new Promise((resolve) => {
    dialog.addEventListener('close', () => {
      const ok = dialog.returnValue === 'ok';
      dialog.returnValue = '';
      if (opener && document.contains(opener)) opener.focus();
      resolve(ok ? { reason: field.value.trim() } : null);
    }, { once: true });
    form.onsubmit = (e) => {
      if (e.submitter && e.submitter.value === 'ok' && !form.reportValidity()) e.preventDefault();
    };
    dialog.showModal();
    (reason === 'none' ? document.getElementById('confirm-ok') : field).focus();
  });
}
