// The deployment files (Dockerfile, .dockerignore, docker-compose.yml, the systemd unit) checked
// against the project: the compiled CLI path tsconfig.build.json gives, the CLI's real commands,
// package.json's engines. No Docker engine or systemd is needed; each rule is also shown to fail
// on a broken copy of the file.

import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import {
  type CommandLine,
  checkCompose,
  checkDockerfile,
  checkUnit,
  durationSeconds,
  type Expectations,
  timeSpanSeconds,
} from './deploy-checks.js';
import {
  commandsFromUsage,
  compiledCliPath,
  dockerignoreMatcher,
  minimumNodeMajor,
  projectLayout,
  readRepoFile,
  repoRoot,
  runCli,
  runCliAsync,
  runtimeAssets,
} from './project-facts.js';

const usage = runCli(['--help']);
const exp: Expectations = {
  layout: projectLayout(),
  compiledCli: compiledCliPath(),
  commands: commandsFromUsage(usage.stdout),
  runtimeAssets: runtimeAssets(),
  minimumNodeMajor: minimumNodeMajor(),
  port: 3000,
};

const dockerfile = readRepoFile('Dockerfile');
const composeText = readRepoFile('docker-compose.yml');
const loadCompose = (text: string): unknown => parseYaml(text, { merge: true });
const unitText = readRepoFile('deploy/pve-chatops.service');
const image = () => checkDockerfile(dockerfile, exp);

describe('what the deployment files are checked against', () => {
  it('reads the CLI commands from its help, and the ones we deploy exist', () => {
    expect(usage.status).toBe(0);
    expect(exp.commands).toEqual(expect.arrayContaining(['all', 'bot', 'worker', 'sim']));
  });

  it('computes the compiled CLI from tsconfig.build.json, where bin/pve-chatops looks for it too', () => {
    expect(exp.compiledCli).toMatch(/\.js$/);
    expect(exp.compiledCli.startsWith(`${exp.layout.outDir}/`)).toBe(true);
    expect(readRepoFile('bin/pve-chatops')).toContain(`/../${exp.compiledCli}"`);
  });

  it('knows the files the code reads at run time (the simulator API schema)', () => {
    expect(exp.runtimeAssets).toEqual(expect.arrayContaining(['src/sim/schema/pve-api-9.1.json']));
  });

  it('parses durations as Compose and systemd write them', () => {
    expect(durationSeconds('1m30s')).toBe(90);
    expect(durationSeconds('60s')).toBe(60);
    expect(durationSeconds('soon')).toBeUndefined();
    expect(timeSpanSeconds('60')).toBe(60);
    expect(timeSpanSeconds('1min 30s')).toBe(90);
    expect(timeSpanSeconds('infinity')).toBeUndefined();
  });
});

