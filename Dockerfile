# syntax=docker/dockerfile:1.7
# One image per service: docker build --build-arg SERVICE=entry -t stampede/entry .
# The build runs the commands CI runs (npm ci from the committed lock, then tsc -b), the
# runtime holds only production dependencies and the compiled service. The Node line is the one
# scripts/lib/node.sh pins for everything that runs outside images.
# Debian slim rather than Alpine: the lock pins glibc builds of the native modules (argon2, swc).
ARG NODE_IMAGE=node:24.22.3-bookworm-slim

# --- manifests: only the package.json files, so the dependency layer caches across code edits
FROM ${NODE_IMAGE} AS manifests
WORKDIR /src
COPY . .
RUN mkdir /manifests \
 && cp package.json package-lock.json /manifests/ \
 && find packages services -maxdepth 2 -name package.json -exec cp --parents {} /manifests/ \;

# --- build: every dependency, then the service and the packages it imports (never devkit)
FROM ${NODE_IMAGE} AS build
ARG SERVICE
RUN test -n "${SERVICE}" || (echo "build with --build-arg SERVICE=<gateway|auth|event|entry|payment>" && exit 1)
WORKDIR /app
COPY --from=manifests /manifests/ ./
RUN --mount=type=cache,target=/root/.npm npm ci --no-audit --no-fund --loglevel=error
COPY tsconfig.base.json tsconfig.json ./
COPY packages/chassis packages/chassis
COPY packages/contracts packages/contracts
COPY packages/ledger packages/ledger
COPY services/${SERVICE} services/${SERVICE}
# Only the packages this service's project references get a dist/ (gateway and auth use no ledger).
RUN npx tsc -b services/${SERVICE} \
 && for p in chassis contracts ledger; do \
      [ -d packages/$p/dist ] || continue; \
      mkdir -p /out/packages/$p && cp -r packages/$p/package.json packages/$p/dist /out/packages/$p/; \
    done \
 && mkdir -p /out/services/${SERVICE} \
 && cd services/${SERVICE} \
 && cp -r package.json dist /out/services/${SERVICE}/ \
 && for f in *.json; do case "$f" in package.json|tsconfig*.json) ;; *) cp "$f" /out/services/${SERVICE}/ ;; esac; done
# The gateway serves the web console: its static files, built here, where the gateway looks for them.
COPY apps/console apps/console
RUN if [ "${SERVICE}" = gateway ]; then \
      npx tsx apps/console/build.ts && mkdir -p /out/apps/console && cp -r apps/console/dist /out/apps/console/; \
    fi

# --- prod-deps: production dependencies of this service's workspace only
FROM ${NODE_IMAGE} AS prod-deps
ARG SERVICE
WORKDIR /app
COPY --from=manifests /manifests/ ./
# A dependency whose version differs from the hoisted one is installed under the package that
# needs it (services/<name>/node_modules or packages/chassis/node_modules, e.g. lru-cache 11
# beside the root's 5): /deps gathers the root's and every shipped package's node_modules.
RUN --mount=type=cache,target=/root/.npm \
    npm ci --omit=dev --no-audit --no-fund --loglevel=error \
      --workspace services/${SERVICE} --include-workspace-root=false \
 && for d in node_modules services/${SERVICE}/node_modules packages/chassis/node_modules \
             packages/contracts/node_modules packages/ledger/node_modules; do \
      [ -d "$d" ] || continue; mkdir -p "/deps/$(dirname "$d")"; mv "$d" "/deps/$d"; \
    done

# --- runtime: non-root, read-only friendly (writes only to /tmp, an emptyDir in the chart)
FROM ${NODE_IMAGE} AS runtime
ARG SERVICE
ENV NODE_ENV=production \
    SERVICE=${SERVICE}
WORKDIR /app
COPY --from=prod-deps /deps/ ./
COPY --from=build /out/ ./
# npm workspaces link @stampede/* into node_modules; keep only the links this image can resolve.
RUN find node_modules/@stampede -maxdepth 1 -type l ! -exec test -e {} \; -delete
USER 10001:10001
WORKDIR /app/services/${SERVICE}
EXPOSE 8080-8084
# migrations: the chart's hook Job runs `node dist/migrate.js` in this directory.
CMD ["node", "dist/main.js"]

# --- dev: the runtime with the app owned by the container user, for Tilt's live update
FROM runtime AS dev
USER root
RUN chown -R 10001:10001 /app/services /app/packages
USER 10001:10001

# --- the default target: the production runtime
FROM runtime AS production
