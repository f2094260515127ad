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

;; The first pass over n values at $v: at $out eight float64s, zeros, −0s, NaNs, finite values, their
;; sum (in index order: the sequential definition's bits), min, max, and the finite values below 0. Two
;; values per f64x2 while both are finite and nonzero; a pair holding a zero or a non-finite value goes
;; one value at a time, in index order. Min and max by comparison, so among equal
;; values the first seen stays: zeros only ever reach the one-by-one min and max, so a zero min or max
;; is the first zero in index order, −0 or +0 (the lanes' equal values are the same bits).
  (func (export "scan") (param $v i32) (param $n i32) (param $out i32)
    (local $o i32) (local $end i32) (local $x f64) (local $p v128) (local $pairs i32)
    (local $low2 v128) (local $high2 v128) (local $below2 v128)
    (local $zeros i32) (local $negative i32) (local $nan i32) (local $count i32) (local $below i32)
    (local $sum f64) (local $low f64) (local $high f64) (local $lane f64)
    (local.set $low (f64.const inf))
    (local.set $high (f64.const -inf))
    (local.set $low2 (f64x2.splat (f64.const inf)))
    (local.set $high2 (f64x2.splat (f64.const -inf)))
    (local.set $o (local.get $v))
    (local.set $end (i32.add (local.get $v) (i32.shl (local.get $n) (i32.const 3))))
    (block $done (loop $each
      (br_if $done (i32.ge_u (local.get $o) (local.get $end)))
      (if (i32.le_u (i32.add (local.get $o) (i32.const 16)) (local.get $end)) (then
        (local.set $p (v128.load (local.get $o)))
        (if (i64x2.all_true (v128.and
              (f64x2.eq (f64x2.sub (local.get $p) (local.get $p)) (f64x2.splat (f64.const 0)))
              (f64x2.ne (local.get $p) (f64x2.splat (f64.const 0))))) (then
          (local.set $sum (f64.add (f64.add (local.get $sum) (f64x2.extract_lane 0 (local.get $p))) (f64x2.extract_lane 1 (local.get $p))))
          (local.set $low2 (v128.bitselect (local.get $p) (local.get $low2) (f64x2.lt (local.get $p) (local.get $low2))))
          (local.set $high2 (v128.bitselect (local.get $p) (local.get $high2) (f64x2.gt (local.get $p) (local.get $high2))))
          (local.set $below2 (i64x2.sub (local.get $below2) (f64x2.lt (local.get $p) (f64x2.splat (f64.const 0)))))
          (local.set $pairs (i32.add (local.get $pairs) (i32.const 1)))
          (local.set $o (i32.add (local.get $o) (i32.const 16)))
          (br $each)))))
      ;; one value
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
      (local.set $below (i32.add (local.get $below) (f64.lt (local.get $x) (f64.const 0))))
      (local.set $sum (f64.add (local.get $sum) (local.get $x)))
      (local.set $low (select (local.get $x) (local.get $low) (f64.lt (local.get $x) (local.get $low))))
      (local.set $high (select (local.get $x) (local.get $high) (f64.gt (local.get $x) (local.get $high))))
      (br $each)))
    ;; the lanes into the one-by-one results
    (local.set $lane (f64x2.extract_lane 0 (local.get $low2)))
    (local.set $low (select (local.get $lane) (local.get $low) (f64.lt (local.get $lane) (local.get $low))))
    (local.set $lane (f64x2.extract_lane 1 (local.get $low2)))
    (local.set $low (select (local.get $lane) (local.get $low) (f64.lt (local.get $lane) (local.get $low))))
    (local.set $lane (f64x2.extract_lane 0 (local.get $high2)))
    (local.set $high (select (local.get $lane) (local.get $high) (f64.gt (local.get $lane) (local.get $high))))
    (local.set $lane (f64x2.extract_lane 1 (local.get $high2)))
    (local.set $high (select (local.get $lane) (local.get $high) (f64.gt (local.get $lane) (local.get $high))))
    (local.set $below (i32.add (local.get $below)
      (i32.wrap_i64 (i64.add (i64x2.extract_lane 0 (local.get $below2)) (i64x2.extract_lane 1 (local.get $below2))))))
    (local.set $count (i32.add (local.get $count) (i32.shl (local.get $pairs) (i32.const 1))))
    (f64.store (local.get $out) (f64.convert_i32_u (local.get $zeros)))
    (f64.store offset=8 (local.get $out) (f64.convert_i32_u (local.get $negative)))
    (f64.store offset=16 (local.get $out) (f64.convert_i32_u (local.get $nan)))
    (f64.store offset=24 (local.get $out) (f64.convert_i32_u (local.get $count)))
    (f64.store offset=32 (local.get $out) (local.get $sum))
    (f64.store offset=40 (local.get $out) (local.get $low))
    (f64.store offset=48 (local.get $out) (local.get $high))
    (f64.store offset=56 (local.get $out) (f64.convert_i32_u (local.get $below))))

;; The second pass: Σ(x − mean)² over the finite values returned; each finite value counted in its fine
;; bucket f = min(FINE_BUCKETS − 1, floor((x·half − low·half)·scale)) (int32s at $fine, at index f + 1,
;; zero on entry; the product is ≥ 0, and a floor below 2⁵² plus 2⁵² holds it in its low mantissa bits:
;; cheaper than a saturating conversion; the counts are made cumulative at the end),
;; and the histogram (int32s at $counts, zero on entry) made from the fine buckets, FINE_PER_BIN to a bin,
;; but where numpy's edges low + b·step put a value of a bin's first or last fine bucket in the
;; neighbouring bin (only when $step is a finite step > 0): those few are moved. (Computed inline, not
;; as a function: V8 does not inline WebAssembly calls, and the call cost a third of the pass.)
  (func (export "spread")
    (param $v i32) (param $n i32) (param $mean f64) (param $low f64) (param $half f64) (param $scale f64)
    (param $step f64) (param $counts i32) (param $fine i32) (param $edge i32) (param $bucket i32) (result f64)
    (local $o i32) (local $end i32) (local $x f64) (local $d f64) (local $squares f64) (local $edges i32)
    (local $lowHalf f64) (local $f i32) (local $bin i32) (local $at i32) (local $move i32) (local $b i32)
    (local $c i32) (local $total i32)
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
      (local.set $f (i32.wrap_i64 (i64.reinterpret_f64 (f64.add (f64.const 4503599627370496) (f64.floor
        (f64.mul (f64.sub (f64.mul (local.get $x) (local.get $half)) (local.get $lowHalf)) (local.get $scale)))))))
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
    ;; each bin += its fine buckets' counts; the fine counts made cumulative (fine[f] = values in buckets < f)
    (local.set $f (i32.const 0))
    (block $summed (loop $bucket
      (br_if $summed (i32.ge_u (local.get $f) (i32.const 1020)))
      (local.set $at (i32.add (local.get $counts) (i32.shl (i32.div_u (local.get $f) (i32.const 34)) (i32.const 2))))
      (local.set $c (i32.load offset=4 (i32.add (local.get $fine) (i32.shl (local.get $f) (i32.const 2)))))
      (i32.store (local.get $at) (i32.add (i32.load (local.get $at)) (local.get $c)))
      (local.set $total (i32.add (local.get $total) (local.get $c)))
      (i32.store offset=4 (i32.add (local.get $fine) (i32.shl (local.get $f) (i32.const 2))) (local.get $total))
      (local.set $f (i32.add (local.get $f) (i32.const 1)))
      (br $bucket)))
    (local.get $squares))

;; The third pass: each value whose fine bucket (spread's, 16 bits each at $bucket; 1020 for a
;; non-finite value) has a slot (int32s at $slot per bucket, −1: none; slot 1020 is −1) is stored at its
;; slot's next address (int32s at $next per slot, advanced by 8), in index order; the exact zeros of
;; $zeroSlot's bucket are left out (they are counted, not gathered).
  (func $gather
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
      (br $each))))
