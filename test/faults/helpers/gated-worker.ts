// `pve-chatops worker`, started in two halves so that a fault test has the next worker ready the
// moment it kills one: this process loads the worker's modules first, then waits for a line on
// standard input, and only then runs src/app/cli.ts with `worker`, as bin/pve-chatops does. Nothing
// touches Redis or PVE before that line. When the test process goes away (its end of the pipe
// closes), this process goes too.
import '../../../src/app/run-worker-command.js';

process.stdin.once('data', () => {
  process.argv = [process.argv[0] ?? 'node', 'pve-chatops', '--', 'worker', '--env-file', '/nonexistent'];
  void import('../../../src/app/cli.js');
});
process.stdin.once('end', () => process.exit(0));
