# Stand-in for node:20-bookworm-slim where no registry can be reached: Debian bookworm (built
# from Debian's packages) plus this machine's Node 20 and its trusted CAs, with the official
# image's `node` user.
FROM aware-standin/debian:bookworm
COPY node/ /usr/local/
COPY ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt
RUN ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm \
 && ln -s ../lib/node_modules/npm/bin/npx-cli.js /usr/local/bin/npx \
 && groupadd --gid 1000 node \
 && useradd --uid 1000 --gid node --shell /bin/bash --create-home node
LABEL org.aware.standin=true
CMD ["node"]
