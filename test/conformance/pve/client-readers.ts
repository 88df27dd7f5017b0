// For each endpoint the client calls: the client call that sends that request, built from the
// fixture's request (path variables and params). The replay test runs it against the fixture's
// answer, so the client's own parsing and error mapping decide, not a copy of them here.

import type { GuestRef } from '../../../src/proxmox/guest-ref.js';
import { decodeNamedValue } from '../../../src/proxmox/notifications-api.js';
import type { ProxmoxClient } from '../../../src/proxmox/proxmox-client.js';

type Vars = Record<string, string>;
type Params = Record<string, unknown>;
export type ClientReader = (client: ProxmoxClient, vars: Vars, params: Params) => Promise<unknown>;

const guest = (vars: Vars, type: 'qemu' | 'lxc'): GuestRef => ({
  type,
  vmid: Number(vars.vmid),
  node: vars.node ?? '',
});
const str = (value: unknown): string | undefined => (value === undefined ? undefined : String(value));
const flag = (value: unknown): boolean => value === 1 || value === '1' || value === true;

const list = (value: unknown): string[] | undefined =>
  value === undefined ? undefined : (Array.isArray(value) ? value : [value]).map(String);

/** A webhook target's params as sent (base64 property strings) back into the client's clear values. */
const webhookSpec = (p: Params) => ({
  ...(p.url === undefined ? {} : { url: String(p.url) }),
  ...(p.method === undefined ? {} : { method: p.method as 'post' | 'put' | 'get' }),
  ...(p.header === undefined
    ? {}
    : {
        headers: (list(p.header) ?? [])
          .map(decodeNamedValue)
          .map((h) => ({ name: h.name, value: h.value ?? '' })),
      }),
  ...(p.body === undefined ? {} : { body: Buffer.from(String(p.body), 'base64').toString('utf8') }),
  ...(p.secret === undefined ? {} : { secrets: (list(p.secret) ?? []).map(decodeNamedValue) }),
  ...(p.comment === undefined ? {} : { comment: String(p.comment) }),
  ...(p.disable === undefined ? {} : { disable: flag(p.disable) }),
  ...(p.delete === undefined ? {} : { delete: list(p.delete) }),
  ...(p.digest === undefined ? {} : { digest: String(p.digest) }),
});

const matcherSpec = (p: Params) => ({
  ...(p.target === undefined ? {} : { target: list(p.target) }),
  ...(p['match-field'] === undefined ? {} : { matchField: list(p['match-field']) }),
  ...(p['match-severity'] === undefined ? {} : { matchSeverity: list(p['match-severity']) }),
  ...(p['match-calendar'] === undefined ? {} : { matchCalendar: list(p['match-calendar']) }),
  ...(p.mode === undefined ? {} : { mode: p.mode === 'any' ? ('any' as const) : ('all' as const) }),
  ...(p['invert-match'] === undefined ? {} : { invertMatch: flag(p['invert-match']) }),
  ...(p.comment === undefined ? {} : { comment: String(p.comment) }),
  ...(p.disable === undefined ? {} : { disable: flag(p.disable) }),
  ...(p.delete === undefined ? {} : { delete: list(p.delete) }),
  ...(p.digest === undefined ? {} : { digest: String(p.digest) }),
});

const power =
  (type: 'qemu' | 'lxc', action: 'start' | 'stop' | 'shutdown' | 'reboot'): ClientReader =>
  (client, vars) =>
    client.power(guest(vars, type), action);

