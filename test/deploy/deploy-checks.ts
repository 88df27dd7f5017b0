// The rules the deployment files must follow, as functions that return the problems they find
// (an empty list when all is well), so the tests can show each rule failing on a broken copy.

import { posix } from 'node:path';
import {
  execForm,
  type Instruction,
  type ProjectLayout,
  parseDockerfile,
  replayStages,
  resolveOrigin,
  type StageState,
} from './dockerfile-model.js';

export interface Expectations {
  layout: ProjectLayout;
  /** Where the compiled CLI is, relative to the package root (e.g. `dist/app/cli.js`). */
  compiledCli: string;
  /** Commands the CLI accepts. */
  commands: string[];
  /** Files under rootDir read at run time, repository-relative. */
  runtimeAssets: string[];
  minimumNodeMajor: number;
  /** The HTTP port (/healthz, /slack/events; /metrics only with METRICS_TOKEN). */
  port: number;
}

/** A command line as the CLI receives it (after the program and any `--`). */
export interface CommandLine {
  where: string;
  args: string[];
}

export interface DockerfileReport {
  problems: string[];
  final: StageState | undefined;
  /** The final stage's working directory, where the package root is. */
  appDir: string;
  /** ENTRYPOINT then CMD. */
  command: string[];
  commandLines: CommandLine[];
  healthcheck: string[] | undefined;
}

const ROOT_USERS = new Set(['root', '0']);

/** Everything after `HEALTHCHECK [--options] CMD`, as an argv; undefined for NONE or none. */
export function healthcheckCommand(instruction: Instruction | undefined): string[] | undefined {
  if (!instruction) return undefined;
  const match = /^((?:--[a-z-]+=\S+\s+)*)CMD\s+(.*)$/s.exec(instruction.args);
  if (!match) return undefined;
  return execForm(match[2]!) ?? ['/bin/sh', '-c', match[2]!];
}

/** The CLI arguments of `node <cli> [--] args…`, or a problem. */
function cliArgs(argv: string[], cliPath: string, where: string, problems: string[]): string[] | undefined {
  if (argv[0] !== 'node' && !/\/node$/.test(argv[0] ?? '')) {
    problems.push(`${where}: runs ${argv[0]}, not node (the compiled CLI, never tsx)`);
    return undefined;
  }
  if (argv[1] !== cliPath) {
    problems.push(`${where}: runs ${argv[1]}, but the build puts the CLI at ${cliPath}`);
    return undefined;
  }
  return argv[2] === '--' ? argv.slice(3) : argv.slice(2);
}

function checkCommand(args: string[] | undefined, where: string, exp: Expectations, problems: string[]) {
  const name = args?.[0];
  if (name === undefined) problems.push(`${where}: no CLI command`);
  else if (!exp.commands.includes(name)) {
    problems.push(`${where}: '${name}' is not a pve-chatops command (${exp.commands.join(', ')})`);
  }
}

