// Puts the platform (TLS, one HTTPS server and one sshd per node, auth, schema checks, faults)
// around a cluster domain. The domain comes in as functions so the platform can be tested with
// a small fake; `startSimulator` in simulator.ts passes the real ones.

import { randomBytes, randomUUID } from 'node:crypto';
import { type Logger, silentLogger } from '../logger.js';
import { type FaultableCluster, SimFaults } from './faults.js';
import { loadApiSchema } from './server/api-schema.js';
import { SimAuth } from './server/auth.js';
import {
  createClusterCertificates,
  createImpostorCertificate,
  type NodeCertificate,
} from './server/certificates.js';
import { createRequestListener } from './server/create-request-listener.js';
import type { RequestFaultState } from './server/handle-api-request.js';
import { NodeServer } from './server/node-server.js';
import { SimRouteRegistry } from './server/route-registry.js';
import { SimCommandRegistry } from './ssh/command-registry.js';
import { SshClientFiles, type SshEnvFiles } from './ssh/ssh-client-files.js';
import { generateEd25519 } from './ssh/ssh-keys.js';
import { SimSshServers } from './ssh/ssh-servers.js';
import type {
  CommandRegistry,
  PveVersion,
  RecordedRequest,
  RecordedSshCommand,
  RouteRegistry,
} from './types.js';

export type { SshEnvFiles } from './ssh/ssh-client-files.js';

/** What the platform needs from the domain's cluster object. */
export interface SimClusterHandle extends FaultableCluster {
  close(): void;
  /** Optional: lets `/nodes/{node}/certificates/info` show the real PEM. */
  setNodeCertificatePem?(node: string, pem: string): void;
  /** Optional: lets `/nodes/{node}/certificates/info` show the cluster CA (pve-root-ca.pem). */
  setCaCertificatePem?(pem: string): void;
}

export interface SimulatorOptions {
  /** Number of nodes (default 3: node01..node03). */
  nodes?: number;
  /** Number of guests; the domain's default when absent. */
  guests?: number;
  /** The PVE cluster name (the domain's default, MonCluster, when absent). */
  clusterName?: string;
  /** The node names' prefix (the domain's default, `node`: node01…, when absent). */
  nodePrefix?: string;
  /**
   * The third octet of the first node's address, 127.20.<addressBlock>.101 (the domain's
   * default, 1, when absent): a second simulator in the same process takes another block.
   */
  addressBlock?: number;
  /**
   * The PVE release the cluster answers as (default 9.1): its official API schema checks the
   * requests (a 9.x-only path answers 501 on 8.4) and the domain shapes its answers after it.
   */
  pveVersion?: PveVersion;
  /** Port on every node's address (default 8006); 0 picks a free port per node. */
  port?: number;
  /** SSH port, the same on every node's address (default 0: a free one, the same on all nodes). */
  sshPort?: number;
  /** How many times faster than real time simulated durations run (default 1). */
  speed?: number;
  /** The API token's secret; a random UUID per start when absent. */
  tokenSecret?: string;
  /** root@pam's password for ticket logins; random per start when absent. */
  rootPassword?: string;
  /** How long 401 answers are held, as pveproxy does (default 3000 ms). */
  authFailureDelayMs?: number;
  /** How many requests `requests` keeps, newest last (default 100,000). */
  maxRecordedRequests?: number;
  logger?: Logger;
}

/** What the platform asks the domain's cluster to be. */
export interface ClusterOptions {
  nodes: number;
  guests?: number;
  name?: string;
  nodePrefix?: string;
  addressBlock?: number;
  speed: number;
  pveVersion: PveVersion;
}

export interface SimulatorDomain<C extends SimClusterHandle> {
  createCluster(options: ClusterOptions): C;
  registerRoutes(registry: RouteRegistry, cluster: C): void;
  /** The command lines the nodes' sshd runs; without it every command is refused (127). */
  registerCommands?(registry: CommandRegistry, cluster: C): void;
}

/** How to reach the nodes' sshd: what SSH_USER, SSH_PORT, SSH_KEY_FILE and SSH_KNOWN_HOSTS hold. */
export interface SimSshAccess {
  /** The same port on every node's address. */
  port: number;
  user: 'root';
  /** The key the bot logs in with (OpenSSH PEM, unencrypted). */
  clientPrivateKey: string;
  /** Its public half, `ssh-ed25519 AAAA…` (root's authorized_keys on every node). */
  clientPublicKey: string;
  /** One line per node: `[127.20.1.101]:PORT,[node01]:PORT ssh-ed25519 AAAA…`. */
  knownHosts: string;
  /** Each node's host key as published at start-up, `ssh-ed25519 AAAA…` (not changed by faults). */
  hostKeys: Record<string, string>;
}

