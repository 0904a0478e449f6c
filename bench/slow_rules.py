#!/usr/bin/env python3
"""Writes a rule set made to be slow to explain (YAML, stdout): KIND N.

  lets N    N lets and N gates whose messages read them; every gate fails
  inputs N  N optional number inputs, each the metric of a criterion; none given: N "no data" reasons
  deep N    500 criteria, each an expression N operations deep over a missing input
  shared N  N criteria reading one let built on 40,040 lets over a missing input
  chain N   lets built on lets, N levels: refused past max_expression_depth (500)

Every proposal {"id": ..., "x": 1} fails under it, so each is explained in full. Scoring and
explaining must stay linear in the rule set's size (docs/security.md, "Rule sets"):

    python3 bench/slow_rules.py lets 4000 >slow.yaml
    python3 -c 'for i in range(100): print("{\\"id\\": \\"P%d\\", \\"x\\": 1}" % i)' >p100.ndjson
    screener eval --rules slow.yaml --format json -o /dev/null p100.ndjson
"""
import sys

kind, n = sys.argv[1], int(sys.argv[2])
inputs = ["x: { type: number }", "y: { type: number, required: false }"]
lets, gates, criteria = [], [], ["{ id: c, metric: x, zero_at: 0, full_at: 10 }"]
if kind == "lets":
    lets = [f"l{i}: x + {i}" for i in range(n)]
    gates = [f"{{ id: g{i}, require: x > 1000, message: 'x + {i} is {{l{i}}}' }}" for i in range(n)]
elif kind == "inputs":
    inputs += [f"y{i}: {{ type: number, required: false }}" for i in range(n)]
    criteria = [f"{{ id: c{i}, metric: y{i}, zero_at: 0, full_at: 10 }}" for i in range(n)]
elif kind == "deep":
    criteria = [f"{{ id: c{i}, metric: 'y{' + x' * n}', zero_at: 0, full_at: 10 }}" for i in range(500)]
elif kind == "shared":
    def balanced(names):  # a sum no deeper than log2 of its terms
        return names[0] if len(names) == 1 else f"({balanced(names[:len(names) // 2])}+{balanced(names[len(names) // 2:])})"
    lets = [f"a{i}: y" for i in range(40000)]
    lets += [f"b{j}: " + balanced([f"a{i}" for i in range(j * 1000, (j + 1) * 1000)]) for j in range(40)]
    lets += ["t: " + balanced([f"b{j}" for j in range(40)])]
    criteria = [f"{{ id: c{i}, points: t }}" for i in range(n)]
elif kind == "chain":
    lets = ["l0: y"] + [f"l{i}: l{i - 1} + 1" for i in range(1, n)]
    criteria = [f"{{ id: c, metric: l{n - 1}, zero_at: 0, full_at: 10 }}"]
else:
    sys.exit(__doc__)

print("format: screener/v1\nid: slow\nversion: '1'")
print("inputs:\n" + "".join(f"  {line}\n" for line in inputs), end="")
if lets:
    print("let:\n" + "".join(f"  {line}\n" for line in lets), end="")
if gates:
    print("gates:\n" + "".join(f"  - {line}\n" for line in gates), end="")
print("groups:\n  - id: g\n    criteria:\n" + "".join(f"      - {line}\n" for line in criteria), end="")
print("decision: { pass_score: 50 }")
