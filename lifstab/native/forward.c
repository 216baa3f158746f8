/* The fused forward loop of a LIF layer, written once for a real type and a reset; the voltage update
   is the reset's, printed as C by `lifstab derive` (lifstab/_generated/lif_c.py; the placeholders are
   filled in by lifstab/native/source.py). */

static inline REAL update_RESET_REAL(PARAMETERS) { return UPDATE; }

/* One row of neurons: v_t and z_t = (v_t > threshold) from v_{t-1}, I_t and z_{t-1} (vectorised). */
static void update_row_RESET_REAL(const REAL* restrict v_prev, const REAL* restrict current,
                                  const REAL* restrict z_prev, const REAL* restrict decay,
                                  const REAL* restrict threshold, REAL* restrict v_out, REAL* restrict z_out,
                                  int64_t n) {
  for (int64_t j = 0; j < n; ++j) {
    const REAL v = update_RESET_REAL(v_prev[j], current[j], z_prev[j], decay[j], threshold[j]);
    v_out[j] = v;
    z_out[j] = v > threshold[j] ? (REAL)1 : (REAL)0;
  }
}

/* Steps [0, steps) of the LIF forward pass, reset RESET (lifstab/lif_sequence.py): the current
   I_t = currents[t] + z_{t-1} @ w_rec (w_rec NULL: feed-forward), v_t = update(v_{t-1}, I_t, z_{t-1},
   decay, threshold) per neuron, z_t = (v_t > threshold); writes voltages[t], spikes[t] and, when totals
   is not NULL, totals[t] = I_t. Stops before a step whose z_{t-1} has more than max_nnz nonzeros (the
   caller's dense product is cheaper there) and returns the number of steps done (-2: out of memory). */
int64_t lif_forward_RESET_REAL(const REAL* currents, int64_t steps, int64_t batch, int64_t n, const REAL* w_rec,
                               const REAL* decay, const REAL* threshold, const REAL* v0, const REAL* z0,
                               REAL* voltages, REAL* spikes, REAL* totals, int64_t max_nnz) {
  const int64_t size = batch * n;
  int32_t* index = malloc((max_nnz + 1) * sizeof(int32_t));
  REAL* value = malloc((max_nnz + 1) * sizeof(REAL));
  int64_t* row_start = malloc((batch + 1) * sizeof(int64_t));
  REAL* row = malloc(n * sizeof(REAL));
  int64_t t = (index && value && row_start && row) ? 0 : -2;
  for (; t >= 0 && t < steps; ++t) {
    const REAL* v_prev = t ? voltages + (t - 1) * size : v0;
    const REAL* z_prev = t ? spikes + (t - 1) * size : z0;
    if (w_rec && sparse_rows_REAL(z_prev, batch, n, row_start, index, value, max_nnz) < 0) break;
    for (int64_t b = 0; b < batch; ++b) {
      const int64_t at = t * size + b * n;
      const REAL* current = currents + at;
      if (w_rec) {
        REAL* into = totals ? totals + at : row;
        row_times_matrix_REAL(index + row_start[b], value + row_start[b], row_start[b + 1] - row_start[b], w_rec, n,
                              currents + at, into);
        current = into;
      }
      update_row_RESET_REAL(v_prev + b * n, current, z_prev + b * n, decay, threshold, voltages + at, spikes + at, n);
    }
  }
  free(index); free(value); free(row_start); free(row);
  return t;
}
