// A software prefetch hint for the step loop's streams (Swift has no prefetch of its own). A hint only:
// it never faults and changes no result.
#ifndef R70_CPREFETCH_H
#define R70_CPREFETCH_H

static inline void r70_prefetch(const void *address) {
#if defined(__GNUC__) || defined(__clang__)
    __builtin_prefetch(address, 0, 3);
#else
    (void)address;
#endif
}

#endif
