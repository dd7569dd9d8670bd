#!/usr/bin/env python3
"""Compare Microsoft's validator (ms-validate.js output) with azplint's JSON report.

Usage:
  python3 scripts/peers/compare.py MS.jsonl AZPLINT.json [--details OUT.jsonl] [--tasks DIR]

MS.jsonl     one JSON object per line, as printed by `node scripts/peers/ms-validate.js`
AZPLINT.json the report of `azplint --format json`
--details    write every Microsoft finding with its category, verdict and reason (JSON lines)
--tasks      the task.json tree (default: ../shared/data/azure-pipelines-tasks beside the project)

Prints a Markdown report: Microsoft's findings by category and by verdict, the findings
both tools report on the same file and line, and what each reports that the other doesn't.

Every Microsoft finding gets a verdict from the rules in `judge()` below. The rules encode
what a review of the corpus found (docs/comparison.md says why for each): they are
specific to what Microsoft's schema (sprint 261) gets wrong, not a general validator.
Needs python3 with PyYAML (Debian's python3-yaml).
"""
import argparse
import collections
import glob
import json
import os
import re
import sys

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_TASKS = os.path.normpath(os.path.join(HERE, "..", "..", "..", "shared", "data", "azure-pipelines-tasks"))

# ---------------------------------------------------------------- verdicts
REAL = "real problem"
FALSE = "false error"
NOT_PIPELINE = "not a pipeline file"
PLACEHOLDER = "placeholder file"

# Required inputs that task.json marks required but the task (or the server) doesn't enforce,
# judged by hand (see docs/comparison.md).
REQUIRED_NOT_ENFORCED = {
    ("azurewebapp@1", "apptype"): "the task reads `appType` with required=false and takes the app kind from the App Service",
    ("manualvalidation@0", "notifyusers"): "a server task; PowerShell/PowerShell's release approval runs without it",
}


def category(msg):
    if msg.startswith("Unexpected property"):
        return "Unexpected property"
    if msg.startswith("Incorrect type"):
        return "Incorrect type"
    if msg.startswith("String does not match the pattern"):
        return "String does not match the pattern"
    if msg.startswith("Value is not accepted"):
        return "Value is not accepted"
    if msg.startswith("Missing property"):
        return "Missing property"
    if msg.startswith("The first property must be"):
        return "The first property must be task"
    if "is deprecated" in msg:
        return "Deprecated (hint)"
    return "Other: " + msg[:60]


# ---------------------------------------------------------------- task catalog
def load_tasks(root):
    tasks = {}
    files = glob.glob(os.path.join(root, "Tasks", "*", "task.json"))
    files += glob.glob(os.path.join(root, "_generated", "*_Wif", "task.json"))
    for f in files:
        with open(f, encoding="utf-8-sig") as fh:
            j = json.load(fh)
        key = f"{j['name']}@{j['version']['Major']}".lower()
        t = tasks.setdefault(key, {"names": set(), "inputs": {}})
        # `task: <id>@<Major>` references the same task by its GUID.
        tasks[f"{j['id']}@{j['version']['Major']}".lower()] = t
        groups = {g["name"]: g.get("visibleRule") for g in j.get("groups", [])}
        for i in j.get("inputs", []):
            # An input in a group with a visibleRule is shown only when the group is.
            rules = [r for r in (groups.get(i.get("groupName")), i.get("visibleRule")) if r]
            i = dict(i, visibleRule=" && ".join(f"({r})" if "||" in r else r for r in rules) or None)
            names = [i["name"]] + list(i.get("aliases", []))
            for n in names:
                t["names"].add(n.lower())
                t["inputs"][n.lower()] = i
    return tasks


def load_schema_tasks(schema_path):
    with open(schema_path, encoding="utf-8-sig") as fh:
        s = json.load(fh)
    alts = s["definitions"]["task"]["anyOf"]
    return {a["properties"]["task"]["pattern"].strip("^$").lower() for a in alts}


