# Celeriac: api, worker, beat and CLI in one image; pick the binary with the container command.
# Build stage: the same build `make release` runs (static Swift runtime and Foundation, so
# the run stage needs no Swift libraries).
FROM swift:6.1-bookworm AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends libhiredis-dev libpq-dev libcurl4-openssl-dev zlib1g-dev pkg-config \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY Package.swift ./
COPY Sources ./Sources
COPY Tests ./Tests
RUN swift build -c release --static-swift-stdlib --product celeriac-api \
 && swift build -c release --static-swift-stdlib --product celeriac-worker \
 && swift build -c release --static-swift-stdlib --product celeriac-beat \
 && swift build -c release --static-swift-stdlib --product celeriac \
 && mkdir -p /out \
 && cp .build/release/celeriac-api .build/release/celeriac-worker .build/release/celeriac-beat .build/release/celeriac /out/

# Run stage: only the runtime libraries, a non-root user.
FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends libhiredis0.14 libpq5 libcurl4 zlib1g ca-certificates tzdata \
      postgresql-client \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --home-dir /nonexistent --shell /usr/sbin/nologin celeriac
COPY --from=build /out/ /usr/local/bin/
ENV CELERIAC_HOST=0.0.0.0 \
    CELERIAC_PORT=8080
USER celeriac
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --retries=3 CMD ["celeriac", "ready", "--api", "http://127.0.0.1:8080"]
CMD ["celeriac-api"]
