/**
 * An independent reference for the optimizer tests: a transcription of PyTorch 1.13's
 * `torch/optim/*.py` — each optimizer's `_single_tensor_*` function (the `foreach=False`, non-capturable,
 * non-differentiable, non-maximize path, dense gradients) plus the lazy state initialisation of its
 * `step()` — operating on plain float64 number arrays instead of tensors. One exception: NAdam's default
 * is torch 2.0's `_single_tensor_nadam` (the documented algorithm, equal to 1.13's `foreach` path), since
 * 1.13's single-tensor code counts μₜ twice (PR #92699); that path is available as an option.
 *
 * It deliberately imports nothing from kernel/: it is written in PyTorch's own structure (in-place tensor
 * ops, state dicts, `param.addcdiv_(exp_avg, denom, value=-step_size)`), not the engine's, so that a
 * mistake in the engine cannot be repeated here by construction.
 */

/** A "tensor": a flat float64 array. Methods ending in `_` work in place, as in torch. */
export type Tensor = number[];

// ---- the handful of tensor ops the 1.13 optimizers use --------------------------------------------

const zeros_like = (p: Tensor): Tensor => p.map(() => 0);
const full_like = (p: Tensor, value: number): Tensor => p.map(() => value);
const clone = (p: Tensor): Tensor => p.slice();

/** self *= other (scalar). */
function mul_(self: Tensor, other: number): Tensor {
  for (let k = 0; k < self.length; k++) self[k] = self[k]! * other;
  return self;
}
/** self + alpha·other, new tensor (`Tensor.add(other, alpha=…)`). */
function add(self: Tensor, other: Tensor, alpha = 1): Tensor {
  return self.map((x, k) => x + alpha * other[k]!);
}
/** self += alpha·other (`Tensor.add_(other, alpha=…)`). */
function add_(self: Tensor, other: Tensor, alpha = 1): Tensor {
  for (let k = 0; k < self.length; k++) self[k] = self[k]! + alpha * other[k]!;
  return self;
}
/** self += scalar (`Tensor.add_(eps)`). */
function addScalar_(self: Tensor, scalar: number): Tensor {
  for (let k = 0; k < self.length; k++) self[k] = self[k]! + scalar;
  return self;
}
/** self + scalar, new tensor (`Tensor.add(eps)`). */
const addScalar = (self: Tensor, scalar: number): Tensor => addScalar_(clone(self), scalar);
/** self += value·t1·t2. */
function addcmul_(self: Tensor, t1: Tensor, t2: Tensor, value = 1): Tensor {
  for (let k = 0; k < self.length; k++) self[k] = self[k]! + value * t1[k]! * t2[k]!;
  return self;
}
/** self + value·t1·t2, new tensor. */
const addcmul = (self: Tensor, t1: Tensor, t2: Tensor, value = 1): Tensor => addcmul_(clone(self), t1, t2, value);
/** self += value·t1/t2. */
function addcdiv_(self: Tensor, t1: Tensor, t2: Tensor, value = 1): Tensor {
  for (let k = 0; k < self.length; k++) self[k] = self[k]! + (value * t1[k]!) / t2[k]!;
  return self;
}
const sqrt = (self: Tensor): Tensor => self.map(Math.sqrt);
function sqrt_(self: Tensor): Tensor {
  for (let k = 0; k < self.length; k++) self[k] = Math.sqrt(self[k]!);
  return self;
}
/** self / scalar, new tensor. */
const divScalar = (self: Tensor, other: number): Tensor => self.map((x) => x / other);
/** self /= other (tensor). */
function div_(self: Tensor, other: Tensor): Tensor {
  for (let k = 0; k < self.length; k++) self[k] = self[k]! / other[k]!;
  return self;
}
/** self *= other (tensor). */
function mulTensor_(self: Tensor, other: Tensor): Tensor {
  for (let k = 0; k < self.length; k++) self[k] = self[k]! * other[k]!;
  return self;
}
/** torch.maximum(a, b, out=out). */
function maximum(a: Tensor, b: Tensor, out: Tensor): Tensor {
  for (let k = 0; k < a.length; k++) out[k] = Math.max(a[k]!, b[k]!);
  return out;
}
/** math.sqrt on a Python float (`_dispatch_sqrt`). */
const _dispatch_sqrt = Math.sqrt;

// ---- the optimizers: one param tensor, its grad given to step() ---------------------------------------

