# Tor with a SOCKS port for the other containers. IsolateSOCKSAuth: each source's SOCKS
# username (dumpwatch sends socks5h://SOURCE:isolate@tor:9050) gets its own circuits.
FROM debian:bookworm-slim
RUN apt-get update \
    && apt-get install -y --no-install-recommends tor=0.4.* \
    && rm -rf /var/lib/apt/lists/*
COPY torrc /etc/tor/torrc
# the Debian package creates this user; its uid is assigned at install time
# hadolint ignore=DL3066
USER debian-tor
EXPOSE 9050
ENTRYPOINT ["tor", "-f", "/etc/tor/torrc"]
