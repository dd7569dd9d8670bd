#!/usr/bin/env python3
"""Rewrite the `## Configuration` section of every rule page in docs/rules/ (the same text for all
rules, plus a line for rules with options of their own). Run after adding a rule page."""
import pathlib, re, sys

EXTRA = {
    "wif-unsupported-task": "Private or extension tasks declared under `tasks:` with `wif: false` are checked too.\n\nThe connections' schemes come from `serviceConnections:` and `serviceConnectionsFrom:` (or\n`--endpoints FILE`): see Declared connections above.\n",
    "spn-key-under-wif": "The connections' schemes come from `serviceConnections:` and `serviceConnectionsFrom:` (or\n`--endpoints FILE`).\n",
    "remote-template": "Map an alias to a local checkout with `repositories: { alias: path }` (or `--repository alias=PATH`)\nand its templates are followed like local ones.\n",
    "extension-task": "Describe a private or extension task under `tasks:` (name@major, inputs, `wif`) and it is\nchecked like a built-in task instead.\n",
    "unknown-task-input": "Inputs of private or extension tasks declared under `tasks:` are checked the same way.\n",
}

SECURITY = ["persist-credentials", "debug-enabled", "unverified-script-exec", "unpinned-template-repo"]
for _rule in SECURITY:
    EXTRA[_rule] = EXTRA.get(_rule, "") + "`security: <level>` under `rules:` sets every security rule at once; this rule's own entry wins.\n"

def section(rule: str) -> str:
    text = f"""## Configuration

This rule has no options of its own. In `.azplint.yml`:

```yaml
rules:
  {rule}: warning        # off | note | warning | error
per-file-ignores:
  "legacy/**": [{rule}]
```

One finding is suppressed with `# azplint: ignore[{rule}]` at the end of its line or alone on the
line above; `# azplint: ignore-file[{rule}]` suppresses the rule in a whole file.
"""
    if rule in EXTRA:
        text += "\n" + EXTRA[rule]
    return text

root = pathlib.Path(__file__).resolve().parent.parent / "docs" / "rules"
changed = 0
for page in sorted(root.glob("*.md")):
    body = page.read_text()
    if "## Configuration" not in body:
        print(f"{page.name}: no `## Configuration` section", file=sys.stderr)
        continue
    new = re.sub(r"## Configuration\n.*\Z", section(page.stem), body, flags=re.S)
    if new != body:
        page.write_text(new)
        changed += 1
print(f"{changed} pages updated")