/** A torch.optim optimizer over one parameter tensor (updated in place). */
export interface ReferenceOptimizer {
  readonly param: Tensor;
  /** param_groups[0]['lr'], which a scheduler may change between steps. */
  lr: number;
  step(grad: Tensor): void;
}

export interface SGDOptions { lr: number; momentum?: number; dampening?: number; weight_decay?: number; nesterov?: boolean }

/** torch.optim.SGD (1.13). */
export class SGD implements ReferenceOptimizer {
  lr: number;
  momentum: number;
  dampening: number;
  weight_decay: number;
  nesterov: boolean;
  momentum_buffer: Tensor | null = null;
  constructor(readonly param: Tensor, o: SGDOptions) {
    this.lr = o.lr;
    this.momentum = o.momentum ?? 0;
    this.dampening = o.dampening ?? 0;
    this.weight_decay = o.weight_decay ?? 0;
    this.nesterov = o.nesterov ?? false;
    if (this.nesterov && (this.momentum <= 0 || this.dampening !== 0)) {
      throw new Error("Nesterov momentum requires a momentum and zero dampening");
    }
  }
  step(grad: Tensor): void {
    const momentum_buffer_list = [this.momentum_buffer];
    _single_tensor_sgd([this.param], [grad], momentum_buffer_list, this);
    this.momentum_buffer = momentum_buffer_list[0]!;
  }
}

function _single_tensor_sgd(
  params: Tensor[],
  d_p_list: Tensor[],
  momentum_buffer_list: (Tensor | null)[],
  { weight_decay, momentum, lr, dampening, nesterov }: { weight_decay: number; momentum: number; lr: number; dampening: number; nesterov: boolean },
): void {
  for (let i = 0; i < params.length; i++) {
    const param = params[i]!;
    let d_p = d_p_list[i]!;
    if (weight_decay !== 0) d_p = add(d_p, param, weight_decay);
    if (momentum !== 0) {
      let buf = momentum_buffer_list[i];
      if (buf === null || buf === undefined) {
        buf = clone(d_p);
        momentum_buffer_list[i] = buf;
      } else {
        add_(mul_(buf, momentum), d_p, 1 - dampening);
      }
      if (nesterov) d_p = add(d_p, buf, momentum);
      else d_p = buf;
    }
    add_(param, d_p, -lr);
  }
}

export interface RMSpropOptions { lr?: number; alpha?: number; eps?: number; weight_decay?: number; momentum?: number; centered?: boolean }

/** torch.optim.RMSprop (1.13). */
export class RMSprop implements ReferenceOptimizer {
  lr: number;
  alpha: number;
  eps: number;
  weight_decay: number;
  momentum: number;
  centered: boolean;
  state: { step: number; square_avg: Tensor; momentum_buffer?: Tensor; grad_avg?: Tensor } | null = null;
  constructor(readonly param: Tensor, o: RMSpropOptions = {}) {
    this.lr = o.lr ?? 1e-2;
    this.alpha = o.alpha ?? 0.99;
    this.eps = o.eps ?? 1e-8;
    this.weight_decay = o.weight_decay ?? 0;
    this.momentum = o.momentum ?? 0;
    this.centered = o.centered ?? false;
  }
  step(grad: Tensor): void {
    const p = this.param;
    if (this.state === null) {
      this.state = { step: 0, square_avg: zeros_like(p) };
      if (this.momentum > 0) this.state.momentum_buffer = zeros_like(p);
      if (this.centered) this.state.grad_avg = zeros_like(p);
    }
    const st = this.state;
    const box = { step: st.step };
    _single_tensor_rmsprop([p], [grad], [st.square_avg], [st.grad_avg ?? []], [st.momentum_buffer ?? []], [box], this);
    st.step = box.step;
  }
}

