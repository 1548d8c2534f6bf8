# syntax=docker/dockerfile:1
# ftso-node: a release build of the node and of the feed plugins, then a slim runtime that runs as a
# non-root user with its state in the /data volume.
#
#   docker build -t ftso-node .
#   docker run -v ftso-data:/data -p 3101:3101 -e FTSO_NODE_RPC_URL=... ftso-node run --network flare
#
# The plugins are signed by scripts/build-plugins.sh, as in a checkout: with your publisher key when it is
# given as a build secret (docker build --secret id=plugin_key,src=publisher.key .), else with the public
# development key (trusted by the example configs only: trust your own key in production).
# The build steps are the ones the tests run (host/node/tests/docker.rs checks this file).

ARG RUST_VERSION=1.95
FROM docker.io/library/rust:${RUST_VERSION}-bookworm AS build
RUN rustup target add wasm32-wasip2
WORKDIR /src
COPY . .
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    cargo build --release --locked -p ftso-node
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=secret,id=plugin_key \
    if [ -f /run/secrets/plugin_key ]; then export FTSO_PLUGIN_KEY=/run/secrets/plugin_key; fi; \
    FTSO_NODE_BIN=target/release/ftso-node bash scripts/build-plugins.sh

FROM docker.io/library/debian:bookworm-slim AS runtime
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --user-group --home-dir /data --no-create-home ftso \
 && mkdir -p /data \
 && chown ftso:ftso /data
COPY --from=build /src/target/release/ftso-node /usr/local/bin/ftso-node
COPY --from=build /src/target/plugins/ /opt/ftso-node/target/plugins/
COPY config/ /opt/ftso-node/config/
ENV FTSO_NODE_DATA_DIR=/data
VOLUME /data
WORKDIR /data
USER ftso:ftso
# 3101: feed-values REST contract (and 3100 for the data-provider API when it runs).
EXPOSE 3100 3101
ENTRYPOINT ["ftso-node"]
CMD ["run", "--network", "coston2"]
