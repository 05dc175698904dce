# Stand-in for rabbitmq:3-management where no registry can be reached: Debian's rabbitmq-server
# with the management plugin, and a docker-entrypoint.sh that just runs its arguments (the real
# image's entrypoint does setup this package does not need).
FROM aware-standin/debian:bookworm
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends rabbitmq-server \
 && rm -rf /var/lib/apt/lists/* \
 && rabbitmq-plugins enable --offline rabbitmq_management \
 && mkdir -p /etc/rabbitmq/conf.d \
 && printf '#!/bin/sh\nexec "$@"\n' >/usr/local/bin/docker-entrypoint.sh \
 && chmod 0755 /usr/local/bin/docker-entrypoint.sh
LABEL org.aware.standin=true
USER rabbitmq