# ---------------------------------------------------------------- YAML context
class FileCtx:
    def __init__(self, path):
        with open(path, encoding="utf-8-sig") as fh:
            self.text = fh.read()
        self.lines = self.text.split("\n")
        try:
            self.root = yaml.compose(self.text, Loader=yaml.SafeLoader)
        except yaml.YAMLError:
            self.root = None

    def top_keys(self):
        if isinstance(self.root, yaml.MappingNode):
            return {k.value: v for k, v in self.root.value if isinstance(k, yaml.ScalarNode)}
        return {}

    def snippet(self, r):
        line = self.lines[r["line"] - 1] if r["line"] - 1 < len(self.lines) else ""
        if r["line"] == r["endLine"]:
            return line[r["column"] - 1 : r["endColumn"] - 1]
        return line[r["column"] - 1 :]

    def chain(self, line, col):
        """Ancestors of the position (0-based): a list of (label, node) from the root down."""
        acc = []

        def inside(n):
            s, e = n.start_mark, n.end_mark
            return (s.line, s.column) <= (line, col) < (e.line, e.column) or (s.line, s.column) == (line, col)

        node = self.root
        while node is not None:
            nxt = None
            if isinstance(node, yaml.MappingNode):
                for k, v in node.value:
                    if inside(k):
                        acc.append((("key", k.value), k))
                        return acc
                    if inside(v):
                        acc.append((("value", k.value), v))
                        nxt = v
                        break
            elif isinstance(node, yaml.SequenceNode):
                for i, it in enumerate(node.value):
                    if inside(it):
                        acc.append((("item", i), it))
                        nxt = it
                        break
            node = nxt
        return acc


def enclosing_step(chain):
    """The innermost mapping on the chain that has a `task:` key: (task, mapping node)."""
    for (_, node) in reversed(chain):
        if isinstance(node, yaml.MappingNode):
            for k, v in node.value:
                if isinstance(k, yaml.ScalarNode) and k.value == "task" and isinstance(v, yaml.ScalarNode):
                    return v.value, node
    return None, None


def step_key_is_expression(chain):
    """Is the first key of the mapping at the end of the chain a `${{ }}` expression?"""
    if not chain:
        return False
    if chain[-1][0][0] == "key":
        mapping = chain[-2][1] if len(chain) >= 2 else None
    else:
        mapping = chain[-1][1]
    if not isinstance(mapping, yaml.MappingNode) or not mapping.value:
        return False
    first = mapping.value[0][0]
    return isinstance(first, yaml.ScalarNode) and first.value.lstrip().startswith("${{")


def labels(chain):
    return [lab for (lab, _) in chain]


