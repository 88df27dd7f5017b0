// A Bolt app that only acks `/pve`, in a process of its own (started by ack-own-process.ts): the
// floor Bolt itself sets for 200 concurrent acks on this machine, to set beside the product's.
// Reads BOLT_TOKEN, BOLT_SIGNING_SECRET, BOLT_API_URL and BOLT_PORT; stops on SIGTERM.
import { App, LogLevel } from '@slack/bolt';

const env = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`bare-bolt-app: ${name} is not set`);
  return value;
};

const app = new App({
  token: env('BOLT_TOKEN'),
  signingSecret: env('BOLT_SIGNING_SECRET'),
  logLevel: LogLevel.ERROR,
  clientOptions: { slackApiUrl: env('BOLT_API_URL'), retryConfig: { retries: 0 } },
});
app.command('/pve', async ({ ack }) => ack());
await app.start({ port: Number(env('BOLT_PORT')), host: '127.0.0.1' });
process.stdout.write('bare bolt app ready\n');
process.once('SIGTERM', () => {
  app.stop().then(
    () => process.exit(0),
    () => process.exit(1),
  );
});
