"""One OpenAPI document for the whole public API, merged from the services' own documents."""

import httpx
from gateway.upstreams.openapi import merge

from .conftest import GatewayFactory
from .sign_in import bearer


class TestMergedOpenApi:
    async def test_every_service_and_the_gateway_are_in_one_document(self, client: httpx.AsyncClient) -> None:
        document = (await client.get("/openapi.json")).json()

        paths = document["paths"]
        assert "/api/v1/auth/staff/login" in paths
        assert "/api/v1/me" in paths
        assert "/api/v1/members/{member_id}" in paths
        assert "/api/v1/points/{member_id}" in paths
        assert "/api/v1/merchant-api/orders" in paths
        assert "/api/v1/claims" in paths
        assert "/api/v1/inbox/{member_id}/unread-count" in paths
        assert all(path.startswith("/api/v1/") for path in paths)
        assert set(document["components"]["securitySchemes"]) == {"bearer", "merchantKey"}

    async def test_a_service_operation_says_how_to_authenticate(self, client: httpx.AsyncClient) -> None:
        document = (await client.get("/openapi.json")).json()

        operation = document["paths"]["/api/v1/points/{member_id}"]["get"]

        assert operation["security"] == [{"bearer": []}, {"merchantKey": []}]
        assert operation["tags"] == ["privilege-svc"]

    async def test_every_reference_resolves(self, client: httpx.AsyncClient) -> None:
        document = (await client.get("/openapi.json")).json()
        schemas = document["components"]["schemas"]

        def refs(node: object) -> list[str]:
            if isinstance(node, dict):
                found = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
                return found + [r for value in node.values() for r in refs(value)]
            if isinstance(node, list):
                return [r for item in node for r in refs(item)]
            return []

        missing = {r for r in refs(document) if r.removeprefix("#/components/schemas/") not in schemas}
        assert missing == set()

    async def test_the_docs_page_reads_the_merged_document(self, client: httpx.AsyncClient) -> None:
        response = await client.get("/docs")

        assert response.status_code == 200
        assert "/openapi.json" in response.text


class TestRoutingTable:
    async def test_routes_are_learned_from_the_services(self, gateway: GatewayFactory) -> None:
        async with gateway() as gw:
            headers = await bearer(gw, "admin")

            response = await gw.get("/api/v1/articles/echo", headers=headers)

        assert response.json()["service"] == "notify-svc"


def _service(item_properties: dict[str, object], path: str) -> dict[str, object]:
    ref = {"$ref": "#/components/schemas/Page_Item_"}
    return {
        "paths": {
            path: {
                "get": {
                    "operationId": path,
                    "responses": {"200": {"content": {"application/json": {"schema": ref}}}},
                }
            }
        },
        "components": {
            "schemas": {
                "Item": {"type": "object", "properties": item_properties},
                "Page_Item_": {
                    "type": "object",
                    "properties": {
                        "items": {"type": "array", "items": {"$ref": "#/components/schemas/Item"}}
                    },
                },
            }
        },
    }


def test_a_schema_written_alike_by_two_services_but_naming_different_parts_is_kept_twice() -> None:
    merged = merge(
        {},
        {
            "merchant-svc": _service({"merchant_id": {"type": "string"}}, "/api/v1/webhook-messages"),
            "notify-svc": _service({"channel": {"type": "string"}}, "/api/v1/audience/messages"),
        },
    )

    schemas = merged["components"]["schemas"]
    answer = merged["paths"]["/api/v1/audience/messages"]["get"]["responses"]["200"]
    page = answer["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
    item = schemas[page]["properties"]["items"]["items"]["$ref"].rsplit("/", 1)[-1]
    assert page != "Page_Item_"
    assert schemas[item]["properties"] == {"channel": {"type": "string"}}
    first = merged["paths"]["/api/v1/webhook-messages"]["get"]["responses"]["200"]
    assert first["content"]["application/json"]["schema"]["$ref"].endswith("/Page_Item_")