# ---------------------------------------------------------------- judging
def judge(r, fc, tasks, schema_tasks):
    msg = r["message"]
    cat = category(msg)
    snippet = fc.snippet(r) if fc else ""
    top = fc.top_keys() if fc else {}
    chain = fc.chain(r["line"] - 1, r["column"] - 1) if fc and fc.root is not None else []
    labs = labels(chain)
    task, _ = enclosing_step(chain)
    keyname = labs[-1][1] if labs and labs[-1][0] in ("key", "value") else None
    under_inputs = len(labs) >= 2 and labs[-2] == ("value", "inputs")
    in_inputs = any(lab == ("value", "inputs") for lab in labs)

    # Files that are not pipelines at all.
    ext = top.get("extends")
    if ext is not None and not isinstance(ext, yaml.MappingNode):
        return cat, NOT_PIPELINE, "another tool's config file (`extends:` is not a mapping): not an Azure Pipelines file"
    # Placeholder files: Mustache starter templates and generator templates.
    if re.search(r"(?<!\$)\{\{\s*\w+\s*\}\}", snippet) or ("{{" in fc.text and cat == "Incorrect type" and "trigger" in str(labs)):
        return cat, PLACEHOLDER, "Mustache placeholder (`{{ branch }}`) of a starter template, filled in before use"
    if snippet.strip() == "null" and "paths" in [lab[1] for lab in labs if lab[0] == "value"]:
        return cat, PLACEHOLDER, "`null` placeholder of a code generator's template (`ciYamlTemplates/`)"

    # A task the schema doesn't know: every finding inside that step is a consequence.
    if task is not None and task.lower() not in schema_tasks and (cat != "Deprecated (hint)"):
        if task.lower() in tasks:
            prop = msg[len("Unexpected property "):]
            if cat == "Unexpected property" and in_inputs and prop.lower() not in tasks[task.lower()]["names"]:
                return cat, REAL, f"`{prop}` is not an input of `{task}` (reported only because the schema lacks `{task}`)"
            if re.match(r"[0-9a-f]{8}-", task.lower()):
                return cat, FALSE, f"`{task}` names a built-in task by its id (GUID), which the schema doesn't accept"
            return cat, FALSE, f"`{task}` is a built-in task missing from this schema (it has no step alternative for it)"
        return cat, FALSE, f"`{task}` is an extension or private task the schema can't know"

    line = fc.lines[r["line"] - 1] if fc and r["line"] - 1 < len(fc.lines) else ""
    # arcade's deliberate guards: an invalid step inside an `${{ if }}` that only fires on misuse.
    if re.search(r"Illegal entry point|cannot be referenced from a", msg + line):
        return cat, FALSE, "a deliberate guard: an invalid step inside a `${{ if }}` that only expands when the template is misused"

    # Template expressions, keys or values.
    if cat in ("Missing property", "The first property must be task") and step_key_is_expression(chain):
        return cat, FALSE, "the step's key is a `${{ }}` expression (a parameterized step), known only after expansion"
    if "${{" in snippet:
        return cat, FALSE, "a `${{ }}` template expression, known only after expansion"

    if cat == "Unexpected property":
        prop = msg[len("Unexpected property "):]
        if task is not None and in_inputs:
            t = tasks.get(task.lower())
            if t is not None and prop.lower() in t["names"]:
                return cat, FALSE, f"`{prop}` is an input (or alias) of `{task}` in task.json; the schema is stale"
            return cat, REAL, f"`{prop}` is not an input of `{task}`: Azure ignores it"
        return cat, None, "unjudged"

    if cat == "Incorrect type":
        if labs and labs[0] == ("value", "parameters") and isinstance(top.get("parameters"), yaml.MappingNode):
            return cat, FALSE, "template parameters in the mapping form (`name: default`), valid in templates"
        if under_inputs and task:
            t = tasks.get(task.lower())
            inp = t["inputs"].get(str(keyname).lower()) if t else None
            if inp and inp.get("type") == "boolean" and snippet.strip().lower() not in ("true", "false"):
                return cat, REAL, f"`{keyname}` of `{task}` is a boolean; `{snippet.strip()}` is not"
        return cat, None, "unjudged"

    if cat == "String does not match the pattern":
        vals = [lab[1] for lab in labs if lab[0] == "value"]
        if "paths" in vals:
            return cat, FALSE, "a path filter checked with the branch-name pattern: `/`-rooted paths and trailing `/` are valid path filters"
        if vals and vals[-1] == "repository" and "repositories" in vals:
            return cat, FALSE, "a repository alias with `.`, which the server accepts (the schema's pattern doesn't)"
        return cat, None, "unjudged"

    if cat == "Value is not accepted":
        if under_inputs and task:
            t = tasks.get(task.lower())
            inp = t["inputs"].get(str(keyname).lower()) if t else None
            value = snippet.strip().strip("'\"")
            if inp is not None:
                opts = inp.get("options") or {}
                editable = str((inp.get("properties") or {}).get("EditableOptions", "")).lower() == "true"
                if editable:
                    return cat, FALSE, f"`{keyname}` of `{task}` has editable options (any value is passed to the task)"
                if value.lower() in {o.lower() for o in opts}:
                    return cat, FALSE, f"`{value}` is an option of `{keyname}` in task.json"
                vr = inp.get("visibleRule")
                if vr:
                    return cat, REAL, f"`{value}` is not an option of `{keyname}` ({', '.join(opts)}); harmless here only if `{vr}` is false for the step"
                return cat, REAL, f"`{value}` is not an option of `{keyname}` ({', '.join(opts)})"
        return cat, None, "unjudged"

    if cat == "Missing property":
        prop = msg[len('Missing property "'):-2]
        if prop == "stages" and ("variables" in top or "parameters" in top) and not ({"stages", "jobs", "steps", "extends"} & set(top)):
            return cat, FALSE, "a variables template validated as a pipeline"
        if task and labs and labs[-1] == ("key", "inputs"):
            key = (task.lower(), prop.lower())
            if key in REQUIRED_NOT_ENFORCED:
                return cat, FALSE, REQUIRED_NOT_ENFORCED[key]
            t = tasks.get(task.lower())
            inp = t["inputs"].get(prop.lower()) if t else None
            if inp and inp.get("visibleRule"):
                return cat, FALSE, f"`{prop}` is required only when `{inp['visibleRule']}`, which doesn't hold for this step"
            if inp and inp.get("required"):
                return cat, REAL, f"`{task}` needs `{prop}`"
        return cat, None, "unjudged"

    if cat == "Deprecated (hint)":
        if "use `publish` instead" in msg:
            return cat, REAL, "`upload:` is the deprecated spelling of `publish:` (still runs)"
        if "use `job" in msg:
            return cat, REAL, "`phases`/`phase` are the deprecated spellings of `jobs`/`job` (still run)"
        if labs and labs[-1][0] == "key" and labs[-1][1] == "task":
            return cat, REAL, "a deprecated task version"
        return cat, REAL, "a deprecated task version (the same hint repeated on the enclosing `steps:` list)"

    return cat, None, "unjudged"


