# AK Ledger: the API, the integrator/projector and the migration all run from this one image
# (docker-compose.yml picks the command). Settings come from AKLEDGER_* variables.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    AKLEDGER_HOME=/data

WORKDIR /app
COPY pyproject.toml README.md alembic.ini ./
COPY alembic ./alembic
COPY signing ./signing
COPY ledger ./ledger
COPY projections ./projections
COPY api ./api
# Installed in place (-e), not into site-packages: the migrations are found beside the packages
# (ledger/store.py looks for /app/alembic next to /app/ledger).
RUN pip install --no-cache-dir -e . \
    && useradd --system --uid 10001 --home-dir /data akledger \
    && mkdir -p /data && chown akledger /data

USER akledger
VOLUME ["/data"]
EXPOSE 8000
# uvicorn finishes the requests in flight on SIGTERM, then the integrator stops.
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=10s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/health', timeout=4).status != 200)"]
CMD ["akledger", "serve", "--host", "0.0.0.0", "--port", "8000"]
