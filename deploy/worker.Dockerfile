# The worker (esbuild bundle, apps/worker/dist) and, with `command: pnpm db:migrate`, the one-shot
# migration job. From the repository root:
#   docker build -f deploy/worker.Dockerfile -t alfred-worker .
# Untested here (no Docker on the build machine). The whole installed repository is kept: the bundle
# loads its own npm dependencies (bullmq, ioredis, pino) from node_modules, and migrations run with
# the workspace's drizzle tooling. `pnpm deploy --prod` could slim this once it is tried.
FROM node:20-bookworm-slim
RUN npm install --global pnpm@12.4.2
WORKDIR /repo
COPY . .
# NODE_ENV is set only after the install: under production pnpm would skip the build tools (esbuild, tsx).
RUN pnpm install --frozen-lockfile && pnpm --filter @alfred/worker build && chown -R node:node /repo
USER node
ENV NODE_ENV=production WORKER_HTTP_PORT=3001
EXPOSE 3001
HEALTHCHECK --interval=10s --timeout=5s --retries=3 CMD ["node", "-e", "fetch('http://127.0.0.1:3001/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "apps/worker/dist/index.js"]
