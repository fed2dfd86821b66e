"""A kernel client whose wait for a new kernel ends when the kernel has answered.

nbclient waits for each new kernel with its client's ``wait_for_ready``. jupyter_client's
version sends ``kernel_info``, takes the reply, then reads the IOPub channel until it has been
silent for 0.2 s: a fifth of a second of nothing for every notebook (a pack runs four, a batch
of every council over six hundred). :class:`ReadyClient` ends the wait on the message that
shows the same thing: the kernel's "idle" status for that ``kernel_info`` request, published
on IOPub after the reply. Seeing it proves the IOPub subscription is live and that the start-up
messages before it have been read. A subscription that joined too late to see it (ZeroMQ drops
messages a subscriber connects after) gets a new request, as jupyter_client's wait does.

The pool's kernel managers name this class through their ``client_class`` setting.
"""

from __future__ import annotations

import math
import time
from queue import Empty

from jupyter_client import protocol_version_info
from jupyter_client.asynchronous import AsyncKernelClient
from jupyter_client.session import Session

# How long one kernel_info request waits for its reply, then for its idle status, before the
# request is sent again.
REPLY_WAIT_S = 1.0
IDLE_WAIT_S = 0.5


class ReadyClient(AsyncKernelClient):
    """An asynchronous kernel client whose :meth:`wait_for_ready` returns once the kernel has
    replied to ``kernel_info`` and its "idle" status for that request has arrived on IOPub."""

    async def wait_for_ready(self, timeout: float | None = None) -> None:
        deadline = time.monotonic() + (math.inf if timeout is None else timeout)
        while True:
            msg_id = self.kernel_info()
            reply = await self._matching(self.shell_channel, msg_id, REPLY_WAIT_S, deadline)
            if reply is not None and reply["msg_type"] == "kernel_info_reply":
                _adapt_protocol(self.session, reply)
                if await self._idle_after(msg_id, deadline):
                    return
            if not await self.is_alive():
                raise RuntimeError("Kernel died before replying to kernel_info")
            if time.monotonic() > deadline:
                raise RuntimeError(f"Kernel didn't respond in {timeout:g} seconds")

    async def _idle_after(self, msg_id: str, deadline: float) -> bool:
        """Read IOPub until the kernel's idle status for request ``msg_id`` (True), or for
        :data:`IDLE_WAIT_S` without it (False)."""
        ends = min(deadline, time.monotonic() + IDLE_WAIT_S)
        while True:
            message = await self._matching(self.iopub_channel, msg_id, None, ends)
            if message is None:
                return False
            if (
                message["msg_type"] == "status"
                and message["content"].get("execution_state") == "idle"
            ):
                return True

    @staticmethod
    async def _matching(channel, msg_id: str, wait_s: float | None, deadline: float):
        """The next message on ``channel`` answering request ``msg_id`` (others are read and
        dropped), or None when ``wait_s`` (or the deadline) passes first."""
        ends = min(deadline, time.monotonic() + (math.inf if wait_s is None else wait_s))
        while (left := ends - time.monotonic()) > 0:
            try:
                message = await channel.get_msg(timeout=left)
            except Empty:
                return None
            if message.get("parent_header", {}).get("msg_id") == msg_id:
                return message
        return None


def _adapt_protocol(session: Session, reply: dict) -> None:
    """Speak the kernel's major protocol version, as jupyter_client's own wait does."""
    theirs = int(reply["content"]["protocol_version"].split(".")[0])
    if theirs != protocol_version_info[0]:
        session.adapt_version = theirs