export function checkDockerfile(text: string, exp: Expectations): DockerfileReport {
  const stages = parseDockerfile(text);
  const { states, problems } = replayStages(stages, exp.layout);
  const report: DockerfileReport = {
    problems,
    final: states.at(-1),
    appDir: '/',
    command: [],
    commandLines: [],
    healthcheck: undefined,
  };
  if (stages.length < 2)
    problems.push(`a multi-stage build needs at least 2 FROM stages, found ${stages.length}`);
  const names = new Set<string>();
  for (const stage of stages) {
    if (!stage.name) problems.push(`stage ${stage.index} (FROM ${stage.image}) has no AS name`);
    else if (names.has(stage.name)) problems.push(`two stages are named ${stage.name}`);
    else names.add(stage.name);
    if (stage.name && names.has(stage.image)) continue; // FROM an earlier stage
    const node = /^(?:docker\.io\/(?:library\/)?)?node:(\d+)(?:[.-]|$)/.exec(stage.image);
    if (!node) {
      problems.push(
        `stage ${stage.name ?? stage.index}: FROM ${stage.image} is not a Node image with a major version tag`,
      );
      continue;
    }
    const major = Number(node[1]);
    if (major < exp.minimumNodeMajor) {
      problems.push(
        `FROM ${stage.image}: Node ${major} is older than package.json's engines (>= ${exp.minimumNodeMajor})`,
      );
    }
    if (major % 2 !== 0) problems.push(`FROM ${stage.image}: Node ${major} is not an LTS line (odd major)`);
  }
  const final = report.final;
  if (!final) return report;
  const finalName = final.stage.name ?? String(final.stage.index);
  const appDir = final.workdir;
  report.appDir = appDir;
  const at = (path: string) => resolveOrigin(final.mounts, posix.join(appDir, path));

  // What the final stage holds: the compiled CLI from a build stage, production dependencies
  // only, package.json ("type": "module"), and the files the code reads at run time.
  if (final.runs.some((run) => /\bnpm run build\b/.test(run))) {
    problems.push(
      `the final stage (${finalName}) builds; it should copy the build output from a build stage`,
    );
  }
  const cli = at(exp.compiledCli);
  const cliInBuild = posix.relative(exp.layout.outDir, exp.compiledCli);
  if (cli?.kind !== 'build' || cli.path !== cliInBuild) {
    problems.push(`the final stage has no ${posix.join(appDir, exp.compiledCli)} from \`npm run build\``);
  }
  const deps = at('node_modules');
  if (deps?.kind !== 'deps') problems.push(`the final stage has no node_modules from npm ci in ${appDir}`);
  else if (!deps.production) problems.push('the final stage has the dev dependencies: use npm ci --omit=dev');
  const pkg = at('package.json');
  if (pkg?.kind !== 'context' || pkg.path !== 'package.json') {
    problems.push(
      `the final stage has no ${appDir}/package.json (its "type": "module" makes the .js files ES modules)`,
    );
  }
  for (const asset of exp.runtimeAssets) {
    const inImage = posix.join(exp.layout.outDir, posix.relative(exp.layout.rootDir, asset));
    const origin = at(inImage);
    if (origin?.kind !== 'context' || origin.path !== asset) {
      problems.push(
        `${asset} is read at run time from ${posix.join(appDir, inImage)}, which the final stage lacks`,
      );
    }
  }
  if (!final.runs.some((run) => /apt-get install\b[^&;]*\bfonts-dejavu-core\b/.test(run))) {
    problems.push('the final stage does not install fonts-dejavu-core (the digest chart needs a font)');
  }

  if (!final.user) problems.push('the final stage has no USER: it would run as root');
  else if (ROOT_USERS.has(final.user.split(':')[0]!)) problems.push(`the final stage runs as ${final.user}`);

  if (!final.exposed.some((port) => port.replace(/\/tcp$/, '') === String(exp.port))) {
    problems.push(`the final stage does not EXPOSE ${exp.port}`);
  }

  const cliPath = posix.join(appDir, exp.compiledCli);
  const entrypoint = final.entrypoint;
  if (!entrypoint) problems.push('no ENTRYPOINT');
  else if (entrypoint[0] === '/bin/sh')
    problems.push('ENTRYPOINT must use the exec form (signals reach node)');
  else {
    const extra = cliArgs(entrypoint, cliPath, 'ENTRYPOINT', problems);
    if (extra && extra.length > 0)
      problems.push(`ENTRYPOINT passes ${extra.join(' ')}: leave the command to CMD`);
  }
  if (!final.cmd) problems.push('no CMD');
  else if (final.cmd[0] === '/bin/sh') problems.push('CMD must use the exec form');
  else {
    checkCommand(final.cmd, 'CMD', exp, problems);
    report.commandLines.push({ where: 'Dockerfile CMD', args: final.cmd });
  }
  report.command = [...(entrypoint ?? []), ...(final.cmd ?? [])];

  report.healthcheck = healthcheckCommand(final.healthcheck);
  problems.push(...healthcheckProblems(report.healthcheck, 'HEALTHCHECK', exp));
  return report;
}

/** The app's health check: GET /healthz on PORT with node (slim images have no curl). */
export function healthcheckProblems(argv: string[] | undefined, where: string, exp: Expectations): string[] {
  if (!argv) return [`${where}: missing (it should GET /healthz)`];
  const text = argv.join(' ');
  const problems: string[] = [];
  if (argv[0] !== 'node') problems.push(`${where}: runs ${argv[0]}; only node is in the image`);
  if (!text.includes('/healthz')) problems.push(`${where}: does not GET /healthz`);
  if (!/\bPORT\b/.test(text)) problems.push(`${where}: ignores PORT (default ${exp.port})`);
  return problems;
}

// --- docker-compose.yml ---------------------------------------------------------------------

