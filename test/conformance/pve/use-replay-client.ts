// One replay server and a client pinned to it, for a test file: started before its tests,
// closed after them.
import { afterAll, beforeAll } from 'vitest';
import { ProxmoxClient } from '../../../src/proxmox/proxmox-client.js';
import { type ReplayServer, startReplayServer } from './replay-server.js';

export interface ReplayClient {
  replay: ReplayServer;
  client: ProxmoxClient;
}

export function useReplayClient(): ReplayClient {
  const context = {} as ReplayClient;
  beforeAll(async () => {
    context.replay = await startReplayServer();
    context.client = new ProxmoxClient({
      hosts: [context.replay.host],
      tokenId: 'chatops@pve!bot',
      tokenSecret: '00000000-0000-4000-8000-000000000000',
      fingerprints: [context.replay.fingerprint],
    });
  });
  afterAll(async () => {
    await context.client?.close();
    await context.replay?.close();
  });
  return context;
}