describe('Dockerfile', () => {
  it('passes every rule', () => {
    expect(image().problems).toEqual([]);
  });

  it('runs the compiled CLI from the app directory as a non-root user, `all` by default', () => {
    const report = image();
    expect(report.command.slice(0, 2)).toEqual(['node', `${report.appDir}/${exp.compiledCli}`]);
    expect(report.final?.user).toBe('node');
    expect(report.commandLines).toEqual([{ where: 'Dockerfile CMD', args: ['all'] }]);
  });

  const edit = (from: string | RegExp, to: string) => {
    const changed = dockerfile.replace(from, to);
    expect(changed, `the Dockerfile should contain ${from}`).not.toBe(dockerfile);
    return changed;
  };
  it.each([
    [
      'a wrong entry point path',
      () => edit(`/app/${compiledCliPath()}`, '/app/dist/src/app/cli.js'),
      /puts the CLI at/,
    ],
    ['the entry point run by tsx', () => edit('"node", "/app/', '"tsx", "/app/'), /not node/],
    [
      'a shell-form entry point',
      () => edit(/ENTRYPOINT \[.*\]/, 'ENTRYPOINT node /app/dist/app/cli.js'),
      /exec form/,
    ],
    ['root', () => edit(/^USER node$/m, 'USER root'), /runs as root/],
    ['no USER', () => edit(/^USER node$/m, ''), /no USER/],
    ['one stage', () => edit(/^FROM[\s\S]*(?=^FROM .* AS runtime)/m, ''), /at least 2 FROM stages/],
    ['an unnamed stage', () => edit(' AS build', ''), /no AS name|names no earlier stage/],
    ['Node older than the engines', () => edit(/node:22-/g, 'node:18-'), /older than package.json's engines/],
    ['a non-LTS Node', () => edit(/node:22-/g, 'node:23-'), /not an LTS line/],
    ['no health check', () => edit(/^HEALTHCHECK[^\n]*\\\n[^\n]*\n/m, ''), /HEALTHCHECK: missing/],
    [
      'a health check with curl',
      () => edit(/CMD \["node", "-e".*\]/, 'CMD curl -f http://127.0.0.1:3000/healthz'),
      /only node/,
    ],
    ['the schema not copied', () => edit(/^COPY src\/sim\/schema .*$/m, ''), /read at run time/],
    [
      'the schema copied where the code does not look',
      () => edit('./dist/sim/schema', './sim/schema'),
      /read at run time/,
    ],
    ['no package.json (type: module)', () => edit(/^COPY package.json \.\/$/m, ''), /no \/app\/package.json/],
    ['dev dependencies in the image', () => edit('npm ci --omit=dev', 'npm ci'), /dev dependencies/],
    ['npm install', () => edit('npm ci --omit=dev', 'npm install --omit=dev'), /not npm install/],
    ['no build output', () => edit(/^COPY --from=build .*$/m, ''), /no \/app\/dist\/app\/cli.js/],
    [
      'a build before its sources',
      () => edit(/^COPY src \.\/src\n(RUN npm run build)$/m, '$1\nCOPY src ./src'),
      /before src is copied/,
    ],
    [
      'a copy from a stage that lacks it',
      () => edit('--from=build /app/dist', '--from=deps /app/dist'),
      /does not exist in stage deps/,
    ],
    ['an unknown CMD', () => edit('CMD ["all"]', 'CMD ["serve"]'), /'serve' is not a pve-chatops command/],
    ['no fonts', () => edit(' fonts-dejavu-core', ' ca-certificates'), /fonts-dejavu-core/],
    ['port 3000 not exposed', () => edit(/^EXPOSE 3000$/m, 'EXPOSE 8080'), /EXPOSE 3000/],
  ])('fails with %s', (_, broken, problem) => {
    expect(checkDockerfile(broken(), exp).problems.join('\n')).toMatch(problem);
  });

  it('fails when .dockerignore keeps the sources out of the build context', () => {
    const layout = { ...exp.layout, ignored: (path: string) => path === 'src' || exp.layout.ignored(path) };
    expect(checkDockerfile(dockerfile, { ...exp, layout }).problems.join('\n')).toMatch(
      /src is excluded by .dockerignore/,
    );
  });
});

describe('.dockerignore', () => {
  const ignored = dockerignoreMatcher(readRepoFile('.dockerignore'));

  it('keeps dependencies, git, builds and secrets out of the build context', () => {
    for (const path of [
      'node_modules',
      'node_modules/yaml/package.json',
      'src/node_modules/x',
      '.git/HEAD',
      '.env',
      'sim.env',
      'sim.env.ssh_key',
      'dist/app/cli.js',
      'coverage/index.html',
    ]) {
      expect(ignored(path), path).toBe(true);
    }
  });

  it('lets through what the image is built from', () => {
    for (const path of [
      'package.json',
      'package-lock.json',
      'tsconfig.json',
      'tsconfig.build.json',
      'src/app/cli.ts',
    ]) {
      expect(ignored(path), path).toBe(false);
    }
  });

  it('reads patterns as Docker does', () => {
    const match = dockerignoreMatcher('**/node_modules\n*.log\n!keep.log\nsecret/\n');
    expect(match('a/b/node_modules/c')).toBe(true);
    expect(match('x.log')).toBe(true);
    expect(match('keep.log')).toBe(false);
    expect(match('src/x.log')).toBe(false);
    expect(match('secret/key')).toBe(true);
    expect(match('secrets')).toBe(false);
  });
});

describe('docker-compose.yml', () => {
  const compose = () => checkCompose(loadCompose(composeText), exp, { command: image().command });
  type Doc = { services: Record<string, Record<string, unknown>>; volumes?: Record<string, unknown> };
  const changed = (change: (doc: Doc) => void) => {
    const doc = loadCompose(composeText) as Doc;
    change(doc);
    return checkCompose(doc, exp, { command: image().command }).problems.join('\n');
  };

  it('parses as YAML with merge keys and passes every rule', () => {
    expect(compose().problems).toEqual([]);
  });

  it('runs all by default, bot and worker under split, the simulator and an app on it under simulator', () => {
    const doc = loadCompose(composeText) as Doc;
    const summary = Object.fromEntries(
      Object.entries(doc.services).map(([name, s]) => [name, { command: s.command, profiles: s.profiles }]),
    );
    expect(summary).toMatchObject({
      redis: { profiles: undefined },
      'pve-chatops': { command: ['all'], profiles: undefined },
      bot: { command: ['bot'], profiles: ['split'] },
      worker: { command: ['worker'], profiles: ['split'] },
      'bot-lb': { command: undefined, profiles: ['split'] },
      sim: { command: ['sim', '--env-file', '/shared/sim.env'], profiles: ['simulator'] },
      'pve-chatops-sim': { command: ['all', '--env-file', '/shared/sim.env'], profiles: ['simulator'] },
    });
    // Merged from x-app: every app service gets the same configuration.
    for (const name of ['pve-chatops', 'bot', 'worker', 'pve-chatops-sim']) {
      expect(doc.services[name], name).toMatchObject({
        build: '.',
        env_file: '.env',
        environment: { REDIS_URL: 'redis://redis:6379' },
        depends_on: { redis: { condition: 'service_healthy' } },
        restart: 'unless-stopped',
      });
    }
  });

  it.each<[string, (doc: Doc) => void, RegExp]>([
    ['no append-only file', (d) => (d.services.redis!.command = ['redis-server']), /appendonly yes/],
    ['redis without a volume', (d) => delete d.services.redis!.volumes, /\/data is not on a named volume/],
    ['an undeclared volume', (d) => delete d.volumes!['redis-data'], /redis-data is not declared/],
    ['redis 6', (d) => (d.services.redis!.image = 'redis:6'), /not redis:7/],
    [
      'a redis health check without ping',
      (d) => (d.services.redis!.healthcheck = { test: ['CMD', 'true'] }),
      /redis-cli ping/,
    ],
    [
      'an unknown CLI command',
      (d) => (d.services['pve-chatops']!.command = ['serve']),
      /'serve' is not a pve-chatops command/,
    ],
    [
      'no default all',
      (d) => (d.services['pve-chatops']!.profiles = ['prod']),
      /one profile-less service running all/,
    ],
    ['bot outside split', (d) => delete d.services.bot!.profiles, /bot \(bot\) is not in profile split/],
    ['no worker', (d) => delete d.services.worker, /no service runs worker/],
    ['a worker that cannot scale', (d) => (d.services.worker!.container_name = 'worker'), /prevents --scale/],
    [
      'a bot that cannot scale',
      (d) => (d.services.bot!.ports = ['3000:3000']),
      /service bot: a published host port prevents --scale/,
    ],
    [
      'nothing in front of the bots',
      (d) => delete d.services['bot-lb'],
      /want one service in profile split publishing port 3000 in front of the bots, found 0/,
    ],
    ['no .env', (d) => delete d.services.bot!.env_file, /bot: env_file does not include .env/],
    [
      'a REDIS_URL to localhost',
      (d) => (d.services.worker!.environment = { REDIS_URL: 'redis://127.0.0.1:6379' }),
      /REDIS_URL is redis:\/\/127/,
    ],
    [
      'no wait for redis',
      (d) => (d.services.worker!.depends_on = { redis: { condition: 'service_started' } }),
      /redis to be healthy/,
    ],
    [
      'a bad condition',
      (d) => (d.services.worker!.depends_on = { redis: { condition: 'healthy' } }),
      /no valid condition/,
    ],
    ['no health check', (d) => delete d.services.bot!.healthcheck, /bot: no healthcheck/],
    [
      'a health check on /',
      (d) => (d.services.bot!.healthcheck = { test: ['CMD', 'node', '-e', 'fetch(process.env.PORT)'] }),
      /\/healthz/,
    ],
    [
      'an invented key',
      (d) => (d.services.bot!.healthcheck = { test: ['CMD', 'true'], every: '5s' }),
      /unknown healthcheck key every/,
    ],
    ['an invented service key', (d) => (d.services.bot!.replicas = 2), /bot: unknown key replicas/],
    ['no restart policy', (d) => delete d.services.worker!.restart, /worker: restart is undefined/],
    ['a 10 s stop', (d) => (d.services.worker!.stop_grace_period = '10s'), /too short/],
    ['sim outside the profile', (d) => delete d.services.sim!.profiles, /sim is not in profile simulator/],
    ['sim not writing an env file', (d) => (d.services.sim!.command = ['sim']), /sim without --env-file/],
    [
      'the app in its own network',
      (d) => delete d.services['pve-chatops-sim']!.network_mode,
      /network_mode is not service:sim/,
    ],
    [
      'the app without the shared volume',
      (d) => delete d.services['pve-chatops-sim']!.volumes,
      /does not mount sim-shared/,
    ],
    [
      'the app reading another file',
      (d) => (d.services['pve-chatops-sim']!.command = ['all']),
      /--env-file \/shared\/sim.env/,
    ],
    ['a build from elsewhere', (d) => (d.services.bot!.build = './other'), /not the repository's Dockerfile/],
  ])('fails with %s', (_, change, problem) => {
    expect(changed(change)).toMatch(problem);
  });

  it('rejects duplicate keys instead of silently keeping the last', () => {
    expect(() => loadCompose('services:\n  a: {image: x}\n  a: {image: y}\n')).toThrow();
  });
});

describe("deploy/bot-lb.nginx.conf, the bots' load balancer (bot-lb)", () => {
  const conf = readRepoFile('deploy/bot-lb.nginx.conf');
  const doc = loadCompose(composeText) as { services: Record<string, Record<string, unknown>> };
  const lb = doc.services['bot-lb']!;

  it("is what bot-lb mounts as nginx's server, on the port it publishes, and checks /healthz there", () => {
    expect(lb.volumes).toContain('./deploy/bot-lb.nginx.conf:/etc/nginx/conf.d/default.conf:ro');
    expect(lb.ports).toEqual([`${exp.port}:${exp.port}`]);
    expect(conf).toMatch(new RegExp(`^\\s*listen ${exp.port};$`, 'm'));
    expect((lb.healthcheck as { test: string[] }).test.join(' ')).toContain(
      `http://127.0.0.1:${exp.port}/healthz`,
    );
  });

  it("sends every request to the bot service, looked up in Docker's DNS while running (follows --scale)", () => {
    const bots = Object.entries(doc.services).find(
      ([, s]) => (s.command as string[] | undefined)?.[0] === 'bot',
    );
    expect(bots?.[0]).toBe('bot');
    expect(conf).toMatch(/^resolver 127\.0\.0\.11 valid=\d+s/m);
    const upstream = /^\s*set \$(\w+) http:\/\/(\w[\w-]*):(\d+);$/m.exec(conf);
    expect(upstream?.slice(2)).toEqual(['bot', String(exp.port)]);
    expect(conf).toMatch(new RegExp(`^\\s*proxy_pass \\$${upstream?.[1]};$`, 'm'));
    // Slack's request, once sent to a replica, is never sent to another.
    expect(conf).not.toMatch(/non_idempotent/);
  });

  const nginx = spawnSync('nginx', ['-v'], { encoding: 'utf8' });
  it.runIf(nginx.status === 0)('is accepted by nginx -t (when installed)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bot-lb-'));
    const main = join(dir, 'nginx.conf');
    // The image's nginx.conf around it, reduced: temporary files under `dir` rather than the
    // distribution's compiled-in paths, which need not exist here.
    const temp = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map(
      (kind) => `  ${kind}_temp_path ${dir}/${kind};\n`,
    );
    writeFileSync(
      main,
      `pid ${dir}/nginx.pid;\nerror_log stderr;\nevents {}\nhttp {\n  access_log off;\n${temp.join('')}  include ${repoRoot}deploy/bot-lb.nginx.conf;\n}\n`,
    );
    const result = spawnSync('nginx', ['-t', '-q', '-e', 'stderr', '-p', dir, '-c', main], {
      encoding: 'utf8',
    });
    expect(`${result.stdout}${result.stderr}`.trim()).toBe('');
    expect(result.status).toBe(0);
  });
});