/** Keys the Compose Specification defines (compose-spec/schema/compose-spec.json). */
const TOP_LEVEL_KEYS = new Set([
  'version',
  'name',
  'include',
  'services',
  'networks',
  'volumes',
  'secrets',
  'configs',
  'models',
]);
const SERVICE_KEYS = new Set(
  (
    'annotations attach blkio_config build cap_add cap_drop cgroup cgroup_parent command configs container_name ' +
    'cpu_count cpu_percent cpu_period cpu_quota cpu_rt_period cpu_rt_runtime cpu_shares cpus cpuset ' +
    'credential_spec depends_on deploy develop device_cgroup_rules devices dns dns_opt dns_search domainname ' +
    'entrypoint env_file environment expose extends external_links extra_hosts gpus group_add healthcheck ' +
    'hostname image init ipc isolation label_file labels links logging mac_address mem_limit mem_reservation ' +
    'mem_swappiness memswap_limit models network_mode networks oom_kill_disable oom_score_adj pid pids_limit ' +
    'platform ports post_start pre_stop privileged profiles provider pull_policy read_only restart runtime ' +
    'scale secrets security_opt shm_size stdin_open stop_grace_period stop_signal storage_opt sysctls tmpfs ' +
    'tty ulimits use_api_socket user userns_mode uts volumes volumes_from working_dir'
  ).split(' '),
);
const HEALTHCHECK_KEYS = new Set([
  'disable',
  'interval',
  'retries',
  'test',
  'timeout',
  'start_period',
  'start_interval',
]);
const DEPENDS_ON_KEYS = new Set(['condition', 'restart', 'required']);
const CONDITIONS = new Set(['service_started', 'service_healthy', 'service_completed_successfully']);
const VOLUME_KEYS = new Set(['driver', 'driver_opts', 'external', 'labels', 'name']);

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** A duration as Compose writes it (`1m30s`, `60s`, `500ms`), in seconds. */
export function durationSeconds(text: string): number | undefined {
  const units: Record<string, number> = { us: 1e-6, ms: 1e-3, s: 1, m: 60, h: 3600 };
  let total = 0;
  const rest = text.replace(/(\d+(?:\.\d+)?)(us|ms|s|m|h)/g, (_, value: string, unit: string) => {
    total += Number(value) * units[unit]!;
    return '';
  });
  return rest === '' && text !== '' ? total : undefined;
}

function argv(value: unknown): string[] | undefined {
  if (typeof value === 'string') return value.split(/\s+/).filter((word) => word !== '');
  if (Array.isArray(value) && value.every((item) => typeof item === 'string')) return value;
  return undefined;
}

function environment(value: unknown): Record<string, string> {
  if (Array.isArray(value)) {
    return Object.fromEntries(
      value.map((item) => {
        const [key, ...rest] = String(item).split('=');
        return [key!, rest.join('=')];
      }),
    );
  }
  if (isObject(value))
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, v == null ? '' : String(v)]));
  return {};
}

/** `source:target[:mode]` and the long form, for named volumes. */
function namedVolumeMounts(value: unknown): { source: string; target: string }[] {
  if (!Array.isArray(value)) return [];
  const mounts: { source: string; target: string }[] = [];
  for (const item of value) {
    if (typeof item === 'string') {
      const [source, target] = item.split(':');
      if (source && target && !/^[./~]/.test(source)) mounts.push({ source, target });
    } else if (isObject(item) && item.type === 'volume' && typeof item.source === 'string') {
      mounts.push({ source: item.source, target: String(item.target) });
    }
  }
  return mounts;
}

function publishedPorts(value: unknown): { published?: string; target: string }[] {
  if (!Array.isArray(value)) return [];
  return value.map((item) => {
    if (isObject(item)) {
      const port: { published?: string; target: string } = { target: String(item.target) };
      if (item.published !== undefined) port.published = String(item.published);
      return port;
    }
    const parts = String(item)
      .replace(/\/(tcp|udp)$/, '')
      .split(':');
    const target = parts.at(-1)!;
    return parts.length > 1 ? { published: parts.at(-2)!, target } : { target };
  });
}

export interface ComposeReport {
  problems: string[];
  commandLines: CommandLine[];
  /** Each app service's health check test, for running it. */
  healthchecks: { service: string; test: string[] }[];
}

/**
 * Checks a parsed docker-compose.yml (YAML merge keys resolved). `image` is what the Dockerfile's
 * final stage provides: its default command and its app directory.
 */
