"""Warm, sandboxed grading kernels: the grader's side of autograder.sandbox.zygote.

A :class:`KernelFactory` is one sandboxed process per grading worker that has imported torch, Lightning, labkit
and ipykernel once (see SECURITY.md and autograder.sandbox.zygote). :class:`ForkedKernelManager` is a jupyter_client
kernel manager whose kernel is forked from it for one job, so nbclient and nbgrader's Execute drive it like any
other kernel, over ZMQ ipc sockets in the job's folder.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import select
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from queue import Empty
from typing import Any

import zmq
from jupyter_client.asynchronous import AsyncKernelClient
from jupyter_client.manager import AsyncKernelManager
from jupyter_client.provisioning import LocalProvisioner
from nbclient.exceptions import DeadKernelError
from traitlets import Type

from autograder import sandbox
from autograder.sandbox import zygote

# Imported once per worker instead of once per student.
WARM_MODULES = ["torch", "lightning", "torchmetrics", "matplotlib.pyplot", "matplotlib.backends.backend_agg",
                "sklearn.datasets", "labkit", "labkit.training", "labkit.data", "labkit.plotting",
                "ipykernel.kernelapp", "ipykernel.ipkernel",
                "ipykernel.debugger",  # every kernel's start imports the debugger (debugpy): 45 ms
                # and these, another 6 ms (the shell's debugger, inspector and default extension)
                "IPython.core.debugger", "IPython.core.completerlib", "IPython.core.oinspect",
                "IPython.core.magics.extension", "IPython.extensions.storemagic", "tornado.platform.asyncio"]
FACTORY_START_S = 180
SEND_TIMEOUT_MS = 5000
# A worker's job folders: /tmp/agj-<worker pid>-<random>. Short: the kernel's unix sockets live in a job folder and
# their paths must stay under 108 bytes.
JOBS_ROOT, JOBS_PREFIX = Path("/tmp"), "agj-"


class FactoryError(RuntimeError):
    pass


def remove_orphaned_jobs() -> None:
    """Remove the job folders of workers that are gone: a worker killed outright (SIGKILL, out of memory) cannot
    clean up, and its folders hold students' files. The worker's pid is in each folder's name."""
    for folder in JOBS_ROOT.glob(f"{JOBS_PREFIX}*-*"):
        pid = folder.name.removeprefix(JOBS_PREFIX).split("-")[0]
        if pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(folder, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        pass
    try:  # a killed worker whose parent died too stays a zombie until init reaps it: it has ended all the same
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return False


class KernelFactory:
    """One warm, sandboxed kernel factory and the folder of its jobs; restarted if it dies."""

    def __init__(self) -> None:
        remove_orphaned_jobs()
        self.jobs = Path(tempfile.mkdtemp(prefix=f"{JOBS_PREFIX}{os.getpid()}-", dir=JOBS_ROOT))
        sandbox.hand_over(self.jobs)
        self.process: subprocess.Popen | None = None
        self.generation = 0  # how many times it was started: a change means every kernel it had is gone

    def start(self) -> None:
        """Start the factory now if it is not running (otherwise the first kernel starts it)."""
        if self.process is None or self.process.poll() is not None:
            self._start()

    def _start(self) -> None:
        self.generation += 1
        self.process = subprocess.Popen(sandbox.factory_command(self.jobs, WARM_MODULES), stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, bufsize=1)
        if self._read(FACTORY_START_S) != {"ready": True}:
            raise FactoryError("the kernel factory did not start")

    def _read(self, timeout: float) -> dict[str, Any]:
        assert self.process is not None and self.process.stdout is not None
        ready, _, _ = select.select([self.process.stdout], [], [], timeout)
        line = self.process.stdout.readline() if ready else ""
        if not line:
            self.close_process()
            raise FactoryError("the kernel factory stopped answering")
        return json.loads(line)

    def request(self, **request: Any) -> dict[str, Any]:
        self.start()
        assert self.process is not None and self.process.stdin is not None
        try:
            self.process.stdin.write(json.dumps(request) + "\n")
            self.process.stdin.flush()
        except (BrokenPipeError, OSError):
            self.close_process()
            raise FactoryError("the kernel factory is gone") from None
        answer = self._read(60)
        if "error" in answer:
            raise FactoryError(answer["error"])
        return answer

    def run_checks(self, job: Path, module: str, limits: sandbox.Limits, checks: list[str]) -> int:
        """Run the clean check process (labkit.recording.record_checks) on `checks` in `job`, sandboxed like a
        kernel; its exit status once it has ended (zygote.EXIT_MEMORY or EXIT_TIME when its keeper ended it)."""
        answer = self.request(op="spawn", mode="check", job=job.name, module=module, connection={},
                              limits=limits.request(), check_seconds=limits.cell_seconds, checks=checks)
        generation = self.generation
        status = ForkedKernel(self, answer["pid"]).wait()
        if self.generation != generation:
            raise FactoryError("the kernel factory died while the checks ran")
        return status

    def status(self, pid: int) -> int | None:
        """How a kernel it forked ended (None while it runs)."""
        return self.request(op="wait", pid=pid, seconds=0)["status"]

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def new_job(self) -> Path:
        job = Path(tempfile.mkdtemp(prefix="j", dir=self.jobs))
        sandbox.hand_over(job)
        return job

    def close_process(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait()
            self.process = None

    def close(self) -> None:
        self.close_process()
        shutil.rmtree(self.jobs, ignore_errors=True)


class ForkedKernel:
    """What jupyter_client's provisioner expects of a Popen, for a kernel the factory forked."""

    stdin = stdout = stderr = None

    def __init__(self, factory: KernelFactory, pid: int) -> None:
        self.factory, self.pid = factory, pid

    def poll(self) -> int | None:
        return self.ended_within(0)

    def ended_within(self, seconds: float) -> int | None:
        """Its exit status as soon as it ends, or None if it still runs after `seconds`: the factory answers the
        moment it ends, where polling would leave the student's worker idle until the next look."""
        try:
            return self.factory.request(op="wait", pid=self.pid, seconds=seconds)["status"]
        except FactoryError:
            return -9  # the factory died, and every kernel it forked with it

    def wait(self, timeout: float | None = None) -> int:
        deadline = None if timeout is None else time.monotonic() + timeout
        while (status := self.ended_within(1.0 if deadline is None else min(1.0, deadline - time.monotonic()))) is None:
            if deadline is not None and time.monotonic() > deadline:
                raise subprocess.TimeoutExpired("kernel", timeout or 0)
        return status

    def send_signal(self, signum: int) -> None:
        """Any signal ends the kernel: interrupts go through its control channel, so only kills and terms come
        here, and PID 1 of a namespace would ignore a SIGTERM it has no handler for."""
        with contextlib.suppress(FactoryError):
            self.factory.request(op="kill", pid=self.pid)

    def kill(self) -> None:
        self.send_signal(9)

    terminate = kill


# The event loop's waits for a kernel that was told to end: short, for the channels' sake, but never a poll's sleep.
ASYNC_WAIT_S = 0.02


class ForkProvisioner(LocalProvisioner):
    async def wait(self) -> int | None:
        while isinstance(self.process, ForkedKernel) and self.process.ended_within(ASYNC_WAIT_S) is None:
            await asyncio.sleep(0)
        return await super().wait()

    async def launch_kernel(self, cmd: list[str], **kwargs: Any):
        km = self.parent
        with open(km.connection_file) as f:
            connection = json.load(f)
        # Same socket files, seen from inside the kernel's sandbox.
        connection["ip"] = str(Path(zygote.SUBMISSION) / Path(km.ip).relative_to(km.job))
        answer = km.factory.request(op="spawn", job=km.job.name, connection=connection,
                                    limits=km.limits.request())
        self.process = ForkedKernel(km.factory, answer["pid"])
        km.kernel_pid = answer["pid"]
        self.pid, self.pgid, self.cwd = answer["pid"], None, str(km.job)
        return self.connection_info


def _bounded_sends(socket: zmq.Socket) -> zmq.Socket:
    # A send to a kernel that died waits for a peer that never comes, and blocks the event loop that would notice.
    socket.setsockopt(zmq.SNDTIMEO, SEND_TIMEOUT_MS)
    return socket


class GradingKernelClient(AsyncKernelClient):
    """A kernel client whose sends to a dead kernel fail instead of blocking, and without the heartbeat channel,
    whose thread blocks for good on a ping to a kernel whose ipc socket is gone. Whether the kernel lives is asked
    of its factory instead (ForkedKernel.poll)."""

    def start_channels(self, *args: Any, **kwargs: Any) -> None:
        kwargs["hb"] = False
        # The channels connect before the kernel has bound its ipc sockets, and ZMQ retries a failed connect after
        # 100 ms: until then IOPub misses what the kernel says and the worker waits. Retry after 2 ms instead (for
        # every socket this context makes from now on: a worker's are all grading kernels').
        self.context.setsockopt(zmq.RECONNECT_IVL, 2)
        super().start_channels(*args, **kwargs)

    def _create_connected_socket(self, channel: str, identity: bytes | None = None) -> zmq.Socket:
        return _bounded_sends(super()._create_connected_socket(channel, identity))

    async def wait_for_ready(self, timeout: float | None = None) -> None:
        """Ready once the kernel has answered kernel_info on the shell channel and said idle for that request on
        IOPub (which shows IOPub is connected). jupyter_client's own wait then drains IOPub until 0.2 s pass with
        no message: a fixed 0.2 s of every student's worker idle."""
        deadline = time.monotonic() + (timeout if timeout is not None else float("inf"))
        while True:
            request = self.kernel_info()
            with contextlib.suppress(Empty):
                reply = await self.shell_channel.get_msg(timeout=1)
                if reply["msg_type"] == "kernel_info_reply" and await self._idle_after(request):
                    self._handle_kernel_info_reply(reply)
                    return
            if not await self._async_is_alive():
                raise RuntimeError("Kernel died before replying to kernel_info")
            if time.monotonic() > deadline:
                raise RuntimeError(f"Kernel didn't respond in {timeout:g} seconds")

    async def _idle_after(self, request: str) -> bool:
        """Whether IOPub says idle for `request` (False if it stays silent: not connected yet, ask again)."""
        while True:
            try:
                msg = await self.iopub_channel.get_msg(timeout=0.2)
            except Empty:
                return False
            if (msg["parent_header"].get("msg_id") == request and msg["msg_type"] == "status"
                    and msg["content"].get("execution_state") == "idle"):
                return True


class ForkedKernelManager(AsyncKernelManager):
    """A kernel forked from `factory` into its own sandbox, working in `job` (a folder of the factory's)."""

    client_factory = Type(klass=GradingKernelClient)

    def __init__(self, factory: KernelFactory, job: Path, limits: sandbox.Limits, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.factory, self.job, self.limits = factory, job, limits
        self.kernel_pid: int | None = None

    async def _async_pre_start_kernel(self, **kw: Any):
        sockets = self.job / ".kernel"
        sockets.mkdir(exist_ok=True)
        sandbox.hand_over(sockets)
        self.transport, self.ip = "ipc", str(sockets / "k")
        self.connection_file = str(sockets / "connection.json")
        if self.provisioner is None:
            self.provisioner = ForkProvisioner(kernel_id=self.kernel_id or "grading", kernel_spec=self.kernel_spec,
                                               parent=self)
        cmd, kw = await super()._async_pre_start_kernel(**kw)
        self.kernel_spec.interrupt_mode = "message"  # no signal can reach the kernel from here
        self.write_connection_file()
        return cmd, kw

    def _create_connected_socket(self, channel: str, identity: bytes | None = None) -> zmq.Socket:
        return _bounded_sends(super()._create_connected_socket(channel, identity))

    async def _async_interrupt_kernel(self) -> None:
        if not await self._async_is_alive():
            raise DeadKernelError("the kernel died")
        await super()._async_interrupt_kernel()

    async def _async_wait(self, pollinterval: float = 0.1) -> None:
        """Until the kernel has ended, answered when it ends rather than at jupyter_client's next 0.1 s poll."""
        if self.provisioner is not None:
            await self.provisioner.wait()

    def _close_control_socket(self) -> None:
        # jupyter_client's shutdown sends the kernel an interrupt on this socket just before it is killed; closed
        # with a linger, the undeliverable message held the shutdown 100 ms per student.
        if self._control_socket is not None:
            self._control_socket.close(linger=0)
            self._control_socket = None

    async def _async_cleanup_resources(self, restart: bool = False) -> None:
        await super()._async_cleanup_resources(restart)
        shutil.rmtree(self.job / ".kernel", ignore_errors=True)
