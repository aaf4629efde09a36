# OpenSTS container image: a static binary on a small base, run as a
# non-root user, its data dir a volume. Build and run:
#   docker build -t opensts .
#   docker run --rm -p 127.0.0.1:7070:7070 -v opensts-data:/data opensts
# Not built in CI (no Docker daemon and no registry access there);
# e2e/container_test.go checks the parts that matter without Docker.
# docs/deployment.md, "Containers", says how to run it.

# Build stage: the Go version of go.mod. modernc.org/sqlite is pure Go, so
# CGO_ENABLED=0 gives a static binary that runs on any base.
FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -buildvcs=false -ldflags="-s -w" -o /out/opensts ./cmd/opensts

# Runtime stage: Alpine for CA certificates (OIDC discovery, PostgreSQL TLS)
# and busybox wget for the /readyz health check.
FROM alpine:3.22
RUN addgroup -S -g 10001 opensts \
 && adduser -S -D -H -u 10001 -G opensts -h /data -s /sbin/nologin opensts \
 && mkdir -p /data && chown opensts:opensts /data && chmod 0700 /data
COPY --from=build /out/opensts /usr/local/bin/opensts
# The container's network namespace is not loopback: plain HTTP there must be
# allowed explicitly. Publish the port on the host's loopback only
# (-p 127.0.0.1:7070:7070), or give the server a certificate with
# OPENSTS_TLS_CERT/OPENSTS_TLS_KEY (mounted files) and unset
# OPENSTS_INSECURE_HTTP to serve HTTPS.
ENV OPENSTS_LISTEN=0.0.0.0:7070 \
    OPENSTS_INSECURE_HTTP=true \
    OPENSTS_DATA_DIR=/data
VOLUME /data
WORKDIR /data
USER opensts:opensts
EXPOSE 7070
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s --retries=3 \
  CMD wget -q -O /dev/null http://127.0.0.1:7070/readyz || exit 1
ENTRYPOINT ["/usr/local/bin/opensts"]
CMD ["server"]
