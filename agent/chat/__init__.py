"""The chat: a design refined turn by turn (edits, statements, questions), stored per conversation."""

from agent.chat.session import ChatSession
from agent.chat.store import SessionStore

__all__ = ["ChatSession", "SessionStore"]
