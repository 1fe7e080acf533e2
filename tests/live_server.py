"""A real HTTP server around the test app, and browser-like clients for it."""

import http.cookiejar
import re
import threading
import urllib.error
import urllib.parse
import urllib.request
from contextlib import contextmanager

from werkzeug.serving import make_server

TOKEN_RE = re.compile(r'name="(csrf_token|submission_token)"[^>]*value="([^"]*)"')


@contextmanager
def live_server(app):
    """Serve ``app`` on a free loopback port in threads; yield its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)


class Browser:
    """Cookies and form posts, as a browser sends them (urlencoded, repeated keys)."""

    def __init__(self, base):
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )

    def get(self, path):
        return self._open(urllib.request.Request(self.base + path))

    def post(self, path, data):
        body = urllib.parse.urlencode(data, doseq=True).encode()
        return self._open(urllib.request.Request(self.base + path, data=body, method="POST"))

    def _open(self, request):
        try:
            with self.opener.open(request, timeout=60) as response:
                return response.status, response.geturl(), response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.geturl(), error.read().decode()

    def form_tokens(self, slug):
        status, _, page = self.get(f"/consultations/{slug}/respond")
        assert status == 200, status
        return dict(TOKEN_RE.findall(page))
