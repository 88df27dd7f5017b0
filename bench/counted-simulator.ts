// A simulated cluster at real speed and a PVE client that counts its requests: what the read
// benchmarks (status, digest, balance) measure against.
import { silentLogger } from '../src/logger.js';
import { ProxmoxClient } from '../src/proxmox/proxmox-client.js';
import { startSimulator } from '../src/sim/simulator.js';

export interface CountedSimulator {
  client: ProxmoxClient;
  /** PVE requests since the start or the last reset. */
  calls(): number;
  resetCalls(): void;
  stop(): Promise<void>;
}

/** `guests` undefined: the simulator's default for that many nodes (the guides' cluster for 3). */
export async function startCountedSimulator(nodes: number, guests?: number): Promise<CountedSimulator> {
  const sim = await startSimulator({
    nodes,
    ...(guests === undefined ? {} : { guests }),
    port: 0,
    speed: 1,
    authFailureDelayMs: 0,
    logger: silentLogger,
  });
  let calls = 0;
  const client = new ProxmoxClient({
    hosts: sim.hosts,
    tokenId: sim.tokenId,
    tokenSecret: sim.tokenSecret,
    fingerprints: sim.fingerprints,
    logger: silentLogger,
    onRequest: () => {
      calls += 1;
    },
  });
  return {
    client,
    calls: () => calls,
    resetCalls: () => {
      calls = 0;
    },
    async stop() {
      await client.close();
      await sim.stop();
    },
  };
}
