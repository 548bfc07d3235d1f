#include "philox.h"
#include <string.h>

#define PHILOX_M0 0xD2511F53u
#define PHILOX_M1 0xCD9E8D57u
#define PHILOX_W0 0x9E3779B9u
#define PHILOX_W1 0xBB67AE85u
#define BLOCK_BITS 24
#define BLOCK_MASK ((1u << BLOCK_BITS) - 1u)

void r70_philox4x32_10(const uint32_t ctr[4], const uint32_t key[2], uint32_t out[4]) {
    uint32_t c0 = ctr[0], c1 = ctr[1], c2 = ctr[2], c3 = ctr[3];
    uint32_t k0 = key[0], k1 = key[1];
    for (int round = 0; round < 10; round++) {
        if (round > 0) { k0 += PHILOX_W0; k1 += PHILOX_W1; }
        uint64_t p0 = (uint64_t)PHILOX_M0 * c0;
        uint64_t p1 = (uint64_t)PHILOX_M1 * c2;
        uint32_t hi0 = (uint32_t)(p0 >> 32), lo0 = (uint32_t)p0;
        uint32_t hi1 = (uint32_t)(p1 >> 32), lo1 = (uint32_t)p1;
        c0 = hi1 ^ c1 ^ k0;
        c1 = lo1;
        c2 = hi0 ^ c3 ^ k1;
        c3 = lo0;
    }
    out[0] = c0; out[1] = c1; out[2] = c2; out[3] = c3;
}

void r70_philox_counter(uint64_t trial, uint64_t stream_id, uint32_t block, uint32_t ctr[4]) {
    ctr[0] = (block & BLOCK_MASK) | ((uint32_t)(stream_id & 0xFFu) << BLOCK_BITS);
    ctr[1] = (uint32_t)((stream_id >> 8) & 0xFFFFFFFFu);
    ctr[2] = (uint32_t)trial;
    ctr[3] = (uint32_t)(trial >> 32);
}

typedef struct {
    uint32_t key[2];
    uint32_t ctr[4];     /* the counter of the next block */
    uint32_t out[4];     /* the current block's outputs */
    uint32_t next;       /* next output of `out` to hand out (4: compute a block first) */
    uint32_t blocks;     /* blocks computed since the stream was set */
    uint64_t trial, stream_id;
} philox_state;

static void next_block(philox_state *s) {
    r70_philox4x32_10(s->ctr, s->key, s->out);
    s->blocks++;
    r70_philox_counter(s->trial, s->stream_id, s->blocks, s->ctr);
    s->next = 0;
}

static unsigned long int philox_get(void *vstate) {
    philox_state *s = (philox_state *)vstate;
    if (s->next == 4) next_block(s);
    return s->out[s->next++];
}

static double philox_get_double(void *vstate) {
    return (double)philox_get(vstate) * (1.0 / 4294967296.0);
}

static void set_stream(philox_state *s, uint64_t key, uint64_t trial, uint64_t stream_id) {
    s->key[0] = (uint32_t)key;
    s->key[1] = (uint32_t)(key >> 32);
    s->trial = trial;
    s->stream_id = stream_id;
    s->blocks = 0;
    r70_philox_counter(trial, stream_id, 0, s->ctr);
    s->next = 4;
}

/* gsl_rng_set(r, seed): stream 0 of trial 0 under key `seed`. */
static void philox_set(void *vstate, unsigned long int seed) {
    set_stream((philox_state *)vstate, (uint64_t)seed, 0, 0);
}

static const gsl_rng_type philox_type = {
    "r70-philox4x32-10",
    0xFFFFFFFFUL,
    0,
    sizeof(philox_state),
    &philox_set,
    &philox_get,
    &philox_get_double
};

const gsl_rng_type *r70_gsl_rng_philox(void) { return &philox_type; }

void r70_philox_set_stream(gsl_rng *r, uint64_t key, uint64_t trial, uint64_t stream_id) {
    set_stream((philox_state *)r->state, key, trial, stream_id);
}

uint32_t r70_philox_blocks_used(const gsl_rng *r) { return ((const philox_state *)r->state)->blocks; }

int r70_philox_exhausted(const gsl_rng *r) { return ((const philox_state *)r->state)->blocks > BLOCK_MASK; }
