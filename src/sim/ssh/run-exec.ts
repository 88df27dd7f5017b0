// One `ssh root@node 'command'`: the line is looked up in the registry, the handler's output is
// streamed over the channel, the exit status sent; and every line is recorded, refused or not,
// so tests can assert what ran and that nothing else did.
import type { ServerChannel } from 'ssh2';
import type { Logger } from '../../logger.js';
import type { RecordedSshCommand } from '../types.js';
import type { SimCommandRegistry } from './command-registry.js';

/** What sshd answers for a line that is not one of the fixed commands (as a missing binary: 127). */
export const NOT_ALLOWED_EXIT = 127;

export interface ExecRequest {
  node: string;
  command: string;
  channel: ServerChannel;
  /** Aborted when the connection closes: the command dies without an exit status. */
  signal: AbortSignal;
}

export interface ExecEnvironment {
  registry: SimCommandRegistry;
  record: RecordedSshCommand[];
  setApiRunning(node: string, running: boolean): Promise<void>;
  logger: Logger;
}

export async function runExec(request: ExecRequest, env: ExecEnvironment): Promise<void> {
  const { node, command, channel, signal } = request;
  const entry: RecordedSshCommand = { node, command, exitCode: null, at: Date.now() };
  env.record.push(entry);
  // Once the connection is gone nothing may be written to it any more.
  const writer = (stream: NodeJS.WritableStream) => (text: string) => {
    if (!signal.aborted) stream.write(text);
  };
  const stdout = writer(channel);
  const stderr = writer(channel.stderr);
  const match = env.registry.match(command);
  let exitCode: number;
  if (!match) {
    stderr(`pve-sim: command not allowed: ${command}\n`);
    exitCode = NOT_ALLOWED_EXIT;
  } else {
    try {
      exitCode = await match.handler({
        node,
        command,
        args: match.args,
        stdout,
        stderr,
        signal,
        setApiRunning: (running) => env.setApiRunning(node, running),
      });
    } catch (error) {
      if (signal.aborted) return;
      // A handler that throws is a bug in the simulator: fail the command visibly, as a crash would.
      const message = error instanceof Error ? error.message : String(error);
      env.logger.error(
        { node, command, err: error instanceof Error ? error.stack : message },
        'SSH command failed',
      );
      stderr(`pve-sim: internal error: ${message}\n`);
      exitCode = 1;
    }
  }
  if (signal.aborted) return;
  entry.exitCode = exitCode;
  channel.exit(exitCode);
  channel.end();
}
