"""The lm-evaluation-harness task `sysdesign_design`: this folder is its `--include_path`
(`python -m agent.evaluation.portable.lm_eval` prints it)."""

from pathlib import Path

INCLUDE_PATH = Path(__file__).resolve().parent
