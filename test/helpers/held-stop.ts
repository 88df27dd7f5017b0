// A process whose clean stop never ends, held while a dist-upgrade "runs" until stdin says
// `finished`: what exitIfNotStoppedWithin does then, as its output lines.
import { exitIfNotStoppedWithin } from '../../src/wait-for-stop-signal.js';

let upgrading = true;
process.stdin.on('data', (chunk) => {
  if (chunk.toString().includes('finished')) {
    upgrading = false;
    process.stdout.write('upgrade finished\n');
  }
});
// The stop that never finishes (Redis stopped under it).
setInterval(() => undefined, 60_000);
exitIfNotStoppedWithin({
  graceMs: 50,
  holdWhile: () => (upgrading ? ['apt-get dist-upgrade on node03'] : []),
  onHold: (holding) => process.stdout.write(`holding for ${holding.join(', ')}\n`),
  onOverdue: () => process.stdout.write('overdue: exiting\n'),
});
