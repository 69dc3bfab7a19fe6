"""Print the folder to pass to `lm_eval --include_path` for the task `sysdesign_design`."""

from agent.evaluation.portable.lm_eval import INCLUDE_PATH

print(INCLUDE_PATH)
