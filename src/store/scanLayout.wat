;; The learned-layout line reader (the fast path of the report's byte reader; see scanLayout.ts).
;;
;; A writer puts its keys in the same order and spacing on every line, so a line is read by checking its
;; key literals (`{"v":`, `,"ts":`, `, "ts": `, ...) against a learned layout and parsing only the values. A line that
;; differs in any way returns -1 and goes to the general scanner, so the numbers never depend on the path
;; a line took. WebAssembly, not generated JavaScript: the module is compiled once and shared by every
;; thread, where a JavaScript reader is optimized anew by each thread while the others wait for a core.
;;
;; Memory (offsets agreed with scanLayout.ts):
;;   0     type  u8  × 32   per field: 0 absent, 1 string, 2 number, 3 null, 4 true, 5 false
;;   32    esc   u8  × 32   the string holds an escape
;;   64    start i32 × 32   a string's first byte (data-relative)
;;   192   end   i32 × 32   its closing quote (data-relative)
;;   320   num   f64 × 32   a number's value
;;   576   10^0 .. 10^22 as f64 (written by the caller)
;;   4096  layouts: a key count (8 bytes), then per key 32 bytes: the literal's first 8 bytes (zero-padded)
;;         and its last 8 (or, up to 8 bytes long, the mask of its bytes), its address, its length and
;;         its field (-1: none); then the tail literal's address and length
;;   $data the lines, read by the caller; at least 16 readable bytes after its limit
(module
  (memory (export "memory") 1)
  (global (export "data") i32 (i32.const 262144))

  ;; After a backslash at $j: the address after the escape (\" \\ \/ \b \f \n \r \t, or \u and four hex
  ;; digits), or -1.
  (func $skipEscape (param $j i32) (result i32)
    (local $n i32) (local $h i32) (local $d i32)
    (local.set $n (i32.load8_u offset=1 (local.get $j)))
    (if (i32.eq (local.get $n) (i32.const 117))
      (then
        (local.set $h (i32.const 2))
        (loop $hex
          (local.set $d (i32.or (i32.load8_u (i32.add (local.get $j) (local.get $h))) (i32.const 32)))
          (if (i32.eqz (i32.or (i32.le_u (i32.sub (local.get $d) (i32.const 48)) (i32.const 9))
                               (i32.le_u (i32.sub (local.get $d) (i32.const 97)) (i32.const 5))))
            (then (return (i32.const -1))))
          (local.set $h (i32.add (local.get $h) (i32.const 1)))
          (br_if $hex (i32.lt_u (local.get $h) (i32.const 6))))
        (return (i32.add (local.get $j) (i32.const 6)))))
    (if (result i32)
      (i32.or
        (i32.or (i32.or (i32.eq (local.get $n) (i32.const 34)) (i32.eq (local.get $n) (i32.const 92)))
                (i32.or (i32.eq (local.get $n) (i32.const 47)) (i32.eq (local.get $n) (i32.const 98))))
        (i32.or (i32.or (i32.eq (local.get $n) (i32.const 102)) (i32.eq (local.get $n) (i32.const 110)))
                (i32.or (i32.eq (local.get $n) (i32.const 114)) (i32.eq (local.get $n) (i32.const 116)))))
      (then (i32.add (local.get $j) (i32.const 2)))
      (else (i32.const -1))))

  ;; Reads the line at data + $pos with the layout at $layout, filling the fields as the general scanner
  ;; would: the data-relative index of the newline that ends it, or -1 when the line does not match the
  ;; layout or its last value does not end 16 bytes before $limit (data-relative; the byte at $limit is 0).
  (func (export "readLine") (param $layout i32) (param $pos i32) (param $limit i32) (result i32)
    (local $base i32) (local $fast i32) (local $p i32) (local $key i32) (local $keysEnd i32)
    (local $lit i32) (local $len i32) (local $id i32) (local $i i32) (local $c i32)
    (local $j i32) (local $esc i32) (local $m i32) (local $v v128) (local $w i64)
    (local $quote v128) (local $backslash v128) (local $space v128)
    (local $neg i32) (local $d i32) (local $mant i64) (local $digits i32) (local $fracStart i32) (local $frac i32) (local $x f64)
    (local.set $base (global.get 0))
    (local.set $fast (i32.add (local.get $base) (i32.sub (local.get $limit) (i32.const 16))))
    (local.set $p (i32.add (local.get $base) (local.get $pos)))
    (local.set $quote (i8x16.splat (i32.const 34)))
    (local.set $backslash (i8x16.splat (i32.const 92)))
    (local.set $space (i8x16.splat (i32.const 32)))
    ;; fields the layout lacks are absent
    (v128.store (i32.const 0) (v128.const i64x2 0 0))
    (v128.store (i32.const 16) (v128.const i64x2 0 0))
    (local.set $key (i32.add (local.get $layout) (i32.const 8)))
    (local.set $keysEnd (i32.add (local.get $key) (i32.shl (i32.load (local.get $layout)) (i32.const 5))))
    (block $fail
      (loop $keys
        (if (i32.lt_u (local.get $key) (local.get $keysEnd))
          (then
            (local.set $lit (i32.load offset=16 (local.get $key)))
            (local.set $len (i32.load offset=20 (local.get $key)))
            (local.set $id (i32.load offset=24 (local.get $key)))
            ;; the key literal: up to 8 bytes, one masked word; up to 16, its first and last words; longer,
            ;; the words between too
            (br_if $fail (i32.gt_s (i32.add (local.get $p) (local.get $len)) (local.get $fast)))
            (local.set $w (i64.load (local.get $p)))
            (if (i32.le_u (local.get $len) (i32.const 8))
              (then (br_if $fail (i64.ne (i64.and (local.get $w) (i64.load offset=8 (local.get $key))) (i64.load (local.get $key)))))
              (else
                (br_if $fail (i64.ne (local.get $w) (i64.load (local.get $key))))
                (br_if $fail (i64.ne (i64.load (i32.sub (i32.add (local.get $p) (local.get $len)) (i32.const 8))) (i64.load offset=8 (local.get $key))))
                (if (i32.gt_u (local.get $len) (i32.const 16))
                  (then
                    (local.set $i (i32.const 8))
                    (loop $words
                      (br_if $fail (i64.ne (i64.load (i32.add (local.get $p) (local.get $i))) (i64.load (i32.add (local.get $lit) (local.get $i)))))
                      (local.set $i (i32.add (local.get $i) (i32.const 8)))
                      (br_if $words (i32.lt_u (local.get $i) (i32.sub (local.get $len) (i32.const 8)))))))))
            (local.set $p (i32.add (local.get $p) (local.get $len)))
            ;; the value
            (local.set $c (i32.load8_u (local.get $p)))
            (if (i32.eq (local.get $c) (i32.const 34))
              (then
                ;; a string: 16 bytes at a time to its quote, a backslash or a control character
                (local.set $j (i32.add (local.get $p) (i32.const 1)))
                (local.set $esc (i32.const 0))
                (block $closed
                  (loop $scan
                    (br_if $fail (i32.gt_s (local.get $j) (local.get $fast)))
                    (local.set $v (v128.load (local.get $j)))
                    (local.set $m (i8x16.bitmask (v128.or (v128.or (i8x16.eq (local.get $v) (local.get $quote)) (i8x16.eq (local.get $v) (local.get $backslash)))
                                                          (i8x16.lt_u (local.get $v) (local.get $space)))))
                    (if (i32.eqz (local.get $m))
                      (then
                        (local.set $j (i32.add (local.get $j) (i32.const 16)))
                        (br $scan)))
                    (local.set $j (i32.add (local.get $j) (i32.ctz (local.get $m))))
                    (br_if $closed (i32.eq (i32.load8_u (local.get $j)) (i32.const 34)))
                    (br_if $fail (i32.ne (i32.load8_u (local.get $j)) (i32.const 92)))
                    (local.set $j (call $skipEscape (local.get $j)))
                    (br_if $fail (i32.lt_s (local.get $j) (i32.const 0)))
                    (local.set $esc (i32.const 1))
                    (br $scan)))
                (if (i32.ge_s (local.get $id) (i32.const 0))
                  (then
                    (i32.store8 (local.get $id) (i32.const 1))
                    (i32.store8 offset=32 (local.get $id) (local.get $esc))
                    (i32.store offset=64 (i32.shl (local.get $id) (i32.const 2)) (i32.sub (i32.add (local.get $p) (i32.const 1)) (local.get $base)))
                    (i32.store offset=192 (i32.shl (local.get $id) (i32.const 2)) (i32.sub (local.get $j) (local.get $base)))))
                (local.set $p (i32.add (local.get $j) (i32.const 1))))
              (else
                (br_if $fail (i32.gt_s (local.get $p) (local.get $fast)))
                (if (i32.eq (local.get $c) (i32.const 110))
                  (then
                    ;; null
                    (br_if $fail (i32.ne (i32.load (local.get $p)) (i32.const 0x6c6c756e)))
                    (if (i32.ge_s (local.get $id) (i32.const 0)) (then (i32.store8 (local.get $id) (i32.const 3))))
                    (local.set $p (i32.add (local.get $p) (i32.const 4))))
                  (else (if (i32.eq (local.get $c) (i32.const 116))
                  (then
                    ;; true
                    (br_if $fail (i32.ne (i32.load (local.get $p)) (i32.const 0x65757274)))
                    (if (i32.ge_s (local.get $id) (i32.const 0)) (then (i32.store8 (local.get $id) (i32.const 4))))
                    (local.set $p (i32.add (local.get $p) (i32.const 4))))
                  (else (if (i32.eq (local.get $c) (i32.const 102))
                  (then
                    ;; false
                    (br_if $fail (i32.ne (i32.load (local.get $p)) (i32.const 0x736c6166)))
                    (br_if $fail (i32.ne (i32.load8_u offset=4 (local.get $p)) (i32.const 101)))
                    (if (i32.ge_s (local.get $id) (i32.const 0)) (then (i32.store8 (local.get $id) (i32.const 5))))
                    (local.set $p (i32.add (local.get $p) (i32.const 5))))
                  (else
                    ;; a number, -?(0|[1-9]\d*)(\.\d+)? with at most 15 digits: the digits as a whole
                    ;; number, divided once by a power of ten, as Number() reads it; exponents and longer
                    ;; numbers go the general way
                    (local.set $neg (i32.eq (local.get $c) (i32.const 45)))
                    (local.set $p (i32.add (local.get $p) (local.get $neg)))
                    (local.set $d (i32.sub (i32.load8_u (local.get $p)) (i32.const 48)))
                    (br_if $fail (i32.gt_u (local.get $d) (i32.const 9)))
                    (local.set $mant (i64.extend_i32_u (local.get $d)))
                    (local.set $digits (i32.const 1))
                    (local.set $p (i32.add (local.get $p) (i32.const 1)))
                    (local.set $d (i32.sub (i32.load8_u (local.get $p)) (i32.const 48)))
                    (if (i64.eqz (local.get $mant))
                      ;; a leading zero is the whole integer part
                      (then (br_if $fail (i32.le_u (local.get $d) (i32.const 9))))
                      (else
                        (block $intEnd
                          (loop $int
                            (br_if $intEnd (i32.gt_u (local.get $d) (i32.const 9)))
                            (local.set $mant (i64.add (i64.mul (local.get $mant) (i64.const 10)) (i64.extend_i32_u (local.get $d))))
                            (local.set $digits (i32.add (local.get $digits) (i32.const 1)))
                            (local.set $p (i32.add (local.get $p) (i32.const 1)))
                            (local.set $d (i32.sub (i32.load8_u (local.get $p)) (i32.const 48)))
                            (br $int)))))
                    (local.set $frac (i32.const 0))
                    (if (i32.eq (local.get $d) (i32.const -2))
                      (then
                        ;; a point and its digits
                        (local.set $p (i32.add (local.get $p) (i32.const 1)))
                        (local.set $fracStart (local.get $p))
                        (local.set $d (i32.sub (i32.load8_u (local.get $p)) (i32.const 48)))
                        (block $fracEnd
                          (loop $fraction
                            (br_if $fracEnd (i32.gt_u (local.get $d) (i32.const 9)))
                            (local.set $mant (i64.add (i64.mul (local.get $mant) (i64.const 10)) (i64.extend_i32_u (local.get $d))))
                            (local.set $digits (i32.add (local.get $digits) (i32.const 1)))
                            (local.set $p (i32.add (local.get $p) (i32.const 1)))
                            (local.set $d (i32.sub (i32.load8_u (local.get $p)) (i32.const 48)))
                            (br $fraction)))
                        (local.set $frac (i32.sub (local.get $p) (local.get $fracStart)))
                        (br_if $fail (i32.eqz (local.get $frac)))))
                    ;; an exponent (e, E), or too many digits for an exact whole number
                    (br_if $fail (i32.eq (local.get $d) (i32.const 53)))
                    (br_if $fail (i32.eq (local.get $d) (i32.const 21)))
                    (br_if $fail (i32.gt_u (local.get $digits) (i32.const 15)))
                    (if (i32.ge_s (local.get $id) (i32.const 0))
                      (then
                        (local.set $x (f64.convert_i64_u (local.get $mant)))
                        (if (local.get $neg) (then (local.set $x (f64.neg (local.get $x)))))
                        (i32.store8 (local.get $id) (i32.const 2))
                        (f64.store offset=320 (i32.shl (local.get $id) (i32.const 3))
                          (f64.div (local.get $x) (f64.load offset=576 (i32.shl (local.get $frac) (i32.const 3)))))))))))))))
            (local.set $key (i32.add (local.get $key) (i32.const 32)))
            (br $keys))))
      ;; the line's end: the tail literal (spacing, "}", spacing, the newline) before the limit
      (local.set $lit (i32.load (local.get $key)))
      (local.set $len (i32.load offset=4 (local.get $key)))
      (br_if $fail (i32.gt_s (i32.add (local.get $p) (local.get $len)) (i32.add (local.get $base) (local.get $limit))))
      (br_if $fail (i32.eqz (call $equal (local.get $p) (local.get $lit) (local.get $len))))
      (return (i32.sub (i32.add (local.get $p) (i32.sub (local.get $len) (i32.const 1))) (local.get $base))))
    (i32.const -1))

  ;; Whether the $len bytes (at least 2) at $a and $b are equal: 8 at a time, the last 8 overlapping; or
  ;; 4 and 4, or 2 and 2, overlapping.
  (func $equal (param $a i32) (param $b i32) (param $len i32) (result i32)
    (local $i i32)
    (if (i32.ge_u (local.get $len) (i32.const 8))
      (then
        (loop $words
          (if (i64.ne (i64.load (i32.add (local.get $a) (local.get $i))) (i64.load (i32.add (local.get $b) (local.get $i))))
            (then (return (i32.const 0))))
          (local.set $i (i32.add (local.get $i) (i32.const 8)))
          (br_if $words (i32.le_u (i32.add (local.get $i) (i32.const 8)) (local.get $len))))
        (local.set $i (i32.sub (local.get $len) (i32.const 8)))
        (return (i64.eq (i64.load (i32.add (local.get $a) (local.get $i))) (i64.load (i32.add (local.get $b) (local.get $i)))))))
    (local.set $i (i32.sub (local.get $len) (i32.const 4)))
    (if (i32.ge_u (local.get $len) (i32.const 4))
      (then
        (return (i32.and (i32.eq (i32.load (local.get $a)) (i32.load (local.get $b)))
                         (i32.eq (i32.load (i32.add (local.get $a) (local.get $i))) (i32.load (i32.add (local.get $b) (local.get $i))))))))
    (local.set $i (i32.sub (local.get $len) (i32.const 2)))
    (i32.and (i32.eq (i32.load16_u (local.get $a)) (i32.load16_u (local.get $b)))
             (i32.eq (i32.load16_u (i32.add (local.get $a) (local.get $i))) (i32.load16_u (i32.add (local.get $b) (local.get $i))))))
)
