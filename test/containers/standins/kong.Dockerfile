# Stand-in for kong:3.9 where neither a registry nor a Kong package can be reached. It is NOT Kong:
# it has the official image's layout (user kong, /docker-entrypoint.sh, `kong` on PATH) so that
# kong/Dockerfile builds unchanged and its entrypoint's wiring (render, parse, start, refusal of a
# bad P_VALUE) can be checked. Its `kong config parse` only checks the file is a 3.0 declarative
# config; the config itself is checked by decK in the unit tests, and by real Kong in CI.
FROM aware-standin/debian:bookworm
RUN groupadd --gid 1000 kong \
 && useradd --uid 1000 --gid kong --home-dir /usr/local/kong --create-home --shell /bin/sh kong \
 && printf '#!/bin/sh\nexec "$@"\n' >/docker-entrypoint.sh \
 && chmod 0755 /docker-entrypoint.sh
COPY kong-stub.sh /usr/local/bin/kong
LABEL org.aware.standin=true
USER kong
