# syntax=docker/dockerfile:1
# Mi Correo Institucional: one image for the web process (default command) and the worker (node dist/src/worker.js).
# compose.yaml beside this file runs it with MariaDB, Redis and nginx.

ARG NODE_IMAGE=node:20-bookworm-slim

# Compilers for the native modules (argon2, better-sqlite3) when no prebuilt binary fits; build stages only.
FROM ${NODE_IMAGE} AS toolchain
RUN apt-get update \
  && apt-get install -y --no-install-recommends python3 make g++ \
  && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./

# Every dependency, then tsc (tsconfig.build.json: src, machines, ormconfig.ts → dist/).
FROM toolchain AS build
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ormconfig.ts ./
COPY machines ./machines
COPY src ./src
RUN npm run build

# Production dependencies only, compiled here so the final image needs no compiler.
FROM toolchain AS prod-deps
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

FROM ${NODE_IMAGE}
ENV NODE_ENV=production \
  PORT=3000 \
  DATA_DIR=/var/lib/mci
WORKDIR /app
COPY package.json package-lock.json ./
COPY --from=prod-deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# What the compiled code reads from disk (tsc copies no data files), found from /app (the folder of package.json,
# src/config/project-root.ts): templates/ (pages, mails, letters), public/ (the self-service assets), and the password
# blocklist, looked for beside dist/src/security/password-policy.js.
COPY templates ./templates
COPY public ./public
COPY src/security/blocklist.txt ./dist/src/security/blocklist.txt
# DATA_DIR: the product's private folder (0700). With DOCUMENT_STORE=base on MariaDB the documents live in the
# database, so this folder holds nothing another process needs.
RUN mkdir -p /var/lib/mci \
  && chown node:node /var/lib/mci \
  && chmod 700 /var/lib/mci
USER node
EXPOSE 3000
# Readiness (database and Redis answer); /health/vivo is the liveness probe. A worker serves no HTTP: compose
# disables this check for it.
HEALTHCHECK --interval=15s --timeout=5s --start-period=120s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "dist/src/main.js"]