export function checkCompose(doc: unknown, exp: Expectations, image: { command: string[] }): ComposeReport {
  const report: ComposeReport = { problems: [], commandLines: [], healthchecks: [] };
  const problems = report.problems;
  if (!isObject(doc)) return { ...report, problems: ['docker-compose.yml is not a mapping'] };
  for (const key of Object.keys(doc)) {
    if (!TOP_LEVEL_KEYS.has(key) && !key.startsWith('x-')) problems.push(`unknown top-level key ${key}`);
  }
  const services = isObject(doc.services) ? doc.services : {};
  const volumes = isObject(doc.volumes) ? doc.volumes : {};
  if (Object.keys(services).length === 0) problems.push('no services');
  for (const [name, definition] of Object.entries(volumes)) {
    for (const key of Object.keys(isObject(definition) ? definition : {})) {
      if (!VOLUME_KEYS.has(key)) problems.push(`volume ${name}: unknown key ${key}`);
    }
  }

  // The image's command line: ENTRYPOINT node <cli> --, CMD all. A service's `command` replaces CMD.
  const entrypointEnd = image.command.indexOf('--') + 1 || 2;
  const cliCommand = (service: Json) => argv(service.command) ?? image.command.slice(entrypointEnd);

  const ours = (service: Json) => service.build !== undefined || service.image === appImage(services);
  const byCommand = (command: string) =>
    Object.entries(services).filter(([, s]) => isObject(s) && ours(s) && cliCommand(s)[0] === command) as [
      string,
      Json,
    ][];

  for (const [name, value] of Object.entries(services)) {
    if (!isObject(value)) {
      problems.push(`service ${name} is not a mapping`);
      continue;
    }
    const service = value;
    const where = `service ${name}`;
    for (const key of Object.keys(service)) {
      if (!SERVICE_KEYS.has(key) && !key.startsWith('x-')) problems.push(`${where}: unknown key ${key}`);
    }
    if (service.image === undefined && service.build === undefined)
      problems.push(`${where}: neither image nor build`);
    const build = service.build;
    const context = typeof build === 'string' ? build : isObject(build) ? build.context : undefined;
    if (build !== undefined && context !== '.' && context !== './') {
      problems.push(`${where}: builds from ${String(context)}, not the repository's Dockerfile`);
    }
    if (isObject(build) && build.dockerfile !== undefined && build.dockerfile !== 'Dockerfile') {
      problems.push(`${where}: builds ${String(build.dockerfile)}`);
    }
    const healthcheck = service.healthcheck;
    if (!isObject(healthcheck) || argv(healthcheck.test) === undefined)
      problems.push(`${where}: no healthcheck`);
    else {
      for (const key of Object.keys(healthcheck)) {
        if (!HEALTHCHECK_KEYS.has(key)) problems.push(`${where}: unknown healthcheck key ${key}`);
      }
    }
    const dependsOn = service.depends_on;
    for (const [target, condition] of Object.entries(isObject(dependsOn) ? dependsOn : {})) {
      if (!isObject(services[target]))
        problems.push(`${where}: depends on ${target}, which is not a service`);
      for (const key of Object.keys(isObject(condition) ? condition : {})) {
        if (!DEPENDS_ON_KEYS.has(key)) problems.push(`${where}: depends_on.${target}: unknown key ${key}`);
      }
      if (!isObject(condition) || !CONDITIONS.has(String(condition.condition))) {
        problems.push(`${where}: depends_on.${target} has no valid condition`);
      }
    }
    if (Array.isArray(dependsOn)) problems.push(`${where}: depends_on without conditions`);
    for (const mount of namedVolumeMounts(service.volumes)) {
      if (!(mount.source in volumes))
        problems.push(`${where}: volume ${mount.source} is not declared under volumes`);
    }
    const networkMode = service.network_mode;
    if (typeof networkMode === 'string' && networkMode.startsWith('service:')) {
      if (!isObject(services[networkMode.slice(8)])) problems.push(`${where}: network_mode names no service`);
      if (service.ports !== undefined)
        problems.push(`${where}: ports cannot be published with network_mode ${networkMode}`);
    }
    if (service.restart !== 'unless-stopped')
      problems.push(`${where}: restart is ${String(service.restart)}, not unless-stopped`);
    if (!ours(service)) continue;

    // An app service: the CLI from the image.
    const args = cliCommand(service);
    checkCommand(args, where, exp, problems);
    report.commandLines.push({ where: `docker-compose.yml ${name}`, args });
    if (args[0] === 'sim') continue; // the simulator needs neither Redis nor .env
    // env_file: a path, a list of paths, or a list of { path, required } entries.
    const envFiles =
      argv(service.env_file) ??
      (Array.isArray(service.env_file)
        ? service.env_file.map((f) => (isObject(f) ? String(f.path) : String(f)))
        : []);
    if (!envFiles.includes('.env')) problems.push(`${where}: env_file does not include .env`);
    const redis = redisService(services);
    const redisUrl = environment(service.environment).REDIS_URL;
    if (!redis) problems.push('no redis service');
    else if (redisUrl !== `redis://${redis}:6379`) {
      problems.push(`${where}: REDIS_URL is ${String(redisUrl)}, not redis://${redis}:6379`);
    }
    const onRedis = isObject(dependsOn) && redis ? dependsOn[redis] : undefined;
    if (!isObject(onRedis) || onRedis.condition !== 'service_healthy') {
      problems.push(`${where}: does not wait for redis to be healthy (depends_on condition service_healthy)`);
    }
    if (isObject(healthcheck)) {
      const test = argv(healthcheck.test) ?? [];
      const command =
        test[0] === 'CMD'
          ? test.slice(1)
          : test[0] === 'CMD-SHELL'
            ? ['/bin/sh', '-c', ...test.slice(1)]
            : test;
      problems.push(...healthcheckProblems(command, `${where} healthcheck`, exp));
      report.healthchecks.push({ service: name, test: command });
    }
    const grace = durationSeconds(String(service.stop_grace_period ?? '10s'));
    if (grace === undefined || grace < 30) {
      problems.push(
        `${where}: stop_grace_period ${String(service.stop_grace_period ?? '10s (default)')} is too short for a graceful stop`,
      );
    }
  }

  // Redis: append-only persistence on a named volume, a health check with redis-cli.
  const redis = redisService(services);
  if (redis) {
    const service = services[redis] as Json;
    const major = /^redis:(\d+)/.exec(String(service.image))?.[1];
    if (!major || Number(major) < 7)
      problems.push(`redis: image ${String(service.image)} is not redis:7 or newer`);
    const command = (argv(service.command) ?? []).join(' ');
    if (!/--appendonly\s+yes\b/.test(command)) problems.push('redis: no --appendonly yes (persistence)');
    if (!namedVolumeMounts(service.volumes).some((mount) => mount.target === '/data')) {
      problems.push('redis: /data is not on a named volume');
    }
    const test = (argv(isObject(service.healthcheck) ? service.healthcheck.test : undefined) ?? []).join(' ');
    if (!/redis-cli.*\bping\b/.test(test)) problems.push('redis: the healthcheck is not redis-cli ping');
  }

  // The shapes: `all` by default, `bot` + `worker` under split, the simulator under simulator.
  const profiles = (service: Json) => argv(service.profiles) ?? [];
  const defaults = byCommand('all').filter(([, s]) => profiles(s).length === 0);
  if (defaults.length !== 1)
    problems.push(`want one profile-less service running all, found ${defaults.length}`);
  for (const [, service] of defaults) {
    if (!publishedPorts(service.ports).some((port) => port.target === String(exp.port))) {
      problems.push(`the default service does not publish port ${exp.port}`);
    }
  }
  for (const command of ['bot', 'worker']) {
    const found = byCommand(command);
    if (found.length === 0) problems.push(`no service runs ${command}`);
    for (const [name, service] of found) {
      if (!profiles(service).includes('split'))
        problems.push(`service ${name} (${command}) is not in profile split`);
    }
  }
  for (const [name, service] of [...byCommand('worker'), ...byCommand('bot')]) {
    if (service.container_name !== undefined)
      problems.push(`service ${name}: container_name prevents --scale`);
    if (publishedPorts(service.ports).some((port) => port.published !== undefined)) {
      problems.push(`service ${name}: a published host port prevents --scale`);
    }
  }
  // The bots scale, so another service of the profile publishes the port Slack's HTTP requests reach.
  const front = Object.entries(services).filter(
    ([, s]) =>
      isObject(s) &&
      profiles(s).includes('split') &&
      publishedPorts(s.ports).some(
        (port) => port.target === String(exp.port) && port.published !== undefined,
      ),
  );
  if (front.length !== 1) {
    problems.push(
      `want one service in profile split publishing port ${exp.port} in front of the bots, found ${front.length}`,
    );
  }
  problems.push(...simulatorProblems(services, volumes, byCommand, profiles, cliCommand));
  return report;
}

