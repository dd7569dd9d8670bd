# Entry pipelines of the corpus: files whose root has a key only a pipeline has (trigger, pr,
# schedules, resources, name, pool, lockBehavior, appendCommitMessageToRunName) and that no other
# file of the same repository includes with `template:` (local paths: `/`-rooted from the
# repository, else relative to the including file; `@self` counts, other aliases don't).
import os, re, sys, yaml
root = sys.argv[1]
KEYS = {"trigger","pr","schedules","resources","name","pool","lockBehavior","appendCommitMessageToRunName"}
ref = re.compile(r"""template:\s*['"]?([^'"\s#]+)""")
out = []
for repo in sorted(os.listdir(root)):
    rdir = os.path.join(root, repo)
    if not os.path.isdir(rdir): continue
    files = []
    for d, _, fs in os.walk(rdir):
        for f in fs:
            if f.endswith((".yml", ".yaml")):
                files.append(os.path.join(d, f))
    included = set()
    for f in files:
        try: text = open(f, encoding="utf-8", errors="replace").read()
        except OSError: continue
        for m in ref.finditer(text):
            p = m.group(1)
            if "${{" in p: continue
            if "@" in p:
                p, alias = p.rsplit("@", 1)
                if alias != "self": continue
            base = rdir if p.startswith("/") else os.path.dirname(f)
            included.add(os.path.normpath(os.path.join(base, p.lstrip("/"))))
    for f in sorted(files):
        if os.path.normpath(f) in included: continue
        try: doc = yaml.safe_load(open(f, encoding="utf-8", errors="replace"))
        except Exception: continue
        if isinstance(doc, dict) and KEYS & set(map(str, doc.keys())):
            out.append(f)
print("\n".join(out))
