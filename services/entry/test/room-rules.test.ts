import { randomBytes } from 'node:crypto';
import { parseIdentityKeys, WAITING_ROOM_DEFAULTS, type SaleSnapshot } from '@stampede/contracts';
import type { RoomState } from '@stampede/ledger';
import { roomSigner } from '../src/domain/admission-token';
import { admissionPolicy, estimatedWait, positionFrom } from '../src/domain/room';

const key = () => randomBytes(32).toString('base64url');

describe('admission tokens', () => {
  const keys = parseIdentityKeys(`k1:${key()},k0:${key()}`);
  const signer = roomSigner(keys);
  const now = Date.now();

  it('when a token is checked for the sale and user it was signed for before it expires, then it admits', () => {
    expect(signer.admits(signer.admission('s1', 'u1', now + 60_000), 's1', 'u1', now)).toBe(true);
  });

  it('when a token is used for another sale, another user, after its expiry or edited, then it does not admit', () => {
    const token = signer.admission('s1', 'u1', now + 60_000);
    expect(signer.admits(token, 's2', 'u1', now)).toBe(false);
    expect(signer.admits(token, 's1', 'u2', now)).toBe(false);
    expect(signer.admits(token, 's1', 'u1', now + 60_000)).toBe(false);
    expect(signer.admits(token.replace(`${now + 60_000}`, `${now + 600_000}`), 's1', 'u1', now)).toBe(false);
    expect(signer.admits('', 's1', 'u1', now)).toBe(false);
    expect(signer.admits('a1.k9.99999999999999.abc', 's1', 'u1', now)).toBe(false);
  });

  it('when the identity keys rotate, then a token signed under the previous key still admits and one under an unknown key does not', () => {
    const older = roomSigner(parseIdentityKeys(`k0:${Buffer.from(keys.byKid.get('k0')!).toString('base64url')}`));
    expect(signer.admits(older.admission('s1', 'u1', now + 1_000), 's1', 'u1', now)).toBe(true);
    const stranger = roomSigner(parseIdentityKeys(`k1:${key()}`));
    expect(signer.admits(stranger.admission('s1', 'u1', now + 1_000), 's1', 'u1', now)).toBe(false);
  });
});

describe('room rules', () => {
  const sale = (o: Partial<SaleSnapshot> = {}): SaleSnapshot => ({
    saleId: 's1', status: 'OPEN', opensAt: new Date(Date.now() - 1_000).toISOString(), closesAt: new Date(Date.now() + 60_000).toISOString(),
    sku: 'S', productName: 'P', unitPrice: 1, stock: 10, perUserLimit: 1, holdTtlSeconds: 60, conditions: {}, refundPolicy: 'RESTOCK',
    waitingRoom: { ...WAITING_ROOM_DEFAULTS, admissionRatePerSecond: 5, margin: 3 }, version: 1, ...o,
  });
  const state = (o: Partial<RoomState>): RoomState => ({
    closed: false, closedAt: 0, hwm: 0, lastSeq: 0, waiting: 0, unserved: 0, admitted: 0, abandoned: 0, lapsed: 0, served: 0, holds: 0,
    measuredRate: 0, waitingAtClose: 0, armed: true, available: 10, held: 0, sold: 0, total: 10, ...o,
  });

  it('when the sale is open with its room on, then the step admits with its settings; scheduled, paused or room off, it does not', () => {
    expect(admissionPolicy(sale(), Date.now(), 100)).toEqual({ admit: true, roomOn: true, ratePerSecond: 5, margin: 3, heartbeatTimeoutMs: 20_000, admissionTtlMs: 60_000, maxBatch: 100 });
    expect(admissionPolicy(sale({ status: 'SCHEDULED' }), Date.now(), 100).admit).toBe(false);
    expect(admissionPolicy(sale({ status: 'PAUSED' }), Date.now(), 100).admit).toBe(false);
    expect(admissionPolicy(sale({ waitingRoom: { ...WAITING_ROOM_DEFAULTS, enabled: false } }), Date.now(), 100).admit).toBe(false);
    expect(admissionPolicy(sale({ waitingRoom: undefined }), Date.now(), 100).admit).toBe(false);
  });

  it('when a position is estimated from a step, then it counts the places after the last admitted, never more than those waiting', () => {
    expect(positionFrom(15, state({ hwm: 10, waiting: 20 }), undefined)).toMatchObject({ position: 5, ahead: 4 });
    // Places ahead were dropped: at most waiting - 1 are ahead.
    expect(positionFrom(15, state({ hwm: 10, waiting: 2 }), undefined)).toMatchObject({ position: 2, ahead: 1 });
    expect(positionFrom(11, state({ hwm: 10, waiting: 5 }), undefined)).toMatchObject({ position: 1, ahead: 0, estimatedWaitSeconds: 0 });
  });

  it('when the wait is estimated, then the measured rate wins over the operator\'s, and no rate at all gives no estimate', () => {
    expect(estimatedWait(100, 20, { ...WAITING_ROOM_DEFAULTS, admissionRatePerSecond: 5 })).toBe(5);
    expect(estimatedWait(100, 0, { ...WAITING_ROOM_DEFAULTS, admissionRatePerSecond: 5 })).toBe(20);
    expect(estimatedWait(100, 0, WAITING_ROOM_DEFAULTS)).toBeNull();
    expect(estimatedWait(0, 0, WAITING_ROOM_DEFAULTS)).toBe(0);
  });
});
