import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/**
 * Billing keys at rest: AES-256-GCM, stored as `{keyId}:{iv}:{authTag}:{data}` (base64url parts).
 * The key id names the encryption key, so after a rotation records written under an older key
 * stay readable for as long as that key is still configured; new records use the active key.
 */
export class BillingKeyCipher {
  constructor(
    private readonly keys: ReadonlyMap<string, Buffer>,
    private readonly activeKeyId: string,
  ) {
    if (!keys.has(activeKeyId)) throw new Error(`active billing encryption key ${activeKeyId} is not configured`);
  }

  get activeKey(): string {
    return this.activeKeyId;
  }

  encrypt(plain: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.keys.get(this.activeKeyId) as Buffer, iv);
    // The key id is authenticated too: a record cannot be relabelled to another key.
    cipher.setAAD(Buffer.from(this.activeKeyId));
    const data = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    const parts = [iv, cipher.getAuthTag(), data].map((b) => b.toString('base64url'));
    return [this.activeKeyId, ...parts].join(':');
  }

  /** Throws when the record is malformed, its key is unknown, or any byte was changed. */
  decrypt(stored: string): string {
    const parts = stored.split(':');
    if (parts.length !== 4) throw new Error('malformed encrypted billing key');
    const [keyId, iv, tag, data] = parts as [string, string, string, string];
    const key = this.keys.get(keyId);
    if (!key) throw new Error(`billing encryption key ${keyId} is not configured`);
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
    decipher.setAAD(Buffer.from(keyId));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(data, 'base64url')), decipher.final()]).toString('utf8');
  }

  /** The key id a stored record was written under. */
  static keyIdOf(stored: string): string {
    return stored.slice(0, stored.indexOf(':'));
  }
}