describe('deploy/pve-chatops.service', () => {
  it('passes every rule and runs the compiled CLI where the unit installs it', () => {
    const report = checkUnit(unitText, exp);
    expect(report.problems).toEqual([]);
    expect(report.installDir).toBe('/opt/pve-chatops');
    expect(report.commandLines).toEqual([{ where: 'pve-chatops.service ExecStart', args: ['all'] }]);
  });

  const edit = (from: string | RegExp, to: string) => {
    const changed = unitText.replace(from, to);
    expect(changed, `the unit should contain ${from}`).not.toBe(unitText);
    return changed;
  };
  it.each([
    [
      'a wrong CLI path',
      () => edit(`/${compiledCliPath()} all`, '/src/app/cli.js all'),
      /where the build puts the CLI/,
    ],
    [
      'the TypeScript source',
      () => edit(`/${compiledCliPath()} all`, '/src/app/cli.ts all'),
      /where the build puts the CLI/,
    ],
    [
      'an unknown command',
      () => edit(`${compiledCliPath()} all`, `${compiledCliPath()} serve`),
      /'serve' is not/,
    ],
    ['node by name', () => edit('ExecStart=/usr/bin/node', 'ExecStart=node'), /absolute path/],
    ['root', () => edit(/^User=.*$/m, 'User=root'), /runs as root/],
    ['no user', () => edit(/^User=.*$/m, ''), /no User=/],
    ['a short stop timeout', () => edit(/^TimeoutStopSec=.*$/m, 'TimeoutStopSec=5'), /too short/],
    ['no [Install]', () => edit(/^\[Install\][\s\S]*$/m, ''), /no \[Install\]/],
    ['no hardening', () => edit(/^ProtectSystem=.*$/m, ''), /ProtectSystem=strict/],
    [
      'no network-online',
      () => edit(/^Wants=.*$/m, 'Wants=redis-server.service'),
      /Wants= lacks network-online/,
    ],
    [
      'another working directory',
      () => edit(/^WorkingDirectory=.*$/m, 'WorkingDirectory=/srv'),
      /not the install dir/,
    ],
    ['text outside a section', () => `garbage\n${unitText}`, /not Key=Value inside a section/],
  ])('fails with %s', (_, broken, problem) => {
    expect(checkUnit(broken(), exp).problems.join('\n')).toMatch(problem);
  });

  const analyze = spawnSync('systemd-analyze', ['--version'], { encoding: 'utf8' });
  it.runIf(analyze.status === 0)('is accepted by systemd-analyze verify (when installed)', () => {
    const result = spawnSync('systemd-analyze', ['verify', `${repoRoot}deploy/pve-chatops.service`], {
      encoding: 'utf8',
    });
    // Only complaints about the unit itself: /usr/bin/node or the user may not exist here.
    const complaints = `${result.stdout}${result.stderr}`
      .split('\n')
      .filter((line) => /Unknown|Invalid|Failed to parse|Missing|bad-setting/i.test(line));
    expect(complaints).toEqual([]);
  });
});

