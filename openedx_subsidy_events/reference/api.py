"""Enterprise-access's small HTTP API for admins: list requests, approve, decline (WSGI, stdlib only).

Described by :data:`OPENAPI` (served at ``/openapi.json``) so schemathesis can fuzz it; approving
sends the *approved* event, which is what the package's schemathesis check verifies.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from typing import Any
from uuid import UUID

from ..exceptions import InvalidTransition
from ..states import SubsidyRequestState
from .enterprise_access import EnterpriseAccess

__all__ = ["OPENAPI", "make_app"]

StartResponse = Callable[[str, list[tuple[str, str]]], Any]
WSGIApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]

_REVIEW_BODY = {
    "required": True,
    "content": {
        "application/json": {
            "schema": {
                "type": "object",
                "required": ["reviewer_lms_user_id"],
                "properties": {"reviewer_lms_user_id": {"type": "integer", "minimum": 1, "maximum": 2**31}},
                "additionalProperties": False,
            }
        }
    },
}
_REQUEST = {
    "type": "object",
    "required": ["uuid", "kind", "state", "lms_user_id", "user_email", "enterprise_customer_uuid"],
    "properties": {
        "uuid": {"type": "string", "format": "uuid"},
        "kind": {"type": "string", "enum": ["license", "coupon_code"]},
        "state": {"type": "string", "enum": [s.value for s in SubsidyRequestState]},
        "lms_user_id": {"type": "integer"},
        "user_email": {"type": "string"},
        "enterprise_customer_uuid": {"type": "string", "format": "uuid"},
        "course_id": {"type": "string", "nullable": True},
        "reviewer_lms_user_id": {"type": "integer", "nullable": True},
    },
}
_ERROR = {"type": "object", "required": ["error"], "properties": {"error": {"type": "string"}}}


def _json_response(description: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _review_operation(action: str) -> dict[str, Any]:
    return {
        "operationId": f"{action}Request",
        "summary": f"{action.capitalize()} a subsidy request",
        "parameters": [
            {"name": "request_uuid", "in": "path", "required": True, "schema": {"type": "string", "format": "uuid"}}
        ],
        "requestBody": _REVIEW_BODY,
        "responses": {
            "200": _json_response(f"The request, {action}d.", _REQUEST),
            "400": _json_response("The body is not valid.", _ERROR),
            "404": _json_response("No request has this uuid.", _ERROR),
            "409": _json_response(f"The request cannot be {action}d in its state.", _ERROR),
        },
    }


OPENAPI: dict[str, Any] = {
    "openapi": "3.0.3",
    "info": {"title": "enterprise-access subsidy requests (reference)", "version": "0.1.0"},
    "paths": {
        "/requests": {
            "get": {
                "operationId": "listRequests",
                "summary": "List subsidy requests",
                "parameters": [
                    {
                        "name": "state",
                        "in": "query",
                        "required": False,
                        "schema": {"type": "string", "enum": [s.value for s in SubsidyRequestState]},
                    }
                ],
                "responses": {
                    "200": _json_response("The requests.", {"type": "array", "items": _REQUEST}),
                    "400": _json_response("The query is not valid.", _ERROR),
                },
            }
        },
        "/requests/{request_uuid}/approve": {"post": _review_operation("approve")},
        "/requests/{request_uuid}/decline": {"post": _review_operation("decline")},
    },
}
"""The OpenAPI 3.0 description of the API."""

_REVIEW_PATH = re.compile(r"/requests/(?P<uuid>[^/]+)/(?P<action>approve|decline)\Z")


def _reply(start_response: StartResponse, status: str, body: Any) -> list[bytes]:
    data = json.dumps(body).encode("utf-8")
    start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(data)))])
    return [data]


def _error(start_response: StartResponse, status: str, message: str) -> list[bytes]:
    return _reply(start_response, status, {"error": message})


def _reviewer(environ: dict[str, Any]) -> int | None:
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = json.loads(environ["wsgi.input"].read(length) or b"null")
    except (ValueError, UnicodeDecodeError):
        return None
    if not isinstance(body, dict) or set(body) != {"reviewer_lms_user_id"}:
        return None
    reviewer = body["reviewer_lms_user_id"]
    return reviewer if type(reviewer) is int and 1 <= reviewer <= 2**31 else None


def make_app(service: EnterpriseAccess) -> WSGIApp:
    """The WSGI application of the API, over one :class:`EnterpriseAccess`.

    .. versionadded:: 0.1.0
    """

    def app(environ: dict[str, Any], start_response: StartResponse) -> list[bytes]:
        method, path = environ["REQUEST_METHOD"], environ.get("PATH_INFO", "")
        if method == "GET" and path == "/openapi.json":
            return _reply(start_response, "200 OK", OPENAPI)
        if method == "GET" and path == "/requests":
            return _list(service, environ, start_response)
        match = _REVIEW_PATH.match(path)
        if match and method == "POST":
            return _review(service, match["uuid"], match["action"], environ, start_response)
        return _error(start_response, "404 Not Found", f"no route for {method} {path}")

    return app


def _list(service: EnterpriseAccess, environ: dict[str, Any], start_response: StartResponse) -> list[bytes]:
    query = dict(pair.partition("=")[::2] for pair in environ.get("QUERY_STRING", "").split("&") if pair)
    state = query.get("state")
    if state is not None and state not in {s.value for s in SubsidyRequestState}:
        return _error(start_response, "400 Bad Request", "unknown state")
    found = [r.to_json() for r in service.requests.values() if state is None or r.state.value == state]
    return _reply(start_response, "200 OK", found)


def _review(
    service: EnterpriseAccess, raw_uuid: str, action: str, environ: dict[str, Any], start_response: StartResponse
) -> list[bytes]:
    try:
        request_uuid = UUID(raw_uuid)
    except ValueError:
        return _error(start_response, "404 Not Found", "no request has this uuid")
    reviewer = _reviewer(environ)
    if reviewer is None:
        return _error(start_response, "400 Bad Request", 'the body must be {"reviewer_lms_user_id": <positive int>}')
    if request_uuid not in service.requests:
        return _error(start_response, "404 Not Found", "no request has this uuid")
    review = service.approve if action == "approve" else service.decline
    try:
        request = review(request_uuid, reviewer_lms_user_id=reviewer)
    except InvalidTransition as error:
        return _error(start_response, "409 Conflict", str(error))
    return _reply(start_response, "200 OK", request.to_json())
