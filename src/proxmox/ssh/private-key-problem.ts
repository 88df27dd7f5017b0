// The private key is checked once, up front, so a bad SSH_KEY_FILE is reported by name instead of
// as an authentication failure on every node.
// ssh2 is CommonJS; Node's ESM loader cannot see its named exports, only the default one.
import ssh2 from 'ssh2';

/** Why this key cannot log in, or undefined when ssh2 can use it. */
export function privateKeyProblem(privateKey: string | Buffer, keyFile: string): string | undefined {
  const parsed = ssh2.utils.parseKey(privateKey);
  if (parsed instanceof Error) return `${keyFile} cannot be used as an SSH private key: ${parsed.message}`;
  const key = Array.isArray(parsed) ? parsed[0] : parsed;
  if (!key || key.getPrivatePEM() === null) {
    return `${keyFile} holds no private key (is it the .pub half?)`;
  }
  return undefined;
}
