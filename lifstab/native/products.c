/* The sparse products, written once for a real type (float and double: lifstab/native/source.py). */

/* The nonzeros of one row: their column and value, in column order; returns how many (and may write up
   to SLACK entries past them). AVX-512: blocks of 16 by vector compression; AVX2: whole blocks of zeros
   skipped by one vector test; the scalar tail writes without branching (a random sparse pattern would
   mispredict a branch per nonzero). */
static int64_t row_nonzeros_REAL(const REAL* xr, int64_t inner, int32_t* index, REAL* value) {
  int64_t m = 0, k = 0;
#if defined(COMPRESS_LANES_REAL)
  for (; k + COMPRESS_LANES_REAL <= inner; k += COMPRESS_LANES_REAL) m += compress_REAL(xr, k, index + m, value + m);
#elif defined(__AVX2__)
  for (; k + LANES_REAL <= inner; k += LANES_REAL) {
    unsigned mask = nonzero_mask_REAL(xr + k);
    while (mask) {
      int bit = __builtin_ctz(mask);
      index[m] = (int32_t)(k + bit); value[m] = xr[k + bit]; ++m;
      mask &= mask - 1;
    }
  }
#endif
  for (; k < inner; ++k) { index[m] = (int32_t)k; value[m] = xr[k]; m += xr[k] != 0; }
  return m;
}

/* The nonzeros of x (rows x inner) in compressed-row form: row r's are entries row_start[r] to
   row_start[r + 1] of index and value. Returns their number, or -1 when there are more than capacity
   (the arrays are then incomplete). */
int64_t sparse_rows_REAL(const REAL* x, int64_t rows, int64_t inner, int64_t* row_start, int32_t* index,
                         REAL* value, int64_t capacity) {
  int32_t* row_index = malloc((inner + SLACK) * sizeof(int32_t));
  REAL* row_value = malloc((inner + SLACK) * sizeof(REAL));
  if (!row_index || !row_value) { free(row_index); free(row_value); return -2; }
  int64_t nnz = 0;
  row_start[0] = 0;
  for (int64_t r = 0; r < rows; ++r) {
    int64_t m;
    if (capacity - nnz >= inner + SLACK) {  /* room for a full row: write in place */
      m = row_nonzeros_REAL(x + r * inner, inner, index + nnz, value + nnz);
    } else {
      m = row_nonzeros_REAL(x + r * inner, inner, row_index, row_value);
      if (nnz + m > capacity) { nnz = -1; break; }
      for (int64_t i = 0; i < m; ++i) { index[nnz + i] = row_index[i]; value[nnz + i] = row_value[i]; }
    }
    nnz += m;
    row_start[r + 1] = nnz;
  }
  free(row_index); free(row_value);
  return nnz;
}

/* out[r] = base[r * base_stride] (zero when base is NULL) + sum over row r's nonzeros x[r, k] w[k]. */
static void row_times_matrix_REAL(const int32_t* index, const REAL* value, int64_t m, const REAL* w, int64_t cols,
                                  const REAL* base, REAL* restrict out) {
  int64_t j0 = 0;
  /* blocks of columns summed in registers over the row's nonzeros, stored once */
  for (; j0 + COLUMN_BLOCK <= cols; j0 += COLUMN_BLOCK) {
    REAL acc[COLUMN_BLOCK];
    for (int j = 0; j < COLUMN_BLOCK; ++j) acc[j] = base ? base[j0 + j] : 0;
    for (int64_t i = 0; i < m; ++i) {
      const REAL* restrict wk = w + (int64_t)index[i] * cols + j0;
      const REAL v = value[i];
      /* spikes are ones: a plain sum, measured 6x faster than the multiply-add loop (AVX-512, GCC 12) */
      if (v == 1) { for (int j = 0; j < COLUMN_BLOCK; ++j) acc[j] += wk[j]; }
      else { for (int j = 0; j < COLUMN_BLOCK; ++j) acc[j] += v * wk[j]; }
    }
    for (int j = 0; j < COLUMN_BLOCK; ++j) out[j0 + j] = acc[j];
  }
  for (int64_t j = j0; j < cols; ++j) out[j] = base ? base[j] : 0;
  for (int64_t i = 0; i < m; ++i) {
    const REAL* restrict wk = w + (int64_t)index[i] * cols;
    const REAL v = value[i];
    if (v == 1) { for (int64_t j = j0; j < cols; ++j) out[j] += wk[j]; }
    else { for (int64_t j = j0; j < cols; ++j) out[j] += v * wk[j]; }
  }
}

