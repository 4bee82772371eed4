import { leadingZeroBits, proofDigest, solveLoginProof } from '@stampede/contracts';
import { solveProof } from '../src/proof';

describe('the console\'s proof of work', () => {
  it('when auth asks for a proof, then the browser finds the same first nonce as the platform\'s own solver, and it meets the bits', async () => {
    for (const [challenge, bits] of [['c1.abc', 6], ['c2.def', 10]] as const) {
      const proof = await solveProof(challenge, bits);
      expect(proof).toEqual(solveLoginProof(challenge, bits));
      expect(leadingZeroBits(proofDigest(challenge, proof.nonce))).toBeGreaterThanOrEqual(bits);
    }
  });
});
