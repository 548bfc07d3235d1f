#ifndef R70_PHILOX_H
#define R70_PHILOX_H
/* Philox4x32-10 (Salmon, Moraes, Dror, Shaw: "Parallel random numbers: as easy as 1, 2, 3", SC11;
   the Random123 library) as a GSL generator type, so that GSL's distributions draw from it.

   A stream is named by (key, trial, stream id): the key is the study seed (64 bits), the counter's
   four words are (block, stream id low, stream id high | 0, trial low, trial high) packed as
     ctr[0] = block position within the stream (24 bits) | stream id bits 0..7 << 24
     ctr[1] = stream id bits 8..39
     ctr[2] = trial bits 0..31
     ctr[3] = trial bits 32..63
   so (seed, trial, stream id, block) maps one to one onto (key, counter): no two of them share a
   block for any seed, any trial below 2^64 and any 40-bit stream id. */
#include <stdint.h>
#include <gsl/gsl_rng.h>

/* One Philox4x32-10 block: out = philox(ctr, key). */
void r70_philox4x32_10(const uint32_t ctr[4], const uint32_t key[2], uint32_t out[4]);

/* The GSL generator type ("r70-philox4x32-10"): 32-bit outputs, get_double = x / 2^32. */
const gsl_rng_type *r70_gsl_rng_philox(void);

/* Sets r (of the type above) to the start of stream (key, trial, stream id). stream_id uses 40 bits. */
void r70_philox_set_stream(gsl_rng *r, uint64_t key, uint64_t trial, uint64_t stream_id);

/* The stream's position in blocks since it was set, and whether it ran past its 2^24 blocks
   (2^26 outputs; it then repeats its own numbers, never another stream's). */
uint32_t r70_philox_blocks_used(const gsl_rng *r);
int r70_philox_exhausted(const gsl_rng *r);

/* The counter words of (trial, stream id, block), exposed so the key derivation can be tested. */
void r70_philox_counter(uint64_t trial, uint64_t stream_id, uint32_t block, uint32_t ctr[4]);
#endif