function _single_tensor_rmsprop(
  params: Tensor[],
  grads: Tensor[],
  square_avgs: Tensor[],
  grad_avgs: Tensor[],
  momentum_buffer_list: Tensor[],
  state_steps: { step: number }[],
  { lr, alpha, eps, weight_decay, momentum, centered }: { lr: number; alpha: number; eps: number; weight_decay: number; momentum: number; centered: boolean },
): void {
  for (let i = 0; i < params.length; i++) {
    const param = params[i]!;
    let grad = grads[i]!;
    const square_avg = square_avgs[i]!;
    const step_t = state_steps[i]!;
    step_t.step += 1;
    if (weight_decay !== 0) grad = add(grad, param, weight_decay);
    addcmul_(mul_(square_avg, alpha), grad, grad, 1 - alpha);
    let avg: Tensor;
    if (centered) {
      const grad_avg = grad_avgs[i]!;
      add_(mul_(grad_avg, alpha), grad, 1 - alpha);
      avg = sqrt_(addcmul(square_avg, grad_avg, grad_avg, -1));
    } else {
      avg = sqrt(square_avg);
    }
    avg = addScalar_(avg, eps);
    if (momentum > 0) {
      const buf = momentum_buffer_list[i]!;
      addcdiv_(mul_(buf, momentum), grad, avg);
      add_(param, buf, -lr);
    } else {
      addcdiv_(param, grad, avg, -lr);
    }
  }
}

export interface AdamOptions { lr?: number; betas?: [number, number]; eps?: number; weight_decay?: number; amsgrad?: boolean }

interface AdamState { step: number; exp_avg: Tensor; exp_avg_sq: Tensor; max_exp_avg_sq?: Tensor }

abstract class AdamBase implements ReferenceOptimizer {
  lr: number;
  betas: [number, number];
  eps: number;
  weight_decay: number;
  amsgrad: boolean;
  state: AdamState | null = null;
  constructor(readonly param: Tensor, o: AdamOptions, defaultWeightDecay: number) {
    this.lr = o.lr ?? 1e-3;
    this.betas = o.betas ?? [0.9, 0.999];
    this.eps = o.eps ?? 1e-8;
    this.weight_decay = o.weight_decay ?? defaultWeightDecay;
    this.amsgrad = o.amsgrad ?? false;
  }
  step(grad: Tensor): void {
    const p = this.param;
    if (this.state === null) {
      this.state = { step: 0, exp_avg: zeros_like(p), exp_avg_sq: zeros_like(p) };
      if (this.amsgrad) this.state.max_exp_avg_sq = zeros_like(p);
    }
    const st = this.state;
    const box = { step: st.step };
    const [beta1, beta2] = this.betas;
    this.single([p], [grad], [st.exp_avg], [st.exp_avg_sq], [st.max_exp_avg_sq ?? []], [box], {
      amsgrad: this.amsgrad, beta1, beta2, lr: this.lr, weight_decay: this.weight_decay, eps: this.eps,
    });
    st.step = box.step;
  }
  protected abstract single: typeof _single_tensor_adam;
}

/** torch.optim.Adam (1.13). */
export class Adam extends AdamBase {
  constructor(param: Tensor, o: AdamOptions = {}) {
    super(param, o, 0);
  }
  protected single = _single_tensor_adam;
}

/** torch.optim.AdamW (1.13). */
export class AdamW extends AdamBase {
  constructor(param: Tensor, o: AdamOptions = {}) {
    super(param, o, 1e-2);
  }
  protected single = _single_tensor_adamw;
}

interface AdamArgs { amsgrad: boolean; beta1: number; beta2: number; lr: number; weight_decay: number; eps: number }

function _single_tensor_adam(
  params: Tensor[],
  grads: Tensor[],
  exp_avgs: Tensor[],
  exp_avg_sqs: Tensor[],
  max_exp_avg_sqs: Tensor[],
  state_steps: { step: number }[],
  { amsgrad, beta1, beta2, lr, weight_decay, eps }: AdamArgs,
): void {
  for (let i = 0; i < params.length; i++) {
    const param = params[i]!;
    let grad = grads[i]!;
    const exp_avg = exp_avgs[i]!;
    const exp_avg_sq = exp_avg_sqs[i]!;
    const step_t = state_steps[i]!;
    // update step
    step_t.step += 1;
    if (weight_decay !== 0) grad = add(grad, param, weight_decay);
    // Decay the first and second moment running average coefficient
    add_(mul_(exp_avg, beta1), grad, 1 - beta1);
    addcmul_(mul_(exp_avg_sq, beta2), grad, grad, 1 - beta2);
    const step = step_t.step;
    const bias_correction1 = 1 - beta1 ** step;
    const bias_correction2 = 1 - beta2 ** step;
    const step_size = lr / bias_correction1;
    const bias_correction2_sqrt = _dispatch_sqrt(bias_correction2);
    let denom: Tensor;
    if (amsgrad) {
      // Maintains the maximum of all 2nd moment running avg. till now
      maximum(max_exp_avg_sqs[i]!, exp_avg_sq, max_exp_avg_sqs[i]!);
      // Use the max. for normalizing running avg. of gradient
      denom = addScalar_(divScalar(sqrt(max_exp_avg_sqs[i]!), bias_correction2_sqrt), eps);
    } else {
      denom = addScalar_(divScalar(sqrt(exp_avg_sq), bias_correction2_sqrt), eps);
    }
    addcdiv_(param, exp_avg, denom, -step_size);
  }
}

