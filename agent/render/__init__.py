"""Renderings of architectures and check reports for people."""