# ---------------------------------------------------------------- main
def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("ms")
    ap.add_argument("azplint")
    ap.add_argument("--details")
    ap.add_argument("--tasks", default=DEFAULT_TASKS)
    ap.add_argument("--schema", default=os.path.join(os.path.dirname(DEFAULT_TASKS), "service-schema.json"))
    a = ap.parse_args()

    tasks = load_tasks(a.tasks)
    schema_tasks = load_schema_tasks(a.schema)
    with open(a.ms, encoding="utf-8") as fh:
        ms = [json.loads(l) for l in fh if l.strip()]
    with open(a.azplint, encoding="utf-8") as fh:
        az = json.load(fh)["diagnostics"]

    ctx = {}
    judged = []
    for r in ms:
        p = r["path"]
        if p not in ctx:
            ctx[p] = FileCtx(p)
        cat, verdict, why = judge(r, ctx[p], tasks, schema_tasks)
        judged.append(dict(r, category=cat, verdict=verdict or "unjudged", reason=why))

    if a.details:
        with open(a.details, "w", encoding="utf-8") as fh:
            for j in judged:
                fh.write(json.dumps(j, ensure_ascii=False) + "\n")

    out = []
    w = out.append
    w(f"Microsoft: {len(ms)} findings in {len({r['path'] for r in ms})} files; "
      f"azplint: {len(az)} findings in {len({d['path'] for d in az})} files\n")

    # Categories x verdicts.
    verdicts = [REAL, FALSE, PLACEHOLDER, NOT_PIPELINE, "unjudged"]
    by_cat = collections.defaultdict(collections.Counter)
    for j in judged:
        by_cat[j["category"]][j["verdict"]] += 1
    w("| category | findings | " + " | ".join(verdicts) + " |")
    w("|---|---:|" + "---:|" * len(verdicts))
    for cat_, c in sorted(by_cat.items(), key=lambda kv: -sum(kv[1].values())):
        w(f"| {cat_} | {sum(c.values())} | " + " | ".join(str(c[v]) for v in verdicts) + " |")
    tot = collections.Counter(j["verdict"] for j in judged)
    w(f"| **total** | **{len(judged)}** | " + " | ".join(f"**{tot[v]}**" for v in verdicts) + " |\n")

    # Reasons.
    w("Reasons (category, verdict, reason pattern: count):\n")
    reasons = collections.Counter()
    for j in judged:
        reason = re.sub(r"`[^`]*`", "`…`", j["reason"]) if "task" in j["reason"] else j["reason"]
        reasons[(j["category"], j["verdict"], reason)] += 1
    for (cat_, v, why), n in sorted(reasons.items(), key=lambda kv: (kv[0][0], -kv[1])):
        w(f"- {cat_} / {v}: {why}: {n}")
    w("")

    # Matching by file and line.
    az_at = collections.defaultdict(list)
    for d in az:
        az_at[(d["path"], d["line"])].append(d)
    ms_at = collections.defaultdict(list)
    for j in judged:
        ms_at[(j["path"], j["line"])].append(j)
    both = sorted(set(az_at) & set(ms_at))
    w(f"Same file and line: {len(both)} places\n")
    pair = collections.Counter()
    for k in both:
        for d in {d["rule"] for d in az_at[k]}:
            for j in {(j["category"], j["verdict"]) for j in ms_at[k]}:
                pair[(d, j[0], j[1])] += 1
    w("| azplint rule | Microsoft category | Microsoft verdict | places |")
    w("|---|---|---|---:|")
    for (rule, cat_, v), n in pair.most_common():
        w(f"| {rule} | {cat_} | {v} | {n} |")
    w("")

    only_ms = [j for k in sorted(ms_at) if k not in az_at for j in ms_at[k]]
    w(f"Microsoft only: {len(only_ms)} findings")
    c = collections.Counter((j["category"], j["verdict"]) for j in only_ms)
    for (cat_, v), n in c.most_common():
        w(f"- {cat_} / {v}: {n}")
    real_only = [j for j in only_ms if j["verdict"] == REAL]
    w(f"\nMicrosoft only and real ({len(real_only)}):")
    for j in real_only:
        w(f"- {j['path']}:{j['line']}: {j['message'][:90]} ({j['reason']})")
    w("")

    only_az = [d for k in sorted(az_at) if k not in ms_at for d in az_at[k]]
    w(f"azplint only: {len(only_az)} findings")
    c = collections.Counter((d["rule"], d["severity"]) for d in only_az)
    for (rule, sev), n in c.most_common():
        w(f"- {rule} ({sev}): {n}")
    unj = [j for j in judged if j["verdict"] == "unjudged"]
    if unj:
        w(f"\nUnjudged ({len(unj)}):")
        for j in unj:
            w(f"- {j['path']}:{j['line']}: {j['message'][:100]}")
    print("\n".join(out))


if __name__ == "__main__":
    main()