function _single_tensor_adamw(
  params: Tensor[],
  grads: Tensor[],
  exp_avgs: Tensor[],
  exp_avg_sqs: Tensor[],
  max_exp_avg_sqs: Tensor[],
  state_steps: { step: number }[],
  { amsgrad, beta1, beta2, lr, weight_decay, eps }: AdamArgs,
): void {
  for (let i = 0; i < params.length; i++) {
    const param = params[i]!;
    const grad = grads[i]!;
    const exp_avg = exp_avgs[i]!;
    const exp_avg_sq = exp_avg_sqs[i]!;
    const step_t = state_steps[i]!;
    // update step
    step_t.step += 1;
    // Perform stepweight decay
    mul_(param, 1 - lr * weight_decay);
    // Decay the first and second moment running average coefficient
    add_(mul_(exp_avg, beta1), grad, 1 - beta1);
    addcmul_(mul_(exp_avg_sq, beta2), grad, grad, 1 - beta2);
    const step = step_t.step;
    const bias_correction1 = 1 - beta1 ** step;
    const bias_correction2 = 1 - beta2 ** step;
    const step_size = lr / bias_correction1;
    const bias_correction2_sqrt = _dispatch_sqrt(bias_correction2);
    let denom: Tensor;
    if (amsgrad) {
      maximum(max_exp_avg_sqs[i]!, exp_avg_sq, max_exp_avg_sqs[i]!);
      denom = addScalar_(divScalar(sqrt(max_exp_avg_sqs[i]!), bias_correction2_sqrt), eps);
    } else {
      denom = addScalar_(divScalar(sqrt(exp_avg_sq), bias_correction2_sqrt), eps);
    }
    addcdiv_(param, exp_avg, denom, -step_size);
  }
}

export interface NAdamOptions {
  lr?: number;
  betas?: [number, number];
  eps?: number;
  weight_decay?: number;
  momentum_decay?: number;
  /**
   * Which single-tensor code: false (default) is `torch/optim/nadam.py`'s `_single_tensor_nadam` as of
   * torch 2.0 (after PR #92699), which is the documented algorithm and what 1.13's `_multi_tensor_nadam`
   * (`foreach=True`) computes; true is 1.13's own default `_single_tensor_nadam`, whose
   * `mu_product_next = mu_product * mu * mu_next` counts μₜ twice (the bug #92699 fixed).
   */
  torch113_single_tensor?: boolean;
}

/**
 * torch.optim.NAdam: the documented algorithm, transcribed from torch 2.0's `_single_tensor_nadam`
 * (1.13's `foreach` path computes the same); `torch113_single_tensor` gives 1.13's default path instead.
 */
export class NAdam implements ReferenceOptimizer {
  lr: number;
  betas: [number, number];
  eps: number;
  weight_decay: number;
  momentum_decay: number;
  state: { step: number; mu_product: number; exp_avg: Tensor; exp_avg_sq: Tensor } | null = null;
  constructor(readonly param: Tensor, o: NAdamOptions = {}) {
    this.lr = o.lr ?? 2e-3;
    this.betas = o.betas ?? [0.9, 0.999];
    this.eps = o.eps ?? 1e-8;
    this.weight_decay = o.weight_decay ?? 0;
    this.momentum_decay = o.momentum_decay ?? 4e-3;
    this.torch113_single_tensor = o.torch113_single_tensor ?? false;
  }
  readonly torch113_single_tensor: boolean;
  step(grad: Tensor): void {
    const p = this.param;
    if (this.state === null) {
      this.state = { step: 0, mu_product: 1, exp_avg: zeros_like(p), exp_avg_sq: zeros_like(p) };
    }
    const st = this.state;
    const steps = [{ step: st.step }];
    const mu_products = [{ value: st.mu_product }];
    const [beta1, beta2] = this.betas;
    _single_tensor_nadam([p], [grad], [st.exp_avg], [st.exp_avg_sq], mu_products, steps, {
      beta1, beta2, lr: this.lr, weight_decay: this.weight_decay, momentum_decay: this.momentum_decay, eps: this.eps,
      torch113_single_tensor: this.torch113_single_tensor,
    });
    st.step = steps[0]!.step;
    st.mu_product = mu_products[0]!.value;
  }
}

