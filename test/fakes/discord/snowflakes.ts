// Discord ids are snowflakes: milliseconds since 2015-01-01 shifted left 22 bits, plus a counter.
// The fake counts up from the snowflake of "now", so ids are 19 digits, strictly increasing (a
// bot may sort by them) and discord.js derives a plausible createdAt from them.
const DISCORD_EPOCH = 1_420_070_400_000n;

export class Snowflakes {
  private last = 0n;

  next(): string {
    const now = (BigInt(Date.now()) - DISCORD_EPOCH) << 22n;
    this.last = now > this.last ? now : this.last + 1n;
    return this.last.toString();
  }
}

/** The Date a snowflake encodes, as Discord's ISO timestamps (2024-01-01T00:00:00.000000+00:00). */
export function snowflakeTimestamp(id: string): string {
  const ms = Number((BigInt(id) >> 22n) + DISCORD_EPOCH);
  return isoTimestamp(ms);
}

export function isoTimestamp(ms: number): string {
  return new Date(ms).toISOString().replace('Z', '000+00:00');
}
