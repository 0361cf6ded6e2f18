"""Kernel starts and stops without jupyter_client's fixed waits, for the kernels workbook runs itself.

After a kernel answers its first request, jupyter_client waits until IOPub has been quiet for 0.2 s; when a kernel
stops, it looks every 0.1 s whether the process has ended. That is about a third of a second of doing nothing per
kernel, as much as a forked kernel needs to start (grading and the build's validation start hundreds). Here the
client is ready once IOPub has delivered one message after the kernel's first reply (the subscription is live, so
nothing later can be missed; what arrived before belongs to no cell and is dropped), and an ending kernel is
looked at every 10 ms.
"""

from __future__ import annotations

import time
from queue import Empty

from jupyter_client.asynchronous import AsyncKernelClient
from jupyter_client.manager import AsyncKernelManager
from traitlets import DottedObjectName, Type

EXIT_POLL_SECONDS = 0.01


class PromptKernelClient(AsyncKernelClient):
    """jupyter_client's asynchronous client, ready as soon as the kernel is (see the module's note)."""

    async def wait_for_ready(self, timeout: float | None = None) -> None:
        deadline = None if timeout is None else time.monotonic() + timeout
        while not await self._kernel_answered():
            if not await self._async_is_alive():
                raise RuntimeError("Kernel died before replying to kernel_info")
            if deadline is not None and time.monotonic() > deadline:
                raise RuntimeError(f"Kernel didn't respond in {timeout:g} seconds")
        while True:  # the start-up messages already waiting on IOPub
            try:
                await self.iopub_channel.get_msg(timeout=0)
            except Empty:
                return

    async def _kernel_answered(self) -> bool:
        """Ask for kernel_info; True once the reply came and IOPub delivers too."""
        self.kernel_info()
        try:
            reply = await self.shell_channel.get_msg(timeout=1)
        except Empty:
            return False
        if reply["msg_type"] != "kernel_info_reply":
            return False
        try:
            await self.iopub_channel.get_msg(timeout=0.2)  # its busy/idle status: IOPub is subscribed
        except Empty:
            return False  # not yet: ask again
        self._handle_kernel_info_reply(reply)
        return True


class PromptKernelManager(AsyncKernelManager):
    """Kernels with PromptKernelClient clients, whose end is noticed within 10 ms."""

    client_class = DottedObjectName("workbook.grading.prompt_kernels.PromptKernelClient")
    client_factory = Type(klass=PromptKernelClient)

    async def _async_wait(self, pollinterval: float = 0.1) -> None:
        await super()._async_wait(pollinterval=min(pollinterval, EXIT_POLL_SECONDS))
