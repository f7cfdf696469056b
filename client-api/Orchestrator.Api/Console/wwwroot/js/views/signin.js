import { signIn } from '../api.js';
import { h } from '../dom.js';

export function renderSignIn(main, { signedIn }) {
  const error = h('p', { id: 'signin-error', class: 'error', role: 'alert' });
  const token = h('input', { id: 'token', name: 'token', type: 'password', autocomplete: 'off', required: true, 'aria-describedby': 'token-help signin-error' });
  const form = h('form', {
    class: 'signin',
    async onsubmit(e) {
      e.preventDefault();
      error.textContent = '';
      try {
        const me = await signIn(token.value.trim());
        token.value = '';
        signedIn(me);
      } catch (err) {
        error.textContent = err.message;
        token.focus();
      }
    },
  },
  h('h1', {}, 'Sign in to Orchestrator'),
  h('p', {}, h('label', { for: 'token' }, 'API token')),
  token,
  h('p', { id: 'token-help', class: 'muted' },
    'Paste an API token (orch_<id>_<secret>), the admin token, or a JWT if the server accepts them. ',
    'It is kept in an HttpOnly session cookie of this site only, and checked on every request.'),
  h('button', { type: 'submit', class: 'primary' }, 'Sign in'),
  error);
  main.replaceChildren(form);
  token.focus();
}
