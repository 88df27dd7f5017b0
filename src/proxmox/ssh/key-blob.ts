// SSH public keys travel as "blobs" (RFC 4253 §6.6): a length-prefixed type name, then the key.

/** The type name a wire-format key blob starts with, e.g. `ssh-ed25519`; undefined if malformed. */
export function keyBlobType(blob: Buffer): string | undefined {
  if (blob.length < 4) return undefined;
  const length = blob.readUInt32BE(0);
  if (length === 0 || length > 64 || 4 + length > blob.length) return undefined;
  return blob.subarray(4, 4 + length).toString('latin1');
}
