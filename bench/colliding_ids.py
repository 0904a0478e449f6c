#!/usr/bin/env python3
"""Writes 2^N proposals (NDJSON) whose ids all share one value of libstdc++'s std::hash.

std::hash on 64 bits is MurmurHash2: each 8-byte block k goes into the state h as
h = (h ^ f(k)) * m, with f invertible. When f(a) ^ f(b) = 2^63, "aa" and "bb" leave the state
alike whatever it was (the odd multiplier keeps the top bit where it is, and the second block
flips it back), so each of N such 16-byte pairs doubles the ids of one hash, whatever the seed.
a and b are UTF-8, found by trying, so the ids are valid JSON strings.

    python3 bench/colliding_ids.py 17 >flood.ndjson && screener eval -o /dev/null flood.ndjson
"""
import json
import sys

A, B = "\u0236dd\u03543-", "\u0236!~hz\u06fb"  # 8 bytes each in UTF-8

n = int(sys.argv[1])
for i in range(1 << n):
    id_ = "".join(B + B if i >> bit & 1 else A + A for bit in range(n))
    print(json.dumps({"id": id_, "name": f"colliding {i}"}, ensure_ascii=False))
