"""The action server is killed right after Open311 stored a report and before the answer
reaches it: the resident's retry, through the real Rasa REST channel and a restarted action
server, gives the same reference, and Open311 holds exactly one case."""

import asyncio
import json
import signal
import sqlite3
import subprocess
import threading
import urllib.request

import aiohttp
import pytest
from aiohttp import web

from bot.processes import (
    ROOT,
    Open311Service,
    action_server_command,
    free_port,
    new_secrets,
    server_env,
    start_servers,
    wait_until_up,
)
from tests.integration.conftest import Conversation, route_of, text_of
from tests.integration.test_report_conversations import answer_questions, reference_in


class KillingProxy:
    """An HTTP hop between the action server and Open311. It passes every request on; for
    the first report POST it waits for Open311's answer (the case is committed), then
    SIGKILLs the action server before passing that answer back."""

    def __init__(self, upstream: str):
        self.upstream = upstream
        self.port = free_port()
        self.victim: subprocess.Popen | None = None
        self.withheld: list[tuple[int, bytes]] = []
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/open311/v2/"

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        body = await request.read()
        async with aiohttp.ClientSession() as session:
            async with session.request(
                request.method,
                self.upstream + request.match_info["tail"],
                params=request.query,
                data=body,
                headers={"Content-Type": request.headers.get("Content-Type", "application/octet-stream")},
            ) as answer:
                status, payload = answer.status, await answer.read()
        if request.method == "POST" and request.match_info["tail"] == "requests.json" and not self.withheld:
            self.withheld.append((status, payload))
            assert self.victim is not None
            self.victim.send_signal(signal.SIGKILL)
            await asyncio.to_thread(self.victim.wait, 20)
            if request.transport is not None:  # usually closed already, by the kill
                request.transport.abort()
            return web.Response()
        return web.Response(status=status, body=payload, content_type="application/json")

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        app = web.Application()
        app.router.add_route("*", "/open311/v2/{tail:.*}", self._handle)
        runner = web.AppRunner(app)
        self._loop.run_until_complete(runner.setup())
        self._loop.run_until_complete(web.TCPSite(runner, "127.0.0.1", self.port).start())
        self._ready.set()
        self._loop.run_forever()
        self._loop.run_until_complete(runner.cleanup())

    def start(self) -> "KillingProxy":
        self._thread.start()
        self._ready.wait(10)
        return self

    def stop(self) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)


@pytest.fixture
def stack(redis_server, tmp_path):
    """Open311, the proxy, an action server behind it, and Rasa (trackers in Redis)."""
    action_port, open311_port = free_port(), free_port()
    env = server_env(action_port, open311_port=open311_port, secrets=new_secrets())
    env["OPEN311_DB"] = str(tmp_path / "cases.sqlite3")
    open311 = Open311Service(open311_port, env, tmp_path / "open311.log")
    open311.start()
    proxy = KillingProxy(open311.url).start()
    env["OPEN311_URL"] = proxy.url
    log = (tmp_path / "action-server.log").open("a")

    def start_actions() -> subprocess.Popen:
        process = subprocess.Popen(
            action_server_command(action_port), cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
        )
        wait_until_up(f"http://127.0.0.1:{action_port}/health", process, tmp_path / "action-server.log")
        return process

    actions = [start_actions()]
    proxy.victim = actions[0]
    rasa = start_servers(tmp_path, action_url=f"http://127.0.0.1:{action_port}", redis_url=redis_server.url)
    try:
        yield rasa, open311, proxy, actions, start_actions, env["OPEN311_DB"]
    finally:
        rasa.stop()
        for process in actions:
            if process.poll() is None:
                process.terminate()
                process.wait(20)
        proxy.stop()
        open311.stop()


def cases_in(database: str) -> list[str]:
    with sqlite3.connect(database) as db:
        return [row[0] for row in db.execute("SELECT id FROM requests ORDER BY id")]


RETRIES = {
    # The relay said the bot did not answer; its "Try again" sends the same message again.
    "relay try again": ["send"],
    # The resident starts the report again: the summary, nothing asked again, then send.
    "report again": ["/request_missed_bin", "send"],
}


@pytest.mark.parametrize("retry", RETRIES)
def test_a_retry_after_the_action_server_died_once_open311_stored_the_report_gives_its_reference(stack, retry):
    rasa, open311, proxy, actions, start_actions, database = stack
    conversation = Conversation(rasa.rasa_url)
    summary = answer_questions(conversation, conversation.say("my recycling bin wasn't emptied"))
    assert "Here is your report" in text_of(summary)

    during_crash = conversation.say("send")
    assert actions[0].poll() == -signal.SIGKILL  # killed after Open311 committed, before the answer
    assert proxy.withheld and proxy.withheld[0][0] == 201
    stored = json.loads(proxy.withheld[0][1])[0]["service_request_id"]
    assert cases_in(database) == [stored]
    assert not text_of(during_crash)  # Rasa drops the failed action: the relay says the bot did not answer

    actions.append(start_actions())
    for said in RETRIES[retry]:
        sent = conversation.say(said)
    told = text_of(sent)
    print("\nREPORT RESEND", json.dumps({"retry": retry, "cases": len(cases_in(database)), "told": told}))
    assert reference_in(sent) == stored
    assert route_of(sent)["name"] == "request:missed_bin"
    assert f"Your reference is **{stored}**" in told
    assert cases_in(database) == [stored]
    with urllib.request.urlopen(f"{open311.url}requests/{stored}.json", timeout=10) as response:
        assert json.loads(response.read())[0]["service_code"] == "missed_bin"
