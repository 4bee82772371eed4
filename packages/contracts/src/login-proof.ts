import { createHash } from 'node:crypto';
import { leadingZeroBits } from './proof-bits';

export { leadingZeroBits };

/**
 * The proof of work a login must carry once its account is under a guessing attack from many
 * addresses. The client finds a nonce such that sha256(`${challenge}:${nonce}`) begins with `bits`
 * zero bits: about 2^bits hashes to find, one to check. The account's owner pays it once, well
 * under a second at the default 18 bits; an attacker pays it for every guess.
 */
export interface LoginProof {
  challenge: string;
  nonce: string;
}

export const proofDigest = (challenge: string, nonce: string) => createHash('sha256').update(`${challenge}:${nonce}`).digest();

/** For clients: the first nonce that meets `bits` (tests, the demo, tools). */
export function solveLoginProof(challenge: string, bits: number): LoginProof {
  for (let n = 0; ; n++) {
    const nonce = n.toString(36);
    if (leadingZeroBits(proofDigest(challenge, nonce)) >= bits) return { challenge, nonce };
  }
}
