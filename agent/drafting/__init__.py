"""Drafting: the contract (`base`), drafters by name (`registry`), the offline `kb` drafter and model clients (`llm`).

The public names are re-exported here for plugins: `Drafter`, `DraftRequest`, `FallbackDrafter`, `Usage`,
`get_drafter`, `ENTRY_POINT_GROUP`.
"""

from agent.drafting.base import Drafter, DraftRequest, FallbackDrafter, Usage
from agent.drafting.registry import BUILTIN, ENTRY_POINT_GROUP, available_drafters, get_drafter, with_fallback

__all__ = [
    "BUILTIN",
    "ENTRY_POINT_GROUP",
    "DraftRequest",
    "Drafter",
    "FallbackDrafter",
    "Usage",
    "available_drafters",
    "get_drafter",
    "with_fallback",
]
