# The standalone evmesh node (`evmesh node`) as a container: a sidecar next to a service,
# or a gateway in front of several. Build from a clone of this repository:
#   docker build -t evmesh .
#   docker run -p 10000:10000 -p 8080:8080 evmesh
# Options go after the image name (they replace CMD) or in EVMESH_* variables.

FROM node:20-bookworm-slim AS build
WORKDIR /src
COPY . .
RUN npm ci && npm run build && npm pack --pack-destination /tmp

FROM node:20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /tmp/evmesh-*.tgz /tmp/
# The optional peers the node can use: metrics, and the drivers of every store.
RUN npm init -y >/dev/null \
 && npm install --omit=dev /tmp/evmesh-*.tgz prom-client better-sqlite3 ioredis nats amqplib \
 && rm /tmp/evmesh-*.tgz && npm cache clean --force \
 && mkdir /data && chown node:node /data
USER node
# 10000: peers and stock EventMesh TCP clients; 8080: HTTP (events, subscriptions, /metrics, /health).
EXPOSE 10000 8080
VOLUME /data
HEALTHCHECK CMD node -e "fetch('http://127.0.0.1:8080/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"
ENTRYPOINT ["node", "/app/node_modules/evmesh/dist/esm/cli/main.js", "node"]
CMD ["--listen", "0.0.0.0:10000", "--http", "0.0.0.0:8080", "--store", "sqlite:/data/evmesh.db"]