const guestEndpoints = (type: 'qemu' | 'lxc'): Record<string, ClientReader> => ({
  [`GET /nodes/{node}/${type}/{vmid}/status/current`]: (c, v) => c.guestStatus(guest(v, type)),
  [`POST /nodes/{node}/${type}/{vmid}/status/start`]: power(type, 'start'),
  [`POST /nodes/{node}/${type}/{vmid}/status/stop`]: power(type, 'stop'),
  [`POST /nodes/{node}/${type}/{vmid}/status/shutdown`]: power(type, 'shutdown'),
  [`POST /nodes/{node}/${type}/{vmid}/status/reboot`]: power(type, 'reboot'),
  [`POST /nodes/{node}/${type}/{vmid}/clone`]: (c, v, p) =>
    c.clone(guest(v, type), {
      newid: Number(p.newid ?? 999),
      ...(p.full === undefined ? {} : { full: flag(p.full) }),
      ...(p.name === undefined && p.hostname === undefined ? {} : { name: String(p.name ?? p.hostname) }),
      ...(p.target === undefined ? {} : { target: String(p.target) }),
      ...(p.pool === undefined ? {} : { pool: String(p.pool) }),
      ...(p.storage === undefined ? {} : { storage: String(p.storage) }),
      ...(p.description === undefined ? {} : { description: String(p.description) }),
    }),
  [`GET /nodes/{node}/${type}/{vmid}/config`]: (c, v) => c.guestConfig(guest(v, type)),
  [`GET /nodes/{node}/${type}/{vmid}/snapshot`]: (c, v) => c.snapshots(guest(v, type)),
  [`POST /nodes/{node}/${type}/{vmid}/snapshot`]: (c, v, p) =>
    c.createSnapshot(guest(v, type), {
      name: String(p.snapname),
      ...(p.vmstate === undefined ? {} : { vmstate: flag(p.vmstate) }),
      ...(p.description === undefined ? {} : { description: String(p.description) }),
    }),
  [`GET /nodes/{node}/${type}/{vmid}/snapshot/{snapname}/config`]: (c, v) =>
    c.snapshotConfig(guest(v, type), v.snapname ?? ''),
  [`POST /nodes/{node}/${type}/{vmid}/snapshot/{snapname}/rollback`]: (c, v, p) =>
    c.rollbackSnapshot(guest(v, type), v.snapname ?? '', { start: flag(p.start) }),
  [`DELETE /nodes/{node}/${type}/{vmid}/snapshot/{snapname}`]: (c, v) =>
    c.deleteSnapshot(guest(v, type), v.snapname ?? ''),
  // The precondition on its own: planMigration combines it with two other reads (scenarios).
  [`GET /nodes/{node}/${type}/{vmid}/migrate`]: (c, v, p) =>
    c.migratePrecondition(guest(v, type), String(p.target)),
  [`POST /nodes/{node}/${type}/{vmid}/migrate`]: (c, v, p) =>
    c.startMigration({
      guest: guest(v, type),
      target: String(p.target),
      running: flag(p.online) || flag(p.restart),
      haManaged: false,
      online: flag(p.online),
      restart: flag(p.restart),
      withLocalDisks: flag(p['with-local-disks']),
      localDisks: [],
      params: Object.fromEntries(
        Object.entries(p).map(([k, value]) => [k, k === 'target' ? String(value) : flag(value)]),
      ),
    }),
});

