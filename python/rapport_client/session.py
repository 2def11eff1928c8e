"""Sessions with `rapport serve` over OpenEnv's WebSocket protocol (OpenEnv 0.2.x).

One session is one WebSocket connection to ``/ws``; it plays one episode at a time (``reset``
starts another). Every request gets exactly one reply, in order. ``AsyncSession`` is the asyncio
form; ``Session`` wraps it for plain synchronous code (its own event loop on a background thread,
so it also works inside notebooks and trainers that already run a loop).
"""

from __future__ import annotations

import asyncio
import json
import threading
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional

import websockets


class RapportError(RuntimeError):
    """An error reply of the server: ``code`` is OpenEnv's (VALIDATION_ERROR, SESSION_ERROR, ...)."""

    def __init__(self, code: str, message: str):
        super().__init__(f"{message} ({code})")
        self.code = code
        self.message = message


@dataclass
class StepResult:
    """One observation reply: OpenEnv's ``{"observation": {...}, "reward": r, "done": b}``."""

    observation: Dict[str, Any]
    reward: Optional[float]
    done: bool

    @property
    def text(self) -> str:
        """What the agent is shown (the opening message after a reset)."""
        return self.observation.get("text", "")

    @property
    def info(self) -> Dict[str, Any]:
        return self.observation.get("info", {})

    @property
    def format_error(self) -> bool:
        return bool(self.observation.get("format_error", False))


def ws_url(base_url: str) -> str:
    """``http://host:port`` (or ``ws://``) → ``ws://host:port/ws``."""
    url = base_url.rstrip("/")
    if url.startswith("http://"):
        url = "ws://" + url[len("http://"):]
    elif url.startswith("https://"):
        url = "wss://" + url[len("https://"):]
    return url if url.endswith("/ws") else url + "/ws"


@dataclass
class AsyncSession:
    """An episode session. ``async with AsyncSession(url) as env: await env.reset(env="travel")``."""

    base_url: str = "http://127.0.0.1:8080"
    message_timeout_s: float = 60.0
    ping_interval_s: Optional[float] = 20.0
    ping_timeout_s: Optional[float] = 20.0
    max_message_bytes: int = 100 * 1024 * 1024
    _ws: Any = field(default=None, init=False, repr=False)

    async def connect(self) -> "AsyncSession":
        if self._ws is None:
            self._ws = await websockets.connect(
                ws_url(self.base_url),
                max_size=self.max_message_bytes,
                ping_interval=self.ping_interval_s,
                ping_timeout=self.ping_timeout_s,
                compression=None,
            )
        return self

    async def _request(self, message: Dict[str, Any]) -> Dict[str, Any]:
        await self.connect()
        await self._ws.send(json.dumps(message))
        reply = json.loads(await asyncio.wait_for(self._ws.recv(), timeout=self.message_timeout_s))
        if reply.get("type") == "error":
            data = reply.get("data", {})
            raise RapportError(data.get("code", "UNKNOWN"), data.get("message", "unknown error"))
        return reply

    async def reset(self, **data: Any) -> StepResult:
        """Starts an episode. Keys: env, task_id | seed + task_index, oracle, sample, max_turns, ..."""
        reply = await self._request({"type": "reset", "data": data})
        return _result(reply)

    async def step(self, choice: Optional[str] = None, content: str = "", *, action: Optional[str] = None,
                   tool: Optional[str] = None, arguments: Any = None, reasoning: Optional[str] = None) -> StepResult:
        """One move: interact_with_env(choice, content), a bracket ``action`` such as "[answer] 42", or a call
        of one of the environment's own tools (``tool`` with ``arguments``: a dict or its JSON text)."""
        if tool is not None:
            data: Dict[str, Any] = {"tool": tool, "arguments": arguments if arguments is not None else {}}
        elif action is not None:
            data = {"action": action}
        else:
            data = {"choice": choice, "content": content}
        if reasoning is not None:
            data["reasoning"] = reasoning
        reply = await self._request({"type": "step", "data": data})
        return _result(reply)

    async def state(self) -> Dict[str, Any]:
        """episode_id, step_count, done and the trajectory so far (the record `rapport run` writes)."""
        return (await self._request({"type": "state"}))["data"]

    async def trajectory(self) -> Dict[str, Any]:
        """The episode's trajectory record; complete (with shaping) once the episode is done."""
        return (await self.state())["trajectory"]

    async def close(self) -> None:
        if self._ws is None:
            return
        try:
            await self._ws.send(json.dumps({"type": "close"}))
            await self._ws.close()
        except websockets.ConnectionClosed:
            pass
        self._ws = None

    async def __aenter__(self) -> "AsyncSession":
        return await self.connect()

    async def __aexit__(self, *exc: Any) -> None:
        await self.close()


def _result(reply: Dict[str, Any]) -> StepResult:
    data = reply["data"]
    return StepResult(observation=data["observation"], reward=data.get("reward"), done=bool(data.get("done", False)))


class _LoopThread:
    """One asyncio loop on a daemon thread, shared by every synchronous Session."""

    _lock = threading.Lock()
    _loop: Optional[asyncio.AbstractEventLoop] = None

    @classmethod
    def run(cls, coroutine: Any) -> Any:
        with cls._lock:
            if cls._loop is None:
                cls._loop = asyncio.new_event_loop()
                threading.Thread(target=cls._loop.run_forever, name="rapport-client", daemon=True).start()
        return asyncio.run_coroutine_threadsafe(coroutine, cls._loop).result()


class Session:
    """The synchronous form of AsyncSession (same methods, same arguments)."""

    def __init__(self, base_url: str = "http://127.0.0.1:8080", **options: Any):
        self._session = AsyncSession(base_url, **options)

    def reset(self, **data: Any) -> StepResult:
        return _LoopThread.run(self._session.reset(**data))

    def step(self, choice: Optional[str] = None, content: str = "", **kwargs: Any) -> StepResult:
        return _LoopThread.run(self._session.step(choice, content, **kwargs))

    def state(self) -> Dict[str, Any]:
        return _LoopThread.run(self._session.state())

    def trajectory(self) -> Dict[str, Any]:
        return _LoopThread.run(self._session.trajectory())

    def close(self) -> None:
        _LoopThread.run(self._session.close())

    def __enter__(self) -> "Session":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


def rewards(trajectory: Dict[str, Any]) -> List[float]:
    """The raw reward of every turn of a trajectory record."""
    return [turn["reward"] for turn in trajectory["turns"]]
