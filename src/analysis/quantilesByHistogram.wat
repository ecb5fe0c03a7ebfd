;; The two linear passes of the exact quantiles (see quantilesByHistogram.ts): count the values per bucket
;; of their leading bits, then gather the values of the few buckets that hold the ranks asked for.
;; WebAssembly, not JavaScript: they run once, at the end of a report, where JavaScript would still be
;; unoptimized.
;;
;; Memory (offsets agreed with quantilesByHistogram.ts):
;;   0          counts: i32 × 2^20, one per bucket (zero between calls: the caller clears what it used)
;;   4194304    the values (f64), then the gathered values
;; A bucket is the top 20 bits of a double's order-preserving bit pattern (sign, exponent, 8 mantissa
;; bits): monotone in the value. (Written out in each loop: V8 does not inline WebAssembly calls.)
(module
  (memory (export "memory") 65)
  (global (export "lowest") (mut i32) (i32.const 0))
  (global (export "highest") (mut i32) (i32.const 0))

  ;; Counts the $n values at $values per bucket; sets lowest and highest, the buckets counted into.
  (func (export "count") (param $values i32) (param $n i32)
    (local $at i32) (local $end i32) (local $h i32) (local $b i32) (local $lo i32) (local $hi i32)
    (local.set $lo (i32.const 0x100000))
    (local.set $hi (i32.const -1))
    (local.set $at (local.get $values))
    (local.set $end (i32.add (local.get $values) (i32.shl (local.get $n) (i32.const 3))))
    (block $done
      (loop $values
        (br_if $done (i32.ge_u (local.get $at) (local.get $end)))
        ;; little-endian: the high word (sign, exponent) is the second
        (local.set $h (i32.load offset=4 (local.get $at)))
        (local.set $b (i32.shr_u (select (i32.xor (local.get $h) (i32.const -1)) (i32.or (local.get $h) (i32.const 0x80000000)) (i32.lt_s (local.get $h) (i32.const 0))) (i32.const 12)))
        (i32.store (i32.shl (local.get $b) (i32.const 2)) (i32.add (i32.load (i32.shl (local.get $b) (i32.const 2))) (i32.const 1)))
        (if (i32.lt_s (local.get $b) (local.get $lo)) (then (local.set $lo (local.get $b))))
        (if (i32.gt_s (local.get $b) (local.get $hi)) (then (local.set $hi (local.get $b))))
        (local.set $at (i32.add (local.get $at) (i32.const 8)))
        (br $values)))
    (global.set 0 (local.get $lo))
    (global.set 1 (local.get $hi)))

  ;; Copies the values of buckets $b0, $b1, $b2 (-1: none) among the $n at $values to $out0, $out1, $out2,
  ;; in order.
  (func (export "gather") (param $values i32) (param $n i32) (param $b0 i32) (param $b1 i32) (param $b2 i32)
                          (param $out0 i32) (param $out1 i32) (param $out2 i32)
    (local $at i32) (local $end i32) (local $h i32) (local $b i32)
    (local.set $at (local.get $values))
    (local.set $end (i32.add (local.get $values) (i32.shl (local.get $n) (i32.const 3))))
    (block $done
      (loop $values
        (br_if $done (i32.ge_u (local.get $at) (local.get $end)))
        (local.set $h (i32.load offset=4 (local.get $at)))
        (local.set $b (i32.shr_u (select (i32.xor (local.get $h) (i32.const -1)) (i32.or (local.get $h) (i32.const 0x80000000)) (i32.lt_s (local.get $h) (i32.const 0))) (i32.const 12)))
        (if (i32.eq (local.get $b) (local.get $b0))
          (then
            (f64.store (local.get $out0) (f64.load (local.get $at)))
            (local.set $out0 (i32.add (local.get $out0) (i32.const 8))))
          (else (if (i32.eq (local.get $b) (local.get $b1))
            (then
              (f64.store (local.get $out1) (f64.load (local.get $at)))
              (local.set $out1 (i32.add (local.get $out1) (i32.const 8))))
            (else (if (i32.eq (local.get $b) (local.get $b2))
              (then
                (f64.store (local.get $out2) (f64.load (local.get $at)))
                (local.set $out2 (i32.add (local.get $out2) (i32.const 8)))))))))
        (local.set $at (i32.add (local.get $at) (i32.const 8)))
        (br $values)))))
