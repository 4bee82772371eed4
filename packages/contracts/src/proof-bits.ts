/**
 * How many zero bits a digest begins with: the measure of a login's proof of work. Pure, with no
 * Node import, so the web console's bundle shares it with auth.
 */
export function leadingZeroBits(digest: Uint8Array): number {
  let bits = 0;
  for (const byte of digest) {
    if (byte === 0) {
      bits += 8;
      continue;
    }
    return bits + Math.clz32(byte) - 24;
  }
  return bits;
}
