import type { AdmissionView, AvailabilityView, ConfirmResult, HeldView, PositionEvent, PrepareResult, PublicSaleView, QueueView, StockEvent } from '@stampede/contracts/api';

/** The caller's place as the page shows it: the answer of POST /sales/:id/queue or an event of its stream. */
type QueueAnswer = Pick<QueueView, 'status'> & Partial<Omit<QueueView, 'status'>>;
import { api, ApiError, describe } from './api';
import { announce, field, h, render } from './dom';
import { onLeave, stream } from './live';

/** The sandbox PG's test cards. */
const CARDS: [string, string][] = [
  ['4330000000000000', '4330 0000 0000 0000 — pays'],
  ['4000000000000000', '4000 0000 0000 0000 — declined'],
  ['4111111111111111', '4111 1111 1111 1111 — insufficient funds'],
];

/** What this tab holds for a sale between pages: the seat's token and the payment's result (memory only). */
const held = new Map<string, HeldView>();
const results = new Map<string, ConfirmResult>();

const soldOut = (id: string) => (location.hash = `#/shop/sale/${id}/sold-out`);
const waitText = (s: number | null | undefined) => (s === undefined || s === null ? 'unknown' : s < 60 ? `about ${Math.max(1, Math.round(s))} s` : `about ${Math.round(s / 60)} min`);

export async function shopPage(): Promise<void> {
  const list = h('ul', { class: 'plain', 'aria-label': 'Sales' });
  render('Sales', list);
  try {
    const page = await api<{ items: PublicSaleView[] }>('GET', '/sales?limit=50');
    const open = page.items.filter((s) => s.status !== 'CLOSED' && s.status !== 'CANCELLED');
    if (open.length === 0) list.append(h('li', { class: 'muted' }, 'No sale right now.'));
    for (const s of open) list.append(h('li', {}, h('a', { href: `#/shop/sale/${s.id}` }, s.name), ' ', h('span', { class: 'muted' }, `${s.status} · ${s.unitPrice.toLocaleString()} KRW`)));
  } catch (err) {
    list.append(h('li', { class: 'error' }, describe(err)));
  }
}

export async function shopSalePage(id: string): Promise<void> {
  const error = h('p', { class: 'error', role: 'alert' });
  const place = h('div', { class: 'panel', 'aria-live': 'polite' });
  // Usable once the sale is read and the button does something.
  const join = h('button', { type: 'button', disabled: true }, 'Join the queue');
  render('Sale', place, join, error);
  let sale: PublicSaleView;
  // Seats left, kept current by the sale's stream while the shopper is not yet in the queue.
  const left = h('p', { 'aria-live': 'off' });
  const showLeft = (s: { remaining: number; total: number }) => (left.textContent = `Seats left: about ${s.remaining} of ${s.total}`);
  try {
    sale = await api<PublicSaleView>('GET', `/sales/${id}`);
    const seats = await api<AvailabilityView>('GET', `/sales/${id}/availability`).catch(() => undefined);
    place.replaceChildren(
      h('p', { class: 'big' }, sale.name),
      h('p', {}, `${sale.product.name} · ${sale.unitPrice.toLocaleString()} KRW · status ${sale.status}`),
      left,
    );
    if (seats) showLeft(seats);
    if (seats && seats.remaining === 0 && seats.status !== 'SCHEDULED') return void soldOut(id);
  } catch (err) {
    error.textContent = describe(err);
    return;
  }
  // Everyone on the sale hears of the sell-out at once.
  onLeave(stream(`/sales/${id}/live`, { stock: (s) => showLeft(s as StockEvent), 'sold-out': () => soldOut(id) }));

  const enterButton = (token?: string) => {
    const button = h('button', { type: 'button' }, 'Enter the sale');
    button.addEventListener('click', () => {
      button.disabled = true;
      api<HeldView>('POST', `/sales/${id}/entries`, {}, token ? { 'X-Admission-Token': token } : {})
        .then((seat) => {
          held.set(id, seat);
          location.hash = `#/shop/sale/${id}/pay`;
        })
        .catch((err: unknown) => {
          if (err instanceof ApiError && err.code === 'SOLD_OUT') return void soldOut(id);
          button.disabled = false;
          error.textContent = describe(err);
        });
    });
    join.replaceWith(button);
    button.focus();
  };

  const show = (q: QueueAnswer) => {
    if (q.status === 'SOLD_OUT') return void soldOut(id);
    if (q.status === 'OFF') return enterButton();
    if (q.status === 'ADMITTED' && q.admission) {
      announce('It is your turn: enter the sale now.');
      place.replaceChildren(h('p', { class: 'ok' }, 'It is your turn.'), h('p', {}, `Enter before ${new Date(q.admission.expiresAt).toLocaleTimeString()}.`));
      return enterButton(q.admission.token);
    }
    join.hidden = true;
    place.replaceChildren(
      h('p', {}, 'Your place in the queue: ', h('strong', { class: 'big', 'data-queue-position': q.position ?? '' }, String(q.position ?? '…'))),
      h('p', {}, `${q.ahead ?? 0} ahead of you · estimated wait ${waitText(q.estimatedWaitSeconds)}`),
      h('p', { class: 'muted' }, 'Keep this page open: your place is kept while it is.'),
    );
  };

  join.addEventListener('click', () => {
    join.disabled = true;
    error.textContent = '';
    api<QueueAnswer>('POST', `/sales/${id}/queue`, {})
      .then((q) => {
        show(q);
        if (q.status !== 'WAITING') return;
        onLeave(
          stream(`/sales/${id}/queue/events`, {
            position: (p) => show({ status: 'WAITING', ...(p as PositionEvent) }),
            admitted: (a) => show({ status: 'ADMITTED', admission: a as AdmissionView }),
            'sold-out': () => soldOut(id),
          }),
        );
      })
      .catch((err: unknown) => {
        // No waiting room on this platform (the route is not served): enter directly.
        if (err instanceof ApiError && err.status === 404) return enterButton();
        join.disabled = false;
        error.textContent = describe(err);
      });
  });
  join.disabled = false;
}

