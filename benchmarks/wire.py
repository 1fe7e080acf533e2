"""A request through gunicorn's own HTTP code, in this process: raw bytes in, raw bytes out.

What a sync worker does with a connection (``gunicorn.workers.sync.SyncWorker.
handle_request``): parse the request from the socket, build the WSGI environ, call
the application, write its response, close. Here the socket is one end of a socket
pair whose other end is a small browser (``Browser``: a cookie jar, multipart
bodies like Chromium's), so ``benchmarks/profile_cycle.py`` can time what the server
spends on HTTP beside what the application spends, without a network, a second
process or a load generator sharing the measurement.
"""

import io
import secrets
import socket
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from urllib.parse import urlsplit

from gunicorn.config import Config
from gunicorn.http import get_parser
from gunicorn.http import wsgi as gunicorn_wsgi
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

CLIENT = ("127.0.0.1", 50000)
SERVER = ("127.0.0.1", 8000)
BUFFER = 4 * 1024 * 1024  # a whole page fits, so the server never waits for the browser


@dataclass
class Reply:
    status: int
    headers: list[tuple[str, str]]
    body: bytes

    def header(self, name: str) -> str | None:
        name = name.lower()
        return next((value for key, value in self.headers if key.lower() == name), None)

    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


@dataclass
class Browser:
    """One person's browser: the cookies it was given, sent back on every request."""

    host: str = "localhost"
    cookies: dict = field(default_factory=dict)

    def request(self, method: str, path: str, fields=None) -> bytes:
        """The bytes of a request; ``fields``: ``(name, value)`` pairs, None for an empty file."""
        lines = [f"{method} {path} HTTP/1.1", f"Host: {self.host}", "User-Agent: bench"]
        if self.cookies:
            lines.append("Cookie: " + "; ".join(f"{k}={v}" for k, v in self.cookies.items()))
        body = b""
        if fields is not None:
            values = MultiDict(
                (name, _empty_file() if value is None else value) for name, value in fields
            )
            boundary, body = encode_multipart(values, f"----bench{secrets.token_hex(8)}")
            lines.append(f"Content-Type: multipart/form-data; boundary={boundary}")
            lines.append(f"Content-Length: {len(body)}")
        return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body

    def keep_cookies(self, reply: Reply) -> None:
        for key, value in reply.headers:
            if key.lower() == "set-cookie":
                for name, morsel in SimpleCookie(value).items():
                    if morsel["max-age"] == "0" or not morsel.value:
                        self.cookies.pop(name, None)
                    else:
                        self.cookies[name] = morsel.value


def _empty_file() -> FileStorage:
    return FileStorage(io.BytesIO(b""), filename="", content_type="application/octet-stream")


def parse_reply(raw: bytes) -> Reply:
    head, _, body = raw.partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    headers = [tuple(part.strip() for part in line.split(":", 1)) for line in header_lines]
    return Reply(int(status_line.split()[1]), headers, body)


class Wire:
    """Serve ``app`` one request at a time the way a gunicorn sync worker does."""

    def __init__(self, app):
        self.app = app
        self.cfg = Config()

    def serve(self, raw_request: bytes, before=None, after=None) -> Reply:
        """Send ``raw_request``; the server's side runs between ``before()`` and ``after()``."""
        browser_end, server_end = socket.socketpair()
        try:
            for end in (browser_end, server_end):
                end.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, BUFFER)
                end.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, BUFFER)
            browser_end.sendall(raw_request)
            browser_end.shutdown(socket.SHUT_WR)
            if before:
                before()
            try:
                self._handle(server_end)
            finally:
                if after:
                    after()
            chunks = []
            while chunk := browser_end.recv(1 << 16):
                chunks.append(chunk)
        finally:
            browser_end.close()
            server_end.close()
        return parse_reply(b"".join(chunks))

    def _handle(self, client) -> None:
        parser = get_parser(self.cfg, client, CLIENT)
        request = next(parser)
        response, environ = gunicorn_wsgi.create(request, client, CLIENT, SERVER, self.cfg)
        response.force_close()
        body = self.app(environ, response.start_response)
        try:
            for item in body:
                response.write(item)
            response.close()
        finally:
            if hasattr(body, "close"):
                body.close()
        client.shutdown(socket.SHUT_WR)


def location_path(location: str) -> str:
    """The path (and query) of a redirect's Location, absolute or not."""
    parts = urlsplit(location)
    return parts.path + (f"?{parts.query}" if parts.query else "")
