// A discord.js client that only defers `/pve`, in a process of its own (started by
// discord-ack.ts): the floor discord.js itself sets for 200 concurrent acks on this machine, to
// set beside the product's. Reads DISCORD_TOKEN and DISCORD_API_URL (the fake's REST, which
// also names its gateway); stops on SIGTERM.
import { Client, Events, GatewayIntentBits } from 'discord.js';

const env = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`bare-discord-client: ${name} is not set`);
  return value;
};

const client = new Client({ intents: [GatewayIntentBits.Guilds], rest: { api: env('DISCORD_API_URL') } });
client.on(Events.InteractionCreate, (interaction) => {
  if (interaction.isChatInputCommand()) interaction.deferReply().catch(() => undefined);
});
client.once(Events.ClientReady, () => process.stdout.write('bare discord client ready\n'));
await client.login(env('DISCORD_TOKEN'));
process.once('SIGTERM', () => {
  client.destroy().then(
    () => process.exit(0),
    () => process.exit(1),
  );
});
