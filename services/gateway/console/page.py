"""The console page and its assets, served by the platform with integrity hashes.

Every asset URL carries the first characters of the file's SHA-256, so a browser may keep it
for a year (``immutable``): a new version is a new URL. The page's Content-Security-Policy
lets it load scripts, styles and connections from the platform's own origin only, so a
token pasted into the headers editor can reach no third party.
"""

from __future__ import annotations

import hashlib
import html
from dataclasses import dataclass
from pathlib import Path

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from services.gateway.console.fetch import STATIC_DIR, is_current, sri

OWN_DIR = Path(__file__).resolve().parent / "own"
PREFIX = "/console/assets"

# In page order. Vendor files come from the npm packages of assets.json; own files are ours.
_STYLES = (("static", "graphiql.min.css"), ("static", "plugin-explorer.css"), ("own", "console.css"))
_SCRIPTS = (
    ("static", "react.production.min.js"),
    ("static", "react-dom.production.min.js"),
    ("static", "graphiql.min.js"),
    ("static", "plugin-explorer.umd.js"),
    ("own", "console.js"),
)

CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        # GraphiQL's stylesheet embeds its icons and fonts as data: URIs.
        "img-src 'self' data:",
        "font-src 'self' data:",
        # 'self' covers the page's own ws:/wss: origin for subscriptions (CSP level 3).
        "connect-src 'self'",
        "base-uri 'none'",
        "form-action 'none'",
        "frame-ancestors 'none'",
    )
)
_PAGE_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}
_ASSET_CACHE = "public, max-age=31536000, immutable"
_MEDIA_TYPES = {".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8"}


@dataclass(frozen=True, slots=True)
class Asset:
    name: str
    body: bytes
    media_type: str
    integrity: str  # sha384, for the page's integrity attributes
    digest: str  # the URL's version segment

    @property
    def url(self) -> str:
        return f"{PREFIX}/{self.digest}/{self.name}"


def _asset(path: Path) -> Asset:
    body = path.read_bytes()
    return Asset(
        name=path.name,
        body=body,
        media_type=_MEDIA_TYPES[path.suffix],
        integrity=sri(body, "sha384"),
        digest=hashlib.sha256(body).hexdigest()[:16],
    )


class Console:
    """GraphiQL with the explorer plugin; the files are read once, at start."""

    def __init__(self, static_dir: Path = STATIC_DIR, own_dir: Path = OWN_DIR) -> None:
        self.installed = is_current(static_dir)
        self.assets: dict[str, Asset] = {}
        if self.installed:
            dirs = {"static": static_dir, "own": own_dir}
            for where, name in (*_STYLES, *_SCRIPTS):
                self.assets[name] = _asset(dirs[where] / name)
        self._page = self._render() if self.installed else _MISSING

    def _render(self) -> bytes:
        def tag(name: str, template: str) -> str:
            asset = self.assets[name]
            return template.format(url=html.escape(asset.url), integrity=asset.integrity)

        styles = "\n".join(
            tag(n, '    <link rel="stylesheet" href="{url}" integrity="{integrity}">') for _, n in _STYLES
        )
        scripts = "\n".join(
            tag(n, '    <script src="{url}" integrity="{integrity}"></script>') for _, n in _SCRIPTS
        )
        return _PAGE.format(styles=styles, scripts=scripts).encode()

    def page(self) -> Response:
        """The console page (503 with instructions when its assets are not installed)."""
        return HTMLResponse(self._page, status_code=200 if self.installed else 503, headers=_PAGE_HEADERS)

    async def asset(self, request: Request) -> Response:
        """One asset by version and name; a stale or unknown URL answers 404."""
        asset = self.assets.get(request.path_params["name"])
        if asset is None or asset.digest != request.path_params["digest"]:
            return Response(b"not found", status_code=404, media_type="text/plain")
        return Response(
            asset.body,
            media_type=asset.media_type,
            headers={"Cache-Control": _ASSET_CACHE, "X-Content-Type-Options": "nosniff"},
        )


_PAGE = """<!doctype html>
<html lang="zh-CN">
  <head>
    <meta charset="utf-8">
    <title>Alliance platform console (联盟平台开发者控制台)</title>
    <link rel="icon" href="data:,">
{styles}
  </head>
  <body>
    <div id="graphiql" class="graphiql-container">Loading…</div>
{scripts}
  </body>
</html>
"""

_MISSING = b"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Console not installed</title></head>
<body><p>The developer console's assets are not installed on this server. Run
<code>make console</code> (it needs npm) and restart, or set <code>GRAPHQL_IDE=false</code>.
The GraphQL API itself works: POST to this URL.</p></body></html>
"""