describe('every deployed command line', () => {
  const lines = (): CommandLine[] => [
    ...image().commandLines,
    ...checkCompose(loadCompose(composeText), exp, { command: image().command }).commandLines,
    ...checkUnit(unitText, exp).commandLines,
  ];

  it('covers all, bot, worker and sim', () => {
    expect(new Set(lines().map((line) => line.args[0]))).toEqual(new Set(['all', 'bot', 'worker', 'sim']));
  });

  it('is accepted by the CLI, options included (each run with --help, which starts nothing)', async () => {
    const unique = new Map(lines().map((line) => [line.args.join(' '), line]));
    const runs = await Promise.all(
      [...unique.values()].map(async (line) => ({ line, run: await runCliAsync([...line.args, '--help']) })),
    );
    for (const { line, run } of runs) {
      const what = `${line.where}: ${line.args.join(' ')}`;
      expect(run.status, `${what}\n${run.stderr}`).toBe(0);
      expect(run.stdout, what).toMatch(/^Usage: pve-chatops /);
    }
  });

  it('would be refused if it named no command or an unknown option', async () => {
    const [unknownCommand, unknownOption] = await Promise.all([
      runCliAsync(['serve', '--help']),
      runCliAsync(['sim', '--listen', '0.0.0.0', '--help']),
    ]);
    expect(unknownCommand.status).toBe(2);
    expect(unknownOption.status).toBe(2);
  });
});

