# syntax=docker/dockerfile:1
# telnorm service image: slim Python pinned to an exact release, dependencies from the lock
# file in their own layer (rebuilt only when requirements.lock changes, not when the code
# does), non-root, a healthcheck on the configured port. See docs/deploy.md.
#
# The base image is pinned by its exact tag. Where the registry is reachable, pin the digest
# too:  docker buildx imagetools inspect python:3.11.14-slim-bookworm  and build with
#       --build-arg PYTHON_IMAGE=python:3.11.14-slim-bookworm@sha256:<digest>
ARG PYTHON_IMAGE=python:3.11.14-slim-bookworm
FROM ${PYTHON_IMAGE}

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    TELNORM_HOST=0.0.0.0 \
    TELNORM_PORT=8000

RUN useradd --create-home --uid 10001 --user-group telnorm

WORKDIR /app

# 1. Dependencies: exactly the locked versions, every file checked against its hash.
COPY requirements.lock ./
RUN pip install --require-hashes --no-deps -r requirements.lock

# 2. The code: its own layer; --no-deps, the dependencies are all in layer 1.
COPY pyproject.toml README.md ./
COPY telnorm ./telnorm
COPY parsers ./parsers
COPY service ./service
COPY mappings ./mappings
# OCR of scanned PDF records (parsers/pdf): Tesseract with Dutch, a system package
RUN apt-get update \
    && apt-get install -y --no-install-recommends tesseract-ocr tesseract-ocr-nld \
    && rm -rf /var/lib/apt/lists/*
RUN pip install --no-deps --no-compile . \
    && rm -rf /app/build

USER 10001:10001
EXPOSE 8000
# The port the service listens on (TELNORM_PORT, also when overridden at run time).
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, sys, urllib.request; port = os.environ.get('TELNORM_PORT', '8000'); sys.exit(0 if urllib.request.urlopen(f'http://127.0.0.1:{port}/health/live', timeout=4).status == 200 else 1)"]
CMD ["telnorm", "serve"]
