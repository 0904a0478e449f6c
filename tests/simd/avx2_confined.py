#!/usr/bin/env python3
"""The AVX2 code stays behind the processor check.

fast_bind.cpp and fast_result_line.cpp are built with -march=haswell, and the linker keeps one copy
of each inline function that several objects define. If it kept the AVX2 copy of a function that
code built for any x86-64 also calls, older processors would die of SIGILL on the ordinary path.
This finds every function in the binary holding an instruction beyond x86-64 (VEX-encoded, BMI,
LZCNT, MOVBE, POPCNT; not TZCNT, which GCC emits for any x86-64 where older processors run it as
BSF) and checks that only the objects run after simd_supported() define it.

usage: avx2_confined.py BINARY OBJECT...
"""
import re
import subprocess
import sys

BEHIND_THE_CHECK = ("fast_bind.cpp.o", "fast_result_line.cpp.o")
BEYOND_X86_64 = re.compile(r"\t(v[a-z0-9]+|andn|bextr|blsi|blsmsk|blsr|bzhi|mulx|pdep|pext|rorx|sarx|shlx|shrx|lzcnt|movbe|popcnt)\b")


def functions_beyond_x86_64(binary):
    out = subprocess.run(["objdump", "-d", "--no-show-raw-insn", binary], check=True, capture_output=True, text=True).stdout
    found, function = set(), None
    for line in out.splitlines():
        header = re.match(r"^[0-9a-f]+ <(.+)>:$", line)
        if header:
            function = header.group(1)
        elif function and BEYOND_X86_64.search(line):
            found.add(function)
    return found


def definers(objects):
    """Symbol -> the objects that define it as global or weak code."""
    out = {}
    for obj in objects:
        nm = subprocess.run(["nm", "--defined-only", obj], check=True, capture_output=True, text=True).stdout
        for line in nm.splitlines():
            parts = line.split()
            if len(parts) == 3 and parts[1] in "TWV":
                out.setdefault(parts[2], []).append(obj)
    return out


def main():
    binary, objects = sys.argv[1], sys.argv[2:]
    defined = definers(objects)
    functions = functions_beyond_x86_64(binary)
    problems = []
    for function in sorted(functions):
        where = defined.get(function, [])
        outside = [o for o in where if not o.endswith(BEHIND_THE_CHECK)]
        if outside:
            problems.append(f"{function}: AVX2 copy kept, but also defined (so called) in {', '.join(outside)}")
    if problems:
        print("code beyond x86-64 reachable without the processor check:\n  " + "\n  ".join(problems))
        return 1
    print(f"{len(functions)} function(s) beyond x86-64, all defined only behind the processor check")
    return 0


if __name__ == "__main__":
    sys.exit(main())
