"""azplint beside pipeline-check on the entry pipelines (docs/comparison.md): reads the work directory
that scripts/peers/pipeline-check.sh fills, prints per check the files both tools flag, and each alone."""
import json, os, collections, sys
W = sys.argv[1] if len(sys.argv) > 1 else '/tmp/cmp'
idx = {}
for line in open(W+'/out/index.tsv'):
    i, f = line.rstrip('\n').split('\t')
    idx[f] = i
CHECKS = ["ADO-002","ADO-003","ADO-008","ADO-009","ADO-016","ADO-025","ADO-031","ADO-032"]
MAP = {"ADO-002": {"script-injection","argument-injection","parameter-injection"},
       "ADO-003": {"hardcoded-secret"}, "ADO-008": {"hardcoded-secret"},
       "ADO-009": {"unpinned-container-image"}, "ADO-016": {"unverified-script-exec"},
       "ADO-025": {"unpinned-template-repo"}, "ADO-031": {"token-on-command-line","unmasked-secret-variable","spn-secret-exposure"},
       "ADO-032": {"persist-credentials"}}
pc = {}  # file -> {check: description}
allfail = collections.Counter()
errors = 0
for f, i in idx.items():
    try: d = json.load(open(f'{W}/out/{i}.json'))
    except Exception: errors += 1; continue
    pc[f] = {}
    for x in d.get('findings', []):
        if not x.get('passed', True):
            allfail[x['check_id']] += 1
            if x['check_id'] in CHECKS:
                pc[f][x['check_id']] = x['description']
az = json.load(open(W+'/azplint.json'))['diagnostics']
direct = collections.defaultdict(list)
via = collections.defaultdict(list)
for d in az:
    direct[d['path'].rstrip('/')].append(d)
    for inc in d.get('included_from', []):
        via[inc.rsplit(':',1)[0]].append(d)
def norm(p): return os.path.normpath(p)
directn = {norm(k): v for k, v in direct.items()}
vian = {norm(k): v for k, v in via.items()}
rows = []
summary = {}
for c in CHECKS:
    both = pc_only = az_only = 0; az_via = 0
    ex_pc, ex_az, ex_via = [], [], []
    for f in pc:
        p = c in pc[f]
        a = [d for d in directn.get(norm(f), []) if d['rule'] in MAP[c]]
        v = [d for d in vian.get(norm(f), []) if d['rule'] in MAP[c]]
        if p and a: both += 1
        elif p: pc_only += 1; ex_pc.append((f, pc[f][c]))
        elif a: az_only += 1; ex_az.append((f, a[0]['rule'], a[0]['line'], a[0]['message']))
        if v: az_via += 1; ex_via.append((f, v[0]['rule'], v[0]['path'], v[0]['message']))
    summary[c] = dict(both=both, pc_only=pc_only, az_only=az_only, az_via_templates=az_via)
    rows.append((c, ex_pc, ex_az, ex_via))
print("files scanned", len(pc), "errors", errors)
print("pipeline-check failed checks (all ids, files):", allfail.most_common(40))
for c in CHECKS: print(c, summary[c])
json.dump({"summary": summary, "rows": rows}, open(W+'/analysis.json','w'), indent=1)