function appImage(services: Json): unknown {
  for (const service of Object.values(services))
    if (isObject(service) && service.build !== undefined) return service.image;
  return undefined;
}

function redisService(services: Json): string | undefined {
  return Object.entries(services).find(([, s]) => isObject(s) && /^redis:/.test(String(s.image)))?.[0];
}

function optionValue(args: string[], option: string): string | undefined {
  const i = args.indexOf(option);
  return i >= 0 ? args[i + 1] : undefined;
}

function simulatorProblems(
  services: Json,
  volumes: Json,
  byCommand: (command: string) => [string, Json][],
  profiles: (service: Json) => string[],
  cliCommand: (service: Json) => string[],
): string[] {
  const problems: string[] = [];
  const sims = byCommand('sim');
  if (sims.length !== 1) return [`want one service running sim, found ${sims.length}`];
  const [simName, sim] = sims[0]!;
  if (!profiles(sim).includes('simulator')) problems.push(`service ${simName} is not in profile simulator`);
  const envFile = optionValue(cliCommand(sim), '--env-file');
  if (!envFile?.startsWith('/'))
    return [...problems, `service ${simName}: sim without --env-file /absolute/path`];
  const dir = posix.dirname(envFile);
  const volumeAt = (service: Json) =>
    namedVolumeMounts(service.volumes).find((mount) => mount.target === dir)?.source;
  const shared = volumeAt(sim);
  if (!shared || !(shared in volumes))
    problems.push(`service ${simName}: ${dir} is not on a named volume the app can mount`);
  // The simulator's nodes listen on loopback addresses: the app must share its network.
  const apps = Object.entries(services).filter(
    ([, s]) =>
      isObject(s) &&
      profiles(s).includes('simulator') &&
      ['all', 'bot', 'worker'].includes(cliCommand(s)[0] ?? ''),
  ) as [string, Json][];
  if (apps.length === 0) problems.push('no app service in profile simulator uses the simulator');
  for (const [name, app] of apps) {
    const where = `service ${name}`;
    if (optionValue(cliCommand(app), '--env-file') !== envFile)
      problems.push(`${where}: does not read --env-file ${envFile}`);
    if (volumeAt(app) !== shared) problems.push(`${where}: does not mount ${shared} at ${dir}`);
    if (app.network_mode !== `service:${simName}`) {
      problems.push(
        `${where}: network_mode is not service:${simName} (the simulated nodes listen on loopback)`,
      );
    }
    const dependsOn = isObject(app.depends_on) ? app.depends_on[simName] : undefined;
    if (!isObject(dependsOn) || dependsOn.condition !== 'service_healthy') {
      problems.push(`${where}: does not wait for ${simName} to be healthy (its env file written)`);
    }
  }
  return problems;
}

