#!/usr/bin/env python3
"""Times androguard's AnalyzeAPK over the APK paths given on stdin, in this
one process, and prints `<seconds> <ok> <failed>`. Used by
benches/inspect_corpus.rs to compare with fingertip's full inspect."""
import sys
import time

try:
    from loguru import logger
    logger.remove()
except ImportError:
    pass
from androguard.misc import AnalyzeAPK

paths = [p.strip() for p in sys.stdin if p.strip()]
ok = failed = 0
start = time.perf_counter()
for p in paths:
    try:
        a, d, dx = AnalyzeAPK(p)
        ok += 1
    except Exception:
        failed += 1
print(f"{time.perf_counter() - start:.3f} {ok} {failed}")
