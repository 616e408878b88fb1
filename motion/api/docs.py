"""The API reference page, rendered on the server from the OpenAPI document."""

from __future__ import annotations

from flask import Blueprint, render_template, url_for

bp = Blueprint("api_docs", __name__, url_prefix="/api/v1")

METHODS = ("get", "post", "put", "patch", "delete")


def _resolve(spec: dict, node: dict) -> dict:
    """Follow a local ``$ref`` (one level is enough for display)."""
    ref = node.get("$ref") if isinstance(node, dict) else None
    if not ref:
        return node
    target: dict = spec
    for part in ref.lstrip("#/").split("/"):
        target = target.get(part, {})
    return target


def _schema_name(node: dict | None) -> str:
    if not node:
        return ""
    if "$ref" in node:
        return node["$ref"].rsplit("/", 1)[-1]
    if node.get("type") == "array":
        return _schema_name(node.get("items")) + "[]"
    return str(node.get("type", ""))


def operations(spec: dict) -> list[dict]:
    """The operations of the document, grouped by tag, in the document's order."""
    groups: dict[str, dict] = {t["name"]: {"name": t["name"], "description":
                                           t.get("description", ""), "operations": []}
                               for t in spec.get("tags", [])}
    for path, item in spec.get("paths", {}).items():
        shared = item.get("parameters", [])
        for method in METHODS:
            op = item.get(method)
            if op is None:
                continue
            body = op.get("requestBody", {}).get("content", {})
            responses = []
            for status, response in op.get("responses", {}).items():
                response = _resolve(spec, response)
                content = response.get("content", {})
                media = next(iter(content), "")
                schema = content.get(media, {}).get("schema") if media else None
                responses.append({"status": status, "description": response.get("description",
                                                                                 ""),
                                  "media": media, "schema": _schema_name(schema)})
            entry = {
                "method": method.upper(), "path": path, "summary": op.get("summary", ""),
                "description": op.get("description", ""),
                "parameters": [_resolve(spec, p) for p in shared + op.get("parameters", [])],
                "body": {media: _schema_name(v.get("schema")) for media, v in body.items()},
                "responses": responses,
            }
            for tag in op.get("tags", ["default"]):
                groups.setdefault(tag, {"name": tag, "description": "", "operations": []})
                groups[tag]["operations"].append(entry)
    return [g for g in groups.values() if g["operations"]]


@bp.get("/docs")
def reference():
    """The API reference: every operation, its parameters, body and responses."""
    from motion.api import api

    spec = api.spec.to_dict()
    schemas = spec.get("components", {}).get("schemas", {})
    return render_template("api/reference.html", spec=spec, groups=operations(spec),
                           schemas=schemas, json_url=url_for("api-docs.openapi_json"))
