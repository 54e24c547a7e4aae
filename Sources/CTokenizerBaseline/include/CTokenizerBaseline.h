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

#endif
