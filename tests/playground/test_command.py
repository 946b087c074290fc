"""`vpc-test playground` as a user runs it."""

from __future__ import annotations

import json
import socket
import urllib.request

from tests.cli_runner import run_cli
from tests.playground.process import playground


def get(url: str) -> tuple[int, str, str]:
    with urllib.request.urlopen(url, timeout=10) as answer:
        return answer.status, answer.headers.get_content_type(), answer.read().decode()


def test_it_comes_up_prints_its_address_and_stops_cleanly() -> None:
    with playground() as running:
        assert running.url.startswith("http://127.0.0.1:")
        status, kind, _ = get(running.url)
        assert (status, kind) == (200, "text/html")
        _, _, body = get(running.url + "api/state")
        state = json.loads(body)
        assert state["bot"]["status"] == "up" and state["bot"]["managed"]
        assert state["digest"]["id"].startswith("DG-")  # the digest channel is subscribed
        bot_url = state["bot"]["url"]
        assert running.stop() == 0
    try:
        get(bot_url.replace("/slack/events", "/healthz"))
    except OSError:
        pass  # the bot went down with it
    else:
        raise AssertionError("the bot outlived the playground")


def test_a_taken_port_is_refused_with_what_to_do() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run_cli("playground", "--port", str(port), timeout=60)
    assert result.returncode == 3
    assert f"--port {port}: cannot listen on 127.0.0.1:{port}" in result.stderr
    assert "--port 0 for any free one" in result.stderr


def test_bad_arguments_are_refused_in_one_line(tmp_path) -> None:
    missing = run_cli("playground", "--world", str(tmp_path / "nope.yaml"))
    assert missing.returncode == 3 and "no such world file" in missing.stderr
    broken = tmp_path / "broken.yaml"
    broken.write_text("region: cn-hangzhou\ncredentials: {}\n")
    bad = run_cli("playground", "--world", str(broken))
    assert bad.returncode == 3 and "broken.yaml" in bad.stderr
    url = run_cli("playground", "--bot-url", "localhost:3000")
    assert url.returncode == 3 and "http://127.0.0.1:3000/slack/events" in url.stderr
