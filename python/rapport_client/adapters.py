"""Small adapters from trainers' environment interfaces to Rapport sessions.

None of them imports its trainer: each has the shape the trainer calls (duck typing), so this
package needs nothing beyond the standard library and websockets.

- ``trl_environment(base_url, **reset_defaults)``: a class for TRL's
  ``GRPOTrainer(environment_factory=...)``. TRL makes one instance per rollout, calls
  ``reset(**row)`` (the dataset row's columns, e.g. env/seed/task_index) and exposes the public
  method ``interact_with_env`` to the model as a tool; a reward function reads ``env.reward``.
- ``VerlInteractWithEnv``: a verl tool in UserRL's ``interact_with_env`` form (verl's BaseTool
  methods ``create``/``execute``/``calc_reward``/``release``, all async): subclass it together with
  verl's ``BaseTool`` and register it in the tool config YAML, as UserRL does for its gyms.
"""

from __future__ import annotations

import uuid
from typing import Any, Dict, Optional, Tuple

from .session import AsyncSession, Session, StepResult


def trl_environment(base_url: str = "http://127.0.0.1:8080", **reset_defaults: Any) -> type:
    """A TRL ``environment_factory`` class bound to a server and default reset data."""

    class RapportEnvironment:
        def __init__(self) -> None:
            self._session = Session(base_url)
            self.reward = 0.0  # sum of the raw rewards so far
            self.done = False
            self.last: Optional[StepResult] = None

        def reset(self, **kwargs: Any) -> str:
            """Starts an episode; returns the instructions and the user's opening message."""
            data = dict(reset_defaults)
            data.update({k: v for k, v in kwargs.items() if k in _RESET_KEYS})
            self.last = self._session.reset(**data)
            self.reward, self.done = 0.0, False
            return self.last.observation["system_prompt"] + "\n\n" + self.last.text

        def interact_with_env(self, choice: str, content: str) -> str:
            """Interact with the environment: talk to the user, search, answer or finish.

            Args:
                choice: One of "action" (say something to the user), "search", "answer" or "finish".
                content: What to say, search for, or answer ("" for finish).

            Returns:
                The environment's reply.
            """
            if self.done:
                return "The episode is over."
            self.last = self._session.step(choice, content)
            self.reward += self.last.reward or 0.0
            self.done = self.last.done
            return self.last.text

        def trajectory(self) -> Dict[str, Any]:
            """The episode's full trajectory record (raw rewards, turn credits, metrics)."""
            return self._session.trajectory()

    return RapportEnvironment


_RESET_KEYS = {"env", "task_id", "task_index", "seed", "oracle", "sample", "max_turns", "agent", "episode_id"}


class VerlInteractWithEnv:
    """UserRL's interact_with_env tool for verl, backed by one Rapport session per trajectory.

    ``create(instance_id, **kwargs)`` starts the episode with the reset data in kwargs (verl passes
    the dataset's ``tools_kwargs``); ``execute`` plays one move and returns (text, reward, metrics);
    ``calc_reward`` is the episode's summed raw reward; ``release`` closes the session.
    """

    def __init__(self, config: Optional[Dict[str, Any]] = None, tool_schema: Any = None, **_: Any) -> None:
        self.config = dict(config or {})
        self.base_url = self.config.get("base_url", "http://127.0.0.1:8080")
        self.tool_schema = tool_schema
        self._sessions: Dict[str, Tuple[AsyncSession, Dict[str, Any]]] = {}

    async def create(self, instance_id: Optional[str] = None, **kwargs: Any) -> str:
        instance_id = instance_id or str(uuid.uuid4())
        session = AsyncSession(self.base_url)
        reset = {k: v for k, v in {**self.config.get("reset", {}), **kwargs.get("create_kwargs", kwargs)}.items()
                 if k in _RESET_KEYS}
        first = await session.reset(**reset)
        self._sessions[instance_id] = (session, {"reward": 0.0, "done": False, "opening": first.text})
        return instance_id

    async def execute(self, instance_id: str, parameters: Dict[str, Any], **_: Any) -> Tuple[str, float, Dict[str, Any]]:
        session, status = self._sessions[instance_id]
        if status["done"]:
            return "The episode is over.", 0.0, {"done": True}
        result = await session.step(str(parameters.get("choice", "")), str(parameters.get("content", "")))
        reward = result.reward or 0.0
        status["reward"] += reward
        status["done"] = result.done
        return result.text, reward, {"done": result.done, "format_error": result.format_error}

    async def calc_reward(self, instance_id: str, **_: Any) -> float:
        return self._sessions[instance_id][1]["reward"]

    async def trajectory(self, instance_id: str) -> Dict[str, Any]:
        return await self._sessions[instance_id][0].trajectory()

    async def release(self, instance_id: str, **_: Any) -> None:
        session, _status = self._sessions.pop(instance_id)
        await session.close()
