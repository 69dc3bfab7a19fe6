"""The checker: rule packs (data), built-in checks and fixes, the checking context, repair and waivers.

packs.py      rule descriptions as validated YAML (built-in and teams' own)
registry.py   Violation, and the @check / @fix registries the built-in rules use
builtin/      the built-in rules' checks with their fixes, by group
checker.py    Rule = description + check; load, run, findings
context.py    what a rule reads: the document, its pattern, tier, traits and roles
edits.py      edits several fixes share
repair.py     the repair loop
waivers.py    accepted findings with scope and expiry
"""
