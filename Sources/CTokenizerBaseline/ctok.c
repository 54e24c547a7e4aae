#include "CTokenizerBaseline.h"
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

static void add(ctok_counts *total, ctok_counts part) {
    total->segments += part.segments;
    total->elements += part.elements;
    total->claims += part.claims;
}

int ctok_split_fd(int fd, size_t chunk_size, uint8_t e, uint8_t t, ctok_counts *counts) {
    ctok_counts total = {0, 0, 0};
    size_t capacity = chunk_size < 4096 ? 4096 : chunk_size;
    uint8_t *buffer = malloc(capacity);
    if (!buffer) return -1;
    size_t kept = 0;  /* bytes of an unfinished segment carried to the front of the buffer */
    for (;;) {
        if (kept == capacity) {  /* one segment longer than the buffer: grow it */
            uint8_t *grown = realloc(buffer, capacity * 2);
            if (!grown) { free(buffer); return -1; }
            buffer = grown;
            capacity *= 2;
        }
        ssize_t n = read(fd, buffer + kept, capacity - kept);
        if (n < 0) {
            if (errno == EINTR) continue;
            int saved = errno;
            free(buffer);
            errno = saved;
            return -1;
        }
        if (n == 0) break;
        size_t filled = kept + (size_t)n;
        /* Split up to the last terminator; the rest waits for the next read. */
        size_t whole = filled;
        while (whole > 0 && buffer[whole - 1] != t) whole--;
        add(&total, ctok_split(buffer, whole, e, t));
        kept = filled - whole;
        memmove(buffer, buffer + whole, kept);
    }
    add(&total, ctok_split(buffer, kept, e, t));
    free(buffer);
    *counts = total;
    return 0;
}
