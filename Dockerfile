# telnorm service image: slim Python, non-root, healthcheck.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    TELNORM_HOST=0.0.0.0 \
    TELNORM_PORT=8000

WORKDIR /app
COPY pyproject.toml README.md ./
COPY telnorm ./telnorm
COPY parsers ./parsers
COPY service ./service
COPY mappings ./mappings
RUN pip install --no-compile . \
    && useradd --create-home --uid 10001 telnorm

USER telnorm
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD python -c "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/health', timeout=4).status == 200 else 1)"
CMD ["telnorm", "serve"]
