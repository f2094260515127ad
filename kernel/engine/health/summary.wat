;; The health summary's three passes over a layer's values (kernel/engine/health/summary.ts says what
;; each computes and why; summary-passes.ts lays out the memory). The arithmetic is summary.ts's,
;; operation for operation in the same order, so every count, sum and bucket is what it was in
;; TypeScript; in WebAssembly a pass costs about a nanosecond a value instead of five (no typed-array
;; bounds and base reloads, no branch on the common path). Addresses are byte addresses; values are
;; float64, counts int32.
(module
  (memory (export "memory") 1 65536)

  ;; The constants 34 (FINE_PER_BIN), 30 bins (HISTOGRAM_BINS) and 1020 fine buckets (FINE_BUCKETS) are
  ;; written out: a division by a constant is a multiplication, by a global a division.

;; The first pass over n values at $v: at $out seven float64s, zeros, −0s, NaNs, finite values, their
;; sum (in index order), min and max. Min and max by comparison, so among equal values the first seen
;; stays: a zero min or max is the first zero in index order, −0 or +0. Branches only for the rare
;; values (non-finite; zeros come in runs: a dead neuron's whole row).
  (func (export "scan") (param $v i32) (param $n i32) (param $out i32)
    (local $o i32) (local $end i32) (local $x f64)
    (local $zeros i32) (local $negative i32) (local $nan i32) (local $count i32)
    (local $sum f64) (local $low f64) (local $high f64)
    (local.set $low (f64.const inf))
    (local.set $high (f64.const -inf))
    (local.set $o (local.get $v))
    (local.set $end (i32.add (local.get $v) (i32.shl (local.get $n) (i32.const 3))))
    (block $done (loop $each
      (br_if $done (i32.ge_u (local.get $o) (local.get $end)))
      (local.set $x (f64.load (local.get $o)))
      (local.set $o (i32.add (local.get $o) (i32.const 8)))
      (if (f64.ne (f64.sub (local.get $x) (local.get $x)) (f64.const 0)) (then
        (local.set $nan (i32.add (local.get $nan) (f64.ne (local.get $x) (local.get $x))))
        (br $each)))
      (if (f64.eq (local.get $x) (f64.const 0)) (then
        (local.set $zeros (i32.add (local.get $zeros) (i32.const 1)))
        (local.set $negative (i32.add (local.get $negative)
          (i32.wrap_i64 (i64.shr_u (i64.reinterpret_f64 (local.get $x)) (i64.const 63)))))))
      (local.set $count (i32.add (local.get $count) (i32.const 1)))
      (local.set $sum (f64.add (local.get $sum) (local.get $x)))
      (local.set $low (select (local.get $x) (local.get $low) (f64.lt (local.get $x) (local.get $low))))
      (local.set $high (select (local.get $x) (local.get $high) (f64.gt (local.get $x) (local.get $high))))
      (br $each)))
    (f64.store (local.get $out) (f64.convert_i32_u (local.get $zeros)))
    (f64.store offset=8 (local.get $out) (f64.convert_i32_u (local.get $negative)))
    (f64.store offset=16 (local.get $out) (f64.convert_i32_u (local.get $nan)))
    (f64.store offset=24 (local.get $out) (f64.convert_i32_u (local.get $count)))
    (f64.store offset=32 (local.get $out) (local.get $sum))
    (f64.store offset=40 (local.get $out) (local.get $low))
    (f64.store offset=48 (local.get $out) (local.get $high)))

;; The second pass: Σ(x − mean)² over the finite values returned; each finite value counted in its fine
;; bucket f = min(FINE_BUCKETS − 1, floor((x·half − low·half)·scale)) (int32s at $fine, at index f + 1;
;; the product is ≥ 0, so truncation is the floor),
;; and the histogram (int32s at $counts, zero on entry) made from the fine buckets, FINE_PER_BIN to a bin,
;; but where numpy's edges low + b·step put a value of a bin's first or last fine bucket in the
;; neighbouring bin (only when $step is a finite step > 0): those few are moved. (Computed inline, not
;; as a function: V8 does not inline WebAssembly calls, and the call cost a third of the pass.)
  (func (export "spread")
    (param $v i32) (param $n i32) (param $mean f64) (param $low f64) (param $half f64) (param $scale f64)
    (param $step f64) (param $counts i32) (param $fine i32) (param $edge i32) (param $bucket i32) (result f64)
    (local $o i32) (local $end i32) (local $x f64) (local $d f64) (local $squares f64) (local $edges i32)
    (local $lowHalf f64) (local $f i32) (local $bin i32) (local $at i32) (local $move i32) (local $b i32)
    (local.set $b (local.get $bucket))
    (local.set $edges (i32.and (f64.gt (local.get $step) (f64.const 0)) (f64.lt (local.get $step) (f64.const inf))))
    (local.set $lowHalf (f64.mul (local.get $low) (local.get $half)))
    (local.set $o (local.get $v))
    (local.set $end (i32.add (local.get $v) (i32.shl (local.get $n) (i32.const 3))))
    (block $done (loop $each
      (br_if $done (i32.ge_u (local.get $o) (local.get $end)))
      (local.set $x (f64.load (local.get $o)))
      (local.set $o (i32.add (local.get $o) (i32.const 8)))
      (if (f64.ne (f64.sub (local.get $x) (local.get $x)) (f64.const 0)) (then
        (i32.store16 (local.get $b) (i32.const 1020))
        (local.set $b (i32.add (local.get $b) (i32.const 2)))
        (br $each)))
      (local.set $d (f64.sub (local.get $x) (local.get $mean)))
      (local.set $squares (f64.add (local.get $squares) (f64.mul (local.get $d) (local.get $d))))
      (local.set $f (i32.trunc_sat_f64_s
        (f64.mul (f64.sub (f64.mul (local.get $x) (local.get $half)) (local.get $lowHalf)) (local.get $scale))))
      (local.set $f (select (local.get $f) (i32.const 1019) (i32.lt_s (local.get $f) (i32.const 1019))))
      (i32.store16 (local.get $b) (local.get $f))
      (local.set $b (i32.add (local.get $b) (i32.const 2)))
      (local.set $at (i32.add (local.get $fine) (i32.shl (local.get $f) (i32.const 2))))
      (i32.store offset=4 (local.get $at) (i32.add (i32.load offset=4 (local.get $at)) (i32.const 1)))
      ;; a bin's first or last fine bucket (by the table at $edge, a byte per fine bucket: 1, 2; else 0)
      (br_if $each (i32.eqz (i32.and (local.get $edges) (i32.load8_u (i32.add (local.get $edge) (local.get $f))))))
      ;; bin = f / 34 as (f · 1928) >> 16 (exact for f < 1020)
      (local.set $bin (i32.shr_u (i32.mul (local.get $f) (i32.const 1928)) (i32.const 16)))
      (local.set $move (if (result i32) (i32.eq (i32.load8_u (i32.add (local.get $edge) (local.get $f))) (i32.const 1))
        (then (i32.sub (i32.const 0)
          (f64.lt (local.get $x) (f64.add (local.get $low) (f64.mul (f64.convert_i32_s (local.get $bin)) (local.get $step))))))
        (else
          (f64.ge (local.get $x) (f64.add (local.get $low) (f64.mul (f64.convert_i32_s (i32.add (local.get $bin) (i32.const 1))) (local.get $step)))))))
      (br_if $each (i32.eqz (local.get $move)))
      ;; moved: one less in its bin, one more in the neighbour below (−1) or above (+1)
      (local.set $at (i32.add (local.get $counts) (i32.shl (local.get $bin) (i32.const 2))))
      (i32.store (local.get $at) (i32.sub (i32.load (local.get $at)) (i32.const 1)))
      (local.set $at (i32.add (local.get $at) (i32.shl (local.get $move) (i32.const 2))))
      (i32.store (local.get $at) (i32.add (i32.load (local.get $at)) (i32.const 1)))
      (br $each)))
    ;; each bin += its fine buckets' counts
    (local.set $f (i32.const 0))
    (block $summed (loop $bucket
      (br_if $summed (i32.ge_u (local.get $f) (i32.const 1020)))
      (local.set $at (i32.add (local.get $counts) (i32.shl (i32.div_u (local.get $f) (i32.const 34)) (i32.const 2))))
      (i32.store (local.get $at) (i32.add (i32.load (local.get $at))
        (i32.load offset=4 (i32.add (local.get $fine) (i32.shl (local.get $f) (i32.const 2))))))
      (local.set $f (i32.add (local.get $f) (i32.const 1)))
      (br $bucket)))
    (local.get $squares))

;; The third pass: each value whose fine bucket (spread's, 16 bits each at $bucket; 1020 for a
;; non-finite value) has a slot (int32s at $slot per bucket, −1: none; slot 1020 is −1) is stored at its
;; slot's next address (int32s at $next per slot, advanced by 8), in index order; the exact zeros of
;; $zeroSlot's bucket are left out (they are counted, not gathered).
  (func (export "gather")
    (param $v i32) (param $n i32) (param $bucket i32) (param $slot i32) (param $next i32) (param $zeroSlot i32)
    (local $i i32) (local $x f64) (local $s i32) (local $at i32) (local $to i32)
    (block $done (loop $each
      (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
      (local.set $s (i32.load (i32.add (local.get $slot)
        (i32.shl (i32.load16_u (i32.add (local.get $bucket) (i32.shl (local.get $i) (i32.const 1)))) (i32.const 2)))))
      (local.set $x (f64.load (i32.add (local.get $v) (i32.shl (local.get $i) (i32.const 3)))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $each (i32.lt_s (local.get $s) (i32.const 0)))
      (br_if $each (i32.and (f64.eq (local.get $x) (f64.const 0)) (i32.eq (local.get $s) (local.get $zeroSlot))))
      (local.set $at (i32.add (local.get $next) (i32.shl (local.get $s) (i32.const 2))))
      (local.set $to (i32.load (local.get $at)))
      (f64.store (local.get $to) (local.get $x))
      (i32.store (local.get $at) (i32.add (local.get $to) (i32.const 8)))
      (br $each)))))
