# The iscflow image: the worker by default, and the HR-event ingress with the command
# `node --import tsx src/ingress/main.ts` (docker-compose.yml's `ingress` service). No build step: tsx
# runs the TypeScript sources, and @temporalio/worker bundles the workflow code (webpack + swc) in memory
# when the worker starts. Both are production dependencies, so `npm ci --omit=dev` is all the image
# needs. See docs/deployment.md.
FROM node:20-bookworm-slim

ENV NODE_ENV=production
WORKDIR /app

# Manifests first: the dependency layer is rebuilt only when they change, not on every code change.
# Installed here rather than copied from the host so native packages (Temporal's core bridge, swc,
# esbuild) match the image's platform.
COPY package.json package-lock.json ./
RUN npm ci --omit=dev && npm cache clean --force

COPY tsconfig.json ./
COPY src ./src

# The files stay owned by root: the worker can read its code but not rewrite it. tsx keeps its cache in
# the OS temp directory, the only place the worker writes to.
USER node

# No HEALTHCHECK: the worker listens on no port and has no health endpoint (the ingress has /healthz,
# and its compose service checks it). Whether it is alive is what
# Temporal already knows: `temporal task-queue describe --task-queue iscflow` lists its pollers.

# node itself is the container's main process (no `npm run` or tsx CLI wrapper in between), so the
# SIGTERM of `docker stop` reaches the Temporal Runtime directly, which drains in-flight tasks and
# shuts the worker down gracefully. `--import tsx` is the loader form of `tsx src/worker.ts`.
CMD ["node", "--import", "tsx", "src/worker.ts"]
