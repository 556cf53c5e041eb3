# The web app (Next.js standalone output), from the repository root:
#   docker build -f deploy/web.Dockerfile -t alfred-web .
# Untested here (no Docker on the build machine): `compose.yaml` is checked by a parse test only.
FROM node:20-bookworm-slim AS build
ENV NEXT_TELEMETRY_DISABLED=1
RUN npm install --global pnpm@12.4.2
WORKDIR /repo
COPY . .
RUN pnpm install --frozen-lockfile
# NEXT_OUTPUT=standalone: .next/standalone holds server.js and only the files it needs (see next.config.ts).
RUN NODE_ENV=production NEXT_OUTPUT=standalone pnpm --filter @alfred/web build

FROM node:20-bookworm-slim
ENV NODE_ENV=production NEXT_TELEMETRY_DISABLED=1 PORT=3000 HOSTNAME=0.0.0.0
WORKDIR /app
# Traced from the monorepo root, so the server sits at apps/web/server.js; static assets are not traced.
COPY --from=build --chown=node:node /repo/apps/web/.next/standalone ./
COPY --from=build --chown=node:node /repo/apps/web/.next/static ./apps/web/.next/static
USER node
EXPOSE 3000
HEALTHCHECK --interval=10s --timeout=5s --retries=3 CMD ["node", "-e", "fetch('http://127.0.0.1:3000/api/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "apps/web/server.js"]
