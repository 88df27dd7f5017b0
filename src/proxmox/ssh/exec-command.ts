// Runs one command line on a ready connection: output line by line as it arrives, the exit status
// at the end, and the caller's timeout and abort. A non-zero exit is a result, not an error.
import { constants } from 'node:os';
import type { Client, ClientChannel } from 'ssh2';
import type { Logger } from '../../logger.js';
import { LineSplitter } from './line-splitter.js';
import { SshError } from './ssh-error.js';

export interface SshResult {
  /** The command's exit status; 128 + the signal number when a signal ended it (as shells report). */
  exitCode: number;
  /** The signal that ended the command (`SIGTERM`), when one did. */
  signal?: string;
  /** Its last 20 non-blank output lines, stdout and stderr interleaved as they arrived. */
  tail: string[];
}

export type OutputStream = 'stdout' | 'stderr';

export interface ExecOptions {
  onLine?: (line: string, stream: OutputStream) => void;
  timeoutMs: number;
  signal?: AbortSignal;
}

export type ExecOutcome =
  | { kind: 'done'; result: SshResult }
  /** The connection was gone before the exec request left: nothing ran, another one may try. */
  | { kind: 'not-sent'; cause: unknown };

export const TAIL_LINES = 20;

// ssh2's error for a channel open cut short by the connection closing: the exec request is only
// sent once the channel is open, so this one proves the command never reached the node.
const CHANNEL_NEVER_OPENED = 'No response from server';

/** The command's exit as SshResult reports it; undefined when the server sent no exit status. */
function exitOf(
  code: number | null | undefined,
  signal: string | undefined,
): Omit<SshResult, 'tail'> | undefined {
  if (typeof code === 'number') return { exitCode: code };
  if (!signal) return undefined;
  const number = (constants.signals as Record<string, number | undefined>)[signal];
  return { exitCode: number === undefined ? 255 : 128 + number, signal };
}

export function execCommand(
  client: Client,
  line: string,
  context: { node: string; logger: Logger },
  options: ExecOptions,
): Promise<ExecOutcome> {
  const { node, logger } = context;
  return new Promise<ExecOutcome>((resolve, reject) => {
    const tail: string[] = [];
    let settled = false;
    let channel: ClientChannel | undefined;
    let connectionClosed = false;

    const onConnectionClose = () => {
      connectionClosed = true;
    };
    const finish = (outcome: ExecOutcome | SshError) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      client.off('close', onConnectionClose);
      if (outcome instanceof SshError) reject(outcome);
      else resolve(outcome);
    };
    // Abort and timeout end the command: TERM if the server honours signal requests (OpenSSH
    // does), then the channel is closed, which also ends it on servers that ignore the signal.
    const stop = (error: SshError) => {
      if (channel) {
        try {
          channel.signal('TERM');
        } catch {
          // The channel is already closing.
        }
        channel.close();
      }
      finish(error);
    };
    const onAbort = () =>
      stop(
        new SshError({
          code: 'SSH_ABORTED',
          node,
          tail: [...tail],
          message: `\`${line}\` on ${node} was aborted`,
        }),
      );
    const timer = setTimeout(
      () =>
        stop(
          new SshError({
            code: 'SSH_TIMEOUT',
            node,
            tail: [...tail],
            message: `\`${line}\` on ${node} did not finish within ${options.timeoutMs} ms; it was stopped`,
          }),
        ),
      options.timeoutMs,
    );
    options.signal?.addEventListener('abort', onAbort, { once: true });
    client.on('close', onConnectionClose);

    const lineFrom = (stream: OutputStream) => (text: string) => {
      if (text.trim() !== '') {
        tail.push(text);
        if (tail.length > TAIL_LINES) tail.shift();
      }
      logger.debug({ node, stream, line: text }, 'ssh output');
      try {
        options.onLine?.(text, stream);
      } catch (error) {
        // A caller's bug must not break the stream or throw out of an ssh2 event handler.
        logger.warn({ node, error: String(error) }, 'ssh onLine callback threw; output continues');
      }
    };

    const follow = (stream: ClientChannel) => {
      channel = stream;
      const stdout = new LineSplitter(lineFrom('stdout'));
      const stderr = new LineSplitter(lineFrom('stderr'));
      let exit: Omit<SshResult, 'tail'> | undefined;
      let openStreams = 2;
      // The result waits for both stdout and stderr to end, so no line is lost to the race
      // between the two streams' last chunks.
      const streamClosed = (splitter: LineSplitter) => () => {
        splitter.flush();
        if (--openStreams > 0) return;
        if (exit) {
          finish({ kind: 'done', result: { ...exit, tail: [...tail] } });
          return;
        }
        finish(
          new SshError({
            code: 'SSH_CONNECTION',
            node,
            tail: [...tail],
            message: connectionClosed
              ? `the SSH connection to ${node} dropped while \`${line}\` ran: it may have finished or not`
              : `${node} closed \`${line}\` without an exit status`,
          }),
        );
      };
      stream.on('data', (chunk: Buffer) => stdout.push(chunk));
      stream.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
      stream.on('exit', (code: number | null, signal?: string) => {
        exit = exitOf(code, signal);
      });
      stream.once('close', streamClosed(stdout));
      stream.stderr.once('close', streamClosed(stderr));
    };

    logger.debug({ node, command: line }, 'ssh exec');
    try {
      client.exec(line, (error, stream) => {
        if (settled) {
          // Aborted or timed out while the server was still opening the channel.
          stream?.close();
          return;
        }
        if (!error) {
          follow(stream);
          return;
        }
        if (error.message === CHANNEL_NEVER_OPENED) {
          finish({ kind: 'not-sent', cause: error });
          return;
        }
        finish(
          new SshError({
            code: 'SSH_CONNECTION',
            node,
            cause: error,
            message: `${node} did not run \`${line}\`: ${error.message}`,
          }),
        );
      });
    } catch (error) {
      // ssh2 throws "Not connected" when the socket is already gone: nothing was sent.
      finish({ kind: 'not-sent', cause: error });
    }
  });
}
