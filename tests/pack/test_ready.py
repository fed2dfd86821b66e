"""The pool's kernel client: its wait for a new kernel ends on the kernel's idle status for the
kernel_info request, asks again when that status was missed, and fails when the kernel dies."""

from __future__ import annotations

import asyncio
from queue import Empty

import pytest

from analysis.pack import ready
from analysis.pack.engine import StartedKernel
from analysis.pack.ready import ReadyClient


class FakeChannel:
    """A channel whose messages arrive as the test's kernel publishes them."""

    def __init__(self):
        self.messages: list[dict] = []
        self.read: list[dict] = []

    async def get_msg(self, timeout=None):
        if not self.messages:
            await asyncio.sleep(min(timeout or 0, 0.01))
            raise Empty
        message = self.messages.pop(0)
        self.read.append(message)
        return message


def _message(msg_type: str, parent: str | None, **content) -> dict:
    return {
        "msg_type": msg_type,
        "parent_header": {"msg_id": parent} if parent else {},
        "content": content,
    }


class FakeKernelClient(ReadyClient):
    """A ReadyClient on fake channels: each kernel_info request is answered by ``answer``."""

    def __init__(self, answer, alive=True):
        super().__init__()
        self.shell, self.iopub = FakeChannel(), FakeChannel()
        self.requests: list[str] = []
        self._answer, self._alive = answer, alive

    @property
    def shell_channel(self):
        return self.shell

    @property
    def iopub_channel(self):
        return self.iopub

    def kernel_info(self):
        msg_id = f"info-{len(self.requests) + 1}"
        self.requests.append(msg_id)
        self._answer(self, msg_id)
        return msg_id

    async def is_alive(self):
        return self._alive


def _answers(client, msg_id, protocol="5.4", idle=True):
    client.shell.messages.append(_message("kernel_info_reply", msg_id, protocol_version=protocol))
    client.iopub.messages.append(_message("status", msg_id, execution_state="busy"))
    if idle:  # else lost, as to a subscription that joined too late
        client.iopub.messages.append(_message("status", msg_id, execution_state="idle"))


def test_the_wait_ends_on_the_idle_status_for_the_request():
    def answer(client, msg_id):
        client.iopub.messages.append(_message("status", None, execution_state="starting"))
        _answers(client, msg_id)
        client.iopub.messages.append(_message("stream", "later", name="stdout", text="x"))

    client = FakeKernelClient(answer)
    asyncio.run(client.wait_for_ready(timeout=5))
    assert client.requests == ["info-1"]
    # it read up to the idle status and left what came after it for the notebook's runner
    assert client.iopub.read[-1]["content"] == {"execution_state": "idle"}
    assert [m["msg_type"] for m in client.iopub.messages] == ["stream"]


def test_a_missed_idle_status_asks_again(monkeypatch):
    """A subscription that joined after the first idle status was published never sees it:
    the client asks again rather than waiting for ever."""
    monkeypatch.setattr(ready, "IDLE_WAIT_S", 0.05)

    def answer(client, msg_id):
        _answers(client, msg_id, idle=len(client.requests) > 1)

    client = FakeKernelClient(answer)
    asyncio.run(client.wait_for_ready(timeout=5))
    assert client.requests == ["info-1", "info-2"]


def test_a_reply_to_an_older_request_is_not_taken_for_this_one(monkeypatch):
    monkeypatch.setattr(ready, "REPLY_WAIT_S", 0.05)

    def answer(client, msg_id):
        if len(client.requests) == 1:  # the first request's reply is lost
            return
        client.shell.messages.append(
            _message("kernel_info_reply", "info-1", protocol_version="5.4")
        )
        _answers(client, msg_id)

    client = FakeKernelClient(answer)
    asyncio.run(client.wait_for_ready(timeout=5))
    assert client.requests == ["info-1", "info-2"]
    assert [m["parent_header"]["msg_id"] for m in client.shell.read] == ["info-1", "info-2"]


def test_a_dead_kernel_and_a_silent_one_fail_the_wait(monkeypatch):
    monkeypatch.setattr(ready, "REPLY_WAIT_S", 0.02)
    dead = FakeKernelClient(lambda client, msg_id: None, alive=False)
    with pytest.raises(RuntimeError, match="died before replying"):
        asyncio.run(dead.wait_for_ready(timeout=5))
    silent = FakeKernelClient(lambda client, msg_id: None)
    with pytest.raises(RuntimeError, match="didn't respond in 0.1 seconds"):
        asyncio.run(silent.wait_for_ready(timeout=0.1))


def test_an_older_protocol_is_spoken():
    client = FakeKernelClient(lambda c, msg_id: _answers(c, msg_id, protocol="4.1"))
    asyncio.run(client.wait_for_ready(timeout=5))
    assert client.session.adapt_version == 4
    current = FakeKernelClient(_answers)
    asyncio.run(current.wait_for_ready(timeout=5))
    assert current.session.adapt_version == 0


def test_the_pool_kernels_use_it(tmp_path):
    kernel = StartedKernel("python3", tmp_path, specs=None)
    assert isinstance(kernel.km.client(), ReadyClient)
