"""A tiny OpenID Connect provider for the tests: a real HTTP server on a loopback port (a thread),
serving discovery, JWKS, authorize (auto-consent for the person set in `next_login`) and token
endpoints, with RS256 ID tokens signed by joserfc (Authlib's JOSE library). Knobs let a test make it
misbehave: sign with a key it does not publish, name another audience, another issuer, or expire
the token."""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from joserfc import jwt
from joserfc.jwk import RSAKey


class LocalIdP:
    def __init__(self, client_id: str = "aims-test", client_secret: str = "s3cret-for-tests") -> None:
        self.client_id, self.client_secret = client_id, client_secret
        self.key = RSAKey.generate_key(2048, parameters={"kid": "k1", "use": "sig", "alg": "RS256"})
        self.rogue_key = RSAKey.generate_key(2048, parameters={"kid": "k1", "use": "sig", "alg": "RS256"})
        self.next_login: dict[str, Any] = {}
        self.tamper: dict[str, Any] = {}  # "rogue_key", "aud", "iss", "expired", "nonce"
        self.codes: dict[str, dict[str, Any]] = {}
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.issuer = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> LocalIdP:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    @property
    def discovery_url(self) -> str:
        return f"{self.issuer}/.well-known/openid-configuration"

    def metadata(self) -> dict[str, Any]:
        return {
            "issuer": self.issuer,
            "authorization_endpoint": f"{self.issuer}/authorize",
            "token_endpoint": f"{self.issuer}/token",
            "jwks_uri": f"{self.issuer}/jwks",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "code_challenge_methods_supported": ["S256"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        }

    def authorize(self, url: str) -> str:
        """What the browser does at the IdP: returns the redirect back to AIMS (with code and state)."""
        params = {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}
        assert params["client_id"] == self.client_id and params["response_type"] == "code"
        code = secrets.token_urlsafe(16)
        self.codes[code] = {**params, "claims": dict(self.next_login)}
        return f"{params['redirect_uri']}?{urlencode({'code': code, 'state': params['state']})}"

    def _id_token(self, grant: dict[str, Any]) -> str:
        now = int(time.time())
        claims = {
            "iss": self.tamper.get("iss", self.issuer),
            "aud": self.tamper.get("aud", self.client_id),
            "iat": now,
            "exp": now - 600 if self.tamper.get("expired") else now + 300,
            "nonce": self.tamper.get("nonce", grant.get("nonce")),
            **grant["claims"],
        }
        key = self.rogue_key if self.tamper.get("rogue_key") else self.key
        return jwt.encode({"alg": "RS256", "kid": "k1"}, claims, key)

    def _token(self, form: dict[str, str], auth: str | None) -> tuple[int, dict[str, Any]]:
        client_id, secret = form.get("client_id"), form.get("client_secret")
        if auth and auth.startswith("Basic "):
            client_id, _, secret = base64.b64decode(auth[6:]).decode().partition(":")
        if client_id != self.client_id or secret != self.client_secret:
            return 401, {"error": "invalid_client"}
        grant = self.codes.pop(form.get("code", ""), None)  # single use
        if grant is None or form.get("redirect_uri") != grant["redirect_uri"]:
            return 400, {"error": "invalid_grant"}
        verifier = form.get("code_verifier", "")
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
        if grant.get("code_challenge") and challenge != grant["code_challenge"]:
            return 400, {"error": "invalid_grant", "error_description": "PKCE"}
        return 200, {
            "access_token": secrets.token_urlsafe(16),
            "token_type": "Bearer",
            "expires_in": 300,
            "id_token": self._id_token(grant),
        }

    def _handler(self):
        idp = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _json(self, status: int, body: dict[str, Any]) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:  # noqa: N802
                path = urlsplit(self.path).path
                if path == "/.well-known/openid-configuration":
                    self._json(200, idp.metadata())
                elif path == "/jwks":
                    self._json(200, {"keys": [idp.key.as_dict(private=False)]})
                elif path == "/authorize":
                    self.send_response(302)
                    self.send_header("Location", idp.authorize(self.path))
                    self.end_headers()
                else:
                    self._json(404, {"error": "not found"})

            def do_POST(self) -> None:  # noqa: N802
                length = int(self.headers.get("Content-Length", 0))
                form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
                if urlsplit(self.path).path == "/token":
                    self._json(*idp._token(form, self.headers.get("Authorization")))
                else:
                    self._json(404, {"error": "not found"})

        return Handler