describe('the health checks', () => {
  let server: Server;
  let port = 0;
  let healthStatus = 200;
  beforeAll(async () => {
    server = createServer((req, res) => {
      res.statusCode = req.url === '/healthz' ? healthStatus : 404;
      res.end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  /** Runs a health check command like Docker does, with PORT as in the container. */
  const run = (argv: string[]) =>
    new Promise<number>((resolve) => {
      const [program, ...args] = argv;
      execFile(
        program === 'node' ? process.execPath : program!,
        args,
        { env: { ...process.env, PORT: String(port) }, timeout: 10_000 },
        (error) => resolve(error ? Number((error as { code?: unknown }).code ?? 1) || 1 : 0),
      );
    });

  const checks = () => [
    { where: 'Dockerfile HEALTHCHECK', test: image().healthcheck! },
    ...checkCompose(loadCompose(composeText), exp, { command: image().command }).healthchecks.map((h) => ({
      where: `docker-compose.yml ${h.service}`,
      test: h.test,
    })),
  ];

  it('pass when GET /healthz on PORT answers 200, and fail when it answers 503', async () => {
    expect(checks().length).toBeGreaterThanOrEqual(5);
    for (const { where, test } of checks()) {
      healthStatus = 200;
      expect(await run(test), where).toBe(0);
      healthStatus = 503;
      expect(await run(test), where).toBe(1);
    }
  });

  it('fail when nothing listens', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const unused = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const test = image().healthcheck!;
    const code = await new Promise<number>((resolve) =>
      execFile(process.execPath, test.slice(1), { env: { ...process.env, PORT: String(unused) } }, (error) =>
        resolve(error ? 1 : 0),
      ),
    );
    expect(code).toBe(1);
  });
});
