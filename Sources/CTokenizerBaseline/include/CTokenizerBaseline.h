#ifndef CTOKENIZER_BASELINE_H
#define CTOKENIZER_BASELINE_H
#include <stddef.h>
#include <stdint.h>

/// Counts of what a plain C loop found while splitting an X12 buffer.
typedef struct {
    uint64_t segments;
    uint64_t elements;
    uint64_t claims;
} ctok_counts;

/// The baseline the X12 reader is measured against: one pass over the bytes that splits segments on the
/// terminator and elements on the separator, and counts CLM segments. No mapping, no allocation.
ctok_counts ctok_split(const uint8_t *bytes, size_t length, uint8_t element_separator, uint8_t segment_terminator);

/// The same split over a file descriptor read in chunks of `chunk_size` bytes (the buffer grows only for a
/// segment longer than a chunk), so that it does the reader's I/O as well. Returns 0, or -1 with `errno` set
/// when a read or the allocation fails; the counts are those of the whole input and equal `ctok_split`'s.
int ctok_split_fd(int fd, size_t chunk_size, uint8_t element_separator, uint8_t segment_terminator,
                  ctok_counts *counts);

#endif
