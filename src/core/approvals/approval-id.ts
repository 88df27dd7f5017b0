// Approval request ids: short enough to type or to carry in a button value, random enough that
// open requests do not collide (the store retries the rare clash), and checked before any lookup
// so a mistyped id never becomes a Redis key.
import { randomBytes } from 'node:crypto';

const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';

/** What the store accepts as an id: anything else (a mistyped button value) reads as no request. */
export const APPROVAL_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

/** 40 random bits as 8 base32 characters. */
export function newApprovalId(): string {
  let bits = 0n;
  for (const byte of randomBytes(5)) bits = (bits << 8n) | BigInt(byte);
  let id = '';
  for (let i = 7; i >= 0; i--) id += BASE32[Number((bits >> BigInt(i * 5)) & 31n)];
  return id;
}
