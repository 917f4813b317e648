/**
 * The header's login box: username and password, then who is logged in with the Audit
 * and Log out buttons. Shown only when the gateway has pump or alarm control. The password field
 * is cleared after every attempt; the token stays in memory (StationApiClient).
 */
import type { StationApiClient } from './api-client.js';
import { button, el, input, setText } from './dom.js';

export interface LoginBoxOptions {
  /** Called after login, logout or a session ending, so the page re-renders. */
  onSessionChange(): void;
  openAudit(): void;
}

const ROLE_LABELS: Record<string, string> = { nurse: 'Nurse', physician: 'Physician', admin: 'Admin' };

export class LoginBox {
  private readonly form: HTMLFormElement;
  private readonly username: HTMLInputElement;
  private readonly password: HTMLInputElement;
  private readonly submit: HTMLButtonElement;
  private readonly error: HTMLElement;
  private readonly who: HTMLElement;
  private readonly whoName: HTMLElement;
  private readonly auditButton: HTMLButtonElement;
  private busy = false;

  constructor(private readonly root: HTMLElement, private readonly api: StationApiClient, private readonly options: LoginBoxOptions) {
    this.form = el('form', 'login-form', 'login-form');
    this.username = input('text', 'login-username', 'username');
    this.username.placeholder = 'Username';
    this.username.setAttribute('aria-label', 'Username');
    this.password = input('password', 'login-password', 'current-password');
    this.password.placeholder = 'Password';
    this.password.setAttribute('aria-label', 'Password');
    this.submit = el('button', 'btn btn-primary', 'login-submit');
    this.submit.type = 'submit';
    this.submit.textContent = 'Log in';
    this.error = el('span', 'login-error', 'login-error');
    this.error.setAttribute('role', 'alert');
    this.form.append(this.username, this.password, this.submit, this.error);
    this.form.addEventListener('submit', (event) => {
      event.preventDefault();
      void this.login();
    });

    this.who = el('div', 'login-who', 'login-who');
    this.whoName = el('span', 'login-name', 'login-name');
    this.auditButton = button('Audit log', 'btn', 'open-audit', () => options.openAudit());
    this.who.append(this.whoName, this.auditButton, button('Log out', 'btn', 'logout', () => void this.logout()));
    root.append(this.form, this.who);
  }

  /**
   * Shows the form or the logged-in user; hides everything when the gateway offers
   * nothing to log in for (no pump control, no alarm control). The audit view comes with
   * pump control.
   */
  render(loginOffered: boolean, auditOffered = loginOffered): void {
    this.root.hidden = !loginOffered;
    this.auditButton.hidden = !auditOffered;
    const user = this.api.user;
    this.form.hidden = user !== null;
    this.who.hidden = user === null;
    if (user) setText(this.whoName, `${user.displayName} · ${ROLE_LABELS[user.role] ?? user.role}`);
    this.submit.disabled = this.busy;
  }

  /** Shows why the session ended (e.g. it expired). */
  sessionEnded(message: string): void {
    setText(this.error, `${message} Log in again.`);
  }

  private async login(): Promise<void> {
    const username = this.username.value.trim();
    const password = this.password.value;
    if (username === '' || password === '') {
      setText(this.error, 'Enter your username and password.');
      return;
    }
    this.busy = true;
    this.submit.disabled = true;
    setText(this.error, '');
    const result = await this.api.login(username, password);
    this.password.value = '';
    this.busy = false;
    if (result.ok) this.username.value = '';
    else setText(this.error, result.error.message);
    this.options.onSessionChange();
  }

  private async logout(): Promise<void> {
    await this.api.logout();
    setText(this.error, '');
    this.options.onSessionChange();
  }
}
