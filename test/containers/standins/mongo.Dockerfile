# Stand-in for mongo:7 where no registry can be reached: FerretDB v1.24.2 (SQLite backend), built
# by the test harness. It ignores the mongo image's MONGO_INITDB_* variables and init scripts
# (no users, no auth), so the host-network override gives the services URIs without credentials.
FROM aware-standin/debian:bookworm
COPY ferretdb /usr/local/bin/ferretdb
RUN mkdir -p /data/db /data/state
ENV FERRETDB_HANDLER=sqlite \
    FERRETDB_SQLITE_URL=file:/data/db/ \
    FERRETDB_STATE_DIR=/data/state \
    FERRETDB_TELEMETRY=disable \
    FERRETDB_DEBUG_ADDR=- \
    FERRETDB_LISTEN_ADDR=0.0.0.0:27017
LABEL org.aware.standin=true
ENTRYPOINT ["ferretdb"]
