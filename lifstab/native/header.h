/* Shared part of the C source, put first: the vector nonzero test of a block of entries, where the CPU
   has AVX2. */

#include <stdint.h>
#include <stdlib.h>
#ifdef __AVX2__
#include <immintrin.h>
#define LANES_float 8
#define LANES_double 4
/* bit i set when p[i] != 0 (NaN counts as nonzero, as in C's !=) */
static inline unsigned nonzero_mask_float(const float* p) {
  return (unsigned)_mm256_movemask_ps(_mm256_cmp_ps(_mm256_loadu_ps(p), _mm256_setzero_ps(), _CMP_NEQ_UQ));
}
static inline unsigned nonzero_mask_double(const double* p) {
  return (unsigned)_mm256_movemask_pd(_mm256_cmp_pd(_mm256_loadu_pd(p), _mm256_setzero_pd(), _CMP_NEQ_UQ));
}
#endif
/* columns per register block of a row times a matrix */
#define COLUMN_BLOCK 64
/* entries a row scan may write past its count (whole vector stores): every index/value buffer has them */
#define SLACK 16
#ifdef __AVX512F__
#define COMPRESS_LANES_float 16
/* the nonzeros of xr[k, k + 16) appended to index and value by vector compression, without branches;
   all 16 lanes are stored (the buffers have SLACK); returns how many are nonzero */
static inline int compress_float(const float* xr, int64_t k, int32_t* index, float* value) {
  const __m512 v = _mm512_loadu_ps(xr + k);
  const __mmask16 mask = _mm512_cmp_ps_mask(v, _mm512_setzero_ps(), _CMP_NEQ_UQ);
  const __m512i lanes = _mm512_add_epi32(_mm512_set1_epi32((int)k),
                                         _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15));
  _mm512_storeu_si512(index, _mm512_maskz_compress_epi32(mask, lanes));
  _mm512_storeu_ps(value, _mm512_maskz_compress_ps(mask, v));
  return __builtin_popcount(mask);
}
#endif
