#include "CTokenizerBaseline.h"
#include <string.h>

ctok_counts ctok_split(const uint8_t *bytes, size_t length, uint8_t e, uint8_t t) {
    ctok_counts counts = {0, 0, 0};
    const uint8_t *p = bytes;
    const uint8_t *end = bytes + length;
    while (p < end) {
        while (p < end && (*p == '\n' || *p == '\r')) p++;
        if (p >= end) break;
        const uint8_t *stop = memchr(p, t, (size_t)(end - p));
        if (!stop) stop = end;
        counts.segments++;
        if (stop - p >= 4 && p[0] == 'C' && p[1] == 'L' && p[2] == 'M' && p[3] == e) counts.claims++;
        uint64_t elements = 1;
        for (const uint8_t *q = p; q < stop; q++) elements += (*q == e);
        counts.elements += elements;
        p = stop + 1;
    }
    return counts;
}
