// The webhook requests PVE's notification system makes to our receiver, one per event kind, as
// derived from Proxmox's code (each file's `provenance`): the raw body our template renders and
// its parsed form.
import { readFileSync } from 'node:fs';
import type { PveNotificationBody } from '../../../src/proxmox/notification-template.js';

export type DeliveryName =
  | 'fencing-start'
  | 'fencing-success'
  | 'package-updates'
  | 'replication-failure'
  | 'system-mail'
  | 'test'
  | 'vzdump-failure-guest'
  | 'vzdump-failure-job'
  | 'vzdump-success';

export interface Delivery {
  description: string;
  request: { method: string; headers: Record<string, string>; body: string };
  parsed: PveNotificationBody;
}

export function delivery(name: DeliveryName): Delivery {
  return JSON.parse(
    readFileSync(new URL(`./deliveries/${name}.9.json`, import.meta.url), 'utf8'),
  ) as Delivery;
}