export function payPage(id: string): void {
  const seat = held.get(id);
  if (!seat) {
    render('Pay', h('p', {}, 'No seat is held in this tab. ', h('a', { href: `#/shop/sale/${id}` }, 'Back to the sale')));
    return;
  }
  const error = h('p', { class: 'error', role: 'alert' });
  const card = h('select', { name: 'card', id: 'pay-card' }, ...CARDS.map(([n, label]) => h('option', { value: n }, label)));
  const pay = h('button', { type: 'submit' }, 'Pay');
  const form = h('form', {}, field('Test card', card, 'The sandbox payment gateway\'s cards'), pay, error);
  const left = h('p', { 'aria-live': 'off' });
  const tick = () => (left.textContent = `Your seat is held for ${Math.max(0, Math.round((Date.parse(seat.expiresAt) - Date.now()) / 1000))} s.`);
  tick();
  const timer = setInterval(tick, 1000);
  onLeave(() => clearInterval(timer));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    pay.disabled = true;
    error.textContent = '';
    void (async () => {
      try {
        const prepared = await api<PrepareResult>('POST', '/payments/prepare', { reservationToken: seat.reservationToken });
        // The sandbox PG's widget stand-in: a card for a payment key, as the real widget would give.
        const checkout = await api<{ paymentKey: string }>('POST', '/sandbox/pg/checkout', { orderId: prepared.orderId, amount: prepared.amount, cardNumber: card.value });
        const confirmed = await api<ConfirmResult>(
          'POST',
          '/payments/confirm',
          { reservationToken: seat.reservationToken, paymentKey: checkout.paymentKey, amount: prepared.amount },
          { 'Idempotency-Key': crypto.randomUUID() },
        );
        results.set(id, confirmed);
        held.delete(id);
        location.hash = `#/shop/sale/${id}/result`;
      } catch (err) {
        pay.disabled = false;
        error.textContent = describe(err);
      }
    })();
  });
  render('Pay', h('div', { class: 'panel' }, left), form);
}

export function resultPage(id: string): void {
  const r = results.get(id);
  if (!r) {
    render('Result', h('p', {}, 'No payment in this tab. ', h('a', { href: `#/shop/sale/${id}` }, 'Back to the sale')));
    return;
  }
  render(
    'Payment confirmed',
    h('div', { class: 'panel' }, h('p', { class: 'ok' }, 'Your seat is yours.'), h('p', {}, `${r.qty} × ${r.sku} · ${r.amount.toLocaleString()} ${r.currency}`), h('p', { class: 'muted' }, `Order ${r.orderId} · payment ${r.paymentId}`)),
    h('p', {}, h('a', { href: '#/shop' }, 'Back to sales')),
  );
}

export function soldOutPage(id: string): void {
  render('Sold out', h('div', { class: 'panel' }, h('p', { class: 'big' }, 'Every seat is taken.'), h('p', {}, 'Thank you for waiting. The queue for this sale is closed.')), h('p', {}, h('a', { href: '#/shop' }, 'Back to sales')));
  announce(`Sale ${id.slice(0, 8)} is sold out`);
}
