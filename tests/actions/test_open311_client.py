"""The Open311 client treats slow, broken or refusing services as unavailable, clearly."""

import asyncio
import logging

import pytest
from aiohttp import web

from actions.clients.open311 import (
    Open311Client,
    Open311RejectedError,
    Open311Settings,
    Open311UnavailableError,
    Open311UncertainError,
)


async def slow(request):
    await asyncio.sleep(2)
    return web.json_response([])


async def broken(request):
    return web.Response(status=502, text="<html>bad gateway</html>")


async def refusing(request):
    return web.json_response([{"code": 400, "description": "description is required"}], status=400)


@pytest.fixture
async def server(aiohttp_server):
    app = web.Application()
    app.router.add_get("/slow/services/pothole.json", slow)
    app.router.add_get("/broken/services/pothole.json", broken)
    app.router.add_post("/refusing/requests.json", refusing)
    return await aiohttp_server(app)


def client(server, prefix, timeout=0.5):
    path = f"/{prefix}/" if prefix else "/"
    return Open311Client(Open311Settings(str(server.make_url(path)), "key", timeout))


async def test_a_slow_service_times_out_as_unavailable(server):
    with pytest.raises(Open311UnavailableError):
        await client(server, "slow").service_definition("pothole")


async def test_a_server_error_is_unavailable_not_a_crash(server):
    with pytest.raises(Open311UnavailableError, match="HTTP 502"):
        await client(server, "broken").service_definition("pothole")


async def test_a_refusal_carries_the_services_own_description(server):
    with pytest.raises(Open311RejectedError) as info:
        await client(server, "refusing").submit({"service_code": "pothole"})
    assert info.value.status == 400 and info.value.description == "description is required"


async def test_a_submission_that_times_out_may_have_arrived(aiohttp_server):
    async def slow_post(request):
        await asyncio.sleep(2)
        return web.json_response([{"service_request_id": "NB-2026-000001"}], status=201)

    app = web.Application()
    app.router.add_post("/requests.json", slow_post)
    server = await aiohttp_server(app)
    with pytest.raises(Open311UncertainError):
        await client(server, "").submit({"service_code": "pothole"})


async def test_a_refused_key_is_a_configuration_fault_not_the_residents(aiohttp_server, caplog):
    async def forbidden(request):
        return web.json_response([{"code": 403, "description": "api_key is not valid"}], status=403)

    app = web.Application()
    app.router.add_post("/requests.json", forbidden)
    server = await aiohttp_server(app)
    caplog.set_level(logging.ERROR, logger="actions.clients.open311")
    with pytest.raises(Open311UnavailableError):
        await client(server, "").submit({"service_code": "pothole"})
    assert "check OPEN311_API_KEY" in caplog.text
