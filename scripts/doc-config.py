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

# Rules that are off by default: only their own entry under `rules:` turns them on.
OFF_BY_DEFAULT = ["credential-before-untrusted-code", "fork-secrets-guard", "self-hosted-pr-pool", "require-extends"]

# Rules with options of their own: the text that replaces "This rule has no options of its own."
# and the lines added under `options:` in the example.
OPTIONS = {
    "unpinned-template-repo": (
        "Refs or repositories that are accepted go under `options:` (matched without regard to case):\na branch ref (`refs/heads/release`) or its name (`release`), a tag a team moves on purpose\n(`refs/tags/v1`), or a repository by its alias or its `name:` (`platform/templates`).",
        "  unpinned-template-repo:\n    allow: [refs/heads/release, platform/templates]\n",
    ),
    "self-hosted-pr-pool": (
        "Pools that are fine for pull requests (each job gets a fresh machine) go under `options:`\n(matched without regard to case).",
        "  self-hosted-pr-pool:\n    allow: [ephemeral-linux]\n",
    ),
    "require-extends": (
        "The template every entry pipeline must extend goes under `options:`, as `extends: template:`\nwould name it (`path@alias`, or a path of the same repository); without it the rule reports\nnothing.",
        "  require-extends:\n    template: security/base.yml@templates\n",
    ),
}

SECURITY = ["persist-credentials", "debug-enabled", "unverified-script-exec", "unpinned-template-repo"]
for _rule in OFF_BY_DEFAULT:
    EXTRA[_rule] = "`security: <level>` under `rules:` does not turn this rule on; once its own entry does, that entry sets\nits level.\n"
for _rule in SECURITY:
    EXTRA[_rule] = EXTRA.get(_rule, "") + "`security: <level>` under `rules:` sets every security rule at once; this rule's own entry wins.\n"

def section(rule: str, severity: str = "warning") -> str:
    intro, options = OPTIONS.get(rule, ("This rule has no options of its own.", ""))
    if rule in OFF_BY_DEFAULT:
        intro += " The rule is off by default: its own entry under `rules:` turns it on (a category\nentry such as `security: warning` does not)."
    level = f"{severity}        # off | note | warning | error"
    if rule in OFF_BY_DEFAULT:
        level = f"{severity}        # off (the default) | note | warning | error"
    options = f"options:\n{options}" if options else ""
    text = f"""## Configuration

{intro} In `.azplint.yml`:

```yaml
rules:
  {rule}: {level}
{options}per-file-ignores:
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
    m = re.search(r"^\*\*Default severity:\*\* (\w+)", body, flags=re.M)
    new = re.sub(r"## Configuration\n.*\Z", section(page.stem, m.group(1) if m else "warning"), body, flags=re.S)
    if new != body:
        page.write_text(new)
        changed += 1
print(f"{changed} pages updated")
