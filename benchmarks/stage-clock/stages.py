#!/usr/bin/env python3
"""Medians of the stage clock's stamps (benchmarks/stage-clock/stage-clock.patch), one table per process.

  python3 benchmarks/stage-clock/stages.py /tmp/stages/s 60   # the last 60 streams of each /tmp/stages/s.PID

Each line of a file is one stream: microseconds after the first handler saw the request, per stage, -1 when not
passed. Prints, per stage passed, the median time at which it was reached and the median step from the stage before.
"""
import glob
import statistics
import sys

NAMES = {1: 'body read', 2: 'parsed', 15: 'checked', 16: 'prompt keys', 3: 'accepted', 4: 'to router',
         10: 'dispatch', 11: 'upstream api', 12: 'free slots', 13: 'policy', 14: 'model rewrite', 5: 'provider',
         6: 'send', 7: 'answer head', 17: 'body made', 18: 'first read task', 8: 'respond', 20: 'chunked',
         21: 'piped', 9: 'written'}
ORDER = [1, 2, 15, 16, 3, 4, 10, 11, 12, 13, 14, 5, 6, 7, 17, 18, 8, 20, 21, 9]


def main(prefix, last):
    for path in sorted(glob.glob(prefix + '.*')):
        lines = [list(map(int, line.split())) for line in open(path) if line.strip()][-last:]
        print(path, len(lines), 'streams')
        before = None
        for stage in ORDER:
            at = [line[stage - 1] for line in lines if line[stage - 1] >= 0]
            if not at:
                continue
            steps = [line[stage - 1] - line[before - 1] for line in lines
                     if before is not None and line[stage - 1] >= 0 and line[before - 1] >= 0]
            step = statistics.median(steps) if steps else statistics.median(at)
            print('  %-16s at %6d µs   step %5d µs' % (NAMES[stage], statistics.median(at), step))
            before = stage


if __name__ == '__main__':
    main(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 60)