export interface RunningSimulator<C extends SimClusterHandle = SimClusterHandle> {
  clusterName: string;
  /** `https://<address>:<port>` per node, in node order. */
  hosts: string[];
  nodes: string[];
  tokenId: string;
  tokenSecret: string;
  /** A read-only token (the PVEAuditor role on `/`): PVE's permission checks apply to it. */
  auditorTokenId: string;
  auditorTokenSecret: string;
  /** Each node's certificate fingerprint (`AA:BB:…`), in node order. */
  fingerprints: string[];
  /** The cluster CA (pve-root-ca.pem): trusting it verifies every node by address or name. */
  caPem: string;
  rootPassword: string;
  faults: SimFaults;
  cluster: C;
  /** The answered requests, oldest first (the newest `maxRecordedRequests`). */
  requests: RecordedRequest[];
  ssh: SimSshAccess;
  /** Every command line run over SSH, refused ones included, oldest first. */
  sshCommands: RecordedSshCommand[];
  /**
   * The PVE_* and SSH_* variables that point the product at this simulator. SSH_KEY_FILE and
   * SSH_KNOWN_HOSTS name `files` when given (the caller wrote them, see writeSimEnvFile), else
   * files the simulator writes into a private temporary directory and removes on stop().
   */
  env(files?: SshEnvFiles): Record<string, string>;
  /** Closes servers, connections and timers; safe to call twice. */
  stop(): Promise<void>;
}

export const DEFAULT_TOKEN_ID = 'chatops@pve!bot';
export const AUDITOR_TOKEN_ID = 'chatops@pve!audit';

