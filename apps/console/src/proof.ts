import { leadingZeroBits } from '../../../packages/contracts/src/proof-bits';

/**
 * The login's proof of work, as auth checks it: the first nonce (base 36 counter) such that
 * sha256(`${challenge}:${nonce}`) begins with `bits` zero bits. Auth asks for it only while an
 * account is being guessed at; its owner pays it once.
 */
export async function solveProof(challenge: string, bits: number): Promise<{ challenge: string; nonce: string }> {
  const encoder = new TextEncoder();
  for (let n = 0; ; n++) {
    const nonce = n.toString(36);
    const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', encoder.encode(`${challenge}:${nonce}`)));
    if (leadingZeroBits(digest) >= bits) return { challenge, nonce };
  }
}
