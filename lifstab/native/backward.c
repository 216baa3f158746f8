/* One step of the LIF backward pass, written once for a real type and a reset; the partial derivatives
   of the reset's update are sympy.diff of it printed as C by `lifstab derive`
   (lifstab/_generated/lif_grad_c.py; the placeholders are filled in by lifstab/native/source.py). */

PARTIALS
/* Step t of the LIF backward pass, reset RESET, the elementwise part of lif_sequence's Python loop:
   dL/dz_t = grad_z (loss and recurrent current, from the caller's matrix product) + the reset of step
   t + 1 (unless detach_reset); dL/dv_t = grad_voltage + dL/dz_t SG_t + dL/dv_{t+1} d v_{t+1}/d v_t into
   grad_v; dL/dI_t = dL/dv_t d v_t/d I_t into grad_current; the decay's and the threshold's gradients are
   summed into grad_decay and grad_threshold (per neuron) when those are not NULL. Every (batch, n) input
   is given (the caller passes zeros for a missing one, so that the loop has no branches and vectorises):
   v_prev, z_prev, current (I_t) feed the partials of step t, v_now, z_now, current_next (I_{t+1}) those
   of step t + 1; sg is SG(v_t - threshold). */
void lif_backward_step_RESET(int64_t batch, int64_t n, const REAL* restrict grad_z, const REAL* restrict sg,
                             const REAL* restrict grad_voltage, const REAL* restrict grad_v_next,
                             const REAL* restrict v_prev, const REAL* restrict z_prev, const REAL* restrict current,
                             const REAL* restrict v_now, const REAL* restrict z_now,
                             const REAL* restrict current_next, const REAL* restrict decay,
                             const REAL* restrict threshold, int64_t detach_reset, REAL* restrict grad_v,
                             REAL* restrict grad_current, REAL* restrict grad_decay, REAL* restrict grad_threshold) {
  /* a detached reset adds (... * 0) = 0, leaving dL/dz_t as it is */
  const REAL keep_reset = detach_reset ? 0 : 1;
  for (int64_t b = 0; b < batch; ++b) {
    const int64_t row = b * n;
    for (int64_t j = 0; j < n; ++j) {
      const int64_t i = row + j;
      const REAL gz = grad_z[i] + grad_v_next[i] * d_reset_spikes_RESET(v_now[i], current_next[i], z_now[i],
                                                                        decay[j], threshold[j]) * keep_reset;
      const REAL through = gz * sg[i];
      const REAL gv = (grad_voltage[i] + through)
                      + grad_v_next[i] * d_voltage_RESET(v_now[i], current_next[i], z_now[i], decay[j], threshold[j]);
      grad_v[i] = gv;
      grad_current[i] = gv * d_current_RESET(v_prev[i], current[i], z_prev[i], decay[j], threshold[j]);
      if (grad_threshold)
        grad_threshold[j] += -through + gv * d_threshold_RESET(v_prev[i], current[i], z_prev[i], decay[j], threshold[j]);
      if (grad_decay)
        grad_decay[j] += gv * d_decay_RESET(v_prev[i], current[i], z_prev[i], decay[j], threshold[j]);
    }
  }
}
