# syntax=docker/dockerfile:1
#
# pve-chatops as a container image (docker-compose.yml builds and runs it).
#
#   docker build -t pve-chatops .
#   docker run --rm --env-file .env -p 3000:3000 pve-chatops          # `all`: the bots and the worker
#   docker run --rm --env-file .env pve-chatops worker                # any CLI command: bot, worker, sim, …
#   docker run --rm --env-file .env pve-chatops audit verify
#
# The image runs the compiled CLI (`npm run build`: tsc -p tsconfig.build.json, src/ → dist/),
# never tsx. Node 22 is an LTS line; every dependency runs on Node >= 20.18 (package.json
# "engines"). Three stages: `build` compiles with the dev dependencies, `deps` installs the
# production dependencies only, `runtime` gets those two results and nothing else.

FROM node:22-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

FROM node:22-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
# Native modules come as prebuilt binaries for linux-x64/arm64 glibc (@resvg/resvg-js,
# msgpackr-extract); ssh2's optional cpu-features may fail to compile here, which ssh2 tolerates.
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

FROM node:22-bookworm-slim AS runtime
# The digest chart is drawn with resvg, which finds no font in a slim image: DejaVu Sans is the
# font the chart is laid out for (src/core/digest/chart-text-width.ts).
RUN apt-get update \
  && apt-get install -y --no-install-recommends fonts-dejavu-core \
  && rm -rf /var/lib/apt/lists/*
ENV NODE_ENV=production \
  PORT=3000
WORKDIR /app
# package.json: "type": "module" makes dist/*.js ES modules, and it holds the version the PVE
# client sends as its User-Agent.
COPY package.json ./
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# tsc copies no JSON: the simulator's API schema is read at run time from ../schema/ next to
# dist/sim/server/api-schema.js, i.e. dist/sim/schema/.
COPY src/sim/schema ./dist/sim/schema
# The files above stay owned by root: the app cannot change its own code. `node` is uid 1000.
USER node
EXPOSE 3000
# GET /healthz on PORT with Node's own fetch (the slim image has no curl or wget).
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/healthz', { signal: AbortSignal.timeout(4000) }).then((res) => process.exit(res.ok ? 0 : 1), () => process.exit(1))"]
# The `--` keeps node from reading the CLI's own `--env-file FILE` (`sim --env-file F`) as its
# option, as Node 20 does even after the script name; the CLI drops it (see bin/pve-chatops).
ENTRYPOINT ["node", "/app/dist/app/cli.js", "--"]
CMD ["all"]
