import type { AuditEntryView, CountersEvent as Counters, SaleStats, StaffSaleView } from '@stampede/contracts/api';
import { api, describe } from './api';
import { announce, field, h, render, values } from './dom';
import { onLeave, stream } from './live';

const METRICS: [keyof Counters, string][] = [
  ['available', 'Remaining'],
  ['held', 'Held'],
  ['sold', 'Sold'],
  ['entriesPerSecond', 'Entries/s'],
  ['queueLength', 'Queue length'],
  ['admitted', 'Admitted'],
  ['abandoned', 'Abandoned'],
  ['admissionRatePerSecond', 'Admission rate/s'],
  ['paymentsConfirmed', 'Payments'],
];

/** What an operator may do next from each status (the event service decides; this only offers). */
const NEXT: Record<string, [string, string][]> = {
  DRAFT: [['SCHEDULED', 'Schedule']],
  SCHEDULED: [['OPEN', 'Open']],
  OPEN: [['PAUSED', 'Pause'], ['CLOSED', 'Close']],
  PAUSED: [['OPEN', 'Resume'], ['CLOSED', 'Close']],
};
const ARMABLE = new Set(['SCHEDULED', 'OPEN', 'PAUSED']);

const localInput = (d: Date) => new Date(d.getTime() - d.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
const input = (name: string, attrs: Record<string, string | number | boolean> = {}) => h('input', { name, id: `sale-${name}`, required: true, ...attrs });

export async function salesPage(): Promise<void> {
  const list = h('ul', { class: 'plain', 'aria-label': 'Sales' });
  const error = h('p', { class: 'error', role: 'alert' });
  const form = h(
    'form',
    { 'aria-labelledby': 'create-heading' },
    field('Sale name', input('name', { value: 'Launch concert', maxlength: 200 })),
    field('Product', input('product', { value: 'Floor seat', maxlength: 200 })),
    field('SKU', input('sku', { value: `SEAT-${Math.random().toString(36).slice(2, 8).toUpperCase()}`, pattern: '[A-Za-z0-9._-]{1,64}' }), 'Letters, digits, dot, dash or underscore'),
    field('Price (KRW)', input('unitPrice', { type: 'number', min: 0, value: 55000, inputmode: 'numeric' })),
    field('Seats', input('stock', { type: 'number', min: 1, value: 100, inputmode: 'numeric' })),
    field('Seats per shopper', input('perUserLimit', { type: 'number', min: 1, value: 1, inputmode: 'numeric' })),
    field('Hold time (seconds)', input('holdTtlSeconds', { type: 'number', min: 30, max: 3600, value: 300, inputmode: 'numeric' })),
    field('Opens at', input('opensAt', { type: 'datetime-local', value: localInput(new Date()) })),
    field('Closes at', input('closesAt', { type: 'datetime-local', value: localInput(new Date(Date.now() + 2 * 3_600_000)) })),
    h(
      'fieldset',
      {},
      h('legend', {}, 'Waiting room'),
      h('div', { class: 'check' }, h('input', { type: 'checkbox', name: 'roomEnabled', id: 'sale-roomEnabled', checked: true }), h('label', { for: 'sale-roomEnabled' }, 'Shoppers queue before they enter')),
      field('Admissions per second', input('admissionRatePerSecond', { type: 'number', min: 0, value: 0, inputmode: 'numeric' }), '0: as fast as seats allow'),
      field('Margin', input('margin', { type: 'number', min: 0, value: 10, inputmode: 'numeric' }), 'Admitted shoppers allowed beyond the seats left'),
    ),
    h('button', { type: 'submit' }, 'Create sale'),
    error,
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const v = values(form);
    error.textContent = '';
    const body = {
      name: v.name,
      product: { sku: v.sku, name: v.product },
      unitPrice: Number(v.unitPrice),
      stock: Number(v.stock),
      perUserLimit: Number(v.perUserLimit),
      holdTtlSeconds: Number(v.holdTtlSeconds),
      opensAt: new Date(v.opensAt ?? '').toISOString(),
      closesAt: new Date(v.closesAt ?? '').toISOString(),
      waitingRoom: { enabled: v.roomEnabled === 'on', admissionRatePerSecond: Number(v.admissionRatePerSecond), margin: Number(v.margin) },
    };
    api<StaffSaleView>('POST', '/sales', body)
      .then((sale) => {
        announce(`Sale ${sale.name} created as a draft`);
        location.hash = `#/ops/sale/${sale.id}`;
      })
      .catch((err: unknown) => (error.textContent = describe(err)));
  });
  render('Sales', h('div', { class: 'split' }, h('section', {}, h('h2', { id: 'create-heading' }, 'Create a sale'), form), h('section', {}, h('h2', {}, 'All sales'), list)));
  try {
    const page = await api<{ items: StaffSaleView[] }>('GET', '/sales?limit=50');
    if (page.items.length === 0) list.append(h('li', { class: 'muted' }, 'No sales yet.'));
    for (const s of page.items) list.append(h('li', {}, h('a', { href: `#/ops/sale/${s.id}` }, s.name), ' ', h('span', { class: 'muted' }, `${s.status} · ${s.stock} seats`)));
  } catch (err) {
    list.append(h('li', { class: 'error' }, describe(err)));
  }
}

