"""Who is calling the REST channel: a static bearer token (REST_TOKENS) or an HS256 JWT (REST_JWT_SECRET).

Each integrator has a name; the REST channel keeps every integrator's conversations apart by it."""

from __future__ import annotations

import hmac
import logging
import re
from typing import Dict, List, Optional

import jwt

from channels import settings

logger = logging.getLogger(__name__)

INTEGRATOR_NAME = re.compile(r"^[A-Za-z0-9_.-]{1,40}$")
BEARER = "Bearer "


class Unauthorized(Exception):
    """No credentials, or credentials that are not accepted; the message says which, never the token."""


def parse_tokens(spec: List[str]) -> Dict[str, str]:
    """{token: integrator name} from "name:token" words; refuses malformed pairs, bad names and short tokens."""
    tokens: Dict[str, str] = {}
    for pair in spec:
        name, _, token = pair.partition(":")
        if not INTEGRATOR_NAME.match(name) or len(token) < settings.MIN_TOKEN_LENGTH:
            raise ValueError(
                "REST_TOKENS: each entry must be name:token with a name of letters, digits, '_.-' "
                f"and a token of at least {settings.MIN_TOKEN_LENGTH} characters"
            )
        tokens[token] = name
    return tokens


class Authenticator:
    def __init__(self, tokens: Dict[str, str], jwt_secret: Optional[str]) -> None:
        self.tokens = tokens
        self.jwt_secret = jwt_secret
        if not tokens and not jwt_secret:
            logger.warning(
                "REST channel: neither REST_TOKENS nor REST_JWT_SECRET is set, so every REST request is refused."
            )

    @classmethod
    def from_settings(cls) -> Authenticator:
        return cls(parse_tokens(settings.REST_TOKENS), settings.REST_JWT_SECRET)

    def integrator(self, authorization: Optional[str]) -> str:
        """The caller's integrator name for an `Authorization: Bearer ...` header, or Unauthorized."""
        if not authorization or not authorization.startswith(BEARER):
            raise Unauthorized("send the header Authorization: Bearer <token>")
        credential = authorization[len(BEARER) :].strip()
        for token, name in self.tokens.items():
            if hmac.compare_digest(credential.encode("utf-8"), token.encode("utf-8")):
                return name
        if self.jwt_secret and credential.count(".") == 2:
            return self._jwt_subject(credential)
        raise Unauthorized("the token is not valid")

    def _jwt_subject(self, credential: str) -> str:
        try:
            claims = jwt.decode(
                credential, self.jwt_secret or "", algorithms=["HS256"], options={"require": ["sub", "exp"]}
            )
        except jwt.ExpiredSignatureError as error:
            raise Unauthorized("the token has expired") from error
        except jwt.InvalidTokenError as error:
            raise Unauthorized("the token is not valid") from error
        subject = claims["sub"]
        if not isinstance(subject, str) or not INTEGRATOR_NAME.match(subject):
            raise Unauthorized("the token's sub claim must be an integrator name (letters, digits, '_.-')")
        return subject