// --- the systemd unit -----------------------------------------------------------------------

export type Unit = Map<string, Map<string, string[]>>;

/** systemd's INI dialect: [Section], Key=Value (repeatable), # and ; comments, `\` continuation. */
export function parseUnit(text: string): { unit: Unit; problems: string[] } {
  const unit: Unit = new Map();
  const problems: string[] = [];
  let section: Map<string, string[]> | undefined;
  const lines = text.replace(/\\\r?\n/g, ' ').split(/\r?\n/);
  lines.forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) return;
    const header = /^\[([A-Za-z]+)\]$/.exec(line);
    if (header) {
      section = new Map();
      unit.set(header[1]!, section);
      return;
    }
    const entry = /^([A-Za-z][A-Za-z0-9]*)\s*=\s*(.*)$/.exec(line);
    if (!entry || !section) {
      problems.push(`line ${i + 1}: not Key=Value inside a section: ${line}`);
      return;
    }
    section.set(entry[1]!, [...(section.get(entry[1]!) ?? []), entry[2]!]);
  });
  return { unit, problems };
}

/** systemd's time span (`60`, `60s`, `1min 30s`, `2m`), in seconds. */
export function timeSpanSeconds(text: string): number | undefined {
  if (/^\d+$/.test(text.trim())) return Number(text);
  const units: Record<string, number> = { ms: 1e-3, s: 1, sec: 1, m: 60, min: 60, h: 3600, hr: 3600 };
  let total = 0;
  const rest = text.replace(/(\d+)\s*(ms|sec|s|min|m|hr|h)\b/g, (_, value: string, unit: string) => {
    total += Number(value) * units[unit]!;
    return '';
  });
  return rest.trim() === '' ? total : undefined;
}

