import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { call, expectStatus, login, type Session } from '@stampede/devkit';
import { startTestPlatform, type TestPlatform } from '../../../test/support/platform';
import { buildConsole } from '../build';

const ROOT = resolve(__dirname, '..', '..', '..');
const SHOTS = join(ROOT, '.stampede', 'artefacts', 'browser');
/** Debian's Chromium (scripts/install-system-deps.sh): Playwright never downloads a browser. */
const CHROMIUM = process.env.STAMPEDE_CHROMIUM ?? '/usr/bin/chromium';
const PAY_CARD = '4330000000000000';
const DECLINED_CARD = '4000000000000000';

/**
 * The console in a real browser against every service as a real process: an operator creates and
 * arms a sale; three shoppers try for its two seats, two pay, the third is told it sold out; the
 * operator's live view follows. Screenshots of each step go to .stampede/artefacts/browser/.
 */
describe('the web console in Chromium', () => {
  let platform: TestPlatform;
  let browser: Browser;
  let gw: string;
  const contexts: BrowserContext[] = [];
  /** Content Security Policy violations and uncaught errors of every page. */
  const problems: string[] = [];
  const adminEmail = `admin-${randomBytes(4).toString('hex')}@stampede.test`;
  const adminPassword = `Admin-${randomBytes(12).toString('base64url')}7`;
  const password = `Pw-${randomBytes(9).toString('base64url')}9`;
  let operatorEmail: string;

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM}: run scripts/install-system-deps.sh (as root)`);
    mkdirSync(SHOTS, { recursive: true });
    await buildConsole();
    platform = await startTestPlatform({
      replicas: { entry: 1, payment: 1 },
      shift: 200,
      // An account with three wrong passwords asks for a proof of work (small here: the browser pays it in WebCrypto).
      env: { ADMIN_EMAIL: adminEmail, ADMIN_PASSWORD: adminPassword, LOGIN_PROOF_AFTER_ACCOUNT_FAILURES: '3', LOGIN_PROOF_BITS: '12' },
    });
    gw = platform.gateway;
    // The operator's account: made and promoted through the API (the console has no admin pages);
    // AUDITOR as well, to read the audit log.
    const admin: Session = await login(gw, adminEmail, adminPassword);
    operatorEmail = `operator-${randomBytes(4).toString('hex')}@stampede.test`;
    expectStatus('sign up operator', await call('POST', `${gw}/users`, { body: { email: operatorEmail, password } }), 201);
    const op = await login(gw, operatorEmail, password);
    expectStatus('promote', await call('PUT', `${gw}/users/${op.userId}/roles`, { token: admin.accessToken, body: { roles: ['USER', 'OPERATOR', 'AUDITOR'] } }), 200);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  }, 180_000);

  /** A failed step leaves what every page showed, for whoever reads the artefacts. */
  async function keepingPages(run: () => Promise<void>): Promise<void> {
    try {
      await run();
    } catch (e) {
      let n = 0;
      for (const c of contexts) for (const p of c.pages()) await p.screenshot({ path: join(SHOTS, `failed-page-${++n}.png`), fullPage: true }).catch(() => undefined);
      throw e;
    }
  }

  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => undefined);
    await browser?.close();
    await platform?.stop();
  });

  async function newPage(viewport = { width: 1100, height: 900 }): Promise<Page> {
    const context = await browser.newContext({ viewport });
    contexts.push(context);
    const page = await context.newPage();
    page.on('console', (m) => {
      if (m.type() === 'error' && /Content Security Policy/i.test(m.text())) problems.push(m.text());
    });
    page.on('pageerror', (e) => problems.push(e.message));
    await page.goto(`${gw}/console/`);
    return page;
  }
  const shot = (page: Page, name: string) => page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
  const metric = (page: Page, key: string) => page.locator(`[data-metric="${key}"]`);
  /** Inputs and selects that no label names (a screen reader would read them as nothing). */
  const unlabelled = (page: Page) => page.evaluate('[...document.querySelectorAll("input, select")].filter((e) => e.labels.length === 0).map((e) => e.name)');
  /** Whether the page is wider than the screen (a phone would scroll sideways). */
  const overflows = (page: Page) => page.evaluate('document.documentElement.scrollWidth > window.innerWidth');

  async function signIn(page: Page, email: string) {
    await page.getByLabel('Email').first().fill(email);
    await page.getByLabel('Password').first().fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
  }

  async function signUp(page: Page, tag: string) {
    const form = page.locator('form[aria-labelledby="signup-heading"]');
    await form.getByLabel('Email').fill(`${tag}-${randomBytes(4).toString('hex')}@stampede.test`);
    await form.getByLabel('Password').fill(password);
    await form.getByRole('button', { name: 'Sign up' }).click();
    await page.getByRole('heading', { name: 'Sales', level: 1 }).waitFor();
  }

  it('an operator arms a sale; of three shoppers two pay and one sees sold out; the live view follows', () => keepingPages(async () => {
    // The operator signs in and creates a sale of two seats, then schedules, opens and arms it.
    const ops = await newPage();
    await ops.getByRole('heading', { name: 'Sign in', level: 1 }).waitFor();
    await shot(ops, '01-sign-in');
    await signIn(ops, operatorEmail);
    await ops.getByRole('heading', { name: 'Create a sale' }).waitFor();
    expect(await unlabelled(ops)).toEqual([]);
    await ops.getByLabel('Sale name').fill('Browser test concert');
    await ops.getByLabel('Seats', { exact: true }).fill('2');
    await ops.getByLabel('Price (KRW)').fill('55000');
    // No margin: never more shoppers admitted-but-unserved than seats left, so the third waits.
    await ops.getByLabel('Margin').fill('0');
    await ops.getByRole('button', { name: 'Create sale' }).click();
    await ops.locator('[data-sale-status="DRAFT"]').waitFor();
    const saleId = (ops.url().match(/#\/ops\/sale\/(.+)$/) as RegExpMatchArray)[1] as string;
    await ops.getByRole('button', { name: 'Schedule', exact: true }).click();
    await ops.locator('[data-sale-status="SCHEDULED"]').waitFor();
    await ops.getByRole('button', { name: 'Arm', exact: true }).click();
    await ops.getByText('· armed').waitFor();
    await ops.getByRole('button', { name: 'Open', exact: true }).click();
    await ops.locator('[data-sale-status="OPEN"]').waitFor();
    // The live view streams the sale's counters (GET /sales/:id/live/ops).
    await ops.getByText('Live: updated about once a second.').waitFor();
    await metric(ops, 'available').getByText('2', { exact: true }).waitFor();
    expect(await metric(ops, 'sold').textContent()).toBe('0');
    expect(await metric(ops, 'paymentsConfirmed').textContent()).toBe('0');
    await shot(ops, '02-operator-armed-live-before');

    // Three shoppers sign up and join the queue one after another (arrival order is theirs).
    const shoppers = [await newPage(), await newPage(), await newPage({ width: 390, height: 844 })];
    for (const [i, page] of shoppers.entries()) {
      await signUp(page, `shopper${i + 1}`);
      await page.goto(`${gw}/console/#/shop/sale/${saleId}`);
      await page.getByRole('button', { name: 'Join the queue' }).click();
      await page.getByText('It is your turn.').or(page.getByText('Your place in the queue')).waitFor();
    }
    // The room admits the first two (two seats, no margin); the third waits, watching its place.
    const [first, second, third] = shoppers as [Page, Page, Page];
    for (const page of [first, second]) await page.getByRole('button', { name: 'Enter the sale' }).waitFor();
    await third.getByText('Your place in the queue').waitFor();
    expect(await third.locator('[data-queue-position]').textContent()).toMatch(/^[1-9]\d*$/);
    expect(await overflows(third)).toBe(false);
    await shot(third, '03-shopper-waiting-phone');
    await metric(ops, 'queueLength').getByText('1', { exact: true }).waitFor();
    expect(Number(await metric(ops, 'admitted').textContent())).toBe(2);
    await shot(ops, '04-operator-live-queue');

    for (const [i, page] of [first, second].entries()) {
      await page.getByRole('button', { name: 'Enter the sale' }).click();
      await page.getByRole('heading', { name: 'Pay', level: 1 }).waitFor();
      expect(await unlabelled(page)).toEqual([]);
      if (i === 0) {
        // A declined card first: told why, the seat still held, another card pays.
        await page.getByLabel('Test card').selectOption(DECLINED_CARD);
        await page.getByRole('button', { name: 'Pay' }).click();
        await page.getByRole('alert').getByText('PAYMENT_FAILED').waitFor();
        await shot(page, '05-shopper-pay-declined');
      }
      await page.getByLabel('Test card').selectOption(PAY_CARD);
      await page.getByRole('button', { name: 'Pay' }).click();
      await page.getByRole('heading', { name: 'Payment confirmed', level: 1 }).waitFor();
      await page.getByText('55,000 KRW').waitFor();
      if (i === 0) await shot(page, '06-shopper-result');
    }

    // The third is told by the push that the seats are gone, without asking again.
    await third.getByRole('heading', { name: 'Sold out', level: 1 }).waitFor();
    expect(await overflows(third)).toBe(false);
    await shot(third, '07-shopper-sold-out-phone');

    // The operator's live view: no seat left, two sold (orders recorded from Kafka).
    await metric(ops, 'available').getByText('0', { exact: true }).waitFor({ timeout: 30_000 });
    await metric(ops, 'sold').getByText('2', { exact: true }).waitFor({ timeout: 30_000 });
    await metric(ops, 'paymentsConfirmed').getByText('2', { exact: true }).waitFor({ timeout: 30_000 });
    await shot(ops, '08-operator-live-after');

    // Pause, resume and close it.
    for (const [button, status] of [['Pause', 'PAUSED'], ['Resume', 'OPEN'], ['Close', 'CLOSED']] as const) {
      await ops.getByRole('button', { name: button, exact: true }).click();
      await ops.locator(`[data-sale-status="${status}"]`).waitFor();
    }
    expect(await ops.getByRole('group', { name: 'Sale actions' }).getByRole('button').count()).toBe(0);

    // The sale's audit log holds the operator's actions on it, and nothing of other sales.
    await ops.getByRole('link', { name: 'This sale\'s audit log' }).click();
    await ops.getByRole('cell', { name: `sale ${saleId}` }).first().waitFor();
    // create, arm, five transitions (schedule, open, pause, resume, close)
    expect(await ops.getByRole('cell', { name: `sale ${saleId}` }).count()).toBe(7);
    expect(await ops.getByRole('cell', { name: /^sale / }).count()).toBe(7);
    expect(await ops.getByRole('cell', { name: 'sale.transition' }).count()).toBe(5);
    await shot(ops, '09-audit-log');

    // Signing out ends the session: the console is back at sign-in and the cookie is gone.
    await ops.getByRole('button', { name: 'Sign out' }).click();
    await ops.getByRole('heading', { name: 'Sign in', level: 1 }).waitFor();
    const cookies = await (contexts[0] as BrowserContext).cookies(gw);
    expect(cookies.find((c) => c.name === 'stampede_access')).toBeUndefined();

    // No page broke the CSP (no inline script or style ran) or threw.
    expect(problems).toEqual([]);
  }));

  it('a shopper signs in by keyboard alone, through the proof of work auth asks for, and the page cannot read the tokens', () => keepingPages(async () => {
    const email = `guessed-${randomBytes(4).toString('hex')}@stampede.test`;
    expectStatus('sign up', await call('POST', `${gw}/users`, { body: { email, password } }), 201);
    for (let i = 0; i < 3; i++) expectStatus('wrong password', await call('POST', `${gw}/auth/login`, { body: { email, password: `wrong-${i}-password` } }), 401);
    expect((await call('POST', `${gw}/auth/login`, { body: { email, password } })).status).toBe(428);

    const page = await newPage();
    await page.getByRole('heading', { name: 'Sign in', level: 1 }).waitFor();
    expect(await unlabelled(page)).toEqual([]);
    // Focus starts on the page's heading; the next stop is the sign-in form's email.
    await page.keyboard.press('Tab');
    expect(await page.evaluate('document.activeElement.id')).toBe('signin-email');
    await page.keyboard.type(email);
    await page.keyboard.press('Tab');
    await page.keyboard.type(password);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Sales', level: 1 }).waitFor();

    // Every cookie of the site, whatever its path (the refresh token's is /browser/session/refresh).
    const cookies = await page.context().cookies();
    const access = cookies.find((c) => c.name === 'stampede_access');
    expect(access).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/' });
    expect(cookies.find((c) => c.name === 'stampede_refresh')).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/browser/session/refresh' });
    const visible = String(await page.evaluate('document.cookie + "|" + JSON.stringify(sessionStorage) + "|" + JSON.stringify(localStorage)'));
    expect(visible).not.toContain(access?.value as string);
    expect(visible).not.toContain('stampede_access');
    expect(problems).toEqual([]);

    // The CSP holds in the browser: a script injected inline (as an XSS would) does not run.
    const violation = page.waitForEvent('console', { predicate: (m) => /Content Security Policy/i.test(m.text()) });
    const ran = await page.evaluate('(() => { const s = document.createElement("script"); s.textContent = "window.__injected = 1"; document.body.append(s); return window.__injected === 1; })()');
    expect(ran).toBe(false);
    expect((await violation).text()).toMatch(/inline script.*Content Security Policy directive.*script-src 'self' https:\/\/js\.tosspayments\.com/);
    expect(problems.splice(0)).toHaveLength(1);
  }));
});
