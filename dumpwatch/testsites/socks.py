"""A SOCKS5 proxy (RFC 1928 + username/password, RFC 1929) that serves .onion names.

It records, per connection, the username and the address as the client sent it —
which is how the tests prove a crawler never resolved an .onion name itself (ATYP 3,
domain name) and used one set of credentials per source (Tor's circuit isolation).
Only names in its map, and loopback addresses, are ever connected to.
"""

from __future__ import annotations

import ipaddress
import select
import socket
import struct
import threading
from dataclasses import dataclass


@dataclass(frozen=True)
class SocksRequest:
    username: str | None
    atyp: int  # 1 IPv4, 3 domain name, 4 IPv6
    host: str
    port: int


class Socks5Proxy:
    def __init__(self, onions: dict[str, tuple[str, int]], port: int = 0) -> None:
        self.onions = onions
        self.requests: list[SocksRequest] = []
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind(("127.0.0.1", port))
        self._sock.listen(64)
        self.port = self._sock.getsockname()[1]
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)

    def start(self) -> Socks5Proxy:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._sock.close()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._sock.accept()
            except OSError:
                return
            threading.Thread(target=self._client, args=(conn,), daemon=True).start()

    @staticmethod
    def _recv(conn: socket.socket, n: int) -> bytes:
        data = b""
        while len(data) < n:
            chunk = conn.recv(n - len(data))
            if not chunk:
                raise ConnectionError("client went away")
            data += chunk
        return data

    def _client(self, conn: socket.socket) -> None:
        try:
            _version, nmethods = self._recv(conn, 2)
            methods = self._recv(conn, nmethods)
            username = None
            if 2 in methods:
                conn.sendall(b"\x05\x02")
                _, ulen = self._recv(conn, 2)
                username = self._recv(conn, ulen).decode()
                (plen,) = self._recv(conn, 1)
                self._recv(conn, plen)
                conn.sendall(b"\x01\x00")
            else:
                conn.sendall(b"\x05\x00")
            _, cmd, _, atyp = self._recv(conn, 4)
            if atyp == 1:
                host = socket.inet_ntoa(self._recv(conn, 4))
            elif atyp == 3:
                (n,) = self._recv(conn, 1)
                host = self._recv(conn, n).decode()
            else:
                host = socket.inet_ntop(socket.AF_INET6, self._recv(conn, 16))
            (port,) = struct.unpack("!H", self._recv(conn, 2))
            self.requests.append(SocksRequest(username, atyp, host, port))
            target = self._target(host, port)
            if cmd != 1 or target is None:
                conn.sendall(b"\x05\x04\x00\x01" + b"\x00" * 6)  # host unreachable
                return
            upstream = socket.create_connection(target, timeout=10)
            conn.sendall(b"\x05\x00\x00\x01" + socket.inet_aton("127.0.0.1") + b"\x00\x00")
            self._pipe(conn, upstream)
        except (OSError, ConnectionError, ValueError):
            pass
        finally:
            conn.close()

    def _target(self, host: str, port: int) -> tuple[str, int] | None:
        if host in self.onions:
            return self.onions[host]
        try:
            if ipaddress.ip_address(host).is_loopback:
                return host, port
        except ValueError:
            pass
        return None  # never anything but the mapped names and loopback

    @staticmethod
    def _pipe(a: socket.socket, b: socket.socket) -> None:
        try:
            while True:
                ready, _, _ = select.select([a, b], [], [], 30)
                if not ready:
                    return
                for s in ready:
                    data = s.recv(65536)
                    if not data:
                        return
                    (b if s is a else a).sendall(data)
        finally:
            b.close()