export interface UnitReport {
  problems: string[];
  commandLines: CommandLine[];
  /** Where the unit expects the package (ExecStart's path minus the compiled CLI path). */
  installDir: string | undefined;
}

export function checkUnit(text: string, exp: Expectations): UnitReport {
  const { unit, problems } = parseUnit(text);
  const report: UnitReport = { problems, commandLines: [], installDir: undefined };
  for (const name of ['Unit', 'Service', 'Install'])
    if (!unit.has(name)) problems.push(`no [${name}] section`);
  const get = (section: string, key: string) => unit.get(section)?.get(key)?.at(-1);
  const words = (section: string, key: string) =>
    (unit.get(section)?.get(key) ?? []).flatMap((value) => value.split(/\s+/)).filter((w) => w !== '');
  const yes = (value: string | undefined) => ['yes', 'true', 'on', '1'].includes(value ?? '');

  if (get('Service', 'Type') !== 'simple') problems.push(`Type is ${get('Service', 'Type')}, not simple`);
  const user = get('Service', 'User');
  if (!user && !yes(get('Service', 'DynamicUser'))) problems.push('no User=: it would run as root');
  else if (user && ROOT_USERS.has(user)) problems.push(`runs as ${user}`);
  if (!get('Service', 'EnvironmentFile')) problems.push('no EnvironmentFile=');

  const execStart = get('Service', 'ExecStart')?.split(/\s+/) ?? [];
  if (execStart.length === 0) problems.push('no ExecStart=');
  else if (!execStart[0]!.startsWith('/'))
    problems.push(`ExecStart runs ${execStart[0]}: systemd wants an absolute path`);
  else {
    const script = execStart[1] ?? '';
    const installDir = script.endsWith(`/${exp.compiledCli}`)
      ? script.slice(0, -exp.compiledCli.length - 1)
      : undefined;
    report.installDir = installDir;
    if (!installDir?.startsWith('/')) {
      problems.push(
        `ExecStart runs ${script}, not <install dir>/${exp.compiledCli} (where the build puts the CLI)`,
      );
    } else {
      const args = cliArgs(execStart, script, 'ExecStart', problems);
      checkCommand(args, 'ExecStart', exp, problems);
      if (args) report.commandLines.push({ where: 'pve-chatops.service ExecStart', args });
      const workdir = get('Service', 'WorkingDirectory');
      if (workdir !== undefined && workdir !== installDir) {
        problems.push(`WorkingDirectory ${workdir} is not the install dir ${installDir}`);
      }
    }
  }
  if (!['on-failure', 'always'].includes(get('Service', 'Restart') ?? ''))
    problems.push('Restart= is not on-failure');
  if (get('Service', 'KillSignal') !== 'SIGTERM') problems.push('KillSignal= is not SIGTERM');
  const stop = timeSpanSeconds(get('Service', 'TimeoutStopSec') ?? '90');
  if (stop === undefined || stop < 30)
    problems.push(`TimeoutStopSec=${get('Service', 'TimeoutStopSec')} is too short for a graceful stop`);
  if (!yes(get('Service', 'NoNewPrivileges'))) problems.push('no NoNewPrivileges=yes');
  if (!['strict', 'full', 'yes', 'true'].includes(get('Service', 'ProtectSystem') ?? ''))
    problems.push('no ProtectSystem=strict');
  if (!['yes', 'true', 'read-only', 'tmpfs'].includes(get('Service', 'ProtectHome') ?? ''))
    problems.push('no ProtectHome=');
  if (!yes(get('Service', 'PrivateTmp'))) problems.push('no PrivateTmp=yes');
  for (const key of ['After', 'Wants']) {
    if (!words('Unit', key).includes('network-online.target'))
      problems.push(`${key}= lacks network-online.target`);
  }
  if (!words('Install', 'WantedBy').includes('multi-user.target'))
    problems.push('not WantedBy=multi-user.target');
  return report;
}
