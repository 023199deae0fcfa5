# Celeriac: api, worker and CLI in one image; pick the binary with the container command.
# Build stage: the same commands the README uses (swift build -c release).
FROM swift:6.1-bookworm AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends libhiredis-dev libpq-dev libcurl4-openssl-dev pkg-config \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY Package.swift ./
COPY Sources ./Sources
COPY Tests ./Tests
RUN swift build -c release --product celeriac-api \
 && swift build -c release --product celeriac-worker \
 && swift build -c release --product celeriac \
 && mkdir -p /out \
 && cp .build/release/celeriac-api .build/release/celeriac-worker .build/release/celeriac /out/

# Run stage: only the runtime libraries, a non-root user.
FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends libhiredis0.14 libpq5 libcurl4 ca-certificates tzdata \
      postgresql-client \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --home-dir /nonexistent --shell /usr/sbin/nologin celeriac
COPY --from=build /usr/lib/swift/linux/*.so /usr/lib/swift/linux/
COPY --from=build /out/ /usr/local/bin/
ENV LD_LIBRARY_PATH=/usr/lib/swift/linux \
    CELERIAC_HOST=0.0.0.0 \
    CELERIAC_PORT=8080
USER celeriac
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --retries=3 CMD ["celeriac", "ready", "--api", "http://127.0.0.1:8080"]
CMD ["celeriac-api"]
