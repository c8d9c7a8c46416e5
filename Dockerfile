# drio server container image.
#
#   docker build -t drio-server .
#   docker run --rm drio-server migrate            # apply Alembic migrations
#   docker run --rm -p 8000:8000 drio-server       # serve the API on :8000
#
# Runtime configuration comes from the environment:
#   DATABASE_URL          postgresql://user:pass@host:5432/db. Always set it in a
#                         container: unset means an embedded PostgreSQL, which
#                         is not meant for containers.
#   DRIO_ENV              defaults to "production" here; production refuses to
#                         start without DRIO_AUTHKIT_ISSUER (https URL) and
#                         DRIO_SECRETS_KEY (a Fernet key).
#   DRIO_PUBLIC_URL, DRIO_RESOURCE, DRIO_AUTHKIT_JWKS_URL, DRIO_CORS_ORIGINS,
#   DRIO_MCP_ENDPOINT_TEMPLATE, DRIO_LOG_FORMAT (json here), DRIO_DATA_DIR.

ARG PYTHON_IMAGE=python:3.11-slim

# ---------------------------------------------------------------------------
# builder: install the project and its dependencies into a virtualenv.
# Every runtime dependency ships manylinux wheels, so no compiler is needed.
# ---------------------------------------------------------------------------
FROM ${PYTHON_IMAGE} AS builder

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    VIRTUAL_ENV=/opt/venv \
    PATH="/opt/venv/bin:${PATH}"

RUN python -m venv "${VIRTUAL_ENV}"

WORKDIR /build

# Build the wheel from pyproject.toml, then install it (and its dependencies)
# into the virtualenv. README.md is the project's declared readme.
COPY pyproject.toml README.md ./
COPY src ./src
RUN pip wheel --no-cache-dir --no-deps --wheel-dir /build/dist . \
    && pip install --no-cache-dir /build/dist/*.whl

# ---------------------------------------------------------------------------
# runtime: slim image with the virtualenv, alembic.ini and migrations only.
# ---------------------------------------------------------------------------
FROM ${PYTHON_IMAGE} AS runtime

LABEL org.opencontainers.image.title="drio-server" \
      org.opencontainers.image.description="An open-source server for the drio v2 management API" \
      org.opencontainers.image.licenses="Apache-2.0"

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    VIRTUAL_ENV=/opt/venv \
    PATH="/opt/venv/bin:${PATH}" \
    DRIO_ENV=production \
    DRIO_LOG_FORMAT=json \
    DRIO_DATA_DIR=/app/.drio

RUN groupadd --system --gid 10001 drio \
    && useradd --system --uid 10001 --gid drio --home-dir /app \
       --no-create-home --shell /usr/sbin/nologin drio

COPY --from=builder /opt/venv /opt/venv

# `drio migrate` finds alembic.ini and migrations/ relative to /app.
# They stay root-owned (read-only to the server); only the data dir is writable.
WORKDIR /app
COPY alembic.ini ./
COPY migrations ./migrations
RUN mkdir -p /app/.drio && chown 10001:10001 /app/.drio

USER 10001:10001

EXPOSE 8000

# Liveness only (no database): GET /healthz must answer 2xx.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4).status < 300 else 1)"]

ENTRYPOINT ["drio"]
CMD ["serve", "--host", "0.0.0.0", "--port", "8000"]