function _single_tensor_nadam(
  params: Tensor[],
  grads: Tensor[],
  exp_avgs: Tensor[],
  exp_avg_sqs: Tensor[],
  mu_products: { value: number }[],
  state_steps: { step: number }[],
  {
    beta1, beta2, lr, weight_decay, momentum_decay, eps, torch113_single_tensor,
  }: { beta1: number; beta2: number; lr: number; weight_decay: number; momentum_decay: number; eps: number; torch113_single_tensor: boolean },
): void {
  for (let i = 0; i < params.length; i++) {
    const param = params[i]!;
    let grad = grads[i]!;
    const exp_avg = exp_avgs[i]!;
    const exp_avg_sq = exp_avg_sqs[i]!;
    const mu_product = mu_products[i]!;
    const step_t = state_steps[i]!;
    // update step
    step_t.step += 1;
    const step = step_t.step;
    const bias_correction2 = 1 - beta2 ** step;
    if (weight_decay !== 0) grad = add(grad, param, weight_decay);
    // calculate the momentum cache \mu^{t} and \mu^{t+1}
    const mu = beta1 * (1 - 0.5 * 0.96 ** (step * momentum_decay));
    const mu_next = beta1 * (1 - 0.5 * 0.96 ** ((step + 1) * momentum_decay));
    // update mu_product
    mu_product.value *= mu;
    // torch ≥ 2.0 (PR #92699): mu_product * mu_next; torch 1.13's single-tensor path: mu_product * mu * mu_next.
    const mu_product_next = torch113_single_tensor ? mu_product.value * mu * mu_next : mu_product.value * mu_next;
    // decay the first and second moment running average coefficient
    add_(mul_(exp_avg, beta1), grad, 1 - beta1);
    addcmul_(mul_(exp_avg_sq, beta2), grad, grad, 1 - beta2);
    const denom = addScalar_(sqrt(divScalar(exp_avg_sq, bias_correction2)), eps);
    addcdiv_(param, grad, denom, (-lr * (1 - mu)) / (1 - mu_product.value));
    addcdiv_(param, exp_avg, denom, (-lr * mu_next) / (1 - mu_product_next));
  }
}

export interface AdagradOptions { lr?: number; lr_decay?: number; weight_decay?: number; initial_accumulator_value?: number; eps?: number }

/** torch.optim.Adagrad (1.13); its state is created in the constructor, not lazily. */
export class Adagrad implements ReferenceOptimizer {
  lr: number;
  lr_decay: number;
  weight_decay: number;
  eps: number;
  readonly state: { step: number; sum: Tensor };
  constructor(readonly param: Tensor, o: AdagradOptions = {}) {
    this.lr = o.lr ?? 1e-2;
    this.lr_decay = o.lr_decay ?? 0;
    this.weight_decay = o.weight_decay ?? 0;
    this.eps = o.eps ?? 1e-10;
    this.state = { step: 0, sum: full_like(param, o.initial_accumulator_value ?? 0) };
  }
  step(grad: Tensor): void {
    const box = { step: this.state.step };
    _single_tensor_adagrad([this.param], [grad], [this.state.sum], [box], this);
    this.state.step = box.step;
  }
}

function _single_tensor_adagrad(
  params: Tensor[],
  grads: Tensor[],
  state_sums: Tensor[],
  state_steps: { step: number }[],
  { lr, weight_decay, lr_decay, eps }: { lr: number; weight_decay: number; lr_decay: number; eps: number },
): void {
  for (let i = 0; i < params.length; i++) {
    const param = params[i]!;
    let grad = grads[i]!;
    const state_sum = state_sums[i]!;
    const step_t = state_steps[i]!;
    step_t.step += 1;
    const step = step_t.step;
    if (weight_decay !== 0) grad = add(grad, param, weight_decay);
    const clr = lr / (1 + (step - 1) * lr_decay);
    addcmul_(state_sum, grad, grad, 1);
    const std = addScalar_(sqrt(state_sum), eps);
    addcdiv_(param, grad, std, -clr);
  }
}

export interface AdadeltaOptions { lr?: number; rho?: number; eps?: number; weight_decay?: number }