export async function salePage(id: string): Promise<void> {
  const error = h('p', { class: 'error', role: 'alert' });
  const summary = h('div', { class: 'panel' });
  const actions = h('div', { class: 'actions', role: 'group', 'aria-label': 'Sale actions' });
  const cells = new Map<keyof Counters, HTMLElement>();
  const grid = h('dl', { class: 'grid', 'aria-label': 'Live counters' });
  for (const [key, label] of METRICS) {
    const dd = h('dd', { 'data-metric': key }, '–');
    cells.set(key, dd);
    grid.append(h('div', { class: 'metric' }, h('dt', {}, label), dd));
  }
  const source = h('p', { class: 'muted' }, 'Connecting to the live stream…');
  const show = (c: Partial<Counters>) => {
    for (const [key, cell] of cells) if (typeof c[key] === 'number') cell.textContent = String(Math.round((c[key] as number) * 10) / 10);
  };

  render('Sale', summary, actions, error, h('h2', {}, 'Live'), source, grid, h('p', {}, h('a', { href: `#/ops/audit/${id}` }, 'This sale\'s audit log'), ' · ', h('a', { href: '#/ops' }, 'Back to sales')));

  const load = async () => {
    const sale = await api<StaffSaleView>('GET', `/sales/${id}`);
    summary.replaceChildren(
      h('p', { class: 'big' }, sale.name),
      h('p', {}, 'Status: ', h('strong', { 'data-sale-status': sale.status }, sale.status), sale.armedAt ? ' · armed' : ' · not armed'),
      h('p', { class: 'muted' }, `${sale.product.name} (${sale.product.sku}) · ${sale.stock} seats · ${sale.unitPrice.toLocaleString()} KRW · sale id ${sale.id}`),
      h('p', { class: 'muted' }, sale.waitingRoom.enabled
        ? `Waiting room on: ${sale.waitingRoom.admissionRatePerSecond ? `${sale.waitingRoom.admissionRatePerSecond} admissions/s` : 'admits as fast as seats allow'}, margin ${sale.waitingRoom.margin}`
        : 'Waiting room off: shoppers enter directly'),
    );
    actions.replaceChildren();
    const act = (label: string, run: () => Promise<unknown>) =>
      actions.append(
        h('button', {
          type: 'button',
          onclick: () => {
            error.textContent = '';
            run()
              .then(() => announce(`${label}: done`))
              .then(load)
              .catch((err: unknown) => (error.textContent = describe(err)));
          },
        }, label),
      );
    for (const [to, label] of NEXT[sale.status] ?? []) act(label, () => api('POST', `/sales/${id}/transition`, { to }));
    if (ARMABLE.has(sale.status)) act(sale.armedAt ? 'Arm again' : 'Arm', () => api('POST', `/sales/${id}/arm`));
  };
  try {
    await load();
  } catch (err) {
    error.textContent = describe(err);
    return;
  }

  // The live counters; where the stream is not served, the sale's stats once a second instead.
  let polling: ReturnType<typeof setInterval> | undefined;
  const poll = () => {
    source.textContent = 'Live stream unavailable: reading the sale\'s stats every second.';
    const read = () =>
      api<SaleStats>('GET', `/sales/${id}/stats`)
        .then((s) => show({ available: s.available ?? undefined, held: s.held ?? undefined, sold: s.sold } as Partial<Counters>))
        .catch(() => undefined);
    void read();
    polling = setInterval(read, 1000);
  };
  const close = stream(`/sales/${id}/live/ops`, {
    counters: (c) => {
      source.textContent = 'Live: updated about once a second.';
      show(c as Counters);
    },
  }, poll);
  onLeave(() => {
    close();
    clearInterval(polling);
  });
}

/** The audit log, newest first; of one sale when `saleId` is given. */
export async function auditPage(saleId?: string): Promise<void> {
  const body = h('tbody');
  const table = h('div', { class: 'table-wrap' }, h('table', {}, h('caption', { class: 'muted' }, 'Newest first'), h('thead', {}, h('tr', {}, ...['When', 'Who', 'Action', 'Entity', 'Request'].map((t) => h('th', { scope: 'col' }, t)))), body));
  render(saleId ? 'Audit log of a sale' : 'Audit log', table);
  try {
    const query = new URLSearchParams({ limit: '50', ...(saleId ? { entityType: 'sale', entityId: saleId } : {}) });
    const page = await api<{ items: AuditEntryView[] }>('GET', `/audit?${query}`);
    for (const e of page.items) {
      body.append(h('tr', {}, h('td', {}, new Date(e.at).toLocaleString()), h('td', {}, `${e.actor.userId.slice(0, 8)} (${e.actor.roles.join(', ')})`), h('td', {}, e.action), h('td', {}, `${e.entity.type} ${e.entity.id}`), h('td', { class: 'muted' }, e.requestId ?? '')));
    }
    if (page.items.length === 0) body.append(h('tr', {}, h('td', { colspan: 5 }, 'Nothing recorded yet.')));
  } catch (err) {
    body.append(h('tr', {}, h('td', { colspan: 5, class: 'error' }, describe(err))));
  }
}