/* base + x @ w from the compressed rows of x (sparse_rows_REAL), rows [0, rows). */
void sparse_rows_times_matrix_REAL(const int64_t* row_start, const int32_t* index, const REAL* value, int64_t rows,
                                   const REAL* w, int64_t cols, const REAL* base, int64_t base_stride, REAL* out) {
  for (int64_t r = 0; r < rows; ++r)
    row_times_matrix_REAL(index + row_start[r], value + row_start[r], row_start[r + 1] - row_start[r], w, cols,
                          base ? base + r * base_stride : 0, out + r * cols);
}

/* out += x^T @ g from the compressed rows of x: each nonzero x[r, k] adds x[r, k] g[r] to out[k]. */
void sparse_rows_transposed_times_REAL(const int64_t* row_start, const int32_t* index, const REAL* value,
                                       int64_t rows, const REAL* g, int64_t cols, REAL* out) {
  for (int64_t r = 0; r < rows; ++r) {
    const REAL* restrict gr = g + r * cols;
    for (int64_t i = row_start[r]; i < row_start[r + 1]; ++i) {
      REAL* restrict o = out + (int64_t)index[i] * cols;
      const REAL v = value[i];
      if (v == 1) { for (int64_t j = 0; j < cols; ++j) o[j] += gr[j]; }
      else { for (int64_t j = 0; j < cols; ++j) o[j] += v * gr[j]; }
    }
  }
}

/* base + x @ w straight from the dense x, for small products (one time step): returns the number of
   nonzeros of x, or -1 with out untouched when there are more than max_nnz (max_nnz < 0: no limit). */
int64_t rows_times_matrix_REAL(const REAL* x, int64_t rows, int64_t inner, const REAL* w, int64_t cols,
                               const REAL* base, int64_t base_stride, REAL* out, int64_t max_nnz) {
  const int64_t capacity = max_nnz < 0 ? rows * inner : max_nnz;
  int32_t* index = malloc((capacity + 1) * sizeof(int32_t));
  REAL* value = malloc((capacity + 1) * sizeof(REAL));
  int64_t* row_start = malloc((rows + 1) * sizeof(int64_t));
  int64_t nnz = (index && value && row_start) ? sparse_rows_REAL(x, rows, inner, row_start, index, value, capacity)
                                              : -2;
  if (nnz >= 0) sparse_rows_times_matrix_REAL(row_start, index, value, rows, w, cols, base, base_stride, out);
  free(index); free(value); free(row_start);
  return nnz;
}

/* out += x^T @ g straight from the dense x (rows x inner), for the recurrent weight gradient. */
int64_t transposed_times_REAL(const REAL* x, int64_t rows, int64_t inner, const REAL* g, int64_t cols, REAL* out) {
  int32_t* index = malloc((inner + SLACK) * sizeof(int32_t));
  REAL* value = malloc((inner + SLACK) * sizeof(REAL));
  if (!index || !value) { free(index); free(value); return -2; }
  int64_t nnz = 0, row_start[2] = {0, 0};
  for (int64_t r = 0; r < rows; ++r) {
    row_start[1] = row_nonzeros_REAL(x + r * inner, inner, index, value);
    nnz += row_start[1];
    sparse_rows_transposed_times_REAL(row_start, index, value, 1, g + r * cols, cols, out);
  }
  free(index); free(value);
  return nnz;
}