/** torch.optim.Adadelta (1.13). */
export class Adadelta implements ReferenceOptimizer {
  lr: number;
  rho: number;
  eps: number;
  weight_decay: number;
  state: { step: number; square_avg: Tensor; acc_delta: Tensor } | null = null;
  constructor(readonly param: Tensor, o: AdadeltaOptions = {}) {
    this.lr = o.lr ?? 1.0;
    this.rho = o.rho ?? 0.9;
    this.eps = o.eps ?? 1e-6;
    this.weight_decay = o.weight_decay ?? 0;
  }
  step(grad: Tensor): void {
    const p = this.param;
    if (this.state === null) this.state = { step: 0, square_avg: zeros_like(p), acc_delta: zeros_like(p) };
    const st = this.state;
    st.step += 1;
    _single_tensor_adadelta([p], [grad], [st.square_avg], [st.acc_delta], this);
  }
}

function _single_tensor_adadelta(
  params: Tensor[],
  grads: Tensor[],
  square_avgs: Tensor[],
  acc_deltas: Tensor[],
  { lr, rho, eps, weight_decay }: { lr: number; rho: number; eps: number; weight_decay: number },
): void {
  for (let i = 0; i < params.length; i++) {
    const param = params[i]!;
    let grad = grads[i]!;
    const square_avg = square_avgs[i]!;
    const acc_delta = acc_deltas[i]!;
    if (weight_decay !== 0) grad = add(grad, param, weight_decay);
    addcmul_(mul_(square_avg, rho), grad, grad, 1 - rho);
    const std = sqrt_(addScalar(square_avg, eps));
    const delta = sqrt_(addScalar(acc_delta, eps));
    mulTensor_(div_(delta, std), grad);
    addcmul_(mul_(acc_delta, rho), delta, delta, 1 - rho);
    add_(param, delta, -lr);
  }
}

export interface AdamaxOptions { lr?: number; betas?: [number, number]; eps?: number; weight_decay?: number }

/** torch.optim.Adamax (1.13). */
export class Adamax implements ReferenceOptimizer {
  lr: number;
  betas: [number, number];
  eps: number;
  weight_decay: number;
  state: { step: number; exp_avg: Tensor; exp_inf: Tensor } | null = null;
  constructor(readonly param: Tensor, o: AdamaxOptions = {}) {
    this.lr = o.lr ?? 2e-3;
    this.betas = o.betas ?? [0.9, 0.999];
    this.eps = o.eps ?? 1e-8;
    this.weight_decay = o.weight_decay ?? 0;
  }
  step(grad: Tensor): void {
    const p = this.param;
    if (this.state === null) this.state = { step: 0, exp_avg: zeros_like(p), exp_inf: zeros_like(p) };
    const st = this.state;
    const box = { step: st.step };
    const [beta1, beta2] = this.betas;
    _single_tensor_adamax([p], [grad], [st.exp_avg], [st.exp_inf], [box], {
      eps: this.eps, beta1, beta2, lr: this.lr, weight_decay: this.weight_decay,
    });
    st.step = box.step;
  }
}

function _single_tensor_adamax(
  params: Tensor[],
  grads: Tensor[],
  exp_avgs: Tensor[],
  exp_infs: Tensor[],
  state_steps: { step: number }[],
  { eps, beta1, beta2, lr, weight_decay }: { eps: number; beta1: number; beta2: number; lr: number; weight_decay: number },
): void {
  for (let i = 0; i < params.length; i++) {
    const param = params[i]!;
    let grad = grads[i]!;
    const exp_avg = exp_avgs[i]!;
    const exp_inf = exp_infs[i]!;
    const step_t = state_steps[i]!;
    step_t.step += 1;
    const step = step_t.step;
    if (weight_decay !== 0) grad = add(grad, param, weight_decay);
    // Update biased first moment estimate.
    add_(mul_(exp_avg, beta1), grad, 1 - beta1);
    // Update the exponentially weighted infinity norm.
    const norm_buf = [mul_(exp_inf, beta2).slice(), addScalar_(grad.map(Math.abs), eps)];
    // torch.amax(norm_buf, 0, keepdim=False, out=exp_inf)
    for (let k = 0; k < exp_inf.length; k++) exp_inf[k] = Math.max(norm_buf[0]![k]!, norm_buf[1]![k]!);
    const bias_correction = 1 - beta1 ** step;
    const clr = lr / bias_correction;
    addcdiv_(param, exp_avg, exp_inf, -clr);
  }
}