export const CLIENT_READERS: Record<string, ClientReader> = {
  'GET /version': (c) => c.version(),
  'GET /cluster/resources': (c, _v, p) =>
    c.clusterResources(str(p.type) as 'vm' | 'node' | 'storage' | undefined),
  'GET /cluster/status': (c) => c.clusterStatus(),
  'GET /nodes': (c) => c.nodes(),
  'GET /nodes/{node}/status': (c, v) => c.nodeStatus(v.node ?? ''),
  'POST /nodes/{node}/status': (c, v, p) =>
    c.nodePower(v.node ?? '', p.command === 'shutdown' ? 'shutdown' : 'reboot'),
  'GET /cluster/nextid': (c, _v, p) => c.nextId(p.vmid === undefined ? undefined : Number(p.vmid)),
  'GET /cluster/tasks': (c) => c.clusterTasks(),
  'GET /cluster/config/join': (c) => c.joinInfo(),
  'GET /nodes/{node}/time': (c, v) => c.nodeTime(v.node ?? ''),
  'GET /nodes/{node}/certificates/info': (c, v) => c.nodeCertificates(v.node ?? ''),
  'GET /nodes/{node}/storage': (c, v, p) => c.nodeStorages(v.node ?? '', str(p.content)),
  'GET /nodes/{node}/storage/{storage}/content': (c, v, p) =>
    c.backups(v.node ?? '', v.storage ?? '', p.vmid === undefined ? undefined : Number(p.vmid)),
  'POST /nodes/{node}/vzdump': (c, v, p) =>
    c.startBackup(v.node ?? '', {
      vmids: String(p.vmid).split(',').map(Number),
      ...(p.storage === undefined ? {} : { storage: String(p.storage) }),
      ...(p.mode === undefined ? {} : { mode: p.mode as 'snapshot' | 'suspend' | 'stop' }),
      ...(p.compress === undefined ? {} : { compress: p.compress as 'zstd' }),
    }),
  'GET /nodes/{node}/tasks': (c, v, p) =>
    c.nodeTasks(v.node ?? '', {
      ...(p.typefilter === undefined ? {} : { typefilter: String(p.typefilter) }),
    }),
  'GET /cluster/backup': (c) => c.backupJobs(),
  'GET /cluster/backup-info/not-backed-up': (c) => c.notBackedUp(),
  'POST /nodes/{node}/qemu': (c, v, p) =>
    c.createVm(v.node ?? '', {
      vmid: Number(p.vmid ?? 999),
      name: String(p.name ?? 'new-vm'),
      memoryMiB: Number(p.memory ?? 2048),
      cores: Number(p.cores ?? 1),
      storage: 'local-lvm',
      diskGiB: 32,
    }),
  'POST /nodes/{node}/apt/update': (c, v) => c.refreshPackageLists(v.node ?? ''),
  'GET /nodes/{node}/apt/update': (c, v) => c.pendingUpdates(v.node ?? ''),
  'GET /nodes/{node}/apt/versions': (c, v) => c.packageVersions(v.node ?? ''),
  ...guestEndpoints('qemu'),
  ...guestEndpoints('lxc'),
  'GET /nodes/{node}/tasks/{upid}/status': (c, v) => c.taskStatus(v.upid ?? ''),
  'GET /nodes/{node}/tasks/{upid}/log': (c, v, p) => c.taskLog(v.upid ?? '', { start: Number(p.start ?? 0) }),
  'DELETE /nodes/{node}/tasks/{upid}': (c, v) => c.stopTask(v.upid ?? ''),
  'GET /cluster/ha/status/current': (c) => c.haStatus(),
  'GET /cluster/ha/resources': (c) => c.haResources(),
  'POST /cluster/ha/resources': (c, _v, p) =>
    c.addHaResource(String(p.sid), p.state === 'stopped' ? 'stopped' : 'started'),
  'DELETE /cluster/ha/resources/{sid}': (c, v) => c.removeHaResource(v.sid ?? ''),
  'GET /cluster/ha/rules': (c) => c.haRules(),
  'POST /cluster/ha/rules': (c, _v, p) =>
    c.createHaRule({
      rule: String(p.rule),
      type: p.type === 'resource-affinity' ? 'resource-affinity' : 'node-affinity',
      resources: String(p.resources ?? '').split(','),
      ...(p.type === 'resource-affinity'
        ? { affinity: p.affinity === 'positive' ? 'positive' : 'negative' }
        : {
            nodes: String(p.nodes ?? 'node01')
              .split(',')
              .map((entry) => {
                const [node = entry, priority] = entry.split(':');
                return priority === undefined ? { node } : { node, priority: Number(priority) };
              }),
          }),
      ...(p.strict === undefined ? {} : { strict: flag(p.strict) }),
      ...(p.comment === undefined ? {} : { comment: String(p.comment) }),
      ...(p.disable === undefined ? {} : { disable: flag(p.disable) }),
    }),
  'DELETE /cluster/ha/rules/{rule}': (c, v) => c.deleteHaRule(v.rule ?? ''),
  'GET /cluster/ha/groups': (c) => c.haGroups(),
  'GET /cluster/replication': (c) => c.replicationJobs(),
  'POST /cluster/replication': (c, _v, p) =>
    c.createReplicationJob({
      id: String(p.id),
      target: String(p.target),
      ...(p.schedule ? { schedule: String(p.schedule) } : {}),
    }),
  'GET /nodes/{node}/replication': (c, v) => c.nodeReplicationStatus(v.node ?? ''),
  'POST /nodes/{node}/replication/{id}/schedule_now': (c, v) =>
    c.scheduleReplicationNow(v.node ?? '', v.id ?? ''),
  'GET /nodes/{node}/replication/{id}/log': (c, v, p) =>
    c.replicationLog(v.node ?? '', v.id ?? '', {
      ...(p.start === undefined ? {} : { start: Number(p.start) }),
      ...(p.limit === undefined ? {} : { limit: Number(p.limit) }),
    }),
  'GET /access/permissions': (c, _v, p) =>
    c.permissions({
      ...(p.userid === undefined ? {} : { userid: String(p.userid) }),
      ...(p.path === undefined ? {} : { path: String(p.path) }),
    }),
  'GET /access/roles': (c) => c.roles(),
  'GET /access/acl': (c) => c.acl(),
  'PUT /access/acl': (c, _v, p) =>
    c.updateAcl({
      path: String(p.path),
      roles: String(p.roles ?? '').split(','),
      ...(p.users === undefined ? {} : { users: String(p.users).split(',') }),
      ...(p.groups === undefined ? {} : { groups: String(p.groups).split(',') }),
      ...(p.tokens === undefined ? {} : { tokens: String(p.tokens).split(',') }),
      ...(p.propagate === undefined ? {} : { propagate: flag(p.propagate) }),
      ...(p.delete === undefined ? {} : { delete: flag(p.delete) }),
    }),
  'GET /access/users': (c) => c.users(),
  'POST /access/users': (c, _v, p) =>
    c.createUser({
      userid: String(p.userid),
      ...(p.groups === undefined ? {} : { groups: String(p.groups).split(',') }),
      ...(p.comment === undefined ? {} : { comment: String(p.comment) }),
      ...(p.password === undefined ? {} : { password: String(p.password) }),
    }),
  'GET /access/groups': (c) => c.groups(),
  'POST /access/groups': (c, _v, p) =>
    c.createGroup({
      groupid: String(p.groupid),
      ...(p.comment === undefined ? {} : { comment: String(p.comment) }),
    }),
  'GET /cluster/notifications/endpoints/webhook': (c) => c.webhookEndpoints(),
  'GET /cluster/notifications/endpoints/webhook/{name}': (c, v) => c.webhookEndpoint(v.name ?? ''),
  'POST /cluster/notifications/endpoints/webhook': (c, _v, p) =>
    c.createWebhookEndpoint({ name: String(p.name), url: '', method: 'post', ...webhookSpec(p) }),
  'PUT /cluster/notifications/endpoints/webhook/{name}': (c, v, p) =>
    c.updateWebhookEndpoint(v.name ?? '', webhookSpec(p)),
  'GET /cluster/notifications/matchers': (c) => c.notificationMatchers(),
  'GET /cluster/notifications/matchers/{name}': (c, v) => c.notificationMatcher(v.name ?? ''),
  'POST /cluster/notifications/matchers': (c, _v, p) =>
    c.createNotificationMatcher({ name: String(p.name), ...matcherSpec(p) }),
  'PUT /cluster/notifications/matchers/{name}': (c, v, p) =>
    c.updateNotificationMatcher(v.name ?? '', matcherSpec(p)),
  'GET /cluster/notifications/targets': (c) => c.notificationTargets(),
  'POST /cluster/notifications/targets/{name}/test': (c, v) => c.testNotificationTarget(v.name ?? ''),
  'GET /cluster/notifications/matcher-fields': (c) => c.notificationMatcherFields(),
  'GET /cluster/notifications/matcher-field-values': (c) => c.notificationMatcherFieldValues(),
};