export async function composeSimulator<C extends SimClusterHandle>(
  options: SimulatorOptions,
  domain: SimulatorDomain<C>,
): Promise<RunningSimulator<C>> {
  const nodeCount = options.nodes ?? 3;
  const speed = options.speed ?? 1;
  const port = options.port ?? 8006;
  const sshPort = options.sshPort ?? 0;
  if (!Number.isInteger(nodeCount) || nodeCount < 1) throw new RangeError(`nodes must be a positive integer`);
  if (!(speed > 0)) throw new RangeError('speed must be greater than 0');
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new RangeError(`port must be 0..65535`);
  if (!Number.isInteger(sshPort) || sshPort < 0 || sshPort > 65535)
    throw new RangeError(`sshPort must be 0..65535`);
  const pveVersion = options.pveVersion ?? '9.1';
  if (pveVersion !== '8.4' && pveVersion !== '9.1')
    throw new RangeError(`pveVersion must be '8.4' or '9.1', got '${String(pveVersion)}'`);
  const logger = options.logger ?? silentLogger;

  const clusterOptions: ClusterOptions = { nodes: nodeCount, speed, pveVersion };
  if (options.guests !== undefined) clusterOptions.guests = options.guests;
  if (options.clusterName !== undefined) clusterOptions.name = options.clusterName;
  if (options.nodePrefix !== undefined) clusterOptions.nodePrefix = options.nodePrefix;
  if (options.addressBlock !== undefined) clusterOptions.addressBlock = options.addressBlock;
  const cluster = domain.createCluster(clusterOptions);
  const schema = loadApiSchema(pveVersion);
  const registry = new SimRouteRegistry(schema);
  const abort = new AbortController();
  const nodes = cluster.nodeNames();
  const servers = new Map<string, NodeServer>();
  let ssh: SimSshServers | undefined;
  try {
    domain.registerRoutes(registry, cluster);
    const commands = new SimCommandRegistry();
    domain.registerCommands?.(commands, cluster);
    const certificates = await createClusterCertificates(
      nodes.map((name) => ({ name, address: cluster.nodeAddress(name) })),
    );
    const tokenSecret = options.tokenSecret ?? randomUUID();
    const rootPassword = options.rootPassword ?? randomBytes(12).toString('base64url');
    const auditorTokenSecret = randomUUID();
    const auth = new SimAuth({
      tokenId: DEFAULT_TOKEN_ID,
      tokenSecret,
      auditor: { tokenId: AUDITOR_TOKEN_ID, tokenSecret: auditorTokenSecret },
      rootPassword,
      clusterName: cluster.name,
      ...(cluster.access ? { access: cluster.access } : {}),
    });
    const state: RequestFaultState = { latencyMs: 0, rejectAuth: false, apiDown: new Set() };
    const requests: RecordedRequest[] = [];
    const onRequest = createRequestListener({
      schema,
      registry,
      auth,
      cluster,
      faults: state,
      logger,
      requests,
      maxRecordedRequests: options.maxRecordedRequests ?? 100_000,
      authFailureDelayMs: options.authFailureDelayMs ?? 3000,
      signal: abort.signal,
    });

    cluster.setCaCertificatePem?.(certificates.caPem);
    for (const node of nodes) {
      const leaf = certificates.nodes.get(node);
      if (!leaf) throw new Error(`no certificate was made for node ${node}`);
      cluster.setNodeFingerprint(node, leaf.fingerprint);
      cluster.setNodeCertificatePem?.(node, leaf.certPem);
      servers.set(
        node,
        new NodeServer({
          node,
          address: leaf.address,
          port,
          certPem: leaf.certPem,
          keyPem: leaf.keyPem,
          onRequest,
        }),
      );
    }

    let stopped = false;
    const syncListener = async (node: string): Promise<void> => {
      const server = servers.get(node);
      if (!server || stopped) return;
      const wanted = cluster.isNodeOnline(node) && !faults.isApiDown(node);
      await (wanted ? server.open() : server.close());
    };
    const impostors = new Map<string, NodeCertificate>();
    const useImpostorCertificate = async (node: string, impostor: boolean): Promise<void> => {
      const server = servers.get(node);
      const real = certificates.nodes.get(node);
      if (!server || !real) return;
      let fake = impostors.get(node);
      if (impostor && !fake) {
        fake = await createImpostorCertificate(node, real.address);
        impostors.set(node, fake);
      }
      const served = impostor && fake ? fake : real;
      server.useCertificate(served.certPem, served.keyPem);
    };
    const clientKey = generateEd25519();
    const sshCommands: RecordedSshCommand[] = [];
    const syncSsh = async (node: string): Promise<void> => {
      if (!ssh || stopped) return;
      await ssh.sync(node, cluster.isNodeOnline(node) && !faults.isSshDown(node));
    };
    const faults = new SimFaults({
      cluster,
      state,
      syncListener,
      useImpostorCertificate,
      syncSsh,
      changeSshHostKey: (node) => {
        if (!ssh) throw new Error('SSH is not running');
        return ssh.changeHostKey(node);
      },
    });
    // Power changes also come from the domain itself (a reboot via the API), not only from faults.
    cluster.onNodeOnlineChange((node, online) => {
      logger.info({ node, online }, online ? 'simulated node is up' : 'simulated node is down');
      Promise.all([syncListener(node), syncSsh(node)]).catch((error: unknown) => {
        logger.error({ node, err: String(error) }, 'could not follow a node power change');
      });
    });
    // One node after the other, so that with port 8006 a busy address fails early and clearly.
    for (const node of nodes) await syncListener(node);
    ssh = await SimSshServers.start({
      nodes: nodes.map((node) => ({ node, address: cluster.nodeAddress(node) })),
      port: sshPort,
      user: 'root',
      clientKey,
      registry: commands,
      record: sshCommands,
      setApiRunning: (node, running) => faults.setPveproxyRunning(node, running),
      logger,
    });
    for (const node of nodes) await syncSsh(node);
    const sshAccess: SimSshAccess = {
      port: ssh.port,
      user: 'root',
      clientPrivateKey: clientKey.privateKey,
      clientPublicKey: clientKey.publicKey,
      knownHosts: ssh.knownHosts(),
      hostKeys: Object.fromEntries([...ssh.hostKeys].map(([node, key]) => [node, key.publicKey])),
    };
    const clientFiles = new SshClientFiles(sshAccess.clientPrivateKey, sshAccess.knownHosts);

    const serverList = nodes.map((node) => servers.get(node) as NodeServer);
    const hosts = serverList.map((server) => server.url);
    const fingerprints = nodes.map((node) => certificates.nodes.get(node)?.fingerprint ?? '');
    return {
      clusterName: cluster.name,
      hosts,
      nodes,
      tokenId: DEFAULT_TOKEN_ID,
      tokenSecret,
      auditorTokenId: AUDITOR_TOKEN_ID,
      auditorTokenSecret,
      fingerprints,
      caPem: certificates.caPem,
      rootPassword,
      faults,
      cluster,
      requests,
      ssh: sshAccess,
      sshCommands,
      env: (files) => {
        const sshFiles = files ?? clientFiles.files();
        return {
          PVE_HOSTS: hosts.join(','),
          PVE_TOKEN_ID: DEFAULT_TOKEN_ID,
          PVE_TOKEN_SECRET: tokenSecret,
          PVE_FINGERPRINTS: fingerprints.join(','),
          SSH_USER: sshAccess.user,
          SSH_PORT: String(sshAccess.port),
          SSH_KEY_FILE: sshFiles.keyFile,
          SSH_KNOWN_HOSTS: sshFiles.knownHostsFile,
        };
      },
      stop: async () => {
        if (stopped) return;
        stopped = true;
        abort.abort();
        await Promise.all([...serverList.map((server) => server.destroy()), ssh?.destroy()]);
        cluster.close();
        await clientFiles.remove();
      },
    };
  } catch (error) {
    abort.abort();
    await Promise.all([...[...servers.values()].map((server) => server.destroy()), ssh?.destroy()]);
    cluster.close();
    throw error;
  }
}