;; The order statistics for $count ranks (int32s at $ranks, ascending, distinct, < the finite count)
;; into float64s at $out, after spread: the fine buckets' cumulative counts ($cumulative) say which
;; bucket holds each rank; each such bucket gets a slot (at most 32), gather copies the buckets' values
;; from $gathered on, and select reads each bucket's ranks in turn (a bucket's later rank among the
;; values after its earlier one). The exact zeros ($zeros of them, the first $negativeZeros −0, as a sort
;; orders them) are never gathered: in the zero bucket ($zeroBucket, −1: no zeros) they sit between its
;; negatives (the finite values below 0, $negatives, less those of earlier buckets) and its positives.
;; Scratch, 32 int32s each: $rankBucket (each rank's bucket), $start and $from (each slot's first value
;; and its first value not yet placed by select).
  (func (export "ranks")
    (param $v i32) (param $n i32) (param $bucket i32) (param $cumulative i32) (param $slot i32) (param $next i32)
    (param $ranks i32) (param $count i32) (param $zeroBucket i32) (param $zeros i32) (param $negatives i32)
    (param $negativeZeros i32) (param $gathered i32) (param $out i32) (param $rankBucket i32) (param $start i32) (param $from i32)
    (local $j i32) (local $k i32) (local $b i32) (local $s i32) (local $slots i32) (local $at i32) (local $size i32)
    (local $local i32) (local $below i32) (local $m i32) (local $base i32) (local $first i32) (local $left i32)
    ;; every bucket without a slot (−1, and the non-finite values' bucket 1020 too)
    (memory.fill (local.get $slot) (i32.const 0xff) (i32.const 4084))
    (local.set $at (local.get $gathered))
    (block $assigned (loop $each
      (br_if $assigned (i32.ge_u (local.get $j) (local.get $count)))
      (local.set $k (i32.load (i32.add (local.get $ranks) (i32.shl (local.get $j) (i32.const 2)))))
      (block $found (loop $walk
        (br_if $found (i32.gt_s (i32.load offset=4 (i32.add (local.get $cumulative) (i32.shl (local.get $b) (i32.const 2)))) (local.get $k)))
        (local.set $b (i32.add (local.get $b) (i32.const 1)))
        (br $walk)))
      (i32.store (i32.add (local.get $rankBucket) (i32.shl (local.get $j) (i32.const 2))) (local.get $b))
      (if (i32.lt_s (i32.load (i32.add (local.get $slot) (i32.shl (local.get $b) (i32.const 2)))) (i32.const 0)) (then
        (i32.store (i32.add (local.get $slot) (i32.shl (local.get $b) (i32.const 2))) (local.get $slots))
        (i32.store (i32.add (local.get $next) (i32.shl (local.get $slots) (i32.const 2))) (local.get $at))
        (i32.store (i32.add (local.get $start) (i32.shl (local.get $slots) (i32.const 2))) (local.get $at))
        (i32.store (i32.add (local.get $from) (i32.shl (local.get $slots) (i32.const 2))) (i32.const 0))
        (local.set $size (i32.sub
          (i32.load offset=4 (i32.add (local.get $cumulative) (i32.shl (local.get $b) (i32.const 2))))
          (i32.load (i32.add (local.get $cumulative) (i32.shl (local.get $b) (i32.const 2))))))
        (if (i32.eq (local.get $b) (local.get $zeroBucket)) (then (local.set $size (i32.sub (local.get $size) (local.get $zeros)))))
        (local.set $at (i32.add (local.get $at) (i32.shl (local.get $size) (i32.const 3))))
        (local.set $slots (i32.add (local.get $slots) (i32.const 1)))))
      (local.set $j (i32.add (local.get $j) (i32.const 1)))
      (br $each)))
    (call $gather (local.get $v) (local.get $n) (local.get $bucket) (local.get $slot) (local.get $next)
      (if (result i32) (i32.lt_s (local.get $zeroBucket) (i32.const 0))
        (then (i32.const -1))
        (else (i32.load (i32.add (local.get $slot) (i32.shl (local.get $zeroBucket) (i32.const 2)))))))
    (local.set $j (i32.const 0))
    (block $done (loop $rank
      (br_if $done (i32.ge_u (local.get $j) (local.get $count)))
      (local.set $k (i32.load (i32.add (local.get $ranks) (i32.shl (local.get $j) (i32.const 2)))))
      (local.set $b (i32.load (i32.add (local.get $rankBucket) (i32.shl (local.get $j) (i32.const 2)))))
      (local.set $s (i32.load (i32.add (local.get $slot) (i32.shl (local.get $b) (i32.const 2)))))
      (local.set $local (i32.sub (local.get $k) (i32.load (i32.add (local.get $cumulative) (i32.shl (local.get $b) (i32.const 2))))))
      (local.set $m (local.get $local))
      (block $placed
        (if (i32.eq (local.get $b) (local.get $zeroBucket)) (then
          (local.set $below (i32.sub (local.get $negatives) (i32.load (i32.add (local.get $cumulative) (i32.shl (local.get $b) (i32.const 2))))))
          (if (i32.ge_s (local.get $local) (local.get $below)) (then
            (if (i32.lt_s (local.get $local) (i32.add (local.get $below) (local.get $zeros))) (then
              ;; one of the zeros
              (f64.store (i32.add (local.get $out) (i32.shl (local.get $j) (i32.const 3)))
                (select (f64.const -0) (f64.const 0) (i32.lt_s (local.get $local) (i32.add (local.get $below) (local.get $negativeZeros)))))
              (br $placed)))
            (local.set $m (i32.sub (local.get $local) (local.get $zeros)))))))
        (local.set $base (i32.load (i32.add (local.get $start) (i32.shl (local.get $s) (i32.const 2)))))
        (local.set $first (i32.load (i32.add (local.get $from) (i32.shl (local.get $s) (i32.const 2)))))
        ;; after gather, the slot's next address is the end of its values
        (local.set $left (i32.sub
          (i32.shr_u (i32.sub (i32.load (i32.add (local.get $next) (i32.shl (local.get $s) (i32.const 2)))) (local.get $base)) (i32.const 3))
          (local.get $first)))
        (call $select (i32.add (local.get $base) (i32.shl (local.get $first) (i32.const 3))) (local.get $left)
          (i32.sub (local.get $m) (local.get $first)) (i32.shl (i32.sub (i32.const 32) (i32.clz (local.get $left))) (i32.const 1)))
        (f64.store (i32.add (local.get $out) (i32.shl (local.get $j) (i32.const 3)))
          (f64.load (i32.add (local.get $base) (i32.shl (local.get $m) (i32.const 3)))))
        (i32.store (i32.add (local.get $from) (i32.shl (local.get $s) (i32.const 2))) (i32.add (local.get $m) (i32.const 1))))
      (local.set $j (i32.add (local.get $j) (i32.const 1)))
      (br $rank))))

;; Rearranges the n float64s at $a (finite, no ±0: order by < is a sort's) so that element k is what a
;; sort would put there, the elements before it ≤ it ≤ those after (C++'s nth_element). Quickselect:
;; Hoare's partition around the median of the first, middle and last; a range of 16 or fewer is
;; insertion-sorted; after $budget partitions (2·log2 n from summary-passes.ts) the range left is
;; heapsorted, so hostile orders cost O(n log n) at worst.
  (func $select (export "select") (param $a i32) (param $n i32) (param $k i32) (param $budget i32)
    (local $lo i32) (local $hi i32) (local $mid i32) (local $i i32) (local $j i32) (local $p f64)
    (local.set $hi (i32.sub (local.get $n) (i32.const 1)))
    (block $done (loop $narrow
      (if (i32.le_s (i32.sub (local.get $hi) (local.get $lo)) (i32.const 16)) (then
        (call $insertionSort (local.get $a) (local.get $lo) (local.get $hi))
        (br $done)))
      (if (i32.eqz (local.get $budget)) (then
        (call $heapSort (i32.add (local.get $a) (i32.shl (local.get $lo) (i32.const 3))) (i32.add (i32.sub (local.get $hi) (local.get $lo)) (i32.const 1)))
        (br $done)))
      (local.set $budget (i32.sub (local.get $budget) (i32.const 1)))
      (local.set $mid (i32.add (local.get $lo) (i32.shr_u (i32.sub (local.get $hi) (local.get $lo)) (i32.const 1))))
      ;; a[lo] ≤ a[mid] ≤ a[hi]
      (call $order (local.get $a) (local.get $lo) (local.get $mid))
      (call $order (local.get $a) (local.get $mid) (local.get $hi))
      (call $order (local.get $a) (local.get $lo) (local.get $mid))
      (local.set $p (call $at (local.get $a) (local.get $mid)))
      ;; Hoare: [lo, j] ≤ p ≤ [j + 1, hi], lo ≤ j < hi (the pivot sits at mid < hi)
      (local.set $i (i32.sub (local.get $lo) (i32.const 1)))
      (local.set $j (i32.add (local.get $hi) (i32.const 1)))
      (block $split (loop $scan
        (loop $up
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br_if $up (f64.lt (call $at (local.get $a) (local.get $i)) (local.get $p))))
        (loop $down
          (local.set $j (i32.sub (local.get $j) (i32.const 1)))
          (br_if $down (f64.gt (call $at (local.get $a) (local.get $j)) (local.get $p))))
        (br_if $split (i32.ge_s (local.get $i) (local.get $j)))
        (call $swap (local.get $a) (local.get $i) (local.get $j))
        (br $scan)))
      (if (i32.le_s (local.get $k) (local.get $j))
        (then (local.set $hi (local.get $j)))
        (else (local.set $lo (i32.add (local.get $j) (i32.const 1)))))
      (br $narrow))))

  (func $at (param $a i32) (param $i i32) (result f64)
    (f64.load (i32.add (local.get $a) (i32.shl (local.get $i) (i32.const 3)))))

  (func $swap (param $a i32) (param $i i32) (param $j i32)
    (local $x f64)
    (local.set $x (call $at (local.get $a) (local.get $i)))
    (f64.store (i32.add (local.get $a) (i32.shl (local.get $i) (i32.const 3))) (call $at (local.get $a) (local.get $j)))
    (f64.store (i32.add (local.get $a) (i32.shl (local.get $j) (i32.const 3))) (local.get $x)))

  ;; a[i] ≤ a[j] after (i < j)
  (func $order (param $a i32) (param $i i32) (param $j i32)
    (if (f64.gt (call $at (local.get $a) (local.get $i)) (call $at (local.get $a) (local.get $j)))
      (then (call $swap (local.get $a) (local.get $i) (local.get $j)))))

  ;; a[lo … hi] sorted
  (func $insertionSort (param $a i32) (param $lo i32) (param $hi i32)
    (local $i i32) (local $j i32) (local $x f64)
    (local.set $i (i32.add (local.get $lo) (i32.const 1)))
    (block $done (loop $each
      (br_if $done (i32.gt_s (local.get $i) (local.get $hi)))
      (local.set $x (call $at (local.get $a) (local.get $i)))
      (local.set $j (local.get $i))
      (block $placed (loop $shift
        (br_if $placed (i32.le_s (local.get $j) (local.get $lo)))
        (br_if $placed (i32.eqz (f64.gt (call $at (local.get $a) (i32.sub (local.get $j) (i32.const 1))) (local.get $x))))
        (f64.store (i32.add (local.get $a) (i32.shl (local.get $j) (i32.const 3))) (call $at (local.get $a) (i32.sub (local.get $j) (i32.const 1))))
        (local.set $j (i32.sub (local.get $j) (i32.const 1)))
        (br $shift)))
      (f64.store (i32.add (local.get $a) (i32.shl (local.get $j) (i32.const 3))) (local.get $x))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $each))))

  ;; the n float64s at $a sorted (a max-heap, then the largest to the end one by one)
  (func $heapSort (param $a i32) (param $n i32)
    (local $i i32)
    (local.set $i (i32.shr_u (local.get $n) (i32.const 1)))
    (block $built (loop $heapify
      (br_if $built (i32.eqz (local.get $i)))
      (local.set $i (i32.sub (local.get $i) (i32.const 1)))
      (call $siftDown (local.get $a) (local.get $i) (local.get $n))
      (br $heapify)))
    (local.set $i (local.get $n))
    (block $sorted (loop $extract
      (br_if $sorted (i32.le_u (local.get $i) (i32.const 1)))
      (local.set $i (i32.sub (local.get $i) (i32.const 1)))
      (call $swap (local.get $a) (i32.const 0) (local.get $i))
      (call $siftDown (local.get $a) (i32.const 0) (local.get $i))
      (br $extract))))

  ;; the heap a[0 … n) with a[i] moved down until no child is larger
  (func $siftDown (param $a i32) (param $i i32) (param $n i32)
    (local $c i32)
    (block $done (loop $down
      (local.set $c (i32.add (i32.shl (local.get $i) (i32.const 1)) (i32.const 1)))
      (br_if $done (i32.ge_u (local.get $c) (local.get $n)))
      (if (i32.and (i32.lt_u (i32.add (local.get $c) (i32.const 1)) (local.get $n))
            (f64.gt (call $at (local.get $a) (i32.add (local.get $c) (i32.const 1))) (call $at (local.get $a) (local.get $c))))
        (then (local.set $c (i32.add (local.get $c) (i32.const 1)))))
      (br_if $done (i32.eqz (f64.gt (call $at (local.get $a) (local.get $c)) (call $at (local.get $a) (local.get $i)))))
      (call $swap (local.get $a) (local.get $i) (local.get $c))
      (local.set $i (local.get $c))
      (br $down))))
)
