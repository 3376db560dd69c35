"""OpenAPI post-processing: the error answers that every operation of the API can give.

drf-spectacular describes what a view's serializer returns and what the view declares. The
answers given before or instead of the view's own are the same for every operation, so they
are described once here (`SPECTACULAR_SETTINGS["POSTPROCESSING_HOOKS"]`), not on each view:
401 without a valid token, 403 from a permission, or from the gate for an operation that
takes a `purpose` (`records.gate.AccessRefused` adds its reason code; its detail never
repeats the caller's input), 404 for an object
outside the access (indistinguishable from one that does not exist), and DRF's parse errors
(400) for an operation that takes a body.
"""

from . import gate

ERROR = "Error"
ERROR_SCHEMA = {
    "type": "object",
    "properties": {
        "detail": {"type": "string", "description": "理由と、どうすればよいか"},
        "reason": {
            "type": "string",
            # The API reads members and records, never a desk's filings (`gate.OutOfDesk`)
            # nor the officer's register of protections (`gate.NotTheOfficer`).
            "enum": sorted(
                refusal.reason
                for refusal in gate.AccessRefused.__subclasses__()
                if refusal not in (gate.OutOfDesk, gate.NotTheOfficer)
            ),
            "description": "ゲートが拒んだときの理由コード",
        },
    },
    "required": ["detail"],
}
_REF = {"$ref": f"#/components/schemas/{ERROR}"}
_UNAUTHENTICATED = "トークンがない、または無効です。"
_FORBIDDEN = "この操作の権限がありません。"
_REFUSED = (
    "権限がない、または利用目的が認められていません。送られた purpose の値は繰り返さず、"
    "登録簿にある利用目的だけを登録簿の名称で示します。"
)


def _error(description: str, schema: dict = _REF) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def add_error_responses(result, generator, request, public):
    result.setdefault("components", {}).setdefault("schemas", {})[ERROR] = ERROR_SCHEMA
    for path, item in result.get("paths", {}).items():
        for operation in item.values():
            responses = operation.setdefault("responses", {})
            responses.setdefault("401", _error(_UNAUTHENTICATED))
            gated = any(p.get("name") == "purpose" for p in operation.get("parameters", ()))
            responses.setdefault("403", _error(_REFUSED if gated else _FORBIDDEN))
            if "{" in path:
                responses.setdefault("404", _error("見つかりません。"))
            if "requestBody" in operation:
                declared = responses.get("400", {}).get("content", {}).get("application/json")
                schema = {"oneOf": [declared["schema"], _REF]} if declared else _REF
                responses["400"] = _error(
                    responses.get("400", {}).get("description") or "本文を読めません。", schema
                )
    return result
