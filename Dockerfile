# Digipunt's production image: gunicorn serving the application (deploy/gunicorn.conf.py). The
# same image runs the worker (`manage.py db_worker`), the migrations and the daily jobs; see
# compose.yaml and docs/operations.md ("Production setup"). Build: `docker build -t digipunt .`
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    VIRTUAL_ENV=/opt/venv \
    PATH=/opt/venv/bin:$PATH

# Exactly the reviewed packages: every file's hash is in the lock file, and pip refuses any other.
# The lock file alone first, so that a change of code reuses this layer.
COPY requirements/production.lock /tmp/production.lock
RUN python -m venv /opt/venv \
    && pip install --require-hashes --no-deps -r /tmp/production.lock \
    && rm /tmp/production.lock

# The application runs as an unprivileged user that owns nothing but var/ (SQLite, SMS files).
RUN useradd --system --uid 10001 --user-group --home-dir /app --no-create-home digipunt
WORKDIR /app
COPY . /app

# Static files with hashed names, compressed (WhiteNoise serves them). Settings need a key to
# load: a throwaway one, used for nothing else at build time.
ENV DIGIPUNT_VAR_DIR=/app/var \
    STATIC_ROOT=/app/staticfiles \
    DIGIPUNT_MANIFEST_STATIC=true
RUN DIGIPUNT_INSECURE_DEV_KEY=true python manage.py collectstatic --noinput --verbosity 0 \
    && mkdir -p /app/var \
    && chown digipunt:digipunt /app/var

USER digipunt
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "deploy/healthcheck.py"]
CMD ["gunicorn", "-c", "deploy/gunicorn.conf.py", "--bind", "0.0.0.0:8000"]
