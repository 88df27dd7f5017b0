// A real ssh2 Client for the simulator's sshd: connects to a node's own address on the shared
// SSH port with the bot's key, checks the host key against the one the simulator published, and
// runs one command at a time, collecting its output and exit status.
import type { ConnectConfig } from 'ssh2';
import ssh2 from 'ssh2';
import type { RunningSimulator } from '../../../src/sim/compose-simulator.js';

export interface ExecResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface SshConnectOptions {
  username?: string;
  privateKey?: string;
  password?: string;
  /** The host key to expect (`ssh-ed25519 AAAA…`); default: the one the simulator published. */
  hostKey?: string;
  /** Called with the host key the server presented, in `ssh-ed25519 AAAA…` form. */
  onHostKey?: (presented: string) => void;
}

/** The wire-format key inside an `ssh-ed25519 AAAA…` line. */
function keyBlob(line: string): Buffer {
  return Buffer.from(line.split(' ')[1] ?? '', 'base64');
}

export function sshConnect(
  sim: RunningSimulator,
  node: string,
  options: SshConnectOptions = {},
): Promise<ssh2.Client> {
  const expected = options.hostKey ?? sim.ssh.hostKeys[node] ?? '';
  const client = new ssh2.Client();
  const config: ConnectConfig = {
    host: sim.cluster.nodeAddress(node),
    port: sim.ssh.port,
    username: options.username ?? sim.ssh.user,
    readyTimeout: 10_000,
    hostVerifier: (key: Buffer) => {
      options.onHostKey?.(`ssh-ed25519 ${key.toString('base64')}`);
      return key.equals(keyBlob(expected));
    },
  };
  if (options.password !== undefined) config.password = options.password;
  else config.privateKey = options.privateKey ?? sim.ssh.clientPrivateKey;
  return new Promise((resolve, reject) => {
    client.once('ready', () => resolve(client));
    client.once('error', reject);
    client.connect(config);
  });
}

/** Runs one command; `onStdout` sees the output as it streams. */
export function sshExec(
  client: ssh2.Client,
  command: string,
  onStdout?: (text: string) => void,
): Promise<ExecResult> {
  return new Promise((resolve, reject) => {
    client.exec(command, (error, stream) => {
      if (error) {
        reject(error);
        return;
      }
      let stdout = '';
      let stderr = '';
      let code: number | null = null;
      stream.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
        onStdout?.(chunk.toString());
      });
      stream.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
      });
      stream.on('exit', (exitCode: number | null) => {
        code = exitCode;
      });
      stream.on('close', () => resolve({ code, stdout, stderr }));
    });
  });
}

/** Connects, runs one command, disconnects. */
export async function sshRun(sim: RunningSimulator, node: string, command: string): Promise<ExecResult> {
  const client = await sshConnect(sim, node);
  try {
    return await sshExec(client, command);
  } finally {
    client.end();
  }
}
