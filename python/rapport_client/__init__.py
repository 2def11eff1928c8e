"""Python client of `rapport serve`: Rapport's environments as OpenEnv sessions.

    from rapport_client import Session
    env = Session("http://127.0.0.1:8080"); first = env.reset(env="travel", seed=0, task_index=0)
    result = env.step("action", "What matters most to you on this trip?")
"""

from .adapters import VerlInteractWithEnv, trl_environment
from .session import AsyncSession, RapportError, Session, StepResult, rewards, ws_url

__all__ = ["AsyncSession", "Session", "StepResult", "RapportError", "rewards", "ws_url", "trl_environment",
           "VerlInteractWithEnv"]
