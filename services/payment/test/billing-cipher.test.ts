import { randomBytes } from 'node:crypto';
import { BillingKeyCipher } from '../src/domain/billing-cipher';

const keyA = randomBytes(32);
const keyB = randomBytes(32);

function flip(stored: string, part: number): string {
  const parts = stored.split(':');
  const bytes = Buffer.from(parts[part] as string, 'base64url');
  bytes[0] = (bytes[0] as number) ^ 0x01;
  parts[part] = bytes.toString('base64url');
  return parts.join(':');
}

describe('billing key cipher (AES-256-GCM)', () => {
  const a = new BillingKeyCipher(new Map([['a', keyA]]), 'a');

  it('when a billing key is encrypted, then it is stored as {keyId}:{iv}:{authTag}:{data} and decrypts to itself', () => {
    const stored = a.encrypt('bk_live_1234567890');
    expect(stored).toMatch(/^a:[A-Za-z0-9_-]{16}:[A-Za-z0-9_-]{22}:[A-Za-z0-9_-]+$/);
    expect(stored).not.toContain('bk_live');
    expect(a.decrypt(stored)).toBe('bk_live_1234567890');
  });

  it('when the same key is encrypted twice, then the records differ (fresh IV each time)', () => {
    expect(a.encrypt('same')).not.toBe(a.encrypt('same'));
  });

  it.each([
    ['iv', 1],
    ['auth tag', 2],
    ['ciphertext', 3],
  ])('when one bit of the %s is flipped, then decryption fails', (_name, part) => {
    const stored = a.encrypt('bk_test_abc');
    expect(() => a.decrypt(flip(stored, part))).toThrow();
  });

  it('when a record is relabelled with another key id, then decryption fails', () => {
    const both = new BillingKeyCipher(new Map([['a', keyA], ['b', keyA]]), 'a');
    const stored = both.encrypt('bk_test_abc');
    expect(() => both.decrypt(`b${stored.slice(1)}`)).toThrow();
  });

  it('after rotation to a new active key, then old records still decrypt and new ones use the new key id', () => {
    const old = a.encrypt('bk_old');
    const rotated = new BillingKeyCipher(new Map([['a', keyA], ['b', keyB]]), 'b');
    expect(rotated.decrypt(old)).toBe('bk_old');
    expect(BillingKeyCipher.keyIdOf(rotated.encrypt('bk_new'))).toBe('b');
  });

  it('when the key a record names is no longer configured, then decryption fails naming it', () => {
    const onlyB = new BillingKeyCipher(new Map([['b', keyB]]), 'b');
    expect(() => onlyB.decrypt(a.encrypt('x'))).toThrow(/key a/);
  });

  it('when the active key id is not configured, then the cipher refuses to start', () => {
    expect(() => new BillingKeyCipher(new Map([['a', keyA]]), 'z')).toThrow(/z/);
  });
});
