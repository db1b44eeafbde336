/** The sign-in page and error pages. */
import { esc, layout, type PageUser } from '../dashboards/index.ts';
import { ROLES, type Role } from '../dashboards/schema.ts';

export interface LoginPageOptions {
  next: string;
  error?: string | undefined;
  passwords: boolean;
  demo?: { managers: Array<{ id: string; name: string; team: string | null }>; supervisors: Array<{ id: string; name: string; team: string | null }> } | undefined;
}

const ROLE_TEXT: Record<Role, string> = {
  admin: 'everything, including personal data (audited)',
  evaluator: 'outcomes and de-identified record-level data',
  funder: 'aggregate, suppressed results only',
  manager: 'your own caseload',
  supervisor: "your team's cases and notes",
};

export function loginPage(o: LoginPageOptions): string {
  const passwordForm = o.passwords
    ? `<form method="post" action="/login">
<input type="hidden" name="mode" value="password"><input type="hidden" name="next" value="${esc(o.next)}">
<label>User name <input name="name" autocomplete="username" required autofocus></label>
<label>Password <input name="password" type="password" autocomplete="current-password" required></label>
<button type="submit">Sign in</button>
</form>`
    : '';
  const staffOptions = (list: Array<{ id: string; name: string; team: string | null }>) =>
    list.map((s) => `<option value="${esc(s.id)}">${esc(s.name)}${s.team ? ` — ${esc(s.team)}` : ''}</option>`).join('');
  const demoForm = o.demo
    ? `<form method="post" action="/login" id="demo-login">
<input type="hidden" name="mode" value="demo"><input type="hidden" name="next" value="${esc(o.next)}">
<fieldset><legend>Demo sign-in (this computer only)</legend>
${ROLES.map((r, i) => `<label class="radio"><span><input type="radio" name="role" value="${r}"${i === 0 ? ' checked' : ''}> <strong>${r}</strong> — ${esc(ROLE_TEXT[r])}</span></label>`).join('\n')}
<label>Case manager (for the manager role) <select name="manager">${staffOptions(o.demo.managers)}</select></label>
<label>Supervisor (for the supervisor role) <select name="supervisor">${staffOptions(o.demo.supervisors)}</select></label>
<button type="submit">Sign in as this role</button>
</fieldset>
</form>`
    : '';
  const body = `<div class="login">
<h1>Sign in to caselens</h1>
${o.error ? `<p class="error" role="alert">${esc(o.error)}</p>` : ''}
${passwordForm}
${passwordForm && demoForm ? '<hr>' : ''}
${demoForm}
${!passwordForm && !demoForm ? '<p>No way to sign in is configured: add users with <code>caselens user add</code>.</p>' : ''}
</div>`;
  return layout({ title: 'Sign in', body, bodyClass: 'login-page' });
}

export function errorPage(status: number, message: string, user?: PageUser, nav?: Array<{ id: string; title: string; href: string }>): string {
  const title = status === 403 ? 'Not available for your role' : status === 404 ? 'Not found' : status === 400 ? 'Invalid request' : 'Something went wrong';
  return layout({ title, user, nav: nav ?? [], body: `<h1>${esc(title)}</h1><p class="error" data-status="${status}">${esc(message)}</p><p><a href="/">Back to the dashboards</a></p>` });
}

/** GET /logout: a button, since signing out is a POST (a link or an image on another site cannot sign anyone out). */
export function signOutPage(signedIn: boolean): string {
  const body = signedIn
    ? `<div class="login"><h1>Sign out</h1><form method="post" action="/logout"><button type="submit">Sign out</button></form></div>`
    : `<div class="login"><h1>Signed out</h1><p><a href="/login">Sign in</a></p></div>`;
  return layout({ title: 'Sign out', body, bodyClass: 'login-page' });
}
