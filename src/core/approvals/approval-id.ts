// Approval request ids: short enough to type or to carry in a button value, random enough that
// open requests do not collide (the store retries the rare clash), and checked before any lookup
// so a mistyped id never becomes a Redis key.
import { createHash, randomBytes } from 'node:crypto';

const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';

/** What the store accepts as an id: anything else (a mistyped button value) reads as no request. */
export const APPROVAL_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

/** 40 random bits as 8 base32 characters. */
export function newApprovalId(): string {
  return base32Of(randomBytes(5));
}

/**
 * The id of the request a platform delivery opens (its `requestId`): the same delivery handled
 * again (another replica took it over after a crash) opens the same request, not a second one.
 */
export function approvalIdFor(requestId: string): string {
  return base32Of(createHash('sha256').update(requestId).digest().subarray(0, 5));
}

function base32Of(bytes: Uint8Array): string {
  let bits = 0n;
  for (const byte of bytes) bits = (bits << 8n) | BigInt(byte);
  let id = '';
  for (let i = 7; i >= 0; i--) id += BASE32[Number((bits >> BigInt(i * 5)) & 31n)];
  return id;
}
