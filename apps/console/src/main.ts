import { announce, field, h, render, values } from './dom';
import { currentSession, describe, isStaff, signIn, signOut, signUp } from './api';
import { leave } from './live';
import { auditPage, salePage, salesPage } from './operator';
import { payPage, resultPage, shopPage, shopSalePage, soldOutPage } from './shopper';

/** Where a signed-in person starts: operators at their sales, shoppers at the shop. */
const home = () => (isStaff(currentSession()) ? '#/ops' : '#/shop');

function signInPage(): void {
  const form = (id: string, title: string, submit: string, run: (email: string, password: string, error: HTMLElement) => Promise<void>, hint?: string) => {
    const error = h('p', { class: 'error', role: 'alert' });
    const f = h(
      'form',
      { 'aria-labelledby': `${id}-heading` },
      field('Email', h('input', { id: `${id}-email`, name: 'email', type: 'email', autocomplete: 'email', required: true })),
      field('Password', h('input', { id: `${id}-password`, name: 'password', type: 'password', autocomplete: id === 'signin' ? 'current-password' : 'new-password', required: true, minlength: id === 'signin' ? 1 : 10 }), hint),
      h('button', { type: 'submit' }, submit),
      error,
    );
    f.addEventListener('submit', (e) => {
      e.preventDefault();
      const v = values(f);
      error.textContent = '';
      run(v.email ?? '', v.password ?? '', error).catch((err: unknown) => (error.textContent = describe(err)));
    });
    return h('section', {}, h('h2', { id: `${id}-heading` }, title), f);
  };
  const enter = async (email: string, password: string, error: HTMLElement) => {
    await signIn(email, password, () => (error.textContent = 'This account is being guessed at: proving this browser is not a script, a few seconds…'));
    announce('Signed in');
    go(home());
  };
  render(
    'Sign in',
    h(
      'div',
      { class: 'split' },
      form('signin', 'Sign in', 'Sign in', enter),
      form('signup', 'New here? Sign up', 'Sign up', async (email, password, error) => {
        await signUp(email, password);
        await enter(email, password, error);
      }, 'At least 10 characters, letters mixed with digits or symbols'),
    ),
  );
}

function nav(): void {
  const session = currentSession();
  const links: Node[] = [];
  const link = (href: string, text: string) => links.push(h('a', { href }, text));
  if (!session) link('#/', 'Sign in');
  if (isStaff(session)) {
    link('#/ops', 'Sales');
    link('#/ops/audit', 'Audit log');
  }
  if (session) {
    link('#/shop', 'Shop');
    links.push(
      h('button', {
        type: 'button',
        class: 'link',
        onclick: () => {
          // signOut forgets the session in this page whatever the server answers.
          void signOut()
            .then(() => announce('Signed out'))
            .catch((err: unknown) => announce(`Signed out here; the server said: ${describe(err)}`))
            .finally(() => go('#/'));
        },
      }, 'Sign out'),
    );
  }
  (document.getElementById('nav') as HTMLElement).replaceChildren(...links);
}

/** Goes to a page, also when the address already names it (sign-in shows at any address). */
function go(hash: string): void {
  if (location.hash === hash) route();
  else location.hash = hash;
}

/** Hash routes: the gateway serves one page, so a reload or a shared link lands where it was. */
function route(): void {
  leave();
  nav();
  const path = location.hash.replace(/^#/, '') || '/';
  const session = currentSession();
  if (!session) return signInPage();
  const parts = path.split('/').filter(Boolean);
  // #/ops/sale/<id>, #/ops/audit/<saleId>, #/shop/sale/<id>/<step>
  const [area, kind, id, step] = parts;
  if (area === 'ops' && kind === 'audit') return void auditPage(id);
  if (area === 'ops' && kind === 'sale' && id) return void salePage(id);
  if (area === 'ops') return void salesPage();
  if (area === 'shop' && kind === 'sale' && id) {
    if (step === 'pay') return payPage(id);
    if (step === 'result') return resultPage(id);
    if (step === 'sold-out') return soldOutPage(id);
    return void shopSalePage(id);
  }
  if (area === 'shop') return void shopPage();
  go(home());
}

window.addEventListener('hashchange', route);
route();
