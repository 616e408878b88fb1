"""RFC 9457 problem details (``application/problem+json``) for the JSON API."""

from __future__ import annotations

from typing import Any

from flask import Response, json, request

PROBLEM_MIMETYPE = "application/problem+json"
API_PREFIX = "/api/v1"


def is_api_request() -> bool:
    return request.path == API_PREFIX or request.path.startswith(API_PREFIX + "/")


def problem(status: int, title: str, detail: str, **extensions: Any) -> Response:
    """A problem+json response; ``type`` stays ``about:blank`` (the status says it all)."""
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail,
            "instance": request.path}
    body.update({k: v for k, v in extensions.items() if v is not None})
    response = Response(json.dumps(body, ensure_ascii=False), status=status,
                        mimetype=PROBLEM_MIMETYPE)
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="motion"'
    return response
