// The storages a node can use, with their free space (GET /nodes/{node}/storage; Datastore.Audit).
import { z } from 'zod';
import { pvePath } from './pve-path.js';
import type { PveTransport } from './pve-transport.js';
import { pveBool, pveNumber } from './schemas/pve-values.js';

export const nodeStorageSchema = z.looseObject({
  storage: z.string(),
  type: z.string().optional(),
  content: z.string().optional(),
  active: pveBool.optional(),
  enabled: pveBool.optional(),
  shared: pveBool.optional(),
  avail: pveNumber.optional(),
  total: pveNumber.optional(),
});
export type NodeStorage = z.output<typeof nodeStorageSchema>;

export function listNodeStorages(
  transport: PveTransport,
  node: string,
  content?: string,
  signal?: AbortSignal,
): Promise<NodeStorage[]> {
  return transport.request('GET', pvePath`/nodes/${node}/storage`, {
    params: { content },
    schema: z.array(nodeStorageSchema),
    signal,
  });
}
