# One image for every role of the distributed deployment (docker-compose.yml picks the command):
#   web      gunicorn ... 'gateway.wsgi:part("<part>")'
#   worker   duban events worker <part>
#   sweeper  duban monitoring sweep --loop
#   release  duban migrate --part <part>
# Health checks are declared per service in docker-compose.yml (only the web roles serve HTTP).

FROM python:3.11-slim AS build
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
COPY pyproject.toml README.md ./
COPY shared ./shared
COPY gateway ./gateway
COPY services ./services
# The runtime dependencies only (no test extras), into a virtual environment the next stage copies.
RUN python -m venv /opt/duban \
 && /opt/duban/bin/pip install . \
 && /opt/duban/bin/duban --help > /dev/null

FROM python:3.11-slim
ENV PATH=/opt/duban/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1
RUN groupadd --system --gid 10001 duban \
 && useradd --system --uid 10001 --gid duban --home-dir /home/duban --create-home --shell /usr/sbin/nologin duban
COPY --from=build /opt/duban /opt/duban
# No source tree here: every role imports the installed package.
WORKDIR /home/duban
USER duban:duban
EXPOSE 8000
CMD ["duban", "--help"]
